/* Reader and writer of recording CSV v1 (design.md). Malformed input is rejected with the file
 * and line; nothing is guessed. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gm_csv.h"
#include "gm_number.h"
#include "gm_recording.h"
#include "gm_stats.h"

#define RATE_MISMATCH 0.05 /* rate_hz this far from the timestamps' rate is refused */

#define MAX_COLS (1 + GM_LOC_COUNT * 6)

struct column {
        int loc;  /* -1 for time_s */
        int slot; /* 0..5: acc x/y/z, gyr x/y/z */
};

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

/* ---- streaming reader ---- */

#define READ_CHUNK (256u << 10) /* bytes asked of read() at a time */
#define MAX_LINE (1u << 20)     /* longer lines are refused, so memory stays bounded */

/* Lines of a file through a buffer of READ_CHUNK plus the longest line. */
struct lines {
        int fd;
        size_t chunk; /* READ_CHUNK, or less for a smaller regular file */
        char *buf;
        size_t cap, start, end; /* unread text is buf[start, end) */
        size_t whole;           /* buf[start, whole) are whole lines, each ending in \n */
        size_t base;            /* file offset of buf[0] */
        size_t nul_at;          /* file offset of the first NUL byte seen, SIZE_MAX if none */
        size_t lineno;
        bool eof;
};

static int lines_open(struct lines *L, const char *path, char *err, size_t errlen)
{
        memset(L, 0, sizeof(*L));
        L->fd = open(path, O_RDONLY | O_CLOEXEC);
        if (L->fd < 0)
                return gm_csv_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
        /* A small file needs no big buffer: the median interval reads it several times. */
        struct stat st;
        L->chunk = READ_CHUNK;
        if (fstat(L->fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size < READ_CHUNK)
                L->chunk = ((size_t)st.st_size / 4096 + 1) * 4096;
        L->cap = 2 * L->chunk;
        L->buf = malloc(L->cap + 1 + GM_STRTOD_PAD);
        L->nul_at = SIZE_MAX;
        if (!L->buf) {
                close(L->fd);
                L->fd = -1;
                return gm_csv_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
        }
        return 0;
}

static void lines_close(struct lines *L)
{
        if (L->fd >= 0)
                close(L->fd);
        L->fd = -1;
        free(L->buf);
        L->buf = NULL;
}

static int lines_fill(struct lines *L, const char *path, char *err, size_t errlen)
{
        if (L->start > 0) {
                memmove(L->buf, L->buf + L->start, L->end - L->start);
                L->base += L->start;
                L->end -= L->start;
                L->start = 0;
                L->whole = 0;
        }
        if (L->end > MAX_LINE)
                return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: line longer than %u bytes", path, L->lineno + 1,
                                   MAX_LINE);
        if (L->cap - L->end < L->chunk) {
                size_t cap = L->end + L->chunk;
                char *b = realloc(L->buf, cap + 1 + GM_STRTOD_PAD);
                if (!b)
                        return gm_csv_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
                L->buf = b;
                L->cap = cap;
        }
        ssize_t got;
        do
                got = read(L->fd, L->buf + L->end, L->cap - L->end);
        while (got < 0 && errno == EINTR);
        if (got < 0)
                return gm_csv_fail(err, errlen, -errno, "%s: read error: %s", path, strerror(errno));
        if (got == 0) {
                memset(L->buf + L->end, 0, 1 + GM_STRTOD_PAD);
                L->eof = true;
                return 0;
        }
        if (L->nul_at == SIZE_MAX) {
                const char *z = memchr(L->buf + L->end, '\0', got);
                if (z)
                        L->nul_at = L->base + (size_t)(z - L->buf);
        }
        L->end += got;
        /* Numbers are read a word at a time past their end: defined bytes there. */
        memset(L->buf + L->end, 0, 1 + GM_STRTOD_PAD);
        const char *last = memrchr(L->buf + L->start, '\n', L->end - L->start);
        if (last)
                L->whole = last + 1 - L->buf;
        return 0;
}

/* The next line, NUL-terminated in place with one trailing \r dropped; *nl tells
 * whether it ended with a newline. 1, 0 at the end of the file, or a negative errno. */
