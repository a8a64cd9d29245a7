/* A service for the bus tests: org.gaitmon.Test1 at /org/gaitmon/Test1 (and a
 * child object below it), owning org.gaitmon.Monitor1 on the system bus. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-connection.h"
#include "bus-introspect.h"
#include "bus-object.h"

#define SERVICE_NAME "org.gaitmon.Monitor1"
#define CHURN_TICK_USEC (5 * 1000ULL)

struct server {
        sd_event *event;
        struct gm_bus *bus;
        struct gm_bus_object *object;
        struct gm_bus_object *child;
        sd_event_source *churn_source;
        uint64_t churn_until_usec;
        double cadence;
        uint64_t step_count;
        char *label;
};

static int append_basic(DBusMessageIter *it, int type, const void *value)
{
        return dbus_message_iter_append_basic(it, type, value) ? 0 : -ENOMEM;
}

static int get_name(DBusMessageIter *it, void *userdata)
{
        const char *name = "test-object";
        return append_basic(it, DBUS_TYPE_STRING, &name);
}

static int get_cadence(DBusMessageIter *it, void *userdata)
{
        struct server *s = userdata;
        return append_basic(it, DBUS_TYPE_DOUBLE, &s->cadence);
}

static int get_step_count(DBusMessageIter *it, void *userdata)
{
        struct server *s = userdata;
        return append_basic(it, DBUS_TYPE_UINT64, &s->step_count);
}

static int get_asymmetry(DBusMessageIter *it, void *userdata)
{
        static const char *const metrics[] = { "stance", "hip_extension" };
        static const double values[] = { 4.5, -12.25 };
        DBusMessageIter dict, entry;

        if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sd}", &dict))
                return -ENOMEM;
        for (size_t i = 0; i < 2; i++)
                if (!dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) ||
                    append_basic(&entry, DBUS_TYPE_STRING, &metrics[i]) < 0 ||
                    append_basic(&entry, DBUS_TYPE_DOUBLE, &values[i]) < 0 ||
                    !dbus_message_iter_close_container(&dict, &entry))
                        return -ENOMEM;
        return dbus_message_iter_close_container(it, &dict) ? 0 : -ENOMEM;
}

static int get_baseline(DBusMessageIter *it, void *userdata)
{
        struct server *s = userdata;
        const char *metric = "stance";
        DBusMessageIter dict, entry;

        if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "{sd}", &dict) ||
            !dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) ||
            append_basic(&entry, DBUS_TYPE_STRING, &metric) < 0 ||
            append_basic(&entry, DBUS_TYPE_DOUBLE, &s->cadence) < 0 ||
            !dbus_message_iter_close_container(&dict, &entry))
                return -ENOMEM;
        return dbus_message_iter_close_container(it, &dict) ? 0 : -ENOMEM;
}

static int get_sensors(DBusMessageIter *it, void *userdata)
{
        static const char *const rows[][3] = {
                { "pelvis", "iio:device0", "streaming" },
                { "left_shank", "iio:device1", "faulty" },
        };
        DBusMessageIter array, row;

        if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "(sss)", &array))
                return -ENOMEM;
        for (size_t i = 0; i < 2; i++) {
                if (!dbus_message_iter_open_container(&array, DBUS_TYPE_STRUCT, NULL, &row))
                        return -ENOMEM;
                for (size_t j = 0; j < 3; j++)
                        if (append_basic(&row, DBUS_TYPE_STRING, &rows[i][j]) < 0)
                                return -ENOMEM;
                if (!dbus_message_iter_close_container(&array, &row))
                        return -ENOMEM;
        }
        return dbus_message_iter_close_container(it, &array) ? 0 : -ENOMEM;
}

static int get_label(DBusMessageIter *it, void *userdata)
{
        struct server *s = userdata;
        return append_basic(it, DBUS_TYPE_STRING, &s->label);
}

static int set_label(DBusMessageIter *value, void *userdata, struct gm_bus_error *error)
{
        struct server *s = userdata;
        const char *label;
        char *copy;

        dbus_message_iter_get_basic(value, &label);
        if (strlen(label) > 64)
                return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "A label has at most 64 bytes");
        copy = strdup(label);
        if (!copy)
                return -ENOMEM;
        free(s->label);
        s->label = copy;
        return 0;
}

/* Describe(s metric, d value) → (s text, u length): length is strlen(metric). */
static int method_describe(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        const char *metric;
        double value;
        char *text = NULL;
        uint32_t length;
        int r;

        if (!dbus_message_get_args(call, NULL, DBUS_TYPE_STRING, &metric, DBUS_TYPE_DOUBLE, &value, DBUS_TYPE_INVALID))
                return -EINVAL;
        length = (uint32_t)strlen(metric);
        if (asprintf(&text, "%.16s=%g", metric, value) < 0)
                return -ENOMEM;
        r = append_basic(reply, DBUS_TYPE_STRING, &text);
        if (r >= 0)
                r = append_basic(reply, DBUS_TYPE_UINT32, &length);
        free(text);
        return r;
}

