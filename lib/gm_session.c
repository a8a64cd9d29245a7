/* Runs: detection, per-minute records, fatigue alerts and the summary at the end. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gm_session.h"

#define MINUTE_S 60.0
/* A snapshot stands for at most this much gait, so a hole in the snapshots adds no gait time. */
#define GAIT_DT_MAX 5.0
/* A minute's asymmetry counts as sustained when it has this many gait snapshots (seconds). */
#define SUSTAINED_MIN_SNAPSHOTS 30
/* A contact without an impact value weighs this much in the session load, g. */
#define LOAD_IMPACT_DEFAULT_G 1.0

struct mean {
        double sum;
        unsigned n;
};

static void mean_add(struct mean *a, double v)
{
        if (isfinite(v)) {
                a->sum += v;
                a->n++;
        }
}

static double mean_get(const struct mean *a)
{
        return a->n ? a->sum / a->n : NAN;
}

/* Means over the gait snapshots of a stretch: a minute or the whole run. */
struct gait_means {
        unsigned snapshots;
        struct mean cadence, vertical_osc, stance[2], hip_ext[2], pelvic_drop[2], fatigue;
        struct mean excursion[GM_METRIC_COUNT]; /* SI − the pipeline's baseline, signed */
        double walking_s, running_s;
};

struct run {
        double t_start, t_last_gait, gait_s, walking_s, running_s;
        uint64_t steps;
        double load;
        struct gait_means all;
        double minute_t0; /* sample time the current minute started */
        uint64_t minute_steps;
        struct gait_means minute;
        double excursion_max[GM_METRIC_COUNT]; /* signed, the largest in size; NaN if none */
        double pelvic_rise_max[2];
        double fatigue_max;
        unsigned level_max;
        unsigned spiked; /* 1u << metric for each AsymmetrySpike of the run */
};

enum phase {
        PHASE_IDLE,
        PHASE_CANDIDATE, /* gait, not yet long enough to be a run */
        PHASE_RUN,
};

struct gm_session {
        struct gm_session_cfg cfg;
        struct gm_fatigue *fatigue;
        enum phase phase;
        struct run run;
        double t_last; /* last snapshot (or end) time, NaN before */
        uint64_t steps_prev;
        bool have_steps, last_gait;
        struct gm_session_event *queue;
        size_t cap, head, n;
        size_t per_push_max; /* events one push may queue at most */
};

static size_t per_push_max(double idle_timeout_s)
{
        /* Ending a run queues the minutes up to its end (at most one idle timeout's worth),
         * the partial one and RUN_END; a gait snapshot adds RUN_START, minutes, an alert. */
        return (size_t)ceil(idle_timeout_s / MINUTE_S) + 8;
}

static bool idle_timeout_ok(double idle_timeout_s)
{
        return idle_timeout_s >= 1 && idle_timeout_s <= 24 * 3600.0;
}

void gm_session_cfg_default(struct gm_session_cfg *cfg)
{
        cfg->start_s = 20;
        cfg->idle_timeout_s = 120;
        gm_fatigue_cfg_default(&cfg->fatigue);
}

struct gm_session *gm_session_new(const struct gm_session_cfg *cfg)
{
        if (!cfg || !(cfg->start_s >= 1 && cfg->start_s <= MINUTE_S) || !idle_timeout_ok(cfg->idle_timeout_s)) {
                errno = EINVAL;
                return NULL;
        }
        struct gm_session *s = calloc(1, sizeof(*s));
        if (!s)
                return NULL;
        s->cfg = *cfg;
        s->fatigue = gm_fatigue_new(&cfg->fatigue);
        s->per_push_max = per_push_max(cfg->idle_timeout_s);
        s->cap = 4 * s->per_push_max + 64;
        s->queue = s->fatigue ? calloc(s->cap, sizeof(*s->queue)) : NULL;
        if (!s->queue) {
                int e = errno;
                gm_session_free(s);
                errno = e;
                return NULL;
        }
        s->t_last = NAN;
        s->phase = PHASE_IDLE;
        return s;
}

void gm_session_free(struct gm_session *s)
{
        if (!s)
                return;
        gm_fatigue_free(s->fatigue);
        free(s->queue);
        free(s);
}

