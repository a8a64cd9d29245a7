/* Tilt fusion, sign votes and sagittal angles: the pieces hip extension rests on. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

#include "gm_align.h"
#include "gm_events.h"
#include "gm_model.h"
#include "gm_orient.h"
#include "gm_sagittal.h"
#include "gm_types.h"

/* A sensor swinging about its x axis like a thigh (±30 deg at 1.4 Hz) while its mount moves
 * up and down (±1 g at the step rate): "up" must follow the true tilt, not the acceleration. */
Test(orient, follows_a_swinging_segment)
{
        struct gm_orient o;
        gm_orient_init(&o, 1.0);
        const double rate = 100, f = 1.4, amp = 30 * M_PI / 180;
        double worst = 0;
        for (int i = 0; i < 60 * rate; i++) {
                double t = i / rate;
                double th = amp * sin(2 * M_PI * f * t), w = amp * 2 * M_PI * f * cos(2 * M_PI * f * t);
                /* World up seen by a sensor turned by th about x. */
                double up[3] = { 0, sin(th), cos(th) };
                double lin = GM_GRAVITY * sin(2 * M_PI * 2 * f * t); /* world vertical acceleration */
                double acc[3] = { 0, up[1] * (GM_GRAVITY + lin), up[2] * (GM_GRAVITY + lin) };
                double gyr[3] = { w, 0, 0 };
                gm_orient_push(&o, acc, gyr, 1 / rate);
                if (t > 10) {
                        double err = acos(fmin(1, o.up[0] * up[0] + o.up[1] * up[1] + o.up[2] * up[2]));
                        worst = fmax(worst, err);
                }
        }
        cr_expect_lt(worst * 180 / M_PI, 2.0, "worst tilt error %.2f deg", worst * 180 / M_PI);
}

Test(orient, starts_from_a_wrong_guess_and_converges)
{
        struct gm_orient o;
        gm_orient_init(&o, 1.0);
        double acc0[3] = { GM_GRAVITY, 0, 0 }, gyr[3] = { 0, 0, 0 };
        gm_orient_push(&o, acc0, gyr, 0.01); /* an impact pointing sideways */
        double acc[3] = { 0, 0, GM_GRAVITY };
        for (int i = 0; i < 1000; i++)
                gm_orient_push(&o, acc, gyr, 0.01);
        cr_expect_gt(o.up[2], cos(2 * M_PI / 180), "up %.3f %.3f %.3f", o.up[0], o.up[1], o.up[2]);
        double bad[3] = { NAN, 0, 0 };
        gm_orient_push(&o, bad, gyr, 0.01);
        cr_expect(isfinite(o.up[0]) && isfinite(o.up[1]) && isfinite(o.up[2]), "NaN input is ignored");
}

Test(sagittal, angle_about_the_axis)
{
        double axis[3] = { 1, 0, 0 }, ref[3] = { 0, 0, 1 };
        double a = 20 * M_PI / 180;
        /* A segment turned by +a about x sees up turned by -a. */
        double up[3] = { 0.3, sin(a), cos(a) }; /* the x part is out of plane and ignored */
        cr_expect_float_eq(gm_sagittal_angle(up, ref, axis), a, 1e-9);
        double along[3] = { 1, 0, 0 };
        cr_expect(isnan(gm_sagittal_angle(along, ref, axis)), "no angle when up lies on the axis");
}

/* The angle's own atan2 stays within a few units in the last place of libm's, all the way
 * round and at every tilt of the axis. */
