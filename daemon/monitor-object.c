/* The org.gaitmon.Monitor1 object: properties, signals and methods on the system bus. */
#include "monitor-object.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "acquisition.h"
#include "analysis.h"
#include "bus-connection.h"
#include "bus-introspect.h"
#include "bus-object.h"
#include "log.h"
#include "now.h"
#include "runs.h"
#include "store-dbus.h"

static int append_basic(DBusMessageIter *it, int type, const void *v)
{
        return dbus_message_iter_append_basic(it, type, v) ? 0 : -ENOMEM;
}

#define GETTER(fn, type, expr)                             \
        static int fn(DBusMessageIter *it, void *userdata) \
        {                                                  \
                const struct gm_monitor *m = userdata;     \
                return append_basic(it, type, &(expr));    \
        }

GETTER(get_state, DBUS_TYPE_STRING, m->v.state)
GETTER(get_activity, DBUS_TYPE_STRING, m->v.activity)
GETTER(get_cadence, DBUS_TYPE_DOUBLE, m->v.cadence)
GETTER(get_steps, DBUS_TYPE_UINT64, m->v.steps)
GETTER(get_stance_left, DBUS_TYPE_DOUBLE, m->v.stance_ms[GM_SIDE_LEFT])
GETTER(get_stance_right, DBUS_TYPE_DOUBLE, m->v.stance_ms[GM_SIDE_RIGHT])
GETTER(get_swing_left, DBUS_TYPE_DOUBLE, m->v.swing_ms[GM_SIDE_LEFT])
GETTER(get_swing_right, DBUS_TYPE_DOUBLE, m->v.swing_ms[GM_SIDE_RIGHT])
GETTER(get_hip_left, DBUS_TYPE_DOUBLE, m->v.hip_ext_deg[GM_SIDE_LEFT])
GETTER(get_hip_right, DBUS_TYPE_DOUBLE, m->v.hip_ext_deg[GM_SIDE_RIGHT])
GETTER(get_thigh_left, DBUS_TYPE_DOUBLE, m->v.thigh_ext_deg[GM_SIDE_LEFT])
GETTER(get_thigh_right, DBUS_TYPE_DOUBLE, m->v.thigh_ext_deg[GM_SIDE_RIGHT])
GETTER(get_drop_left, DBUS_TYPE_DOUBLE, m->v.pelvic_drop_deg[GM_SIDE_LEFT])
GETTER(get_drop_right, DBUS_TYPE_DOUBLE, m->v.pelvic_drop_deg[GM_SIDE_RIGHT])
GETTER(get_fatigue, DBUS_TYPE_DOUBLE, m->v.fatigue)
GETTER(get_session_start, DBUS_TYPE_UINT64, m->v.session_start_us)
GETTER(get_dropped, DBUS_TYPE_UINT64, m->v.dropped)
#undef GETTER

/* metric → value for every metric whose value is known. */
static int append_metric_dict(DBusMessageIter *it, const double value[GM_METRIC_COUNT])
{
        DBusMessageIter dict;
        if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sd}", &dict))
                return -ENOMEM;
        for (int i = 0; i < GM_METRIC_COUNT; i++) {
                if (!isfinite(value[i]))
                        continue;
                DBusMessageIter entry;
                const char *name = gm_metric_name(i);
                if (!dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) ||
                    !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &name) ||
                    !dbus_message_iter_append_basic(&entry, DBUS_TYPE_DOUBLE, &value[i]) ||
                    !dbus_message_iter_close_container(&dict, &entry)) {
                        dbus_message_iter_abandon_container(it, &dict);
                        return -ENOMEM;
                }
        }
        return dbus_message_iter_close_container(it, &dict) ? 0 : -ENOMEM;
}

static int get_asymmetry(DBusMessageIter *it, void *userdata)
{
        const struct gm_monitor *m = userdata;
        return append_metric_dict(it, m->v.si);
}

static int get_asymmetry_baseline(DBusMessageIter *it, void *userdata)
{
        const struct gm_monitor *m = userdata;
        return append_metric_dict(it, m->v.si_baseline);
}

