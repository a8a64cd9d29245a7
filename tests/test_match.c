/* The scorer's matching rules: tolerance, sides, one-to-one pairing and bouts. */
#include <criterion/criterion.h>
#include <math.h>

#include "gm_events.h"
#include "gm_match.h"

static void add(struct gm_event_list *l, double t, enum gm_side side, enum gm_event_kind kind)
{
        struct gm_event e = { .t = t, .side = side, .kind = kind };
        cr_assert_eq(gm_event_list_add(l, &e), 0);
}

static struct gm_match_result match(const struct gm_event_list *truth, const struct gm_event_list *det,
                                    const struct gm_match_opts *o)
{
        struct gm_match_result r;
        cr_assert_eq(gm_match(truth, det, o, &r), 0);
        return r;
}

Test(match, closest_pairs_win_within_the_tolerance)
{
        struct gm_event_list truth = { 0 }, det = { 0 };
        add(&truth, 1.00, GM_SIDE_LEFT, GM_EVENT_IC);
        add(&truth, 2.00, GM_SIDE_LEFT, GM_EVENT_IC);
        /* 1.06 and 1.09 both reach 1.00 and the closer wins; 2.12 is out of reach of 2.00. */
        add(&det, 1.06, GM_SIDE_LEFT, GM_EVENT_IC);
        add(&det, 1.09, GM_SIDE_LEFT, GM_EVENT_IC);
        add(&det, 2.12, GM_SIDE_LEFT, GM_EVENT_IC);
        struct gm_match_opts o;
        gm_match_opts_default(&o);
        struct gm_match_result r = match(&truth, &det, &o);
        cr_expect_eq(r.ic.tp, 1);
        cr_expect_eq(r.ic.fp, 2);
        cr_expect_eq(r.ic.fn, 1);
        cr_expect_float_eq(r.ic.abs_err_sum, 0.06, 1e-9);

        o.tol_ic = 0.15;
        r = match(&truth, &det, &o);
        cr_expect_eq(r.ic.tp, 2, "a wider tolerance takes 2.12 for 2.00");
        cr_expect_eq(r.ic.fp, 1);
        cr_expect_eq(r.ic.fn, 0);
        gm_event_list_clear(&truth);
        gm_event_list_clear(&det);
}

Test(match, sides_must_agree_unless_unknown_or_any_side)
{
        struct gm_event_list truth = { 0 }, det = { 0 };
        add(&truth, 1.0, GM_SIDE_LEFT, GM_EVENT_IC);
        add(&truth, 2.0, GM_SIDE_UNKNOWN, GM_EVENT_IC);
        add(&det, 1.0, GM_SIDE_RIGHT, GM_EVENT_IC);
        add(&det, 2.0, GM_SIDE_RIGHT, GM_EVENT_IC);
        struct gm_match_opts o;
        gm_match_opts_default(&o);
        struct gm_match_result r = match(&truth, &det, &o);
        cr_expect_eq(r.ic.tp, 1, "only the truth of unknown side takes a right detection");
        cr_expect_eq(r.ic.fn, 1);
        cr_expect_eq(r.ic.fp, 1);

        o.any_side = true;
        r = match(&truth, &det, &o);
        cr_expect_eq(r.ic.tp, 2);
        cr_expect_eq(r.ic.fn, 0);
        cr_expect_eq(r.ic.fp, 0);
        gm_event_list_clear(&truth);
        gm_event_list_clear(&det);
}

