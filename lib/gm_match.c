/* Event matching: closest pairs first, one-to-one, within a tolerance and on the same side. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gm_events.h"
#include "gm_match.h"
#include "gm_stats.h"

void gm_match_opts_default(struct gm_match_opts *o)
{
        memset(o, 0, sizeof(*o));
        o->tol_ic = 0.10;
        o->tol_fc = 0.15;
}

static bool in_bouts(const struct gm_bout_list *bouts, double t, double margin)
{
        if (!bouts)
                return true;
        for (size_t i = 0; i < bouts->n; i++)
                if (t >= bouts->b[i].start - margin && t <= bouts->b[i].end + margin)
                        return true;
        return false;
}

/* Ignore fc detections between the first and second truth ic of a bout. */
static bool after_first_ic(const struct gm_event_list *truth, const struct gm_bout_list *bouts, double t)
{
        if (!bouts)
                return false;
        for (size_t b = 0; b < bouts->n; b++) {
                double first = NAN, second = NAN;
                for (size_t i = 0; i < truth->n; i++) {
                        const struct gm_event *e = &truth->ev[i];
                        if (e->kind != GM_EVENT_IC || e->t < bouts->b[b].start || e->t > bouts->b[b].end)
                                continue;
                        if (isnan(first))
                                first = e->t;
                        else {
                                second = e->t;
                                break;
                        }
                }
                if (!isnan(second) && t > first && t < second)
                        return true;
        }
        return false;
}

static bool sides_match(enum gm_side truth, enum gm_side det)
{
        return truth == GM_SIDE_UNKNOWN || truth == det;
}

struct pair {
        size_t ti, di;
        double dt;
};

static int cmp_pair(const void *a, const void *b)
{
        const struct pair *x = a, *y = b;
        return (x->dt > y->dt) - (x->dt < y->dt);
}

/* Fills match_of_truth[i] with the index of the matched detection or SIZE_MAX. */
static int match_kind(const struct gm_event_list *truth, const struct gm_event_list *det, const struct gm_match_opts *o,
                      enum gm_event_kind kind, struct gm_match_stats *st, size_t *match_of_truth)
{
        double tol = kind == GM_EVENT_IC ? o->tol_ic : o->tol_fc;
        size_t cap = 64, np = 0;
        struct pair *pairs = malloc(cap * sizeof(*pairs));
        bool *det_used = calloc(det->n + 1, sizeof(bool));
        bool *det_ok = calloc(det->n + 1, sizeof(bool));
        if (!pairs || !det_used || !det_ok) {
                free(pairs);
                free(det_used);
                free(det_ok);
                return -ENOMEM;
        }
        memset(st, 0, sizeof(*st));
        for (size_t d = 0; d < det->n; d++) {
                const struct gm_event *e = &det->ev[d];
                det_ok[d] = e->kind == kind && in_bouts(o->bouts, e->t, tol) &&
                            !(kind == GM_EVENT_FC && o->skip_fc_after_first_ic &&
                              after_first_ic(truth, o->bouts, e->t));
        }
        size_t lo = 0;
        for (size_t ti = 0; ti < truth->n; ti++) {
                const struct gm_event *e = &truth->ev[ti];
                match_of_truth[ti] = SIZE_MAX;
                if (e->kind != kind || !in_bouts(o->bouts, e->t, 0))
                        continue;
                while (lo < det->n && det->ev[lo].t < e->t - tol)
                        lo++;
                for (size_t d = lo; d < det->n && det->ev[d].t <= e->t + tol; d++) {
                        if (!det_ok[d] || (!o->any_side && !sides_match(e->side, det->ev[d].side)))
                                continue;
                        if (np == cap) {
                                cap *= 2;
                                struct pair *n = realloc(pairs, cap * sizeof(*n));
                                if (!n) {
                                        free(pairs);
                                        free(det_used);
                                        free(det_ok);
                                        return -ENOMEM;
                                }
                                pairs = n;
                        }
                        pairs[np++] = (struct pair){ ti, d, fabs(det->ev[d].t - e->t) };
                }
        }
        qsort(pairs, np, sizeof(*pairs), cmp_pair);
        for (size_t i = 0; i < np; i++) {
                if (match_of_truth[pairs[i].ti] != SIZE_MAX || det_used[pairs[i].di])
                        continue;
                match_of_truth[pairs[i].ti] = pairs[i].di;
                det_used[pairs[i].di] = true;
                st->tp++;
                st->abs_err_sum += pairs[i].dt;
        }
        for (size_t ti = 0; ti < truth->n; ti++)
                if (truth->ev[ti].kind == kind && in_bouts(o->bouts, truth->ev[ti].t, 0) &&
                    match_of_truth[ti] == SIZE_MAX)
                        st->fn++;
        for (size_t d = 0; d < det->n; d++)
                if (det_ok[d] && !det_used[d])
                        st->fp++;
        free(pairs);
        free(det_used);
        free(det_ok);
        return 0;
}

