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
GETTER(get_vertical_osc, DBUS_TYPE_DOUBLE, m->v.vertical_osc_cm)
GETTER(get_fatigue, DBUS_TYPE_DOUBLE, m->v.fatigue)
GETTER(get_session_start, DBUS_TYPE_UINT64, m->v.session_start_us)
GETTER(get_dropped, DBUS_TYPE_UINT64, m->v.dropped)
#undef GETTER

/* A metric's value on one side, in its unit, as the property <property>Left or <property>Right
 * of the metric table: a getter for each slot 2 metric + side, as a getter has only the object. */
#define SIDE_GETTER(slot)                                                                      \
        static int get_side_##slot(DBusMessageIter *it, void *userdata)                        \
        {                                                                                      \
                const struct gm_monitor *m = userdata;                                         \
                return append_basic(it, DBUS_TYPE_DOUBLE, &m->v.side[(slot) / 2][(slot) % 2]); \
        }
SIDE_GETTER(0)
SIDE_GETTER(1)
SIDE_GETTER(2)
SIDE_GETTER(3)
SIDE_GETTER(4)
SIDE_GETTER(5)
SIDE_GETTER(6)
SIDE_GETTER(7)
SIDE_GETTER(8)
SIDE_GETTER(9)
SIDE_GETTER(10)
SIDE_GETTER(11)
SIDE_GETTER(12)
SIDE_GETTER(13)
SIDE_GETTER(14)
SIDE_GETTER(15)
#undef SIDE_GETTER
static const gm_bus_property_get_fn side_getters[] = {
        get_side_0, get_side_1, get_side_2,  get_side_3,  get_side_4,  get_side_5,  get_side_6,  get_side_7,
        get_side_8, get_side_9, get_side_10, get_side_11, get_side_12, get_side_13, get_side_14, get_side_15,
};
_Static_assert(sizeof side_getters / sizeof side_getters[0] == 2 * GM_METRIC_COUNT,
               "a getter for each side of a metric");

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
                const char *unit = gm_field_unit(f);
                int n = snprintf(buf + len, size - len, " %s (%c%s%s),", f->key, gm_field_dbus_type(f),
                                 unit[0] ? ", " : "", unit);
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
/* The properties before and after those of the metrics' sides. */
static const struct gm_bus_property head_properties[] = {
        PROP("State", "s", get_state),
        PROP("Activity", "s", get_activity),
        PROP("Cadence", "d", get_cadence),
        PROP("StepCount", "t", get_steps),
        PROP("VerticalOscillation", "d", get_vertical_osc),
};
/* clang-format off */
static const struct gm_bus_property tail_properties[] = {
        PROP("Asymmetry", "a{sd}", get_asymmetry),
        PROP("AsymmetryBaseline", "a{sd}", get_asymmetry_baseline),
        PROP("FatigueScore", "d", get_fatigue),
        PROP("SessionStart", "t", get_session_start),
        PROP("Sensors", "a(sss)", get_sensors),
        PROP("SensorReasons", "a{ss}", get_sensor_reasons),
        PROP("DroppedSamples", "t", get_dropped),
};
/* clang-format on */
#undef PROP
#define N_HEAD (sizeof head_properties / sizeof head_properties[0])
#define N_TAIL (sizeof tail_properties / sizeof tail_properties[0])

/* Made from the metric table once: <property>Left and <property>Right for each metric that has one. */
static struct gm_bus_property monitor_properties[N_HEAD + 2 * GM_METRIC_COUNT + N_TAIL + 1];
static char side_names[GM_METRIC_COUNT][2][48];

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

/* "Hip extension, left: deg, the median of the side's recent strides; NaN while unknown or
 * without the left_hip and pelvis sensors." */
static void describe_side(char *buf, size_t size, enum gm_metric m, enum gm_side side)
{
        const struct gm_metric_info *info = gm_metric_info(m);
        unsigned locs = gm_metric_locs(m, side);
        const char *sep = " or without the ";

        snprintf(buf, size, "%s, %s: %s, the median of the side's recent strides; NaN while unknown", info->label,
                 gm_metric_side_words(m, side), info->unit);
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                if (!(locs & 1u << loc))
                        continue;
                strncat(buf, sep, size - strlen(buf) - 1);
                strncat(buf, gm_loc_name(loc), size - strlen(buf) - 1);
                sep = " and ";
        }
        strncat(buf, locs & (locs - 1) ? " sensors." : locs ? " sensor." : ".", size - strlen(buf) - 1);
}

static char side_docs[GM_METRIC_COUNT][2][256], asymmetry_doc[512];
static struct gm_bus_doc monitor_docs[2 * GM_METRIC_COUNT + 8];

