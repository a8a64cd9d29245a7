/* Where the daemon's findings go (the log, the runs, D-Bus): consumers, each a driver struct
 * with its own state, registered with the fan-out that analysis and runs publish to. */
#pragma once

#include "acquisition.h"
#include "gm_pipeline.h"
#include "gm_run.h"

#define GM_MAX_SINKS 4

struct gm_analysis;
struct gm_runs;

/* What consumers may read of the daemon (through each context's getters), never write. */
struct gm_view {
        const struct gm_acquisition *acq;
        const struct gm_analysis *analysis;
        const struct gm_runs *runs;
};

struct gm_sink {
        const char *name;
        /* Each hook may be NULL. They run on the main loop with the userdata registered. */
        void (*stride)(void *userdata, const struct gm_view *v, const struct gm_stride *st);
        void (*spike)(void *userdata, const struct gm_view *v, const struct gm_spike *sp);
        /* A new status or a new reason (old_status may be new_status). */
        void (*sensor_changed)(void *userdata, const struct gm_view *v, enum gm_loc loc,
                               const struct gm_sensor_change *ch);
        /* Once per second of sample time: the snapshot the runs are tracked on. */
        void (*metrics)(void *userdata, const struct gm_view *v, const struct gm_metrics *m);
        void (*fatigue_alert)(void *userdata, const struct gm_view *v, const struct gm_fatigue_alert *a);
        void (*run_start)(void *userdata, const struct gm_view *v);
        void (*run_minute)(void *userdata, const struct gm_view *v, const struct gm_run_minute *m);
        void (*run_end)(void *userdata, const struct gm_view *v, const struct gm_run_summary *run,
                        const struct gm_advice *advice);
        /* About once a second: the metrics snapshot changed. */
        void (*tick)(void *userdata, const struct gm_view *v);
};

/* The registered consumers, in the order they hear of each finding. */
struct gm_sinks {
        const struct gm_view *view;
        const struct gm_sink *sink[GM_MAX_SINKS];
        void *userdata[GM_MAX_SINKS];
        unsigned n;
};

/* 0, or -ENOSPC. */
int gm_sinks_add(struct gm_sinks *s, const struct gm_sink *sink, void *userdata);
void gm_sinks_remove(struct gm_sinks *s, const struct gm_sink *sink, void *userdata);

/* Calls hook of every consumer that has it: gm_sinks_emit(s, spike, sp). */
#define gm_sinks_emit(s, hook, ...)                       \
        for (unsigned gm_i_ = 0; gm_i_ < (s)->n; gm_i_++) \
                if ((s)->sink[gm_i_]->hook)               \
        (s)->sink[gm_i_]->hook((s)->userdata[gm_i_], (s)->view, ##__VA_ARGS__)
