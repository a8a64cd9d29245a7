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
