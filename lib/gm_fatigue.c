/* Fatigue score from the drift of the gait metrics away from the runner's baseline. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gm_fatigue.h"

/* The tracked values as one flat array, so baseline and smoothing treat them alike. */
enum {
        V_CADENCE,
        V_STANCE_L,
        V_STANCE_R,
        V_HIP_L,
        V_HIP_R,
        V_PELVIC_L,
        V_PELVIC_R,
        V_SI, /* GM_METRIC_COUNT values follow */
        V_COUNT = V_SI + GM_METRIC_COUNT,
};

/* A baseline value needs this many snapshots (seconds of gait) to count. */
#define BASELINE_MIN_SAMPLES 10
/* One snapshot stands for at most this much time in the smoothing, so a pause does not
 * make the first value after it jump. */
#define SMOOTH_DT_MAX 2.0
/* A factor is named as a reason from half its meaningful change on, or, once a level is
 * reached, when it is at least half the largest one: an alert from several small drifts
 * still names them. */
#define REASON_MIN_SHARE 0.25
#define REASON_OF_LARGEST 0.5
/* After a stop, a walk or a gap the run goes on at whatever pace the runner picks: the drift
 * is measured again from the values of this much steady gait after it, with what had
 * drifted before carried over. */
#define SEGMENT_LEARN_S 60

/* Per activity: walking and running are different gaits, each has its own baseline. */
struct activity_base {
        double gait_s; /* steady gait of this activity so far */
        double sum[V_COUNT];
        unsigned n[V_COUNT];
        double v[V_COUNT]; /* NaN until ready */
        bool ready;
        /* Since the last break in this gait: drift = carried + now - seg_base. */
        bool broken;     /* a break since the last steady snapshot */
        bool in_segment; /* a break happened once the baseline was ready */
        double seg_s, seg_sum[V_COUNT];
        unsigned seg_n[V_COUNT];
        double seg_base[V_COUNT]; /* NaN while being learned */
        double carried[V_COUNT];  /* drift before the segment */
        double last_now[V_COUNT]; /* the smoothed values at the last steady snapshot */
};

struct gm_fatigue {
        struct gm_fatigue_cfg cfg;
        struct activity_base ab[2]; /* [0] walking, [1] running */
        int act;                    /* activity of the smoothed values, -1 none */
        double *base;               /* ab[act].v */
        bool base_ready;            /* ab[act].ready */
        double now[V_COUNT];        /* smoothed, NaN until a first value */
        double ref[V_COUNT];        /* what now is compared with: the baseline less what
                                           drifted before the current segment */
        double t_last;              /* NaN before the first push */
        double share[GM_FATIGUE_FACTOR_COUNT];
        double score;
        unsigned level;         /* with hysteresis */
        unsigned alerted_level; /* last level alerted and not since fallen below */
        unsigned last_alert_level;
        double t_last_alert;
};

void gm_fatigue_cfg_default(struct gm_fatigue_cfg *cfg)
{
        *cfg = (struct gm_fatigue_cfg){
                .baseline_from_s = 60,
                .baseline_to_s = 300,
                .smooth_s = 30,
                .threshold = 0.5,
                .hysteresis = 0.1,
                .realert_s = 300,
        };
}

static bool cfg_valid(const struct gm_fatigue_cfg *c)
{
        return isfinite(c->baseline_from_s) && c->baseline_from_s >= 0 && isfinite(c->baseline_to_s) &&
               c->baseline_to_s >= c->baseline_from_s + BASELINE_MIN_SAMPLES && isfinite(c->smooth_s) &&
               c->smooth_s > 0 && c->threshold > 0 && c->threshold < 1 && c->hysteresis >= 0 &&
               c->hysteresis < c->threshold && isfinite(c->realert_s) && c->realert_s >= 0;
}

struct gm_fatigue *gm_fatigue_new(const struct gm_fatigue_cfg *cfg)
{
        if (!cfg || !cfg_valid(cfg)) {
                errno = EINVAL;
                return NULL;
        }
        struct gm_fatigue *f = calloc(1, sizeof(*f));
        if (!f)
                return NULL;
        f->cfg = *cfg;
        gm_fatigue_reset(f);
        return f;
}

void gm_fatigue_free(struct gm_fatigue *f)
{
        free(f);
}

int gm_fatigue_set_threshold(struct gm_fatigue *f, double threshold)
{
        if (!f)
                return -EINVAL;
        struct gm_fatigue_cfg c = f->cfg;
        c.threshold = threshold;
        if (!cfg_valid(&c))
                return -EINVAL;
        f->cfg = c;
        return 0;
}

