/* Events CSV and bouts CSV (design.md): the ground truth of a recording, and the events a
 * pipeline detects in it. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "gm_csv.h"
#include "gm_events.h"

/* Whole file into a NUL-terminated buffer. */
static int slurp(const char *path, char **buf, size_t *len, char *err, size_t errlen)
{
        FILE *f = fopen(path, "rb");
        if (!f)
                return gm_csv_fail(err, errlen, -errno, "%s: %s", path, strerror(errno));
        size_t cap = 1 << 16, n = 0;
        char *b = malloc(cap);
        for (;;) {
                if (!b) {
                        fclose(f);
                        return gm_csv_fail(err, errlen, -ENOMEM, "%s: out of memory", path);
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
                return gm_csv_fail(err, errlen, r, "%s: read error", path);
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
static int read_table(const char *path, const char *header, int nfields, int (*row)(char **fields, void *ud), void *ud,
                      char *err, size_t errlen)
{
        char *buf = NULL;
        size_t len;
        int r = slurp(path, &buf, &len, err, errlen);
        if (r < 0)
                return r;
        char *cursor = buf, *line;
        size_t lineno = 0;
        bool seen_header = false;
        while ((line = next_line(&cursor))) {
                lineno++;
                char *s = gm_csv_trim(line);
                if (!*s || *s == '#')
                        continue;
                if (!seen_header) {
                        if (strcmp(s, header) != 0) {
                                r = gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: header must be '%s'", path, lineno,
                                                header);
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
                        fields[n++] = gm_csv_trim(tok);
                }
                if (n != nfields) {
                        r = gm_csv_fail(err, errlen, -EINVAL, "%s:%zu: expected %d fields", path, lineno, nfields);
                        goto out;
                }
                r = row(fields, ud);
                if (r < 0) {
                        r = gm_csv_fail(err, errlen, r, "%s:%zu: bad value", path, lineno);
                        goto out;
                }
        }
        r = seen_header ? 0 : gm_csv_fail(err, errlen, -EINVAL, "%s: empty file, header '%s' missing", path, header);
out:
        free(buf);
        return r;
}

static int event_row(char **f, void *ud)
{
        struct gm_event ev;
        int side = gm_side_from_name(f[1]), kind = gm_event_kind_from_name(f[2]);
        if (!gm_csv_number(f[0], &ev.t) || !isfinite(ev.t) || side < 0 || kind < 0)
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
        if (!gm_csv_number(f[0], &b.start) || !gm_csv_number(f[1], &b.end) || !(b.end >= b.start))
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