Test(sagittal, as_libm_atan2)
{
        double axis[3] = { 0.6, 0, 0.8 }, ref[3] = { 0, 1, 0 }, e1[3] = { 0, 1, 0 }, e2[3] = { 0.8, 0, -0.6 };
        double worst = 0;
        for (int i = -200000; i <= 200000; i++) {
                double a = i * (M_PI / 200000) * 1.0000001, up[3];
                for (int k = 0; k < 3; k++)
                        up[k] = cos(a) * e1[k] + sin(a) * e2[k] + 0.3 * axis[k];
                /* The same vectors as gm_sagittal_angle forms, then libm. */
                double ku = up[0] * axis[0] + up[1] * axis[1] + up[2] * axis[2], u[3];
                for (int k = 0; k < 3; k++)
                        u[k] = up[k] - ku * axis[k];
                double c[3] = { ref[1] * u[2] - ref[2] * u[1], ref[2] * u[0] - ref[0] * u[2],
                                ref[0] * u[1] - ref[1] * u[0] };
                double y = c[0] * axis[0] + c[1] * axis[1] + c[2] * axis[2];
                double x = ref[0] * u[0] + ref[1] * u[1] + ref[2] * u[2];
                double d = fabs(gm_sagittal_angle(up, ref, axis) + atan2(y, x));
                worst = d > worst ? d : worst;
        }
        cr_expect(worst < 1e-15, "%.3g rad from libm's atan2", worst);
}

Test(sagittal, sign_vote_decides_holds_and_turns)
{
        struct gm_sign_vote v;
        gm_sign_vote_init(&v);
        gm_sign_vote_add(&v, 1);
        gm_sign_vote_add(&v, -1);
        gm_sign_vote_add(&v, NAN);
        gm_sign_vote_add(&v, 0);
        cr_expect_eq(v.sign, 0, "no lead yet: unknown");
        for (int i = 0; i < 3; i++)
                gm_sign_vote_add(&v, 2.5);
        cr_expect_eq(v.sign, 1);
        /* A few odd strides do not turn it. */
        for (int i = 0; i < 5; i++)
                gm_sign_vote_add(&v, -1);
        gm_sign_vote_add(&v, 1);
        for (int i = 0; i < 5; i++)
                gm_sign_vote_add(&v, -1);
        cr_expect_eq(v.sign, 1, "held through scattered evidence");
        /* A sensor turned over votes against it stride after stride. */
        for (int i = 0; i < 8; i++)
                gm_sign_vote_add(&v, -1);
        cr_expect_eq(v.sign, -1);
        cr_expect_eq(v.reversals, 1u);
}

/* An alignment that follows another one (gm_align.follow) ends every sample in the state it
 * would have computed itself, whatever the two sign rules: compared field by field with an
 * alignment fed alone, on the model's walking and running limbs, with a sensor turned over
 * halfway so that the signs reverse. */
static void expect_same_align(const struct gm_align *x, const struct gm_align *y, size_t i, const char *what)
{
        /* What a follower shows: its own sign-bearing fields, the rest through the accessors. */
        double ux[3], uy[3], probe[3] = { 0.3, -1.1, 0.7 }, acc[3] = { 1.5, 9.0, -2.0 };
        gm_align_up(x, ux);
        gm_align_up(y, uy);
        bool same = x->n == y->n && x->flips == y->flips && x->votes == y->votes && x->quiet_run == y->quiet_run &&
                    x->after_quiet == y->after_quiet && x->balance == y->balance &&
                    gm_align_sign_settled(x) == gm_align_sign_settled(y) &&
                    gm_align_main_rate(x, probe) == gm_align_main_rate(y, probe) &&
                    gm_align_yaw_rate(x, probe) == gm_align_yaw_rate(y, probe) &&
                    gm_align_vertical_acc(x, acc) == gm_align_vertical_acc(y, acc);
        for (int k = 0; k < 3; k++)
                same = same && x->axis[k] == y->axis[k] && ux[k] == uy[k];
        cr_assert(same,
                  "%s, sample %zu: followed axis %.17g %.17g %.17g flips %u balance %.17g votes %g, "
                  "alone %.17g %.17g %.17g flips %u balance %.17g votes %g",
                  what, i, x->axis[0], x->axis[1], x->axis[2], x->flips, x->balance, x->votes, y->axis[0], y->axis[1],
                  y->axis[2], y->flips, y->balance, y->votes);
}

