/* gaitmonctl show RUN: one run's summary, advice and minutes (GetRun), and its chart. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "ctl-bus.h"
#include "ctl-format.h"
#include "ctl-json.h"
#include "ctl-log.h"
#include "ctl-reply.h"
#include "ctl-svg.h"

#define MINUTE_TYPE "(dtdddddddddd)"
#define RUN_SIGNATURE "ttssdtddddddddsddsasuda" MINUTE_TYPE "ddddu"
#define ACTIONS_MAX 64

struct minute {
        double t_s, length_s;
        uint64_t steps;
        double cadence, stance[2], hip_ext[2], pelvic_drop[2], asym_max, fatigue;
};

/* A GetRun reply; strings point into it. */
struct run {
        uint64_t id, start_us, steps;
        const char *activity, *state, *asym_metric, *advice;
        double duration_s, cadence, stance[2], hip_ext[2], pelvic_drop[2], asym_max, fatigue_max, load, acwr;
        const char *actions[ACTIONS_MAX];
        unsigned n_actions;
        uint32_t rest_days;
        struct minute *minutes;
        size_t n_minutes;
        /* signs of compensation: SI shifts from baseline (% points), pelvic drop rise (deg) */
        double hip_ext_shift, pelvic_drop_shift, drop_rise[2];
        uint32_t fatigue_level_max;
};

static void read_minute(DBusMessageIter *st, struct minute *m) {
        m->t_s = ctl_reply_double(st);
        m->steps = ctl_reply_u64(st);
        m->cadence = ctl_reply_double(st);
        m->stance[0] = ctl_reply_double(st);
        m->stance[1] = ctl_reply_double(st);
        m->hip_ext[0] = ctl_reply_double(st);
        m->hip_ext[1] = ctl_reply_double(st);
        m->pelvic_drop[0] = ctl_reply_double(st);
        m->pelvic_drop[1] = ctl_reply_double(st);
        m->asym_max = ctl_reply_double(st);
        m->fatigue = ctl_reply_double(st);
        m->length_s = ctl_reply_double(st);
}

static int read_run(DBusMessage *reply, struct run *run) {
        DBusMessageIter it, array;
        size_t allocated = 0;

        dbus_message_iter_init(reply, &it);
        run->id = ctl_reply_u64(&it);
        run->start_us = ctl_reply_u64(&it);
        run->activity = ctl_reply_string(&it);
        run->state = ctl_reply_string(&it);
        run->duration_s = ctl_reply_double(&it);
        run->steps = ctl_reply_u64(&it);
        run->cadence = ctl_reply_double(&it);
        run->stance[0] = ctl_reply_double(&it);
        run->stance[1] = ctl_reply_double(&it);
        run->hip_ext[0] = ctl_reply_double(&it);
        run->hip_ext[1] = ctl_reply_double(&it);
        run->pelvic_drop[0] = ctl_reply_double(&it);
        run->pelvic_drop[1] = ctl_reply_double(&it);
        run->asym_max = ctl_reply_double(&it);
        run->asym_metric = ctl_reply_string(&it);
        run->fatigue_max = ctl_reply_double(&it);
        run->load = ctl_reply_double(&it);
        run->advice = ctl_reply_string(&it);

        dbus_message_iter_recurse(&it, &array);
        while (dbus_message_iter_get_arg_type(&array) == DBUS_TYPE_STRING && run->n_actions < ACTIONS_MAX)
                run->actions[run->n_actions++] = ctl_reply_string(&array);
        dbus_message_iter_next(&it);
        run->rest_days = ctl_reply_u32(&it);
        run->acwr = ctl_reply_double(&it);

        dbus_message_iter_recurse(&it, &array);
        for (; dbus_message_iter_get_arg_type(&array) == DBUS_TYPE_STRUCT; dbus_message_iter_next(&array)) {
                DBusMessageIter st;
                if (run->n_minutes == allocated) {
                        size_t k = allocated ? allocated * 2 : 64;
                        struct minute *p = reallocarray(run->minutes, k, sizeof *p);
                        if (!p)
                                return -ENOMEM;
                        run->minutes = p;
                        allocated = k;
                }
                dbus_message_iter_recurse(&array, &st);
                read_minute(&st, &run->minutes[run->n_minutes++]);
        }
        dbus_message_iter_next(&it);
        run->hip_ext_shift = ctl_reply_double(&it);
        run->pelvic_drop_shift = ctl_reply_double(&it);
        run->drop_rise[0] = ctl_reply_double(&it);
        run->drop_rise[1] = ctl_reply_double(&it);
        run->fatigue_level_max = ctl_reply_u32(&it);
        return 0;
}