static int lines_next(struct lines *L, char **line, bool *nl, const char *path, char *err, size_t errlen)
{
        char *e;
        while (!(e = memchr(L->buf + L->start, '\n', L->end - L->start))) {
                if (L->eof)
                        break;
                int r = lines_fill(L, path, err, errlen);
                if (r < 0)
                        return r;
        }
        if (!e && L->start == L->end)
                return 0;
        char *s = L->buf + L->start;
        if (!e)
                e = L->buf + L->end; /* the spare byte past cap */
        L->lineno++;
        if ((size_t)(e - s) > MAX_LINE)
                return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: line longer than %u bytes", path, L->lineno,
                                   MAX_LINE);
        size_t off = L->base + L->start;
        if (L->nul_at >= off && L->nul_at < off + (size_t)(e - s))
                return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: a NUL byte in the text", path, L->lineno);
        *nl = e < L->buf + L->end;
        L->start = e - L->buf + (*nl ? 1 : 0);
        *e = 0;
        if (e > s && e[-1] == '\r')
                e[-1] = 0;
        *line = s;
        return 1;
}

static size_t lines_offset(const struct lines *L)
{
        return L->base + L->start;
}

static bool blank(const char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        return !*s;
}

/* Order statistics of the intervals between timestamps, without keeping them: the
 * file's time column is read again, and each pass narrows the two middle values' bit
 * patterns (positive doubles sort like their bits) by 16 bits. */
#define RADIX_BITS 16
#define RADIX (1u << RADIX_BITS)
/* The buckets come in groups, each allocated when a value first falls in it, with their
 * sums: a pass looks for the rank among 256 groups, then among the 256 buckets of one, and
 * clears only the groups it filled. */
#define GROUP_BITS 8
#define GROUPS (RADIX >> GROUP_BITS)

static int time_pass(const char *path, void (*fn)(double dt, void *ud), void *ud)
{
        struct lines L;
        char err[8];
        if (lines_open(&L, path, err, sizeof(err)) < 0)
                return -EIO;
        char *line;
        bool nl, header = false, have_prev = false;
        double prev = 0;
        int r;
        while ((r = lines_next(&L, &line, &nl, path, err, sizeof(err))) > 0) {
                if (!header) {
                        header = line[0] != '#' && !blank(line);
                        continue;
                }
                if (blank(line))
                        continue;
                while (*line == ' ' || *line == '\t')
                        line++;
                double t = gm_strtod(line, NULL);
                if (have_prev) {
                        double dt = t - prev;
                        if (isfinite(dt))
                                fn(dt, ud);
                }
                prev = t;
                have_prev = true;
        }
        lines_close(&L);
        return r;
}

struct select {
        uint64_t rank[2];           /* wanted order statistics, 0-based */
        uint64_t prefix[2];         /* their bits found so far */
        int known;                  /* how many high bits of each are known */
        uint64_t below[2];          /* values whose known bits are smaller */
        uint64_t *count[2][GROUPS]; /* each group's buckets, NULL while empty */
        uint64_t group[2][GROUPS];  /* their sums */
        bool oom;
};

static uint64_t dbits(double v)
{
        uint64_t u;
        memcpy(&u, &v, sizeof(u));
        return u;
}

static void select_count(double dt, void *ud)
{
        struct select *s = ud;
        /* Negative intervals only occur in files the main pass refuses: any order will do. */
        uint64_t u = dbits(dt);
        for (int j = 0; j < 2; j++) {
                uint64_t hi = s->known ? u >> (64 - s->known) : 0;
                if (hi == s->prefix[j]) {
                        unsigned d = (u >> (64 - s->known - RADIX_BITS)) & (RADIX - 1);
                        uint64_t **block = &s->count[j][d >> GROUP_BITS];
                        if (!*block && !(*block = calloc(1u << GROUP_BITS, sizeof(uint64_t)))) {
                                s->oom = true;
                                return;
                        }
                        (*block)[d & ((1u << GROUP_BITS) - 1)]++;
                        s->group[j][d >> GROUP_BITS]++;
                } else if (hi < s->prefix[j])
                        s->below[j]++;
        }
}

