/* Runs from the synthetic gait model through the pipeline: start, minutes, end, fatigue. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "drive.h"
#include "gm_recovery.h"

static void log_minutes(const struct drive *d)
{
        const struct gm_session_event *ev;
        for (size_t i = 0; (ev = drive_find(d, GM_SESSION_MINUTE, i)); i++)
                cr_log_info(
                        "minute %4.0f s (%2.0f s): %3llu steps, cadence %5.1f, stance %3.0f/%3.0f ms, hip %4.1f/%4.1f, "
                        "drop %3.1f/%3.1f, asym %4.1f, fatigue %.2f",
                        ev->minute.t_s, ev->minute.length_s, (unsigned long long)ev->minute.steps,
                        ev->minute.cadence_spm, ev->minute.stance_ms[0], ev->minute.stance_ms[1],
                        ev->minute.hip_ext_deg[0], ev->minute.hip_ext_deg[1], ev->minute.pelvic_drop_deg[0],
                        ev->minute.pelvic_drop_deg[1], ev->minute.asym_max_pct, ev->minute.fatigue);
}

static void steady(struct gm_model_cfg *mc)
{
        mc->still_s = 5;
}

static void tiring(struct gm_model_cfg *mc)
{
        mc->still_s = 5;
        mc->fatigue_per_hour = 0.6; /* 1 % drift a minute: ten times a real run, to be quick */
}

Test(session, steady_run_has_no_fatigue_alert)
{
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        struct drive d;
        drive_init(&d, &sc, steady);
        drive_gait(&d, GM_ACTIVITY_RUNNING, 12 * 60);
        struct gm_session_state st;
        gm_session_current(d.sess, &st);
        cr_log_info("steady: score %.3f level %u", st.fatigue.score, st.fatigue.level);
        drive_end(&d);
        log_minutes(&d);
        cr_expect(st.in_run && st.fatigue_ready);
        cr_expect_lt(st.fatigue.score, 0.25, "steady score %.3f", st.fatigue.score);
        cr_expect_eq(drive_count(&d, GM_SESSION_FATIGUE_ALERT), 0);
        const struct gm_session_event *end = drive_find(&d, GM_SESSION_RUN_END, 0);
        cr_assert_not_null(end);
        cr_log_info("summary: fatigue max %.3f, hip asym %.1f, drop asym %.1f, rise %.2f/%.2f, load %.0f, steps %llu",
                    end->summary.fatigue_max, end->summary.hip_ext_asym_pct, end->summary.pelvic_drop_asym_pct,
                    end->summary.pelvic_drop_rise_deg[0], end->summary.pelvic_drop_rise_deg[1], end->summary.load,
                    (unsigned long long)end->summary.steps);
        cr_expect_eq(end->summary.fatigue_level_max, 0);
        cr_expect(fabs(end->summary.hip_ext_asym_pct) < GM_RECOVERY_HIP_EXT_ASYM_PCT, "hip asym %.1f",
                  end->summary.hip_ext_asym_pct);
        struct gm_advice a;
        cr_assert_eq(gm_recovery_advise(&end->summary, NULL, 0, 0, 30, &a), 0);
        for (unsigned i = 0; i < a.n_actions; i++)
                cr_expect_null(strstr(a.actions[i], "piriformis"), "glute work after a symmetric run: %s",
                               a.actions[i]);
        cr_expect(strstr(a.summary, "steady, symmetric"), "%s", a.summary);
        drive_free(&d);
}

static void weak_left_glute(struct gm_model_cfg *mc)
{
        mc->still_s = 5;
        mc->weak[GM_SIDE_LEFT].hip_ext_frac = 0.2;
        mc->weak[GM_SIDE_LEFT].pelvic_drop_deg = 3;
        mc->weak[GM_SIDE_LEFT].onset_s = 300;
        mc->weak[GM_SIDE_LEFT].ramp_s = 60;
}

