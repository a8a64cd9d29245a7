/* One worn sensor: what the acquisition thread shares with the main loop. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "gm_types.h"
#include "sample-ring.h"

enum gm_sensor_status {
        GM_SENSOR_WAITING, /* not found yet */
        GM_SENSOR_STREAMING,
        GM_SENSOR_FAULTY, /* it streamed, then failed; being reopened */
};

const char *gm_sensor_status_name(enum gm_sensor_status s);

struct gm_source_driver;

struct gm_sensor {
        enum gm_loc loc;
        struct gm_sensor_match match;
        char uri[256];
        double rate_hz;
        unsigned buffer_samples;
        int wake_fd; /* eventfd of the main loop, not owned */

        struct gm_sample_ring *ring; /* samples to the main loop */
        atomic_bool stop;

        /* Status, written by the acquisition thread under lock; the main loop
         * notices a change through status_seq. */
        pthread_mutex_t lock;
        enum gm_sensor_status status;
        char device[64];       /* e.g. "iio:device3 (lsm6dso)" */
        char reason[160];      /* why it is not streaming */
        double device_rate_hz; /* what the device runs at */
        bool device_has_gyr;   /* it has a gyroscope (else an accelerometer alone) */
        unsigned status_seq;

        const struct gm_source_driver *driver;
        void *driver_data;
        pthread_t thread;
        bool thread_running;
};

/* The acquisition thread reports a status change and wakes the main loop. */
void gm_sensor_set_status(struct gm_sensor *s, enum gm_sensor_status status, const char *device, const char *reason);
/* Wake the main loop: new samples or a new status. */
void gm_sensor_wake(struct gm_sensor *s);
/* Sleep up to seconds, returning early (true) when asked to stop. */
bool gm_sensor_sleep(struct gm_sensor *s, double seconds);

/* A way of acquiring samples (iio-sensor-proxy's driver pattern). */
struct gm_source_driver {
        const char *name;
        /* Starts acquisition for the sensor (usually a thread); negative errno. */
        int (*start)(struct gm_sensor *s);
        /* Stops and joins it; samples already in the ring stay. */
        void (*stop)(struct gm_sensor *s);
};

extern const struct gm_source_driver gm_source_iio;
