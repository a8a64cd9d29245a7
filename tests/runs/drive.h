/* Drives the gait model through the pipeline into a session, as gaitmond does: samples at
 * the model's rate, a metrics snapshot every second of sample time, strides and spikes as
 * they come, and the session's events collected for the test to read. */
#pragma once

#include <stddef.h>

#include "gm_model.h"
#include "gm_pipeline.h"
#include "gm_session.h"

#define DRIVE_LOCS                                                                                                \
        ((1u << GM_LOC_PELVIS) | (1u << GM_LOC_LEFT_HIP) | (1u << GM_LOC_RIGHT_HIP) | (1u << GM_LOC_LEFT_SHANK) | \
         (1u << GM_LOC_RIGHT_SHANK))
#define DRIVE_RATE_HZ 100.0

struct drive {
        struct gm_model_cfg mc;
        struct gm_model *model;
        struct gm_pipeline *pipe;
        struct gm_session *sess;
        double t, t_next_snapshot;
        struct gm_session_event *ev;
        size_t n_ev, cap_ev;
        size_t n_spikes;
};

/* Model at 100 Hz with five sensors; mc_edit (may be NULL) adjusts the model first. */
void drive_init(struct drive *d, const struct gm_session_cfg *sc, void (*mc_edit)(struct gm_model_cfg *));
void drive_gait(struct drive *d, enum gm_activity a, double seconds);
void drive_end(struct drive *d);
void drive_free(struct drive *d);
size_t drive_count(const struct drive *d, enum gm_session_event_kind kind);
/* The i-th event of a kind, NULL when there is none. */
const struct gm_session_event *drive_find(const struct drive *d, enum gm_session_event_kind kind, size_t i);
