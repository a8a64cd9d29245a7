/* SPDX-License-Identifier: MIT */
/* A stand-in for gaitmond's signals in the notification tests: owns
 * org.gaitmon.Monitor1 on the system bus and emits what it reads on stdin,
 * one signal per line, fields separated by '|':
 *
 *   AsymmetrySpike|METRIC|VALUE|BASELINE
 *   FatigueAlert|LEVEL|REASON...
 *   RecoveryAdvice|SUMMARY|REST_DAYS|ACTION...
 *   SensorFault|LOCATION|REASON
 *   SensorRecovered|LOCATION
 *   strings|MEMBER|S...         the member with only string arguments
 *   huge|MEMBER|BYTES           the member with one string of BYTES bytes
 *
 * Numbers go through strtod/strtoul, so "nan" and "1e9" pass unchanged.
 * Exits at the end of its input, releasing the name. */

#include <dbus/dbus.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELDS_MAX 16

static int append_strings(DBusMessageIter *it, char **fields, int n)
{
        for (int i = 0; i < n; i++)
                if (!dbus_message_iter_append_basic(it, DBUS_TYPE_STRING, &fields[i]))
                        return -1;
        return 0;
}

static int append_string_array(DBusMessageIter *it, char **fields, int n)
{
        DBusMessageIter array;

        if (!dbus_message_iter_open_container(it, DBUS_TYPE_ARRAY, "s", &array) ||
            append_strings(&array, fields, n) < 0 || !dbus_message_iter_close_container(it, &array))
                return -1;
        return 0;
}

static int build(DBusMessage *m, char **f, int n)
{
        DBusMessageIter it;
        const char *member = f[0];

        dbus_message_iter_init_append(m, &it);
        if (strcmp(member, "AsymmetrySpike") == 0 && n == 4) {
                double value = strtod(f[2], NULL), baseline = strtod(f[3], NULL);

                return dbus_message_append_args(m, DBUS_TYPE_STRING, &f[1], DBUS_TYPE_DOUBLE, &value, DBUS_TYPE_DOUBLE,
                                                &baseline, DBUS_TYPE_INVALID)
                               ? 0
                               : -1;
        }
        if (strcmp(member, "FatigueAlert") == 0 && n >= 2) {
                dbus_uint32_t level = (dbus_uint32_t)strtoul(f[1], NULL, 10);

                if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_UINT32, &level))
                        return -1;
                return append_string_array(&it, f + 2, n - 2);
        }
        if (strcmp(member, "RecoveryAdvice") == 0 && n >= 3) {
                dbus_uint32_t rest_days = (dbus_uint32_t)strtoul(f[2], NULL, 10);

                if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &f[1]) ||
                    append_string_array(&it, f + 3, n - 3) < 0 ||
                    !dbus_message_iter_append_basic(&it, DBUS_TYPE_UINT32, &rest_days))
                        return -1;
                return 0;
        }
        if ((strcmp(member, "SensorFault") == 0 && n == 3) || (strcmp(member, "SensorRecovered") == 0 && n == 2))
                return append_strings(&it, f + 1, n - 1);
        return -1;
}

static DBusMessage *signal_new(const char *member)
{
        return dbus_message_new_signal("/org/gaitmon/Monitor1", "org.gaitmon.Monitor1", member);
}

static DBusMessage *line_to_signal(char *line)
{
        char *f[FIELDS_MAX];
        DBusMessage *m;
        int n = 0;

        for (char *s = strtok(line, "|"); s && n < FIELDS_MAX; s = strtok(NULL, "|"))
                f[n++] = s;
        if (n < 2)
                return NULL;

        if (strcmp(f[0], "strings") == 0) {
                DBusMessageIter it;

                m = signal_new(f[1]);
                if (!m)
                        return NULL;
                dbus_message_iter_init_append(m, &it);
                if (append_strings(&it, f + 2, n - 2) == 0)
                        return m;
        } else if (strcmp(f[0], "huge") == 0 && n == 3) {
                size_t size = strtoul(f[2], NULL, 10);
                char *text = malloc(size + 1);

                m = signal_new(f[1]);
                if (!m || !text) {
                        free(text);
                        return m;
                }
                memset(text, 'x', size);
                text[size] = '\0';
                int ok = dbus_message_append_args(m, DBUS_TYPE_STRING, &text, DBUS_TYPE_INVALID);
                free(text);
                if (ok)
                        return m;
        } else {
                m = signal_new(f[0]);
                if (m && build(m, f, n) == 0)
                        return m;
        }
        if (m)
                dbus_message_unref(m);
        return NULL;
}

int main(int argc, char *argv[])
{
        DBusConnection *conn;
        DBusError error;
        char line[4096];

        if (argc > 1) {
                printf("Usage: %s < COMMANDS\nEmits org.gaitmon.Monitor1 signals read from stdin "
                       "(see the top of signal-source.c).\n",
                       argv[0]);
                return strcmp(argv[1], "--help") == 0 ? 0 : 2;
        }

        dbus_error_init(&error);
        conn = dbus_bus_get_private(DBUS_BUS_SYSTEM, &error);
        if (!conn) {
                fprintf(stderr, "signal-source: %s\n", error.message);
                return 1;
        }
        if (dbus_bus_request_name(conn, "org.gaitmon.Monitor1", DBUS_NAME_FLAG_DO_NOT_QUEUE, &error) !=
            DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER) {
                fprintf(stderr, "signal-source: cannot own org.gaitmon.Monitor1: %s\n",
                        error.message ? error.message : "taken");
                return 1;
        }

        while (fgets(line, sizeof(line), stdin)) {
                DBusMessage *m;

                line[strcspn(line, "\n")] = '\0';
                m = line_to_signal(line);
                if (!m) {
                        fprintf(stderr, "signal-source: cannot make a signal of '%s'\n", line);
                        continue;
                }
                dbus_connection_send(conn, m, NULL);
                dbus_connection_flush(conn);
                dbus_message_unref(m);
        }

        dbus_connection_close(conn);
        dbus_connection_unref(conn);
        return 0;
}