static void json_pair(struct ctl_json *j, const char *key, const double v[2]) {
        ctl_json_key(j, key);
        ctl_json_object_begin(j);
        ctl_json_field_double(j, "left", v[0]);
        ctl_json_field_double(j, "right", v[1]);
        ctl_json_object_end(j);
}

static void print_json(const struct run *run) {
        struct ctl_json j;

        ctl_json_init(&j, stdout);
        ctl_json_object_begin(&j);
        ctl_json_field_uint(&j, "id", run->id);
        ctl_json_field_uint(&j, "start_us", run->start_us);
        ctl_json_field_string(&j, "activity", run->activity);
        ctl_json_field_string(&j, "state", run->state);
        ctl_json_field_double(&j, "duration_s", run->duration_s);
        ctl_json_field_uint(&j, "steps", run->steps);
        ctl_json_field_double(&j, "cadence_spm", run->cadence);
        json_pair(&j, "stance_ms", run->stance);
        json_pair(&j, "hip_extension_deg", run->hip_ext);
        json_pair(&j, "pelvic_drop_deg", run->pelvic_drop);
        ctl_json_field_double(&j, "asymmetry_max_pct", run->asym_max);
        ctl_json_field_string(&j, "asymmetry_metric", run->asym_metric);
        ctl_json_field_double(&j, "fatigue_max", run->fatigue_max);
        ctl_json_field_double(&j, "load", run->load);
        ctl_json_key(&j, "compensation");
        ctl_json_object_begin(&j);
        ctl_json_field_double(&j, "hip_extension_asymmetry_pct", run->hip_ext_shift);
        ctl_json_field_double(&j, "pelvic_drop_asymmetry_pct", run->pelvic_drop_shift);
        json_pair(&j, "pelvic_drop_rise_deg", run->drop_rise);
        ctl_json_field_uint(&j, "fatigue_level_max", run->fatigue_level_max);
        ctl_json_object_end(&j);
        ctl_json_key(&j, "advice");
        ctl_json_object_begin(&j);
        ctl_json_field_string(&j, "summary", run->advice);
        ctl_json_key(&j, "actions");
        ctl_json_array_begin(&j);
        for (unsigned i = 0; i < run->n_actions; i++)
                ctl_json_string(&j, run->actions[i]);
        ctl_json_array_end(&j);
        ctl_json_field_uint(&j, "rest_days", run->rest_days);
        ctl_json_field_double(&j, "acwr", run->acwr);
        ctl_json_object_end(&j);
        ctl_json_key(&j, "minutes");
        ctl_json_array_begin(&j);
        for (size_t i = 0; i < run->n_minutes; i++) {
                const struct minute *m = &run->minutes[i];
                ctl_json_object_begin(&j);
                ctl_json_field_double(&j, "t_s", m->t_s);
                ctl_json_field_double(&j, "length_s", m->length_s);
                ctl_json_field_uint(&j, "steps", m->steps);
                ctl_json_field_double(&j, "cadence_spm", m->cadence);
                json_pair(&j, "stance_ms", m->stance);
                json_pair(&j, "hip_extension_deg", m->hip_ext);
                json_pair(&j, "pelvic_drop_deg", m->pelvic_drop);
                ctl_json_field_double(&j, "asymmetry_max_pct", m->asym_max);
                ctl_json_field_double(&j, "fatigue", m->fatigue);
                ctl_json_object_end(&j);
        }
        ctl_json_array_end(&j);
        ctl_json_object_end(&j);
        ctl_json_finish(&j);
}

