/* Asymmetry: SI of per-side running medians against a baseline learned after warm-up.
 * A spike needs several strides in a row beyond the threshold, so one odd stride is not one. */
#include <math.h>
#include <string.h>

#include "gm_asym.h"
#include "gm_stats.h"

#define BASE_SD_FACTOR 5.0 /* threshold also scales with the runner's own variability */

double gm_si(double left, double right)
{
        double mean = (left + right) / 2;
        if (!isfinite(left) || !isfinite(right) || !(fabs(mean) > 1e-9))
                return NAN;
        return 100.0 * (left - right) / mean;
}

double gm_metric_si(enum gm_metric m, double left, double right)
{
        const struct gm_metric_info *info = gm_metric_info(m);
        double floor = info ? info->si_floor : 0;
        double mean = (left + right) / 2;
        if (!isfinite(left) || !isfinite(right))
                return NAN;
        if (fabs(mean) < floor)
                mean = floor;
        if (!(fabs(mean) > 1e-9))
                return NAN;
        double si = 100.0 * (left - right) / fabs(mean);
        return fabs(si) <= 200 ? si : NAN;
}

void gm_asym_init(struct gm_asym *a, double warmup_s, double baseline_s, double spike_si, unsigned spike_strides,
                  double rate_hz)
{
        memset(a, 0, sizeof(*a));
        a->warmup_s = warmup_s;
        a->baseline_s = baseline_s;
        a->spike_si = spike_si;
        a->spike_strides = spike_strides;
        a->rate_hz = rate_hz;
        a->activity = -1;
        a->t_last = -INFINITY;
        gm_asym_reset_baseline(a);
        for (int k = 0; k < 2; k++)
                a->base_start[k] = a->warmup_s;
        for (int i = 0; i < GM_METRIC_COUNT; i++)
                a->m[i].si = NAN;
}

void gm_asym_reset_baseline(struct gm_asym *a)
{
        for (int i = 0; i < GM_METRIC_COUNT; i++) {
                struct gm_asym_metric *m = &a->m[i];
                for (int k = 0; k < 2; k++)
                        m->base[k] = (struct gm_asym_base){ .mean = NAN, .sd = NAN };
                m->out_run = 0;
                m->in_spike = false;
                m->last_spike_gait_s = -INFINITY;
        }
        for (int k = 0; k < 2; k++)
                a->base_start[k] = a->gait_s[k];
}

double gm_asym_recent(const struct gm_asym *a, enum gm_metric m, enum gm_side side)
{
        const struct gm_asym_metric *am = &a->m[m];
        unsigned n = am->count[side] < GM_ASYM_RECENT ? am->count[side] : GM_ASYM_RECENT, k = 0;
        double v[GM_ASYM_RECENT];
        for (unsigned i = 0; i < n; i++)
                if (am->recent_t[side][i] >= a->t_last - GM_ASYM_FRESH_S)
                        v[k++] = am->recent[side][i];
        return gm_median(v, k);
}

double gm_asym_baseline(const struct gm_asym *a, enum gm_metric m)
{
        return a->activity >= 0 ? a->m[m].base[a->activity].mean : NAN;
}

bool gm_asym_baseline_ready(const struct gm_asym *a)
{
        if (a->activity < 0)
                return false;
        for (int i = 0; i < GM_METRIC_COUNT; i++)
                if (isfinite(a->m[i].base[a->activity].mean))
                        return true;
        return false;
}

bool gm_asym_stride(struct gm_asym *a, const struct gm_stride *st, struct gm_spike *spike)
{
        if (st->side > GM_SIDE_RIGHT || !st->steady ||
            (st->activity != GM_ACTIVITY_WALKING && st->activity != GM_ACTIVITY_RUNNING))
                return false;
        int act = st->activity == GM_ACTIVITY_RUNNING;
        if (act != a->activity) {
                /* Another gait: what the sides did in the last one is no comparison. */
                for (int i = 0; i < GM_METRIC_COUNT; i++) {
                        a->m[i].count[0] = a->m[i].count[1] = 0;
                        a->m[i].out_run = 0;
                        a->m[i].si = NAN;
                }
                a->activity = act;
        }
        a->t_last = st->t_next_ic;
        a->gait_s[act] += st->stride_s / 2;
        double gait_s = a->gait_s[act];
        bool learning = gait_s >= a->base_start[act] && gait_s < a->base_start[act] + a->baseline_s;
        bool found = false;
        for (int i = 0; i < GM_METRIC_COUNT; i++) {
                struct gm_asym_metric *m = &a->m[i];
                struct gm_asym_base *b = &m->base[act];
                const struct gm_metric_info *info = gm_metric_info(i);
                double v = gm_stride_metric(st, i);
                if (!isfinite(v) || a->rate_hz < info->min_rate_hz)
                        continue;
                unsigned slot = m->count[st->side]++ % GM_ASYM_RECENT;
                m->recent[st->side][slot] = v;
                m->recent_t[st->side][slot] = st->t_next_ic;
                double l = gm_asym_recent(a, i, GM_SIDE_LEFT), r = gm_asym_recent(a, i, GM_SIDE_RIGHT);
                m->si = gm_metric_si(i, l, r);
                if (!isfinite(m->si))
                        continue;
                if (learning) {
                        b->sum += m->si;
                        b->sq += m->si * m->si;
                        b->n++;
                        continue;
                }
                if (isnan(b->mean) && b->n >= 10 && gait_s >= a->base_start[act] + a->baseline_s) {
                        b->mean = b->sum / b->n;
                        double var = b->sq / b->n - b->mean * b->mean;
                        b->sd = sqrt(var > 0 ? var : 0);
                }
                if (isnan(b->mean))
                        continue;
                double thr = fmax(fmax(a->spike_si, info->spike_si_min), BASE_SD_FACTOR * b->sd);
                double dev = fabs(m->si - b->mean);
                if (dev > thr) {
                        if (m->out_run++ == 0)
                                m->out_since = st->t_ic;
                        /* One excursion is one report; the same metric again only after a
                         * while of gait, so a value wavering at the threshold does not nag. */
                        if (m->out_run >= a->spike_strides && !m->in_spike && !found &&
                            gait_s - m->last_spike_gait_s >= GM_ASYM_REFIRE_S) {
                                m->in_spike = true;
                                m->last_spike_gait_s = gait_s;
                                *spike = (struct gm_spike){
                                        .metric = i,
                                        .t_onset = m->out_since,
                                        .t_detect = st->t_next_ic,
                                        .si = m->si,
                                        .baseline = b->mean,
                                };
                                found = true;
                        }
                        m->back_run = 0;
                } else {
                        m->out_run = 0;
                        /* Back for good, not a dip: many strides near the baseline. */
                        m->back_run = dev < thr / 2 ? m->back_run + 1 : 0;
                        if (m->back_run >= GM_ASYM_REARM_STRIDES)
                                m->in_spike = false;
                }
        }
        return found;
}
