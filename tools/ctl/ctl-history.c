/* gaitmonctl history: the runs of the last days (GetSessions). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl-bus.h"
#include "ctl-format.h"
#include "ctl-json.h"
#include "ctl-log.h"
#include "ctl-record.h"

#define SESSIONS_SIGNATURE "aa{sv}"

/* One GetSessions entry. */
struct session {
        struct gm_run_summary run;
        struct gm_advice advice;
        char state[16];
        const char *activity;
};

static int read_state(const char *key, DBusMessageIter *value, void *userdata) {
        struct session *s = userdata;
        if (strcmp(key, "state") == 0 && dbus_message_iter_get_arg_type(value) == DBUS_TYPE_STRING) {
                const char *v = "";
                dbus_message_iter_get_basic(value, &v);
                snprintf(s->state, sizeof s->state, "%s", v);
        }
        return 0;
}

static void read_session(DBusMessageIter *dict, struct session *s) {
        snprintf(s->state, sizeof s->state, "unknown");
        (void) ctl_record_read(dict, &gm_advice_record, &s->advice, NULL, NULL);
        (void) ctl_record_read(dict, &gm_run_record, &s->run, read_state, s);
        s->activity = gm_activity_name(s->run.activity);
        if (!s->activity)
                s->activity = "idle";
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
                ctl_json_field_uint(&j, "id", s[i].run.id);
                ctl_json_field_uint(&j, "start_us", s[i].run.start_us);
                ctl_json_field_string(&j, "activity", s[i].activity);
                ctl_json_field_string(&j, "state", s[i].state);
                ctl_json_field_double(&j, "duration_s", s[i].run.duration_s);
                ctl_json_field_uint(&j, "steps", s[i].run.steps);
                ctl_json_field_double(&j, "cadence_spm", s[i].run.cadence_spm);
                ctl_json_field_double(&j, "asymmetry_max_pct", s[i].run.asym_max_pct);
                ctl_json_field_double(&j, "fatigue_max", s[i].run.fatigue_max);
                ctl_json_field_string(&j, "advice", s[i].advice.summary);
                ctl_json_field_uint(&j, "rest_days", s[i].advice.rest_days);
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
        /* The advice fills the rest of the line, cut to it: `show ID` has it whole. */
        unsigned width = ctl_output_width(200), used = 5 + 2 + 31 + 1 + 8 + 1 + 12 + 1 + 14 + 1 + 7 + 1 + 8 + 1 + 9 + 1 + 8 + 1 + 5 + 2;
        unsigned room = width > used + 20 ? width - used : 20;
        bool cut = false;
        printf("%5s  %-31s %-8s %-12s %14s %7s %8s %9s %8s %5s  %s\n", "ID", "START", "ACTIVITY", "STATE", "DURATION",
               "STEPS", "CADENCE", "MAX ASYM", "FATIGUE", "REST", "ADVICE");
        for (size_t i = 0; i < n; i++) {
                char advice[sizeof s[i].advice.summary + 8];
                ctl_format_fit(advice, sizeof advice, s[i].advice.summary[0] ? s[i].advice.summary : "-", room);
                cut = cut || strcmp(advice, s[i].advice.summary[0] ? s[i].advice.summary : "-") != 0;
                printf("%5llu  %-31s %-8s %-12s %14s %7llu %8s %9s %8s %5u  %s\n", (unsigned long long) s[i].run.id,
                       ctl_format_timestamp(start, sizeof start, s[i].run.start_us), s[i].activity, s[i].state,
                       ctl_format_duration(dur, sizeof dur, s[i].run.duration_s), (unsigned long long) s[i].run.steps,
                       ctl_format_number(cad, sizeof cad, s[i].run.cadence_spm, 1, ""),
                       ctl_format_number(asym, sizeof asym, s[i].run.asym_max_pct, 1, " %"),
                       ctl_format_number(fat, sizeof fat, s[i].run.fatigue_max, 2, ""), s[i].advice.rest_days,
                       advice);
        }
        if (cut)
                printf("\nAdvice cut to the line: gaitmonctl show ID has it whole.\n");
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
        for (; dbus_message_iter_get_arg_type(&array) == DBUS_TYPE_ARRAY; dbus_message_iter_next(&array)) {
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
                read_session(&array, &sessions[n++]);
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