static int get_sensors(DBusMessageIter *it, void *userdata)
{
        const struct gm_monitor *m = userdata;
        DBusMessageIter array;
        if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "(sss)", &array))
                return -ENOMEM;
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                if (!gm_acquisition_configured(m->view->acq, loc))
                        continue;
                DBusMessageIter entry;
                const char *name = gm_loc_name(loc);
                const char *device = m->v.device[loc];
                const char *status = gm_sensor_status_name(m->v.status[loc]);
                if (!dbus_message_iter_open_container(&array, DBUS_TYPE_STRUCT, NULL, &entry) ||
                    !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &name) ||
                    !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &device) ||
                    !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &status) ||
                    !dbus_message_iter_close_container(&array, &entry)) {
                        dbus_message_iter_abandon_container(it, &array);
                        return -ENOMEM;
                }
        }
        return dbus_message_iter_close_container(it, &array) ? 0 : -ENOMEM;
}

/* location → why that sensor is not streaming, for each one waiting or faulty. */
static int get_sensor_reasons(DBusMessageIter *it, void *userdata)
{
        const struct gm_monitor *m = userdata;
        DBusMessageIter dict;
        if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{ss}", &dict))
                return -ENOMEM;
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                if (!gm_acquisition_configured(m->view->acq, loc) || m->v.status[loc] == GM_SENSOR_STREAMING ||
                    !m->v.reason[loc][0])
                        continue;
                DBusMessageIter entry;
                const char *name = gm_loc_name(loc);
                const char *reason = m->v.reason[loc];
                if (!dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) ||
                    !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &name) ||
                    !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &reason) ||
                    !dbus_message_iter_close_container(&dict, &entry)) {
                        dbus_message_iter_abandon_container(it, &dict);
                        return -ENOMEM;
                }
        }
        return dbus_message_iter_close_container(it, &dict) ? 0 : -ENOMEM;
}

static int method_reset_baseline(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        struct gm_monitor *m = userdata;
        gm_analysis_reset_baseline(m->analysis);
        log_info("asymmetry baseline reset on request; learning it again");
        return 0;
}

static int method_end_session(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        struct gm_monitor *m = userdata;
        int r = gm_runs_end(m->runs, gm_analysis_metrics(m->view->analysis)->t);
        if (r == 0)
                return gm_bus_error_set(error, "org.gaitmon.Monitor1.Error.NoSession", "No run is in progress.");
        return r < 0 ? r : 0;
}

static int history_unavailable(struct gm_bus_error *error)
{
        return gm_bus_error_set(error, GM_STORE_DBUS_ERROR_HISTORY,
                                "The run history is not available (see the daemon's log).");
}

static int method_get_sessions(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        struct gm_monitor *m = userdata;
        uint32_t days = 0;
        if (!gm_runs_store(m->runs))
                return history_unavailable(error);
        if (!dbus_message_get_args(call, NULL, DBUS_TYPE_UINT32, &days, DBUS_TYPE_INVALID))
                return -EINVAL;
        int r = gm_store_dbus_append_sessions(gm_runs_store(m->runs), days, gm_wall_us(), reply);
        return r < 0 ? gm_bus_error_set_errno(error, r) : 0;
}

static int no_such_run(struct gm_bus_error *error, uint64_t id)
{
        return gm_bus_error_set(error, GM_STORE_DBUS_ERROR_NO_SUCH_RUN, "No run with id %llu.", (unsigned long long)id);
}

static int method_get_run(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        struct gm_monitor *m = userdata;
        uint64_t id = 0;
        if (!gm_runs_store(m->runs))
                return history_unavailable(error);
        if (!dbus_message_get_args(call, NULL, DBUS_TYPE_UINT64, &id, DBUS_TYPE_INVALID))
                return -EINVAL;
        int r = gm_store_dbus_append_run(gm_runs_store(m->runs), id, reply);
        if (r == -ENOENT)
                return no_such_run(error, id);
        return r < 0 ? gm_bus_error_set_errno(error, r) : 0;
}

