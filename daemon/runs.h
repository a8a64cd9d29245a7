/* Runs: a consumer of the analysis feeding the session tracker, keeping the history store and
 * working out the recovery advice; it tells the consumers of runs starting, minutes, fatigue
 * and runs ending. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "gm_pipeline.h"
#include "sink.h"

struct gm_session;
struct gm_store;
struct gm_stride_record;

struct gm_runs {
        const struct gm_config *cfg;
        struct gm_sinks *sinks; /* told of the runs */

        struct gm_session *session;
        struct gm_store *store;    /* NULL when the history cannot be kept */
        bool session_refused;      /* the last push was refused (logged once) */
        double metrics_t;          /* sample time of the last snapshot pushed */
        enum gm_activity activity; /* and its activity */
        double next_progress_t;    /* sample time the run's progress is saved next */
        bool progress_failed;      /* said once until it works again */
        bool in_run;
        int64_t run_start_us; /* wall clock */
        uint64_t run_id;
        double run_t0;                    /* sample time of the run's start */
        struct gm_stride_record *strides; /* not yet in the store: written with each minute */
        size_t n_strides, strides_allocated;
        double fatigue_score; /* NaN until the run's baseline is learned */
};

/* Registered with a struct gm_runs * as userdata: strides, spikes and snapshots in. */
extern const struct gm_sink gm_runs_sink;

/* Run tracking and the history in cfg's state directory; negative errno (logged). Without the
 * history runs are still tracked. */
int gm_runs_init(struct gm_runs *r, const struct gm_config *cfg, struct gm_sinks *sinks);
void gm_runs_free(struct gm_runs *r);
/* The run in progress goes on under the new limits. Negative errno. */
int gm_runs_set_limits(struct gm_runs *r, double idle_timeout_s, double fatigue_threshold);
/* EndSession at sample time t: 1 when a run ended, 0 when none was on, negative errno. */
int gm_runs_end(struct gm_runs *r, double t);

/* The run's fatigue score, NaN when unknown or no run is on. */
double gm_runs_fatigue(const struct gm_runs *r);
/* When the run in progress started (wall clock, µs), 0 when none is on. */
uint64_t gm_runs_start_us(const struct gm_runs *r);
/* The history, NULL when it cannot be kept. */
struct gm_store *gm_runs_store(const struct gm_runs *r);
