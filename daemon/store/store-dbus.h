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
/* One GetRun minute: t s, steps, cadence, stance L/R ms, hip extension L/R deg,
 * pelvic drop L/R deg, max asymmetry %, fatigue. */
#define GM_STORE_DBUS_MINUTE_TYPE "(dtddddddddd)"
/* GetRun out arguments, in order (see gm_store_dbus_append_run). */
#define GM_STORE_DBUS_RUN_SIGNATURE "ttssdtddddddddsddsasuda" GM_STORE_DBUS_MINUTE_TYPE

/* Introspection XML of the two methods, for the Monitor1 interface description. */
#define GM_STORE_DBUS_METHODS_XML                                                  \
        "  <method name=\"GetSessions\">\n"                                        \
        "   <arg name=\"days\" type=\"u\" direction=\"in\"/>\n"                    \
        "   <arg name=\"sessions\" type=\"a" GM_STORE_DBUS_SESSION_TYPE "\" direction=\"out\"/>\n" \
        "  </method>\n"                                                            \
        "  <method name=\"GetRun\">\n"                                             \
        "   <arg name=\"id\" type=\"t\" direction=\"in\"/>\n"                      \
        "   <arg name=\"id\" type=\"t\" direction=\"out\"/>\n"                     \
        "   <arg name=\"start\" type=\"t\" direction=\"out\"/>\n"                  \
        "   <arg name=\"activity\" type=\"s\" direction=\"out\"/>\n"               \
        "   <arg name=\"state\" type=\"s\" direction=\"out\"/>\n"                  \
        "   <arg name=\"duration\" type=\"d\" direction=\"out\"/>\n"               \
        "   <arg name=\"steps\" type=\"t\" direction=\"out\"/>\n"                  \
        "   <arg name=\"cadence\" type=\"d\" direction=\"out\"/>\n"                \
        "   <arg name=\"stance_left\" type=\"d\" direction=\"out\"/>\n"            \
        "   <arg name=\"stance_right\" type=\"d\" direction=\"out\"/>\n"           \
        "   <arg name=\"hip_extension_left\" type=\"d\" direction=\"out\"/>\n"     \
        "   <arg name=\"hip_extension_right\" type=\"d\" direction=\"out\"/>\n"    \
        "   <arg name=\"pelvic_drop_left\" type=\"d\" direction=\"out\"/>\n"       \
        "   <arg name=\"pelvic_drop_right\" type=\"d\" direction=\"out\"/>\n"      \
        "   <arg name=\"asymmetry_max\" type=\"d\" direction=\"out\"/>\n"          \
        "   <arg name=\"asymmetry_metric\" type=\"s\" direction=\"out\"/>\n"       \
        "   <arg name=\"fatigue_max\" type=\"d\" direction=\"out\"/>\n"            \
        "   <arg name=\"load\" type=\"d\" direction=\"out\"/>\n"                   \
        "   <arg name=\"advice\" type=\"s\" direction=\"out\"/>\n"                 \
        "   <arg name=\"actions\" type=\"as\" direction=\"out\"/>\n"               \
        "   <arg name=\"rest_days\" type=\"u\" direction=\"out\"/>\n"              \
        "   <arg name=\"acwr\" type=\"d\" direction=\"out\"/>\n"                   \
        "   <arg name=\"minutes\" type=\"a" GM_STORE_DBUS_MINUTE_TYPE "\" direction=\"out\"/>\n" \
        "  </method>\n"

/* Appends the GetSessions reply, a(ttsdtdddsus): runs that started in the last `days` days
 * before now_us (all runs when days is 0), oldest first. Everything is read before anything is
 * appended; on failure (negative errno) the reply must be discarded all the same. */
int gm_store_dbus_append_sessions(struct gm_store *s, uint32_t days, int64_t now_us, DBusMessageIter *reply);

/* Appends the GetRun reply (GM_STORE_DBUS_RUN_SIGNATURE): the run's summary, its advice and
 * its minutes. -ENOENT for an unknown id, before anything is appended. */
int gm_store_dbus_append_run(struct gm_store *s, uint64_t id, DBusMessageIter *reply);

/* Whole method calls: parse the arguments of `call` and build *ret_reply, a method return or
 * an error (org.freedesktop.DBus.Error.InvalidArgs, GM_STORE_DBUS_ERROR_NO_SUCH_RUN,
 * GM_STORE_DBUS_ERROR_HISTORY). Returns 0 when *ret_reply is set (also for an error reply),
 * -ENOMEM otherwise. */
int gm_store_dbus_get_sessions(struct gm_store *s, DBusMessage *call, int64_t now_us, DBusMessage **ret_reply);
int gm_store_dbus_get_run(struct gm_store *s, DBusMessage *call, DBusMessage **ret_reply);
