/* The channels gaitmond reads from an IIO device: found, checked against what it can
 * convert, and converted sample by sample. */
#pragma once

#include <iio.h>
#include <stddef.h>

#include "sample-ring.h"

struct gm_iio_channels {
        struct iio_channel *axis[6]; /* accel_x/y/z, anglvel_x/y/z (NULL without a gyroscope) */
        struct iio_channel *timestamp;
        double scale[6]; /* to m/s² and rad/s; 1 until read */
        unsigned n_axes; /* 6, or 3 for an accelerometer alone */
};

extern const char *const gm_iio_axis_ids[6];

/* Finds the axes and the timestamp as buffered channels whose formats fit what
 * gm_iio_convert() reads into: the accelerometer's three, and the gyroscope's three unless
 * the device has none of them. 0, or -ENOTSUP with the reason in why (device names it). */
int gm_iio_channels_find(struct iio_device *dev, const char *device, struct gm_iio_channels *ch, char *why,
                         size_t why_size);

/* One sample: p_axis[i] (i < n_axes) and p_ts point at the channels' data within a buffer.
 * Without a gyroscope its rates are NaN. */
void gm_iio_convert(const struct gm_iio_channels *ch, const void *const p_axis[6], const void *p_ts,
                    struct gm_raw_sample *out);
