/* gaitmon-analyze: runs a recording through the gait pipeline and summarises it. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gm_asym.h"
#include "gm_cadence.h"
#include "gm_events.h"
#include "gm_replay.h"
#include "gm_stats.h"

#define PROGRESS_MIN_BYTES (5u << 20)

static const char *prog = "gaitmon-analyze";

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: %s [OPTIONS] RECORDING.csv\n"
                "\n"
                "Feed a gaitmon recording (CSV v1) through the gait pipeline and print a summary:\n"
                "steps, cadence, vertical oscillation, stance/swing/stride time, hip extension\n"
                "and range, pelvic drop and impact per side, left/right asymmetry (SI %%,\n"
                "positive = left larger),\n"
                "asymmetry spikes, bad samples and time gaps.\n"
                "\n"
                "Options:\n"
                "  -e, --events FILE    write the detected gait events to FILE (time_s,side,event)\n"
                "  -s, --strides FILE   write one row per stride to FILE (CSV)\n"
                "  -j, --json           print the summary as one JSON object\n"
                "  -q, --quiet          no progress line (shown on a terminal for files over 5 MiB)\n"
                "  -h, --help           show this help and exit\n"
                "      --version        show the version and exit\n"
                "\n"
                "Exit status: 0 on success, 1 when a file cannot be read or written, 2 on bad usage.\n",
                prog);
}

/* ---- progress on a terminal ---- */

struct progress {
        bool on;
        const char *what;
        int last;
};

static void progress_cb(size_t done, size_t total, void *ud)
{
        struct progress *p = ud;
        if (!p->on || !total)
                return;
        int pct = (int)(100.0 * (double)done / (double)total);
        if (pct > 100)
                pct = 100;
        if (pct == p->last)
                return;
        p->last = pct;
        fprintf(stderr, "\r%s %3d%%", p->what, pct);
}

static void progress_clear(struct progress *p)
{
        if (p->on && p->last >= 0)
                fputs("\r\033[K", stderr);
        p->last = -1;
}

/* ---- output files: written to a temp file, renamed when complete ---- */

static char *temp_paths[2];

static void on_signal(int sig)
{
        for (size_t i = 0; i < 2; i++)
                if (temp_paths[i])
                        unlink(temp_paths[i]);
        signal(sig, SIG_DFL);
        raise(sig);
}

static int cmp_stride(const void *a, const void *b)
{
        const struct gm_stride *x = a, *y = b;
        if (x->t_ic != y->t_ic)
                return (x->t_ic > y->t_ic) - (x->t_ic < y->t_ic);
        return (int)x->side - (int)y->side;
}

/* An empty field for NaN, as the stride table promises. */
static void csv_num(FILE *f, double v, const char *fmt)
{
        fputc(',', f);
        if (isfinite(v))
                fprintf(f, fmt, v);
}

static int write_strides(FILE *f, const void *data)
{
        const struct gm_stride_list *list = data;
        struct gm_stride *st = NULL;
        if (list->n) {
                st = malloc(list->n * sizeof(*st));
                if (!st)
                        return -ENOMEM;
                memcpy(st, list->st, list->n * sizeof(*st));
                qsort(st, list->n, sizeof(*st), cmp_stride);
        }
        fputs("side,t_ic_s,t_fc_s,t_next_ic_s,stride_s,stance_ms,swing_ms,cadence_spm,"
              "hip_ext_deg,hip_range_deg,thigh_ext_deg,thigh_range_deg,pelvic_drop_deg,impact_g,vertical_osc_cm\n",
              f);
        for (size_t i = 0; i < list->n; i++) {
                const struct gm_stride *s = &st[i];
                fputs(gm_side_name(s->side), f);
                csv_num(f, s->t_ic, "%.6f");
                csv_num(f, s->t_fc, "%.6f");
                csv_num(f, s->t_next_ic, "%.6f");
                csv_num(f, s->stride_s, "%.6f");
                csv_num(f, s->stance_s * 1000, "%.1f");
                csv_num(f, s->swing_s * 1000, "%.1f");
                csv_num(f, s->cadence_spm, "%.2f");
                csv_num(f, s->hip_ext_deg, "%.2f");
                csv_num(f, s->hip_range_deg, "%.2f");
                csv_num(f, s->thigh_ext_deg, "%.2f");
                csv_num(f, s->thigh_range_deg, "%.2f");
                csv_num(f, s->pelvic_drop_deg, "%.2f");
                csv_num(f, s->impact_g, "%.3f");
                csv_num(f, s->vertical_osc_cm, "%.2f");
                fputc('\n', f);
        }
        free(st);
        return ferror(f) ? -EIO : 0;
}

