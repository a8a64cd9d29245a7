/* Where samples come from: the gait model driven by a scenario, or a recording. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "gm_events.h"
#include "gm_recording.h"
#include "gm_types.h"
#include "sim-scenario.h"

/* The gait model's own rate: twice the daemon's 416 Hz, so the chip's rates up to
 * 416 Hz fall on model samples and need no interpolation. */
#define SIM_MODEL_RATE_HZ 832.0

struct sim_frame {
        double t; /* simulated seconds */
        struct gm_sample s[GM_LOC_COUNT];
};

struct sim_source {
        double rate_hz; /* frames per simulated second */
        unsigned loc_mask;
        unsigned gyr_mask; /* locations served with a gyroscope */
        double native_hz;  /* a rate to offer besides the chip's (a recording's), or 0 */
        /* Next frame; true events up to it are appended to events. 0 or negative errno. */
        int (*step)(struct sim_source *src, struct sim_frame *frame, struct gm_event_list *events);
        void (*free)(struct sim_source *src);
};

int sim_gen_new(const struct sim_scenario *sc, struct sim_source **out);
/* A recording CSV v1; NAME.events.csv beside it, when present, gives its true events. */
int sim_replay_new(const char *path, bool loop, struct sim_source **out, char *err, size_t errlen);
