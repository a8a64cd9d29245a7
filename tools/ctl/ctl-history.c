/* gaitmonctl history: the runs of the last days (GetSessions). */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl-bus.h"
#include "ctl-format.h"
#include "ctl-json.h"
#include "ctl-log.h"
#include "ctl-pager.h"
#include "ctl-record.h"
#include "gm_balance.h"
#include "gm_metric.h"

#define SESSIONS_SIGNATURE "aa{sv}"

/* One GetSessions entry. */
struct session {
        struct gm_run_summary run;
        struct gm_advice advice;
        char state[16];
        const char *activity;
};

static int read_state(const char *key, DBusMessageIter *value, void *userdata)
{
        struct session *s = userdata;
        if (strcmp(key, "state") == 0 && dbus_message_iter_get_arg_type(value) == DBUS_TYPE_STRING) {
                const char *v = "";
                dbus_message_iter_get_basic(value, &v);
                snprintf(s->state, sizeof s->state, "%s", v);
        }
        return 0;
}

static void read_session(DBusMessageIter *dict, struct session *s)
{
        snprintf(s->state, sizeof s->state, "unknown");
        (void)ctl_record_read(dict, &gm_advice_record, &s->advice, NULL, NULL);
        (void)ctl_record_read(dict, &gm_run_record, &s->run, read_state, s);
        s->activity = gm_activity_name(s->run.activity);
        if (!s->activity)
                s->activity = "idle";
}

static void print_json(const struct session *s, size_t n, uint32_t days)
{
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

/* A metric in a few letters, for a column. */
static const char *short_metric(const char *metric)
{
        const struct gm_metric_info *info = gm_metric_info(gm_metric_from_name(metric));
        return info ? info->short_label : metric;
}

/* "3.1 pelvic drop": the largest balance shift, points, and its metric. */
static const char *shift_cell(char *buf, size_t size, const struct gm_run_summary *run)
{
        double points = gm_balance_shift_points(run->asym_max_pct);
        if (!isfinite(points))
                snprintf(buf, size, "n/a");
        else
                snprintf(buf, size, "%.1f %s", fabs(points), run->asym_metric[0] ? short_metric(run->asym_metric) : "");
        return buf;
}

static void print_table(const struct session *s, size_t n, uint32_t days)
{
        char start[64], dur[32], cad[32], asym[48], fat[32], steps[32];

        if (n == 0) {
                if (days > 0)
                        printf("No runs in the last %u day%s.\n", days, days == 1 ? "" : "s");
                else
                        printf("No runs in the history.\n");
                return;
        }
        /* The advice fills the rest of the line, cut to it: `show ID` has it whole. */
        unsigned width = ctl_output_width(200),
                 used = 5 + 2 + 31 + 1 + 8 + 1 + 12 + 1 + 14 + 1 + 7 + 1 + 8 + 1 + 16 + 1 + 8 + 1 + 5 + 2;
        unsigned room = width > used + 20 ? width - used : 20;
        bool cut = false;
        printf("%5s  %-31s %-8s %-12s %14s %7s %8s %-16s %8s %5s  %s\n", "ID", "START", "ACTIVITY", "STATE", "DURATION",
               "STEPS", "CADENCE", "MAX SHIFT", "FATIGUE", "REST", "ADVICE");
        for (size_t i = 0; i < n; i++) {
                const struct gm_run_summary *run = &s[i].run;
                /* A run that stopped before its first minute was recorded has nothing but its start. */
                bool empty = run->steps == 0 && !(run->duration_s > 0);
                const char *text = s[i].advice.summary[0]                            ? s[i].advice.summary
                                   : empty && strcmp(s[i].state, "interrupted") == 0 ? "interrupted, no data"
                                   : empty && strcmp(s[i].state, "active") == 0      ? "first minute not recorded yet"
                                                                                     : "-";
                char advice[sizeof s[i].advice.summary + 8];
                ctl_format_fit(advice, sizeof advice, text, room);
                cut = cut || strcmp(advice, text) != 0;
                if (empty)
                        snprintf(steps, sizeof steps, "n/a");
                else
                        snprintf(steps, sizeof steps, "%llu", (unsigned long long)run->steps);
                printf("%5llu  %-31s %-8s %-12s %14s %7s %8s %-16s %8s %5u  %s\n", (unsigned long long)run->id,
                       ctl_format_timestamp(start, sizeof start, run->start_us), s[i].activity, s[i].state,
                       empty ? "n/a" : ctl_format_duration(dur, sizeof dur, run->duration_s), steps,
                       ctl_format_number(cad, sizeof cad, run->cadence_spm, 1, ""), shift_cell(asym, sizeof asym, run),
                       ctl_format_number(fat, sizeof fat, run->fatigue_max, 2, ""), s[i].advice.rest_days, advice);
        }
        printf("\nMAX SHIFT: the run's largest shift of a left/right balance from the runner's baseline, in\n"
               "points of the left share (49.2 %% L / 50.8 %% R is a left share of 49.2), and its metric.\n");
        if (cut)
                printf("Advice cut to the line: gaitmonctl show ID has it whole.\n");
        if (days > 0)
                printf("\n%zu run%s in the last %u day%s.\n", n, n == 1 ? "" : "s", days, days == 1 ? "" : "s");
        else
                printf("\n%zu run%s.\n", n, n == 1 ? "" : "s");
}

int ctl_history(struct ctl_context *c)
{
        DBusMessage *reply = NULL;
        struct session *sessions = NULL;
        DBusMessageIter it, array;
        dbus_uint32_t days = c->days;
        size_t n = 0, allocated = 0;
        int r;

        r = ctl_bus_call_method(c->bus, CTL_BUS_INTERFACE, "GetSessions", DBUS_TYPE_UINT32, &days, SESSIONS_SIGNATURE,
                                &reply);
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
        else {
                (void)ctl_pager_open(c->no_pager);
                print_table(sessions, n, c->days);
                ctl_pager_close();
        }
finish:
        free(sessions);
        dbus_message_unref(reply);
        return r;
}
