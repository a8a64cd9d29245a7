/* The fatigue score on hand-made snapshots: baseline window, each factor, levels, hysteresis. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "gm_fatigue.h"

/* A steady runner: 170 steps/min, stance 250 ms, hip extension 20°, pelvic drop 6°. */
static struct gm_metrics snapshot(double t, double cadence)
{
        struct gm_metrics m = { .t = t, .activity = GM_ACTIVITY_RUNNING, .cadence_spm = cadence, .steady = true };
        for (int k = 0; k < GM_METRIC_COUNT; k++) {
                m.value[k][0] = m.value[k][1] = NAN;
                m.si[k] = 0;
                m.si_baseline[k] = 0;
        }
        for (int s = 0; s < 2; s++) {
                m.value[GM_METRIC_STANCE][s] = 0.250;
                m.value[GM_METRIC_HIP_EXT][s] = 20;
                m.value[GM_METRIC_PELVIC_DROP][s] = 6;
        }
        return m;
}

static struct gm_fatigue *fatigue_new(void)
{
        struct gm_fatigue_cfg cfg;
        gm_fatigue_cfg_default(&cfg);
        struct gm_fatigue *f = gm_fatigue_new(&cfg);
        cr_assert_not_null(f);
        return f;
}

/* Push one snapshot a second from t0 to t1 (gait time = t), cadence from a function. */
static unsigned push_span(struct gm_fatigue *f, double t0, double t1, double (*cadence)(double),
                          void (*edit)(struct gm_metrics *), struct gm_fatigue_alert *alerts, unsigned max_alerts,
                          double *t_alerts)
{
        unsigned n = 0;
        for (double t = t0; t < t1; t += 1) {
                struct gm_metrics m = snapshot(t, cadence(t));
                if (edit)
                        edit(&m);
                struct gm_fatigue_alert a;
                int r = gm_fatigue_push(f, &m, &a);
                cr_assert_geq(r, 0);
                if (r == 1 && n < max_alerts) {
                        alerts[n] = a;
                        t_alerts[n] = t;
                        n++;
                }
        }
        return n;
}

static double cadence_steady(double t)
{
        return 170;
}

static double cadence_down_6pct(double t)
{
        return t < 300 ? 170 : 170 * 0.94;
}

Test(fatigue, baseline_from_minutes_2_to_5)
{
        struct gm_fatigue *f = fatigue_new();
        struct gm_fatigue_alert a[4];
        double ta[4];
        /* Minute 1 is warming up and does not count: a slow first minute changes nothing. */
        cr_expect_eq(push_span(f, 0, 60, cadence_down_6pct, NULL, a, 4, ta), 0);
        cr_expect_eq(push_span(f, 60, 299, cadence_steady, NULL, a, 4, ta), 0);
        cr_expect_not(gm_fatigue_baseline_ready(f));
        struct gm_fatigue_alert now;
        gm_fatigue_current(f, &now);
        cr_expect_eq(now.score, 0, "no score before the baseline");
        cr_expect_eq(push_span(f, 299, 600, cadence_steady, NULL, a, 4, ta), 0);
        cr_expect(gm_fatigue_baseline_ready(f));
        struct gm_fatigue_values base;
        gm_fatigue_baseline(f, &base);
        cr_expect(fabs(base.cadence_spm - 170) < 1e-9, "baseline cadence %.2f", base.cadence_spm);
        gm_fatigue_current(f, &now);
        cr_expect_eq(now.score, 0);
        cr_expect_eq(now.n_reasons, 0);
        gm_fatigue_free(f);
}

/* Cadence 6 % down: above its meaningful change (5 %), level 1, named in the words of the alert. */
Test(fatigue, cadence_drop_alerts_once_with_its_reason)
{
        struct gm_fatigue *f = fatigue_new();
        struct gm_fatigue_alert a[8];
        double ta[8];
        push_span(f, 0, 300, cadence_steady, NULL, a, 8, ta);
        unsigned n = push_span(f, 300, 1800, cadence_down_6pct, NULL, a, 8, ta);
        cr_assert_eq(n, 1, "%u alerts for one steady drop", n);
        cr_expect_eq(a[0].level, 1);
        cr_expect(fabs(a[0].score - 0.5) < 0.02, "score %.3f at the alert", a[0].score);
        cr_expect_eq(a[0].n_reasons, 1);
        cr_expect_str_eq(a[0].reasons[0], "cadence down 5% from baseline", "reason at the alert");
        struct gm_fatigue_alert now;
        gm_fatigue_current(f, &now);
        cr_expect(fabs(now.score - 0.6) < 0.01, "score %.3f for 6 %% down: 0.5 · 6 / 5", now.score);
        cr_expect_str_eq(now.reasons[0], "cadence down 6% from baseline");
        cr_expect(fabs(gm_fatigue_factor(f, GM_FATIGUE_CADENCE) - 0.6) < 0.01);
        cr_expect_eq(gm_fatigue_factor(f, GM_FATIGUE_STANCE), 0);
        gm_fatigue_free(f);
}

