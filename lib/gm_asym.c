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
        double floor = 0;
        switch (m) {
        case GM_METRIC_HIP_EXT:
        case GM_METRIC_THIGH_EXT:
                floor = 10; /* deg: peak extension runs 0-20 deg */
                break;
        case GM_METRIC_PELVIC_DROP:
                floor = 3; /* deg: drop runs 2-8 deg */
                break;
        default:
                break;
        }
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

void gm_asym_init(struct gm_asym *a, const struct gm_pipeline_cfg *cfg)
{
        memset(a, 0, sizeof(*a));
        a->warmup_s = cfg->warmup_s;
        a->baseline_s = cfg->baseline_s;
        a->spike_si = cfg->spike_si;
        a->spike_strides = cfg->spike_strides;
        gm_asym_reset_baseline(a);
        a->base_start = a->warmup_s;
        for (int i = 0; i < GM_METRIC_COUNT; i++)
                a->m[i].si = NAN;
}

void gm_asym_reset_baseline(struct gm_asym *a)
{
        for (int i = 0; i < GM_METRIC_COUNT; i++) {
                struct gm_asym_metric *m = &a->m[i];
                m->base_sum = m->base_sq = 0;
                m->base_n = 0;
                m->base_mean = m->base_sd = NAN;
                m->out_run = 0;
                m->in_spike = false;
        }
        a->base_start = a->gait_s;
}

double gm_asym_recent(const struct gm_asym *a, enum gm_metric m, enum gm_side side)
{
        unsigned n = a->m[m].count[side];
        double v[GM_ASYM_RECENT];
        n = n < GM_ASYM_RECENT ? n : GM_ASYM_RECENT;
        memcpy(v, a->m[m].recent[side], n * sizeof(double));
        return gm_median(v, n);
}

bool gm_asym_baseline_ready(const struct gm_asym *a)
{
        for (int i = 0; i < GM_METRIC_COUNT; i++)
                if (isfinite(a->m[i].base_mean))
                        return true;
        return false;
}

bool gm_asym_stride(struct gm_asym *a, const struct gm_stride *st, struct gm_spike *spike)
{
        if (st->side > GM_SIDE_RIGHT)
                return false;
        a->gait_s += st->stride_s / 2;
        bool learning = a->gait_s >= a->base_start && a->gait_s < a->base_start + a->baseline_s;
        bool found = false;
        for (int i = 0; i < GM_METRIC_COUNT; i++) {
                struct gm_asym_metric *m = &a->m[i];
                double v = gm_stride_metric(st, i);
                if (!isfinite(v))
                        continue;
                m->recent[st->side][m->count[st->side]++ % GM_ASYM_RECENT] = v;
                double l = gm_asym_recent(a, i, GM_SIDE_LEFT), r = gm_asym_recent(a, i, GM_SIDE_RIGHT);
                m->si = gm_metric_si(i, l, r);
                if (!isfinite(m->si))
                        continue;
                if (learning) {
                        m->base_sum += m->si;
                        m->base_sq += m->si * m->si;
                        m->base_n++;
                        continue;
                }
                if (isnan(m->base_mean) && m->base_n >= 10 && a->gait_s >= a->base_start + a->baseline_s) {
                        m->base_mean = m->base_sum / m->base_n;
                        double var = m->base_sq / m->base_n - m->base_mean * m->base_mean;
                        m->base_sd = sqrt(var > 0 ? var : 0);
                }
                if (isnan(m->base_mean))
                        continue;
                double thr = fmax(a->spike_si, BASE_SD_FACTOR * m->base_sd);
                double dev = fabs(m->si - m->base_mean);
                if (dev > thr) {
                        if (m->out_run++ == 0)
                                m->out_since = st->t_ic;
                        if (m->out_run >= a->spike_strides && !m->in_spike && !found) {
                                m->in_spike = true;
                                *spike = (struct gm_spike){
                                        .metric = i,
                                        .t_onset = m->out_since,
                                        .t_detect = st->t_next_ic,
                                        .si = m->si,
                                        .baseline = m->base_mean,
                                };
                                found = true;
                        }
                } else {
                        m->out_run = 0;
                        if (dev < thr / 2)
                                m->in_spike = false;
                }
        }
        return found;
}