int gm_session_set_limits(struct gm_session *s, double idle_timeout_s, double fatigue_threshold)
{
        if (!s || !idle_timeout_ok(idle_timeout_s))
                return -EINVAL;
        struct gm_fatigue_cfg fc = s->cfg.fatigue;
        fc.threshold = fatigue_threshold;
        size_t push_max = per_push_max(idle_timeout_s), cap = 4 * push_max + 64;
        /* A longer idle time may queue more at once: a larger queue is made before anything
         * changes, so a failure leaves the session as it was. */
        struct gm_session_event *q = NULL;
        if (cap > s->cap && !(q = calloc(cap, sizeof(*q))))
                return -ENOMEM;
        if (gm_fatigue_set_threshold(s->fatigue, fatigue_threshold) < 0) {
                free(q);
                return -EINVAL;
        }
        if (q) {
                /* The waiting events move over in order. */
                for (size_t i = 0; i < s->n; i++)
                        q[i] = s->queue[(s->head + i) % s->cap];
                free(s->queue);
                s->queue = q;
                s->cap = cap;
                s->head = 0;
        }
        s->cfg.fatigue = fc;
        s->cfg.idle_timeout_s = idle_timeout_s;
        s->per_push_max = push_max;
        return 0;
}

static struct gm_session_event *enqueue(struct gm_session *s, enum gm_session_event_kind kind, double t)
{
        /* Space was checked before the push consumed anything. */
        struct gm_session_event *ev = &s->queue[(s->head + s->n) % s->cap];
        s->n++;
        memset(ev, 0, sizeof(*ev));
        ev->kind = kind;
        ev->t = t;
        return ev;
}

int gm_session_next_event(struct gm_session *s, struct gm_session_event *ev)
{
        if (!s || !ev || s->n == 0)
                return 0;
        *ev = s->queue[s->head];
        s->head = (s->head + 1) % s->cap;
        s->n--;
        return 1;
}

static void run_begin(struct gm_session *s, double t)
{
        struct run *r = &s->run;
        memset(r, 0, sizeof(*r));
        r->t_start = t;
        r->t_last_gait = t;
        r->minute_t0 = t;
        for (int k = 0; k < GM_METRIC_COUNT; k++)
                r->excursion_max[k] = NAN;
        r->pelvic_rise_max[0] = r->pelvic_rise_max[1] = NAN;
        r->fatigue_max = NAN; /* unknown until the fatigue baseline is learned */
        gm_fatigue_reset(s->fatigue);
        s->phase = PHASE_CANDIDATE;
}

static void means_add(struct gait_means *g, const struct gm_metrics *m, double fatigue)
{
        g->snapshots++;
        mean_add(&g->cadence, m->cadence_spm);
        mean_add(&g->vertical_osc, m->vertical_osc_cm);
        for (int side = 0; side < 2; side++) {
                mean_add(&g->stance[side], m->value[GM_METRIC_STANCE][side]);
                mean_add(&g->hip_ext[side], m->value[GM_METRIC_HIP_EXT][side]);
                mean_add(&g->pelvic_drop[side], m->value[GM_METRIC_PELVIC_DROP][side]);
        }
        for (int k = 0; k < GM_METRIC_COUNT; k++)
                mean_add(&g->excursion[k], m->si[k] - m->si_baseline[k]);
        mean_add(&g->fatigue, fatigue);
}

/* Keep the signed value of the larger size. */
static void keep_larger(double *max, double v)
{
        if (isfinite(v) && !(fabs(v) <= fabs(*max)))
                *max = v;
}

static void emit_minute(struct gm_session *s, double length)
{
        struct run *r = &s->run;
        const struct gait_means *g = &r->minute;
        struct gm_session_event *ev = enqueue(s, GM_SESSION_MINUTE, r->minute_t0 + length);
        struct gm_run_minute *mn = &ev->minute;
        mn->t_s = r->minute_t0 - r->t_start;
        mn->length_s = length;
        mn->steps = r->minute_steps;
        mn->cadence_spm = mean_get(&g->cadence);
        mn->vertical_osc_cm = mean_get(&g->vertical_osc);
        for (int side = 0; side < 2; side++) {
                mn->stance_ms[side] = 1000.0 * mean_get(&g->stance[side]);
                mn->hip_ext_deg[side] = mean_get(&g->hip_ext[side]);
                mn->pelvic_drop_deg[side] = mean_get(&g->pelvic_drop[side]);
        }
        mn->asym_max_pct = NAN;
        for (int k = 0; k < GM_METRIC_COUNT; k++) {
                double e = mean_get(&g->excursion[k]);
                if (isfinite(e) && !(fabs(e) <= mn->asym_max_pct))
                        mn->asym_max_pct = fabs(e);
                if (g->snapshots >= SUSTAINED_MIN_SNAPSHOTS)
                        keep_larger(&r->excursion_max[k], e);
        }
        mn->fatigue = mean_get(&g->fatigue);
        mn->activity = !(g->walking_s + g->running_s > 0) ? GM_ACTIVITY_IDLE
                       : g->running_s >= g->walking_s     ? GM_ACTIVITY_RUNNING
                                                          : GM_ACTIVITY_WALKING;
        memset(&r->minute, 0, sizeof(r->minute));
        r->minute_steps = 0;
}

