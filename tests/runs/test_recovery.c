/* Recovery advice: each rule for long and short, symmetric and asymmetric runs, two ages,
 * and the workload ratio from constructed histories. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gm_recovery.h"

#define DAY_US (86400LL * 1000000LL)
#define NOW_US (1750000000LL * 1000000LL)

static struct gm_run_summary run_of(double minutes)
{
        struct gm_run_summary r = {
                .start_us = NOW_US - (int64_t)(minutes * 60e6),
                .duration_s = minutes * 60,
                .activity = GM_ACTIVITY_RUNNING,
                .steps = (uint64_t)(minutes * 170),
                .cadence_spm = 170,
                .stance_ms = { 250, 250 },
                .hip_ext_deg = { 20, 20 },
                .pelvic_drop_deg = { 6, 6 },
                .asym_max_pct = 2,
                .asym_metric = "stance",
                .load = minutes * 170 * 2.5,
                .hip_ext_asym_pct = 1.5,
                .pelvic_drop_asym_pct = -1,
                .pelvic_drop_rise_deg = { 0.2, 0.1 },
        };
        return r;
}

static struct gm_advice advise(const struct gm_run_summary *run, const struct gm_run_summary *h, size_t n, unsigned age)
{
        struct gm_advice a;
        cr_assert_eq(gm_recovery_advise(run, h, n, NOW_US, age, &a), 0);
        for (unsigned i = 0; i < a.n_actions; i++)
                cr_log_info("  - %s", a.actions[i]);
        cr_log_info("  %s (rest %u, acwr %.2f)", a.summary, a.rest_days, a.acwr);
        return a;
}

static bool has_action(const struct gm_advice *a, const char *words)
{
        for (unsigned i = 0; i < a->n_actions; i++)
                if (strstr(a->actions[i], words))
                        return true;
        return false;
}

/* Always: refuel within 20 minutes, flush the legs, two to three recovery days a week. */
static void expect_common(const struct gm_advice *a)
{
        cr_expect(has_action(a, "within 20 minutes"), "refuel within 20 minutes");
        cr_expect(has_action(a, "toward the heart over the quads, hamstrings and calves"), "flushing strokes");
        cr_expect(has_action(a, "two to three recovery days a week"), "weekly recovery days");
        cr_expect_eq(a->summary[strlen(a->summary) - 1], '.', "summary is a sentence");
        cr_expect_null(strstr(a->summary, ". "), "summary is one sentence: %s", a->summary);
}

Test(recovery, short_symmetric_run)
{
        struct gm_run_summary r = run_of(45);
        for (unsigned age = 30; age <= 60; age += 30) {
                struct gm_advice a = advise(&r, NULL, 0, age);
                expect_common(&a);
                cr_expect_not(has_action(&a, "Walk easily"), "no walk before stretching after 45 min");
                cr_expect_not(has_action(&a, "piriformis"), "no glute work when symmetric");
                cr_expect_not(has_action(&a, "glutes"));
                cr_expect_eq(a.rest_days, 0, "age %u: %u rest days after 45 min", age, a.rest_days);
                cr_expect(isnan(a.acwr), "no history, no ratio");
                cr_expect_not(has_action(&a, "4-week average"));
                cr_expect(strstr(a.summary, "45 min") && strstr(a.summary, "7650 steps") &&
                                  strstr(a.summary, "170 steps/min") && strstr(a.summary, "steady, symmetric"),
                          "summary: %s", a.summary);
        }
}