static int method_get_strides(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        struct gm_monitor *m = userdata;
        uint64_t id = 0;
        double from_s = 0, to_s = 0;
        if (!gm_runs_store(m->runs))
                return history_unavailable(error);
        if (!dbus_message_get_args(call, NULL, DBUS_TYPE_UINT64, &id, DBUS_TYPE_DOUBLE, &from_s, DBUS_TYPE_DOUBLE,
                                   &to_s, DBUS_TYPE_INVALID))
                return -EINVAL;
        if (isnan(from_s) || isnan(to_s) || to_s < from_s)
                return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS,
                                        "from_s and to_s must be numbers with from_s <= to_s (inf for no end).");
        int r = gm_store_dbus_append_strides(gm_runs_store(m->runs), id, from_s, to_s, reply);
        if (r == -ENOENT)
                return no_such_run(error, id);
        return r < 0 ? gm_bus_error_set_errno(error, r) : 0;
}

static int method_delete_run(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        struct gm_monitor *m = userdata;
        uint64_t id = 0;
        if (!gm_runs_store(m->runs))
                return history_unavailable(error);
        if (!dbus_message_get_args(call, NULL, DBUS_TYPE_UINT64, &id, DBUS_TYPE_INVALID))
                return -EINVAL;
        int r = gm_store_run_delete(gm_runs_store(m->runs), id);
        if (r == -ENOENT)
                return no_such_run(error, id);
        if (r == -EBUSY)
                return gm_bus_error_set(error, GM_STORE_DBUS_ERROR_RUN_IN_PROGRESS,
                                        "Run %llu is in progress; end it first (EndSession).", (unsigned long long)id);
        if (r < 0)
                return gm_bus_error_set_errno(error, r);
        log_info("run %llu deleted from the history at a client's request", (unsigned long long)id);
        return 0;
}

/* What the records' dictionaries hold, for the interface XML: generated from the tables. */
static char sessions_doc[2048], run_doc[4096], strides_doc[1024];

static void describe_fields(char *buf, size_t size, const struct gm_record_desc *d)
{
        size_t len = strlen(buf);
        for (size_t i = 0; i < d->n_fields && len < size; i++) {
                const struct gm_field *f = &d->fields[i];
                int n = snprintf(buf + len, size - len, " %s (%c%s%s),", f->key, gm_field_dbus_type(f),
                                 f->unit[0] ? ", " : "", f->unit);
                if (n < 0)
                        break;
                len += (size_t)n;
        }
}

static void end_sentence(char *buf)
{
        size_t len = strlen(buf);
        if (len > 0 && buf[len - 1] == ',')
                buf[len - 1] = '.';
}

static void describe_records(void)
{
        if (run_doc[0])
                return;
        snprintf(sessions_doc, sizeof sessions_doc,
                 "The runs that started in the last days days (0: all), oldest first, each a dictionary of "
                 "(unknown values are NaN; clients ignore keys they do not know):");
        describe_fields(sessions_doc, sizeof sessions_doc, &gm_run_record);
        strncat(sessions_doc, " state (s: active, ended or interrupted),",
                sizeof sessions_doc - strlen(sessions_doc) - 1);
        describe_fields(sessions_doc, sizeof sessions_doc, &gm_advice_record);
        snprintf(run_doc, sizeof run_doc,
                 "One run as a dictionary: the keys of GetSessions, actions (as: the advice), and minutes "
                 "(aa{sv}), each minute with:");
        describe_fields(run_doc, sizeof run_doc, &gm_minute_record);
        snprintf(strides_doc, sizeof strides_doc,
                 "The strides of a run whose initial contact t_s (seconds into the run) is in [from_s, to_s), "
                 "in time order (to_s inf for all), each with:");
        describe_fields(strides_doc, sizeof strides_doc, &gm_stride_record);
        end_sentence(sessions_doc);
        end_sentence(run_doc);
        end_sentence(strides_doc);
}

#define PROP(n, sig, fn)                                                                      \
        {                                                                                     \
                .name = n, .signature = sig, .get = fn, .flags = GM_BUS_PROPERTY_EMITS_CHANGE \
        }