/* Emit every full minute that ended before t. A snapshot at a minute's very end is that
 * minute's: were it the run's last, the steps it brings would go into no minute. */
static void roll_minutes(struct gm_session *s, double t)
{
        while (t > s->run.minute_t0 + MINUTE_S) {
                emit_minute(s, MINUTE_S);
                s->run.minute_t0 += MINUTE_S;
        }
}

static void fill_summary(const struct gm_session *s, double t_end, struct gm_run_summary *sum)
{
        const struct run *r = &s->run;
        const struct gait_means *g = &r->all;
        sum->duration_s = t_end - r->t_start;
        sum->activity = r->running_s >= r->walking_s ? GM_ACTIVITY_RUNNING : GM_ACTIVITY_WALKING;
        sum->steps = r->steps;
        sum->cadence_spm = mean_get(&g->cadence);
        sum->vertical_osc_cm = mean_get(&g->vertical_osc);
        for (int side = 0; side < 2; side++) {
                sum->stance_ms[side] = 1000.0 * mean_get(&g->stance[side]);
                sum->hip_ext_deg[side] = mean_get(&g->hip_ext[side]);
                sum->pelvic_drop_deg[side] = mean_get(&g->pelvic_drop[side]);
                sum->pelvic_drop_rise_deg[side] = r->pelvic_rise_max[side];
        }
        /* The metrics the runner was alerted to come first: a noisy one's wandering minute
         * means are no finding. */
        sum->asym_max_pct = NAN;
        for (int pass = 0; pass < 2 && isnan(sum->asym_max_pct); pass++)
                for (int k = 0; k < GM_METRIC_COUNT; k++) {
                        double e = fabs(r->excursion_max[k]);
                        if (pass == 0 && !(r->spiked & (1u << k)))
                                continue;
                        if (isfinite(e) && !(e <= sum->asym_max_pct)) {
                                sum->asym_max_pct = e;
                                strncpy(sum->asym_metric, gm_metric_name(k), sizeof(sum->asym_metric) - 1);
                                sum->asym_alerted = pass == 0;
                        }
                }
        sum->hip_ext_asym_pct = r->excursion_max[GM_METRIC_HIP_EXT];
        sum->pelvic_drop_asym_pct = r->excursion_max[GM_METRIC_PELVIC_DROP];
        sum->fatigue_max = r->fatigue_max;
        sum->fatigue_level_max = r->level_max;
        sum->load = r->load;
}

static void end_run(struct gm_session *s, double t_end)
{
        roll_minutes(s, t_end);
        if (t_end > s->run.minute_t0)
                emit_minute(s, t_end - s->run.minute_t0);
        struct gm_session_event *ev = enqueue(s, GM_SESSION_RUN_END, t_end);
        fill_summary(s, t_end, &ev->summary);
        gm_fatigue_reset(s->fatigue);
        s->phase = PHASE_IDLE;
}

/* A gait snapshot of a run (or of gait that may become one). */
static void add_gait(struct gm_session *s, const struct gm_metrics *m)
{
        struct run *r = &s->run;
        double dt = s->last_gait ? fmin(m->t - r->t_last_gait, GAIT_DT_MAX) : 0;
        r->gait_s += dt;
        if (m->activity == GM_ACTIVITY_RUNNING) {
                r->running_s += dt;
                r->minute.running_s += dt;
        } else {
                r->walking_s += dt;
                r->minute.walking_s += dt;
        }
        r->t_last_gait = m->t;

        struct gm_fatigue_alert alert;
        int raised = gm_fatigue_push(s->fatigue, m, &alert);
        double score = NAN; /* unknown before the baseline: the minute's mean leaves it out */
        if (gm_fatigue_baseline_ready(s->fatigue)) {
                struct gm_fatigue_alert now;
                struct gm_fatigue_values base, cur;
                gm_fatigue_current(s->fatigue, &now);
                score = now.score;
                r->fatigue_max = fmax(r->fatigue_max, now.score);
                if (now.level > r->level_max)
                        r->level_max = now.level;
                gm_fatigue_baseline(s->fatigue, &base);
                gm_fatigue_values_now(s->fatigue, &cur);
                for (int side = 0; side < 2; side++) {
                        double rise = cur.pelvic_drop_deg[side] - base.pelvic_drop_deg[side];
                        if (isfinite(rise) && !(rise <= r->pelvic_rise_max[side]))
                                r->pelvic_rise_max[side] = rise;
                }
        }
        means_add(&r->minute, m, score);
        means_add(&r->all, m, score);
        if (raised == 1 && s->phase == PHASE_RUN)
                enqueue(s, GM_SESSION_FATIGUE_ALERT, m->t)->alert = alert;
}

