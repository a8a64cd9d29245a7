/* Writes one ended 15-minute run into a history the way gaitmond does: its minutes, every
 * stride of both sides with values that vary (some unknown, as without a sensor), and advice.
 *
 *   store-fill DIR START_US     prints the run's id
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gm_store.h"

#define MINUTES 15

int main(int argc, char **argv)
{
        struct gm_store *s = NULL;
        uint64_t id;
        int r;

        if (argc != 3) {
                fprintf(stderr, "usage: store-fill DIR START_US\n");
                return 2;
        }
        int64_t start_us = strtoll(argv[2], NULL, 10);
        r = gm_store_open(argv[1], &s);
        if (r < 0) {
                fprintf(stderr, "store-fill: %s: %s\n", argv[1], strerror(-r));
                return 1;
        }
        struct gm_run_summary run = {
                .start_us = start_us, .activity = GM_ACTIVITY_RUNNING, .cadence_spm = NAN, .vertical_osc_cm = NAN
        };
        r = gm_store_run_begin(s, &run, &id);
        /* Strides alternate sides every half stride; stride time drifts with fatigue. */
        double t = 0.3;
        unsigned k = 0;
        for (unsigned m = 0; r >= 0 && m < MINUTES; m++) {
                struct gm_stride_record strides[256];
                size_t n = 0;
                while (t < 60.0 * (m + 1) && n < 256) {
                        enum gm_side side = k % 2 ? GM_SIDE_RIGHT : GM_SIDE_LEFT;
                        double stride_ms = 700 + 15 * sin(k * 0.05) + m;
                        strides[n++] = (struct gm_stride_record){
                                .t_s = t,
                                .side = side,
                                .stride_ms = stride_ms,
                                .stance_ms = (side == GM_SIDE_LEFT ? 240 : 252) + 5 * cos(k * 0.3) + 0.5 * m,
                                .swing_ms = k % 97 == 5 ? NAN : 450 + 3 * sin(k * 0.7),
                                .hip_ext_deg = k % 53 == 7
                                                       ? NAN
                                                       : (side == GM_SIDE_LEFT ? 9.0 - 0.2 * m : 11.5) + sin(k * 0.11),
                                .pelvic_drop_deg = (side == GM_SIDE_LEFT ? 4.0 : 5.5 + 0.1 * m) + 0.3 * cos(k * 0.2),
                                .impact_g = 2.5 + 0.4 * sin(k * 0.13),
                                .vertical_osc_cm = k % 41 == 3 ? NAN : 8.6 + 0.4 * sin(k * 0.09) + 0.02 * m,
                                .activity = GM_ACTIVITY_RUNNING,
                        };
                        t += stride_ms / 2000.0;
                        k++;
                }
                r = gm_store_run_strides(s, id, strides, n);
                struct gm_run_minute minute = {
                        .t_s = 60.0 * m,
                        .steps = n,
                        .cadence_spm = 170 - 0.2 * m,
                        .vertical_osc_cm = 8.6 + 0.02 * m,
                        .stance_ms = { 240 + 0.5 * m, 252 + 0.5 * m },
                        .hip_ext_deg = { 9.0 - 0.2 * m, 11.5 },
                        .pelvic_drop_deg = { 4.0, 5.5 + 0.1 * m },
                        .asym_max_pct = 0.8 * m,
                        .fatigue = m < 3 ? NAN : 0.05 * m,
                        .length_s = 60,
                        .activity = GM_ACTIVITY_RUNNING,
                };
                if (r >= 0)
                        r = gm_store_run_minute(s, id, &minute);
        }
        if (r >= 0) {
                struct gm_advice advice = { .n_actions = 1, .rest_days = 1, .acwr = NAN };
                snprintf(advice.summary, sizeof advice.summary, "Fifteen minutes, the left hip tiring: MARKER-%lld",
                         (long long)start_us);
                snprintf(advice.actions[0], GM_ADVICE_ACTION_MAX, "Glute bridges");
                run = (struct gm_run_summary){
                        .id = id,
                        .start_us = start_us,
                        .activity = GM_ACTIVITY_RUNNING,
                        .duration_s = 900,
                        .steps = k,
                        .cadence_spm = 168.6,
                        .vertical_osc_cm = 8.74,
                        .stance_ms = { 243.5, 255.5 },
                        .hip_ext_deg = { 7.6, 11.5 },
                        .pelvic_drop_deg = { 4, 6.2 },
                        .asym_max_pct = 11.2,
                        .asym_metric = "hip_extension",
                        .fatigue_max = 0.7,
                        .load = 3100,
                        .hip_ext_asym_pct = -14.5,
                        .pelvic_drop_asym_pct = 6.5,
                        .pelvic_drop_rise_deg = { NAN, 1.25 },
                        .fatigue_level_max = 2,
                };
                r = gm_store_run_end(s, &run, &advice);
        }
        gm_store_free(s);
        if (r < 0) {
                fprintf(stderr, "store-fill: %s\n", strerror(-r));
                return 1;
        }
        printf("%llu\n", (unsigned long long)id);
        return 0;
}
