/* Shared vocabulary of libgaitmon: sensor locations, sides, samples, events. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum gm_loc {
        GM_LOC_PELVIS,
        GM_LOC_LEFT_HIP,
        GM_LOC_RIGHT_HIP,
        GM_LOC_LEFT_SHANK,
        GM_LOC_RIGHT_SHANK,
        GM_LOC_LEFT_FOOT,
        GM_LOC_RIGHT_FOOT,
        GM_LOC_COUNT,
};

enum gm_side {
        GM_SIDE_LEFT,
        GM_SIDE_RIGHT,
        GM_SIDE_UNKNOWN,
};

enum gm_event_kind {
        GM_EVENT_IC, /* initial contact, foot strike */
        GM_EVENT_FC, /* final contact, toe off */
};

/* One IMU reading in the sensor's own (unknown) mounting frame, SI units. */
struct gm_sample {
        double t;      /* s */
        double acc[3]; /* m/s² */
        double gyr[3]; /* rad/s; ignored when the location has no gyro */
};

enum gm_activity {
        GM_ACTIVITY_IDLE,
        GM_ACTIVITY_WALKING,
        GM_ACTIVITY_RUNNING,
};

struct gm_event {
        double t;
        enum gm_side side;
        enum gm_event_kind kind;
};

#define GM_GRAVITY 9.80665

const char *gm_loc_name(enum gm_loc loc);
int gm_loc_from_name(const char *name);    /* enum gm_loc or -EINVAL */
enum gm_side gm_loc_side(enum gm_loc loc); /* GM_SIDE_UNKNOWN for the pelvis */
const char *gm_side_name(enum gm_side side);
int gm_side_from_name(const char *name);
const char *gm_activity_name(enum gm_activity a);
int gm_activity_from_name(const char *name);
const char *gm_event_kind_name(enum gm_event_kind kind);
int gm_event_kind_from_name(const char *name);