static int write_events(FILE *f, const void *data)
{
        return gm_events_write(f, data);
}

/* Returns 0, or prints one line naming the file and returns a negative errno. */
static int write_atomic(const char *path, int slot, int (*fn)(FILE *, const void *), const void *data)
{
        size_t l = strlen(path);
        char *tmp = malloc(l + 8);
        if (!tmp) {
                fprintf(stderr, "%s: %s: out of memory\n", prog, path);
                return -ENOMEM;
        }
        memcpy(tmp, path, l);
        memcpy(tmp + l, ".XXXXXX", 8);
        int fd = mkstemp(tmp);
        if (fd < 0) {
                int e = errno;
                fprintf(stderr, "%s: cannot create %s: %s\n", prog, path, strerror(e));
                free(tmp);
                return -e;
        }
        temp_paths[slot] = tmp;
        /* mkstemp makes the file 0600; give it the mode a plain create would. */
        mode_t um = umask(0);
        umask(um);
        fchmod(fd, 0666 & ~um);
        int r = 0;
        FILE *f = fdopen(fd, "w");
        if (!f) {
                r = -errno;
                close(fd);
        } else {
                r = fn(f, data);
                if (fflush(f) != 0 && r >= 0)
                        r = -errno;
                if (r >= 0 && fsync(fileno(f)) != 0 && errno != EINVAL)
                        r = -errno;
                if (fclose(f) != 0 && r >= 0)
                        r = -errno;
        }
        if (r >= 0 && rename(tmp, path) != 0)
                r = -errno;
        if (r < 0) {
                fprintf(stderr, "%s: cannot write %s: %s\n", prog, path, strerror(-r));
                unlink(tmp);
        }
        temp_paths[slot] = NULL;
        free(tmp);
        return r;
}

/* ---- summary ---- */

struct side_values {
        double v[GM_METRIC_COUNT][2]; /* per-side median over all strides, SI units */
        double si[GM_METRIC_COUNT];
        double cadence_spm;     /* median over all strides */
        double cadence_fft_spm; /* median of the FFT estimates while walking */
        double vertical_osc_cm; /* median over all strides */
        size_t strides[2];
};

/* Whole-recording values: medians over every stride rather than the pipeline's recent window. */
static int summarise(const struct gm_stride_list *list, struct side_values *out)
{
        double *buf = malloc((list->n ? list->n : 1) * sizeof(double));
        if (!buf)
                return -ENOMEM;
        memset(out, 0, sizeof(*out));
        for (size_t i = 0; i < list->n; i++)
                if (list->st[i].side <= GM_SIDE_RIGHT)
                        out->strides[list->st[i].side]++;
        for (int m = 0; m < GM_METRIC_COUNT; m++) {
                for (int s = 0; s < 2; s++) {
                        size_t k = 0;
                        for (size_t i = 0; i < list->n; i++) {
                                double v = gm_stride_metric(&list->st[i], m);
                                if ((int)list->st[i].side == s && isfinite(v))
                                        buf[k++] = v;
                        }
                        out->v[m][s] = gm_median(buf, k);
                }
                out->si[m] = gm_metric_si(m, out->v[m][0], out->v[m][1]);
        }
        size_t k = 0;
        for (size_t i = 0; i < list->n; i++)
                if (isfinite(list->st[i].cadence_spm))
                        buf[k++] = list->st[i].cadence_spm;
        out->cadence_spm = gm_median(buf, k);
        k = 0;
        for (size_t i = 0; i < list->n; i++)
                if (isfinite(list->st[i].vertical_osc_cm))
                        buf[k++] = list->st[i].vertical_osc_cm;
        out->vertical_osc_cm = gm_median(buf, k);
        free(buf);
        return 0;
}

struct summary {
        const char *path;
        const struct gm_recording_info *rec;
        const struct gm_replay *rp;
        struct side_values sv;
};

/* A value with its unit, or n/a. */
static void fmt_value(char *buf, size_t len, double v, const char *fmt, const char *unit)
{
        if (!isfinite(v)) {
                snprintf(buf, len, "n/a");
                return;
        }
        int n = snprintf(buf, len, fmt, v);
        if (n >= 0 && (size_t)n < len)
                snprintf(buf + n, len - n, " %s", unit);
}