/* Over 90 min: walk 5 to 10 minutes before stretching; one day off, two from 50. */
Test(recovery, long_run_by_age)
{
        struct gm_run_summary r = run_of(100);
        struct gm_advice young = advise(&r, NULL, 0, 30), older = advise(&r, NULL, 0, 60);
        expect_common(&young);
        expect_common(&older);
        cr_expect(has_action(&young, "Walk easily for 5 to 10 minutes before you stretch"));
        cr_expect_eq(young.rest_days, 1);
        cr_expect_eq(older.rest_days, 2);
        cr_expect(has_action(&older, "Take 2 full days off"));
        cr_expect(strstr(young.summary, "1 h 40 min"), "summary: %s", young.summary);
        /* 90 min exactly is not over 90. */
        r = run_of(90);
        struct gm_advice at90 = advise(&r, NULL, 0, 30);
        cr_expect_not(has_action(&at90, "Walk easily"));
        cr_expect_eq(at90.rest_days, 0);
}

/* From 150 min: two full days off, three from 50. */
Test(recovery, very_long_run_by_age)
{
        struct gm_run_summary r = run_of(160);
        struct gm_advice young = advise(&r, NULL, 0, 30), older = advise(&r, NULL, 0, 60);
        cr_expect_eq(young.rest_days, 2);
        cr_expect_eq(older.rest_days, 3);
        cr_expect(has_action(&young, "Take 2 full days off running"));
        cr_expect(has_action(&older, "Take 3 full days off running"));
        cr_expect(has_action(&young, "Walk easily"));
        struct gm_advice age_unknown = advise(&r, NULL, 0, 0);
        cr_expect_eq(age_unknown.rest_days, 2, "unknown age counts as younger");
}

/* Glute compensation: hip flexor and piriformis release 30 to 90 s per spot and glute
 * strengthening instead of deep stretching, naming the weaker side. */
Test(recovery, asymmetric_run_gets_glute_work)
{
        struct gm_run_summary r = run_of(50);
        r.hip_ext_asym_pct = -12; /* the left extends less than at baseline */
        r.asym_max_pct = 12;
        strcpy(r.asym_metric, "hip_extension");
        struct gm_advice a = advise(&r, NULL, 0, 30);
        expect_common(&a);
        cr_expect(has_action(&a, "hip flexors and the piriformis, especially on the left"));
        cr_expect(has_action(&a, "30 to 90 s per spot"));
        cr_expect(has_action(&a, "Strengthen the glutes"));
        cr_expect(has_action(&a, "instead of deep stretching"));
        cr_expect(strstr(a.summary, "glute compensation") &&
                          strstr(a.summary, "the left hip extends less (balance 3.0 points off"),
                  "summary: %s", a.summary);
        cr_expect_eq(a.rest_days, 0, "asymmetry alone adds no rest day");

        /* Below the threshold: nothing. */
        r.hip_ext_asym_pct = -GM_RECOVERY_HIP_EXT_ASYM_PCT + 0.5;
        a = advise(&r, NULL, 0, 30);
        cr_expect_not(has_action(&a, "piriformis"));

        /* A pelvic drop that grew on the right only. */
        r = run_of(50);
        r.pelvic_drop_rise_deg[1] = 2.5;
        a = advise(&r, NULL, 0, 60);
        cr_expect(has_action(&a, "piriformis, especially on the right"));
        cr_expect(strstr(a.summary, "the pelvis drops more while on the right leg"), "summary: %s", a.summary);

        /* Pelvic-drop asymmetry: a larger drop in the left stance. */
        r = run_of(50);
        r.pelvic_drop_asym_pct = 14;
        a = advise(&r, NULL, 0, 30);
        cr_expect(has_action(&a, "piriformis, especially on the left"));

        /* A summary without the glute fields falls back to its largest asymmetry. */
        r = run_of(50);
        r.hip_ext_asym_pct = r.pelvic_drop_asym_pct = NAN;
        r.pelvic_drop_rise_deg[0] = r.pelvic_drop_rise_deg[1] = NAN;
        r.asym_max_pct = 11;
        strcpy(r.asym_metric, "hip_extension");
        a = advise(&r, NULL, 0, 30);
        cr_expect(has_action(&a, "piriformis"));
        strcpy(r.asym_metric, "impact");
        a = advise(&r, NULL, 0, 30);
        cr_expect_not(has_action(&a, "piriformis"), "impact asymmetry is no glute sign");
}

