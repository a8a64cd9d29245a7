/* The daemon's analysis: sensor samples into the gait pipeline, findings out to the sinks. */
#pragma once

#include "gaitmond.h"

int gaitmond_analysis_init(struct gaitmond *d);
void gaitmond_analysis_free(struct gaitmond *d);
/* Moves every queued sample and status change into the pipeline and the sinks. */
void gaitmond_drain(struct gaitmond *d);
/* The pipeline's current metrics, its counts going on from those of the pipelines a
 * reload replaced. */
void gaitmond_snapshot(struct gaitmond *d, struct gm_metrics *m);
/* Once a second: refresh the snapshot and tell the sinks. */
void gaitmond_tick(struct gaitmond *d);
int gaitmond_add_sink(struct gaitmond *d, const struct gm_sink *sink, void *data);

/* The value of a metric for one side, NaN when the sensors it needs are down. */
double gaitmond_metric(const struct gaitmond *d, enum gm_metric m, enum gm_side side);
/* Its current SI and baseline, NaN when unavailable. */
double gaitmond_si(const struct gaitmond *d, enum gm_metric m);
double gaitmond_si_baseline(const struct gaitmond *d, enum gm_metric m);
double gaitmond_cadence(const struct gaitmond *d);
uint64_t gaitmond_dropped(const struct gaitmond *d);

#define gaitmond_each_sink(d, i, hook) \
        for (unsigned i = 0; i < (d)->n_sinks; i++) \
                if ((d)->sinks[i]->hook)
