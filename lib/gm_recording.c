/* Readers and writers for the CSV formats of design.md. Malformed input is rejected with
 * the file and line; nothing is guessed. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gm_recording.h"
#include "gm_stats.h"

#define RATE_MISMATCH 0.05 /* rate_hz this far from the timestamps' rate is refused */

#define MAX_COLS (1 + GM_LOC_COUNT * 6)

struct column {
        int loc;  /* -1 for time_s */
        int slot; /* 0..5: acc x/y/z, gyr x/y/z */
};

static int fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
        if (err && errlen) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(err, errlen, fmt, ap);
                va_end(ap);
        }
        return code;
}

/* Whole file into a NUL-terminated buffer. */
static int slurp(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
        FILE *f = fopen(path, "rb");
        if (!f)
                return fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
        size_t cap = 1 << 16, n = 0;
        char *b = malloc(cap);
        for (;;) {
                if (!b) {
                        fclose(f);
                        return fail(err, errlen, -ENOMEM, "%s: out of memory", path);
                }
                n += fread(b + n, 1, cap - n - 1, f);
                if (n < cap - 1)
                        break;
                cap *= 2;
                char *nb = realloc(b, cap);
                if (!nb)
                        free(b);
                b = nb;
        }
        int r = ferror(f) ? -EIO : 0;
        fclose(f);
        if (r < 0) {
                free(b);
                return fail(err, errlen, r, "%s: read error", path);
        }
        b[n] = 0;
        *buf = b;
        *len = n;
        return 0;
}

/* Next line in place: returns its start, NUL-terminates it, strips \r. */
static char *next_line(char **cursor)
{
        char *s = *cursor;
        if (!*s)
                return NULL;
        char *e = strchr(s, '\n');
        if (e) {
                *e = 0;
                *cursor = e + 1;
        } else {
                *cursor = s + strlen(s);
        }
        size_t l = strlen(s);
        if (l && s[l - 1] == '\r')
                s[l - 1] = 0;
        return s;
}

static char *trim(char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        size_t l = strlen(s);
        while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
                s[--l] = 0;
        return s;
}

/* A number filling the whole field (NaN and Inf are accepted: bad samples, flagged later). */
static bool parse_double(const char *s, double *out)
{
        if (!*s)
                return false;
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || *end)
                return false;
        /* ERANGE: overflow gives ±Inf (a bad sample, flagged later), underflow a tiny value. */
        *out = v;
        return true;
}

static int parse_column(const char *name, struct column *c)
{
        if (strcmp(name, "time_s") == 0) {
                c->loc = -1;
                c->slot = 0;
                return 0;
        }
        static const char *const suffix[6] = { "_acc_x", "_acc_y", "_acc_z", "_gyr_x", "_gyr_y", "_gyr_z" };
        size_t l = strlen(name);
        for (int k = 0; k < 6; k++) {
                size_t sl = strlen(suffix[k]);
                if (l <= sl || strcmp(name + l - sl, suffix[k]) != 0)
                        continue;
                char loc[32];
                if (l - sl >= sizeof(loc))
                        return -EINVAL;
                memcpy(loc, name, l - sl);
                loc[l - sl] = 0;
                int li = gm_loc_from_name(loc);
                if (li < 0)
                        return -EINVAL;
                c->loc = li;
                c->slot = k;
                return 0;
        }
        return -EINVAL;
}

struct gm_recording *gm_recording_new(double rate_hz, size_t n, unsigned loc_mask, unsigned gyr_mask)
{
        struct gm_recording *rec = calloc(1, sizeof(*rec));
        if (!rec)
                return NULL;
        rec->rate_hz = rate_hz;
        rec->n = n;
        rec->loc_mask = loc_mask;
        rec->gyr_mask = gyr_mask & loc_mask;
        rec->t = calloc(n ? n : 1, sizeof(double));
        if (!rec->t)
                goto oom;
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                if (!(loc_mask & (1u << l)))
                        continue;
                rec->data[l] = calloc(n ? n * 6 : 6, sizeof(double));
                if (!rec->data[l])
                        goto oom;
        }
        return rec;
