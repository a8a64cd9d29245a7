/* Recording → pipeline → lists of events, strides and spikes. */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gm_events.h"
#include "gm_replay.h"
#include "gm_stats.h"

static int grow(void **items, size_t *cap, size_t n, size_t size)
{
        if (n < *cap)
                return 0;
        size_t ncap = *cap ? *cap * 2 : 256;
        void *p = realloc(*items, ncap * size);
        if (!p)
                return -ENOMEM;
        *items = p;
        *cap = ncap;
        return 0;
}

static int drain(struct gm_pipeline *p, struct gm_replay *out)
{
        struct gm_event ev;
        struct gm_stride st;
        struct gm_spike sp;
        int r;
        while (gm_pipeline_next_event(p, &ev))
                if ((r = gm_event_list_add(&out->events, &ev)) < 0)
                        return r;
        while (gm_pipeline_next_stride(p, &st)) {
                if ((r = grow((void **)&out->strides.st, &out->strides.cap, out->strides.n, sizeof(st))) < 0)
                        return r;
                out->strides.st[out->strides.n++] = st;
        }
        while (gm_pipeline_next_spike(p, &sp)) {
                if ((r = grow((void **)&out->spikes.sp, &out->spikes.cap, out->spikes.n, sizeof(sp))) < 0)
                        return r;
                out->spikes.sp[out->spikes.n++] = sp;
        }
        return 0;
}

/* Row by row as both replays feed it; what it keeps does not grow with the rows, only
 * with what the pipeline finds (events, strides, spikes, an FFT reading a second). */
struct feed {
        struct gm_pipeline *p;
        struct gm_replay *out;
        unsigned loc_mask;
        size_t i;
        double next_fft;
        double *fft;
        size_t fft_n, fft_cap;
};

static int feed_start(struct feed *f, const struct gm_pipeline_cfg *cfg, double rate_hz, unsigned loc_mask,
                      unsigned gyr_mask, struct gm_replay *out)
{
        struct gm_pipeline_cfg c;
        if (cfg)
                c = *cfg;
        else
                gm_pipeline_cfg_default(&c);
        c.rate_hz = rate_hz;
        c.loc_mask = loc_mask;
        c.gyr_mask = gyr_mask;
        memset(out, 0, sizeof(*out));
        memset(f, 0, sizeof(*f));
        f->out = out;
        f->loc_mask = loc_mask;
        f->p = gm_pipeline_new(&c);
        return f->p ? 0 : -errno;
}

static int feed_rows(struct feed *f, size_t n, const double *t, const double *const data[GM_LOC_COUNT])
{
        int r = 0;
        for (size_t k = 0; k < n; k++, f->i++) {
                for (int l = 0; l < GM_LOC_COUNT; l++) {
                        if (!(f->loc_mask & (1u << l)))
                                continue;
                        const double *d = data[l] + k * 6;
                        struct gm_sample s;
                        s.t = t[k];
                        memcpy(s.acc, d, sizeof(s.acc));
                        memcpy(s.gyr, d + 3, sizeof(s.gyr));
                        gm_pipeline_push(f->p, l, &s);
                }
                /* One FFT reading a second of data at most. */
                if (f->i == 0)
                        f->next_fft = t[0] + 1;
                if (t[k] >= f->next_fft) {
                        struct gm_metrics m;
                        gm_pipeline_snapshot(f->p, &m);
                        if (isfinite(m.cadence_fft_spm)) {
                                if ((r = grow((void **)&f->fft, &f->fft_cap, f->fft_n, sizeof(double))) < 0)
                                        return r;
                                f->fft[f->fft_n++] = m.cadence_fft_spm;
                        }
                        f->next_fft = t[k] + 1;
                }
                if ((f->i & 1023) == 0 && (r = drain(f->p, f->out)) < 0)
                        return r;
        }
        return 0;
}

static int feed_end(struct feed *f, int r)
{
        struct gm_replay *out = f->out;
        if (f->p) {
                gm_pipeline_flush(f->p);
                if (r >= 0)
                        r = drain(f->p, out);
                gm_event_list_sort(&out->events);
                out->cadence_fft_spm = gm_median(f->fft, f->fft_n);
                gm_pipeline_snapshot(f->p, &out->final);
                gm_pipeline_free(f->p);
        }
        free(f->fft);
        if (r < 0)
                gm_replay_clear(out);
        return r;
}

