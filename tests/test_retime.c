/* Shank events retimed to the contacts heard at the sacrum: matching windows, the wait for
 * the pelvis, silence, walking and a full buffer. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>

#include "gm_retime.h"

static void contact(struct gm_retime *r, double start, double end)
{
        gm_retime_contact(r, &(struct gm_event){ .t = start, .side = GM_SIDE_UNKNOWN, .kind = GM_EVENT_IC });
        gm_retime_contact(r, &(struct gm_event){ .t = end, .side = GM_SIDE_UNKNOWN, .kind = GM_EVENT_FC });
}

static void hold(struct gm_retime *r, double t, enum gm_side side, enum gm_event_kind kind)
{
        cr_assert_eq(gm_retime_hold(r, &(struct gm_event){ .t = t, .side = side, .kind = kind }), 0);
}

static int next(struct gm_retime *r, double now, bool running, bool flush, struct gm_event *ev, bool *retimed)
{
        return gm_retime_next(r, now, running, flush, ev, retimed);
}

Test(retime, running_events_take_the_contact_edges_and_keep_their_side)
{
        struct gm_retime r;
        gm_retime_init(&r);
        /* Left contact 1.00-1.22, right 1.36-1.58; the shank's ic is 50 ms late, its fc 100 ms. */
        contact(&r, 1.00, 1.22);
        contact(&r, 1.36, 1.58);
        contact(&r, 1.72, 1.94);
        hold(&r, 1.05, GM_SIDE_LEFT, GM_EVENT_IC);
        hold(&r, 1.32, GM_SIDE_LEFT, GM_EVENT_FC);
        hold(&r, 1.41, GM_SIDE_RIGHT, GM_EVENT_IC);
        struct gm_event ev;
        bool retimed;
        cr_assert_eq(next(&r, 2.0, true, false, &ev, &retimed), 1);
        cr_expect_float_eq(ev.t, 1.00, 1e-12);
        cr_expect_eq(ev.side, GM_SIDE_LEFT);
        cr_expect_eq(ev.kind, GM_EVENT_IC);
        cr_expect(retimed);
        cr_assert_eq(next(&r, 2.0, true, false, &ev, &retimed), 1);
        cr_expect_float_eq(ev.t, 1.22, 1e-12, "fc at %.3f", ev.t);
        cr_expect_eq(ev.kind, GM_EVENT_FC);
        cr_assert_eq(next(&r, 2.0, true, false, &ev, &retimed), 1);
        cr_expect_float_eq(ev.t, 1.36, 1e-12);
        cr_expect_eq(ev.side, GM_SIDE_RIGHT);
        cr_expect_eq(next(&r, 2.0, true, false, &ev, &retimed), 0);
        cr_expect_eq(r.retimed, 3);
}

Test(retime, an_event_waits_until_the_pelvis_has_spoken_for_its_time)
{
        struct gm_retime r;
        gm_retime_init(&r);
        contact(&r, 1.00, 1.22);
        hold(&r, 1.05, GM_SIDE_LEFT, GM_EVENT_IC);
        struct gm_event ev;
        bool retimed;
        /* Only the contact it belongs to is heard: a later, nearer one may still come. */
        cr_expect_eq(next(&r, 1.4, true, false, &ev, &retimed), 0);
        /* The next contact's start says the pelvis has passed its time. */
        gm_retime_contact(&r, &(struct gm_event){ .t = 1.36, .kind = GM_EVENT_IC });
        cr_assert_eq(next(&r, 1.4, true, false, &ev, &retimed), 1);
        cr_expect_float_eq(ev.t, 1.00, 1e-12);
}

Test(retime, a_silent_pelvis_lets_events_go_as_they_are_after_a_while)
{
        struct gm_retime r;
        gm_retime_init(&r);
        hold(&r, 5.0, GM_SIDE_RIGHT, GM_EVENT_IC);
        hold(&r, 5.3, GM_SIDE_RIGHT, GM_EVENT_FC);
        struct gm_event ev;
        bool retimed = true;
        cr_expect_eq(next(&r, 6.0, true, false, &ev, &retimed), 0);
        cr_assert_eq(next(&r, 7.6, true, false, &ev, &retimed), 1);
        cr_expect_float_eq(ev.t, 5.0, 1e-12);
        cr_expect_not(retimed);
        /* Never heard a contact: the fc is the shank's, not dropped. */
        cr_assert_eq(next(&r, 7.9, true, false, &ev, &retimed), 1);
        cr_expect_float_eq(ev.t, 5.3, 1e-12);
        cr_expect_eq(ev.kind, GM_EVENT_FC);
}