oom:
        gm_recording_free(rec);
        return NULL;
}

void gm_recording_free(struct gm_recording *rec)
{
        if (!rec)
                return;
        free(rec->t);
        for (int l = 0; l < GM_LOC_COUNT; l++)
                free(rec->data[l]);
        free(rec);
}

void gm_recording_get(const struct gm_recording *rec, enum gm_loc loc, size_t i, struct gm_sample *s)
{
        const double *d = rec->data[loc] + i * 6;
        s->t = rec->t[i];
        memcpy(s->acc, d, sizeof(s->acc));
        memcpy(s->gyr, d + 3, sizeof(s->gyr));
}

void gm_recording_set(struct gm_recording *rec, enum gm_loc loc, size_t i, const struct gm_sample *s)
{
        double *d = rec->data[loc] + i * 6;
        rec->t[i] = s->t;
        memcpy(d, s->acc, sizeof(s->acc));
        memcpy(d + 3, s->gyr, sizeof(s->gyr));
}

static int grow(struct gm_recording *rec, size_t cap)
{
        double *t = realloc(rec->t, cap * sizeof(double));
        if (!t)
                return -ENOMEM;
        rec->t = t;
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                if (!rec->data[l])
                        continue;
                double *d = realloc(rec->data[l], cap * 6 * sizeof(double));
                if (!d)
                        return -ENOMEM;
                rec->data[l] = d;
        }
        return 0;
}