/* A left glute that gives way from minute 5: the summary shows it, the advice treats it. */
Test(session, glute_weakness_reaches_the_advice)
{
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        struct drive d;
        drive_init(&d, &sc, weak_left_glute);
        drive_gait(&d, GM_ACTIVITY_RUNNING, 10 * 60);
        drive_end(&d);
        log_minutes(&d);
        const struct gm_session_event *end = drive_find(&d, GM_SESSION_RUN_END, 0);
        cr_assert_not_null(end);
        const struct gm_run_summary *sum = &end->summary;
        cr_log_info("summary: asym %.1f %s, hip asym %.1f, drop asym %.1f, rise %.2f/%.2f, spikes %zu",
                    sum->asym_max_pct, sum->asym_metric, sum->hip_ext_asym_pct, sum->pelvic_drop_asym_pct,
                    sum->pelvic_drop_rise_deg[0], sum->pelvic_drop_rise_deg[1], d.n_spikes);
        cr_expect_leq(sum->hip_ext_asym_pct, -GM_RECOVERY_HIP_EXT_ASYM_PCT, "left hip extension SI excursion %.1f",
                      sum->hip_ext_asym_pct);
        cr_expect_geq(sum->pelvic_drop_rise_deg[GM_SIDE_LEFT], GM_RECOVERY_PELVIC_RISE_DEG,
                      "left pelvic drop rise %.2f", sum->pelvic_drop_rise_deg[GM_SIDE_LEFT]);
        cr_expect_lt(sum->pelvic_drop_rise_deg[GM_SIDE_RIGHT], 1.0, "right pelvic drop rise %.2f",
                     sum->pelvic_drop_rise_deg[GM_SIDE_RIGHT]);
        struct gm_advice a;
        cr_assert_eq(gm_recovery_advise(sum, NULL, 0, 0, 30, &a), 0);
        bool release = false, strengthen = false;
        for (unsigned i = 0; i < a.n_actions; i++) {
                release |= strstr(a.actions[i], "piriformis, especially on the left") != NULL;
                strengthen |= strstr(a.actions[i], "Strengthen the glutes") != NULL;
        }
        cr_expect(release && strengthen, "glute work for the left");
        cr_expect(strstr(a.summary, "glute compensation"), "%s", a.summary);
        drive_free(&d);
}

Test(session, fatigue_alert_with_reasons)
{
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        struct drive d;
        drive_init(&d, &sc, tiring);
        drive_gait(&d, GM_ACTIVITY_RUNNING, 16 * 60);
        drive_end(&d);
        log_minutes(&d);
        const struct gm_session_event *ev;
        for (size_t i = 0; (ev = drive_find(&d, GM_SESSION_FATIGUE_ALERT, i)); i++) {
                cr_log_info("alert at %.0f s: level %u score %.2f", ev->t, ev->alert.level, ev->alert.score);
                for (unsigned k = 0; k < ev->alert.n_reasons; k++)
                        cr_log_info("  %s", ev->alert.reasons[k]);
        }
        size_t n = drive_count(&d, GM_SESSION_FATIGUE_ALERT);
        cr_assert_geq(n, 1, "no fatigue alert");
        cr_expect_leq(n, 3, "%zu alerts: the levels must not flood", n);
        unsigned prev = 0;
        for (size_t i = 0; (ev = drive_find(&d, GM_SESSION_FATIGUE_ALERT, i)); i++) {
                cr_expect_gt(ev->alert.level, prev, "alert %zu: level %u after %u", i, ev->alert.level, prev);
                cr_expect_geq(ev->t, 300, "alert at %.0f s, before the baseline (minutes 2 to 5) was complete", ev->t);
                cr_expect_geq(ev->alert.n_reasons, 1, "alert %zu without reasons", i);
                prev = ev->alert.level;
        }
        ev = drive_find(&d, GM_SESSION_FATIGUE_ALERT, n - 1);
        cr_expect_geq(ev->alert.level, 2, "a 10 %% drift ends at level %u", ev->alert.level);
        bool cadence = false, stance = false;
        for (unsigned k = 0; k < ev->alert.n_reasons; k++) {
                cadence |= strstr(ev->alert.reasons[k], "cadence down") != NULL;
                stance |= strstr(ev->alert.reasons[k], "stance time up") != NULL;
        }
        cr_expect(cadence && stance, "the last alert names cadence and stance time");
        const struct gm_session_event *end = drive_find(&d, GM_SESSION_RUN_END, 0);
        cr_assert_not_null(end);
        cr_log_info(
                "summary: fatigue max %.3f, asym %.1f %s, hip asym %.1f, drop asym %.1f, rise %.2f/%.2f, load %.0f, "
                "steps %llu",
                end->summary.fatigue_max, end->summary.asym_max_pct, end->summary.asym_metric,
                end->summary.hip_ext_asym_pct, end->summary.pelvic_drop_asym_pct, end->summary.pelvic_drop_rise_deg[0],
                end->summary.pelvic_drop_rise_deg[1], end->summary.load, (unsigned long long)end->summary.steps);
        drive_free(&d);
}