static const struct gm_bus_property monitor_properties[] = {
        PROP("State", "s", get_state),
        PROP("Activity", "s", get_activity),
        PROP("Cadence", "d", get_cadence),
        PROP("StepCount", "t", get_steps),
        PROP("StanceTimeLeft", "d", get_stance_left),
        PROP("StanceTimeRight", "d", get_stance_right),
        PROP("SwingTimeLeft", "d", get_swing_left),
        PROP("SwingTimeRight", "d", get_swing_right),
        PROP("HipExtensionLeft", "d", get_hip_left),
        PROP("HipExtensionRight", "d", get_hip_right),
        PROP("ThighExtensionLeft", "d", get_thigh_left),
        PROP("ThighExtensionRight", "d", get_thigh_right),
        PROP("PelvicDropLeft", "d", get_drop_left),
        PROP("PelvicDropRight", "d", get_drop_right),
        PROP("Asymmetry", "a{sd}", get_asymmetry),
        PROP("AsymmetryBaseline", "a{sd}", get_asymmetry_baseline),
        PROP("FatigueScore", "d", get_fatigue),
        PROP("SessionStart", "t", get_session_start),
        PROP("Sensors", "a(sss)", get_sensors),
        PROP("SensorReasons", "a{ss}", get_sensor_reasons),
        PROP("DroppedSamples", "t", get_dropped),
        {},
};
#undef PROP

static const struct gm_bus_method monitor_methods[] = {
        { "ResetBaseline", "", "", "", "", method_reset_baseline },
        { "EndSession", "", "", "", "", method_end_session },
        { "GetSessions", "u", "days", GM_STORE_DBUS_SESSIONS_SIGNATURE, "sessions", method_get_sessions },
        { "GetRun", "t", "id", GM_STORE_DBUS_RUN_SIGNATURE, "run", method_get_run },
        { "GetStrides", "tdd", "id from_s to_s", GM_STORE_DBUS_STRIDES_SIGNATURE, "strides", method_get_strides },
        { "DeleteRun", "t", "id", "", "", method_delete_run },
        {},
};

static const struct gm_bus_signal monitor_signals[] = {
        { "AsymmetrySpike", "sdd", "metric value baseline" },
        { "FatigueAlert", "uas", "level reasons" },
        { "RecoveryAdvice", "sasu", "summary actions rest_days" },
        { "SensorFault", "ss", "location reason" },
        { "SensorRecovered", "s", "location" },
        {},
};

static const struct gm_bus_interface monitor_interface = {
        .name = "org.gaitmon.Monitor1",
        .properties = monitor_properties,
        .methods = monitor_methods,
        .signals = monitor_signals,
};

int gm_monitor_write_xml(FILE *f)
{
        const struct gm_bus_doc docs[] = {
                { "GetSessions", sessions_doc },
                { "GetRun", run_doc },
                { "GetStrides", strides_doc },
                { "DeleteRun",
                  "Deletes a run with its minutes, strides and advice; the space they took is "
                  "overwritten. Refused for the run in progress (RunInProgress): end it first." },
                {},
        };
        describe_records();
        return gm_bus_interface_write_xml_doc(&monitor_interface, docs, f);
}

static void compute(const struct gm_view *view, struct gm_monitor_values *v)
{
        const struct gm_analysis *a = view->analysis;
        const struct gm_metrics *metrics = gm_analysis_metrics(a);
        memset(v, 0, sizeof(*v));
        v->activity = gm_activity_name(metrics->activity);
        v->state = gm_acquisition_degraded(view->acq) ? "degraded" : v->activity;
        v->cadence = gm_analysis_cadence(a);
        v->steps = metrics->steps;
        for (int side = 0; side < 2; side++) {
                v->stance_ms[side] = gm_analysis_metric(a, GM_METRIC_STANCE, side) * 1000;
                v->swing_ms[side] = gm_analysis_metric(a, GM_METRIC_SWING, side) * 1000;
                v->hip_ext_deg[side] = gm_analysis_metric(a, GM_METRIC_HIP_EXT, side);
                v->thigh_ext_deg[side] = gm_analysis_metric(a, GM_METRIC_THIGH_EXT, side);
                v->pelvic_drop_deg[side] = gm_analysis_metric(a, GM_METRIC_PELVIC_DROP, side);
        }
        for (int i = 0; i < GM_METRIC_COUNT; i++) {
                v->si[i] = gm_analysis_si(a, i);
                v->si_baseline[i] = gm_analysis_si_baseline(a, i);
        }
        v->fatigue = gm_runs_fatigue(view->runs);
        v->session_start_us = gm_runs_start_us(view->runs);
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                const struct gm_sensor_info *info = gm_acquisition_info(view->acq, loc);
                v->status[loc] = gm_acquisition_status(view->acq, loc);
                memcpy(v->device[loc], info->device, sizeof(v->device[loc]));
                memcpy(v->reason[loc], info->reason, sizeof(v->reason[loc]));
        }
        v->dropped = gm_analysis_dropped(a);
}

