/* gaitmonctl history: the runs of the last days (GetSessions). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl-bus.h"
#include "ctl-format.h"
#include "ctl-json.h"
#include "ctl-log.h"
#include "ctl-reply.h"

#define SESSIONS_SIGNATURE "a(ttsdtdddsus)"

/* One GetSessions entry; strings point into the reply. */
struct session {
        uint64_t id, start_us, steps;
        const char *activity, *advice, *state;
        double duration_s, cadence, asym_max, fatigue_max;
        uint32_t rest_days;
};

static void read_session(DBusMessageIter *st, struct session *s) {
        s->id = ctl_reply_u64(st);
        s->start_us = ctl_reply_u64(st);
        s->activity = ctl_reply_string(st);
        s->duration_s = ctl_reply_double(st);
        s->steps = ctl_reply_u64(st);
        s->cadence = ctl_reply_double(st);
        s->asym_max = ctl_reply_double(st);
        s->fatigue_max = ctl_reply_double(st);
        s->advice = ctl_reply_string(st);
        s->rest_days = ctl_reply_u32(st);
        s->state = ctl_reply_string(st);
}

static void print_json(const struct session *s, size_t n, uint32_t days) {
        struct ctl_json j;

        ctl_json_init(&j, stdout);
        ctl_json_object_begin(&j);
        ctl_json_key(&j, "days");
        ctl_json_uint(&j, days);
        ctl_json_key(&j, "runs");
        ctl_json_array_begin(&j);
        for (size_t i = 0; i < n; i++) {
                ctl_json_object_begin(&j);
                ctl_json_field_uint(&j, "id", s[i].id);
                ctl_json_field_uint(&j, "start_us", s[i].start_us);
                ctl_json_field_string(&j, "activity", s[i].activity);
                ctl_json_field_string(&j, "state", s[i].state);
                ctl_json_field_double(&j, "duration_s", s[i].duration_s);
                ctl_json_field_uint(&j, "steps", s[i].steps);
                ctl_json_field_double(&j, "cadence_spm", s[i].cadence);
                ctl_json_field_double(&j, "asymmetry_max_pct", s[i].asym_max);
                ctl_json_field_double(&j, "fatigue_max", s[i].fatigue_max);
                ctl_json_field_string(&j, "advice", s[i].advice);
                ctl_json_field_uint(&j, "rest_days", s[i].rest_days);
                ctl_json_object_end(&j);
        }
        ctl_json_array_end(&j);
        ctl_json_object_end(&j);
        ctl_json_finish(&j);
}

static void print_table(const struct session *s, size_t n, uint32_t days) {
        char start[64], dur[32], cad[32], asym[32], fat[32];

        if (n == 0) {
                if (days > 0)
                        printf("No runs in the last %u day%s.\n", days, days == 1 ? "" : "s");
                else
                        printf("No runs in the history.\n");
                return;
        }
        printf("%5s  %-31s %-8s %-12s %14s %7s %8s %9s %8s %5s  %s\n", "ID", "START", "ACTIVITY", "STATE", "DURATION",
               "STEPS", "CADENCE", "MAX ASYM", "FATIGUE", "REST", "ADVICE");
        for (size_t i = 0; i < n; i++)
                printf("%5llu  %-31s %-8s %-12s %14s %7llu %8s %9s %8s %5u  %s\n", (unsigned long long) s[i].id,
                       ctl_format_timestamp(start, sizeof start, s[i].start_us), s[i].activity, s[i].state,
                       ctl_format_duration(dur, sizeof dur, s[i].duration_s), (unsigned long long) s[i].steps,
                       ctl_format_number(cad, sizeof cad, s[i].cadence, 1, ""),
                       ctl_format_number(asym, sizeof asym, s[i].asym_max, 1, " %"),
                       ctl_format_number(fat, sizeof fat, s[i].fatigue_max, 2, ""), s[i].rest_days,
                       s[i].advice[0] ? s[i].advice : "-");
        if (days > 0)
                printf("\n%zu run%s in the last %u day%s.\n", n, n == 1 ? "" : "s", days, days == 1 ? "" : "s");
        else
                printf("\n%zu run%s.\n", n, n == 1 ? "" : "s");
}

int ctl_history(struct ctl_context *c) {
        DBusMessage *reply = NULL;
        struct session *sessions = NULL;
        DBusMessageIter it, array;
        dbus_uint32_t days = c->days;
        size_t n = 0, allocated = 0;
        int r;

        r = ctl_bus_call_method(c->bus, CTL_BUS_INTERFACE, "GetSessions", DBUS_TYPE_UINT32, &days,
                                SESSIONS_SIGNATURE, &reply);
        if (r < 0)
                return r;

        dbus_message_iter_init(reply, &it);
        dbus_message_iter_recurse(&it, &array);
        for (; dbus_message_iter_get_arg_type(&array) == DBUS_TYPE_STRUCT; dbus_message_iter_next(&array)) {
                DBusMessageIter st;
                if (n == allocated) {
                        size_t k = allocated ? allocated * 2 : 32;
                        struct session *p = reallocarray(sessions, k, sizeof *p);
                        if (!p) {
                                ctl_log("Out of memory.");
                                r = -ENOMEM;
                                goto finish;
                        }
                        sessions = p;
                        allocated = k;
                }
                dbus_message_iter_recurse(&array, &st);
                read_session(&st, &sessions[n++]);
        }

        if (c->json)
                print_json(sessions, n, c->days);
        else
                print_table(sessions, n, c->days);
finish:
        free(sessions);
        dbus_message_unref(reply);
        return r;
}
