/* Where the daemon's findings go (D-Bus, run store): one driver struct per sink. */
#pragma once

#include "gm_pipeline.h"
#include "gm_run.h"
#include "sensor.h"

struct gaitmond;

struct gm_sink {
        const char *name;
        /* Each hook may be NULL. They run on the main loop. */
        void (*spike)(struct gaitmond *d, const struct gm_spike *sp);
        void (*sensor_changed)(struct gaitmond *d, enum gm_loc loc, enum gm_sensor_status old_status,
                               enum gm_sensor_status new_status, const char *reason);
        void (*fatigue_alert)(struct gaitmond *d, const struct gm_fatigue_alert *a);
        void (*run_start)(struct gaitmond *d);
        void (*run_minute)(struct gaitmond *d, const struct gm_run_minute *m);
        void (*run_end)(struct gaitmond *d, const struct gm_run_summary *run, const struct gm_advice *advice);
        /* About once a second: the metrics snapshot changed. */
        void (*tick)(struct gaitmond *d);
};