/* Fail(s kind): "named" → a named error, "errno" → -EACCES, else success. */
static int method_fail(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        const char *kind;

        if (!dbus_message_get_args(call, NULL, DBUS_TYPE_STRING, &kind, DBUS_TYPE_INVALID))
                return -EINVAL;
        if (strcmp(kind, "named") == 0)
                return gm_bus_error_set(error, "org.gaitmon.Test1.Error.Refused", "Refused on request");
        if (strcmp(kind, "errno") == 0)
                return -EACCES;
        return 0;
}

/* Declared to return s, appends u: the layer must refuse to send that. */
static int method_bad_reply(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        uint32_t wrong = 7;
        return append_basic(reply, DBUS_TYPE_UINT32, &wrong);
}

static int on_churn_tick(sd_event_source *source, uint64_t usec, void *userdata)
{
        struct server *s = userdata;

        s->cadence += 0.5;
        s->step_count++;
        (void)gm_bus_object_changed(s->object, "Cadence");
        (void)gm_bus_object_changed(s->object, "StepCount");
        (void)gm_bus_object_changed(s->object, "Baseline");
        if (usec < s->churn_until_usec) {
                (void)sd_event_source_set_time(source, usec + CHURN_TICK_USEC);
                (void)sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
        }
        return 0;
}

/* Churn(u milliseconds): change Cadence and StepCount every 5 ms for that long. */
static int method_churn(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        struct server *s = userdata;
        uint32_t ms;
        uint64_t now;
        int r;

        if (!dbus_message_get_args(call, NULL, DBUS_TYPE_UINT32, &ms, DBUS_TYPE_INVALID))
                return -EINVAL;
        r = sd_event_now(s->event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        s->churn_until_usec = now + ms * 1000ULL;
        if (!s->churn_source)
                return sd_event_add_time(s->event, &s->churn_source, CLOCK_MONOTONIC, now, 1000, on_churn_tick, s);
        r = sd_event_source_set_time(s->churn_source, now);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(s->churn_source, SD_EVENT_ONESHOT);
}

static int append_fatigue(DBusMessageIter *it, void *userdata)
{
        static const char *const reasons[] = { "cadence", "stance" };
        uint32_t level = 2;
        DBusMessageIter array;

        if (append_basic(it, DBUS_TYPE_UINT32, &level) < 0 ||
            !dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "s", &array))
                return -ENOMEM;
        for (size_t i = 0; i < 2; i++)
                if (append_basic(&array, DBUS_TYPE_STRING, &reasons[i]) < 0)
                        return -ENOMEM;
        return dbus_message_iter_close_container(it, &array) ? 0 : -ENOMEM;
}

/* Spike(s metric, d value): AsymmetrySpike(metric, value, 2.5), then FatigueAlert(2, [cadence, stance]);
 * also checks that a signal with the wrong arguments is refused. */
static int method_spike(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        struct server *s = userdata;
        const char *metric;
        double value, baseline = 2.5;
        int r;

        if (!dbus_message_get_args(call, NULL, DBUS_TYPE_STRING, &metric, DBUS_TYPE_DOUBLE, &value, DBUS_TYPE_INVALID))
                return -EINVAL;
        if (gm_bus_object_emit(s->object, "AsymmetrySpike", DBUS_TYPE_STRING, &metric, DBUS_TYPE_INVALID) != -EINVAL)
                return gm_bus_error_set(error, DBUS_ERROR_FAILED, "A signal with wrong arguments was sent");
        r = gm_bus_object_emit(s->object, "AsymmetrySpike", DBUS_TYPE_STRING, &metric, DBUS_TYPE_DOUBLE, &value,
                               DBUS_TYPE_DOUBLE, &baseline, DBUS_TYPE_INVALID);
        if (r < 0)
                return r;
        return gm_bus_object_emit_with(s->object, "FatigueAlert", append_fatigue, NULL);
}

static void on_relay_reply(DBusPendingCall *pending, void *userdata)
{
        struct server *s = userdata;
        DBusMessage *reply = dbus_pending_call_steal_reply(pending);
        const char *result = "ok";

        if (reply && dbus_message_get_type(reply) == DBUS_MESSAGE_TYPE_ERROR)
                result = dbus_message_get_error_name(reply);
        (void)gm_bus_object_emit(s->object, "RelayDone", DBUS_TYPE_STRING, &result, DBUS_TYPE_INVALID);
        if (reply)
                dbus_message_unref(reply);
}

/* Relay(s destination, u timeout_ms): Ping destination; RelayDone(s) tells how it
 * went, e.g. NoReply when the reply timeout (an sd-event timer) expired. */
static int method_relay(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        struct server *s = userdata;
        DBusConnection *conn = gm_bus_get_connection(s->bus);
        DBusPendingCall *pending = NULL;
        DBusMessage *ping;
        const char *destination;
        uint32_t timeout_ms;
        int r = 0;

        if (!dbus_message_get_args(call, NULL, DBUS_TYPE_STRING, &destination, DBUS_TYPE_UINT32, &timeout_ms,
                                   DBUS_TYPE_INVALID) ||
            !dbus_validate_bus_name(destination, NULL))
                return -EINVAL;
        ping = dbus_message_new_method_call(destination, "/", DBUS_INTERFACE_PEER, "Ping");
        if (!ping)
                return -ENOMEM;
        if (!conn || !dbus_connection_send_with_reply(conn, ping, &pending, (int)timeout_ms) || !pending ||
            !dbus_pending_call_set_notify(pending, on_relay_reply, s, NULL))
                r = -ENOMEM;
        if (pending)
                dbus_pending_call_unref(pending);
        dbus_message_unref(ping);
        return r;
}