/* A stride's value of a metric as the metric table shows it: "281 ms". */
static void fmt_metric(char *buf, size_t len, double v, enum gm_metric m)
{
        const struct gm_metric_info *info = gm_metric_info(m);
        if (isfinite(v))
                snprintf(buf, len, "%.*f %s", info->decimals, v * info->scale, info->unit);
        else
                snprintf(buf, len, "n/a");
}

#define TEXT_ROWS 32

struct text_rows {
        int n;
        char key[TEXT_ROWS][32];
        char val[TEXT_ROWS][512];
};

static void row(struct text_rows *t, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void row(struct text_rows *t, const char *key, const char *fmt, ...)
{
        if (t->n == TEXT_ROWS)
                return;
        snprintf(t->key[t->n], sizeof(t->key[t->n]), "%s", key);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(t->val[t->n], sizeof(t->val[t->n]), fmt, ap);
        va_end(ap);
        t->n++;
}

static void sensors_text(const struct gm_recording_info *rec, char *buf, size_t len)
{
        size_t used = 0;
        buf[0] = 0;
        for (int l = 0; l < GM_LOC_COUNT && used < len; l++) {
                if (!(rec->loc_mask & (1u << l)))
                        continue;
                used += snprintf(buf + used, len - used, "%s%s (%s)", used ? ", " : "", gm_loc_name(l),
                                 (rec->gyr_mask & (1u << l)) ? "acc+gyr" : "acc");
        }
}

static void print_text(const struct summary *s)
{
        const struct gm_recording_info *rec = s->rec;
        const struct gm_replay *rp = s->rp;
        const struct gm_metrics *fm = &rp->final;
        struct text_rows t = { 0 };
        char a[64], b[64], c[64], sensors[256];

        row(&t, "file", "%s", s->path);
        row(&t, "duration", "%.2f s", rec->t_last - rec->t_first);
        row(&t, "samples", "%zu at %.6g Hz", rec->n, rec->rate_hz);
        sensors_text(rec, sensors, sizeof(sensors));
        row(&t, "sensors", "%s", sensors);
        row(&t, "steps", "%llu", (unsigned long long)fm->steps);
        row(&t, "strides", "%zu left, %zu right", s->sv.strides[0], s->sv.strides[1]);
        fmt_value(a, sizeof(a), s->sv.cadence_spm, "%.1f", "steps/min");
        row(&t, "cadence", "%s", a);
        fmt_value(a, sizeof(a), s->sv.cadence_fft_spm, "%.1f", "steps/min");
        row(&t, "cadence_fft", "%s", a);
        fmt_value(a, sizeof(a), s->sv.vertical_osc_cm, "%.1f", "cm");
        row(&t, "vertical_osc", "%s", a);
        for (int m = 0; m < GM_METRIC_COUNT; m++) {
                fmt_metric(a, sizeof(a), s->sv.v[m][0], m);
                fmt_metric(b, sizeof(b), s->sv.v[m][1], m);
                fmt_value(c, sizeof(c), s->sv.si[m], "%+.1f", "%");
                row(&t, gm_metric_name(m), "left %s, right %s, asymmetry %s", a, b, c);
        }
        row(&t, "spikes", "%zu", rp->spikes.n);
        for (size_t i = 0; i < rp->spikes.n && i < 5; i++) {
                const struct gm_spike *sp = &rp->spikes.sp[i];
                fmt_value(a, sizeof(a), sp->si, "%+.1f", "%");
                fmt_value(b, sizeof(b), sp->baseline, "%+.1f", "%");
                row(&t, "", "%s from %.1f s: asymmetry %s, baseline %s", gm_metric_name(sp->metric), sp->t_onset, a, b);
        }
        if (rp->spikes.n > 5)
                row(&t, "", "... and %zu more", rp->spikes.n - 5);
        row(&t, "bad_samples", "%llu", (unsigned long long)fm->bad_samples);
        row(&t, "time_gaps", "%zu", rec->gaps);

        int w = 0;
        for (int i = 0; i < t.n; i++)
                if ((int)strlen(t.key[i]) > w)
                        w = strlen(t.key[i]);
        for (int i = 0; i < t.n; i++)
                printf("%*s%s %s\n", w, t.key[i], t.key[i][0] ? ":" : " ", t.val[i]);
}

/* JSON string with escapes; bytes that are not UTF-8 become U+FFFD so the output stays valid. */
static void json_str(FILE *f, const char *s)
{
        const unsigned char *p = (const unsigned char *)s;
        fputc('"', f);
        while (*p) {
                unsigned char ch = *p;
                if (ch == '"' || ch == '\\') {
                        fprintf(f, "\\%c", ch);
                        p++;
                } else if (ch == '\n') {
                        fputs("\\n", f);
                        p++;
                } else if (ch == '\t') {
                        fputs("\\t", f);
                        p++;
                } else if (ch < 0x20 || ch == 0x7f) {
                        fprintf(f, "\\u%04x", ch);
                        p++;
                } else if (ch < 0x80) {
                        fputc(ch, f);
                        p++;
                } else {
                        int len = ch >= 0xf0 && ch <= 0xf4 ? 4 : ch >= 0xe0 ? 3 : ch >= 0xc2 && ch < 0xe0 ? 2 : 0;
                        bool ok = len > 0;
                        for (int i = 1; ok && i < len; i++)
                                ok = (p[i] & 0xc0) == 0x80;
                        /* No overlongs, surrogates or code points past U+10FFFF. */
                        if (ok && len == 3)
                                ok = !(ch == 0xe0 && p[1] < 0xa0) && !(ch == 0xed && p[1] >= 0xa0);
                        if (ok && len == 4)
                                ok = !(ch == 0xf0 && p[1] < 0x90) && !(ch == 0xf4 && p[1] >= 0x90);
                        if (ok) {
                                fwrite(p, 1, len, f);
                                p += len;
                        } else {
                                fputs("\\ufffd", f);
                                p++;
                        }
                }
        }
        fputc('"', f);
}

static void json_num(FILE *f, double v, const char *fmt)
{
        if (isfinite(v))
                fprintf(f, fmt, v);
        else
                fputs("null", f);
}

static void print_json(const struct summary *s)
{
        const struct gm_recording_info *rec = s->rec;
        const struct gm_replay *rp = s->rp;
        const struct gm_metrics *fm = &rp->final;
        FILE *f = stdout;

        fputs("{\n  \"file\": ", f);
        json_str(f, s->path);
        fputs(",\n  \"duration_s\": ", f);
        json_num(f, rec->t_last - rec->t_first, "%.3f");
        fprintf(f, ",\n  \"samples\": %zu,\n  \"rate_hz\": ", rec->n);
        json_num(f, rec->rate_hz, "%.6g");
        fputs(",\n  \"sensors\": [", f);
        bool first = true;
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                if (!(rec->loc_mask & (1u << l)))
                        continue;
                fprintf(f, "%s{\"location\": ", first ? "" : ", ");
                json_str(f, gm_loc_name(l));
                fprintf(f, ", \"gyro\": %s}", (rec->gyr_mask & (1u << l)) ? "true" : "false");
                first = false;
        }
        fprintf(f, "],\n  \"steps\": %llu,\n", (unsigned long long)fm->steps);
        fprintf(f, "  \"strides\": {\"left\": %zu, \"right\": %zu},\n", s->sv.strides[0], s->sv.strides[1]);
        fputs("  \"cadence_spm\": ", f);
        json_num(f, s->sv.cadence_spm, "%.2f");
        fputs(",\n  \"cadence_fft_spm\": ", f);
        json_num(f, s->sv.cadence_fft_spm, "%.2f");
        fputs(",\n  \"vertical_osc_cm\": ", f);
        json_num(f, s->sv.vertical_osc_cm, "%.2f");
        fputs(",\n", f);
        for (int m = 0; m < GM_METRIC_COUNT; m++) {
                double k = gm_metric_info(m)->scale;
                fprintf(f, "  \"%s_%s\": {\"left\": ", gm_metric_name(m), gm_metric_info(m)->unit);
                json_num(f, s->sv.v[m][0] * k, "%.3f");
                fputs(", \"right\": ", f);
                json_num(f, s->sv.v[m][1] * k, "%.3f");
                fputs("},\n", f);
        }
        fputs("  \"asymmetry_pct\": {", f);
        for (int m = 0; m < GM_METRIC_COUNT; m++) {
                fprintf(f, "%s\"%s\": ", m ? ", " : "", gm_metric_name(m));
                json_num(f, s->sv.si[m], "%.2f");
        }
        fprintf(f, "},\n  \"spikes\": %zu,\n  \"spike_list\": [", rp->spikes.n);
        for (size_t i = 0; i < rp->spikes.n; i++) {
                const struct gm_spike *sp = &rp->spikes.sp[i];
                fprintf(f, "%s\n    {\"metric\": ", i ? "," : "");
                json_str(f, gm_metric_name(sp->metric));
                fputs(", \"t_onset_s\": ", f);
                json_num(f, sp->t_onset, "%.3f");
                fputs(", \"t_detect_s\": ", f);
                json_num(f, sp->t_detect, "%.3f");
                fputs(", \"si_pct\": ", f);
                json_num(f, sp->si, "%.2f");
                fputs(", \"baseline_pct\": ", f);
                json_num(f, sp->baseline, "%.2f");
                fputc('}', f);
        }
        fprintf(f, "%s],\n", rp->spikes.n ? "\n  " : "");
        fprintf(f, "  \"bad_samples\": %llu,\n", (unsigned long long)fm->bad_samples);
        fprintf(f, "  \"time_gaps\": %zu\n}\n", rec->gaps);
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                { "events", required_argument, NULL, 'e' },
                { "strides", required_argument, NULL, 's' },
                { "json", no_argument, NULL, 'j' },
                { "quiet", no_argument, NULL, 'q' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { 0 },
        };
        const char *events_path = NULL, *strides_path = NULL;
        bool json = false, quiet = false;
        int c;

        opterr = 0;
        while ((c = getopt_long(argc, argv, ":e:s:jqh", opts, NULL)) != -1) {
                switch (c) {
                case 'e':
                        events_path = optarg;
                        break;
                case 's':
                        strides_path = optarg;
                        break;
                case 'j':
                        json = true;
                        break;
                case 'q':
                        quiet = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'V':
                        printf("%s %s\n", prog, GAITMON_VERSION);
                        return 0;
                case ':':
                        fprintf(stderr, "%s: option '%s' needs an argument\n\n", prog, argv[optind - 1]);
                        usage(stderr);
                        return 2;
                default:
                        if (optopt)
                                fprintf(stderr, "%s: unknown option '-%c'\n\n", prog, optopt);
                        else
                                fprintf(stderr, "%s: unknown option '%s'\n\n", prog, argv[optind - 1]);
                        usage(stderr);
                        return 2;
                }
        }
        if (argc - optind != 1) {
                fprintf(stderr, "%s: %s\n\n", prog,
                        argc - optind ? "only one recording at a time" : "no recording given");
                usage(stderr);
                return 2;
        }
        const char *path = argv[optind];

        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
        signal(SIGHUP, on_signal);

        struct progress pg = { .on = false, .what = "analysing", .last = -1 };
        struct stat stb;
        if (!quiet && isatty(STDERR_FILENO) && stat(path, &stb) == 0 && stb.st_size > (off_t)PROGRESS_MIN_BYTES)
                pg.on = true;

        /* The file flows through the pipeline block by block: memory does not grow with it. */
        struct gm_reader *rd = NULL;
        char err[1024];
        int r = gm_reader_open(path, &rd, err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "%s: %s\n", prog, err);
                return 1;
        }
        struct gm_replay rp;
        r = gm_replay_stream(rd, NULL, &rp, err, sizeof(err), progress_cb, &pg);
        progress_clear(&pg);
        if (r < 0) {
                if (strncmp(err, "analysis failed", 15) == 0)
                        fprintf(stderr, "%s: %s: %s\n", prog, path, err);
                else
                        fprintf(stderr, "%s: %s\n", prog, err);
                gm_reader_free(rd);
                return 1;
        }
        const struct gm_recording_info *rec = gm_reader_info(rd);

        struct summary sum = { .path = path, .rec = rec, .rp = &rp };
        int status = 0;
        if (summarise(&rp.strides, &sum.sv) < 0) {
                fprintf(stderr, "%s: out of memory\n", prog);
                status = 1;
        }
        sum.sv.cadence_fft_spm = rp.cadence_fft_spm;
        if (!status && events_path && write_atomic(events_path, 0, write_events, &rp.events) < 0)
                status = 1;
        if (!status && strides_path && write_atomic(strides_path, 1, write_strides, &rp.strides) < 0)
                status = 1;
        if (!status) {
                if (json)
                        print_json(&sum);
                else
                        print_text(&sum);
                if (fflush(stdout) != 0 || ferror(stdout)) {
                        fprintf(stderr, "%s: cannot write the summary: %s\n", prog, strerror(errno));
                        status = 1;
                }
        }
        gm_replay_clear(&rp);
        gm_reader_free(rd);
        return status;
}
