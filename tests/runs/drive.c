/* The model → pipeline → session chain for the run tests. */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "drive.h"

static void collect(struct drive *d)
{
        struct gm_session_event ev;
        while (gm_session_next_event(d->sess, &ev)) {
                if (d->n_ev == d->cap_ev) {
                        d->cap_ev = d->cap_ev ? 2 * d->cap_ev : 64;
                        d->ev = realloc(d->ev, d->cap_ev * sizeof(*d->ev));
                        cr_assert_not_null(d->ev);
                }
                d->ev[d->n_ev++] = ev;
        }
}

void drive_init(struct drive *d, const struct gm_session_cfg *sc, void (*mc_edit)(struct gm_model_cfg *))
{
        memset(d, 0, sizeof(*d));
        gm_model_cfg_default(&d->mc);
        d->mc.rate_hz = DRIVE_RATE_HZ;
        d->mc.loc_mask = DRIVE_LOCS;
        d->mc.gyr_mask = DRIVE_LOCS;
        d->mc.seed = 11;
        if (mc_edit)
                mc_edit(&d->mc);
        d->model = gm_model_new(&d->mc);
        cr_assert_not_null(d->model);
        struct gm_pipeline_cfg pc;
        gm_pipeline_cfg_default(&pc);
        pc.rate_hz = d->mc.rate_hz;
        pc.loc_mask = d->mc.loc_mask;
        pc.gyr_mask = d->mc.gyr_mask;
        d->pipe = gm_pipeline_new(&pc);
        cr_assert_not_null(d->pipe);
        d->sess = gm_session_new(sc);
        cr_assert_not_null(d->sess);
        d->t_next_snapshot = 1.0;
}

void drive_gait(struct drive *d, enum gm_activity a, double seconds)
{
        double speed = a == GM_ACTIVITY_WALKING ? 1.4 : 3.2;
        double cadence = a == GM_ACTIVITY_WALKING ? 112 : 170;
        cr_assert_eq(gm_model_set_gait(d->model, a, speed, cadence), 0);
        double until = d->t + seconds;
        struct gm_sample s[GM_LOC_COUNT];
        while (d->t < until) {
                d->t = gm_model_step(d->model, s, NULL);
                for (int l = 0; l < GM_LOC_COUNT; l++)
                        if (d->mc.loc_mask & (1u << l))
                                cr_assert_geq(gm_pipeline_push(d->pipe, l, &s[l]), 0);
                struct gm_stride st;
                struct gm_spike sp;
                struct gm_event e;
                while (gm_pipeline_next_event(d->pipe, &e))
                        ;
                while (gm_pipeline_next_stride(d->pipe, &st))
                        cr_assert_eq(gm_session_push_stride(d->sess, &st), 0);
                while (gm_pipeline_next_spike(d->pipe, &sp)) {
                        cr_assert_eq(gm_session_push_spike(d->sess, &sp), 0);
                        d->n_spikes++;
                }
                if (d->t >= d->t_next_snapshot) {
                        struct gm_metrics m;
                        gm_pipeline_snapshot(d->pipe, &m);
                        cr_assert_eq(gm_session_push_metrics(d->sess, &m), 0);
                        collect(d);
                        d->t_next_snapshot += 1.0;
                }
        }
}

void drive_end(struct drive *d)
{
        cr_assert_geq(gm_session_end(d->sess, d->t), 0);
        collect(d);
}

void drive_free(struct drive *d)
{
        gm_session_free(d->sess);
        gm_pipeline_free(d->pipe);
        gm_model_free(d->model);
        free(d->ev);
}

size_t drive_count(const struct drive *d, enum gm_session_event_kind kind)
{
        size_t n = 0;
        for (size_t i = 0; i < d->n_ev; i++)
                n += d->ev[i].kind == kind;
        return n;
}

const struct gm_session_event *drive_find(const struct drive *d, enum gm_session_event_kind kind, size_t i)
{
        for (size_t k = 0; k < d->n_ev; k++)
                if (d->ev[k].kind == kind && i-- == 0)
                        return &d->ev[k];
        return NULL;
}
