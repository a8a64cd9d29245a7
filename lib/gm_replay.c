/* Recording → pipeline → lists of events, strides and spikes. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

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

int gm_replay_run(const struct gm_recording *rec, const struct gm_pipeline_cfg *cfg,
                  struct gm_replay *out, void (*progress)(size_t, size_t, void *), void *userdata)
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

int gm_replay_stream(struct gm_reader *rd, const struct gm_pipeline_cfg *cfg, struct gm_replay *out,
                     char *err, size_t errlen, void (*progress)(size_t, size_t, void *), void *userdata)
{
        const struct gm_recording_info *in = gm_reader_info(rd);
        struct feed f = { 0 };
        int r;
        memset(out, 0, sizeof(*out));
        /* A rate the pipeline cannot take is the reader's to refuse, after the rows. */
        bool run = in->rate_hz >= 1 && in->rate_hz <= 100000;
        if (run && (r = feed_start(&f, cfg, in->rate_hz, in->loc_mask, in->gyr_mask, out)) < 0) {
                snprintf(err, errlen, "analysis failed: %s", strerror(-r));
                return r;
        }
        struct gm_rows rows;
        while ((r = gm_reader_next(rd, &rows, err, errlen)) > 0) {
                if (run && (r = feed_rows(&f, rows.n, rows.t, rows.data)) < 0) {
                        snprintf(err, errlen, "analysis failed: %s", strerror(-r));
                        break;
                }
                if (progress)
                        progress(in->bytes_done, in->bytes_total, userdata);
        }
        if (!run)
                return r < 0 ? r : -EINVAL;
        return feed_end(&f, r);
}

void gm_replay_clear(struct gm_replay *r)
{
        gm_event_list_clear(&r->events);
        free(r->strides.st);
        free(r->spikes.sp);
        memset(r, 0, sizeof(*r));
}
