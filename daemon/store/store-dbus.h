/* D-Bus replies of the run history: GetSessions and GetRun of org.gaitmon.Monitor1. */
#pragma once

#include <dbus/dbus.h>
#include <stdint.h>

#include "gm_store.h"

#define GM_STORE_DBUS_ERROR_NO_SUCH_RUN "org.gaitmon.Monitor1.Error.NoSuchRun"
#define GM_STORE_DBUS_ERROR_HISTORY "org.gaitmon.Monitor1.Error.HistoryUnavailable"

/* One GetSessions entry: id, start µs, activity, duration s, steps, cadence steps/min,
 * max asymmetry %, max fatigue, advice summary, rest days, state (active, ended, interrupted). */
#define GM_STORE_DBUS_SESSION_TYPE "(ttsdtdddsus)"
/* One GetRun minute: start s into the run, steps, cadence, stance L/R ms, hip extension L/R deg,
 * pelvic drop L/R deg, max asymmetry %, fatigue, length s (60, less for the last). */
#define GM_STORE_DBUS_MINUTE_TYPE "(dtdddddddddd)"
/* GetRun out arguments, in order: id, start µs, activity, state, duration s, steps, cadence,
 * stance L/R ms, hip extension L/R deg, pelvic drop L/R deg, max asymmetry %, its metric,
 * max fatigue, load, advice summary, actions, rest days, acwr, minutes, then the signs of
 * compensation: hip-extension and pelvic-drop asymmetry from baseline (% points, signed like
 * the SI), pelvic drop rise L/R deg, highest fatigue level 0..3. */
#define GM_STORE_DBUS_RUN_SIGNATURE "ttssdtddddddddsddsasuda" GM_STORE_DBUS_MINUTE_TYPE "ddddu"

/* Appends the GetSessions reply, a(ttsdtdddsus): runs that started in the last `days` days
 * before now_us (all runs when days is 0), oldest first. Everything is read before anything is
 * appended; on failure (negative errno) the reply must be discarded all the same. */
int gm_store_dbus_append_sessions(struct gm_store *s, uint32_t days, int64_t now_us, DBusMessageIter *reply);

/* Appends the GetRun reply (GM_STORE_DBUS_RUN_SIGNATURE): the run's summary, its advice and
 * its minutes. -ENOENT for an unknown id, before anything is appended. */
int gm_store_dbus_append_run(struct gm_store *s, uint64_t id, DBusMessageIter *reply);
