/* The daemon's sample clock: each sensor's timestamps placed on one common clock. Pure: no
 * I/O, no globals; the time a sample arrives is given by the caller. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "gm_types.h"

/* A sensor's timestamps stepping back further than this mean its clock started again;
 * smaller steps back are stray samples, dropped. */
#define GM_SAMPLE_CLOCK_BACK_NS 1000000000LL
/* Sensors whose clocks restart within this time (of arrival) restarted together. */
#define GM_SAMPLE_CLOCK_RESTART_SAME_US 10000000LL
/* A sensor further ahead of its source's restart than this is on another clock. */
#define GM_SAMPLE_CLOCK_RESUME_MAX_NS 60000000000LL

struct gm_sample_clock_sensor {
        uint64_t placed;   /* samples placed on the common clock */
        int64_t last_ns;   /* the newest of them, on the common clock */
        int64_t offset_ns; /* added to its timestamps; changes when its clock restarts */
        bool resuming;     /* back on its source's shared clock behind its own last
                                         * sample: its samples up to resume_after_ns were seen */
        int64_t resume_after_ns;
        uint64_t last_arrival_us; /* when its newest sample arrived */
        bool reopened;            /* its clock may be another one from its next sample on */
};

/* The latest clock restart, shared by the sensors of one source. */
struct gm_sample_clock_restart {
        bool happened;
        uint64_t at_us;    /* when the first sensor back arrived */
        int64_t offset_ns; /* the offset it took */
        enum gm_loc loc;   /* that sensor */
};

struct gm_sample_clock {
        double rate_hz; /* what the sensors deliver: gaps and restarts count in periods */
        struct gm_sample_clock_sensor sensor[GM_LOC_COUNT];
        bool reopened_same_source; /* reopened sensors may go on on the clock they had */
        struct gm_sample_clock_restart restart;
        bool have_newest;
        int64_t newest_ns; /* the newest sample of any sensor */
};

enum gm_sample_clock_event_type {
        GM_SAMPLE_CLOCK_STEADY,
        GM_SAMPLE_CLOCK_RESTARTED, /* its timestamps went back: its clock started again */
        GM_SAMPLE_CLOCK_REOPENED,  /* reopened, its clock is not the one it had */
        GM_SAMPLE_CLOCK_SHARED,    /* its first sample: it takes the offset the others share */
        GM_SAMPLE_CLOCK_JOINED,    /* its first sample, on a clock far from the others' */
};

/* What placing one sample changed, for the caller to say once. */
struct gm_sample_clock_event {
        enum gm_sample_clock_event_type type;
        /* RESTARTED, REOPENED: within a restart of its source, on the offset of the first
         * sensor back (with_loc) */
        bool with_other;
        enum gm_loc with_loc;
        int64_t last_ns;   /* RESTARTED, REOPENED: its newest sample before */
        int64_t offset_ns; /* its offset from now on */
        int64_t start_ns;  /* SHARED, JOINED: where its samples start */
        uint64_t missing;  /* samples missing just before this one (a gap) */
};

/* An empty clock for sensors delivering rate_hz. 0, or -EINVAL. */
int gm_sample_clock_init(struct gm_sample_clock *c, double rate_hz);
/* The sensors' rate changed (measured, reconfigured). 0, or -EINVAL (1 Hz .. 1 GHz). */
int gm_sample_clock_set_rate(struct gm_sample_clock *c, double rate_hz);
/* The sensors of loc_mask were closed and opened again: their next timestamps may be on
 * another clock, or, when same_source, on the one they had going on. 0, or -EINVAL. */
int gm_sample_clock_reopened(struct gm_sample_clock *c, unsigned loc_mask, bool same_source);
/* Where a sample of sensor loc with timestamp raw_ns would go on the common clock, to take the
 * sensors' queued samples in time order before placing them: its timestamp with the sensor's
 * offset (saturated), except that a sensor whose clock its next sample may settle anew (its first
 * sample, not on a clock the others share, or its first since a reopen) comes first, at
 * INT64_MIN. INT64_MIN too on bad arguments. */
int64_t gm_sample_clock_order(const struct gm_sample_clock *c, enum gm_loc loc, int64_t raw_ns);
/* Places a sample of sensor loc with timestamp raw_ns that arrived at mono_us (a monotonic
 * clock): 1 with its time on the common clock in *ts_ns, 0 when it is dropped (seen before,
 * or out of time order); *ev says what changed either way. -EINVAL on bad arguments,
 * -ERANGE when its time does not fit in 64 bits (nothing changes). */
int gm_sample_clock_place(struct gm_sample_clock *c, enum gm_loc loc, int64_t raw_ns, uint64_t mono_us, int64_t *ts_ns,
                          struct gm_sample_clock_event *ev);