#define LABEL_WIDTH 16

static void label(const char *text) {
        printf("%*s: ", LABEL_WIDTH, text);
}

static void print_pair(const char *text, const double v[2], int decimals, const char *unit) {
        char a[32], b[32];
        label(text);
        printf("%s left, %s right\n", ctl_format_number(a, sizeof a, v[0], decimals, unit),
               ctl_format_number(b, sizeof b, v[1], decimals, unit));
}

static const char *pair_cell(char *buf, size_t size, const double v[2], int decimals) {
        char a[16], b[16];
        snprintf(buf, size, "%s/%s", ctl_format_number(a, sizeof a, v[0], decimals, ""),
                 ctl_format_number(b, sizeof b, v[1], decimals, ""));
        return buf;
}

/* An SI shift from baseline, with the side it lowered (the SI is left minus right). */
static void print_shift(const char *text, double v) {
        char buf[32];
        label(text);
        printf("%s%s\n", ctl_format_number(buf, sizeof buf, v, 1, " % points"),
               !isfinite(v) || v == 0 ? "" : v < 0 ? " (left lower)" : " (right lower)");
}

static void print_text(const struct run *run) {
        char buf[64];

        label("Run");
        printf("%llu (%s)\n", (unsigned long long) run->id, run->state);
        label("Start");
        printf("%s\n", ctl_format_timestamp(buf, sizeof buf, run->start_us));
        label("Activity");
        printf("%s\n", run->activity);
        label("Duration");
        printf("%s%s\n", ctl_format_duration(buf, sizeof buf, run->duration_s),
               strcmp(run->state, "interrupted") == 0 ? " (up to the last minute recorded)" : "");
        label("Steps");
        printf("%llu\n", (unsigned long long) run->steps);
        label("Cadence");
        printf("%s\n", ctl_format_number(buf, sizeof buf, run->cadence, 1, " steps/min"));
        print_pair("Stance time", run->stance, 0, " ms");
        print_pair("Hip extension", run->hip_ext, 1, "°");
        print_pair("Pelvic drop", run->pelvic_drop, 1, "°");
        label("Max asymmetry");
        printf("%s%s%s%s\n", ctl_format_number(buf, sizeof buf, run->asym_max, 1, " % points"),
               run->asym_metric[0] ? " (" : "", run->asym_metric, run->asym_metric[0] ? ")" : "");
        print_shift("Hip ext. shift", run->hip_ext_shift);
        print_shift("Drop shift", run->pelvic_drop_shift);
        print_pair("Drop rise", run->drop_rise, 1, "°");
        label("Max fatigue");
        printf("%s (level %u of 3)\n", ctl_format_number(buf, sizeof buf, run->fatigue_max, 2, ""),
               run->fatigue_level_max);
        label("Load");
        printf("%s\n", ctl_format_number(buf, sizeof buf, run->load, 0, ""));
        label("Workload ratio");
        printf("%s\n", ctl_format_number(buf, sizeof buf, run->acwr, 2, " (acute:chronic)"));
        label("Rest days");
        printf("%u\n", run->rest_days);
        label("Advice");
        printf("%s\n", run->advice[0] ? run->advice : "none");
        for (unsigned i = 0; i < run->n_actions; i++)
                printf("%*s  - %s\n", LABEL_WIDTH, "", run->actions[i]);

        if (run->n_minutes == 0) {
                printf("\nNo minutes recorded.\n");
                return;
        }
        printf("\n%6s %6s %8s %11s %13s %11s %7s %8s\n", "MINUTE", "STEPS", "CADENCE", "STANCE L/R", "HIP EXT L/R",
               "DROP L/R", "ASYM", "FATIGUE");
        for (size_t i = 0; i < run->n_minutes; i++) {
                const struct minute *m = &run->minutes[i];
                char cad[16], stance[32], hip[32], drop[32], asym[16], fat[16];
                printf("%6.0f %6llu %8s %11s %13s %11s %7s %8s\n", m->t_s / 60, (unsigned long long) m->steps,
                       ctl_format_number(cad, sizeof cad, m->cadence, 1, ""), pair_cell(stance, sizeof stance, m->stance, 0),
                       pair_cell(hip, sizeof hip, m->hip_ext, 1), pair_cell(drop, sizeof drop, m->pelvic_drop, 1),
                       ctl_format_number(asym, sizeof asym, m->asym_max, 1, ""),
                       ctl_format_number(fat, sizeof fat, m->fatigue, 2, ""));
        }
}

