/* Vertical oscillation: a known rise and fall comes back from its acceleration alone,
 * whatever bias "up" has and wherever the contacts fall in the step; what cannot be a
 * step of a body is not measured. */
#include <criterion/criterion.h>
#include <math.h>

#include "gm_vosc.h"

struct signal {
        double rate, step_s, amp_m, bias; /* height amp sin(2 pi t / step_s); acc bias, m/s² */
        double hole_from, hole_to;        /* no samples in between */
};

/* Pushes the signal's samples over [0, until) into v and its times into t. */
static void play(const struct signal *sg, double until, struct gm_vosc *v, struct gm_hist *t)
{
        double w = 2 * M_PI / sg->step_s;
        for (long i = 0; i < (long)(until * sg->rate); i++) {
                double ti = i / sg->rate;
                if (ti >= sg->hole_from && ti < sg->hole_to)
                        continue;
                gm_hist_push(t, ti);
                gm_vosc_push(v, -sg->amp_m * w * w * sin(w * ti) + sg->bias);
        }
}

static struct gm_vosc vo;
static struct gm_hist times;

static void fresh(double rate)
{
        gm_vosc_init(&vo, rate);
        times.n = 0;
}

Test(vosc, running_step_rise_and_fall_whatever_the_phase_and_bias)
{
        struct signal sg = { .rate = 150, .step_s = 0.36, .amp_m = 0.05, .bias = 0.4, .hole_from = INFINITY };
        fresh(sg.rate);
        play(&sg, 10, &vo, &times);
        /* Contacts at several phases of the step: a period is a period. */
        for (double phase = 0; phase < 1; phase += 0.25) {
                double t0 = 2 + phase * sg.step_s;
                double cm = gm_vosc_stride(&vo, &times, t0, t0 + 2 * sg.step_s);
                cr_expect(fabs(cm - 10) < 0.1, "phase %.2f: %.3f cm for a 10 cm rise and fall", phase, cm);
        }
        cr_expect(fabs(gm_vosc_mean_cm(&vo) - 10) < 0.1, "mean %.3f cm", gm_vosc_mean_cm(&vo));
        cr_expect(fabs(gm_vosc_recent_cm(&vo, 5, 8) - 10) < 0.1, "recent %.3f cm", gm_vosc_recent_cm(&vo, 5, 8));
        cr_expect(isnan(gm_vosc_recent_cm(&vo, 30, 8)), "strides 25 s old are not recent");
}

Test(vosc, slow_walking_step)
{
        struct signal sg = { .rate = 100, .step_s = 0.9, .amp_m = 0.011, .bias = -0.2, .hole_from = INFINITY };
        fresh(sg.rate);
        play(&sg, 10, &vo, &times);
        double cm = gm_vosc_stride(&vo, &times, 3.1, 3.1 + 2 * sg.step_s);
        cr_expect(fabs(cm - 2.2) < 0.05, "%.3f cm for a 2.2 cm rise and fall", cm);
}

Test(vosc, what_is_no_step_is_not_measured)
{
        struct signal sg = { .rate = 100, .step_s = 0.5, .amp_m = 0.03, .hole_from = 5.0, .hole_to = 5.2 };
        fresh(sg.rate);
        play(&sg, 100, &vo, &times);
        cr_expect(isnan(gm_vosc_stride(&vo, &times, 4.8, 5.8)), "a stride across lost samples");
        cr_expect(isnan(gm_vosc_stride(&vo, &times, 10, 14)), "a 4 s stride");
        cr_expect(isnan(gm_vosc_stride(&vo, &times, 10, 10.2)), "a 0.2 s stride");
        cr_expect(isnan(gm_vosc_stride(&vo, &times, 99.5, 100.5)), "a stride whose end has not come");
        cr_expect(isnan(gm_vosc_stride(&vo, &times, 12, 11)), "a stride backwards");
        cr_expect(isnan(gm_vosc_mean_cm(&vo)), "nothing measured: no mean");
        /* 8192 samples at 100 Hz: after 100 s, the first 18 s are no longer held. */
        cr_expect(isnan(gm_vosc_stride(&vo, &times, 1, 2)), "a stride no longer held");
        cr_expect(fabs(gm_vosc_stride(&vo, &times, 94, 95) - 6) < 0.05, "a stride still held is measured");

        /* 60 cm up and down in a step is no gait. */
        struct signal jump = { .rate = 100, .step_s = 0.5, .amp_m = 0.3, .hole_from = INFINITY };
        fresh(jump.rate);
        play(&jump, 5, &vo, &times);
        cr_expect(isnan(gm_vosc_stride(&vo, &times, 1, 2)), "60 cm per step");
        /* A sample that is not a number spoils its stride. */
        fresh(100);
        for (int i = 0; i < 500; i++) {
                gm_hist_push(&times, i / 100.0);
                gm_vosc_push(&vo, i == 250 ? NAN : sin(i / 100.0 * 4 * M_PI));
        }
        cr_expect(isnan(gm_vosc_stride(&vo, &times, 2, 3)), "a NaN inside");
        cr_expect(isfinite(gm_vosc_stride(&vo, &times, 3, 4)), "after it");
}
