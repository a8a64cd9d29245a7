/* Emulated IMU device: channels, attributes, sample encoding and its ring of samples. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gm_types.h"

enum sim_chan {
        SIM_CHAN_ACCEL_X,
        SIM_CHAN_ACCEL_Y,
        SIM_CHAN_ACCEL_Z,
        SIM_CHAN_ANGLVEL_X,
        SIM_CHAN_ANGLVEL_Y,
        SIM_CHAN_ANGLVEL_Z,
        SIM_CHAN_TIMESTAMP,
        SIM_CHAN_COUNT,
};

#define SIM_AXES 6 /* channels carrying s16 samples */
#define SIM_CHIP_NAME "lsm6dso"
#define SIM_ACCEL_CHIP_NAME "lis3dh" /* an accelerometer alone */
/* The chip's own sensitivities at its widest ranges. */
#define SIM_ACCEL_SCALE 0.004785645   /* m/s² per LSB at ±16 g (0.488 mg/LSB) */
#define SIM_ANGLVEL_SCALE 0.001221730 /* rad/s per LSB at ±2000 dps (70 mdps/LSB) */
#define SIM_RING_CAP (1u << 16)       /* samples kept per device, like a kernel FIFO */
#define SIM_MAX_DEVICES GM_LOC_COUNT

struct sim_chan_info {
        const char *id;   /* kernel channel id, e.g. accel_x */
        const char *type; /* attribute prefix shared by the type, e.g. accel */
        unsigned bytes;   /* storage size in the scan */
        double scale;     /* SI unit per LSB, 0 for the timestamp */
};

extern const struct sim_chan_info sim_chans[SIM_CHAN_COUNT];

/* One scan with every channel enabled: it is also libiio's layout for that mask. */
struct sim_raw_sample {
        int16_t v[SIM_AXES];
        int64_t ts; /* ns on the simulated clock */
};

enum sim_fault_type {
        SIM_FAULT_UNPLUG,
        SIM_FAULT_STUCK,
        SIM_FAULT_SATURATED,
};

struct sim_fault {
        enum sim_fault_type type;
        enum gm_loc loc;
        unsigned chan_mask;  /* 1u << enum sim_chan; stuck and saturated only */
        double from_s, to_s; /* [from, to) in simulated seconds */
};

enum sim_attr_kind {
        SIM_ATTR_DEVICE,
        SIM_ATTR_DEBUG,
        SIM_ATTR_BUFFER,
        SIM_ATTR_CHANNEL,
};

#define SIM_MAX_DEVICE_FAULTS 16

struct sim_device {
        unsigned index;
        char id[24]; /* iio:deviceN */
        enum gm_loc loc;
        bool has_gyr;   /* an IMU (lsm6dso), else an accelerometer alone (lis3dh) */
        double rate_hz; /* sampling_frequency */
        double epoch_s; /* next sample is at epoch_s + k / rate_hz */
        uint64_t k;
        bool plugged;
        unsigned generation; /* bumped on unplug: open buffers die with it */
        struct sim_raw_sample *ring;
        uint64_t written; /* samples ever stored; ring[written % CAP] is next */
        struct sim_fault faults[SIM_MAX_DEVICE_FAULTS];
        size_t n_faults;
        int16_t held[SIM_AXES]; /* value a stuck channel keeps */
        unsigned stuck_mask;    /* channels currently stuck */
};

int sim_chan_from_name(const char *name); /* enum sim_chan or -EINVAL */
/* A channel, "accel", "anglvel" or "all" as a mask of enum sim_chan; -EINVAL. */
int sim_chan_mask_from_name(const char *name, unsigned *mask);
bool sim_rate_supported(double hz, double extra_hz, double *exact);

int sim_device_init(struct sim_device *dev, unsigned index, enum gm_loc loc, double rate_hz);
/* As sim_device_init left it, without faults; the ring and has_gyr are kept, its samples
 * forgotten. */
void sim_device_reset(struct sim_device *dev, unsigned index, enum gm_loc loc, double rate_hz);
void sim_device_done(struct sim_device *dev);
/* The device's channels in scan order, which is also their libiio numbering (the bits of
 * a buffer's mask): how many. */
unsigned sim_device_channels(const struct sim_device *dev, int chans[SIM_CHAN_COUNT]);
const char *sim_device_chip(const struct sim_device *dev);
int sim_device_add_fault(struct sim_device *dev, const struct sim_fault *fault);
double sim_device_next_time(const struct sim_device *dev);
/* Unplug state and faults at simulated time t; stores the sample when plugged. */
void sim_device_store(struct sim_device *dev, double t, const struct gm_sample *s);
/* Restart the sample grid at the next sample time with a new rate. */
void sim_device_set_rate(struct sim_device *dev, double hz);
void sim_device_update_plug(struct sim_device *dev, double t);

/* Attribute names, NULL-terminated, for the context XML and reading all of them. */
const char *const *sim_device_attr_names(enum sim_attr_kind kind, int chan);
/* Read into buf (no newline, NUL-terminated); length or negative errno.
 * extra_hz: a rate besides the chip's (a replayed recording's), 0 if none. */
int sim_device_attr_read(const struct sim_device *dev, double extra_hz, enum sim_attr_kind kind, int chan,
                         const char *attr, char *buf, size_t len);
int sim_device_attr_write(struct sim_device *dev, double extra_hz, enum sim_attr_kind kind, int chan, const char *attr,
                          const char *data, size_t len);