static void walker(struct gm_model_cfg *mc)
{
        mc->still_s = 5;
        mc->activity = GM_ACTIVITY_WALKING;
        mc->speed_mps = 1.4;
        mc->cadence_spm = 112;
}

/* A 12 s walk is no run; 100 s are. The run ends once 120 s pass without gait, at its last step. */
Test(session, starts_after_sustained_gait_ends_after_idle_timeout)
{
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        struct drive d;
        drive_init(&d, &sc, walker);
        drive_gait(&d, GM_ACTIVITY_IDLE, 5);
        drive_gait(&d, GM_ACTIVITY_WALKING, 12);
        drive_gait(&d, GM_ACTIVITY_IDLE, 15);
        cr_expect_eq(drive_count(&d, GM_SESSION_RUN_START), 0, "12 s of walking started a run");
        double t_walk = d.t;
        drive_gait(&d, GM_ACTIVITY_WALKING, 100);
        double t_stop = d.t;
        struct gm_session_state st;
        gm_session_current(d.sess, &st);
        cr_expect(st.in_run);
        const struct gm_session_event *start = drive_find(&d, GM_SESSION_RUN_START, 0);
        cr_assert_not_null(start, "no run after 100 s of walking");
        cr_expect(start->t >= t_walk && start->t < t_walk + 5, "run starts at %.1f s, walking from %.1f s", start->t,
                  t_walk);
        cr_expect_eq(st.t_start, start->t);

        drive_gait(&d, GM_ACTIVITY_IDLE, 110);
        cr_expect_eq(drive_count(&d, GM_SESSION_RUN_END), 0, "run ended before the idle timeout");
        gm_session_current(d.sess, &st);
        cr_expect(st.in_run, "still in the run while idle under 120 s");
        drive_gait(&d, GM_ACTIVITY_IDLE, 20);
        gm_session_current(d.sess, &st);
        cr_expect_not(st.in_run);
        cr_expect(isnan(st.t_start));
        cr_assert_eq(drive_count(&d, GM_SESSION_RUN_START), 1);
        cr_assert_eq(drive_count(&d, GM_SESSION_RUN_END), 1);
        const struct gm_session_event *end = drive_find(&d, GM_SESSION_RUN_END, 0);
        /* The pipeline calls gait idle 3 s after the last foot contact. */
        cr_expect(end->t > t_stop - 4 && end->t <= t_stop + 4, "run ends at %.1f s, the walk stopped at %.1f s", end->t,
                  t_stop);
        cr_expect(fabs(end->summary.duration_s - (end->t - start->t)) < 1e-9);
        cr_expect_eq(end->summary.activity, GM_ACTIVITY_WALKING);
        cr_expect_eq(end->summary.start_us, 0, "the caller fills the wall clock");
        cr_expect(fabs(end->summary.cadence_spm - 112) < 3, "cadence %.1f", end->summary.cadence_spm);
        double expected_steps = end->summary.duration_s * 112 / 60;
        cr_expect(fabs((double)end->summary.steps - expected_steps) < 8, "%llu steps in %.0f s",
                  (unsigned long long)end->summary.steps, end->summary.duration_s);
        cr_expect(end->summary.load > 0.5 * end->summary.steps, "load %.0f for %llu steps", end->summary.load,
                  (unsigned long long)end->summary.steps);

        /* One full minute and the partial last one, in order, adding up to the run. */
        cr_assert_eq(drive_count(&d, GM_SESSION_MINUTE), 2);
        const struct gm_session_event *m0 = drive_find(&d, GM_SESSION_MINUTE, 0),
                                      *m1 = drive_find(&d, GM_SESSION_MINUTE, 1);
        cr_expect(m0 > start && m1 > m0 && end > m1, "events out of order");
        cr_expect_eq(m0->minute.t_s, 0);
        cr_expect_eq(m0->minute.length_s, 60);
        cr_expect_eq(m1->minute.t_s, 60);
        cr_expect(fabs(m1->minute.length_s - (end->summary.duration_s - 60)) < 1e-9, "last minute %.1f s",
                  m1->minute.length_s);
        cr_expect_eq(m0->minute.steps + m1->minute.steps, end->summary.steps);
        cr_expect(fabs(m0->minute.cadence_spm - 112) < 3, "minute cadence %.1f", m0->minute.cadence_spm);
        for (int side = 0; side < 2; side++)
                cr_expect(m0->minute.stance_ms[side] > 500 && m0->minute.stance_ms[side] < 800,
                          "walking stance %.0f ms", m0->minute.stance_ms[side]);
        drive_free(&d);
}