#define DIFFERS(field) (memcmp(&old.field, &m->v.field, sizeof(old.field)) != 0)

/* Recomputes the values and announces the properties whose value changed. */
static void refresh(struct gm_monitor *m)
{
        struct gm_monitor_values old = m->v;
        compute(m->view, &m->v);
        if (!m->object)
                return;
        static const struct {
                const char *name;
                size_t offset, size;
        } fields[] = {
#define F(n, f) { n, offsetof(struct gm_monitor_values, f), sizeof(((struct gm_monitor_values *)0)->f) }
                F("Cadence", cadence),
                F("StepCount", steps),
                F("StanceTimeLeft", stance_ms[0]),
                F("StanceTimeRight", stance_ms[1]),
                F("SwingTimeLeft", swing_ms[0]),
                F("SwingTimeRight", swing_ms[1]),
                F("HipExtensionLeft", hip_ext_deg[0]),
                F("HipExtensionRight", hip_ext_deg[1]),
                F("ThighExtensionLeft", thigh_ext_deg[0]),
                F("ThighExtensionRight", thigh_ext_deg[1]),
                F("PelvicDropLeft", pelvic_drop_deg[0]),
                F("PelvicDropRight", pelvic_drop_deg[1]),
                F("Asymmetry", si),
                F("AsymmetryBaseline", si_baseline),
                F("FatigueScore", fatigue),
                F("SessionStart", session_start_us),
                F("DroppedSamples", dropped),
#undef F
        };
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
                if (memcmp((char *)&old + fields[i].offset, (char *)&m->v + fields[i].offset, fields[i].size))
                        gm_bus_object_changed(m->object, fields[i].name);
        if (strcmp(old.state ? old.state : "", m->v.state))
                gm_bus_object_changed(m->object, "State");
        if (strcmp(old.activity ? old.activity : "", m->v.activity))
                gm_bus_object_changed(m->object, "Activity");
        if (DIFFERS(status) || DIFFERS(device))
                gm_bus_object_changed(m->object, "Sensors");
        if (DIFFERS(status) || DIFFERS(reason))
                gm_bus_object_changed(m->object, "SensorReasons");
}
#undef DIFFERS

static void sink_tick(void *userdata, const struct gm_view *v)
{
        refresh(userdata);
}

static void emit_logged(int r, const char *signal)
{
        if (r < 0)
                log_warning("cannot emit %s: %s", signal, strerror(-r));
}

static void sink_spike(void *userdata, const struct gm_view *v, const struct gm_spike *sp)
{
        struct gm_monitor *m = userdata;
        const char *metric = gm_metric_name(sp->metric);
        double value = sp->si, baseline = sp->baseline;
        emit_logged(gm_bus_object_emit(m->object, "AsymmetrySpike", DBUS_TYPE_STRING, &metric, DBUS_TYPE_DOUBLE, &value,
                                       DBUS_TYPE_DOUBLE, &baseline, DBUS_TYPE_INVALID),
                    "AsymmetrySpike");
}

static void sink_sensor_changed(void *userdata, const struct gm_view *v, enum gm_loc loc,
                                const struct gm_sensor_change *ch)
{
        struct gm_monitor *m = userdata;
        const char *location = gm_loc_name(loc);
        const char *reason = ch->reason;
        if (ch->new_status == ch->old_status)
                return; /* only its reason changed: the next tick says it */
        if (ch->new_status == GM_SENSOR_STREAMING && ch->old_status == GM_SENSOR_FAULTY)
                emit_logged(gm_bus_object_emit(m->object, "SensorRecovered", DBUS_TYPE_STRING, &location,
                                               DBUS_TYPE_INVALID),
                            "SensorRecovered");
        else if (ch->new_status == GM_SENSOR_FAULTY)
                emit_logged(gm_bus_object_emit(m->object, "SensorFault", DBUS_TYPE_STRING, &location, DBUS_TYPE_STRING,
                                               &reason, DBUS_TYPE_INVALID),
                            "SensorFault");
        refresh(m);
}

