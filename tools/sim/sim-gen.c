/* Sample generation from a scenario: the gait model stepped through the phases. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gm_events.h"
#include "gm_model.h"
#include "sim-source.h"

struct gen_source {
        struct sim_source base;
        struct gm_model *model;
        struct sim_phase phases[SIM_MAX_PHASES];
        size_t n_phases;
        size_t phase;     /* index of the phase in force; n_phases once standing after the last */
        double phase_end; /* simulated time the current phase ends */
        uint64_t n;       /* frames produced */
};

static int gen_step(struct sim_source *src, struct sim_frame *frame, struct gm_event_list *events)
{
        struct gen_source *g = (struct gen_source *)src;
        double t = (double)g->n / src->rate_hz;

        while (g->phase < g->n_phases && t >= g->phase_end) {
                const struct sim_phase *last = &g->phases[g->phase];
                g->phase++;
                int r;
                if (g->phase < g->n_phases) {
                        const struct sim_phase *p = &g->phases[g->phase];
                        g->phase_end += p->duration_s;
                        r = gm_model_set_gait(g->model, p->activity, p->speed_mps, p->cadence_spm);
                } else
                        /* after the last phase the runner stands still and the sensors go on */
                        r = gm_model_set_gait(g->model, GM_ACTIVITY_IDLE, 0, last->cadence_spm);
                if (r < 0)
                        return r;
        }
        frame->t = gm_model_step(g->model, frame->s, events);
        g->n++;
        return 0;
}

static void gen_free(struct sim_source *src)
{
        struct gen_source *g = (struct gen_source *)src;
        if (!g)
                return;
        gm_model_free(g->model);
        free(g);
}

int sim_gen_new(const struct sim_scenario *sc, struct sim_source **out)
{
        if (sc->n_phases == 0)
                return -EINVAL;
        struct gen_source *g = calloc(1, sizeof(*g));
        if (!g)
                return -ENOMEM;

        struct gm_model_cfg cfg;
        gm_model_cfg_default(&cfg);
        cfg.rate_hz = SIM_MODEL_RATE_HZ;
        cfg.loc_mask = sc->loc_mask;
        cfg.gyr_mask = sc->loc_mask;
        cfg.activity = sc->phases[0].activity;
        cfg.speed_mps = sc->phases[0].speed_mps;
        cfg.cadence_spm = sc->phases[0].cadence_spm;
        cfg.still_s = 0; /* standing is an idle phase of its own */
        cfg.weak[0] = sc->weak[0];
        cfg.weak[1] = sc->weak[1];
        cfg.fatigue_per_hour = sc->fatigue_per_hour;
        cfg.noise_acc = sc->noise_acc;
        cfg.noise_gyr = sc->noise_gyr;
        memcpy(cfg.mount_rpy, sc->mount_rpy, sizeof(cfg.mount_rpy));
        cfg.seed = sc->seed;

        g->model = gm_model_new(&cfg);
        if (!g->model) {
                free(g);
                return -EINVAL;
        }
        memcpy(g->phases, sc->phases, sizeof(g->phases));
        g->n_phases = sc->n_phases;
        g->phase_end = sc->phases[0].duration_s;
        g->base.rate_hz = SIM_MODEL_RATE_HZ;
        g->base.loc_mask = sc->loc_mask;
        g->base.gyr_mask = sc->loc_mask & ~sc->accel_only_mask;
        g->base.step = gen_step;
        g->base.free = gen_free;
        *out = &g->base;
        return 0;
}