int gm_recording_read(const char *path, struct gm_recording **out, char *err, size_t errlen,
                      gm_progress_fn progress, void *userdata)
{
        char *buf;
        size_t len;
        int r = slurp(path, &buf, &len, err, errlen);
        if (r < 0)
                return r;

        struct gm_recording *rec = NULL;
        char *cursor = buf, *line;
        size_t lineno = 0;
        /* Lines are strings: a NUL inside one would end it and the rest of the file quietly. */
        const char *nul = memchr(buf, '\0', len);
        if (nul) {
                size_t at = 1;
                for (const char *c = buf; c < nul; c++)
                        at += *c == '\n';
                r = fail(err, errlen, -EINVAL, "%s:%zu: a NUL byte in the text", path, at);
                goto out;
        }
        double header_rate = NAN;
        char activity[32] = "";
        bool magic = false;

        /* Comment block, then the header row. */
        for (;;) {
                line = next_line(&cursor);
                lineno++;
                if (!line) {
                        r = fail(err, errlen, -EINVAL, "%s: no header row (time_s,...)", path);
                        goto out;
                }
                if (line[0] != '#') {
                        if (!*trim(line))
                                continue;
                        break;
                }
                char *body = trim(line + 1);
                if (strncmp(body, "gaitmon-recording", 17) == 0) {
                        if (strcmp(trim(body + 17), "1") != 0) {
                                r = fail(err, errlen, -EINVAL, "%s:%zu: unsupported recording version '%s' (this reader knows 1)",
                                         path, lineno, trim(body + 17));
                                goto out;
                        }
                        magic = true;
                } else if (strncmp(body, "rate_hz:", 8) == 0) {
                        if (!isnan(header_rate)) {
                                r = fail(err, errlen, -EINVAL, "%s:%zu: rate_hz given twice", path, lineno);
                                goto out;
                        }
                        if (!parse_double(trim(body + 8), &header_rate) || !(header_rate >= 1 && header_rate <= 100000)) {
                                r = fail(err, errlen, -EINVAL, "%s:%zu: rate_hz must be a number between 1 and 100000", path, lineno);
                                goto out;
                        }
                } else if (strncmp(body, "activity:", 9) == 0) {
                        snprintf(activity, sizeof(activity), "%s", trim(body + 9));
                }
        }
        if (!magic) {
                r = fail(err, errlen, -EINVAL, "%s: not a gaitmon recording (first line must be '# gaitmon-recording 1')", path);
                goto out;
        }

        struct column cols[MAX_COLS];
        int ncols = 0;
        unsigned slots[GM_LOC_COUNT] = { 0 };
        bool have_time = false;
        for (char *tok = line, *next; tok; tok = next) {
                next = strchr(tok, ',');
                if (next)
                        *next++ = 0;
                char *name = trim(tok);
                if (ncols == MAX_COLS) {
                        r = fail(err, errlen, -EINVAL, "%s:%zu: too many columns", path, lineno);
                        goto out;
                }
                struct column *c = &cols[ncols];
                if (parse_column(name, c) < 0) {
                        r = fail(err, errlen, -EINVAL, "%s:%zu: unknown column '%s'", path, lineno, name);
                        goto out;
                }
                bool dup = c->loc < 0 ? have_time : (slots[c->loc] & (1u << c->slot));
                if (dup) {
                        r = fail(err, errlen, -EINVAL, "%s:%zu: column '%s' appears twice", path, lineno, name);
                        goto out;
                }
                if (c->loc < 0) {
                        if (ncols != 0) {
                                r = fail(err, errlen, -EINVAL, "%s:%zu: time_s must be the first column", path, lineno);
                                goto out;
                        }
                        have_time = true;
                } else {
                        slots[c->loc] |= 1u << c->slot;
                }
                ncols++;
        }
        if (!have_time) {
                r = fail(err, errlen, -EINVAL, "%s:%zu: missing column time_s", path, lineno);
                goto out;
        }
        unsigned loc_mask = 0, gyr_mask = 0;
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                if (!slots[l])
                        continue;
                static const char *const what[6] = { "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z" };
                for (int k = 0; k < 6; k++) {
                        bool need = k < 3 || (slots[l] & 0x38);
                        if (need && !(slots[l] & (1u << k))) {
                                r = fail(err, errlen, -EINVAL, "%s:%zu: missing column %s_%s", path, lineno, gm_loc_name(l), what[k]);
                                goto out;
                        }
                }
                loc_mask |= 1u << l;
                if (slots[l] & 0x38)
                        gyr_mask |= 1u << l;
        }
        if (!loc_mask) {
                r = fail(err, errlen, -EINVAL, "%s:%zu: no sensor columns", path, lineno);
                goto out;
        }

        size_t cap = 1024;
        rec = gm_recording_new(isnan(header_rate) ? 0 : header_rate, cap, loc_mask, gyr_mask);
        if (!rec) {
                r = fail(err, errlen, -ENOMEM, "%s: out of memory", path);
                goto out;
        }
        snprintf(rec->activity, sizeof(rec->activity), "%s", activity);
        size_t n = 0, next_progress = 0;
        while ((line = next_line(&cursor))) {
                lineno++;
                if (!*trim(line))
                        continue;
                if (n == cap) {
                        cap *= 2;
                        if (grow(rec, cap) < 0) {
                                r = fail(err, errlen, -ENOMEM, "%s: out of memory", path);
                                goto out;
                        }
                }
                int col = 0;
                for (char *tok = line, *next; tok; tok = next, col++) {
                        next = strchr(tok, ',');
                        if (next)
                                *next++ = 0;
                        if (col >= ncols) {
                                r = fail(err, errlen, -EINVAL, "%s:%zu: more fields than the %d columns of the header", path, lineno, ncols);
                                goto out;
                        }
                        char *field = trim(tok);
                        double v;
                        if (!*field) {
                                r = fail(err, errlen, -EINVAL, "%s:%zu: empty value in column %d", path, lineno, col + 1);
                                goto out;
                        }
                        if (!parse_double(field, &v)) {
                                r = fail(err, errlen, -EINVAL, "%s:%zu: '%.40s' in column %d is not a number", path, lineno, field, col + 1);
                                goto out;
                        }
                        if (cols[col].loc < 0)
                                rec->t[n] = v;
                        else
                                rec->data[cols[col].loc][n * 6 + cols[col].slot] = v;
                }
                if (col < ncols) {
                        r = fail(err, errlen, -EINVAL, "%s:%zu: %d fields, the header has %d columns", path, lineno, col, ncols);
                        goto out;
                }
                for (int l = 0; l < GM_LOC_COUNT; l++)
                        if ((loc_mask & (1u << l)) && !(gyr_mask & (1u << l)))
                                for (int k = 3; k < 6; k++)
                                        rec->data[l][n * 6 + k] = NAN;
                if (!isfinite(rec->t[n])) {
                        r = fail(err, errlen, -EINVAL, "%s:%zu: time_s is not finite", path, lineno);
                        goto out;
                }
                if (n > 0 && !(rec->t[n] > rec->t[n - 1])) {
                        r = fail(err, errlen, -EINVAL, "%s:%zu: time goes backwards or repeats (%.6g after %.6g)",
                                 path, lineno, rec->t[n], rec->t[n - 1]);
                        goto out;
                }
                n++;
                if (progress && (size_t)(cursor - buf) >= next_progress) {
                        progress(cursor - buf, len, userdata);
                        next_progress = cursor - buf + (1u << 20);
                }
        }
        if (n < 2) {
                r = fail(err, errlen, -EINVAL, "%s: %zu sample rows, at least 2 are needed", path, n);
                goto out;
        }
        rec->n = n;
        /* The rate the timestamps keep: the median interval, which gaps do not move. */
        double *dt = malloc((n - 1) * sizeof(double));
        if (!dt) {
                r = fail(err, errlen, -ENOMEM, "%s: out of memory", path);
                goto out;
        }
        for (size_t i = 1; i < n; i++)
                dt[i - 1] = rec->t[i] - rec->t[i - 1];
        double data_rate = 1.0 / gm_median(dt, n - 1);
        free(dt);
        if (isnan(header_rate)) {
                rec->rate_hz = data_rate;
        } else if (n > 10 && fabs(data_rate - header_rate) > RATE_MISMATCH * header_rate) {
                r = fail(err, errlen, -EINVAL, "%s: rate_hz %.6g does not match the timestamps (%.6g Hz)", path,
                         header_rate, data_rate);
                goto out;
        }
        if (!(rec->rate_hz >= 1 && rec->rate_hz <= 100000)) {
                r = fail(err, errlen, -EINVAL, "%s: sample rate %.6g Hz out of range", path, rec->rate_hz);
                goto out;
        }
        for (size_t i = 1; i < n; i++)
                if (rec->t[i] - rec->t[i - 1] > 1.5 / rec->rate_hz)
                        rec->gaps++;
        if (progress)
                progress(len, len, userdata);
        *out = rec;
        rec = NULL;
        r = 0;
