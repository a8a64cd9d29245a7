/* Emulated IMU device: channels, attributes, sample encoding and its ring of samples. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim-device.h"

const struct sim_chan_info sim_chans[SIM_CHAN_COUNT] = {
        [SIM_CHAN_ACCEL_X] = { "accel_x", "accel", 2, SIM_ACCEL_SCALE },
        [SIM_CHAN_ACCEL_Y] = { "accel_y", "accel", 2, SIM_ACCEL_SCALE },
        [SIM_CHAN_ACCEL_Z] = { "accel_z", "accel", 2, SIM_ACCEL_SCALE },
        [SIM_CHAN_ANGLVEL_X] = { "anglvel_x", "anglvel", 2, SIM_ANGLVEL_SCALE },
        [SIM_CHAN_ANGLVEL_Y] = { "anglvel_y", "anglvel", 2, SIM_ANGLVEL_SCALE },
        [SIM_CHAN_ANGLVEL_Z] = { "anglvel_z", "anglvel", 2, SIM_ANGLVEL_SCALE },
        [SIM_CHAN_TIMESTAMP] = { "timestamp", "timestamp", 8, 0 },
};

/* The chip's output data rates. */
static const double chip_rates[] = { 12.5, 26, 52, 104, 208, 416, 833 };

static const char *const device_attrs[] = { "label", "sampling_frequency", "sampling_frequency_available", NULL };
static const char *const buffer_attrs[] = { "length", "watermark", NULL };
static const char *const axis_attrs[] = { "raw", "scale", NULL };
static const char *const no_attrs[] = { NULL };

int sim_chan_from_name(const char *name)
{
        for (int i = 0; i < SIM_CHAN_COUNT; i++)
                if (strcmp(name, sim_chans[i].id) == 0)
                        return i;
        return -EINVAL;
}

int sim_chan_mask_from_name(const char *name, unsigned *mask)
{
        if (strcmp(name, "all") == 0)
                *mask = (1u << SIM_AXES) - 1;
        else if (strcmp(name, "accel") == 0)
                *mask = 7u << SIM_CHAN_ACCEL_X;
        else if (strcmp(name, "anglvel") == 0)
                *mask = 7u << SIM_CHAN_ANGLVEL_X;
        else {
                int c = sim_chan_from_name(name);
                if (c < 0 || c >= SIM_AXES)
                        return -EINVAL;
                *mask = 1u << c;
        }
        return 0;
}

bool sim_rate_supported(double hz, double extra_hz, double *exact)
{
        if (!isfinite(hz) || hz <= 0)
                return false;
        for (size_t i = 0; i <= sizeof(chip_rates) / sizeof(chip_rates[0]); i++) {
                double r = i < sizeof(chip_rates) / sizeof(chip_rates[0]) ? chip_rates[i] : extra_hz;
                /* drivers round to the nearest rate they have; accept what a client could mean */
                if (r > 0 && fabs(hz - r) <= 0.005 * r) {
                        if (exact)
                                *exact = r;
                        return true;
                }
        }
        return false;
}

int sim_device_init(struct sim_device *dev, unsigned index, enum gm_loc loc, double rate_hz)
{
        memset(dev, 0, sizeof(*dev));
        dev->has_gyr = true;
        dev->ring = calloc(SIM_RING_CAP, sizeof(*dev->ring));
        if (!dev->ring)
                return -ENOMEM;
        sim_device_reset(dev, index, loc, rate_hz);
        return 0;
}

void sim_device_reset(struct sim_device *dev, unsigned index, enum gm_loc loc, double rate_hz)
{
        struct sim_raw_sample *ring = dev->ring;
        bool has_gyr = dev->has_gyr;
        memset(dev, 0, sizeof(*dev));
        dev->ring = ring;
        dev->has_gyr = has_gyr;
        dev->index = index;
        snprintf(dev->id, sizeof(dev->id), "iio:device%u", index);
        dev->loc = loc;
        dev->rate_hz = rate_hz;
        dev->plugged = true;
}

unsigned sim_device_channels(const struct sim_device *dev, int chans[SIM_CHAN_COUNT])
{
        unsigned n = 0;
        for (int c = 0; c < SIM_CHAN_COUNT; c++)
                if (dev->has_gyr || c < SIM_CHAN_ANGLVEL_X || c > SIM_CHAN_ANGLVEL_Z)
                        chans[n++] = c;
        return n;
}

const char *sim_device_chip(const struct sim_device *dev)
{
        return dev->has_gyr ? SIM_CHIP_NAME : SIM_ACCEL_CHIP_NAME;
}

void sim_device_done(struct sim_device *dev)
{
        free(dev->ring);
        dev->ring = NULL;
}

int sim_device_add_fault(struct sim_device *dev, const struct sim_fault *fault)
{
        if (dev->n_faults >= SIM_MAX_DEVICE_FAULTS)
                return -E2BIG;
        dev->faults[dev->n_faults++] = *fault;
        return 0;
}

double sim_device_next_time(const struct sim_device *dev)
{
        return dev->epoch_s + (double)dev->k / dev->rate_hz;
}

void sim_device_set_rate(struct sim_device *dev, double hz)
{
        dev->epoch_s = sim_device_next_time(dev);
        dev->k = 0;
        dev->rate_hz = hz;
}

static bool fault_active(const struct sim_fault *f, double t)
{
        return t >= f->from_s && t < f->to_s;
}

void sim_device_update_plug(struct sim_device *dev, double t)
{
        bool plugged = true;
        for (size_t i = 0; i < dev->n_faults; i++)
                if (dev->faults[i].type == SIM_FAULT_UNPLUG && fault_active(&dev->faults[i], t))
                        plugged = false;
        if (dev->plugged && !plugged)
                dev->generation++;
        dev->plugged = plugged;
}