int gm_session_push_metrics(struct gm_session *s, const struct gm_metrics *m)
{
        if (!s || !m || !isfinite(m->t) || m->t < s->t_last)
                return -EINVAL;
        if (s->cap - s->n < s->per_push_max)
                return -ENOBUFS;
        const double t = m->t;
        const bool gait = m->activity == GM_ACTIVITY_WALKING || m->activity == GM_ACTIVITY_RUNNING;
        /* A new pipeline counts from 0 again: no steps are invented then. */
        uint64_t steps = s->have_steps && m->steps >= s->steps_prev ? m->steps - s->steps_prev : 0;

        if (s->phase == PHASE_RUN && t - s->run.t_last_gait >= s->cfg.idle_timeout_s)
                end_run(s, s->run.t_last_gait);
        if (s->phase == PHASE_CANDIDATE && !gait)
                s->phase = PHASE_IDLE;
        if (gait && s->phase == PHASE_IDLE) {
                run_begin(s, t);
                s->last_gait = false;
        }
        if (gait && s->phase == PHASE_CANDIDATE && t - s->run.t_start >= s->cfg.start_s) {
                s->phase = PHASE_RUN;
                enqueue(s, GM_SESSION_RUN_START, s->run.t_start);
        }
        if (gait && s->phase == PHASE_RUN)
                roll_minutes(s, t);
        if (s->phase != PHASE_IDLE) {
                s->run.steps += steps;
                s->run.minute_steps += steps;
        }
        if (gait)
                add_gait(s, m);

        s->last_gait = gait;
        s->t_last = t;
        s->steps_prev = m->steps;
        s->have_steps = true;
        return 0;
}

int gm_session_push_stride(struct gm_session *s, const struct gm_stride *st)
{
        if (!s || !st || !isfinite(st->t_ic))
                return -EINVAL;
        if (s->phase != PHASE_IDLE && st->t_ic >= s->run.t_start)
                s->run.load += isfinite(st->impact_g) && st->impact_g > 0 ? st->impact_g : LOAD_IMPACT_DEFAULT_G;
        return 0;
}

int gm_session_push_spike(struct gm_session *s, const struct gm_spike *sp)
{
        if (!s || !sp || sp->metric >= GM_METRIC_COUNT || !isfinite(sp->t_detect))
                return -EINVAL;
        if (s->phase != PHASE_IDLE && sp->t_onset >= s->run.t_start) {
                keep_larger(&s->run.excursion_max[sp->metric], sp->si - sp->baseline);
                s->run.spiked |= 1u << sp->metric;
        }
        return 0;
}

int gm_session_end(struct gm_session *s, double t)
{
        if (!s || !isfinite(t) || t < s->t_last)
                return -EINVAL;
        if (s->phase == PHASE_CANDIDATE)
                s->phase = PHASE_IDLE;
        if (s->phase != PHASE_RUN)
                return 0;
        if (s->cap - s->n < s->per_push_max)
                return -ENOBUFS;
        end_run(s, s->last_gait ? t : s->run.t_last_gait);
        s->t_last = t;
        s->last_gait = false;
        return 1;
}

void gm_session_current(const struct gm_session *s, struct gm_session_state *out)
{
        memset(out, 0, sizeof(*out));
        out->t_start = NAN;
        if (s->phase != PHASE_RUN)
                return;
        out->in_run = true;
        out->t_start = s->run.t_start;
        out->gait_s = s->run.gait_s;
        out->duration_s = s->run.t_last_gait - s->run.t_start;
        out->steps = s->run.steps;
        out->fatigue_ready = gm_fatigue_baseline_ready(s->fatigue);
        gm_fatigue_current(s->fatigue, &out->fatigue);
}
