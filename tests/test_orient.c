/* Tilt fusion, sign votes and sagittal angles: the pieces hip extension rests on. */
#include <criterion/criterion.h>
#include <math.h>

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