/* Around the threshold the smoothed score wobbles; hysteresis keeps it to one alert, and
 * a level that really fell back alerts again only after 5 minutes. */
static double cadence_wobble(double t)
{
        if (t < 300)
                return 170;
        return 170 * (((long)t / 20) % 2 ? 0.945 : 0.955); /* score 0.55 / 0.45 */
}

static double cadence_swing(double t)
{
        if (t < 300)
                return 170;
        return 170 * (((long)t / 120) % 2 ? 0.94 : 1.0); /* 2 minutes tired, 2 fresh */
}

Test(fatigue, hysteresis_and_realert_interval)
{
        struct gm_fatigue *f = fatigue_new();
        struct gm_fatigue_alert a[16];
        double ta[16];
        push_span(f, 0, 300, cadence_steady, NULL, a, 16, ta);
        unsigned n = push_span(f, 300, 1800, cadence_wobble, NULL, a, 16, ta);
        cr_expect_eq(n, 1, "wobbling around the threshold: %u alerts", n);
        gm_fatigue_free(f);

        f = fatigue_new();
        push_span(f, 0, 300, cadence_steady, NULL, a, 16, ta);
        n = push_span(f, 300, 3000, cadence_swing, NULL, a, 16, ta);
        /* 11 tired spells in 45 minutes; an alert at most every 5 minutes. */
        cr_expect(n >= 2 && n <= 9, "%u alerts", n);
        for (unsigned i = 1; i < n; i++)
                cr_expect_geq(ta[i] - ta[i - 1], 300, "alerts %.0f s apart", ta[i] - ta[i - 1]);
        gm_fatigue_free(f);
}

static void tired(struct gm_metrics *m)
{
        if (m->t < 300)
                return;
        for (int s = 0; s < 2; s++) {
                m->value[GM_METRIC_STANCE][s] = 0.250 * (s ? 1.10 : 1.09); /* +9 %, +10 % */
                m->value[GM_METRIC_HIP_EXT][s] = s ? 15.5 : 16;            /* −4°, −4.5° */
                m->value[GM_METRIC_PELVIC_DROP][s] = s ? 8 : 8.5;          /* +2°, +2.5° */
        }
}

/* Several factors at once: levels rise one by one and every factor is named. */
Test(fatigue, each_factor_named_and_levels_rise)
{
        struct gm_fatigue *f = fatigue_new();
        struct gm_fatigue_alert a[8];
        double ta[8];
        push_span(f, 0, 300, cadence_steady, NULL, a, 8, ta);
        unsigned n = push_span(f, 300, 900, cadence_down_6pct, tired, a, 8, ta);
        cr_assert_eq(n, 3, "levels 1, 2, 3: %u alerts", n);
        for (unsigned i = 0; i < n; i++)
                cr_expect_eq(a[i].level, i + 1);
        cr_expect(ta[2] - ta[0] < 120, "severe within 2 minutes of the change");
        struct gm_fatigue_alert now;
        gm_fatigue_current(f, &now);
        cr_expect_eq(now.level, 3);
        /* Each factor by what both sides share: the lesser side's drift. */
        cr_expect(fabs(now.score - (1 - 0.4 * (1 - 0.5625) * (1 - 4.0 / 6) * 0.5)) < 0.005, "score %.4f", now.score);
        const char *want[] = { "cadence down 6% from baseline", "stance time up 9% on both sides",
                               "hip extension down 4° on both sides", "pelvic drop up 2° on both sides" };
        cr_assert_eq(now.n_reasons, 4);
        for (unsigned w = 0; w < 4; w++) {
                bool found = false;
                for (unsigned k = 0; k < now.n_reasons; k++)
                        found |= strcmp(now.reasons[k], want[w]) == 0;
                cr_expect(found, "reason \"%s\" missing", want[w]);
        }
        gm_fatigue_free(f);
}

Test(fatigue, levels_and_bad_input)
{
        cr_expect_eq(gm_fatigue_level_score(0.5, 1), 0.5);
        cr_expect_eq(gm_fatigue_level_score(0.5, 2), 0.75);
        cr_expect_eq(gm_fatigue_level_score(0.5, 3), 0.9);
        cr_expect_eq(gm_fatigue_level_score(0.6, 2), 0.8);
        struct gm_fatigue_cfg cfg;
        gm_fatigue_cfg_default(&cfg);
        cfg.baseline_to_s = cfg.baseline_from_s;
        cr_expect_null(gm_fatigue_new(&cfg));
        gm_fatigue_cfg_default(&cfg);
        cfg.threshold = 0;
        cr_expect_null(gm_fatigue_new(&cfg));
        struct gm_fatigue *f = fatigue_new();
        struct gm_metrics m = snapshot(10, 170);
        cr_expect_eq(gm_fatigue_push(f, &m, NULL), 0);
        m.t = 5;
        cr_expect_eq(gm_fatigue_push(f, &m, NULL), -EINVAL, "time going backwards");
        gm_fatigue_free(f);
}