void gm_fatigue_reset(struct gm_fatigue *f)
{
        for (int k = 0; k < 2; k++) {
                struct activity_base *b = &f->ab[k];
                b->gait_s = 0;
                b->ready = false;
                b->broken = b->in_segment = false;
                for (int i = 0; i < V_COUNT; i++) {
                        b->sum[i] = 0;
                        b->n[i] = 0;
                        b->v[i] = NAN;
                        b->carried[i] = 0;
                        b->seg_base[i] = NAN;
                        b->last_now[i] = NAN;
                }
        }
        f->act = 1;
        f->base = f->ab[1].v;
        for (int i = 0; i < V_COUNT; i++)
                f->now[i] = f->ref[i] = NAN;
        for (int i = 0; i < GM_FATIGUE_FACTOR_COUNT; i++)
                f->share[i] = 0;
        f->base_ready = false;
        f->t_last = NAN;
        f->score = 0;
        f->level = 0;
        f->alerted_level = 0;
        f->last_alert_level = 0;
        f->t_last_alert = NAN;
}

double gm_fatigue_level_score(double threshold, unsigned level)
{
        switch (level) {
        case 1:
                return threshold;
        case 2:
                return threshold + (1 - threshold) * 0.5;
        case 3:
                return threshold + (1 - threshold) * 0.8;
        default:
                return level == 0 ? 0 : INFINITY;
        }
}

static void snapshot_values(const struct gm_metrics *m, double v[V_COUNT])
{
        v[V_CADENCE] = m->cadence_spm;
        for (int s = 0; s < 2; s++) {
                v[V_STANCE_L + s] = m->value[GM_METRIC_STANCE][s];
                v[V_HIP_L + s] = m->value[GM_METRIC_HIP_EXT][s];
                v[V_PELVIC_L + s] = m->value[GM_METRIC_PELVIC_DROP][s];
        }
        for (int k = 0; k < GM_METRIC_COUNT; k++)
                v[V_SI + k] = m->si[k];
}

static void values_out(const double v[V_COUNT], struct gm_fatigue_values *out)
{
        out->cadence_spm = v[V_CADENCE];
        for (int s = 0; s < 2; s++) {
                out->stance_s[s] = v[V_STANCE_L + s];
                out->hip_ext_deg[s] = v[V_HIP_L + s];
                out->pelvic_drop_deg[s] = v[V_PELVIC_L + s];
        }
        for (int k = 0; k < GM_METRIC_COUNT; k++)
                out->si[k] = v[V_SI + k];
}

static double share_of(double drift, double ref)
{
        if (!isfinite(drift) || drift <= 0)
                return 0;
        return fmin(1.0, 0.5 * drift / ref);
}

/* Drift of a per-side value in its bad direction (sign +1: up is bad), per side. */
static void side_drift(const struct gm_fatigue *f, int v_left, double sign, bool relative, double drift[2])
{
        for (int s = 0; s < 2; s++) {
                double b = f->ref[v_left + s], c = f->now[v_left + s];
                drift[s] = sign * (c - b);
                if (relative)
                        drift[s] = b > 0 ? 100.0 * drift[s] / b : NAN;
        }
}

/* Fatigue tires both legs: the drift both sides share. One side alone drifting is
 * compensation, reported as asymmetry and not counted again here. */
static double both_sides(const double drift[2])
{
        if (isfinite(drift[0]) && isfinite(drift[1]))
                return fmin(drift[0], drift[1]);
        return NAN;
}

static void update_score(struct gm_fatigue *f)
{
        double d[2];
        f->share[GM_FATIGUE_CADENCE] = share_of(100.0 * (f->ref[V_CADENCE] - f->now[V_CADENCE]) / f->ref[V_CADENCE],
                                                GM_FATIGUE_REF_CADENCE_PCT);
        side_drift(f, V_STANCE_L, +1, true, d);
        f->share[GM_FATIGUE_STANCE] = share_of(both_sides(d), GM_FATIGUE_REF_STANCE_PCT);
        side_drift(f, V_HIP_L, -1, false, d);
        f->share[GM_FATIGUE_HIP_EXT] = share_of(both_sides(d), GM_FATIGUE_REF_HIP_EXT_DEG);
        side_drift(f, V_PELVIC_L, +1, false, d);
        f->share[GM_FATIGUE_PELVIC_DROP] = share_of(both_sides(d), GM_FATIGUE_REF_PELVIC_DEG);

        double fresh = 1;
        for (int i = 0; i < GM_FATIGUE_FACTOR_COUNT; i++)
                fresh *= 1 - f->share[i];
        f->score = 1 - fresh;
}

