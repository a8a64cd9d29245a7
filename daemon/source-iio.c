/* Acquisition from an IIO device through libiio: one thread doing blocking refills. */
#include <errno.h>
#include <iio.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iio-channels.h"
#include "sensor.h"

struct iio_source {
        struct iio_context *ctx;
        struct iio_buffer *buf; /* guarded by the sensor's lock: stop cancels it */
        struct gm_iio_channels ch;
};

static struct iio_device *find_device(struct iio_context *ctx, const struct gm_sensor_match *m)
{
        unsigned n = iio_context_get_devices_count(ctx);
        for (unsigned i = 0; i < n; i++) {
                struct iio_device *dev = iio_context_get_device(ctx, i);
                const char *id = iio_device_get_id(dev);
                const char *name = iio_device_get_name(dev);
                const char *label = iio_device_get_label(dev);
                const char *base;
                switch (m->kind) {
                case GM_MATCH_LABEL:
                        if (label && strcmp(label, m->value) == 0)
                                return dev;
                        break;
                case GM_MATCH_NAME:
                        if (name && strcmp(name, m->value) == 0)
                                return dev;
                        break;
                case GM_MATCH_SYSFS:
                        base = strrchr(m->value, '/');
                        base = base ? base + 1 : m->value;
                        if (id && strcmp(id, base) == 0)
                                return dev;
                        break;
                default:
                        break;
                }
        }
        return NULL;
}

static void close_source(struct gm_sensor *s, struct iio_source *src)
{
        pthread_mutex_lock(&s->lock);
        struct iio_buffer *buf = src->buf;
        src->buf = NULL;
        pthread_mutex_unlock(&s->lock);
        if (buf)
                iio_buffer_destroy(buf);
        if (src->ctx)
                iio_context_destroy(src->ctx);
        src->ctx = NULL;
}

/* Finds and configures the device and creates its buffer. On failure writes why. */
static int open_source(struct gm_sensor *s, struct iio_source *src, char *why, size_t why_size, char *device,
                       size_t device_size)
{
        char uri[sizeof(s->uri)];
        snprintf(uri, sizeof(uri), "%s", s->uri); /* libiio may write into the URI */
        src->ctx = iio_create_context_from_uri(uri);
        if (!src->ctx) {
                int r = -errno;
                snprintf(why, why_size, "cannot open IIO context %.100s: %s", s->uri, strerror(errno));
                return r ? r : -EIO;
        }
        struct iio_device *dev = find_device(src->ctx, &s->match);
        if (!dev) {
                snprintf(why, why_size,
                         "no IIO device with %s %.40s at %.40s; set %s = none in [sensors] if it is not worn",
                         gm_match_kind_name(s->match.kind), s->match.value, s->uri, gm_loc_name(s->loc));
                return -ENODEV;
        }
        const char *name = iio_device_get_name(dev);
        snprintf(device, device_size, "%s (%s)", iio_device_get_id(dev), name ? name : "?");

        for (unsigned i = 0; i < iio_device_get_channels_count(dev); i++)
                iio_channel_disable(iio_device_get_channel(dev, i));
        int r = gm_iio_channels_find(dev, device, &src->ch, why, why_size);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < src->ch.n_axes; i++) {
                if (iio_channel_attr_read_double(src->ch.axis[i], "scale", &src->ch.scale[i]) < 0) {
                        snprintf(why, why_size, "%s: cannot read the scale of %s", device, gm_iio_axis_ids[i]);
                        return -EIO;
                }
                iio_channel_enable(src->ch.axis[i]);
        }
        iio_channel_enable(src->ch.timestamp);

        /* A device that keeps its own rate is still usable: timestamps tell the truth. */
        (void)iio_device_attr_write_double(dev, "sampling_frequency", s->rate_hz);
        double rate = s->rate_hz;
        if (iio_device_attr_read_double(dev, "sampling_frequency", &rate) < 0 || rate <= 0)
                rate = s->rate_hz;
        pthread_mutex_lock(&s->lock);
        s->device_rate_hz = rate;
        s->device_has_gyr = src->ch.n_axes > 3;
        pthread_mutex_unlock(&s->lock);

        struct iio_buffer *buf = iio_device_create_buffer(dev, s->buffer_samples, false);
        if (!buf) {
                r = -errno;
                snprintf(why, why_size, "%s: cannot start its buffer: %s", device, strerror(errno));
                return r ? r : -EIO;
        }
        pthread_mutex_lock(&s->lock);
        src->buf = buf;
        pthread_mutex_unlock(&s->lock);
        return 0;
}