/* EndSession: the run ends now, with its partial minute; without a run it does nothing. */
Test(session, explicit_end)
{
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        struct drive d;
        drive_init(&d, &sc, steady);
        cr_expect_eq(gm_session_end(d.sess, 0), 0, "no run to end");
        drive_gait(&d, GM_ACTIVITY_RUNNING, 150);
        cr_expect_eq(gm_session_end(d.sess, d.t - 10), -EINVAL, "time going backwards");
        cr_expect_eq(gm_session_end(d.sess, d.t), 1);
        size_t before = d.n_ev;
        drive_end(&d);
        cr_expect_eq(d.n_ev, before + 2, "the partial minute and RUN_END");
        cr_expect_eq(drive_count(&d, GM_SESSION_MINUTE), 3, "two full minutes and the partial one");
        const struct gm_session_event *last = drive_find(&d, GM_SESSION_MINUTE, 2),
                                      *end = drive_find(&d, GM_SESSION_RUN_END, 0);
        cr_assert(last && end);
        cr_expect(last < end, "minute after the end");
        cr_expect_eq(end->t, d.t);
        cr_expect(end->summary.duration_s > 140 && end->summary.duration_s < 146, "duration %.1f",
                  end->summary.duration_s);
        cr_expect(fabs(last->minute.t_s + last->minute.length_s - end->summary.duration_s) < 1e-9);
        cr_expect_eq(end->summary.activity, GM_ACTIVITY_RUNNING);
        cr_expect_eq(gm_session_end(d.sess, d.t), 0, "ended twice");
        drive_free(&d);
}

Test(session, rejects_bad_configuration_and_input)
{
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        sc.start_s = 0;
        cr_expect_null(gm_session_new(&sc));
        gm_session_cfg_default(&sc);
        sc.idle_timeout_s = NAN;
        cr_expect_null(gm_session_new(&sc));
        gm_session_cfg_default(&sc);
        sc.fatigue.threshold = 1.2;
        cr_expect_null(gm_session_new(&sc));
        gm_session_cfg_default(&sc);
        struct gm_session *s = gm_session_new(&sc);
        cr_assert_not_null(s);
        struct gm_metrics m = { .t = 10, .activity = GM_ACTIVITY_RUNNING };
        cr_expect_eq(gm_session_push_metrics(s, &m), 0);
        m.t = 9;
        cr_expect_eq(gm_session_push_metrics(s, &m), -EINVAL, "time going backwards");
        m.t = NAN;
        cr_expect_eq(gm_session_push_metrics(s, &m), -EINVAL);
        struct gm_spike sp = { .metric = GM_METRIC_COUNT, .t_detect = 10 };
        cr_expect_eq(gm_session_push_spike(s, &sp), -EINVAL);
        struct gm_stride st = { .t_ic = NAN };
        cr_expect_eq(gm_session_push_stride(s, &st), -EINVAL);
        gm_session_free(s);
}

/* A running snapshot without any measured metric: enough for runs and minutes. */
static struct gm_metrics running_snapshot(double t)
{
        struct gm_metrics m = { .t = t, .activity = GM_ACTIVITY_RUNNING, .cadence_spm = 170 };
        for (int k = 0; k < GM_METRIC_COUNT; k++)
                m.value[k][0] = m.value[k][1] = m.si[k] = m.si_baseline[k] = NAN;
        return m;
}

/* Unread events are never overwritten: the session refuses snapshots until they are read. */
Test(session, queue_full_refuses_then_recovers)
{
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        struct gm_session *s = gm_session_new(&sc);
        cr_assert_not_null(s);
        int r = 0;
        double t = 0;
        for (; t < 4 * 3600 && r == 0; t += 1) {
                struct gm_metrics m = running_snapshot(t);
                r = gm_session_push_metrics(s, &m);
        }
        cr_expect_eq(r, -ENOBUFS, "the queue never filled in 4 hours");
        struct gm_session_event ev;
        size_t minutes = 0, starts = 0;
        while (gm_session_next_event(s, &ev)) {
                minutes += ev.kind == GM_SESSION_MINUTE;
                starts += ev.kind == GM_SESSION_RUN_START;
                if (ev.kind == GM_SESSION_MINUTE)
                        cr_expect_eq(ev.minute.t_s, 60.0 * (minutes - 1), "minute %zu at %.0f s", minutes,
                                     ev.minute.t_s);
        }
        cr_expect_eq(starts, 1);
        cr_expect_gt(minutes, 30);
        struct gm_metrics m = running_snapshot(t);
        cr_expect_eq(gm_session_push_metrics(s, &m), 0, "accepted again once read");
        gm_session_free(s);
}

