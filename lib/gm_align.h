/* Sensor frame alignment without configuration: gravity gives "up", the dominant
 * rotation axis while moving gives the sagittal axis. */
#pragma once

#include <stdbool.h>

#include "gm_types.h"

struct gm_align {
        double rate_hz;
        double acc_mean[3];   /* slow mean of acc: gravity while moving */
        double still_g[3];    /* gravity captured while still, unit vector */
        bool have_still;
        unsigned still_run;   /* consecutive still samples */
        double still_acc[3];  /* mean acc during the current still run */
        double gyr_cov[3][3]; /* exponentially weighted gyro second moments */
        double axis[3];       /* dominant rotation axis, unit, signed (see below) */
        double skew;          /* third moment of the rotation about axis: sets its sign */
        unsigned since_update;
        unsigned n;
};

void gm_align_init(struct gm_align *a, double rate_hz);
void gm_align_push(struct gm_align *a, const struct gm_sample *s, bool has_gyr);
/* Unit "up" vector in the sensor frame (still gravity when known, else mean acc). */
void gm_align_up(const struct gm_align *a, double up[3]);
/* Acceleration along "up", gravity removed (m/s²). */
double gm_align_vertical_acc(const struct gm_align *a, const double acc[3]);
/* Angular rate about the dominant axis, signed so that its largest brief excursions
 * (the swing of a limb) are positive. */
double gm_align_main_rate(const struct gm_align *a, const double gyr[3]);
/* Angular rate about "up" (yaw), right-handed. */
double gm_align_yaw_rate(const struct gm_align *a, const double gyr[3]);