static const struct gm_bus_property test_properties[] = {
        { "Name", "s", get_name, NULL, GM_BUS_PROPERTY_CONST },
        { "Cadence", "d", get_cadence, NULL, GM_BUS_PROPERTY_EMITS_CHANGE },
        { "StepCount", "t", get_step_count, NULL, GM_BUS_PROPERTY_EMITS_CHANGE },
        { "Asymmetry", "a{sd}", get_asymmetry, NULL, GM_BUS_PROPERTY_EMITS_CHANGE },
        { "Baseline", "a{sd}", get_baseline, NULL, GM_BUS_PROPERTY_EMITS_INVALIDATION },
        { "Sensors", "a(sss)", get_sensors, NULL, 0 },
        { "Label", "s", get_label, set_label, GM_BUS_PROPERTY_EMITS_CHANGE },
        { NULL }
};

static const struct gm_bus_method test_methods[] = { { "Describe", "sd", "metric value", "su", "text length",
                                                       method_describe },
                                                     { "Fail", "s", "kind", "", "", method_fail },
                                                     { "BadReply", "", "", "s", "text", method_bad_reply },
                                                     { "Churn", "u", "milliseconds", "", "", method_churn },
                                                     { "Spike", "sd", "metric value", "", "", method_spike },
                                                     { "Relay", "su", "destination timeout_ms", "", "", method_relay },
                                                     { NULL } };

static const struct gm_bus_signal test_signals[] = { { "AsymmetrySpike", "sdd", "metric value baseline" },
                                                     { "FatigueAlert", "uas", "level reasons" },
                                                     { "RelayDone", "s", "result" },
                                                     { NULL } };

static const struct gm_bus_interface test_interface = {
        .name = "org.gaitmon.Test1",
        .properties = test_properties,
        .methods = test_methods,
        .signals = test_signals,
};

static int on_exit_signal(sd_event_source *source, const struct signalfd_siginfo *si, void *userdata)
{
        return sd_event_exit(sd_event_source_get_event(source), 0);
}

static int run(struct server *s, uint64_t interval_usec)
{
        struct gm_bus_error error = GM_BUS_ERROR_NULL;
        sigset_t mask;
        int r;

        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigprocmask(SIG_BLOCK, &mask, NULL);

        r = sd_event_default(&s->event);
        if (r >= 0)
                r = sd_event_add_signal(s->event, NULL, SIGTERM, on_exit_signal, NULL);
        if (r >= 0)
                r = sd_event_add_signal(s->event, NULL, SIGINT, on_exit_signal, NULL);
        if (r >= 0)
                r = gm_bus_new(s->event, &s->bus);
        if (r >= 0)
                r = gm_bus_object_new(s->bus, "/org/gaitmon/Test1", &test_interface, s, &s->object);
        if (r >= 0)
                r = gm_bus_object_new(s->bus, "/org/gaitmon/Test1/Child", &test_interface, s, &s->child);
        if (r < 0) {
                fprintf(stderr, "bus-test-server: setup failed: %s\n", strerror(-r));
                return r;
        }
        gm_bus_object_set_changed_interval(s->object, interval_usec);

        r = gm_bus_start(s->bus, SERVICE_NAME, &error);
        if (r < 0) {
                fprintf(stderr, "bus-test-server: %s\n", error.message ? error.message : strerror(-r));
                gm_bus_error_free(&error);
                return r;
        }
        return sd_event_loop(s->event);
}

int main(int argc, char **argv)
{
        static const struct option options[] = { { "interval-ms", required_argument, NULL, 'i' },
                                                 { "print-introspection", no_argument, NULL, 'p' },
                                                 { "help", no_argument, NULL, 'h' },
                                                 { NULL, 0, NULL, 0 } };
        struct server s = { .cadence = 170.0 };
        uint64_t interval_usec = GM_BUS_CHANGED_INTERVAL_USEC;
        int c, r;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'i':
                        interval_usec = strtoull(optarg, NULL, 10) * 1000;
                        break;
                case 'p':
                        return gm_bus_interface_write_xml(&test_interface, stdout) < 0 ? 1 : 0;
                case 'h':
                        printf("usage: %s [--interval-ms MS] [--print-introspection]\n", argv[0]);
                        return 0;
                default:
                        return 2;
                }

        s.label = strdup("initial");
        r = s.label ? run(&s, interval_usec) : -ENOMEM;

        sd_event_source_disable_unref(s.churn_source);
        gm_bus_object_free(s.child);
        gm_bus_object_free(s.object);
        gm_bus_free(s.bus);
        sd_event_unref(s.event);
        free(s.label);
        dbus_shutdown();
        return r < 0 ? 1 : 0;
}
