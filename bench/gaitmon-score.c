/* gaitmon-score: detection accuracy of the pipeline on recordings with ground truth. */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gm_events.h"
#include "gm_match.h"
#include "gm_replay.h"
#include "gm_stats.h"
#include "u-turns.h"

struct group {
        const char *name;
        unsigned files;
        struct gm_match_stats ic, fc;
        double stance_err_sum;
        size_t stance_n;
        double cad_err_sum, cad_err_max;
        unsigned cad_n;
        double hip_ext_err_max, hip_range_err_max, hip_ext_err_sum, hip_range_err_sum;
        unsigned hip_n, hip_missing;
        size_t ic_known_tp;        /* ic with a side matched whatever it: the share with the right side */
        size_t ic_unknown, ic_det; /* detected ic whose side is unknown, of all detected (in bouts) */
        unsigned act_n, act_ok;    /* files whose reported activity is the recording's */
        double vosc_err_sum, vosc_err_max;
        unsigned vosc_n, vosc_missing;
};

/* Per-stride hip extension of the reference (NAME.hipext.csv). */
struct hip_ref {
        size_t n[2];
        double ext[2][512], range[2][512];
        double from, to;
};

static int hip_ref_read(const char *path, struct hip_ref *h)
{
        FILE *f = fopen(path, "r");
        if (!f)
                return -errno;
        memset(h, 0, sizeof(*h));
        h->from = INFINITY;
        h->to = -INFINITY;
        char line[512];
        int r = 0;
        if (!fgets(line, sizeof(line), f) || strncmp(line, "side,stride_start_s,stride_end_s,peak_ext_deg", 45) != 0)
                r = -EINVAL;
        while (r == 0 && fgets(line, sizeof(line), f)) {
                char side[16];
                double a, b, ext, t, flex, range;
                if (sscanf(line, "%15[^,],%lf,%lf,%lf,%lf,%lf,%lf", side, &a, &b, &ext, &t, &flex, &range) != 7) {
                        r = -EINVAL;
                        break;
                }
                int sd = gm_side_from_name(side);
                if (sd < 0 || sd > GM_SIDE_RIGHT || h->n[sd] >= 512)
                        continue;
                h->ext[sd][h->n[sd]] = ext;
                h->range[sd][h->n[sd]++] = range;
                h->from = fmin(h->from, a);
                h->to = fmax(h->to, b);
        }
        fclose(f);
        return r;
}

/* Mean vertical oscillation per recording from its motion capture (vertical-oscillation.csv). */
#define VOSC_REFS 64
static struct vosc_ref {
        char name[64];
        double mean_cm;
} vosc_refs[VOSC_REFS];
static size_t n_vosc_refs;

static int vosc_ref_read(const char *path)
{
        FILE *f = fopen(path, "r");
        if (!f)
                return -errno;
        char line[256];
        int r = 0;
        if (!fgets(line, sizeof(line), f) || strncmp(line, "name,steps,mean_cm", 18) != 0)
                r = -EINVAL;
        while (r == 0 && n_vosc_refs < VOSC_REFS && fgets(line, sizeof(line), f)) {
                struct vosc_ref *v = &vosc_refs[n_vosc_refs];
                unsigned steps;
                if (sscanf(line, "%63[^,],%u,%lf", v->name, &steps, &v->mean_cm) != 3) {
                        r = -EINVAL;
                        break;
                }
                n_vosc_refs++;
        }
        fclose(f);
        return r;
}

/* A recording's mean vertical oscillation against its reference's, when it has one. */
static void score_vosc(const char *base, double cm, struct group *g)
{
        size_t len = strcspn(base, " ");
        for (size_t i = 0; i < n_vosc_refs; i++) {
                if (strlen(vosc_refs[i].name) != len || strncmp(vosc_refs[i].name, base, len) != 0)
                        continue;
                printf("  vertical oscillation %.2f cm (motion capture %.2f cm)\n", cm, vosc_refs[i].mean_cm);
                if (!isfinite(cm)) {
                        g->vosc_missing++;
                        return;
                }
                double err = fabs(cm - vosc_refs[i].mean_cm);
                g->vosc_err_sum += err;
                g->vosc_err_max = fmax(g->vosc_err_max, err);
                g->vosc_n++;
                return;
        }
}

