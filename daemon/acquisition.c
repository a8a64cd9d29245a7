/* Starts one acquisition thread per configured sensor and drains their rings on the main loop. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "analysis.h"
#include "gaitmond.h"
#include "log.h"

static int on_wake(sd_event_source *src, int fd, uint32_t revents, void *userdata)
{
        struct gaitmond *d = userdata;
        uint64_t n;
        (void) !read(fd, &n, sizeof(n)); /* reset the counter; EAGAIN is fine */
        gaitmond_drain(d);
        return 0;
}

int gaitmond_acquisition_start(struct gaitmond *d)
{
        d->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (d->wake_fd < 0) {
                int r = -errno;
                log_error("cannot create an eventfd: %s", strerror(errno));
                return r;
        }
        int r = sd_event_add_io(d->event, &d->wake_source, d->wake_fd, EPOLLIN, on_wake, d);
        if (r < 0) {
                log_error("cannot watch the eventfd: %s", strerror(-r));
                return r;
        }
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                struct gm_sensor *s = &d->sensor[loc];
                if (!(d->sensor_mask & (1u << loc)))
                        continue;
                s->loc = loc;
                s->match = d->cfg.sensor[loc];
                snprintf(s->uri, sizeof(s->uri), "%s", d->cfg.uri);
                s->rate_hz = d->cfg.sample_rate_hz;
                s->buffer_samples = d->cfg.buffer_samples;
                s->wake_fd = d->wake_fd;
                s->ring = calloc(1, sizeof(*s->ring));
                if (!s->ring)
                        return -ENOMEM;
                gm_ring_init(s->ring);
                pthread_mutex_init(&s->lock, NULL);
                s->status = GM_SENSOR_WAITING;
                d->status[loc] = GM_SENSOR_WAITING;
                s->driver = &gm_source_iio;
                r = s->driver->start(s);
                if (r < 0) {
                        log_error("%s: cannot start acquisition: %s", gm_loc_name(loc), strerror(-r));
                        return r;
                }
        }
        return 0;
}

void gaitmond_acquisition_stop(struct gaitmond *d)
{
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                struct gm_sensor *s = &d->sensor[loc];
                if (!s->ring)
                        continue;
                if (s->driver)
                        s->driver->stop(s);
                /* The next ring counts from 0: the log's "in all" goes on from here. */
                d->overruns_carried[loc] += atomic_load(&s->ring->overruns);
                pthread_mutex_destroy(&s->lock);
                free(s->ring);
                s->ring = NULL;
        }
        d->wake_source = sd_event_source_disable_unref(d->wake_source);
        if (d->wake_fd >= 0)
                close(d->wake_fd);
        d->wake_fd = -1;
}