Test(match, only_inside_bouts)
{
        struct gm_event_list truth = { 0 }, det = { 0 };
        struct gm_bout b = { 1.0, 3.0 };
        struct gm_bout_list bouts = { .n = 1, .cap = 1, .b = &b };
        add(&truth, 1.0, GM_SIDE_LEFT, GM_EVENT_IC);
        add(&truth, 5.0, GM_SIDE_LEFT, GM_EVENT_IC); /* outside: not annotated, not counted */
        add(&det, 0.95, GM_SIDE_LEFT, GM_EVENT_IC);  /* within the tolerance of the bout start */
        add(&det, 5.0, GM_SIDE_LEFT, GM_EVENT_IC);
        add(&det, 7.0, GM_SIDE_LEFT, GM_EVENT_IC);
        struct gm_match_opts o;
        gm_match_opts_default(&o);
        o.bouts = &bouts;
        struct gm_match_result r = match(&truth, &det, &o);
        cr_expect_eq(r.ic.tp, 1);
        cr_expect_eq(r.ic.fp, 0);
        cr_expect_eq(r.ic.fn, 0);
        gm_event_list_clear(&truth);
        gm_event_list_clear(&det);
}

Test(match, stance_and_cadence)
{
        struct gm_event_list truth = { 0 }, det = { 0 };
        /* Strides of 1.0 s per side: 120 steps/min; stance 0.6 s true, 0.65 s detected. */
        for (int i = 0; i < 6; i++) {
                double t = i;
                add(&truth, t, GM_SIDE_LEFT, GM_EVENT_IC);
                add(&truth, t + 0.6, GM_SIDE_LEFT, GM_EVENT_FC);
                add(&truth, t + 0.5, GM_SIDE_RIGHT, GM_EVENT_IC);
                add(&det, t + 0.01, GM_SIDE_LEFT, GM_EVENT_IC);
                add(&det, t + 0.66, GM_SIDE_LEFT, GM_EVENT_FC);
                add(&det, t + 0.5, GM_SIDE_RIGHT, GM_EVENT_IC);
        }
        gm_event_list_sort(&truth);
        gm_event_list_sort(&det);
        struct gm_match_opts o;
        gm_match_opts_default(&o);
        struct gm_match_result r = match(&truth, &det, &o);
        cr_expect_eq(r.ic.tp, 12);
        cr_expect_eq(r.fc.tp, 6);
        cr_expect_eq(r.stance_n, 6);
        cr_expect_float_eq(r.stance_err_sum / r.stance_n, 0.05, 1e-9);
        cr_expect_float_eq(r.cadence_true, 120.0, 1e-9);
        cr_expect_float_eq(r.cadence_det, 120.0, 1e-9);
        gm_event_list_clear(&truth);
        gm_event_list_clear(&det);
}

/* Cadence from strides: one foot's contact to its next with a contact between. Contacts of
 * unknown side are one leg's when no contact names a side, and otherwise steps of either
 * foot; two named for one foot in a row are no stride (they would read double cadence). */
Test(match, cadence_strides_hold_a_contact_between)
{
        struct gm_event_list one_leg = { 0 }, mixed = { 0 };
        /* One shank, side unknown: strides of 1.2 s are 100 steps/min. */
        for (int i = 0; i < 6; i++)
                add(&one_leg, 1.2 * i, GM_SIDE_UNKNOWN, GM_EVENT_IC);
        cr_expect_float_eq(gm_events_cadence(&one_leg, NULL), 100.0, 1e-9);
        /* Steps of 0.6 s: L R L R, six of unknown side, then L L (a misread side) R L R. */
        const enum gm_side L = GM_SIDE_LEFT, R = GM_SIDE_RIGHT, U = GM_SIDE_UNKNOWN;
        const enum gm_side sides[] = { L, R, L, R, U, U, U, U, U, U, L, L, R, L, R };
        for (size_t i = 0; i < sizeof(sides) / sizeof(sides[0]); i++)
                add(&mixed, 0.6 * i, sides[i], GM_EVENT_IC);
        cr_expect_float_eq(gm_events_cadence(&mixed, NULL), 100.0, 1e-9, "cadence %.1f",
                           gm_events_cadence(&mixed, NULL));
        gm_event_list_clear(&one_leg);
        gm_event_list_clear(&mixed);
}