/* A reloaded configuration: the run in progress takes the new idle time (here longer, which
 * needs a larger queue: events already waiting stay, in order); bad limits change nothing. */
Test(session, new_limits_apply_to_the_run_in_progress)
{
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        sc.idle_timeout_s = 30;
        struct gm_session *s = gm_session_new(&sc);
        cr_assert_not_null(s);
        double t = 0;
        for (; t < 200; t += 1) {
                struct gm_metrics m = running_snapshot(t);
                cr_assert_eq(gm_session_push_metrics(s, &m), 0);
        }
        cr_expect_eq(gm_session_set_limits(s, 0.5, 0.5), -EINVAL);
        cr_expect_eq(gm_session_set_limits(s, 600, 1.5), -EINVAL);
        cr_expect_eq(gm_session_set_limits(s, 7200, 0.6), 0);
        /* 40 minutes idle: the old 30 s would have ended the run long ago. */
        for (; t < 200 + 2400; t += 1) {
                struct gm_metrics m = running_snapshot(t);
                m.activity = GM_ACTIVITY_IDLE;
                cr_assert_eq(gm_session_push_metrics(s, &m), 0, "at %.0f s", t);
        }
        struct gm_session_state st;
        gm_session_current(s, &st);
        cr_expect(st.in_run, "the run ended before the new idle time");
        struct gm_session_event ev;
        size_t starts = 0, ends = 0, minutes = 0;
        double last_t = -1;
        while (gm_session_next_event(s, &ev)) {
                cr_expect(ev.t >= last_t, "events out of order after the queue grew");
                last_t = ev.t;
                starts += ev.kind == GM_SESSION_RUN_START;
                ends += ev.kind == GM_SESSION_RUN_END;
                minutes += ev.kind == GM_SESSION_MINUTE;
        }
        cr_expect_eq(starts, 1);
        cr_expect_eq(ends, 0);
        cr_expect_geq(minutes, 3, "the minutes queued before the change were kept");
        cr_expect_eq(gm_session_end(s, t), 1);
        gm_session_free(s);
}

/* The minutes hold every step of the run, also when its last gait falls on a minute's end:
 * the steps that came with it belong to the minute it ends, not to one never written. */
Test(session, minutes_hold_every_step_when_a_run_ends_on_a_minute)
{
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        struct gm_session *s = gm_session_new(&sc);
        cr_assert_not_null(s);
        uint64_t steps = 0;
        double t = 0;
        for (; t <= 120; t += 1) { /* gait up to 120 s, two minutes exactly */
                struct gm_metrics m = running_snapshot(t);
                m.steps = steps += 3;
                cr_assert_eq(gm_session_push_metrics(s, &m), 0);
        }
        for (; t <= 120 + 2 * sc.idle_timeout_s; t += 1) {
                struct gm_metrics m = running_snapshot(t);
                m.activity = GM_ACTIVITY_IDLE;
                m.steps = steps;
                cr_assert_eq(gm_session_push_metrics(s, &m), 0);
        }
        struct gm_session_event ev;
        uint64_t in_minutes = 0, in_run = 0;
        size_t minutes = 0, ends = 0;
        while (gm_session_next_event(s, &ev)) {
                if (ev.kind == GM_SESSION_MINUTE) {
                        in_minutes += ev.minute.steps;
                        minutes++;
                        cr_log_info("minute at %.0f s, %.0f s long: %llu steps", ev.minute.t_s, ev.minute.length_s,
                                    (unsigned long long)ev.minute.steps);
                }
                if (ev.kind == GM_SESSION_RUN_END) {
                        in_run = ev.summary.steps;
                        ends++;
                        cr_expect_float_eq(ev.summary.duration_s, 120, 1e-9);
                }
        }
        cr_expect_eq(ends, 1);
        cr_expect_eq(minutes, 2, "%zu minutes in a run of 120 s", minutes);
        cr_expect_eq(in_run, 3 * 120, "%llu steps in the run", (unsigned long long)in_run);
        cr_expect_eq(in_minutes, in_run, "%llu steps in the minutes, %llu in the run", (unsigned long long)in_minutes,
                     (unsigned long long)in_run);
        gm_session_free(s);
}
