/* gaitmond's context: everything the main loop owns. */
#pragma once

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "acquisition.h"
#include "config.h"
#include "gm_pipeline.h"
#include "sample-clock.h"
#include "sink.h"

#define GM_MAX_SINKS 4

struct gm_bus;
struct gm_bus_object;
struct gm_session;
struct gm_store;
struct gm_stride_record;

/* The rate a sensor really delivers, from its timestamps. */
struct gm_rate_check {
        int64_t first_ns;
        uint64_t n;
        bool done;
};

struct gaitmond {
        sd_event *event;
        char config_path[PATH_MAX];
        bool config_path_is_default;
        struct gm_config cfg;

        struct gm_acquisition acq;
        sd_event_source *tick_source;

        /* per-sensor bookkeeping of the main loop */
        struct gm_sample_clock clock;       /* the sensors' timestamps on one clock */
        uint64_t dropped[GM_LOC_COUNT];     /* lost to timestamp gaps */

        /* analysis */
        struct gm_pipeline *pipeline;
        double next_progress_t;             /* sample time the run's progress is saved next */
        bool progress_failed;               /* said once until it works again */
        double rate_hz;                     /* the pipeline's: configured, or measured when off */
        struct gm_rate_check rate_check[GM_LOC_COUNT];
        bool have_t0;
        int64_t t0_ns;                      /* sample time 0 */
        double t_latest;                    /* sample time of the newest sample */
        struct gm_metrics metrics;          /* counts include those carried */
        struct {                            /* counts of pipelines before a reload restarted it */
                uint64_t steps, strides[2], bad_samples, gaps;
                double load[2];
        } carried;

        /* runs */
        struct gm_session *session;
        struct gm_store *store;             /* NULL when the history cannot be kept */
        double next_session_t;              /* sample time of the next metrics push */
        bool session_refused;               /* the last push was refused (logged once) */
        bool in_run;
        int64_t run_start_us;               /* wall clock */
        uint64_t run_id;
        double run_t0;                      /* sample time of the run's start */
        struct gm_stride_record *strides;   /* not yet in the store: written with each minute */
        size_t n_strides, strides_allocated;
        double fatigue_score;               /* NaN until the run's baseline is learned */

        /* D-Bus */
        struct gm_bus *bus;
        struct gm_bus_object *monitor;

        const struct gm_sink *sinks[GM_MAX_SINKS];
        void *sink_data[GM_MAX_SINKS];
        unsigned n_sinks;

        bool ready;
        bool quitting;
};

/* Sample time in seconds of a sensor timestamp. */
double gaitmond_time(const struct gaitmond *d, int64_t ts_ns);
/* A metric of one side is unavailable when the sensors it needs are not streaming. */
bool gaitmond_side_available(const struct gaitmond *d, enum gm_side side);
