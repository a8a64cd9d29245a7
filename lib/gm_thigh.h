/* A thigh's sagittal angle, stride by stride: hip and thigh extension and range. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "gm_align.h"
#include "gm_filter.h"
#include "gm_orient.h"
#include "gm_sagittal.h"
#include "gm_types.h"

#define GM_THIGH_ZERO_STRIDES 8 /* steady strides of one activity whose median posture and swing set the zero */
#define GM_THIGH_RECENT 4       /* strides whose median stands in until then */

/* The tilt is fused from gyro and accelerometer; the angle is that tilt about the thigh's
 * main rotation axis against a reference posture, stored without its sign, so deciding or
 * reversing the sign never corrupts what was stored. */
struct gm_thigh {
        struct gm_align align; /* the rotation axis, its sign left to the votes */
        struct gm_orient orient;
        double ref[3]; /* mean "up" over gait: a reference posture */
        size_t ref_n;
        double last_swing_t;           /* the thigh turned fast: gait */
        double swing_gn2;              /* |gyr|² beyond which it turns fast */
        struct gm_sign_vote sign;      /* + = flexion */
        struct gm_hist t, rate, pitch; /* s; rate about the axis, rad/s; angle, rad */
        size_t n;
        bool pitch_due; /* the last sample's angle is taken at the next push or stride */
        /* The zero: learned over the first steady strides of each gait (walking, running),
         * then held for the rest of the recording, so that a side that stops extending shows
         * all of it instead of carrying its zero along, and a second walk is measured as the
         * first was; until then the last few strides stand in. The reference posture is held
         * from the first zero learned on: the zeros are angles against it. */
        int activity;  /* enum gm_activity of the strides now, -1 none */
        unsigned gait; /* 0 walking, 1 running: which zero is in use */
        double mean[2][GM_THIGH_ZERO_STRIDES], swing_deg[2][GM_THIGH_ZERO_STRIDES]; /* steady strides */
        unsigned n_zero[2];
        bool ref_held;
        double recent_mean[GM_THIGH_RECENT], recent_swing_deg[GM_THIGH_RECENT];
        unsigned n_recent;
};

/* One stride's angles, degrees; NaN where unknown or outside what a body can do. */
struct gm_thigh_stride {
        double hip_ext_deg, hip_range_deg;     /* the thigh in the pelvis frame */
        double thigh_ext_deg, thigh_range_deg; /* the thigh against the vertical */
};

void gm_thigh_init(struct gm_thigh *th, double rate_hz);
/* One finite sample with its gyro; dt since the previous one. */
void gm_thigh_push(struct gm_thigh *th, const struct gm_sample *s, double dt);
/* The stride of this thigh's side from t_ic to t_next_ic, its toe-off t_fc (NaN when
 * unknown), its gait (walking or running) and whether it is steady (gm_stride.steady):
 * first a vote on the sign (a thigh extends through stance), then the angles. */
void gm_thigh_stride(struct gm_thigh *th, double t_ic, double t_fc, double t_next_ic, enum gm_activity activity,
                     bool steady, struct gm_thigh_stride *out);
