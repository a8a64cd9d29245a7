/* D-Bus replies of the run history: GetSessions, GetRun and GetStrides of org.gaitmon.Monitor1.
 * Records travel as a{sv} keyed by the fields' keys in gm_record.h, so a field can be added
 * without breaking a client. */
#pragma once

#include <dbus/dbus.h>
#include <stdint.h>

#include "gm_store.h"

#define GM_STORE_DBUS_ERROR_NO_SUCH_RUN "org.gaitmon.Monitor1.Error.NoSuchRun"
#define GM_STORE_DBUS_ERROR_HISTORY "org.gaitmon.Monitor1.Error.HistoryUnavailable"
#define GM_STORE_DBUS_ERROR_RUN_IN_PROGRESS "org.gaitmon.Monitor1.Error.RunInProgress"

/* A record: the fields of its tables, plus for a run "state" (s: active, ended, interrupted). */
#define GM_STORE_DBUS_RECORD_TYPE "a{sv}"
/* GetSessions: one record per run (the run's and its advice's fields, and "state"). */
#define GM_STORE_DBUS_SESSIONS_SIGNATURE "aa{sv}"
/* GetRun: the run's record, with "actions" (as) and "minutes" (aa{sv}) besides. */
#define GM_STORE_DBUS_RUN_SIGNATURE "a{sv}"
/* GetStrides: one record per stride. */
#define GM_STORE_DBUS_STRIDES_SIGNATURE "aa{sv}"

/* Appends one record of d (every field, NaN as NaN) as {sv} entries to an open a{sv}. */
bool gm_store_dbus_append_fields(DBusMessageIter *dict, const struct gm_record_desc *d, const void *record);

/* Appends the GetSessions reply: runs that started in the last `days` days before wall_us (all
 * runs when days is 0), oldest first. Everything is read before anything is appended; on
 * failure (negative errno) the reply must be discarded all the same. */
int gm_store_dbus_append_sessions(struct gm_store *s, uint32_t days, int64_t wall_us, DBusMessageIter *reply);

/* Appends the GetRun reply: the run's summary, its advice and its minutes. -ENOENT for an
 * unknown id, before anything is appended. */
int gm_store_dbus_append_run(struct gm_store *s, uint64_t id, DBusMessageIter *reply);

/* Appends the GetStrides reply: the run's strides with from_s <= t_s < to_s. -ENOENT unknown id,
 * -EINVAL NaN or to_s < from_s, before anything is appended. */
int gm_store_dbus_append_strides(struct gm_store *s, uint64_t id, double from_s, double to_s, DBusMessageIter *reply);