/* The properties and what they and the methods hold, from the metric and record tables. */
static void describe_interface(void)
{
        size_t n = 0, d = 0;

        if (monitor_properties[0].name)
                return;
        describe_records();
        for (size_t i = 0; i < N_HEAD; i++)
                monitor_properties[n++] = head_properties[i];
        snprintf(asymmetry_doc, sizeof asymmetry_doc,
                 "Each metric's signed SI, %% (positive: left larger), while both sides are measured; the metrics:");
        for (int m = 0; m < GM_METRIC_COUNT; m++) {
                const struct gm_metric_info *info = gm_metric_info(m);
                size_t len = strlen(asymmetry_doc);
                snprintf(asymmetry_doc + len, sizeof asymmetry_doc - len, " %s,", info->key);
                if (!info->property)
                        continue;
                for (int side = 0; side < 2; side++) {
                        gm_metric_property(m, side, side_names[m][side], sizeof side_names[m][side]);
                        describe_side(side_docs[m][side], sizeof side_docs[m][side], m, side);
                        monitor_properties[n++] = (struct gm_bus_property){
                                .name = side_names[m][side],
                                .signature = "d",
                                .get = side_getters[2 * m + side],
                                .flags = GM_BUS_PROPERTY_EMITS_CHANGE,
                        };
                        monitor_docs[d++] = (struct gm_bus_doc){ side_names[m][side], side_docs[m][side] };
                }
        }
        end_sentence(asymmetry_doc);
        for (size_t i = 0; i < N_TAIL; i++)
                monitor_properties[n++] = tail_properties[i];
        monitor_docs[d++] = (struct gm_bus_doc){
                "VerticalOscillation",
                "How far the pelvis rises and falls in a step, cm: the median of the last strides' "
                "(NaN without a streaming pelvis sensor, or while not moving)."
        };
        monitor_docs[d++] = (struct gm_bus_doc){ "Asymmetry", asymmetry_doc };
        monitor_docs[d++] = (struct gm_bus_doc){
                "AsymmetryBaseline",
                "The runner's baseline SI of each metric, % (empty until learned); keys as Asymmetry."
        };
        monitor_docs[d++] = (struct gm_bus_doc){ "GetSessions", sessions_doc };
        monitor_docs[d++] = (struct gm_bus_doc){ "GetRun", run_doc };
        monitor_docs[d++] = (struct gm_bus_doc){ "GetStrides", strides_doc };
        monitor_docs[d++] = (struct gm_bus_doc){
                "DeleteRun",
                "Deletes a run with its minutes, strides and advice; the space they took is "
                "overwritten. Refused for the run in progress (RunInProgress): end it first."
        };
}

int gm_monitor_write_xml(FILE *f)
{
        describe_interface();
        return gm_bus_interface_write_xml_doc(&monitor_interface, monitor_docs, f);
}

static void compute(const struct gm_view *view, struct gm_monitor_values *v)
{
        const struct gm_analysis *a = view->analysis;
        const struct gm_metrics *metrics = gm_analysis_metrics(a);
        memset(v, 0, sizeof(*v));
        v->activity = gm_activity_name(metrics->activity);
        v->state = gm_acquisition_degraded(view->acq) ? "degraded" : v->activity;
        v->cadence = gm_analysis_cadence(a);
        v->vertical_osc_cm = gm_analysis_vertical_osc(a);
        v->steps = metrics->steps;
        for (int i = 0; i < GM_METRIC_COUNT; i++)
                for (int side = 0; side < 2; side++)
                        v->side[i][side] = gm_analysis_metric(a, i, side) * gm_metric_info(i)->scale;
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
                /* clang-format off */
                F("Cadence", cadence),
                F("StepCount", steps),
                F("VerticalOscillation", vertical_osc_cm),
                F("Asymmetry", si),
                F("AsymmetryBaseline", si_baseline),
                F("FatigueScore", fatigue),
                F("SessionStart", session_start_us),
                F("DroppedSamples", dropped),
        /* clang-format on */
#undef F
        };
        for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
                if (memcmp((char *)&old + fields[i].offset, (char *)&m->v + fields[i].offset, fields[i].size))
                        gm_bus_object_changed(m->object, fields[i].name);
        for (int i = 0; i < GM_METRIC_COUNT; i++)
                for (int side = 0; side < 2; side++)
                        if (side_names[i][side][0] && memcmp(&old.side[i][side], &m->v.side[i][side], sizeof(double)))
                                gm_bus_object_changed(m->object, side_names[i][side]);
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

int gm_monitor_start(struct gm_monitor *m, sd_event *event, const struct gm_view *view, struct gm_analysis *analysis,
                     struct gm_runs *runs)
{
        *m = (struct gm_monitor){ .view = view, .analysis = analysis, .runs = runs };
        describe_interface();
        compute(view, &m->v);
        int r = gm_bus_new(event, &m->bus);
        if (r < 0)
                return r;
        gm_bus_set_log(m->bus, gm_log_bus, NULL);
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
