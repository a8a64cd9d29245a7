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
#include "ctl-pager.h"
#include "ctl-record.h"
#include "ctl-run.h"
#include "ctl-status.h"
#include "ctl-svg.h"
#include "gm_balance.h"
#include "gm_metric.h"

#define RUN_SIGNATURE "a{sv}"

static const char *activity_name(enum gm_activity a)
{
        const char *n = gm_activity_name(a);
        return n ? n : "idle";
}

/* The keys of GetRun besides the run's and its advice's fields. */
static int read_run_extra(const char *key, DBusMessageIter *value, void *userdata)
{
        struct ctl_run *run = userdata;

        if (strcmp(key, "state") == 0 && dbus_message_iter_get_arg_type(value) == DBUS_TYPE_STRING) {
                const char *v = "";
                dbus_message_iter_get_basic(value, &v);
                snprintf(run->state, sizeof run->state, "%s", v);
        } else if (strcmp(key, "actions") == 0 && dbus_message_iter_get_arg_type(value) == DBUS_TYPE_ARRAY) {
                DBusMessageIter array;
                dbus_message_iter_recurse(value, &array);
                for (; dbus_message_iter_get_arg_type(&array) == DBUS_TYPE_STRING &&
                       run->a.n_actions < GM_ADVICE_ACTIONS_MAX;
                     dbus_message_iter_next(&array)) {
                        const char *v = "";
                        dbus_message_iter_get_basic(&array, &v);
                        snprintf(run->a.actions[run->a.n_actions++], GM_ADVICE_ACTION_MAX, "%s", v);
                }
        } else if (strcmp(key, "minutes") == 0) {
                void *minutes = NULL;
                int r = ctl_record_read_array(value, &gm_minute_record, sizeof(struct gm_run_minute), &minutes,
                                              &run->n_minutes);
                if (r < 0)
                        return r;
                free(run->minutes);
                run->minutes = minutes;
        }
        return 0;
}

/* The advice's fields share the run's dictionary: read in a pass of their own. */
static int skip_advice(const char *key, DBusMessageIter *value, void *userdata)
{
        return gm_record_field(&gm_advice_record, key) ? 0 : read_run_extra(key, value, userdata);
}

static int read_run(DBusMessage *reply, struct ctl_run *run)
{
        DBusMessageIter it;
        int r;

        dbus_message_iter_init(reply, &it);
        snprintf(run->state, sizeof run->state, "unknown");
        r = ctl_record_read(&it, &gm_advice_record, &run->a, NULL, NULL);
        if (r >= 0)
                r = ctl_record_read(&it, &gm_run_record, &run->s, skip_advice, run);
        return r;
}

static void json_pair(struct ctl_json *j, const char *key, const double v[2])
{
        ctl_json_key(j, key);
        ctl_json_object_begin(j);
        ctl_json_field_double(j, "left", v[0]);
        ctl_json_field_double(j, "right", v[1]);
        ctl_json_object_end(j);
}

/* "hip_extension_deg": {"left": ..., "right": ...}, named by the metric table's key and unit. */
static void json_metric(struct ctl_json *j, enum gm_metric m, const double v[2])
{
        char key[48];
        snprintf(key, sizeof key, "%s_%s", gm_metric_name(m), gm_metric_info(m)->unit);
        json_pair(j, key, v);
}

