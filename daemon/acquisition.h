/* Acquisition: one thread per configured sensor filling a ring of samples, and what the main
 * loop knows of each sensor. Only this side takes a sensor's lock: its status, device and
 * reason reach the rest of the daemon through the main loop's copy. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <systemd/sd-event.h>

#include "config.h"
#include "sample-ring.h"
#include "sensor.h"

/* A sensor as the main loop sees it: copied from it under its lock at each drain. */
struct gm_sensor_info {
        enum gm_sensor_status status; /* as of the last status change taken */
        char device[64];              /* e.g. "iio:device3 (lsm6dso)" */
        char reason[160];             /* why it is not streaming */
        double device_rate_hz;        /* what the device runs at */
        bool has_gyr;                 /* the device has a gyroscope */
};

struct gm_acquisition {
        unsigned sensor_mask;                  /* configured locations */
        struct gm_sensor sensor[GM_LOC_COUNT]; /* shared with the threads */
        int wake_fd;
        sd_event_source *wake_source;
        void (*on_wake)(void *userdata); /* samples or a status wait: drain */
        void *userdata;

        /* The main loop's side. */
        struct gm_sensor_info info[GM_LOC_COUNT];
        unsigned status_seq[GM_LOC_COUNT];       /* the sensor's, when its status was last taken */
        uint64_t overruns[GM_LOC_COUNT];         /* lost because the main loop fell behind */
        uint64_t overruns_carried[GM_LOC_COUNT]; /* by the rings of sensors closed since */
        uint64_t overruns_logged[GM_LOC_COUNT], overruns_logged_at_us[GM_LOC_COUNT];
};

/* A sensor's new status (or new reason), as gm_acquisition_take_status reports it. */
struct gm_sensor_change {
        enum gm_sensor_status old_status, new_status;
        const char *device, *reason; /* valid until the next take */
};

/* An idle acquisition for the sensors cfg configures. */
void gm_acquisition_init(struct gm_acquisition *acq, const struct gm_config *cfg);
/* The configuration changed: the sensors to open from the next start on. */
void gm_acquisition_configure(struct gm_acquisition *acq, const struct gm_config *cfg);
/* Starts a thread per configured sensor; on_wake runs on the main loop when they have news.
 * Negative errno (logged). */
int gm_acquisition_start(struct gm_acquisition *acq, sd_event *event, const struct gm_config *cfg,
                         void (*on_wake)(void *userdata), void *userdata);
/* Stops and joins the threads and frees the rings; what they held is lost. */
void gm_acquisition_stop(struct gm_acquisition *acq);

/* Main loop, while draining: is the sensor's thread running (its ring there)? */
bool gm_acquisition_open(const struct gm_acquisition *acq, enum gm_loc loc);
/* Copies the sensor's state under its lock: 1 when its status or reason changed since the
 * last take (*ch says how), 0 when not. */
int gm_acquisition_take_status(struct gm_acquisition *acq, enum gm_loc loc, struct gm_sensor_change *ch);
/* The sensor's next sample: false when its ring is empty. */
bool gm_acquisition_pop(struct gm_acquisition *acq, enum gm_loc loc, struct gm_raw_sample *rs);
/* The sample pop would return next, left queued (valid until that pop); NULL when empty. */
const struct gm_raw_sample *gm_acquisition_peek(struct gm_acquisition *acq, enum gm_loc loc);
/* Says (at most every 10 s) how many samples its ring had to refuse. */
void gm_acquisition_check_overruns(struct gm_acquisition *acq, enum gm_loc loc);

unsigned gm_acquisition_mask(const struct gm_acquisition *acq);
bool gm_acquisition_configured(const struct gm_acquisition *acq, enum gm_loc loc);
enum gm_sensor_status gm_acquisition_status(const struct gm_acquisition *acq, enum gm_loc loc);
bool gm_acquisition_streaming(const struct gm_acquisition *acq, enum gm_loc loc);
/* Any configured sensor not streaming? */
bool gm_acquisition_degraded(const struct gm_acquisition *acq);
/* Its last copied state; device and reason are "" for a sensor not open. */
const struct gm_sensor_info *gm_acquisition_info(const struct gm_acquisition *acq, enum gm_loc loc);