static int16_t encode(double x, double scale)
{
        if (!isfinite(x))
                return 0;
        double v = nearbyint(x / scale);
        if (v > INT16_MAX)
                return INT16_MAX;
        if (v < INT16_MIN)
                return INT16_MIN;
        return (int16_t)v;
}

void sim_device_store(struct sim_device *dev, double t, const struct gm_sample *s)
{
        dev->k++;
        if (!dev->plugged)
                return;

        struct sim_raw_sample *r = &dev->ring[dev->written % SIM_RING_CAP];
        for (int c = 0; c < SIM_AXES; c++) {
                double x = c < 3 ? s->acc[c] : s->gyr[c - 3];
                r->v[c] = encode(x, sim_chans[c].scale);
        }
        r->ts = llround(t * 1e9);

        unsigned stuck = 0, saturated = 0;
        for (size_t i = 0; i < dev->n_faults; i++) {
                const struct sim_fault *f = &dev->faults[i];
                if (!fault_active(f, t))
                        continue;
                if (f->type == SIM_FAULT_STUCK)
                        stuck |= f->chan_mask;
                else if (f->type == SIM_FAULT_SATURATED)
                        saturated |= f->chan_mask;
        }
        for (int c = 0; c < SIM_AXES; c++) {
                unsigned bit = 1u << c;
                if (saturated & bit)
                        r->v[c] = r->v[c] >= 0 ? INT16_MAX : INT16_MIN;
                if (stuck & bit) {
                        /* a stuck channel keeps the value it had when it froze */
                        if (!(dev->stuck_mask & bit))
                                dev->held[c] = r->v[c];
                        r->v[c] = dev->held[c];
                }
        }
        dev->stuck_mask = stuck;
        dev->written++;
}

const char *const *sim_device_attr_names(enum sim_attr_kind kind, int chan)
{
        switch (kind) {
        case SIM_ATTR_DEVICE:
                return device_attrs;
        case SIM_ATTR_BUFFER:
                return buffer_attrs;
        case SIM_ATTR_CHANNEL:
                return chan >= 0 && chan < SIM_AXES ? axis_attrs : no_attrs;
        default:
                return no_attrs;
        }
}

static bool has_attr(enum sim_attr_kind kind, int chan, const char *attr)
{
        for (const char *const *a = sim_device_attr_names(kind, chan); *a; a++)
                if (strcmp(*a, attr) == 0)
                        return true;
        return false;
}

static int format_rates(char *buf, size_t len, double extra_hz)
{
        size_t n = 0, nrates = sizeof(chip_rates) / sizeof(chip_rates[0]);
        buf[0] = '\0';
        for (size_t i = 0; i <= nrates; i++) {
                double r = i < nrates ? chip_rates[i] : extra_hz;
                if (r <= 0 || (i == nrates && sim_rate_supported(r, 0, NULL)))
                        continue;
                int w = snprintf(buf + n, len - n, "%s%.3f", n ? " " : "", r);
                if (w < 0 || (size_t)w >= len - n)
                        return -ENOSPC;
                n += (size_t)w;
        }
        return (int)n;
}

static int put(char *buf, size_t len, int w)
{
        if (w < 0 || (size_t)w >= len)
                return -ENOSPC;
        return w;
}

int sim_device_attr_read(const struct sim_device *dev, double extra_hz, enum sim_attr_kind kind, int chan,
                         const char *attr, char *buf, size_t len)
{
        if (!has_attr(kind, chan, attr))
                return -ENOENT;

        switch (kind) {
        case SIM_ATTR_DEVICE:
                if (strcmp(attr, "label") == 0)
                        return put(buf, len, snprintf(buf, len, "%s", gm_loc_name(dev->loc)));
                if (strcmp(attr, "sampling_frequency") == 0)
                        return put(buf, len, snprintf(buf, len, "%.3f", dev->rate_hz));
                return format_rates(buf, len, extra_hz);
        case SIM_ATTR_BUFFER:
                if (strcmp(attr, "length") == 0)
                        return put(buf, len, snprintf(buf, len, "%u", SIM_RING_CAP));
                return put(buf, len, snprintf(buf, len, "1"));
        case SIM_ATTR_CHANNEL:
                if (strcmp(attr, "scale") == 0)
                        return put(buf, len, snprintf(buf, len, "%.9f", sim_chans[chan].scale));
                /* raw: the latest sample, as a one-shot read of the register gives */
                return put(buf, len,
                           snprintf(buf, len, "%d",
                                    dev->written ? dev->ring[(dev->written - 1) % SIM_RING_CAP].v[chan] : 0));
        default:
                return -ENOENT;
        }
}

int sim_device_attr_write(struct sim_device *dev, double extra_hz, enum sim_attr_kind kind, int chan, const char *attr,
                          const char *data, size_t len)
{
        if (!has_attr(kind, chan, attr))
                return -ENOENT;
        if (kind != SIM_ATTR_DEVICE || strcmp(attr, "sampling_frequency") != 0)
                return -EACCES;

        char text[64];
        if (len == 0 || len >= sizeof(text))
                return -EINVAL;
        memcpy(text, data, len);
        text[len] = '\0';
        char *end;
        errno = 0;
        double hz = strtod(text, &end);
        while (*end == '\n' || *end == ' ' || *end == '\0') {
                if (*end == '\0')
                        break;
                end++;
        }
        if (errno || end == text || *end)
                return -EINVAL;
        double exact;
        if (!sim_rate_supported(hz, extra_hz, &exact))
                return -EINVAL;
        if (exact != dev->rate_hz)
                sim_device_set_rate(dev, exact);
        return (int)len;
}