int gm_replay_run(const struct gm_recording *rec, const struct gm_pipeline_cfg *cfg, struct gm_replay *out,
                  void (*progress)(size_t, size_t, void *), void *userdata)
{
        struct feed f;
        int r = feed_start(&f, cfg, rec->rate_hz, rec->loc_mask, rec->gyr_mask, out);
        if (r < 0)
                return r;
        for (size_t i = 0; i < rec->n && r >= 0; i += GM_READER_BLOCK) {
                size_t n = rec->n - i < GM_READER_BLOCK ? rec->n - i : GM_READER_BLOCK;
                const double *data[GM_LOC_COUNT];
                for (int l = 0; l < GM_LOC_COUNT; l++)
                        data[l] = rec->data[l] ? rec->data[l] + i * 6 : NULL;
                r = feed_rows(&f, n, rec->t + i, data);
                if (progress)
                        progress(i, rec->n, userdata);
        }
        return feed_end(&f, r);
}

/* Reading and parsing the file take about as long as the pipeline: with a second core the
 * reader runs ahead in its own thread, a block at a time through a ring of slots, while
 * the pipeline (still one thread, fed in the file's order) takes the rows. Several slots,
 * not two: on a busy machine either thread may wait for a core, and the other then goes
 * on with the blocks in between instead of waiting too. */
#define SLOTS 8
struct slot {
        size_t n, bytes_done;
        double *t;
        double *data[GM_LOC_COUNT];
};

struct pump {
        struct gm_reader *rd;
        char *err;
        size_t errlen;
        pthread_mutex_t mu;
        pthread_cond_t cv;
        struct slot slot[SLOTS];
        unsigned head, full; /* the oldest filled slot; how many are filled */
        bool done, stop;
        int status; /* the reader's last answer once done */
};

static void *produce(void *arg)
{
        struct pump *pm = arg;
        const struct gm_recording_info *in = gm_reader_info(pm->rd);
        for (;;) {
                pthread_mutex_lock(&pm->mu);
                while (pm->full == SLOTS && !pm->stop)
                        pthread_cond_wait(&pm->cv, &pm->mu);
                bool stop = pm->stop;
                struct slot *sl = &pm->slot[(pm->head + pm->full) % SLOTS];
                pthread_mutex_unlock(&pm->mu);
                if (stop)
                        return NULL;
                struct gm_rows rows;
                int r = gm_reader_next(pm->rd, &rows, pm->err, pm->errlen);
                if (r > 0) {
                        sl->n = rows.n;
                        sl->bytes_done = in->bytes_done;
                        memcpy(sl->t, rows.t, rows.n * sizeof(double));
                        for (int l = 0; l < GM_LOC_COUNT; l++)
                                if (sl->data[l])
                                        memcpy(sl->data[l], rows.data[l], rows.n * 6 * sizeof(double));
                }
                pthread_mutex_lock(&pm->mu);
                if (r > 0) {
                        pm->full++;
                } else {
                        pm->done = true;
                        pm->status = r;
                }
                pthread_cond_broadcast(&pm->cv);
                pthread_mutex_unlock(&pm->mu);
                if (r <= 0)
                        return NULL;
        }
}

static void pump_free(struct pump *pm)
{
        for (int k = 0; k < SLOTS; k++) {
                free(pm->slot[k].t);
                for (int l = 0; l < GM_LOC_COUNT; l++)
                        free(pm->slot[k].data[l]);
        }
}