static double median_of(double *v, size_t n)
{
        return gm_median(v, n);
}

enum {
        G_PELVIS_WALK,
        G_PELVIS_SLOW_WALK,
        G_PELVIS_RUN,
        G_SHANK_RUN,
        G_SHANK_WALK,
        G_FOOT_WALK,
        G_FOOT_RUN,
        G_LEGS_RUN,
        G_LEGS_RUN_FEET,
        G_LEGS_WALK,
        G_LEGS_WALK_FEET,
        G_OTHER,
        G_COUNT
};
static struct group groups[G_COUNT] = {
        { .name = "pelvis walking" }, { .name = "pelvis slow walking" }, { .name = "pelvis running" },
        { .name = "shank running" },  { .name = "shank walking" },       { .name = "foot walking" },
        { .name = "foot running" },   { .name = "legs running" },        { .name = "legs+feet running" },
        { .name = "legs walking" },   { .name = "legs+feet walking" },   { .name = "other" },
};

static const unsigned feet_mask = (1u << GM_LOC_LEFT_FOOT) | (1u << GM_LOC_RIGHT_FOOT);

static int classify(const char *base, const struct gm_recording *rec)
{
        unsigned shanks = (1u << GM_LOC_LEFT_SHANK) | (1u << GM_LOC_RIGHT_SHANK);
        unsigned feet = feet_mask;
        unsigned thighs = (1u << GM_LOC_LEFT_HIP) | (1u << GM_LOC_RIGHT_HIP);
        bool running = strcmp(rec->activity, "running") == 0;
        if (rec->loc_mask & thighs) {
                if (rec->loc_mask & feet)
                        return running ? G_LEGS_RUN_FEET : G_LEGS_WALK_FEET;
                return running ? G_LEGS_RUN : G_LEGS_WALK;
        }
        if (rec->loc_mask & feet)
                return running ? G_FOOT_RUN : G_FOOT_WALK;
        if (rec->loc_mask & shanks)
                return running ? G_SHANK_RUN : G_SHANK_WALK;
        if (rec->loc_mask == (1u << GM_LOC_PELVIS))
                /* wbds' treadmill walk at 0.5 m/s (68 steps/min) is kept apart from the
                 * lower-back recordings of everyday walking. */
                return running ? G_PELVIS_RUN : strncmp(base, "wbds", 4) == 0 ? G_PELVIS_SLOW_WALK : G_PELVIS_WALK;
        return G_OTHER;
}

static void add_stats(struct gm_match_stats *a, const struct gm_match_stats *b)
{
        a->tp += b->tp;
        a->fp += b->fp;
        a->fn += b->fn;
        a->abs_err_sum += b->abs_err_sum;
}

static double ms(double sum, size_t n)
{
        return n ? 1000.0 * sum / n : NAN;
}

static void row(const char *name, const struct gm_match_stats *ic, const struct gm_match_stats *fc,
                double stance_err_sum, size_t stance_n, double cad_err)
{
        printf("%-36s %5.3f %5.3f %5.3f %6.1f | %5.3f %6.1f | %6.1f | %5.2f\n", name, gm_match_precision(ic),
               gm_match_recall(ic), gm_match_f1(ic), ms(ic->abs_err_sum, ic->tp), gm_match_f1(fc),
               ms(fc->abs_err_sum, fc->tp), ms(stance_err_sum, stance_n), cad_err);
}

