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

int gm_replay_run(const struct gm_recording *rec, const struct gm_pipeline_cfg *cfg,
                  struct gm_replay *out, void (*progress)(size_t, size_t, void *), void *userdata)
{
        struct gm_pipeline_cfg c;
        if (cfg)
                c = *cfg;
        else
                gm_pipeline_cfg_default(&c);
        c.rate_hz = rec->rate_hz;
        c.loc_mask = rec->loc_mask;
        c.gyr_mask = rec->gyr_mask;
        memset(out, 0, sizeof(*out));
        struct gm_pipeline *p = gm_pipeline_new(&c);
        if (!p)
                return -errno;
        int r = 0;
        /* One FFT reading a second of data at most, and at most one a row. */
        double span = rec->t[rec->n - 1] - rec->t[0];
        size_t fft_cap = span + 2 < (double)rec->n ? (size_t)(span + 2) : rec->n, fft_n = 0;
        double *fft = malloc(fft_cap * sizeof(double)), next_fft = rec->t[0] + 1;
        if (!fft)
                r = -ENOMEM;
        for (size_t i = 0; i < rec->n && r >= 0; i++) {
                for (int l = 0; l < GM_LOC_COUNT; l++) {
                        if (!(rec->loc_mask & (1u << l)))
                                continue;
                        struct gm_sample s;
                        gm_recording_get(rec, l, i, &s);
                        gm_pipeline_push(p, l, &s);
                }
                if (rec->t[i] >= next_fft) {
                        struct gm_metrics m;
                        gm_pipeline_snapshot(p, &m);
                        if (isfinite(m.cadence_fft_spm) && fft_n < fft_cap)
                                fft[fft_n++] = m.cadence_fft_spm;
                        next_fft = rec->t[i] + 1;
                }
                if ((i & 1023) == 0) {
                        r = drain(p, out);
                        if (progress)
                                progress(i, rec->n, userdata);
                }
        }
        gm_pipeline_flush(p);
        if (r >= 0)
                r = drain(p, out);
        gm_event_list_sort(&out->events);
        out->cadence_fft_spm = gm_median(fft, fft_n);
        free(fft);
        gm_pipeline_snapshot(p, &out->final);
        gm_pipeline_free(p);
        if (r < 0)
                gm_replay_clear(out);
        return r;
}

void gm_replay_clear(struct gm_replay *r)
{
        gm_event_list_clear(&r->events);
        free(r->strides.st);
        free(r->spikes.sp);
        memset(r, 0, sizeof(*r));
}