/* The rows through the second thread: 1 when done (r set), 0 when it could not be started. */
static int pumped(struct gm_reader *rd, struct feed *f, bool run, char *err, size_t errlen,
                  void (*progress)(size_t, size_t, void *), void *userdata, int *result)
{
        const struct gm_recording_info *in = gm_reader_info(rd);
        struct pump pm = { .rd = rd, .err = err, .errlen = errlen };
        bool ok = true;
        for (int k = 0; k < SLOTS && ok; k++) {
                ok = (pm.slot[k].t = malloc(GM_READER_BLOCK * sizeof(double)));
                for (int l = 0; l < GM_LOC_COUNT && ok; l++)
                        if (in->loc_mask & (1u << l))
                                ok = (pm.slot[k].data[l] = malloc(GM_READER_BLOCK * 6 * sizeof(double)));
        }
        if (!ok) {
                pump_free(&pm);
                return 0;
        }
        pthread_mutex_init(&pm.mu, NULL);
        pthread_cond_init(&pm.cv, NULL);
        pthread_t th;
        if (pthread_create(&th, NULL, produce, &pm) != 0) {
                pthread_cond_destroy(&pm.cv);
                pthread_mutex_destroy(&pm.mu);
                pump_free(&pm);
                return 0;
        }
        int r = 0, fed = 0;
        for (;;) {
                pthread_mutex_lock(&pm.mu);
                while (pm.full == 0 && !pm.done)
                        pthread_cond_wait(&pm.cv, &pm.mu);
                if (pm.full == 0) {
                        r = pm.status;
                        pthread_mutex_unlock(&pm.mu);
                        break;
                }
                struct slot *sl = &pm.slot[pm.head];
                pthread_mutex_unlock(&pm.mu);
                const double *data[GM_LOC_COUNT];
                for (int l = 0; l < GM_LOC_COUNT; l++)
                        data[l] = sl->data[l];
                if (run && (fed = feed_rows(f, sl->n, sl->t, data)) < 0)
                        break;
                if (progress)
                        progress(sl->bytes_done, in->bytes_total, userdata);
                pthread_mutex_lock(&pm.mu);
                pm.head = (pm.head + 1) % SLOTS;
                pm.full--;
                pthread_cond_broadcast(&pm.cv);
                pthread_mutex_unlock(&pm.mu);
        }
        pthread_mutex_lock(&pm.mu);
        pm.stop = true;
        pthread_cond_broadcast(&pm.cv);
        pthread_mutex_unlock(&pm.mu);
        pthread_join(th, NULL);
        pthread_cond_destroy(&pm.cv);
        pthread_mutex_destroy(&pm.mu);
        pump_free(&pm);
        /* The reader's message is complete once its thread is joined. */
        if (fed < 0) {
                snprintf(err, errlen, "analysis failed: %s", strerror(-fed));
                r = fed;
        }
        *result = r;
        return 1;
}

int gm_replay_stream(struct gm_reader *rd, const struct gm_pipeline_cfg *cfg, struct gm_replay *out, char *err,
                     size_t errlen, void (*progress)(size_t, size_t, void *), void *userdata)
{
        const struct gm_recording_info *in = gm_reader_info(rd);
        struct feed f = { 0 };
        int r, start = 0;
        memset(out, 0, sizeof(*out));
        /* A rate the pipeline cannot take is the reader's to refuse, after the rows; one it
         * refuses itself is reported once the rows are known to be sound. */
        bool run = in->rate_hz >= 1 && in->rate_hz <= 100000;
        if (run && (start = feed_start(&f, cfg, in->rate_hz, in->loc_mask, in->gyr_mask, out)) < 0)
                run = false;
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        if (!(cpus > 1 && pumped(rd, &f, run, err, errlen, progress, userdata, &r))) {
                struct gm_rows rows;
                while ((r = gm_reader_next(rd, &rows, err, errlen)) > 0) {
                        if (run && (r = feed_rows(&f, rows.n, rows.t, rows.data)) < 0) {
                                snprintf(err, errlen, "analysis failed: %s", strerror(-r));
                                break;
                        }
                        if (progress)
                                progress(in->bytes_done, in->bytes_total, userdata);
                }
        }
        if (!run) {
                if (r >= 0 && start < 0)
                        snprintf(err, errlen, "analysis failed: %s", strerror(-start));
                return r < 0 ? r : start < 0 ? start : -EINVAL;
        }
        return feed_end(&f, r);
}

void gm_replay_clear(struct gm_replay *r)
{
        gm_event_list_clear(&r->events);
        free(r->strides.st);
        free(r->spikes.sp);
        memset(r, 0, sizeof(*r));
}
