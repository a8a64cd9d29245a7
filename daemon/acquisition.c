/* Starts one acquisition thread per configured sensor; the main loop drains their rings and
 * takes their status here. */
#include "acquisition.h"

#include <errno.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "now.h"

#define OVERRUN_LOG_US 10000000ULL /* ring overruns are logged at most this often */

static const struct gm_sensor_info no_info;

void gm_acquisition_init(struct gm_acquisition *acq, const struct gm_config *cfg)
{
        *acq = (struct gm_acquisition){ .wake_fd = -1 };
        gm_acquisition_configure(acq, cfg);
}

void gm_acquisition_configure(struct gm_acquisition *acq, const struct gm_config *cfg)
{
        acq->sensor_mask = gm_config_sensor_mask(cfg);
}

static int on_wake(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
        struct gm_acquisition *acq = userdata;
        uint64_t n;
        (void)!read(fd, &n, sizeof(n)); /* reset the counter; EAGAIN is fine */
        acq->on_wake(acq->userdata);
        return 0;
}

int gm_acquisition_start(struct gm_acquisition *acq, sd_event *event, const struct gm_config *cfg,
                         void (*on_wake_cb)(void *userdata), void *userdata)
{
        acq->on_wake = on_wake_cb;
        acq->userdata = userdata;
        /* The sensors' status_seq goes on from their last run: what they say next is news. */
        memset(acq->status_seq, 0, sizeof(acq->status_seq));
        acq->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (acq->wake_fd < 0) {
                int r = -errno;
                log_error("cannot create an eventfd: %s", strerror(errno));
                return r;
        }
        int r = sd_event_add_io(event, &acq->wake_source, acq->wake_fd, EPOLLIN, on_wake, acq);
        if (r < 0) {
                log_error("cannot watch the eventfd: %s", strerror(-r));
                return r;
        }
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                struct gm_sensor *s = &acq->sensor[loc];
                if (!(acq->sensor_mask & (1u << loc)))
                        continue;
                s->loc = loc;
                s->match = cfg->sensor[loc];
                snprintf(s->uri, sizeof(s->uri), "%s", cfg->uri);
                s->rate_hz = cfg->sample_rate_hz;
                s->buffer_samples = cfg->buffer_samples;
                s->wake_fd = acq->wake_fd;
                s->ring = calloc(1, sizeof(*s->ring));
                if (!s->ring)
                        return -ENOMEM;
                gm_ring_init(s->ring);
                pthread_mutex_init(&s->lock, NULL);
                s->status = GM_SENSOR_WAITING;
                acq->info[loc].status = GM_SENSOR_WAITING;
                s->driver = &gm_source_iio;
                r = s->driver->start(s);
                if (r < 0) {
                        log_error("%s: cannot start acquisition: %s", gm_loc_name(loc), strerror(-r));
                        return r;
                }
        }
        return 0;
}

void gm_acquisition_stop(struct gm_acquisition *acq)
{
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                struct gm_sensor *s = &acq->sensor[loc];
                if (!s->ring)
                        continue;
                if (s->driver)
                        s->driver->stop(s);
                /* The next ring counts from 0: the log's "in all" goes on from here. */
                acq->overruns_carried[loc] += atomic_load(&s->ring->overruns);
                pthread_mutex_destroy(&s->lock);
                free(s->ring);
                s->ring = NULL;
        }
        acq->wake_source = sd_event_source_disable_unref(acq->wake_source);
        if (acq->wake_fd >= 0)
                close(acq->wake_fd);
        acq->wake_fd = -1;
}

bool gm_acquisition_open(const struct gm_acquisition *acq, enum gm_loc loc)
{
        return acq->sensor[loc].ring != NULL;
}

int gm_acquisition_take_status(struct gm_acquisition *acq, enum gm_loc loc, struct gm_sensor_change *ch)
{
        struct gm_sensor *s = &acq->sensor[loc];
        struct gm_sensor_info *info = &acq->info[loc];
        pthread_mutex_lock(&s->lock);
        unsigned seq = s->status_seq;
        enum gm_sensor_status status = s->status;
        memcpy(info->device, s->device, sizeof(info->device));
        memcpy(info->reason, s->reason, sizeof(info->reason));
        info->device_rate_hz = s->device_rate_hz;
        info->has_gyr = s->device_has_gyr;
        pthread_mutex_unlock(&s->lock);
        if (seq == acq->status_seq[loc])
                return 0;
        acq->status_seq[loc] = seq;
        *ch = (struct gm_sensor_change){
                .old_status = info->status,
                .new_status = status,
                .device = info->device,
                .reason = info->reason,
        };
        info->status = status;
        /* Opening a sensor parses its context's XML in its thread's own heap arena; once it
         * streams, the pages that parse freed go back to the system (some 100 KiB a sensor). */
        if (status == GM_SENSOR_STREAMING)
                malloc_trim(0);
        return 1;
}

bool gm_acquisition_pop(struct gm_acquisition *acq, enum gm_loc loc, struct gm_raw_sample *rs)
{
        return gm_ring_pop(acq->sensor[loc].ring, rs);
}

const struct gm_raw_sample *gm_acquisition_peek(struct gm_acquisition *acq, enum gm_loc loc)
{
        return gm_ring_peek(acq->sensor[loc].ring);
}

void gm_acquisition_check_overruns(struct gm_acquisition *acq, enum gm_loc loc)
{
        uint64_t overruns = acq->overruns_carried[loc] + atomic_load(&acq->sensor[loc].ring->overruns);
        /* Samples lost because the main loop fell behind: said, at most every 10 s. */
        if (overruns > acq->overruns_logged[loc] && gm_mono_us() - acq->overruns_logged_at_us[loc] >= OVERRUN_LOG_US) {
                gm_log_full(LOG_WARNING, gm_loc_name(loc),
                            "%s: %llu samples lost because gaitmond fell "
                            "behind (%llu in all)",
                            gm_loc_name(loc), (unsigned long long)(overruns - acq->overruns_logged[loc]),
                            (unsigned long long)overruns);
                acq->overruns_logged[loc] = overruns;
                acq->overruns_logged_at_us[loc] = gm_mono_us();
        }
        acq->overruns[loc] = overruns;
}

unsigned gm_acquisition_mask(const struct gm_acquisition *acq)
{
        return acq->sensor_mask;
}

bool gm_acquisition_configured(const struct gm_acquisition *acq, enum gm_loc loc)
{
        return acq->sensor_mask & (1u << loc);
}

enum gm_sensor_status gm_acquisition_status(const struct gm_acquisition *acq, enum gm_loc loc)
{
        return acq->info[loc].status;
}

bool gm_acquisition_streaming(const struct gm_acquisition *acq, enum gm_loc loc)
{
        return gm_acquisition_configured(acq, loc) && acq->info[loc].status == GM_SENSOR_STREAMING;
}

bool gm_acquisition_degraded(const struct gm_acquisition *acq)
{
        for (int loc = 0; loc < GM_LOC_COUNT; loc++)
                if (gm_acquisition_configured(acq, loc) && !gm_acquisition_streaming(acq, loc))
                        return true;
        return false;
}

const struct gm_sensor_info *gm_acquisition_info(const struct gm_acquisition *acq, enum gm_loc loc)
{
        return gm_acquisition_open(acq, loc) ? &acq->info[loc] : &no_info;
}
