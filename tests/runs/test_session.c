/* Runs from the synthetic gait model through the pipeline: start, minutes, end, fatigue. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "drive.h"

static void log_minutes(const struct drive *d)
{
        const struct gm_session_event *ev;
        for (size_t i = 0; (ev = drive_find(d, GM_SESSION_MINUTE, i)); i++)
                cr_log_info("minute %4.0f s (%2.0f s): %3llu steps, cadence %5.1f, stance %3.0f/%3.0f ms, hip %4.1f/%4.1f, "
                            "drop %3.1f/%3.1f, asym %4.1f, fatigue %.2f",
                            ev->minute.t_s, ev->minute.length_s, (unsigned long long) ev->minute.steps,
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
                    (unsigned long long) end->summary.steps);
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
        cr_log_info("summary: fatigue max %.3f, asym %.1f %s, hip asym %.1f, drop asym %.1f, rise %.2f/%.2f, load %.0f, steps %llu",
                    end->summary.fatigue_max, end->summary.asym_max_pct, end->summary.asym_metric, end->summary.hip_ext_asym_pct, end->summary.pelvic_drop_asym_pct,
                    end->summary.pelvic_drop_rise_deg[0], end->summary.pelvic_drop_rise_deg[1], end->summary.load,
                    (unsigned long long) end->summary.steps);
        drive_free(&d);
}
