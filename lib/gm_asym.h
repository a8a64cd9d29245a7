/* Left/right asymmetry per metric: recent medians, the runner's baseline, spike onset. */
#pragma once

#include <stdbool.h>

#include "gm_metric.h"

#define GM_ASYM_RECENT 5         /* strides per side in the running median */
#define GM_ASYM_FRESH_S 8.0      /* a side's value older than this is no comparison for the other's */
#define GM_ASYM_REARM_STRIDES 20 /* strides close to the baseline end an excursion */
#define GM_ASYM_REFIRE_S 300.0   /* gait seconds before the same metric may be reported again */

/* The baseline of one activity: walking and running are different gaits. */
struct gm_asym_base {
        double sum, sq;
        unsigned n;
        double mean, sd; /* NaN until learned */
};

struct gm_asym_metric {
        double recent[2][GM_ASYM_RECENT];
        double recent_t[2][GM_ASYM_RECENT]; /* their strides' times: only fresh ones count */
        unsigned count[2];
        double si;                   /* current SI, NaN unless both sides are fresh */
        struct gm_asym_base base[2]; /* [0] walking, [1] running */
        unsigned out_run;            /* consecutive strides away from the baseline */
        unsigned back_run;           /* consecutive strides close to it */
        double out_since;            /* time of the first of them */
        bool in_spike;               /* reported; re-armed once back near the baseline */
        double last_spike_gait_s;    /* gait time of the last report, -inf before any */
};

struct gm_asym {
        struct gm_asym_metric m[GM_METRIC_COUNT];
        double gait_s[2]; /* steady gait so far per activity (sum of strides / 2) */
        double warmup_s, baseline_s, spike_si;
        double rate_hz; /* of the samples: a metric needing faster ones is not judged */
        unsigned spike_strides;
        double base_start[2]; /* gait_s at which each activity's baseline starts */
        int activity;         /* of the last steady stride: 0 walking, 1 running, -1 none */
        double t_last;        /* time of the last steady stride */
};

/* Baselines start after warmup_s of gait and are learned over baseline_s; a spike leaves the
 * baseline by spike_si SI points (at least the metric's spike_si_min) for spike_strides strides
 * in a row. Metrics whose min_rate_hz is above rate_hz have no SI. */
void gm_asym_init(struct gm_asym *a, double warmup_s, double baseline_s, double spike_si, unsigned spike_strides,
                  double rate_hz);
void gm_asym_reset_baseline(struct gm_asym *a);
/* A finished stride. Strides that are not steady (near an activity change, a pause, a gap or
 * bad samples) are left out of everything. Returns true and fills *spike when a metric left
 * the baseline of the stride's activity. */
bool gm_asym_stride(struct gm_asym *a, const struct gm_stride *st, struct gm_spike *spike);
/* Median of the fresh recent values of one side, NaN if none. */
double gm_asym_recent(const struct gm_asym *a, enum gm_metric m, enum gm_side side);
/* The baseline SI of a metric for the current activity, NaN until learned. */
double gm_asym_baseline(const struct gm_asym *a, enum gm_metric m);
bool gm_asym_baseline_ready(const struct gm_asym *a);
/* SI = 100 (L − R) / ((L + R) / 2), NaN when undefined. */
double gm_si(double left, double right);
/* The SI of a metric: angles whose zero is a posture, not an absence (hip and thigh
 * extension, pelvic drop), are divided by at least a typical size, so small values near
 * zero do not make a large SI; NaN beyond +-200, which no pair of readings can give. */
double gm_metric_si(enum gm_metric m, double left, double right);