Test(align, a_follower_computes_what_it_would_alone, .timeout = 120)
{
        static const enum gm_align_sign modes[3] = { GM_ALIGN_SIGN_LONGEST, GM_ALIGN_SIGN_AFTER_QUIET,
                                                     GM_ALIGN_SIGN_CALLER };
        static const char *const names[3] = { "longest", "after_quiet", "caller" };
        static const char *const activities[2] = { "walking", "running" };
        for (int act = 0; act < 2; act++) {
                struct gm_model_cfg mc;
                gm_model_cfg_default(&mc);
                mc.rate_hz = 200;
                mc.activity = act == 0 ? GM_ACTIVITY_WALKING : GM_ACTIVITY_RUNNING;
                struct gm_recording *rec;
                struct gm_event_list truth = { 0 };
                cr_assert_eq(gm_model_generate(&mc, 90, &rec, &truth), 0);
                unsigned flips_seen = 0;
                for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                        if (!(rec->loc_mask & (1u << loc)))
                                continue;
                        for (int lm = 0; lm < 3; lm++) {
                                struct gm_align lead, fol[3], alone[3];
                                gm_align_init(&lead, rec->rate_hz);
                                gm_align_set_sign_mode(&lead, modes[lm]);
                                for (int m = 0; m < 3; m++) {
                                        gm_align_init(&fol[m], rec->rate_hz);
                                        gm_align_set_sign_mode(&fol[m], modes[m]);
                                        fol[m].follow = &lead;
                                        gm_align_init(&alone[m], rec->rate_hz);
                                        gm_align_set_sign_mode(&alone[m], modes[m]);
                                }
                                for (size_t i = 0; i < rec->n; i++) {
                                        struct gm_sample s;
                                        gm_recording_get(rec, loc, i, &s);
                                        /* Turned over in the middle: the axis reverses. */
                                        if (i > rec->n / 2)
                                                for (int k = 0; k < 3; k++)
                                                        s.gyr[k] = -s.gyr[k];
                                        gm_align_push(&lead, &s, true);
                                        for (int m = 0; m < 3; m++) {
                                                gm_align_push(&fol[m], &s, true);
                                                gm_align_push(&alone[m], &s, true);
                                                cr_assert_not_null(fol[m].follow, "%s stopped following", names[m]);
                                                char what[96];
                                                snprintf(what, sizeof(what), "%s, %s %s after %s", activities[act],
                                                         gm_loc_name(loc), names[m], names[lm]);
                                                expect_same_align(&fol[m], &alone[m], i, what);
                                        }
                                }
                                for (int m = 0; m < 3; m++)
                                        flips_seen += alone[m].flips;
                        }
                }
                cr_assert(flips_seen > 0, "no sign was ever reversed: the test proves little");
                gm_recording_free(rec);
                gm_event_list_clear(&truth);
        }
}

/* A trunk's "up" is the posture it walks in: standing still stooped 20 degrees forward, then
 * walking upright, the pelvis' up follows the walk within seconds (it was the still spell's
 * until the next one). */
Test(align, a_trunk_s_up_follows_the_posture_it_walks_in)
{
        const double rate = 100, g = 9.80665, lean = 20 * M_PI / 180;
        struct gm_align a;
        gm_align_init(&a, rate);
        gm_align_up_only(&a);
        for (long i = 0; i < (long)(30 * rate); i++) {
                double t = i / rate;
                struct gm_sample s = { .t = t };
                if (t < 10) {
                        s.acc[0] = g * sin(lean);
                        s.acc[2] = g * cos(lean);
                } else {
                        /* Upright steps: a vertical bounce, a forward surge, the pelvis turning. */
                        double w = 2 * M_PI * 1.8;
                        s.acc[2] = g + 2.0 * sin(w * t);
                        s.acc[0] = 1.0 * sin(w * t + 1);
                        s.acc[1] = 1.5 * sin(w / 2 * t);
                        s.gyr[2] = 0.5 * sin(w / 2 * t);
                        s.gyr[1] = 0.3 * sin(w * t);
                }
                gm_align_push(&a, &s, true);
        }
        double up[3];
        gm_align_up(&a, up);
        double off = acos(fmin(1, up[2])) * 180 / M_PI;
        cr_expect_lt(off, 3, "up %.1f deg from upright after 20 s of upright walking (%.2f %.2f %.2f)", off, up[0],
                     up[1], up[2]);
}
