/* Filters: DC gain, attenuation, settling. */
#include <criterion/criterion.h>
#include <math.h>

#include "gm_filter.h"

static double steady_amplitude(struct gm_biquad *f, double rate, double freq)
{
        double peak = 0;
        for (int i = 0; i < (int)(rate * 20); i++) {
                double y = gm_biquad_run(f, sin(2 * M_PI * freq * i / rate));
                if (i > rate * 10 && fabs(y) > peak)
                        peak = fabs(y);
        }
        return peak;
}

Test(filter, lowpass_passes_dc_and_cuts_high)
{
        struct gm_biquad f;
        gm_biquad_lowpass(&f, 400, 5);
        cr_assert_float_eq(steady_amplitude(&f, 400, 0.5), 1.0, 0.01);
        gm_biquad_lowpass(&f, 400, 5);
        cr_assert_lt(steady_amplitude(&f, 400, 50), 0.02);
        gm_biquad_lowpass(&f, 400, 5);
        cr_assert_float_eq(steady_amplitude(&f, 400, 5), M_SQRT1_2, 0.02);
}

Test(filter, highpass_blocks_dc)
{
        struct gm_biquad f;
        gm_biquad_highpass(&f, 100, 1);
        double y = 0;
        for (int i = 0; i < 2000; i++)
                y = gm_biquad_run(&f, 9.81);
        cr_assert_lt(fabs(y), 1e-6);
}

Test(filter, reset_settles_on_constant)
{
        struct gm_biquad f;
        gm_biquad_lowpass(&f, 200, 3);
        gm_biquad_reset(&f, 4.0);
        cr_assert_float_eq(gm_biquad_run(&f, 4.0), 4.0, 1e-9);
}

Test(filter, history_search)
{
        static struct gm_hist h;
        for (int i = 0; i < 10000; i++)
                gm_hist_push(&h, sin(i * 0.01));
        size_t imax = gm_hist_argmax(&h, 9000, 9700);
        cr_assert_float_eq(gm_hist_at(&h, imax), sin(imax * 0.01), 1e-12);
        cr_assert_gt(gm_hist_at(&h, imax), 0.99);
        size_t imin = gm_hist_argmin(&h, 9000, 9700);
        cr_assert_lt(gm_hist_at(&h, imin), -0.99);
}

Test(hist, span_over_a_time_window)
{
        static struct gm_hist t, v;
        for (int i = 0; i < 100; i++) {
                gm_hist_push(&t, i * 0.01);
                gm_hist_push(&v, i == 50 ? NAN : sin(i * 0.1));
        }
        struct gm_span sp;
        gm_hist_span(&t, &v, 100, 0.095, 0.305, &sp); /* samples 10..30 */
        cr_expect_eq(sp.n, 21);
        cr_expect(sp.all_finite);
        double lo = INFINITY, hi = -INFINITY, sum = 0;
        for (int i = 10; i <= 30; i++) {
                lo = fmin(lo, sin(i * 0.1));
                hi = fmax(hi, sin(i * 0.1));
                sum += sin(i * 0.1);
        }
        cr_expect_float_eq(sp.min, lo, 1e-12);
        cr_expect_float_eq(sp.max, hi, 1e-12);
        cr_expect_float_eq(sp.mean, sum / 21, 1e-12);
        gm_hist_span(&t, &v, 100, 0.445, 0.555, &sp); /* samples 45..55, 50 is NaN */
        cr_expect_not(sp.all_finite, "the NaN at 0.50 s is reported");
        cr_expect_eq(sp.n, 10);
        gm_hist_span(&t, &v, 100, 5, 6, &sp);
        cr_expect_eq(sp.n, 0, "nothing in a window after the data");
        cr_expect(isnan(sp.mean));
}