out:
        gm_recording_free(rec);
        free(buf);
        return r;
}

int gm_recording_write(FILE *f, const struct gm_recording *rec)
{
        static const char *const what[6] = { "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z" };
        fprintf(f, "# gaitmon-recording 1\n# rate_hz: %.9g\n", rec->rate_hz);
        if (rec->activity[0])
                fprintf(f, "# activity: %s\n", rec->activity);
        fputs("time_s", f);
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                if (!(rec->loc_mask & (1u << l)))
                        continue;
                int k_end = (rec->gyr_mask & (1u << l)) ? 6 : 3;
                for (int k = 0; k < k_end; k++)
                        fprintf(f, ",%s_%s", gm_loc_name(l), what[k]);
        }
        fputc('\n', f);
        for (size_t i = 0; i < rec->n; i++) {
                fprintf(f, "%.9g", rec->t[i]);
                for (int l = 0; l < GM_LOC_COUNT; l++) {
                        if (!(rec->loc_mask & (1u << l)))
                                continue;
                        int k_end = (rec->gyr_mask & (1u << l)) ? 6 : 3;
                        for (int k = 0; k < k_end; k++)
                                fprintf(f, ",%.7g", rec->data[l][i * 6 + k]);
                }
                fputc('\n', f);
        }
        return ferror(f) ? -EIO : 0;
}

int gm_event_list_add(struct gm_event_list *list, const struct gm_event *ev)
{
        if (list->n == list->cap) {
                size_t cap = list->cap ? list->cap * 2 : 256;
                struct gm_event *e = realloc(list->ev, cap * sizeof(*e));
                if (!e)
                        return -ENOMEM;
                list->ev = e;
                list->cap = cap;
        }
        list->ev[list->n++] = *ev;
        return 0;
}