/* One side changing alone is compensation (the asymmetry findings), not fatigue. */
static void weak_left(struct gm_metrics *m)
{
        if (m->t < 300)
                return;
        m->value[GM_METRIC_STANCE][0] = 0.250 * 1.12;
        m->value[GM_METRIC_HIP_EXT][0] = 14;
        m->value[GM_METRIC_PELVIC_DROP][1] = 9;
        m->si[GM_METRIC_HIP_EXT] = -35;
        m->si[GM_METRIC_STANCE] = 11;
}

Test(fatigue, one_sided_change_is_not_fatigue)
{
        struct gm_fatigue *f = fatigue_new();
        struct gm_fatigue_alert a[4];
        double ta[4];
        push_span(f, 0, 300, cadence_steady, NULL, a, 4, ta);
        cr_expect_eq(push_span(f, 300, 1200, cadence_steady, weak_left, a, 4, ta), 0);
        struct gm_fatigue_alert now;
        gm_fatigue_current(f, &now);
        cr_expect_eq(now.score, 0, "score %.3f", now.score);
        gm_fatigue_free(f);
}

/* Walking after the run: longer stance and a lower cadence are what walking is. */
static void cool_down(struct gm_metrics *m)
{
        if (m->t < 900)
                return;
        m->activity = GM_ACTIVITY_WALKING;
        m->cadence_spm = 110;
        for (int s = 0; s < 2; s++) {
                m->value[GM_METRIC_STANCE][s] = 0.650;
                m->value[GM_METRIC_HIP_EXT][s] = 12;
        }
}

Test(fatigue, cool_down_walk_is_not_fatigue)
{
        struct gm_fatigue *f = fatigue_new();
        struct gm_fatigue_alert a[4];
        double ta[4];
        cr_expect_eq(push_span(f, 0, 1200, cadence_steady, cool_down, a, 4, ta), 0);
        struct gm_fatigue_alert now;
        gm_fatigue_current(f, &now);
        cr_expect_eq(now.level, 0, "level %u", now.level);
        gm_fatigue_free(f);
}

/* Near an activity change, a pause or a gap the snapshots are not steady: they do not count. */
static void unsteady_drop(struct gm_metrics *m)
{
        if (m->t < 300)
                return;
        m->steady = false;
        m->cadence_spm = 140;
}

Test(fatigue, unsteady_snapshots_do_not_count)
{
        struct gm_fatigue *f = fatigue_new();
        struct gm_fatigue_alert a[4];
        double ta[4];
        push_span(f, 0, 400, cadence_steady, NULL, a, 4, ta);
        cr_expect_eq(push_span(f, 400, 800, cadence_steady, unsteady_drop, a, 4, ta), 0);
        struct gm_fatigue_alert now;
        gm_fatigue_current(f, &now);
        cr_expect_eq(now.score, 0, "score %.3f", now.score);
        gm_fatigue_free(f);
}

/* A stop, then the run goes on at an easier pace: a choice, not fatigue. */
static void stop_then_easier(struct gm_metrics *m)
{
        if (m->t >= 600 && m->t < 700) {
                m->activity = GM_ACTIVITY_IDLE;
                m->steady = false;
                return;
        }
        if (m->t >= 700) {
                m->cadence_spm = 170 * 0.94;
                for (int s = 0; s < 2; s++)
                        m->value[GM_METRIC_STANCE][s] = 0.250 * 1.10;
        }
}

Test(fatigue, a_new_pace_after_a_stop_is_not_fatigue)
{
        struct gm_fatigue *f = fatigue_new();
        struct gm_fatigue_alert a[4];
        double ta[4];
        cr_expect_eq(push_span(f, 0, 1500, cadence_steady, stop_then_easier, a, 4, ta), 0);
        struct gm_fatigue_alert now;
        gm_fatigue_current(f, &now);
        cr_expect_lt(now.score, 0.1, "score %.3f", now.score);
        gm_fatigue_free(f);
}

/* Fatigue that builds up on both sides of a stop: what drifted before it counts. */
static double cadence_tiring(double t)
{
        return t < 300 ? 170 : 170 * (1 - 0.12 * (t - 300) / 1500);
}

static void stop_midway(struct gm_metrics *m)
{
        if (m->t >= 900 && m->t < 990) {
                m->activity = GM_ACTIVITY_IDLE;
                m->steady = false;
        }
}

Test(fatigue, drift_before_a_stop_is_carried_over)
{
        struct gm_fatigue *f = fatigue_new();
        struct gm_fatigue_alert a[4];
        double ta[4];
        /* By 900 s cadence is down 4.8 %, less than a level; by 1800 s 12 %. */
        unsigned n = push_span(f, 0, 1800, cadence_tiring, stop_midway, a, 4, ta);
        cr_assert_geq(n, 1, "no alert");
        cr_expect_gt(ta[0], 990, "alert at %.0f s, before the stop", ta[0]);
        struct gm_fatigue_alert now;
        gm_fatigue_current(f, &now);
        cr_expect_geq(now.level, 1, "level %u, score %.3f", now.level, now.score);
        /* Without the drift before the stop the score would stay near what 800 s of it give. */
        cr_expect_gt(now.score, 0.5, "score %.3f", now.score);
        gm_fatigue_free(f);
}
