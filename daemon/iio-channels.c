/* The channels gaitmond reads from an IIO device: found, checked, converted. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "iio-channels.h"

const char *const gm_iio_axis_ids[6] = {
        "accel_x", "accel_y", "accel_z", "anglvel_x", "anglvel_y", "anglvel_z",
};

/* iio_channel_convert() writes length/8 x repeat bytes, whatever the context declared: only
 * formats that fit what is read into are accepted. */
static bool format_fits(const struct iio_data_format *f, unsigned max_length)
{
        return f->repeat == 1 && (f->length == 8 || f->length == 16 || f->length == 32 || f->length == 64) &&
               f->length <= max_length && f->bits > 0 && f->bits <= f->length &&
               f->shift <= f->length - f->bits; /* not shift + bits: a huge shift wraps round */
}

static struct iio_channel *find_buffered(struct iio_device *dev, const char *id)
{
        struct iio_channel *chn = iio_device_find_channel(dev, id, false);
        return chn && iio_channel_is_scan_element(chn) ? chn : NULL;
}

int gm_iio_channels_find(struct iio_device *dev, const char *device, struct gm_iio_channels *ch, char *why,
                         size_t why_size)
{
        /* An accelerometer alone (no anglvel channel at all) is read as one: the analysis
         * works without the rates. Some of the rates and not the others is a fault. */
        unsigned rates = 0;
        for (int i = 3; i < 6; i++)
                rates += find_buffered(dev, gm_iio_axis_ids[i]) != NULL;
        ch->n_axes = rates == 0 ? 3 : 6;
        for (int i = 0; i < 6; i++) {
                ch->axis[i] = (unsigned)i < ch->n_axes ? find_buffered(dev, gm_iio_axis_ids[i]) : NULL;
                ch->scale[i] = 1.0;
                if ((unsigned)i >= ch->n_axes)
                        continue;
                if (!ch->axis[i]) {
                        snprintf(why, why_size, "%s has no buffered %s channel", device, gm_iio_axis_ids[i]);
                        return -ENOTSUP;
                }
                if (!format_fits(iio_channel_get_data_format(ch->axis[i]), 32)) {
                        snprintf(why, why_size,
                                 "%s: %s has a sample format gaitmond cannot read "
                                 "(8 to 32 bits, one value per sample)",
                                 device, gm_iio_axis_ids[i]);
                        return -ENOTSUP;
                }
        }
        ch->timestamp = iio_device_find_channel(dev, "timestamp", false);
        if (!ch->timestamp || !iio_channel_is_scan_element(ch->timestamp)) {
                snprintf(why, why_size, "%s has no buffered timestamp channel", device);
                return -ENOTSUP;
        }
        if (!format_fits(iio_channel_get_data_format(ch->timestamp), 64)) {
                snprintf(why, why_size, "%s: its timestamp has a sample format gaitmond cannot read", device);
                return -ENOTSUP;
        }
        return 0;
}

static int64_t read_timestamp(const struct iio_channel *chn, const void *p)
{
        int64_t v = 0;
        iio_channel_convert(chn, &v, p);
        return v;
}

static double read_axis(const struct iio_channel *chn, const void *p, double scale)
{
        const struct iio_data_format *fmt = iio_channel_get_data_format(chn);
        union {
                int8_t s8;
                uint8_t u8;
                int16_t s16;
                uint16_t u16;
                int32_t s32;
                uint32_t u32;
        } v = { 0 };
        iio_channel_convert(chn, &v, p);
        switch (fmt->length) {
        case 8:
                return (fmt->is_signed ? v.s8 : v.u8) * scale;
        case 16:
                return (fmt->is_signed ? v.s16 : v.u16) * scale;
        default:
                return (fmt->is_signed ? (double)v.s32 : (double)v.u32) * scale;
        }
}

void gm_iio_convert(const struct gm_iio_channels *ch, const void *const p_axis[6], const void *p_ts,
                    struct gm_raw_sample *out)
{
        out->ts_ns = read_timestamp(ch->timestamp, p_ts);
        for (int i = 0; i < 3; i++) {
                out->acc[i] = (float)read_axis(ch->axis[i], p_axis[i], ch->scale[i]);
                out->gyr[i] = ch->n_axes > 3 ? (float)read_axis(ch->axis[i + 3], p_axis[i + 3], ch->scale[i + 3]) : NAN;
        }
}