double gm_events_cadence(const struct gm_event_list *ev, const struct gm_bout_list *bouts)
{
        double *strides = malloc((ev->n + 1) * sizeof(double));
        if (!strides)
                return NAN;
        size_t n = 0;
        /* "unknown" is one leg's sensor when no contact names the other leg, and otherwise
         * a step of either foot. With both sides, a stride is one foot's contact to its next
         * with a contact between: two named for one foot in a row are a same-foot step or a
         * wrong side. The list is in time order. */
        unsigned sides = 0;
        for (size_t i = 0; i < ev->n; i++)
                if (ev->ev[i].kind == GM_EVENT_IC)
                        sides |= 1u << ev->ev[i].side;
        bool named = (sides & 3u) == 3u;
        for (int side = GM_SIDE_LEFT; side <= (named ? GM_SIDE_RIGHT : GM_SIDE_UNKNOWN); side++) {
                double prev = NAN;
                bool between = !named;
                for (size_t i = 0; i < ev->n; i++) {
                        const struct gm_event *e = &ev->ev[i];
                        if (e->kind != GM_EVENT_IC || !in_bouts(bouts, e->t, 0))
                                continue;
                        if ((int)e->side != side) {
                                between = true;
                                continue;
                        }
                        double dt = e->t - prev;
                        if (between && dt > 0.25 && dt < 2.5)
                                strides[n++] = dt;
                        prev = e->t;
                        between = !named;
                }
        }
        double cad = 120.0 / gm_median(strides, n);
        free(strides);
        return cad;
}

int gm_match(const struct gm_event_list *truth, const struct gm_event_list *det, const struct gm_match_opts *o,
             struct gm_match_result *res)
{
        memset(res, 0, sizeof(*res));
        size_t *ic_of = malloc((truth->n + 1) * sizeof(size_t));
        size_t *fc_of = malloc((truth->n + 1) * sizeof(size_t));
        int r = -ENOMEM;
        if (!ic_of || !fc_of)
                goto out;
        r = match_kind(truth, det, o, GM_EVENT_IC, &res->ic, ic_of);
        if (r < 0)
                goto out;
        r = match_kind(truth, det, o, GM_EVENT_FC, &res->fc, fc_of);
        if (r < 0)
                goto out;
        /* Stance: each truth ic with the next truth fc of the same side, both matched. */
        for (size_t i = 0; i < truth->n; i++) {
                if (truth->ev[i].kind != GM_EVENT_IC || ic_of[i] == SIZE_MAX)
                        continue;
                for (size_t j = i + 1; j < truth->n && truth->ev[j].t - truth->ev[i].t < 2.0; j++) {
                        if (truth->ev[j].side != truth->ev[i].side)
                                continue;
                        if (truth->ev[j].kind == GM_EVENT_IC)
                                break;
                        if (fc_of[j] != SIZE_MAX) {
                                double st_true = truth->ev[j].t - truth->ev[i].t;
                                double st_det = det->ev[fc_of[j]].t - det->ev[ic_of[i]].t;
                                res->stance_err_sum += fabs(st_det - st_true);
                                res->stance_n++;
                        }
                        break;
                }
        }
        res->cadence_true = gm_events_cadence(truth, o->bouts);
        /* Detections count for cadence only where the truth is annotated. */
        res->cadence_det = gm_events_cadence(det, o->bouts);
        r = 0;
out:
        free(ic_of);
        free(fc_of);
        return r;
}

double gm_match_precision(const struct gm_match_stats *s)
{
        return s->tp + s->fp ? (double)s->tp / (s->tp + s->fp) : NAN;
}

double gm_match_recall(const struct gm_match_stats *s)
{
        return s->tp + s->fn ? (double)s->tp / (s->tp + s->fn) : NAN;
}

double gm_match_f1(const struct gm_match_stats *s)
{
        return 2 * s->tp + s->fp + s->fn ? 2.0 * s->tp / (2 * s->tp + s->fp + s->fn) : NAN;
}