static bool ends_with(const char *s, const char *suffix)
{
        size_t a = strlen(s), b = strlen(suffix);
        return a >= b && strcmp(s + a - b, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Median hip extension and range per side against the reference's medians. */
static void score_hip(const char *base, const struct hip_ref *h, const struct gm_replay *rep, struct group *g)
{
        static double ext[4096], range[4096], thigh[4096];
        for (int sd = 0; sd < 2; sd++) {
                if (!h->n[sd])
                        continue;
                size_t n = 0, nt = 0, all = 0;
                for (size_t i = 0; i < rep->strides.n && n < 4096; i++) {
                        const struct gm_stride *st = &rep->strides.st[i];
                        if ((int)st->side != sd || st->t_ic < h->from - 0.5 || st->t_next_ic > h->to + 0.5)
                                continue;
                        all++;
                        if (isfinite(st->thigh_ext_deg))
                                thigh[nt++] = st->thigh_ext_deg;
                        if (!isfinite(st->hip_ext_deg))
                                continue;
                        ext[n] = st->hip_ext_deg;
                        range[n++] = st->hip_range_deg;
                }
                double rext[512], rrange[512];
                memcpy(rext, h->ext[sd], h->n[sd] * sizeof(double));
                memcpy(rrange, h->range[sd], h->n[sd] * sizeof(double));
                double re = median_of(rext, h->n[sd]), rr = median_of(rrange, h->n[sd]);
                double de = n ? median_of(ext, n) : NAN, dr = n ? median_of(range, n) : NAN;
                double dt = nt ? median_of(thigh, nt) : NAN;
                printf("  hip %-5s strides %3zu/%3zu ext %6.1f (truth %5.1f, err %+5.1f)  range %5.1f (truth %5.1f, "
                       "err %+5.1f)"
                       "  thigh ext %5.1f\n",
                       gm_side_name(sd), n, all, de, re, de - re, dr, rr, dr - rr, dt);
                if (!n) {
                        g->hip_missing++;
                        continue;
                }
                g->hip_n++;
                g->hip_ext_err_sum += fabs(de - re);
                g->hip_range_err_sum += fabs(dr - rr);
                g->hip_ext_err_max = fmax(g->hip_ext_err_max, fabs(de - re));
                g->hip_range_err_max = fmax(g->hip_range_err_max, fabs(dr - rr));
        }
        (void)base;
}

/* Matching criteria other than the defaults, to split side errors from timing errors. */
static double ic_tolerance = 0.10;
static bool any_side;
/* U-turns added to the pelvis of recordings with bouts, and how many. */
static bool u_turns;
static unsigned n_turns;
/* Accelerometers alone: every gyroscope column left out. */
static bool no_gyro;

/* Which sensors of a recording are scored. */
enum variant { ALL, NO_FEET, PELVIS_ONLY, FEET_ONLY };

static int score_file(const char *dir, const char *file, const char *dump_dir, enum variant v)
{
        char path[4096], base[4096], tpath[4200], bpath[4200], err[512];
        snprintf(path, sizeof(path), "%s/%s", dir, file);
        snprintf(base, sizeof(base), "%.*s", (int)(strlen(file) - 4), file);
        snprintf(tpath, sizeof(tpath), "%s/%s.events.csv", dir, base);
        snprintf(bpath, sizeof(bpath), "%s/%s.bouts.csv", dir, base);

        struct gm_recording *rec;
        int r = gm_recording_read(path, &rec, err, sizeof(err), NULL, NULL);
        if (r < 0) {
                fprintf(stderr, "%s\n", err);
                return r;
        }
        struct gm_event_list truth = { 0 };
        struct gm_bout_list bouts = { 0 };
        bool have_bouts = false;
        r = gm_events_read(tpath, &truth, err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "%s\n", err);
                gm_recording_free(rec);
                return r;
        }
        FILE *bf = fopen(bpath, "r");
        if (bf) {
                fclose(bf);
                r = gm_bouts_read(bpath, &bouts, err, sizeof(err));
                if (r < 0) {
                        fprintf(stderr, "%s\n", err);
                        goto out;
                }
                have_bouts = true;
        }
        if (u_turns && have_bouts)
                n_turns += gm_add_u_turns(rec, &bouts, &truth);
        if (no_gyro)
                rec->gyr_mask = 0;
        if (v == NO_FEET) {
                rec->loc_mask &= ~feet_mask;
                rec->gyr_mask &= ~feet_mask;
                strcat(base, " -feet");
        } else if (v == FEET_ONLY) {
                rec->loc_mask &= feet_mask;
                rec->gyr_mask &= feet_mask;
                strcat(base, " feet");
        } else if (v == PELVIS_ONLY) {
                rec->loc_mask &= 1u << GM_LOC_PELVIS;
                rec->gyr_mask &= 1u << GM_LOC_PELVIS;
                strcat(base, " pelvis");
        }
        struct gm_replay rep;
        r = gm_replay_run(rec, NULL, &rep, NULL, NULL);
        if (r < 0) {
                fprintf(stderr, "%s: pipeline failed: %s\n", path, strerror(-r));
                goto out;
        }
        if (dump_dir) {
                char dpath[4200];
                snprintf(dpath, sizeof(dpath), "%s/%s.events.csv", dump_dir, base);
                FILE *f = fopen(dpath, "w");
                if (f) {
                        gm_events_write(f, &rep.events);
                        fclose(f);
                }
        }
        struct gm_match_opts o;
        gm_match_opts_default(&o);
        o.bouts = have_bouts ? &bouts : NULL;
        o.skip_fc_after_first_ic = strncmp(base, "mobgap_", 7) == 0;
        o.tol_ic = ic_tolerance;
        o.any_side = any_side;
        struct gm_match_result res;
        r = gm_match(&truth, &rep.events, &o, &res);
        if (r < 0) {
                gm_replay_clear(&rep);
                goto out;
        }
        /* Sides: of the contacts given one, how many are right; unknown is not a guess. */
        struct gm_event_list known = { 0 };
        size_t unknown = 0, det_ic = 0;
        for (size_t i = 0; i < rep.events.n; i++) {
                const struct gm_event *e = &rep.events.ev[i];
                bool in = !have_bouts;
                for (size_t b = 0; b < bouts.n && !in; b++)
                        in = e->t >= bouts.b[b].start - o.tol_ic && e->t <= bouts.b[b].end + o.tol_ic;
                if (e->kind == GM_EVENT_IC && in) {
                        det_ic++;
                        unknown += e->side == GM_SIDE_UNKNOWN;
                }
                if (e->side != GM_SIDE_UNKNOWN && gm_event_list_add(&known, e) < 0) {
                        r = -ENOMEM;
                        gm_event_list_clear(&known);
                        gm_replay_clear(&rep);
                        goto out;
                }
        }
        struct gm_match_result any;
        o.any_side = true;
        r = gm_match(&truth, &known, &o, &any);
        gm_event_list_clear(&known);
        if (r < 0) {
                gm_replay_clear(&rep);
                goto out;
        }
        double cad_err = 100.0 * fabs(res.cadence_det - res.cadence_true) / res.cadence_true;
        row(base, &res.ic, &res.fc, res.stance_err_sum, res.stance_n, cad_err);
        struct group *g = &groups[classify(base, rec)];
        g->ic_known_tp += any.ic.tp;
        g->ic_unknown += unknown;
        g->ic_det += det_ic;
        /* The activity the pipeline reports for most of the recording's strides. */
        size_t votes[3] = { 0 };
        for (size_t i = 0; i < rep.strides.n; i++)
                if (rep.strides.st[i].activity <= GM_ACTIVITY_RUNNING)
                        votes[rep.strides.st[i].activity]++;
        enum gm_activity said = votes[GM_ACTIVITY_RUNNING] > votes[GM_ACTIVITY_WALKING] ? GM_ACTIVITY_RUNNING
                                : votes[GM_ACTIVITY_WALKING]                            ? GM_ACTIVITY_WALKING
                                                                                        : GM_ACTIVITY_IDLE;
        g->act_n++;
        g->act_ok += strcmp(gm_activity_name(said), rec->activity) == 0;
        printf("  side right for %5.1f %% of matched ic with a side, unknown for %zu of %zu ic, activity %s\n",
               any.ic.tp && !any_side ? 100.0 * res.ic.tp / any.ic.tp : NAN, unknown, det_ic, gm_activity_name(said));
        /* Vertical oscillation is the pelvis', hip extension needs a thigh: the feet alone do
         * not claim them, nor the pelvis alone hip extension. */
        if (v != FEET_ONLY)
                score_vosc(base, rep.final.vertical_osc_mean_cm, g);
        char hpath[4200];
        snprintf(hpath, sizeof(hpath), "%s/%.*s.hipext.csv", dir, (int)(strlen(file) - 4), file);
        struct hip_ref *h = malloc(sizeof(*h));
        if (h && v != PELVIS_ONLY && v != FEET_ONLY && hip_ref_read(hpath, h) == 0)
                score_hip(base, h, &rep, g);
        free(h);
        gm_replay_clear(&rep);
        g->files++;
        add_stats(&g->ic, &res.ic);
        add_stats(&g->fc, &res.fc);
        g->stance_err_sum += res.stance_err_sum;
        g->stance_n += res.stance_n;
        if (isfinite(res.cadence_true)) {
                if (!isfinite(cad_err))
                        cad_err = 100;
                g->cad_err_sum += cad_err;
                g->cad_err_max = fmax(g->cad_err_max, cad_err);
                g->cad_n++;
        }
out:
        gm_event_list_clear(&truth);
        gm_bout_list_clear(&bouts);
        gm_recording_free(rec);
        return r;
}

static void usage(FILE *f)
{
        fputs("Usage: gaitmon-score [--dump DIR] [--only SUBSTRING] [--ic-tolerance S] [--any-side]\n"
              "                    [--u-turns] [--no-gyro] [--vosc-truth FILE] [DATASET_DIR]\n"
              "\n"
              "Runs every recording in DATASET_DIR (default ../shared/datasets) that has a\n"
              "NAME.events.csv ground truth through the gait pipeline and prints, per file and\n"
              "per dataset group: ic precision, recall, F1 and mean absolute timing error,\n"
              "fc F1 and timing error, stance-time error and cadence error; per group also the\n"
              "share of ic given a side and matched whatever it that have the right side (side%),\n"
              "the share of detected ic whose side is unknown (unkn%) and\n"
              "how many files are reported as their activity (act). rbds/wbds are scored again\n"
              "without the feet, and once more with the pelvis alone; rbds also with the feet alone.\n"
              "Matching: ic within 0.10 s, fc within 0.15 s, same side (truth 'unknown' matches\n"
              "either); only inside NAME.bouts.csv spans when that file exists.\n"
              "Cadence: 120 / the median stride, a foot's contact to its next with a contact\n"
              "between (of a one-leg recording, its leg's), detected against the reference's.\n"
              "Vertical oscillation: each recording's mean against the motion capture's\n"
              "(the rows of --vosc-truth), per group the mean and largest absolute error.\n"
              "\n"
              "  --dump DIR       write the detected events of each file to DIR/NAME.events.csv\n"
              "                   (rbds/wbds also to 'NAME -feet.events.csv' and 'NAME pelvis.events.csv',\n"
              "                   rbds to 'NAME feet.events.csv')\n"
              "  --only SUBSTRING score only files whose name contains SUBSTRING\n"
              "  --ic-tolerance S match ic within S seconds instead of 0.10\n"
              "  --any-side       match events whatever their side\n"
              "  --u-turns        add a 2 s U-turn to the pelvis (its yaw, and its centripetal\n"
              "                   acceleration at 1 m/s) in the middle of each bout shorter than\n"
              "                   8 s and every 6 s of a longer one (recordings with\n"
              "                   NAME.bouts.csv): how turns move what the pelvis finds\n"
              "  --no-gyro        leave out every gyroscope column: sensors with accelerometers alone\n"
              "  --vosc-truth FILE  mean vertical oscillation of recordings (name,steps,mean_cm,...);\n"
              "                   default " GM_VOSC_TRUTH
              "\n"
              "  -h, --help       this text\n",
              f);
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                { "dump", required_argument, NULL, 'd' },
                { "only", required_argument, NULL, 'o' },
                { "ic-tolerance", required_argument, NULL, 't' },
                { "any-side", no_argument, NULL, 's' },
                { "u-turns", no_argument, NULL, 'u' },
                { "no-gyro", no_argument, NULL, 'g' },
                { "vosc-truth", required_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        const char *dump = NULL, *only = NULL, *vosc_truth = GM_VOSC_TRUTH;
        int c;
        while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (c) {
                case 'd':
                        dump = optarg;
                        break;
                case 'o':
                        only = optarg;
                        break;
                case 't': {
                        char *end;
                        errno = 0;
                        ic_tolerance = strtod(optarg, &end);
                        if (errno || end == optarg || *end || !(ic_tolerance > 0 && ic_tolerance <= 1)) {
                                fprintf(stderr, "gaitmon-score: --ic-tolerance wants seconds in (0, 1], not '%s'\n",
                                        optarg);
                                return 2;
                        }
                        break;
                }
                case 's':
                        any_side = true;
                        break;
                case 'u':
                        u_turns = true;
                        break;
                case 'g':
                        no_gyro = true;
                        break;
                case 'v':
                        vosc_truth = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        const char *dir = optind < argc ? argv[optind] : "../shared/datasets";
        int vr = vosc_ref_read(vosc_truth);
        if (vr < 0) {
                fprintf(stderr, "gaitmon-score: %s: %s\n", vosc_truth,
                        vr == -EINVAL ? "not a name,steps,mean_cm table" : strerror(-vr));
                return 1;
        }
        DIR *d = opendir(dir);
        if (!d) {
                fprintf(stderr, "gaitmon-score: %s: %s\n", dir, strerror(errno));
                return 1;
        }
        char *names[4096];
        size_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)) && n < 4096) {
                const char *nm = de->d_name;
                if (!ends_with(nm, ".csv") || ends_with(nm, ".events.csv") || ends_with(nm, ".bouts.csv"))
                        continue;
                if (only && !strstr(nm, only))
                        continue;
                char tpath[4200];
                snprintf(tpath, sizeof(tpath), "%s/%.*s.events.csv", dir, (int)(strlen(nm) - 4), nm);
                FILE *f = fopen(tpath, "r");
                if (!f)
                        continue;
                fclose(f);
                names[n++] = strdup(nm);
        }
        closedir(d);
        qsort(names, n, sizeof(char *), cmp_str);
        if (ic_tolerance != 0.10 || any_side)
                printf("matching: ic within %.3f s, %s\n\n", ic_tolerance, any_side ? "any side" : "same side");
        printf("%-36s %5s %5s %5s %6s | %5s %6s | %6s | %5s\n", "recording", "icP", "icR", "icF1", "icMAE", "fcF1",
               "fcMAE", "stErr", "cad%");
        printf("%-36s %5s %5s %5s %6s | %5s %6s | %6s | %5s\n", "", "", "", "", "ms", "", "ms", "ms", "");
        int failures = 0;
        for (size_t i = 0; i < n; i++) {
                if (score_file(dir, names[i], dump, ALL) < 0)
                        failures++;
                /* Legs with feet are scored again without them: the feet must not be needed;
                 * and with the pelvis alone, as the belt pack is worn. */
                if (strncmp(names[i], "rbds", 4) == 0 || strncmp(names[i], "wbds", 4) == 0)
                        if (score_file(dir, names[i], dump, NO_FEET) < 0)
                                failures++;
                if (strncmp(names[i], "rbds", 4) == 0 || strncmp(names[i], "wbds", 4) == 0)
                        if (score_file(dir, names[i], dump, PELVIS_ONLY) < 0)
                                failures++;
                /* And the runners with their feet alone, as foot pods are worn. */
                if (strncmp(names[i], "rbds", 4) == 0)
                        if (score_file(dir, names[i], dump, FEET_ONLY) < 0)
                                failures++;
                free(names[i]);
        }
        if (u_turns)
                printf("\nu-turns: %u added to the pelvis of the recordings with bouts\n", n_turns);
        printf("\n%-36s %5s %5s %5s %6s | %5s %6s | %6s | %5s %5s | %5s %5s %4s\n", "group (files)", "icP", "icR",
               "icF1", "icMAE", "fcF1", "fcMAE", "stErr", "cad%", "max%", "side%", "unkn%", "act");
        for (int g = 0; g < G_COUNT; g++) {
                if (!groups[g].files)
                        continue;
                char name[64];
                snprintf(name, sizeof(name), "%s (%u)", groups[g].name, groups[g].files);
                printf("%-36s %5.3f %5.3f %5.3f %6.1f | %5.3f %6.1f | %6.1f | %5.2f %5.2f | %5.1f %5.1f %u/%u\n", name,
                       gm_match_precision(&groups[g].ic), gm_match_recall(&groups[g].ic), gm_match_f1(&groups[g].ic),
                       ms(groups[g].ic.abs_err_sum, groups[g].ic.tp), gm_match_f1(&groups[g].fc),
                       ms(groups[g].fc.abs_err_sum, groups[g].fc.tp), ms(groups[g].stance_err_sum, groups[g].stance_n),
                       groups[g].cad_n ? groups[g].cad_err_sum / groups[g].cad_n : NAN, groups[g].cad_err_max,
                       groups[g].ic_known_tp && !any_side ? 100.0 * groups[g].ic.tp / groups[g].ic_known_tp : NAN,
                       groups[g].ic_det ? 100.0 * groups[g].ic_unknown / groups[g].ic_det : NAN, groups[g].act_ok,
                       groups[g].act_n);
        }
        printf("\n%-36s %5s %8s %8s %8s %8s %7s\n", "hip extension vs *.hipext.csv", "sides", "extMAE", "extMax",
               "rngMAE", "rngMax", "missing");
        for (int g = 0; g < G_COUNT; g++) {
                const struct group *gr = &groups[g];
                if (!gr->hip_n && !gr->hip_missing)
                        continue;
                printf("%-36s %5u %8.1f %8.1f %8.1f %8.1f %7u\n", gr->name, gr->hip_n,
                       gr->hip_n ? gr->hip_ext_err_sum / gr->hip_n : NAN, gr->hip_ext_err_max,
                       gr->hip_n ? gr->hip_range_err_sum / gr->hip_n : NAN, gr->hip_range_err_max, gr->hip_missing);
        }
        printf("\n%-36s %5s %8s %8s %7s\n", "vertical osc. vs motion capture, cm", "files", "errMean", "errMax",
               "missing");
        for (int g = 0; g < G_COUNT; g++) {
                const struct group *gr = &groups[g];
                if (!gr->vosc_n && !gr->vosc_missing)
                        continue;
                printf("%-36s %5u %8.2f %8.2f %7u\n", gr->name, gr->vosc_n,
                       gr->vosc_n ? gr->vosc_err_sum / gr->vosc_n : NAN, gr->vosc_err_max, gr->vosc_missing);
        }
        return failures ? 1 : 0;
}