/* n earlier runs of a load, one every step_days, the first first_days ago. */
static size_t history_of(struct gm_run_summary *h, size_t n, double first_days, double step_days, double load)
{
        for (size_t i = 0; i < n; i++) {
                h[i] = run_of(45);
                h[i].id = i + 1;
                h[i].start_us = NOW_US - (int64_t)((first_days + i * step_days) * DAY_US);
                h[i].load = load;
        }
        return n;
}

/* Runs every 2 days for 4 weeks at load 1000: 3 in the last 7 days, 14 in the last 28. */
Test(recovery, workload_ratio_in_range)
{
        struct gm_run_summary h[14], r = run_of(45);
        size_t n = history_of(h, 14, 1.5, 2, 1000);
        r.load = 1000;
        double expect = (3 + 1) * 1000.0 / ((14 + 1) * 1000.0 / 4);
        struct gm_advice a = advise(&r, h, n, 30);
        cr_expect(fabs(a.acwr - expect) < 1e-9, "acwr %.4f, expected %.4f", a.acwr, expect);
        cr_expect_not(has_action(&a, "4-week average"), "no warning inside 0.8 to 1.3");
        cr_expect_eq(a.rest_days, 0);
        /* Any order gives the same ratio; the run itself in the history is not counted twice. */
        struct gm_run_summary rev[15];
        for (size_t i = 0; i < n; i++)
                rev[i] = h[n - 1 - i];
        rev[n] = r;
        cr_expect(fabs(gm_recovery_acwr(&r, rev, n + 1, NOW_US) - expect) < 1e-9);
}

Test(recovery, workload_ratio_warnings)
{
        struct gm_run_summary h[14], r = run_of(45);
        size_t n = history_of(h, 14, 1.5, 2, 1000);

        /* Above 1.3: a warning; no extra rest day. */
        r.load = 2923; /* (3000 + L) / ((14000 + L) / 4) = 1.40 */
        struct gm_advice a = advise(&r, h, n, 30);
        cr_expect(fabs(a.acwr - 1.40) < 0.01, "acwr %.3f", a.acwr);
        cr_expect(has_action(&a, "1.4 times your 4-week average, above the safe 0.8 to 1.3"));
        cr_expect_not(has_action(&a, "Warning:"));
        cr_expect_eq(a.rest_days, 0);

        /* Above 1.5: the stronger warning and an extra rest day, on top of the run's own. */
        for (size_t i = 0; i < 3; i++)
                h[i].load = 3000;
        r = run_of(100);
        r.load = 3000;
        a = advise(&r, h, n, 30);
        double expect = 12000.0 / (23000.0 / 4);
        cr_expect(fabs(a.acwr - expect) < 1e-9, "acwr %.4f, expected %.4f", a.acwr, expect);
        cr_expect(has_action(&a, "Warning: this week's load is 2.1 times"));
        cr_expect_eq(a.rest_days, 1 + 1, "a day for the long run and one for the load");
        cr_expect(strstr(a.summary, "Run of 1 h 40 min"), "summary: %s", a.summary);

        /* Below 0.8: build back gradually. */
        n = history_of(h, 10, 8.5, 2, 1000);
        r = run_of(45);
        r.load = 500;
        a = advise(&r, h, n, 30);
        cr_expect(fabs(a.acwr - 500.0 / (10500.0 / 4)) < 1e-9, "acwr %.4f", a.acwr);
        cr_expect(has_action(&a, "below 0.8"));
}

/* Less than 14 days of history: no ratio and no warning, however big the jump. */
Test(recovery, workload_ratio_needs_14_days)
{
        struct gm_run_summary h[6], r = run_of(45);
        size_t n = history_of(h, 6, 1.5, 2, 100); /* the earliest 11.5 days ago */
        r.load = 10000;
        struct gm_advice a = advise(&r, h, n, 30);
        cr_expect(isnan(a.acwr));
        cr_expect_not(has_action(&a, "4-week average"));
        n = history_of(h, 6, 1.5, 2.6, 100); /* the earliest 14.5 days ago */
        a = advise(&r, h, n, 30);
        cr_expect(isfinite(a.acwr) && a.acwr > 1.5, "acwr %.2f", a.acwr);
}