/* The median of the intervals as gm_median would give it, NaN when there are none. */
static double median_interval(const char *path)
{
        struct select *s = calloc(1, sizeof(*s));
        uint64_t m = 0;
        double med = NAN;
        if (!s)
                return med;
        for (s->known = 0; s->known < 64; s->known += RADIX_BITS) {
                memset(s->below, 0, sizeof(s->below));
                for (int j = 0; j < 2; j++)
                        for (unsigned g = 0; g < GROUPS; g++)
                                if (s->group[j][g]) {
                                        memset(s->count[j][g], 0, sizeof(uint64_t) << GROUP_BITS);
                                        s->group[j][g] = 0;
                                }
                if (time_pass(path, select_count, s) < 0 || s->oom)
                        goto out;
                if (s->known == 0) {
                        /* Every interval counts in the first pass: now the ranks are known. */
                        for (unsigned g = 0; g < GROUPS; g++)
                                m += s->group[0][g];
                        if (!m)
                                goto out;
                        s->rank[0] = (m - 1) / 2;
                        s->rank[1] = m / 2;
                }
                for (int j = 0; j < 2; j++) {
                        uint64_t acc = s->below[j];
                        unsigned g = 0;
                        while (g < GROUPS - 1 && acc + s->group[j][g] <= s->rank[j])
                                acc += s->group[j][g++];
                        /* an empty group (the rank beyond every value) scans like zeros to its end */
                        const uint64_t *block = s->count[j][g];
                        unsigned d = 0, last = (1u << GROUP_BITS) - 1;
                        while (block && d < last && acc + block[d] <= s->rank[j])
                                acc += block[d++];
                        if (!block)
                                d = last;
                        s->prefix[j] = s->prefix[j] << RADIX_BITS | g << GROUP_BITS | d;
                }
        }
        double lo, hi;
        memcpy(&lo, &s->prefix[0], sizeof(lo));
        memcpy(&hi, &s->prefix[1], sizeof(hi));
        med = m % 2 ? lo : 0.5 * (lo + hi);
out:
        for (int j = 0; j < 2; j++)
                for (unsigned g = 0; g < GROUPS; g++)
                        free(s->count[j][g]);
        free(s);
        return med;
}

struct gm_reader {
        char *path;
        struct lines L;
        struct gm_recording_info info;
        struct column cols[MAX_COLS];
        int ncols;
        bool header_rate; /* rate_hz came from the header */
        bool seekable;    /* a regular file, which can be read again */
        bool done;
        double gap_s; /* an interval over this is a gap */
        /* The intervals against the band where the header's rate is surely right. */
        double band_lo, band_hi;
        uint64_t intervals, below_band, above_band;
        double *t;
        double *data[GM_LOC_COUNT];
        /* Where each column's value of row i goes: dst[col][i * step[col]]. */
        double *dst[MAX_COLS];
        unsigned step[MAX_COLS];
};

void gm_reader_free(struct gm_reader *r)
{
        if (!r)
                return;
        lines_close(&r->L);
        free(r->path);
        free(r->t);
        for (int l = 0; l < GM_LOC_COUNT; l++)
                free(r->data[l]);
        free(r);
}

const struct gm_recording_info *gm_reader_info(const struct gm_reader *r)
{
        return &r->info;
}

