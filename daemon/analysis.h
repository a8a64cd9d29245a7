/* The daemon's analysis: drains the acquisition into the gait pipeline on one sample clock and
 * fans its findings out to the registered consumers. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "acquisition.h"
#include "config.h"
#include "gm_pipeline.h"
#include "sample-clock.h"
#include "sink.h"

/* The rate a sensor really delivers, from its timestamps. */
struct gm_rate_check {
        int64_t first_ns;
        uint64_t n;
        bool done;
};

struct gm_analysis {
        const struct gm_config *cfg;
        struct gm_acquisition *acq; /* drained by the analysis */
        struct gm_sinks *sinks;     /* told of what it finds */

        struct gm_pipeline *pipeline;
        struct gm_sample_clock clock; /* the sensors' timestamps on one clock */
        double rate_hz;               /* the pipeline's: configured, or measured when off */
        struct gm_rate_check rate_check[GM_LOC_COUNT];
        unsigned no_gyr_mask; /* locations whose device has an accelerometer alone */
        bool have_t0;
        int64_t t0_ns;                  /* sample time 0 */
        double t_latest;                /* sample time of the newest sample */
        uint64_t dropped[GM_LOC_COUNT]; /* lost to timestamp gaps */
        double next_metrics_t;          /* sample time of the consumers' next snapshot */
        struct gm_metrics metrics;      /* counts include those carried */
        struct {                        /* counts of pipelines before a reload restarted it */
                uint64_t steps, strides[2], bad_samples, gaps;
                double load[2];
        } carried;
        bool ready; /* samples came: the service is ready */
};

/* Sets up the sample clock and the pipeline for the configured sensors. Negative errno (logged). */
int gm_analysis_init(struct gm_analysis *a, const struct gm_config *cfg, struct gm_acquisition *acq,
                     struct gm_sinks *sinks);
void gm_analysis_free(struct gm_analysis *a);
/* New sensors or thresholds: the pipeline starts afresh, its counts going on; remeasure when the
 * devices or the rate may differ. Negative errno (logged). */
int gm_analysis_restart(struct gm_analysis *a, bool remeasure);
/* The sensors of loc_mask were closed and opened again (see gm_sample_clock_reopened). */
void gm_analysis_reopened(struct gm_analysis *a, unsigned loc_mask, bool same_source);
/* Moves the queued samples, earliest first across the sensors (at most the rings' worth), and the
 * status changes into the pipeline and the consumers, a snapshot each second of sample time. */
void gm_analysis_drain(struct gm_analysis *a);
/* Once a second: refresh the snapshot and tell the consumers. */
void gm_analysis_tick(struct gm_analysis *a);
/* The asymmetry baseline is learned again. */
void gm_analysis_reset_baseline(struct gm_analysis *a);

/* The last snapshot. */
const struct gm_metrics *gm_analysis_metrics(const struct gm_analysis *a);
/* The value of a metric for one side, NaN when the sensors it needs are down. */
double gm_analysis_metric(const struct gm_analysis *a, enum gm_metric m, enum gm_side side);
/* Its current SI and baseline, NaN when unavailable. */
double gm_analysis_si(const struct gm_analysis *a, enum gm_metric m);
double gm_analysis_si_baseline(const struct gm_analysis *a, enum gm_metric m);
double gm_analysis_cadence(const struct gm_analysis *a);
/* The pelvis' recent rise and fall per step (cm), NaN while it is not streaming. */
double gm_analysis_vertical_osc(const struct gm_analysis *a);
uint64_t gm_analysis_dropped(const struct gm_analysis *a);
