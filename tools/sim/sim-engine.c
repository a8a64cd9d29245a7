/* The simulated clock: a thread that steps the source, fills every device's ring and
 * hands samples to the buffers that read them. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "sim-engine.h"
#include "gm_events.h"

#define PACE_TICK_NS 2000000  /* real time between clock steps when paced */
#define UNPACED_CHUNK_S 0.05  /* simulated time per step when unpaced */
#define UNPACED_BACKLOG 4096u /* read-ahead per buffer when unpaced: about 10 s at 416 Hz */

struct sim_engine {
        struct sim_engine_cfg cfg;
        struct sim_source *src;
        struct sim_device dev[SIM_MAX_DEVICES];
        size_t n_dev;

        pthread_t thread;
        bool running;
        pthread_mutex_t lock;
        pthread_cond_t data_cond;   /* new samples, an unplug, or stopping */
        pthread_cond_t demand_cond; /* a reader took samples (unpaced clock) */
        bool stop;
        int error;
        int done_fd;

        struct sim_frame prev, cur;
        bool have_frame;
        struct sim_stream *streams;
        struct gm_event_list events;
        double events_flushed_s;
};

static double mono_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int add_faults(struct sim_engine *e, struct sim_device *dev)
{
        for (size_t i = 0; i < e->cfg.n_faults; i++) {
                if (e->cfg.faults[i].loc != dev->loc)
                        continue;
                int r = sim_device_add_fault(dev, &e->cfg.faults[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int sim_engine_new(struct sim_source *src, const struct sim_engine_cfg *cfg, struct sim_engine **out)
{
        struct sim_engine *e = calloc(1, sizeof(*e));
        if (!e) {
                src->free(src);
                return -ENOMEM;
        }
        e->cfg = *cfg;
        e->src = src;
        e->done_fd = -1;
        pthread_mutex_init(&e->lock, NULL);
        pthread_cond_init(&e->data_cond, NULL);
        pthread_cond_init(&e->demand_cond, NULL);

        int r = 0;
        e->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
        if (e->done_fd < 0) {
                r = -errno;
                goto fail;
        }
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                if (!(src->loc_mask & 1u << l))
                        continue;
                r = sim_device_init(&e->dev[e->n_dev], (unsigned)e->n_dev, l, cfg->rate_hz);
                if (r < 0)
                        goto fail;
                e->dev[e->n_dev].has_gyr = src->gyr_mask & 1u << l;
                e->n_dev++;
                r = add_faults(e, &e->dev[e->n_dev - 1]);
                if (r < 0)
                        goto fail;
        }
        if (e->n_dev == 0) {
                r = -EINVAL;
                goto fail;
        }
        /* events lists grow only when a batch outgrows this */
        e->events.ev = calloc(256, sizeof(*e->events.ev));
        if (!e->events.ev) {
                r = -ENOMEM;
                goto fail;
        }
        e->events.cap = 256;
        if (cfg->events) {
                fputs("time_s,side,event\n", cfg->events);
                fflush(cfg->events);
        }
        *out = e;
        return 0;

fail:
        sim_engine_free(e);
        return r;
}

void sim_engine_free(struct sim_engine *e)
{
        if (!e)
                return;
        sim_engine_stop(e);
        for (size_t i = 0; i < e->n_dev; i++)
                sim_device_done(&e->dev[i]);
        if (e->done_fd >= 0)
                close(e->done_fd);
        gm_event_list_clear(&e->events);
        e->src->free(e->src);
        pthread_cond_destroy(&e->demand_cond);
        pthread_cond_destroy(&e->data_cond);
        pthread_mutex_destroy(&e->lock);
        free(e);
}

void sim_engine_rewind(struct sim_engine *e)
{
        for (size_t d = 0; d < e->n_dev; d++) {
                struct sim_device *dev = &e->dev[d];
                sim_device_reset(dev, dev->index, dev->loc, e->cfg.rate_hz);
                (void)add_faults(e, dev); /* the same faults as when it was made */
        }
        memset(&e->prev, 0, sizeof(e->prev));
        memset(&e->cur, 0, sizeof(e->cur));
        e->have_frame = false;
        e->events.n = 0;
        e->events_flushed_s = 0;
        e->error = 0;
}

static void signal_done(struct sim_engine *e)
{
        uint64_t one = 1;
        if (write(e->done_fd, &one, sizeof(one)) < 0) {
                /* the counter cannot overflow from a handful of writes */
        }
}

static void write_events(struct sim_engine *e)
{
        FILE *f = e->cfg.events;
        if (f && e->events.n) {
                gm_event_list_sort(&e->events);
                for (size_t i = 0; i < e->events.n; i++)
                        fprintf(f, "%.6f,%s,%s\n", e->events.ev[i].t, gm_side_name(e->events.ev[i].side),
                                gm_event_kind_name(e->events.ev[i].kind));
        }
        e->events.n = 0;
        /* readers follow the file while the sim runs: flush every simulated second */
        if (f && e->cur.t >= e->events_flushed_s + 1) {
                fflush(f);
                e->events_flushed_s = floor(e->cur.t);
        }
}

static void sample_devices(struct sim_engine *e)
{
        for (size_t d = 0; d < e->n_dev; d++) {
                struct sim_device *dev = &e->dev[d];
                enum gm_loc l = dev->loc;
                double t;
                while ((t = sim_device_next_time(dev)) <= e->cur.t) {
                        struct gm_sample s;
                        double span = e->cur.t - e->prev.t;
                        double w = span > 0 ? (t - e->prev.t) / span : 1;
                        if (w < 0)
                                w = 0;
                        if (w >= 1 - 1e-9)
                                s = e->cur.s[l];
                        else if (w <= 1e-9)
                                s = e->prev.s[l];
                        else
                                for (int a = 0; a < 3; a++) {
                                        s.acc[a] = e->prev.s[l].acc[a] + w * (e->cur.s[l].acc[a] - e->prev.s[l].acc[a]);
                                        s.gyr[a] = e->prev.s[l].gyr[a] + w * (e->cur.s[l].gyr[a] - e->prev.s[l].gyr[a]);
                                }
                        s.t = t;
                        sim_device_update_plug(dev, t);
                        sim_device_store(dev, t, &s);
                }
                /* unplug and replug take effect on time even between samples */
                sim_device_update_plug(dev, e->cur.t);
        }
}

static int produce_until(struct sim_engine *e, double target)
{
        double period = 1.0 / e->src->rate_hz;
        while (!e->have_frame || e->cur.t + period <= target + 1e-12) {
                e->prev = e->cur;
                int r = e->src->step(e->src, &e->cur, &e->events);
                if (r < 0)
                        return r;
                if (!e->have_frame) {
                        e->prev = e->cur;
                        e->have_frame = true;
                }
                sample_devices(e);
        }
        return 0;
}

static bool stream_alive(const struct sim_engine *e, const struct sim_stream *st)
{
        const struct sim_device *dev = &e->dev[st->dev];
        return dev->plugged && st->generation == dev->generation;
}

/* Unpaced: run while every live buffer has room, so the slowest reader sets the pace; but a
 * reader waiting for samples is never kept waiting by a buffer nobody reads (that one overruns,
 * as a kernel FIFO does). */
static bool readers_want_more(const struct sim_engine *e)
{
        bool room = e->streams != NULL;
        for (const struct sim_stream *st = e->streams; st; st = st->next) {
                if (!stream_alive(e, st))
                        continue;
                uint64_t avail = e->dev[st->dev].written - st->pos;
                if (st->want && avail < st->want)
                        return true;
                if (avail >= UNPACED_BACKLOG)
                        room = false;
        }
        return room;
}

static bool any_stream_alive(const struct sim_engine *e)
{
        for (const struct sim_stream *st = e->streams; st; st = st->next)
                if (stream_alive(e, st))
                        return true;
        return false;
}

static void *engine_run(void *userdata)
{
        struct sim_engine *e = userdata;
        double start = mono_s();
        double duration = e->cfg.duration_s;

        pthread_mutex_lock(&e->lock);
        while (!e->stop) {
                double target;
                if (e->cfg.speed > 0)
                        target = (mono_s() - start) * e->cfg.speed;
                else {
                        while (!e->stop && !readers_want_more(e))
                                pthread_cond_wait(&e->demand_cond, &e->lock);
                        if (e->stop)
                                break;
                        target = (e->have_frame ? e->cur.t : 0) + UNPACED_CHUNK_S;
                }
                if (duration > 0 && target > duration)
                        target = duration;

                int r = produce_until(e, target);
                write_events(e);
                pthread_cond_broadcast(&e->data_cond);
                if (r < 0) {
                        e->error = r;
                        signal_done(e);
                        break;
                }
                if (duration > 0 && e->cur.t + 1.0 / e->src->rate_hz > duration) {
                        signal_done(e);
                        break;
                }
                /* Unpaced with only unplugged devices' buffers open, nothing bounds the clock but
                 * the replug it waits for: step it gently and let the readers in. */
                if (e->cfg.speed > 0 || !any_stream_alive(e)) {
                        pthread_mutex_unlock(&e->lock);
                        struct timespec tick = { 0, e->cfg.speed > 0 ? PACE_TICK_NS : 1000 * 1000 };
                        nanosleep(&tick, NULL);
                        pthread_mutex_lock(&e->lock);
                }
        }
        if (e->cfg.events)
                fflush(e->cfg.events);
        pthread_mutex_unlock(&e->lock);
        return NULL;
}

int sim_engine_start(struct sim_engine *e)
{
        int r = pthread_create(&e->thread, NULL, engine_run, e);
        if (r)
                return -r;
        e->running = true;
        return 0;
}

void sim_engine_stop(struct sim_engine *e)
{
        pthread_mutex_lock(&e->lock);
        e->stop = true;
        pthread_cond_broadcast(&e->data_cond);
        pthread_cond_broadcast(&e->demand_cond);
        pthread_mutex_unlock(&e->lock);
        if (e->running) {
                pthread_join(e->thread, NULL);
                e->running = false;
        }
}

int sim_engine_done_fd(const struct sim_engine *e)
{
        return e->done_fd;
}

int sim_engine_error(struct sim_engine *e)
{
        pthread_mutex_lock(&e->lock);
        int r = e->error;
        pthread_mutex_unlock(&e->lock);
        return r;
}

double sim_engine_now(struct sim_engine *e)
{
        pthread_mutex_lock(&e->lock);
        double t = e->have_frame ? e->cur.t : 0;
        pthread_mutex_unlock(&e->lock);
        return t;
}

size_t sim_engine_n_devices(const struct sim_engine *e)
{
        return e->n_dev;
}

const char *sim_engine_device_id(const struct sim_engine *e, size_t dev)
{
        return e->dev[dev].id;
}

enum gm_loc sim_engine_device_loc(const struct sim_engine *e, size_t dev)
{
        return e->dev[dev].loc;
}

const char *sim_engine_device_chip(const struct sim_engine *e, size_t dev)
{
        return sim_device_chip(&e->dev[dev]);
}

unsigned sim_engine_device_channels(const struct sim_engine *e, size_t dev, int chans[SIM_CHAN_COUNT])
{
        return sim_device_channels(&e->dev[dev], chans);
}

int sim_engine_find_device(const struct sim_engine *e, const char *name)
{
        for (size_t i = 0; i < e->n_dev; i++)
                if (strcmp(name, e->dev[i].id) == 0)
                        return (int)i;
        for (size_t i = 0; i < e->n_dev; i++)
                if (strcmp(name, gm_loc_name(e->dev[i].loc)) == 0)
                        return (int)i;
        /* devices of one chip share its name: it finds the first, as iiod does */
        for (size_t i = 0; i < e->n_dev; i++)
                if (strcmp(name, sim_device_chip(&e->dev[i])) == 0)
                        return (int)i;
        return -ENODEV;
}

int sim_engine_attr_read(struct sim_engine *e, size_t dev, enum sim_attr_kind kind, int chan, const char *attr,
                         char *buf, size_t len)
{
        pthread_mutex_lock(&e->lock);
        int r = sim_device_attr_read(&e->dev[dev], e->src->native_hz, kind, chan, attr, buf, len);
        pthread_mutex_unlock(&e->lock);
        return r;
}

int sim_engine_attr_write(struct sim_engine *e, size_t dev, enum sim_attr_kind kind, int chan, const char *attr,
                          const char *data, size_t len)
{
        pthread_mutex_lock(&e->lock);
        int r = sim_device_attr_write(&e->dev[dev], e->src->native_hz, kind, chan, attr, data, len);
        pthread_mutex_unlock(&e->lock);
        return r;
}

int sim_engine_stream_open(struct sim_engine *e, size_t dev, struct sim_stream *st)
{
        pthread_mutex_lock(&e->lock);
        int r = 0;
        if (!e->dev[dev].plugged)
                r = -ENODEV;
        else {
                memset(st, 0, sizeof(*st));
                st->dev = (unsigned)dev;
                st->generation = e->dev[dev].generation;
                st->pos = e->dev[dev].written;
                st->next = e->streams;
                e->streams = st;
                pthread_cond_broadcast(&e->demand_cond);
        }
        pthread_mutex_unlock(&e->lock);
        return r;
}

ssize_t sim_engine_stream_read(struct sim_engine *e, struct sim_stream *st, struct sim_raw_sample *out, size_t n)
{
        if (n > SIM_RING_CAP / 2)
                return -EINVAL;
        pthread_mutex_lock(&e->lock);
        ssize_t r;
        const struct sim_device *dev = &e->dev[st->dev];
        for (;;) {
                if (e->stop) {
                        r = -ESHUTDOWN;
                        break;
                }
                if (!stream_alive(e, st)) {
                        r = -ENODEV;
                        break;
                }
                uint64_t avail = dev->written - st->pos;
                if (avail > SIM_RING_CAP) {
                        /* the reader fell a whole FIFO behind: the oldest samples are gone */
                        st->lost += avail - SIM_RING_CAP;
                        st->pos = dev->written - SIM_RING_CAP;
                        avail = SIM_RING_CAP;
                }
                if (avail >= n) {
                        for (size_t i = 0; i < n; i++)
                                out[i] = dev->ring[(st->pos + i) % SIM_RING_CAP];
                        st->pos += n;
                        r = (ssize_t)n;
                        pthread_cond_signal(&e->demand_cond);
                        break;
                }
                if (!e->running) {
                        /* no clock thread: the reader steps the unpaced clock itself */
                        double target = (e->have_frame ? e->cur.t : 0) + UNPACED_CHUNK_S;
                        double duration = e->cfg.duration_s;
                        if (duration > 0 && e->have_frame && e->cur.t + 1.0 / e->src->rate_hz > duration) {
                                r = -ESHUTDOWN;
                                break;
                        }
                        if (duration > 0 && target > duration)
                                target = duration;
                        int p = produce_until(e, target);
                        write_events(e);
                        if (p < 0) {
                                e->error = r = p;
                                break;
                        }
                        continue;
                }
                st->want = n;
                if (e->cfg.speed <= 0)
                        pthread_cond_signal(&e->demand_cond);
                pthread_cond_wait(&e->data_cond, &e->lock);
        }
        st->want = 0;
        pthread_mutex_unlock(&e->lock);
        return r;
}

void sim_engine_stream_close(struct sim_engine *e, struct sim_stream *st)
{
        pthread_mutex_lock(&e->lock);
        for (struct sim_stream **p = &e->streams; *p; p = &(*p)->next)
                if (*p == st) {
                        *p = st->next;
                        break;
                }
        pthread_cond_broadcast(&e->demand_cond);
        pthread_mutex_unlock(&e->lock);
}