/* Comment block and header row. */
static int read_header(struct gm_reader *rd, char *err, size_t errlen)
{
        const char *path = rd->path;
        double header_rate = NAN;
        bool magic = false, nl;
        char *line;
        int r;
        for (;;) {
                r = lines_next(&rd->L, &line, &nl, path, err, errlen);
                if (r < 0)
                        return r;
                if (r == 0)
                        return gm_csv_fail(err, errlen, -EINVAL, "%s: no header row (time_s,...)", path);
                if (line[0] != '#') {
                        if (!*gm_csv_trim(line))
                                continue;
                        break;
                }
                size_t lineno = rd->L.lineno;
                char *body = gm_csv_trim(line + 1);
                if (strncmp(body, "gaitmon-recording", 17) == 0) {
                        if (strcmp(gm_csv_trim(body + 17), "1") != 0)
                                return gm_csv_fail(err, errlen, -EINVAL,
                                                   "%s:%zu: unsupported recording version '%s' (this reader knows 1)",
                                                   path, lineno, gm_csv_trim(body + 17));
                        magic = true;
                } else if (strncmp(body, "rate_hz:", 8) == 0) {
                        if (!isnan(header_rate))
                                return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: rate_hz given twice", path, lineno);
                        if (!gm_csv_number(gm_csv_trim(body + 8), &header_rate) ||
                            !(header_rate >= 1 && header_rate <= 100000))
                                return gm_csv_fail(err, errlen, -EINVAL,
                                                   "%s:%zu: rate_hz must be a number between 1 and 100000", path,
                                                   lineno);
                } else if (strncmp(body, "activity:", 9) == 0) {
                        snprintf(rd->info.activity, sizeof(rd->info.activity), "%s", gm_csv_trim(body + 9));
                }
        }
        if (!magic)
                return gm_csv_fail(err, errlen, -EINVAL,
                                   "%s: not a gaitmon recording (first line must be '# gaitmon-recording 1')", path);

        size_t lineno = rd->L.lineno;
        struct column *cols = rd->cols;
        int ncols = 0;
        unsigned slots[GM_LOC_COUNT] = { 0 };
        bool have_time = false;
        for (char *tok = line, *next; tok; tok = next) {
                next = strchr(tok, ',');
                if (next)
                        *next++ = 0;
                char *name = gm_csv_trim(tok);
                if (ncols == MAX_COLS)
                        return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: too many columns", path, lineno);
                struct column *c = &cols[ncols];
                if (parse_column(name, c) < 0)
                        return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: unknown column '%s'", path, lineno, name);
                bool dup = c->loc < 0 ? have_time : (slots[c->loc] & (1u << c->slot));
                if (dup)
                        return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: column '%s' appears twice", path, lineno,
                                           name);
                if (c->loc < 0) {
                        if (ncols != 0)
                                return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: time_s must be the first column",
                                                   path, lineno);
                        have_time = true;
                } else {
                        slots[c->loc] |= 1u << c->slot;
                }
                ncols++;
        }
        if (!have_time)
                return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: missing column time_s", path, lineno);
        unsigned loc_mask = 0, gyr_mask = 0;
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                if (!slots[l])
                        continue;
                static const char *const what[6] = { "acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z" };
                for (int k = 0; k < 6; k++) {
                        bool need = k < 3 || (slots[l] & 0x38);
                        if (need && !(slots[l] & (1u << k)))
                                return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: missing column %s_%s", path, lineno,
                                                   gm_loc_name(l), what[k]);
                }
                loc_mask |= 1u << l;
                if (slots[l] & 0x38)
                        gyr_mask |= 1u << l;
        }
        if (!loc_mask)
                return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: no sensor columns", path, lineno);
        rd->ncols = ncols;
        rd->info.loc_mask = loc_mask;
        rd->info.gyr_mask = gyr_mask;
        rd->header_rate = !isnan(header_rate);
        rd->info.rate_hz = header_rate;
        return 0;
}

int gm_reader_open(const char *path, struct gm_reader **out, char *err, size_t errlen)
{
        *out = NULL;
        struct gm_reader *rd = calloc(1, sizeof(*rd));
        if (!rd || !(rd->path = strdup(path))) {
                free(rd);
                return gm_csv_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
        }
        int r = lines_open(&rd->L, path, err, errlen);
        if (r < 0) {
                rd->L.fd = -1;
                gm_reader_free(rd);
                return r;
        }
        struct stat st;
        if (fstat(rd->L.fd, &st) == 0 && S_ISREG(st.st_mode)) {
                rd->info.bytes_total = st.st_size;
                rd->seekable = true;
        }
        r = read_header(rd, err, errlen);
        if (r < 0)
                goto fail;
        rd->t = malloc(GM_READER_BLOCK * sizeof(double));
        if (!rd->t)
                goto oom;
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                if (!(rd->info.loc_mask & (1u << l)))
                        continue;
                rd->data[l] = malloc(GM_READER_BLOCK * 6 * sizeof(double));
                if (!rd->data[l])
                        goto oom;
                /* Gyro slots without columns stay NaN. */
                for (size_t i = 0; i < GM_READER_BLOCK * 6; i++)
                        rd->data[l][i] = NAN;
        }
        for (int c = 0; c < rd->ncols; c++) {
                const struct column *col = &rd->cols[c];
                rd->dst[c] = col->loc < 0 ? rd->t : rd->data[col->loc] + col->slot;
                rd->step[c] = col->loc < 0 ? 1 : 6;
        }
        if (!rd->header_rate && !rd->seekable) {
                r = gm_csv_fail(err, errlen, -EINVAL,
                                "%s: without a rate_hz line the recording must be a regular file "
                                "(its timestamps are read first, for the rate)",
                                path);
                goto fail;
        }
        if (!rd->header_rate) {
                /* The pipeline needs the rate before the first row: the timestamps' median
                 * interval, from a first look at the time column. */
                rd->info.rate_hz = 1.0 / median_interval(path);
        } else {
                double h = rd->info.rate_hz;
                rd->band_lo = 1.0 / ((1 + RATE_MISMATCH) * h) * (1 + 1e-6);
                rd->band_hi = 1.0 / ((1 - RATE_MISMATCH) * h) * (1 - 1e-6);
        }
        rd->gap_s = 1.5 / rd->info.rate_hz;
        rd->info.t_first = rd->info.t_last = NAN;
        *out = rd;
        return 0;