static void print_json(const struct ctl_run *run)
{
        struct ctl_json j;

        ctl_json_init(&j, stdout);
        ctl_json_object_begin(&j);
        ctl_json_field_uint(&j, "id", run->s.id);
        ctl_json_field_uint(&j, "start_us", run->s.start_us);
        ctl_json_field_string(&j, "activity", activity_name(run->s.activity));
        ctl_json_field_string(&j, "state", run->state);
        ctl_json_field_double(&j, "duration_s", run->s.duration_s);
        ctl_json_field_uint(&j, "steps", run->s.steps);
        ctl_json_field_double(&j, "cadence_spm", run->s.cadence_spm);
        ctl_json_field_double(&j, "vertical_osc_cm", run->s.vertical_osc_cm);
        json_metric(&j, GM_METRIC_STANCE, run->s.stance_ms);
        json_metric(&j, GM_METRIC_HIP_EXT, run->s.hip_ext_deg);
        json_metric(&j, GM_METRIC_PELVIC_DROP, run->s.pelvic_drop_deg);
        ctl_json_field_double(&j, "asymmetry_max_pct", run->s.asym_max_pct);
        ctl_json_field_string(&j, "asymmetry_metric", run->s.asym_metric);
        ctl_json_field_double(&j, "fatigue_max", run->s.fatigue_max);
        ctl_json_field_double(&j, "load", run->s.load);
        ctl_json_key(&j, "compensation");
        ctl_json_object_begin(&j);
        ctl_json_field_double(&j, "hip_extension_asymmetry_pct", run->s.hip_ext_asym_pct);
        ctl_json_field_double(&j, "pelvic_drop_asymmetry_pct", run->s.pelvic_drop_asym_pct);
        json_pair(&j, "pelvic_drop_rise_deg", run->s.pelvic_drop_rise_deg);
        ctl_json_field_uint(&j, "fatigue_level_max", run->s.fatigue_level_max);
        ctl_json_object_end(&j);
        ctl_json_key(&j, "advice");
        ctl_json_object_begin(&j);
        ctl_json_field_string(&j, "summary", run->a.summary);
        ctl_json_key(&j, "actions");
        ctl_json_array_begin(&j);
        for (unsigned i = 0; i < run->a.n_actions; i++)
                ctl_json_string(&j, run->a.actions[i]);
        ctl_json_array_end(&j);
        ctl_json_field_uint(&j, "rest_days", run->a.rest_days);
        ctl_json_field_double(&j, "acwr", run->a.acwr);
        ctl_json_object_end(&j);
        ctl_json_key(&j, "minutes");
        ctl_json_array_begin(&j);
        for (size_t i = 0; i < run->n_minutes; i++) {
                const struct gm_run_minute *m = &run->minutes[i];
                ctl_json_object_begin(&j);
                ctl_json_field_double(&j, "t_s", m->t_s);
                ctl_json_field_double(&j, "length_s", m->length_s);
                ctl_json_field_uint(&j, "steps", m->steps);
                ctl_json_field_double(&j, "cadence_spm", m->cadence_spm);
                ctl_json_field_double(&j, "vertical_osc_cm", m->vertical_osc_cm);
                json_metric(&j, GM_METRIC_STANCE, m->stance_ms);
                json_metric(&j, GM_METRIC_HIP_EXT, m->hip_ext_deg);
                json_metric(&j, GM_METRIC_PELVIC_DROP, m->pelvic_drop_deg);
                ctl_json_field_double(&j, "asymmetry_max_pct", m->asym_max_pct);
                ctl_json_field_double(&j, "fatigue", m->fatigue);
                ctl_json_object_end(&j);
        }
        ctl_json_array_end(&j);
        ctl_json_object_end(&j);
        ctl_json_finish(&j);
}

#define LABEL_WIDTH 16

static void label(const char *text)
{
        printf("%*s: ", LABEL_WIDTH, text);
}

/* A metric's two sides, or something of its sides in its unit under another label (text). */
static void print_pair(const char *text, enum gm_metric m, const double v[2])
{
        const struct gm_metric_info *info = gm_metric_info(m);
        char a[32], b[32];
        label(text ? text : info->label);
        if (!isfinite(v[0]) && !isfinite(v[1])) {
                printf("n/a\n");
                return;
        }
        printf("%s %s, %s %s\n", ctl_format_number(a, sizeof a, v[0], info->decimals, info->symbol),
               gm_metric_side_words(m, GM_SIDE_LEFT),
               ctl_format_number(b, sizeof b, v[1], info->decimals, info->symbol),
               gm_metric_side_words(m, GM_SIDE_RIGHT));
}

static const char *pair_cell(char *buf, size_t size, const double v[2], enum gm_metric m)
{
        int decimals = gm_metric_info(m)->decimals;
        char a[16], b[16];
        if (!isfinite(v[0]) && !isfinite(v[1])) {
                snprintf(buf, size, "n/a");
                return buf;
        }
        snprintf(buf, size, "%s/%s", ctl_format_number(a, sizeof a, v[0], decimals, ""),
                 ctl_format_number(b, sizeof b, v[1], decimals, ""));
        return buf;
}

/* An SI shift from baseline as the balance moved, in points of the left share, and what it means
 * for the side it points to: "3.0 points toward the right: the left hip extends less than at
 * baseline". */
static void print_shift(const char *text, const char *metric, double si_shift)
{
        double points = gm_balance_shift_points(si_shift);
        char phrase[128], line[256];

        label(text);
        if (!isfinite(points))
                printf("n/a\n");
        else if (fabs(points) < 0.05)
                printf("none\n");
        else {
                snprintf(line, sizeof line, "%.1f points toward the %s: %s than at baseline", fabs(points),
                         points > 0 ? "left" : "right",
                         gm_balance_side_phrase(metric, gm_balance_concern_side(metric, si_shift), phrase,
                                                sizeof phrase));
                ctl_print_wrapped(stdout, line, LABEL_WIDTH + 2, LABEL_WIDTH + 2, ctl_output_width(80));
        }
}