static int cmp_event(const void *a, const void *b)
{
        const struct gm_event *x = a, *y = b;
        return (x->t > y->t) - (x->t < y->t);
}

void gm_event_list_sort(struct gm_event_list *list)
{
        if (list->n > 1)
                qsort(list->ev, list->n, sizeof(*list->ev), cmp_event);
}

void gm_event_list_clear(struct gm_event_list *list)
{
        free(list->ev);
        memset(list, 0, sizeof(*list));
}

int gm_events_write(FILE *f, const struct gm_event_list *list)
{
        fputs("time_s,side,event\n", f);
        for (size_t i = 0; i < list->n; i++)
                fprintf(f, "%.6f,%s,%s\n", list->ev[i].t, gm_side_name(list->ev[i].side),
                        gm_event_kind_name(list->ev[i].kind));
        return ferror(f) ? -EIO : 0;
}

/* Both small formats: a fixed header, then rows of fields. */
static int read_table(const char *path, const char *header, int nfields,
                      int (*row)(char **fields, void *ud), void *ud, char *err, size_t errlen)
{
        char *buf;
        size_t len;
        int r = slurp(path, &buf, &len, err, errlen);
        if (r < 0)
                return r;
        char *cursor = buf, *line;
        size_t lineno = 0;
        bool seen_header = false;
        while ((line = next_line(&cursor))) {
                lineno++;
                char *s = trim(line);
                if (!*s || *s == '#')
                        continue;
                if (!seen_header) {
                        if (strcmp(s, header) != 0) {
                                r = fail(err, errlen, -EINVAL, "%s:%zu: header must be '%s'", path, lineno, header);
                                goto out;
                        }
                        seen_header = true;
                        continue;
                }
                char *fields[8];
                int n = 0;
                for (char *tok = s, *next; tok; tok = next) {
                        next = strchr(tok, ',');
                        if (next)
                                *next++ = 0;
                        if (n == nfields) {
                                n++;
                                break;
                        }
                        fields[n++] = trim(tok);
                }
                if (n != nfields) {
                        r = fail(err, errlen, -EINVAL, "%s:%zu: expected %d fields", path, lineno, nfields);
                        goto out;
                }
                r = row(fields, ud);
                if (r < 0) {
                        r = fail(err, errlen, r, "%s:%zu: bad value", path, lineno);
                        goto out;
                }
        }
        r = seen_header ? 0 : fail(err, errlen, -EINVAL, "%s: empty file, header '%s' missing", path, header);
out:
        free(buf);
        return r;
}

static int event_row(char **f, void *ud)
{
        struct gm_event ev;
        int side = gm_side_from_name(f[1]), kind = gm_event_kind_from_name(f[2]);
        if (!parse_double(f[0], &ev.t) || !isfinite(ev.t) || side < 0 || kind < 0)
                return -EINVAL;
        ev.side = side;
        ev.kind = kind;
        return gm_event_list_add(ud, &ev);
}

int gm_events_read(const char *path, struct gm_event_list *out, char *err, size_t errlen)
{
        int r = read_table(path, "time_s,side,event", 3, event_row, out, err, errlen);
        if (r >= 0)
                gm_event_list_sort(out);
        return r;
}

static int bout_row(char **f, void *ud)
{
        struct gm_bout_list *list = ud;
        struct gm_bout b;
        if (!parse_double(f[0], &b.start) || !parse_double(f[1], &b.end) || !(b.end >= b.start))
                return -EINVAL;
        if (list->n == list->cap) {
                size_t cap = list->cap ? list->cap * 2 : 16;
                struct gm_bout *nb = realloc(list->b, cap * sizeof(*nb));
                if (!nb)
                        return -ENOMEM;
                list->b = nb;
                list->cap = cap;
        }
        list->b[list->n++] = b;
        return 0;
}

int gm_bouts_read(const char *path, struct gm_bout_list *out, char *err, size_t errlen)
{
        return read_table(path, "start_s,end_s", 2, bout_row, out, err, errlen);
}

void gm_bout_list_clear(struct gm_bout_list *list)
{
        free(list->b);
        memset(list, 0, sizeof(*list));
}