static int write_svg(const struct run *run, const char *path) {
        double *x = NULL, *cadence = NULL, *asym = NULL, *hip_l = NULL, *hip_r = NULL;
        size_t n = run->n_minutes;
        char title[128], start[64];
        FILE *f;
        int r;

        x = calloc(n ? n : 1, sizeof *x);
        cadence = calloc(n ? n : 1, sizeof *cadence);
        asym = calloc(n ? n : 1, sizeof *asym);
        hip_l = calloc(n ? n : 1, sizeof *hip_l);
        hip_r = calloc(n ? n : 1, sizeof *hip_r);
        if (!x || !cadence || !asym || !hip_l || !hip_r) {
                ctl_log("Out of memory.");
                r = -ENOMEM;
                goto finish;
        }
        for (size_t i = 0; i < n; i++) {
                const struct minute *m = &run->minutes[i];
                x[i] = (m->t_s + m->length_s / 2) / 60; /* the middle of the minute */
                cadence[i] = m->cadence;
                asym[i] = m->asym_max;
                hip_l[i] = m->hip_ext[0];
                hip_r[i] = m->hip_ext[1];
        }
        const struct ctl_svg_series s_cadence[] = { { "cadence", "#1f77b4", cadence } };
        const struct ctl_svg_series s_asym[] = { { "max asymmetry", "#d62728", asym } };
        const struct ctl_svg_series s_hip[] = { { "left", "#2ca02c", hip_l }, { "right", "#9467bd", hip_r } };
        const struct ctl_svg_panel panels[] = {
                { "Cadence (steps/min)", 1, s_cadence },
                { "Asymmetry (% points from baseline)", 1, s_asym },
                { "Hip extension (degrees)", 2, s_hip },
        };
        snprintf(title, sizeof title, "Run %llu, %s, %s", (unsigned long long) run->id, run->activity,
                 ctl_format_timestamp(start, sizeof start, run->start_us));
        double x_end = run->duration_s / 60;
        if (n > 0)
                x_end = fmax(x_end, (run->minutes[n - 1].t_s + run->minutes[n - 1].length_s) / 60);

        f = strcmp(path, "-") == 0 ? stdout : fopen(path, "we");
        if (!f) {
                r = -errno;
                ctl_log("Failed to create %s: %s", path, strerror(errno));
                goto finish;
        }
        r = ctl_svg_chart(f, title, x, n, x_end, panels, sizeof panels / sizeof panels[0]);
        if (f != stdout && fclose(f) != 0 && r >= 0)
                r = -errno;
        if (r < 0)
                ctl_log("Failed to write %s: %s", path, strerror(-r));
finish:
        free(x);
        free(cadence);
        free(asym);
        free(hip_l);
        free(hip_r);
        return r;
}

int ctl_show(struct ctl_context *c, uint64_t id) {
        DBusMessage *reply = NULL;
        dbus_uint64_t arg = id;
        struct run run = {};
        int r;

        r = ctl_bus_call_method(c->bus, CTL_BUS_INTERFACE, "GetRun", DBUS_TYPE_UINT64, &arg, RUN_SIGNATURE,
                                &reply);
        if (r < 0)
                return r;
        r = read_run(reply, &run);
        if (r < 0)
                ctl_log("Out of memory.");
        /* The chart first: with --svg - the document goes to stdout and the rest is left out. */
        if (r >= 0 && c->svg_path)
                r = write_svg(&run, c->svg_path);
        if (r >= 0 && !(c->svg_path && strcmp(c->svg_path, "-") == 0)) {
                if (c->json)
                        print_json(&run);
                else
                        print_text(&run);
        }
        free(run.minutes);
        dbus_message_unref(reply);
        return r;
}