/* Running 6 of the last 7 days leaves too few recovery days: a day off next. */
Test(recovery, too_few_recovery_days)
{
        struct gm_run_summary h[5], r = run_of(40);
        size_t n = history_of(h, 5, 1.5, 1, 1000); /* days 1 to 5 ago, and today */
        struct gm_advice a = advise(&r, h, n, 30);
        cr_expect(has_action(&a, "6 of the last 7 days"));
        cr_expect_eq(a.rest_days, 1);
        n = history_of(h, 4, 1.5, 1, 1000); /* 5 days of 7 */
        a = advise(&r, h, n, 30);
        cr_expect_not(has_action(&a, "of the last 7 days"));
        cr_expect(has_action(&a, "two to three recovery days a week"));
        cr_expect_eq(a.rest_days, 0);
}

Test(recovery, rejects_bad_input)
{
        struct gm_run_summary r = run_of(30);
        struct gm_advice a;
        cr_expect_eq(gm_recovery_advise(NULL, NULL, 0, NOW_US, 30, &a), -EINVAL);
        cr_expect_eq(gm_recovery_advise(&r, NULL, 0, NOW_US, 30, NULL), -EINVAL);
        cr_expect_eq(gm_recovery_advise(&r, NULL, 3, NOW_US, 30, &a), -EINVAL);
        r.duration_s = NAN;
        cr_expect_eq(gm_recovery_advise(&r, NULL, 0, NOW_US, 30, &a), -EINVAL);
}

/* Advice in proportion: a minute's jog needs no refuelling or flushing. */
Test(recovery, short_run_gets_short_advice)
{
        struct gm_run_summary r = run_of(1);
        r.steps = 106;
        struct gm_advice a = advise(&r, NULL, 0, 30);
        cr_expect_not(has_action(&a, "within 20 minutes"), "no refuelling after a minute");
        cr_expect_not(has_action(&a, "toward the heart"), "no flushing after a minute");
        cr_expect(has_action(&a, "short run"), "says what a short run needs");
}

/* Severe fatigue and "no rest day needed" cannot stand side by side. */
Test(recovery, severe_fatigue_gets_a_rest_day)
{
        struct gm_run_summary r = run_of(12); /* short, but hard */
        r.fatigue_level_max = 3;
        r.fatigue_max = 0.95;
        struct gm_advice a = advise(&r, NULL, 0, 30);
        cr_expect_geq(a.rest_days, 1);
        cr_expect_not(has_action(&a, "No full rest day needed"));
        cr_expect(has_action(&a, "within 20 minutes"), "a hard run is refuelled whatever its length");
        cr_expect(has_action(&a, "toward the heart"), "and its legs flushed");
        cr_expect_not(has_action(&a, "short run"), "a hard run is not waved off as short");
        cr_expect(strstr(a.summary, "severe fatigue"), "summary: %s", a.summary);
}

/* Any metric can be the finding, not only the hip and the pelvis. */
Test(recovery, stance_asymmetry_is_a_finding)
{
        struct gm_run_summary r = run_of(40);
        snprintf(r.asym_metric, sizeof(r.asym_metric), "stance");
        r.asym_max_pct = 14;
        struct gm_advice a = advise(&r, NULL, 0, 30);
        cr_expect(strstr(a.summary, "steady, symmetric"), "not alerted during the run, no finding: %s", a.summary);
        r.asym_alerted = true;
        a = advise(&r, NULL, 0, 30);
        cr_expect(strstr(a.summary, "stance time balance 3.5 points"), "summary: %s", a.summary);
}