static void update_level(struct gm_fatigue *f)
{
        const double thr = f->cfg.threshold;
        while (f->level < 3 && f->score >= gm_fatigue_level_score(thr, f->level + 1))
                f->level++;
        while (f->level > 0 && f->score < gm_fatigue_level_score(thr, f->level) - f->cfg.hysteresis)
                f->level--;
        if (f->alerted_level > f->level)
                f->alerted_level = f->level; /* fell back: the level may alert again */
}

static void learn_baseline(struct gm_fatigue *f, const double v[V_COUNT])
{
        struct activity_base *b = &f->ab[f->act];
        if (b->ready || b->gait_s < f->cfg.baseline_from_s)
                return;
        if (b->gait_s < f->cfg.baseline_to_s) {
                for (int i = 0; i < V_COUNT; i++)
                        if (isfinite(v[i])) {
                                b->sum[i] += v[i];
                                b->n[i]++;
                        }
                return;
        }
        for (int i = 0; i < V_COUNT; i++)
                b->v[i] = b->n[i] >= BASELINE_MIN_SAMPLES ? b->sum[i] / b->n[i] : NAN;
        b->ready = true;
        f->base_ready = true;
}

static void smooth(struct gm_fatigue *f, const double v[V_COUNT], double t)
{
        double dt = isfinite(f->t_last) ? fmin(t - f->t_last, SMOOTH_DT_MAX) : SMOOTH_DT_MAX;
        double alpha = 1 - exp(-dt / f->cfg.smooth_s);
        for (int i = 0; i < V_COUNT; i++) {
                if (!isfinite(v[i]))
                        continue;
                f->now[i] = isfinite(f->now[i]) ? f->now[i] + alpha * (v[i] - f->now[i]) : v[i];
        }
        f->t_last = t;
}

/* A break ends a segment: what drifted in it is carried, the next one is learned afresh. */
static void start_segment(struct activity_base *b)
{
        for (int i = 0; i < V_COUNT; i++) {
                double from = b->in_segment ? b->seg_base[i] : b->v[i];
                if (isfinite(from) && isfinite(b->last_now[i]))
                        b->carried[i] += b->last_now[i] - from;
                b->seg_sum[i] = 0;
                b->seg_n[i] = 0;
                b->seg_base[i] = NAN;
        }
        b->seg_s = 0;
        b->in_segment = true;
        b->broken = false;
}

/* The values now are compared with: the baseline in the first segment; the segment's own
 * start less what drifted before it after a break (until that start is learned, the drift
 * stays what it was). */
static void update_ref(struct gm_fatigue *f, const double v[V_COUNT], double dt)
{
        struct activity_base *b = &f->ab[f->act];
        if (!b->in_segment) {
                memcpy(f->ref, b->v, sizeof(f->ref));
                return;
        }
        if (b->seg_s < SEGMENT_LEARN_S) {
                b->seg_s += dt;
                for (int i = 0; i < V_COUNT; i++)
                        if (isfinite(v[i])) {
                                b->seg_sum[i] += v[i];
                                b->seg_n[i]++;
                        }
                if (b->seg_s >= SEGMENT_LEARN_S)
                        for (int i = 0; i < V_COUNT; i++)
                                b->seg_base[i] = b->seg_n[i] >= BASELINE_MIN_SAMPLES ? b->seg_sum[i] / b->seg_n[i]
                                                                                     : NAN;
        }
        for (int i = 0; i < V_COUNT; i++) {
                double start = isfinite(b->seg_base[i]) ? b->seg_base[i] : f->now[i];
                f->ref[i] = start - b->carried[i];
        }
}

