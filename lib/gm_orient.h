/* Tilt of a sensor by gyro and accelerometer fusion: where "up" is in the sensor frame. */
#pragma once

#include <stdbool.h>

/* A complementary filter on the gravity direction (no heading). The gyro carries "up"
 * through fast rotations; the accelerometer corrects it slowly, but not sample by sample:
 * over a stride of steady gait a body part's acceleration averages out, so the mean of the
 * specific force, carried along the sensor's rotations like "up" itself, is gravity. Impacts
 * and swings then need no gating. */
struct gm_orient {
        double up[3];     /* unit vector, sensor frame */
        double mean_f[3]; /* rotation-compensated mean specific force, m/s² */
        double tau_s;     /* time constant of the correction */
        double age_s;     /* of fused data: the first seconds average from the start */
        bool started;
};

void gm_orient_init(struct gm_orient *o, double tau_s);
/* acc m/s², gyr rad/s, dt s. Non-finite input is ignored. */
void gm_orient_push(struct gm_orient *o, const double acc[3], const double gyr[3], double dt);
/* The same with |acc| known already (the square root of the sum of squares in axis order). */
void gm_orient_push_norm(struct gm_orient *o, const double acc[3], double acc_norm, const double gyr[3], double dt);
/* Whether "up" has had time to settle from its first guess (a few strides). */
bool gm_orient_settled(const struct gm_orient *o);