Test(retime, walking_keeps_the_shank_times)
{
        struct gm_retime r;
        gm_retime_init(&r);
        contact(&r, 1.00, 1.12);
        contact(&r, 1.60, 1.72);
        hold(&r, 1.04, GM_SIDE_LEFT, GM_EVENT_IC);
        hold(&r, 1.20, GM_SIDE_RIGHT, GM_EVENT_FC);
        struct gm_event ev;
        bool retimed = true;
        cr_assert_eq(next(&r, 2.0, false, false, &ev, &retimed), 1);
        cr_expect_float_eq(ev.t, 1.04, 1e-12);
        cr_expect_not(retimed);
        cr_assert_eq(next(&r, 2.0, false, false, &ev, &retimed), 1);
        cr_expect_float_eq(ev.t, 1.20, 1e-12);
}

Test(retime, out_of_reach_ic_stays_and_fc_without_contact_goes)
{
        struct gm_retime r;
        gm_retime_init(&r);
        contact(&r, 1.00, 1.22);
        contact(&r, 2.00, 2.22);
        contact(&r, 3.00, 3.22);
        /* 0.2 s after a contact's start: a step the pelvis did not hear. */
        hold(&r, 1.20, GM_SIDE_LEFT, GM_EVENT_IC);
        /* 0.4 s after the nearest end: no contact of its own. */
        hold(&r, 1.62, GM_SIDE_LEFT, GM_EVENT_FC);
        hold(&r, 2.30, GM_SIDE_LEFT, GM_EVENT_FC);
        struct gm_event ev;
        bool retimed = true;
        cr_assert_eq(next(&r, 4.0, true, false, &ev, &retimed), 1);
        cr_expect_float_eq(ev.t, 1.20, 1e-12);
        cr_expect_not(retimed);
        /* The unmatched fc is dropped, the next one retimed to 2.22. */
        cr_assert_eq(next(&r, 4.0, true, false, &ev, &retimed), 1);
        cr_expect_float_eq(ev.t, 2.22, 1e-12);
        cr_expect(retimed);
        cr_expect_eq(r.dropped, 1);
        cr_expect_eq(r.kept, 1);
}

Test(retime, flush_gives_back_everything_and_a_full_buffer_refuses)
{
        struct gm_retime r;
        gm_retime_init(&r);
        for (int i = 0; i < GM_RETIME_HELD; i++)
                hold(&r, 10.0 + i * 0.1, GM_SIDE_LEFT, GM_EVENT_IC);
        cr_expect_eq(gm_retime_hold(&r, &(struct gm_event){ .t = 99, .kind = GM_EVENT_IC }), -ENOBUFS);
        struct gm_event ev;
        bool retimed;
        int n = 0;
        double last = -INFINITY;
        while (next(&r, 10.0, true, true, &ev, &retimed) == 1) {
                cr_expect_gt(ev.t, last);
                last = ev.t;
                n++;
        }
        cr_expect_eq(n, GM_RETIME_HELD);
}

Test(retime, garbage_contacts_are_ignored)
{
        struct gm_retime r;
        gm_retime_init(&r);
        gm_retime_contact(&r, &(struct gm_event){ .t = NAN, .kind = GM_EVENT_IC });
        gm_retime_contact(&r, &(struct gm_event){ .t = 1.0, .kind = GM_EVENT_FC }); /* no start */
        gm_retime_contact(&r, &(struct gm_event){ .t = 2.0, .kind = GM_EVENT_IC });
        gm_retime_contact(&r, &(struct gm_event){ .t = 1.5, .kind = GM_EVENT_FC }); /* before it */
        cr_expect_eq(r.n, 0);
}