/* A run that stopped before its first minute was recorded has nothing but its start. */
static bool run_is_empty(const struct ctl_run *run)
{
        return run->n_minutes == 0 && run->s.steps == 0 && !(run->s.duration_s > 0);
}

static void print_text(const struct ctl_run *run)
{
        char buf[64];

        label("Run");
        printf("%llu (%s)\n", (unsigned long long)run->s.id, run->state);
        label("Start");
        printf("%s\n", ctl_format_timestamp(buf, sizeof buf, run->s.start_us));
        label("Activity");
        printf("%s\n", activity_name(run->s.activity));
        bool empty = run_is_empty(run), active = strcmp(run->state, "active") == 0;
        label("Duration");
        if (empty && active)
                printf("first minute not recorded yet\n");
        else if (empty)
                printf("n/a (%s before its first minute was recorded: no data)\n", run->state);
        else
                printf("%s%s\n", ctl_format_duration(buf, sizeof buf, run->s.duration_s),
                       strcmp(run->state, "interrupted") == 0 ? " (up to the last minute recorded)"
                       : active                               ? " so far"
                                                              : "");
        label("Steps");
        if (empty)
                printf("n/a\n");
        else
                printf("%llu\n", (unsigned long long)run->s.steps);
        label("Cadence");
        printf("%s\n", ctl_format_number(buf, sizeof buf, run->s.cadence_spm, 1, " steps/min"));
        label("Vertical osc.");
        printf("%s\n", ctl_format_number(buf, sizeof buf, run->s.vertical_osc_cm, 1, " cm"));
        print_pair(NULL, GM_METRIC_STANCE, run->s.stance_ms);
        print_pair(NULL, GM_METRIC_HIP_EXT, run->s.hip_ext_deg);
        print_pair(NULL, GM_METRIC_PELVIC_DROP, run->s.pelvic_drop_deg);
        label("Max asymmetry");
        double points = gm_balance_shift_points(run->s.asym_max_pct);
        if (isfinite(points)) {
                char noun[64];
                printf("%.1f points of balance from baseline%s%s%s\n", fabs(points), run->s.asym_metric[0] ? " (" : "",
                       run->s.asym_metric[0] ? gm_balance_metric_noun(run->s.asym_metric, noun, sizeof noun) : "",
                       run->s.asym_metric[0] ? ")" : "");
        } else
                printf("n/a\n");
        print_shift("Hip ext. shift", gm_metric_name(GM_METRIC_HIP_EXT), run->s.hip_ext_asym_pct);
        print_shift("Drop shift", gm_metric_name(GM_METRIC_PELVIC_DROP), run->s.pelvic_drop_asym_pct);
        print_pair("Drop rise", GM_METRIC_PELVIC_DROP, run->s.pelvic_drop_rise_deg);
        label("Max fatigue");
        if (isfinite(run->s.fatigue_max))
                printf("%.2f (level %u of 3)\n", run->s.fatigue_max, run->s.fatigue_level_max);
        else
                printf("n/a (the run was too short to learn its baseline)\n");
        /* The impact of every foot contact, summed when the run ends. */
        label("Load");
        if (strcmp(run->state, "active") == 0 && !(run->s.load > 0))
                printf("counted when the run ends\n");
        else
                printf("%s (impact of every step, for the workload ratio)\n",
                       ctl_format_number(buf, sizeof buf, run->s.load, 0, " g·steps"));
        label("Workload ratio");
        printf("%s\n", ctl_format_number(buf, sizeof buf, run->a.acwr, 2, " (acute:chronic)"));
        label("Rest days");
        printf("%u\n", run->a.rest_days);
        /* Wrapped to the screen (80 columns off one), under its label. */
        unsigned width = ctl_output_width(80);
        label("Advice");
        ctl_print_wrapped(stdout, run->a.summary[0] ? run->a.summary : "none", LABEL_WIDTH + 2, LABEL_WIDTH + 2, width);
        for (unsigned i = 0; i < run->a.n_actions; i++) {
                printf("%*s  - ", LABEL_WIDTH, "");
                ctl_print_wrapped(stdout, run->a.actions[i], LABEL_WIDTH + 4, LABEL_WIDTH + 4, width);
        }

        char fat_buf[32];
        if (run->n_minutes == 0) {
                printf("\nNo minutes recorded%s.\n", active ? " yet" : "");
                return;
        }
        printf("\n%6s %6s %8s %11s %13s %11s %7s %8s\n", "MINUTE", "STEPS", "CADENCE", "STANCE L/R", "HIP EXT L/R",
               "DROP L/R", "SHIFT", "FATIGUE");
        /* A shift in points of balance, like the summary's. */
        for (size_t i = 0; i < run->n_minutes; i++) {
                const struct gm_run_minute *m = &run->minutes[i];
                char cad[16], stance[32], hip[32], drop[32], asym[16], fat[16];
                printf("%6.0f %6llu %8s %11s %13s %11s %7s %8s\n", m->t_s / 60, (unsigned long long)m->steps,
                       ctl_format_number(cad, sizeof cad, m->cadence_spm, 1, ""),
                       pair_cell(stance, sizeof stance, m->stance_ms, GM_METRIC_STANCE),
                       pair_cell(hip, sizeof hip, m->hip_ext_deg, GM_METRIC_HIP_EXT),
                       pair_cell(drop, sizeof drop, m->pelvic_drop_deg, GM_METRIC_PELVIC_DROP),
                       ctl_format_number(asym, sizeof asym, gm_balance_shift_points(m->asym_max_pct), 1, ""),
                       ctl_format_number(fat, sizeof fat, m->fatigue, 2, ""));
        }
        const struct gm_run_minute *last = &run->minutes[run->n_minutes - 1];
        printf("\nDROP L/R: pelvic drop while on the left / right leg.\n"
               "SHIFT: the minute's largest shift of a left/right balance from its baseline,\n"
               "in points of the left share (49.2 %% L / 50.8 %% R is a left share of 49.2).\n");
        if (last->length_s < 59.5)
                printf("Minute %.0f is the run's last %s, not a whole minute.\n", last->t_s / 60,
                       ctl_format_duration(fat_buf, sizeof fat_buf, last->length_s));
}