oom:
        r = gm_csv_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
fail:
        gm_reader_free(rd);
        return r;
}

/* A row's fields are parsed where they lie: numbers straight from the text, the
 * field's bounds only worked out again for an error message. */
static int row_error(const struct gm_reader *rd, char *err, size_t errlen, const char *field, int col)
{
        size_t l = strcspn(field, ",");
        while (l && (field[l - 1] == ' ' || field[l - 1] == '\t'))
                l--;
        if (!l)
                return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: empty value in column %d", rd->path, rd->L.lineno,
                                   col + 1);
        return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: '%.*s' in column %d is not a number", rd->path, rd->L.lineno,
                           (int)(l < 40 ? l : 40), field, col + 1);
}

static int parse_row(struct gm_reader *rd, char *p, size_t i, char *err, size_t errlen)
{
        const struct column *cols = rd->cols;
        int ncols = rd->ncols, col = 0;
        for (;; col++) {
                if (col >= ncols)
                        return gm_csv_fail(err, errlen, -EINVAL,
                                           "%s:%zu: more fields than the %d columns of the header", rd->path,
                                           rd->L.lineno, ncols);
                while (*p == ' ' || *p == '\t')
                        p++;
                char *field = p, *e;
                double v = gm_strtod_padded(p, &e);
                if (e == p)
                        return row_error(rd, err, errlen, field, col);
                p = e;
                while (*p == ' ' || *p == '\t')
                        p++;
                if (*p != ',' && *p)
                        return row_error(rd, err, errlen, field, col);
                if (cols[col].loc < 0)
                        rd->t[i] = v;
                else
                        rd->data[cols[col].loc][i * 6 + cols[col].slot] = v;
                if (!*p++)
                        break;
        }
        if (++col < ncols)
                return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: %d fields, the header has %d columns", rd->path,
                                   rd->L.lineno, col, ncols);
        return 0;
}

/* A whole line of plain numbers (gm_number_plain), each ending in a comma but the last,
 * which ends the line: parsed in one pass where it lies, without looking for the line's
 * end first. Returns the next line's start, or NULL for any other line (blank, white
 * space, exponents, a wrong number of fields, bad text), which parse_row then reads
 * and judges as always. */
static char *plain_row(struct gm_reader *rd, char *p, size_t i)
{
        int last = rd->ncols - 1;
        for (int col = 0;; col++) {
                double v;
                const char *e = gm_number_plain(p, &v);
                if (!e)
                        return NULL;
                rd->dst[col][i * rd->step[col]] = v;
                if (col == last) {
                        e += *e == '\r';
                        return *e == '\n' ? (char *)e + 1 : NULL;
                }
                if (*e != ',')
                        return NULL;
                p = (char *)e + 1;
        }
}

/* Checks on the whole file, once its last row is read. */
static int finish(struct gm_reader *rd, char *err, size_t errlen)
{
        struct gm_recording_info *in = &rd->info;
        const char *path = rd->path;
        if (in->n < 2)
                return gm_csv_fail(err, errlen, -EINVAL, "%s: %zu sample rows, at least 2 are needed", path, in->n);
        if (rd->header_rate && in->n > 10) {
                /* Both middle intervals inside the band: the median is, whatever its value. */
                uint64_t m = rd->intervals;
                bool inside = m && rd->below_band <= (m - 1) / 2 && rd->above_band <= m - 1 - m / 2;
                if (!inside && !rd->seekable)
                        return gm_csv_fail(err, errlen, -EINVAL, "%s: rate_hz %.6g does not match the timestamps", path,
                                           in->rate_hz);
                if (!inside) {
                        double data_rate = 1.0 / median_interval(path);
                        if (fabs(data_rate - in->rate_hz) > RATE_MISMATCH * in->rate_hz)
                                return gm_csv_fail(err, errlen, -EINVAL,
                                                   "%s: rate_hz %.6g does not match the timestamps (%.6g Hz)", path,
                                                   in->rate_hz, data_rate);
                }
        }
        if (!(in->rate_hz >= 1 && in->rate_hz <= 100000))
                return gm_csv_fail(err, errlen, -EINVAL, "%s: sample rate %.6g Hz out of range", path, in->rate_hz);
        in->bytes_done = lines_offset(&rd->L);
        return 0;
}

