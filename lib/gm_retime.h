/* Running contacts heard at the sacrum retime a shank's initial and final contacts. */
#pragma once

#include <stdbool.h>

#include "gm_types.h"

#define GM_RETIME_CONTACTS 16
#define GM_RETIME_HELD 64

/* A shank's rotation marks toe-off only loosely (its minimum follows it by 80-110 ms on
 * rbds) and heel strike by a dip that a soft landing or a forefoot strike blurs; the load at
 * the sacrum rises and falls with the contact itself. The shank still names the side. The
 * shank's events wait here until the sacrum has spoken for their time. */
struct gm_retime {
        double start[GM_RETIME_CONTACTS], end[GM_RETIME_CONTACTS];
        unsigned n;         /* contacts heard, the last GM_RETIME_CONTACTS kept */
        double open_start;  /* a contact's start whose end is not heard yet; NaN: none */
        double heard_until; /* start of the newest contact heard */
        struct gm_event held[GM_RETIME_HELD];
        unsigned head, count;
        unsigned long long retimed, kept, dropped;
};

void gm_retime_init(struct gm_retime *r);
/* An event of the sacral running contacts: an IC opens a contact, the FC after it closes it. */
void gm_retime_contact(struct gm_retime *r, const struct gm_event *ev);
/* A shank's event, held until gm_retime_next gives it back. -ENOBUFS: none can be held
 * (the caller passes it on as it is). */
int gm_retime_hold(struct gm_retime *r, const struct gm_event *ev);
/* The oldest held event once the sacrum has spoken for its time (or stayed silent too
 * long, or flush), retimed to the contact it belongs to when running (*retimed says whether it
 * was). 1: *out is set; 0: none due. An FC without a contact while contacts are heard is dropped: a stance from two
 * clocks would be wrong by the shank's lag. */
/* A held event is due once a contact starting this long after it is heard... */
#define GM_RETIME_DUE_AFTER_S 0.10
/* ... or once the sacrum has been silent for this long (walking, a pelvis dropout). */
#define GM_RETIME_MAX_HOLD_S 2.5

/* Whether gm_retime_next would give an event: inline, as the pipeline asks every sample. */
static inline bool gm_retime_due(const struct gm_retime *r, double t_now, bool flush)
{
        if (!r->count)
                return false;
        double t = r->held[r->head].t;
        return flush || r->heard_until > t + GM_RETIME_DUE_AFTER_S || t_now - t > GM_RETIME_MAX_HOLD_S;
}
int gm_retime_next(struct gm_retime *r, double t_now, bool running, bool flush, struct gm_event *out, bool *retimed);