static int append_fatigue(DBusMessageIter *it, void *userdata)
{
        const struct gm_fatigue_alert *a = userdata;
        const char *reasons[GM_FATIGUE_REASONS_MAX];
        for (unsigned i = 0; i < a->n_reasons && i < GM_FATIGUE_REASONS_MAX; i++)
                reasons[i] = a->reasons[i];
        const char **p = reasons;
        DBusMessageIter array;
        if (!dbus_message_iter_append_basic(it, DBUS_TYPE_UINT32, &a->level) ||
            !dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "s", &array))
                return -ENOMEM;
        for (unsigned i = 0; i < a->n_reasons && i < GM_FATIGUE_REASONS_MAX; i++)
                if (!dbus_message_iter_append_basic(&array, DBUS_TYPE_STRING, &p[i])) {
                        dbus_message_iter_abandon_container(it, &array);
                        return -ENOMEM;
                }
        return dbus_message_iter_close_container(it, &array) ? 0 : -ENOMEM;
}

static void sink_fatigue_alert(void *userdata, const struct gm_view *v, const struct gm_fatigue_alert *a)
{
        struct gm_monitor *m = userdata;
        emit_logged(gm_bus_object_emit_with(m->object, "FatigueAlert", append_fatigue, (void *)a), "FatigueAlert");
}

static int append_advice(DBusMessageIter *it, void *userdata)
{
        const struct gm_advice *a = userdata;
        const char *summary = a->summary;
        DBusMessageIter array;
        if (!dbus_message_iter_append_basic(it, DBUS_TYPE_STRING, &summary) ||
            !dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "s", &array))
                return -ENOMEM;
        for (unsigned i = 0; i < a->n_actions && i < GM_ADVICE_ACTIONS_MAX; i++) {
                const char *action = a->actions[i];
                if (!dbus_message_iter_append_basic(&array, DBUS_TYPE_STRING, &action)) {
                        dbus_message_iter_abandon_container(it, &array);
                        return -ENOMEM;
                }
        }
        if (!dbus_message_iter_close_container(it, &array) ||
            !dbus_message_iter_append_basic(it, DBUS_TYPE_UINT32, &a->rest_days))
                return -ENOMEM;
        return 0;
}

static void sink_run_end(void *userdata, const struct gm_view *v, const struct gm_run_summary *run,
                         const struct gm_advice *advice)
{
        struct gm_monitor *m = userdata;
        emit_logged(gm_bus_object_emit_with(m->object, "RecoveryAdvice", append_advice, (void *)advice),
                    "RecoveryAdvice");
        refresh(m);
}

static void sink_run_start(void *userdata, const struct gm_view *v)
{
        struct gm_monitor *m = userdata;
        refresh(m);
}

const struct gm_sink gm_monitor_sink = {
        .name = "dbus",
        .spike = sink_spike,
        .sensor_changed = sink_sensor_changed,
        .fatigue_alert = sink_fatigue_alert,
        .run_start = sink_run_start,
        .run_end = sink_run_end,
        .tick = sink_tick,
};

static void bus_log(int priority, const char *message, void *userdata)
{
        gm_log_full(priority, NULL, "%s", message);
}

int gm_monitor_start(struct gm_monitor *m, sd_event *event, const struct gm_view *view, struct gm_analysis *analysis,
                     struct gm_runs *runs)
{
        *m = (struct gm_monitor){ .view = view, .analysis = analysis, .runs = runs };
        compute(view, &m->v);
        int r = gm_bus_new(event, &m->bus);
        if (r < 0)
                return r;
        gm_bus_set_log(m->bus, bus_log, m);
        r = gm_bus_object_new(m->bus, GM_MONITOR_PATH, &monitor_interface, m, &m->object);
        if (r < 0) {
                log_error("cannot set up the D-Bus object: %s", strerror(-r));
                return r;
        }
        struct gm_bus_error error = GM_BUS_ERROR_NULL;
        r = gm_bus_start(m->bus, GM_MONITOR_BUS_NAME, &error);
        if (r < 0)
                log_error("%s", error.message ? error.message : strerror(-r));
        gm_bus_error_free(&error);
        return r;
}

void gm_monitor_stop(struct gm_monitor *m)
{
        gm_bus_object_free(m->object);
        m->object = NULL;
        gm_bus_free(m->bus);
        m->bus = NULL;
}