/* Refills until an error or stop; returns the error (negative errno) or 0 on stop. */
static int stream(struct gm_sensor *s, struct iio_source *src)
{
        while (!atomic_load(&s->stop)) {
                ssize_t n = iio_buffer_refill(src->buf);
                if (n < 0)
                        return atomic_load(&s->stop) ? 0 : (int)n;
                ptrdiff_t step = iio_buffer_step(src->buf);
                const char *end = iio_buffer_end(src->buf);
                const char *p_ts = iio_buffer_first(src->buf, src->ch.timestamp);
                const void *p[6] = { NULL };
                for (unsigned i = 0; i < src->ch.n_axes; i++)
                        p[i] = iio_buffer_first(src->buf, src->ch.axis[i]);
                for (; p_ts < end; p_ts += step) {
                        struct gm_raw_sample rs;
                        gm_iio_convert(&src->ch, p, p_ts, &rs);
                        for (unsigned i = 0; i < src->ch.n_axes; i++)
                                p[i] = (const char *)p[i] + step;
                        gm_ring_push(s->ring, &rs);
                }
                gm_sensor_wake(s);
        }
        return 0;
}

static void *acquire_thread(void *userdata)
{
        struct gm_sensor *s = userdata;
        struct iio_source *src = s->driver_data;
        double backoff = 0.25;
        bool streamed = false;

        while (!atomic_load(&s->stop)) {
                char why[160] = "", device[64] = "";
                int r = open_source(s, src, why, sizeof(why), device, sizeof(device));
                if (r == 0) {
                        gm_sensor_set_status(s, GM_SENSOR_STREAMING, device, "");
                        streamed = true;
                        backoff = 0.25;
                        r = stream(s, src);
                        if (r < 0)
                                snprintf(why, sizeof(why), "%s: reading failed: %s", device, strerror(-r));
                }
                close_source(s, src);
                if (atomic_load(&s->stop))
                        break;
                /* A device found but unusable (channels or formats it cannot be read with) is
                 * faulty, not awaited. */
                gm_sensor_set_status(s, streamed || r == -ENOTSUP ? GM_SENSOR_FAULTY : GM_SENSOR_WAITING,
                                     device[0] ? device : NULL, why);
                if (gm_sensor_sleep(s, backoff))
                        break;
                backoff = backoff * 2 > 2.0 ? 2.0 : backoff * 2;
        }
        return NULL;
}

static int iio_start(struct gm_sensor *s)
{
        struct iio_source *src = calloc(1, sizeof(*src));
        if (!src)
                return -ENOMEM;
        s->driver_data = src;
        atomic_store(&s->stop, false);
        int r = pthread_create(&s->thread, NULL, acquire_thread, s);
        if (r != 0) {
                free(src);
                s->driver_data = NULL;
                return -r;
        }
        s->thread_running = true;
        return 0;
}

static void iio_stop(struct gm_sensor *s)
{
        struct iio_source *src = s->driver_data;
        if (!s->thread_running)
                return;
        atomic_store(&s->stop, true);
        /* A streaming device finishes its refill within a buffer's time and the thread then
         * closes the buffer properly; cancelling is for a device that stalls, since libiio's
         * network backend logs every read it had in flight as an error. */
        struct timespec deadline;
        clock_gettime(CLOCK_REALTIME, &deadline);
        double grace_s = 0.25 + (s->rate_hz > 0 ? s->buffer_samples / s->rate_hz : 0);
        deadline.tv_sec += (time_t)grace_s;
        deadline.tv_nsec += (long)((grace_s - (double)(time_t)grace_s) * 1e9);
        if (deadline.tv_nsec >= 1000000000L) {
                deadline.tv_sec++;
                deadline.tv_nsec -= 1000000000L;
        }
        if (pthread_timedjoin_np(s->thread, NULL, &deadline) != 0) {
                pthread_mutex_lock(&s->lock);
                if (src->buf)
                        iio_buffer_cancel(src->buf);
                pthread_mutex_unlock(&s->lock);
                pthread_join(s->thread, NULL);
        }
        s->thread_running = false;
        free(src);
        s->driver_data = NULL;
}

const struct gm_source_driver gm_source_iio = {
        .name = "iio",
        .start = iio_start,
        .stop = iio_stop,
};
