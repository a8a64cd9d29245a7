/* Calls org.gaitmon.Test1.Describe with an argument too large for a command line:
 *   bus-test-call BYTES          Describe(s of BYTES, d) → prints the returned length
 *   bus-test-call --wrong BYTES  Describe(s of BYTES, s) → prints the error name
 *   bus-test-call --idle SECONDS connects, prints its unique name, answers nothing
 * Exit status 0 when a reply or error arrived, 1 when the call itself failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <dbus/dbus.h>

/* A peer that never dispatches, so calls to it time out. */
static int idle(unsigned seconds)
{
        DBusError error;
        DBusConnection *conn;

        dbus_error_init(&error);
        conn = dbus_bus_get_private(DBUS_BUS_SYSTEM, &error);
        if (!conn) {
                fprintf(stderr, "cannot connect: %s\n", error.message);
                dbus_error_free(&error);
                return 1;
        }
        dbus_connection_set_exit_on_disconnect(conn, FALSE);
        printf("%s\n", dbus_bus_get_unique_name(conn));
        fflush(stdout);
        sleep(seconds);
        dbus_connection_close(conn);
        dbus_connection_unref(conn);
        dbus_shutdown();
        return 0;
}

int main(int argc, char **argv)
{
        int wrong = argc > 2 && strcmp(argv[1], "--wrong") == 0;
        size_t size = argc > 1 ? strtoull(argv[argc - 1], NULL, 10) : 0;
        DBusConnection *conn;
        DBusMessage *call, *reply;
        DBusError error;
        double value = 1.5;
        char *text;
        int status = 1;

        if (argc == 3 && strcmp(argv[1], "--idle") == 0)
                return idle((unsigned)size);
        if (argc < 2 || size == 0) {
                fprintf(stderr, "usage: %s [--wrong] BYTES\n", argv[0]);
                return 2;
        }
        text = malloc(size + 1);
        if (!text)
                return 1;
        memset(text, 'x', size);
        text[size] = '\0';

        dbus_error_init(&error);
        conn = dbus_bus_get_private(DBUS_BUS_SYSTEM, &error);
        if (!conn) {
                fprintf(stderr, "cannot connect: %s\n", error.message);
                dbus_error_free(&error);
                free(text);
                return 1;
        }
        dbus_connection_set_exit_on_disconnect(conn, FALSE);

        call = dbus_message_new_method_call("org.gaitmon.Monitor1", "/org/gaitmon/Test1", "org.gaitmon.Test1",
                                            "Describe");
        if (call &&
            (wrong ? dbus_message_append_args(call, DBUS_TYPE_STRING, &text, DBUS_TYPE_STRING, &text, DBUS_TYPE_INVALID)
                   : dbus_message_append_args(call, DBUS_TYPE_STRING, &text, DBUS_TYPE_DOUBLE, &value,
                                              DBUS_TYPE_INVALID))) {
                reply = dbus_connection_send_with_reply_and_block(conn, call, 20000, &error);
                if (reply) {
                        const char *echo;
                        dbus_uint32_t length;

                        if (dbus_message_get_args(reply, &error, DBUS_TYPE_STRING, &echo, DBUS_TYPE_UINT32, &length,
                                                  DBUS_TYPE_INVALID)) {
                                printf("%u\n", (unsigned)length);
                                status = 0;
                        }
                        dbus_message_unref(reply);
                }
                if (dbus_error_is_set(&error)) {
                        printf("%s\n", error.name);
                        status = strcmp(error.name, DBUS_ERROR_NO_REPLY) == 0 ||
                                 strcmp(error.name, DBUS_ERROR_DISCONNECTED) == 0;
                }
        }
        if (call)
                dbus_message_unref(call);
        dbus_error_free(&error);
        dbus_connection_close(conn);
        dbus_connection_unref(conn);
        free(text);
        dbus_shutdown();
        return status;
}
