/* Test helper for the D-Bus policy: emits or listens for org.gaitmon.Monitor1 signals on the system bus. */
#include <dbus/dbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NAME "org.gaitmon.Monitor1"
#define PATH "/org/gaitmon/Monitor1"

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int usage(void)
{
        fprintf(stderr,
                "Usage: bus-signal-probe emit|listen|serve SECONDS\n"
                "  emit    own " NAME
                " and send SensorFault every 50 ms\n"
                "          (exit 3 when the bus refuses the name)\n"
                "  listen  subscribe to signals from " NAME
                "; print how many\n"
                "          arrived, exit 0 if any did, 1 if none\n"
                "  serve   own " NAME
                " and answer Get, Introspect, ResetBaseline\n"
                "All use the bus in DBUS_SYSTEM_BUS_ADDRESS.\n");
        return 2;
}

static int emit(DBusConnection *c, double seconds)
{
        DBusError err;
        dbus_error_init(&err);
        int r = dbus_bus_request_name(c, NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE, &err);
        if (dbus_error_is_set(&err)) {
                fprintf(stderr, "bus-signal-probe: cannot own %s: %s: %s\n", NAME, err.name, err.message);
                dbus_error_free(&err);
                return 3;
        }
        if (r != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
                fprintf(stderr, "bus-signal-probe: %s is owned by someone else\n", NAME);
                return 3;
        }
        printf("owner\n");
        fflush(stdout);
        double end = now_s() + seconds;
        while (now_s() < end) {
                DBusMessage *m = dbus_message_new_signal(PATH, NAME, "SensorFault");
                const char *loc = "pelvis", *reason = "policy test";
                if (!m ||
                    !dbus_message_append_args(m, DBUS_TYPE_STRING, &loc, DBUS_TYPE_STRING, &reason, DBUS_TYPE_INVALID))
                        return 1;
                dbus_connection_send(c, m, NULL);
                dbus_message_unref(m);
                dbus_connection_flush(c);
                dbus_connection_read_write_dispatch(c, 50);
        }
        return 0;
}

/* A stand-in owner: answers Get (State), Introspect, Ping and ResetBaseline, an error to the rest. */
static int serve(DBusConnection *c, double seconds)
{
        DBusError err;
        dbus_error_init(&err);
        int r = dbus_bus_request_name(c, NAME, DBUS_NAME_FLAG_DO_NOT_QUEUE, &err);
        if (dbus_error_is_set(&err) || r != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
                fprintf(stderr, "bus-signal-probe: cannot own %s\n", NAME);
                return 3;
        }
        double end = now_s() + seconds;
        while (now_s() < end && dbus_connection_read_write(c, 50)) {
                DBusMessage *m, *reply;
                while ((m = dbus_connection_pop_message(c))) {
                        reply = NULL;
                        if (dbus_message_is_method_call(m, "org.freedesktop.DBus.Properties", "Get")) {
                                DBusMessageIter it, v;
                                const char *state = "idle";
                                reply = dbus_message_new_method_return(m);
                                dbus_message_iter_init_append(reply, &it);
                                dbus_message_iter_open_container(&it, DBUS_TYPE_VARIANT, "s", &v);
                                dbus_message_iter_append_basic(&v, DBUS_TYPE_STRING, &state);
                                dbus_message_iter_close_container(&it, &v);
                        } else if (dbus_message_is_method_call(m, "org.freedesktop.DBus.Introspectable",
                                                               "Introspect")) {
                                const char *xml = DBUS_INTROSPECT_1_0_XML_DOCTYPE_DECL_NODE "<node/>";
                                reply = dbus_message_new_method_return(m);
                                dbus_message_append_args(reply, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID);
                        } else if (dbus_message_is_method_call(m, NAME, "ResetBaseline") ||
                                   dbus_message_is_method_call(m, "org.freedesktop.DBus.Peer", "Ping")) {
                                reply = dbus_message_new_method_return(m);
                        } else if (dbus_message_get_type(m) == DBUS_MESSAGE_TYPE_METHOD_CALL) {
                                reply = dbus_message_new_error(m, DBUS_ERROR_UNKNOWN_METHOD, "not in the stand-in");
                        }
                        if (reply) {
                                dbus_connection_send(c, reply, NULL);
                                dbus_message_unref(reply);
                        }
                        dbus_message_unref(m);
                }
        }
        return 0;
}

static int listen_for(DBusConnection *c, double seconds)
{
        DBusError err;
        dbus_error_init(&err);
        dbus_bus_add_match(c, "type='signal',sender='" NAME "'", &err);
        if (dbus_error_is_set(&err)) {
                fprintf(stderr, "bus-signal-probe: AddMatch: %s\n", err.message);
                dbus_error_free(&err);
                return 2;
        }
        printf("listening\n");
        fflush(stdout);
        unsigned n = 0;
        double end = now_s() + seconds;
        while (now_s() < end && dbus_connection_read_write(c, 50)) {
                DBusMessage *m;
                while ((m = dbus_connection_pop_message(c))) {
                        if (dbus_message_get_type(m) == DBUS_MESSAGE_TYPE_SIGNAL &&
                            strcmp(dbus_message_get_interface(m) ? dbus_message_get_interface(m) : "", NAME) == 0)
                                n++;
                        dbus_message_unref(m);
                }
        }
        printf("signals: %u\n", n);
        return n > 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
        if (argc != 3 || (strcmp(argv[1], "emit") && strcmp(argv[1], "listen") && strcmp(argv[1], "serve")))
                return usage();
        char *end;
        double seconds = strtod(argv[2], &end);
        if (*end || seconds <= 0)
                return usage();

        DBusError err;
        dbus_error_init(&err);
        DBusConnection *c = dbus_bus_get_private(DBUS_BUS_SYSTEM, &err);
        if (!c) {
                fprintf(stderr, "bus-signal-probe: cannot connect to the system bus: %s\n", err.message);
                dbus_error_free(&err);
                return 2;
        }
        dbus_connection_set_exit_on_disconnect(c, FALSE);
        int r = strcmp(argv[1], "emit") == 0    ? emit(c, seconds)
                : strcmp(argv[1], "serve") == 0 ? serve(c, seconds)
                                                : listen_for(c, seconds);
        dbus_connection_close(c);
        dbus_connection_unref(c);
        return r;
}
