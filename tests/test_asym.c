/* The asymmetry tracker: a baseline, then a shift that is a finding or is not one, per metric
 * and per sample rate. */
#include <criterion/criterion.h>
#include <math.h>

#include "gm_asym.h"

#define STRIDE_S 0.7
#define WARMUP_S 20.0
#define BASELINE_S 30.0

/* A symmetric run of strides with stance and impact, then from shift_at on the left side's
 * stance times (1 + stance_shift) and impact times (1 + impact_shift); the spikes per metric. */
static void run(double rate_hz, double shift_at, double stance_shift, double impact_shift, unsigned spikes[],
                double *impact_si)
{
        struct gm_asym a;
        gm_asym_init(&a, WARMUP_S, BASELINE_S, 6, 4, rate_hz);
        for (int m = 0; m < GM_METRIC_COUNT; m++)
                spikes[m] = 0;
        double t = 0;
        for (int k = 0; k < 400; k++) {
                for (int side = 0; side < 2; side++) {
                        t += STRIDE_S / 2;
                        /* A little stride-to-stride variation, the same on both sides. */
                        double wobble = 0.01 * sin(k * 0.7);
                        bool shifted = side == GM_SIDE_LEFT && t >= shift_at;
                        struct gm_stride st = {
                                .side = side,
                                .t_ic = t - STRIDE_S,
                                .t_next_ic = t,
                                .t_fc = NAN,
                                .stride_s = STRIDE_S,
                                .stance_s = 0.25 * (1 + wobble) * (shifted ? 1 + stance_shift : 1),
                                .swing_s = NAN,
                                .hip_ext_deg = NAN,
                                .hip_range_deg = NAN,
                                .thigh_ext_deg = NAN,
                                .thigh_range_deg = NAN,
                                .pelvic_drop_deg = NAN,
                                .impact_g = 6 * (1 + wobble) * (shifted ? 1 + impact_shift : 1),
                                .activity = GM_ACTIVITY_RUNNING,
                                .steady = true,
                        };
                        struct gm_spike sp;
                        if (gm_asym_stride(&a, &st, &sp))
                                spikes[sp.metric]++;
                }
        }
        *impact_si = a.m[GM_METRIC_IMPACT].si;
}

Test(asym, a_stance_shift_of_eight_points_is_a_finding)
{
        unsigned spikes[GM_METRIC_COUNT];
        double impact_si;
        run(416, 120, 0.08, 0, spikes, &impact_si);
        cr_expect_eq(spikes[GM_METRIC_STANCE], 1, "stance: %u spikes", spikes[GM_METRIC_STANCE]);
        cr_expect_eq(spikes[GM_METRIC_IMPACT], 0, "impact: %u spikes", spikes[GM_METRIC_IMPACT]);
}

/* Healthy legs' impacts differ by more than their stance times do. */
Test(asym, an_impact_shift_needs_ten_points)
{
        unsigned spikes[GM_METRIC_COUNT];
        double impact_si;
        run(416, 120, 0, 0.08, spikes, &impact_si);
        cr_expect_eq(spikes[GM_METRIC_IMPACT], 0, "8 %% more impact: %u spikes", spikes[GM_METRIC_IMPACT]);
        cr_expect(fabs(impact_si - 7.7) < 0.5, "impact SI %.1f", impact_si);
        run(416, 120, 0, 0.15, spikes, &impact_si);
        cr_expect_eq(spikes[GM_METRIC_IMPACT], 1, "15 %% more impact: %u spikes", spikes[GM_METRIC_IMPACT]);
}

/* At 104 Hz an impact's top falls between samples: its balance is unknown, never a finding. */
Test(asym, slow_samples_give_no_impact_balance)
{
        unsigned spikes[GM_METRIC_COUNT];
        double impact_si;
        run(104, 120, 0.08, 0.3, spikes, &impact_si);
        cr_expect_eq(spikes[GM_METRIC_IMPACT], 0, "impact: %u spikes", spikes[GM_METRIC_IMPACT]);
        cr_expect(isnan(impact_si), "impact SI %.1f at 104 Hz", impact_si);
        cr_expect_eq(spikes[GM_METRIC_STANCE], 1, "stance: %u spikes", spikes[GM_METRIC_STANCE]);
}