int gm_fatigue_push(struct gm_fatigue *f, const struct gm_metrics *m, struct gm_fatigue_alert *alert)
{
        if (!f || !m || !isfinite(m->t) || (isfinite(f->t_last) && m->t < f->t_last))
                return -EINVAL;
        /* Only steady gait counts, and only against the baseline of its own activity: a
         * cool-down walk is not a tired run, a transition or a gap is not a drift. */
        int act = m->activity == GM_ACTIVITY_RUNNING ? 1 : m->activity == GM_ACTIVITY_WALKING ? 0 : -1;
        double dt = isfinite(f->t_last) ? fmin(m->t - f->t_last, SMOOTH_DT_MAX) : 0;
        if (act < 0 || !m->steady) {
                for (int k = 0; k < 2; k++)
                        f->ab[k].broken = true;
                f->t_last = m->t;
                return 0;
        }
        if (act != f->act) {
                f->act = act;
                f->base = f->ab[act].v;
                f->base_ready = f->ab[act].ready;
                for (int i = 0; i < V_COUNT; i++)
                        f->now[i] = NAN;
        }
        f->ab[act].gait_s += dt;
        double v[V_COUNT];
        snapshot_values(m, v);
        smooth(f, v, m->t);
        learn_baseline(f, v);
        struct activity_base *b = &f->ab[act];
        if (!f->base_ready) {
                b->broken = false; /* the baseline is what a first segment starts from */
                return 0;
        }
        if (b->broken)
                start_segment(b);
        update_ref(f, v, dt);
        memcpy(b->last_now, f->now, sizeof(b->last_now));
        update_score(f);
        update_level(f);
        if (f->level <= f->alerted_level)
                return 0;
        /* Rising above the last alert is news at once; the same level again only after a while. */
        if (f->level <= f->last_alert_level && isfinite(f->t_last_alert) && m->t - f->t_last_alert < f->cfg.realert_s)
                return 0;
        f->alerted_level = f->level;
        f->last_alert_level = f->level;
        f->t_last_alert = m->t;
        if (alert)
                gm_fatigue_current(f, alert);
        return 1;
}

bool gm_fatigue_baseline_ready(const struct gm_fatigue *f)
{
        return f->base_ready;
}

void gm_fatigue_baseline(const struct gm_fatigue *f, struct gm_fatigue_values *out)
{
        values_out(f->base, out);
}

void gm_fatigue_values_now(const struct gm_fatigue *f, struct gm_fatigue_values *out)
{
        values_out(f->now, out);
}

double gm_fatigue_factor(const struct gm_fatigue *f, enum gm_fatigue_factor factor)
{
        return factor < GM_FATIGUE_FACTOR_COUNT ? f->share[factor] : NAN;
}

static void reason_text(const struct gm_fatigue *f, enum gm_fatigue_factor factor, char *buf, size_t size)
{
        double d[2];
        switch (factor) {
        case GM_FATIGUE_CADENCE:
                snprintf(buf, size, "cadence down %.0f%% from baseline",
                         100.0 * (f->ref[V_CADENCE] - f->now[V_CADENCE]) / f->ref[V_CADENCE]);
                break;
        case GM_FATIGUE_STANCE:
                side_drift(f, V_STANCE_L, +1, true, d);
                snprintf(buf, size, "stance time up %.0f%% on both sides", both_sides(d));
                break;
        case GM_FATIGUE_HIP_EXT:
                side_drift(f, V_HIP_L, -1, false, d);
                snprintf(buf, size, "hip extension down %.0f° on both sides", both_sides(d));
                break;
        case GM_FATIGUE_PELVIC_DROP:
                side_drift(f, V_PELVIC_L, +1, false, d);
                snprintf(buf, size, "pelvic drop up %.0f° on both sides", both_sides(d));
                break;
        default:
                buf[0] = '\0';
        }
}

void gm_fatigue_current(const struct gm_fatigue *f, struct gm_fatigue_alert *out)
{
        memset(out, 0, sizeof(*out));
        out->level = f->level;
        out->score = f->score;
        if (!f->base_ready)
                return;
        /* Reasons from the largest share down. */
        bool used[GM_FATIGUE_FACTOR_COUNT] = { false };
        double largest = 0;
        for (int i = 0; i < GM_FATIGUE_FACTOR_COUNT; i++)
                largest = fmax(largest, f->share[i]);
        const double min_share = f->level > 0 ? fmin(REASON_MIN_SHARE, REASON_OF_LARGEST * largest) : REASON_MIN_SHARE;
        while (out->n_reasons < GM_FATIGUE_REASONS_MAX) {
                int best = -1;
                for (int i = 0; i < GM_FATIGUE_FACTOR_COUNT; i++)
                        if (!used[i] && f->share[i] > 0 && f->share[i] >= min_share &&
                            (best < 0 || f->share[i] > f->share[best]))
                                best = i;
                if (best < 0)
                        break;
                used[best] = true;
                reason_text(f, best, out->reasons[out->n_reasons], GM_FATIGUE_REASON_MAX);
                out->n_reasons++;
        }
}
