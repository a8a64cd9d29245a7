/* Running contacts heard at the sacrum retime a shank's initial and final contacts. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "gm_retime.h"

/* Where the contact may lie around the shank's event: its heel-strike dip comes after the
 * contact starts (30-70 ms on rbds, more on a soft landing), its toe-off minimum after the
 * contact ends. The other foot's contact is a step (at least 0.25 s) away. */
#define IC_BEFORE_S 0.15
#define IC_AFTER_S 0.05
#define FC_BEFORE_S 0.20
#define FC_AFTER_S 0.08
/* Contacts older than this do not speak for the shank's events: it is on its own. */
#define FRESH_S 2.5

void gm_retime_init(struct gm_retime *r)
{
        memset(r, 0, sizeof(*r));
        r->open_start = NAN;
        r->heard_until = -INFINITY;
}

void gm_retime_contact(struct gm_retime *r, const struct gm_event *ev)
{
        if (!isfinite(ev->t))
                return;
        if (ev->kind == GM_EVENT_IC) {
                r->open_start = ev->t;
                if (ev->t > r->heard_until)
                        r->heard_until = ev->t;
                return;
        }
        if (!(ev->t > r->open_start))
                return;
        unsigned k = r->n++ % GM_RETIME_CONTACTS;
        r->start[k] = r->open_start;
        r->end[k] = ev->t;
        r->open_start = NAN;
}

int gm_retime_hold(struct gm_retime *r, const struct gm_event *ev)
{
        if (r->count == GM_RETIME_HELD)
                return -ENOBUFS;
        r->held[(r->head + r->count++) % GM_RETIME_HELD] = *ev;
        return 0;
}

/* The time of the contact edge nearest to t inside [t - before, t + after]; NaN: none. */
static double nearest_edge(const struct gm_retime *r, const double *edge, double t, double before, double after)
{
        unsigned have = r->n < GM_RETIME_CONTACTS ? r->n : GM_RETIME_CONTACTS;
        double best = NAN;
        for (unsigned i = 0; i < have; i++) {
                double e = edge[i];
                if (e >= t - before && e <= t + after && !(fabs(e - t) >= fabs(best - t)))
                        best = e;
        }
        return best;
}

int gm_retime_next(struct gm_retime *r, double t_now, bool running, bool flush, struct gm_event *out, bool *retimed)
{
        while (r->count) {
                struct gm_event ev = r->held[r->head];
                if (!gm_retime_due(r, t_now, flush))
                        return 0;
                r->head = (r->head + 1) % GM_RETIME_HELD;
                r->count--;
                bool heard = r->n && r->heard_until > ev.t - FRESH_S;
                double t = NAN;
                if (running && heard)
                        t = ev.kind == GM_EVENT_IC ? nearest_edge(r, r->start, ev.t, IC_BEFORE_S, IC_AFTER_S)
                                                   : nearest_edge(r, r->end, ev.t, FC_BEFORE_S, FC_AFTER_S);
                if (isfinite(t)) {
                        ev.t = t;
                        r->retimed++;
                } else if (running && heard && ev.kind == GM_EVENT_FC) {
                        r->dropped++;
                        continue;
                } else {
                        r->kept++;
                }
                *out = ev;
                *retimed = isfinite(t);
                return 1;
        }
        return 0;
}
