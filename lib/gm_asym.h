/* Left/right asymmetry per metric: recent medians, the runner's baseline, spike onset. */
#pragma once

#include <stdbool.h>

#include "gm_pipeline.h"

#define GM_ASYM_RECENT 5 /* strides per side in the running median */

struct gm_asym_metric {
        double recent[2][GM_ASYM_RECENT];
        unsigned count[2];
        double si;                 /* current SI, NaN until both sides have values */
        double base_sum, base_sq;  /* baseline accumulation */
        unsigned base_n;
        double base_mean, base_sd; /* NaN until learned */
        unsigned out_run;          /* consecutive strides away from the baseline */
        double out_since;          /* time of the first of them */
        bool in_spike;             /* reported; re-armed once back near the baseline */
};

struct gm_asym {
        struct gm_asym_metric m[GM_METRIC_COUNT];
        double gait_s;             /* time spent in gait so far (sum of strides / 2) */
        double warmup_s, baseline_s, spike_si;
        unsigned spike_strides;
        double base_start;         /* gait_s at which the baseline starts */
};

void gm_asym_init(struct gm_asym *a, const struct gm_pipeline_cfg *cfg);
void gm_asym_reset_baseline(struct gm_asym *a);
/* A finished stride. Returns true and fills *spike when a metric left its baseline. */
bool gm_asym_stride(struct gm_asym *a, const struct gm_stride *st, struct gm_spike *spike);
/* Median of the recent values of one side, NaN if none. */
double gm_asym_recent(const struct gm_asym *a, enum gm_metric m, enum gm_side side);
bool gm_asym_baseline_ready(const struct gm_asym *a);
/* SI = 100 (L − R) / ((L + R) / 2), NaN when undefined. */
double gm_si(double left, double right);
/* The SI of a metric: angles whose zero is a posture, not an absence (hip and thigh
 * extension, pelvic drop), are divided by at least a typical size, so small values near
 * zero do not make a large SI; NaN beyond +-200, which no pair of readings can give. */
double gm_metric_si(enum gm_metric m, double left, double right);