int gm_reader_next(struct gm_reader *rd, struct gm_rows *rows, char *err, size_t errlen)
{
        struct gm_recording_info *in = &rd->info;
        size_t n = 0;
        int r = 0;
        memset(rows, 0, sizeof(*rows));
        if (rd->done)
                return 0;
        while (n < GM_READER_BLOCK) {
                struct lines *L = &rd->L;
                char *next;
                if (L->start < L->whole && (next = plain_row(rd, L->buf + L->start, n))) {
                        L->start = next - L->buf;
                        L->lineno++;
                } else {
                        char *line;
                        bool nl;
                        r = lines_next(L, &line, &nl, rd->path, err, errlen);
                        if (r < 0)
                                return r;
                        if (r == 0)
                                break;
                        if (blank(line))
                                continue;
                        if (!nl)
                                return gm_csv_fail(err, errlen, -EINVAL,
                                                   "%s:%zu: the file ends inside this line (cut short?)", rd->path,
                                                   L->lineno);
                        if ((r = parse_row(rd, line, n, err, errlen)) < 0)
                                return r;
                }
                double t = rd->t[n];
                if (!isfinite(t))
                        return gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: time_s is not finite", rd->path,
                                           rd->L.lineno);
                if (in->n > 0) {
                        if (!(t > in->t_last))
                                return gm_csv_fail(err, errlen, -EINVAL,
                                                   "%s:%zu: time goes backwards or repeats (%.6g after %.6g)", rd->path,
                                                   rd->L.lineno, t, in->t_last);
                        double dt = t - in->t_last;
                        if (dt > rd->gap_s)
                                in->gaps++;
                        if (isfinite(dt)) {
                                rd->intervals++;
                                rd->below_band += dt < rd->band_lo;
                                rd->above_band += dt > rd->band_hi;
                        }
                } else {
                        in->t_first = t;
                }
                in->t_last = t;
                in->n++;
                n++;
        }
        in->bytes_done = lines_offset(&rd->L);
        if (n == 0) {
                rd->done = true;
                return finish(rd, err, errlen);
        }
        rows->n = n;
        rows->t = rd->t;
        for (int l = 0; l < GM_LOC_COUNT; l++)
                rows->data[l] = rd->data[l];
        return n;
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

int gm_recording_read(const char *path, struct gm_recording **out, char *err, size_t errlen, gm_progress_fn progress,
                      void *userdata)
{
        struct gm_reader *rd;
        int r = gm_reader_open(path, &rd, err, errlen);
        if (r < 0)
                return r;
        const struct gm_recording_info *in = gm_reader_info(rd);
        size_t cap = 1024;
        struct gm_recording *rec = gm_recording_new(in->rate_hz, cap, in->loc_mask, in->gyr_mask);
        if (!rec) {
                r = gm_csv_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
                goto out;
        }
        snprintf(rec->activity, sizeof(rec->activity), "%s", in->activity);
        size_t n = 0, next_progress = 0;
        struct gm_rows rows;
        while ((r = gm_reader_next(rd, &rows, err, errlen)) > 0) {
                if (n + rows.n > cap) {
                        while (n + rows.n > cap)
                                cap *= 2;
                        if (grow(rec, cap) < 0) {
                                r = gm_csv_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
                                goto out;
                        }
                }
                memcpy(rec->t + n, rows.t, rows.n * sizeof(double));
                for (int l = 0; l < GM_LOC_COUNT; l++)
                        if (rows.data[l])
                                memcpy(rec->data[l] + n * 6, rows.data[l], rows.n * 6 * sizeof(double));
                n += rows.n;
                if (progress && in->bytes_done >= next_progress) {
                        progress(in->bytes_done, in->bytes_total, userdata);
                        next_progress = in->bytes_done + (1u << 20);
                }
        }
        if (r < 0)
                goto out;
        rec->n = n;
        rec->rate_hz = in->rate_hz;
        rec->gaps = in->gaps;
        if (progress)
                progress(in->bytes_total, in->bytes_total, userdata);
        *out = rec;
        rec = NULL;
out:
        gm_recording_free(rec);
        gm_reader_free(rd);
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
