/* The simulated clock: a thread that steps the source, fills every device's ring and
 * hands samples to the buffers that read them. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "sim-device.h"
#include "sim-source.h"

struct sim_engine_cfg {
        double speed;      /* simulated seconds per real second; 0: as fast as the readers go */
        double duration_s; /* stop after this much simulated time; 0: never */
        double rate_hz;    /* sampling_frequency the devices start with */
        FILE *events;      /* true events CSV, or NULL */
        const struct sim_fault *faults;
        size_t n_faults;
};

/* One open buffer reading a device. */
struct sim_stream {
        struct sim_stream *next;
        unsigned dev;
        unsigned generation;
        uint64_t pos;  /* next sample to hand out, counted like sim_device.written */
        uint64_t lost; /* overwritten before they were read */
        uint64_t want; /* samples its reader waits for; 0 when not waiting */
};

struct sim_engine;

/* Takes ownership of src. */
int sim_engine_new(struct sim_source *src, const struct sim_engine_cfg *cfg, struct sim_engine **out);
int sim_engine_start(struct sim_engine *e);
/* Back to time 0 as sim_engine_new left it; the source is the caller's to rewind. Only for an
 * engine whose clock is not started and that has no open buffer. */
void sim_engine_rewind(struct sim_engine *e);
/* Stops the clock, wakes every waiting reader and joins the thread. */
void sim_engine_stop(struct sim_engine *e);
void sim_engine_free(struct sim_engine *e);
/* Becomes readable when --duration is reached or the source fails. */
int sim_engine_done_fd(const struct sim_engine *e);
int sim_engine_error(struct sim_engine *e);
double sim_engine_now(struct sim_engine *e);

size_t sim_engine_n_devices(const struct sim_engine *e);
const char *sim_engine_device_id(const struct sim_engine *e, size_t dev);
enum gm_loc sim_engine_device_loc(const struct sim_engine *e, size_t dev);
const char *sim_engine_device_chip(const struct sim_engine *e, size_t dev);
/* Its channels in scan order (see sim_device_channels). */
unsigned sim_engine_device_channels(const struct sim_engine *e, size_t dev, int chans[SIM_CHAN_COUNT]);
/* A device by id, label or chip name; index or -ENODEV. */
int sim_engine_find_device(const struct sim_engine *e, const char *name);

int sim_engine_attr_read(struct sim_engine *e, size_t dev, enum sim_attr_kind kind, int chan, const char *attr,
                         char *buf, size_t len);
int sim_engine_attr_write(struct sim_engine *e, size_t dev, enum sim_attr_kind kind, int chan, const char *attr,
                          const char *data, size_t len);

/* -ENODEV while the device is unplugged. The buffer starts empty, as an enabled kernel buffer does. */
int sim_engine_stream_open(struct sim_engine *e, size_t dev, struct sim_stream *st);
/* Waits for n samples and copies them: n, -ENODEV once the device was unplugged
 * since the open, -ESHUTDOWN when stopping. Without a started clock the reader steps
 * it, unpaced, until it has them (-ESHUTDOWN at the duration). */
ssize_t sim_engine_stream_read(struct sim_engine *e, struct sim_stream *st, struct sim_raw_sample *out, size_t n);
void sim_engine_stream_close(struct sim_engine *e, struct sim_stream *st);
