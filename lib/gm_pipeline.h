/* The streaming gait pipeline: samples in, events, strides, spikes and a metric snapshot out. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "gm_metric.h"
#include "gm_types.h"

struct gm_pipeline_cfg {
        double rate_hz;         /* 50..1000 */
        unsigned loc_mask;      /* 1u << enum gm_loc for each location that will be pushed */
        unsigned gyr_mask;      /* those with a gyro */
        double warmup_s;        /* asymmetry baseline starts after this much gait (default 60) */
        double baseline_s;      /* and is learned over this much (default 60) */
        double spike_si;        /* a spike leaves the baseline by this many SI points (default 6) */
        unsigned spike_strides; /* for this many strides in a row (default 4) */
};

struct gm_metrics {
        double t; /* time of the last sample */
        enum gm_activity activity;
        double cadence_spm;          /* from events */
        double cadence_fft_spm;      /* dominant frequency of the sliding FFT */
        double vertical_osc_cm;      /* the pelvis' rise and fall per step: median of the last steps */
        double vertical_osc_mean_cm; /* the same, mean of every step so far */
        uint64_t steps;              /* initial contacts counted */
        uint64_t strides[2];
        double value[GM_METRIC_COUNT][2];    /* recent per-side median of each metric */
        double load[2];                      /* cumulative per-side load, g·steps */
        double si[GM_METRIC_COUNT];          /* current SI, % */
        double si_baseline[GM_METRIC_COUNT]; /* NaN until learned */
        bool baseline_ready;
        bool steady;          /* the last strides were steady gait of one activity */
        uint64_t bad_samples; /* NaN, Inf or out of range: skipped */
        uint64_t gaps;        /* time gaps that restarted detection */
};

struct gm_pipeline;

void gm_pipeline_cfg_default(struct gm_pipeline_cfg *cfg);
/* Returns NULL with errno set (EINVAL for a bad configuration). */
struct gm_pipeline *gm_pipeline_new(const struct gm_pipeline_cfg *cfg);
void gm_pipeline_free(struct gm_pipeline *p);
/* Samples of each location in time order; locations may interleave freely. Returns 0,
 * 1 when the sample was flagged bad and skipped, or negative errno. */
int gm_pipeline_push(struct gm_pipeline *p, enum gm_loc loc, const struct gm_sample *s);
/* End of stream: decide what can still be decided. */
void gm_pipeline_flush(struct gm_pipeline *p);
/* Each returns 1 and fills *out while there is something new, else 0. */
int gm_pipeline_next_event(struct gm_pipeline *p, struct gm_event *out);
int gm_pipeline_next_stride(struct gm_pipeline *p, struct gm_stride *out);
int gm_pipeline_next_spike(struct gm_pipeline *p, struct gm_spike *out);
void gm_pipeline_snapshot(const struct gm_pipeline *p, struct gm_metrics *out);
/* Forget the asymmetry baseline and learn it again from now on. */
void gm_pipeline_reset_baseline(struct gm_pipeline *p);
