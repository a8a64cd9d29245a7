/* Synthetic gait model: walking and running IMU signals for every location, with true events. */
#pragma once

#include <stdint.h>

#include "gm_events.h"
#include "gm_recording.h"
#include "gm_types.h"

/* Sensor frames at zero mounting rotation, for every location: x up along the segment
 * (towards proximal), y right, z forward, when standing. Sagittal angles rotate about y
 * (positive = distal end forward, foot toe up), so gyr_y of a limb is dθ/dt and its
 * swing is a positive peak. mount_rpy rotates that: sensor = R · segment. */

/* Per-side impairment, applied from onset_s, ramped in over ramp_s. */
struct gm_model_weakness {
        double hip_ext_frac;    /* 0.1 = 10 % less hip extension on this side */
        double stance_frac;     /* 0.05 = 5 % longer stance on this side */
        double pelvic_drop_deg; /* extra contralateral pelvic drop during this side's stance */
        double onset_s;
        double ramp_s;
};

struct gm_model_cfg {
        double rate_hz;            /* 50..1000 */
        unsigned loc_mask;         /* 1u << enum gm_loc */
        unsigned gyr_mask;         /* locations that have a gyro */
        enum gm_activity activity; /* walking or running (idle: standing still) */
        double speed_mps;
        double cadence_spm;                /* steps per minute, both feet */
        double still_s;                    /* standing still before moving */
        struct gm_model_weakness weak[2];  /* [GM_SIDE_LEFT], [GM_SIDE_RIGHT] */
        double fatigue_per_hour;           /* 0.1: per hour of motion 10 % drift (cadence down,
                                           stance up, hip extension down) */
        double noise_acc;                  /* m/s² rms */
        double noise_gyr;                  /* rad/s rms */
        double mount_rpy[GM_LOC_COUNT][3]; /* sensor mounting rotation, roll/pitch/yaw, rad */
        double dropout_per_min;            /* sample dropouts (NaN samples) per minute */
        double dropout_s;                  /* length of each dropout */
        uint64_t seed;
};

struct gm_model;

void gm_model_cfg_default(struct gm_model_cfg *cfg); /* running, 5 locations, 400 Hz */
struct gm_model *gm_model_new(const struct gm_model_cfg *cfg);
void gm_model_free(struct gm_model *m);
/* Change activity, speed and cadence from the next sample on (smoothly). */
int gm_model_set_gait(struct gm_model *m, enum gm_activity activity, double speed_mps, double cadence_spm);
/* Advance one sample period. Fills out[loc] for every configured location (NaN inside a
 * dropout) and returns the sample time. True events that happened since the previous call
 * are appended to events (may be NULL); the step itself allocates nothing, the list grows
 * as gm_event_list_add makes it (reserve its cap to avoid that). */
double gm_model_step(struct gm_model *m, struct gm_sample out[GM_LOC_COUNT], struct gm_event_list *events);
/* True values of the last completed stride of a side: peak hip extension, i.e.
 * −min(θ_thigh − pelvis pitch), and the peak contralateral pelvic drop during that
 * side's stance, in degrees. 0, -EAGAIN before the first full stride, or -EINVAL. */
int gm_model_true_hip_ext(const struct gm_model *m, enum gm_side side, double *deg);
int gm_model_true_pelvic_drop(const struct gm_model *m, enum gm_side side, double *deg);
/* Whole recording of duration_s with its true events. 0 or negative errno. */
int gm_model_generate(const struct gm_model_cfg *cfg, double duration_s, struct gm_recording **rec,
                      struct gm_event_list *truth);