static int write_svg(const struct ctl_run *run, const char *path)
{
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
                const struct gm_run_minute *m = &run->minutes[i];
                x[i] = (m->t_s + m->length_s / 2) / 60; /* the middle of the minute */
                cadence[i] = m->cadence_spm;
                asym[i] = gm_balance_shift_points(m->asym_max_pct);
                hip_l[i] = m->hip_ext_deg[0];
                hip_r[i] = m->hip_ext_deg[1];
        }
        const struct ctl_svg_series s_cadence[] = { { "cadence", "#1f77b4", cadence } };
        const struct ctl_svg_series s_asym[] = { { "largest shift", "#d62728", asym } };
        const struct ctl_svg_series s_hip[] = { { "left", "#2ca02c", hip_l }, { "right", "#9467bd", hip_r } };
        const struct ctl_svg_panel panels[] = {
                { "Cadence (steps/min)", 1, s_cadence },
                { "Asymmetry (largest balance shift from baseline, points)", 1, s_asym },
                { "Hip extension (degrees)", 2, s_hip },
        };
        snprintf(title, sizeof title, "Run %llu, %s, %s", (unsigned long long)run->s.id, activity_name(run->s.activity),
                 ctl_format_timestamp(start, sizeof start, run->s.start_us));
        double x_end = run->s.duration_s / 60;
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

int ctl_run_get(struct ctl_context *c, uint64_t id, struct ctl_run *run)
{
        DBusMessage *reply = NULL;
        dbus_uint64_t arg = id;
        int r;

        *run = (struct ctl_run){};
        r = ctl_bus_call_method(c->bus, CTL_BUS_INTERFACE, "GetRun", DBUS_TYPE_UINT64, &arg, RUN_SIGNATURE, &reply);
        if (r < 0)
                return r;
        r = read_run(reply, run);
        if (r < 0)
                ctl_log("Out of memory.");
        dbus_message_unref(reply);
        return r;
}

void ctl_run_clear(struct ctl_run *run)
{
        free(run->minutes);
        run->minutes = NULL;
        run->n_minutes = 0;
}

int ctl_show(struct ctl_context *c, uint64_t id)
{
        struct ctl_run run;
        int r;

        r = ctl_run_get(c, id, &run);
        if (r < 0)
                return r;
        /* The chart first: with --svg - the document goes to stdout and the rest is left out. */
        if (c->svg_path)
                r = write_svg(&run, c->svg_path);
        if (r >= 0 && !(c->svg_path && strcmp(c->svg_path, "-") == 0)) {
                if (c->json)
                        print_json(&run);
                else {
                        (void)ctl_pager_open(c->no_pager);
                        print_text(&run);
                        ctl_pager_close();
                }
        }
        ctl_run_clear(&run);
        return r;
}
