/* Recovery advice: one small function per rule, applied in the order the runner needs them. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gm_balance.h"
#include "gm_metric.h"
#include "gm_recovery.h"

#define US_PER_DAY (86400LL * 1000000LL)

static void add_action(struct gm_advice *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_action(struct gm_advice *out, const char *fmt, ...)
{
        if (out->n_actions >= GM_ADVICE_ACTIONS_MAX)
                return;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(out->actions[out->n_actions], GM_ADVICE_ACTION_MAX, fmt, ap);
        va_end(ap);
        out->n_actions++;
}

/* An entry of the history that is the run itself. */
static bool same_run(const struct gm_run_summary *run, const struct gm_run_summary *h)
{
        return (run->id != 0 && h->id == run->id) || (run->start_us != 0 && h->start_us == run->start_us);
}

double gm_recovery_acwr(const struct gm_run_summary *run, const struct gm_run_summary *history, size_t n_history,
                        int64_t wall_us)
{
        if (!run || (!history && n_history > 0))
                return NAN;
        double acute = isfinite(run->load) ? run->load : 0;
        double month = acute;
        int64_t earliest = wall_us;
        for (size_t i = 0; i < n_history; i++) {
                const struct gm_run_summary *h = &history[i];
                if (same_run(run, h) || h->start_us > wall_us || !isfinite(h->load))
                        continue;
                int64_t age = wall_us - h->start_us;
                if (age < 7 * US_PER_DAY)
                        acute += h->load;
                if (age < 28 * US_PER_DAY)
                        month += h->load;
                if (h->start_us < earliest)
                        earliest = h->start_us;
        }
        double chronic = month / 4;
        if (wall_us - earliest < GM_RECOVERY_ACWR_MIN_HISTORY_DAYS * US_PER_DAY || !(chronic > 0))
                return NAN;
        return acute / chronic;
}

/* Rule: after a long run the legs need blood flow back to normal before they are stretched. */
static void rule_walk_before_stretching(const struct gm_run_summary *run, struct gm_advice *out)
{
        if (run->duration_s > GM_RECOVERY_LONG_RUN_S)
                add_action(out,
                           "Walk easily for 5 to 10 minutes before you stretch: after a run over 90 minutes "
                           "the muscles need to cool down first");
}

/* Rule: glycogen and fluid are restored fastest right after the effort: it matters after a
 * long or a hard run, not after a few minutes. */
static void rule_refuel(const struct gm_run_summary *run, struct gm_advice *out)
{
        if (run->duration_s >= GM_RECOVERY_REFUEL_RUN_S || run->fatigue_level_max >= 2)
                add_action(out, "Drink and eat within 20 minutes: water with some salt, carbohydrates and protein");
}

/* Rule: light strokes move fluid out of the worked muscles, once they have worked a while
 * or hard. */
static void rule_flush(const struct gm_run_summary *run, struct gm_advice *out)
{
        if (run->duration_s >= GM_RECOVERY_FLUSH_RUN_S || run->fatigue_level_max >= 2)
                add_action(out,
                           "Flush the legs with light, quick strokes toward the heart over the quads, "
                           "hamstrings and calves, a minute or two each");
        else
                add_action(out, "A short run: an easy walk and some mobility are all the recovery it needs");
}

/* Rule: severe fatigue (level 3) needs a day for the muscles to recover, whatever the length. */
static unsigned rule_fatigue_rest(const struct gm_run_summary *run)
{
        return run->fatigue_level_max >= 3 ? 1 : 0;
}

/* The side whose glutes look weaker, or NULL. A lower hip extension (negative SI
 * excursion) or a larger pelvic drop during a side's stance (positive) points to it. */
static const char *weaker_side(const struct gm_run_summary *run)
{
        double hip = run->hip_ext_asym_pct, pelvic = run->pelvic_drop_asym_pct;
        if (isfinite(hip) && fabs(hip) >= GM_RECOVERY_HIP_EXT_ASYM_PCT)
                return hip < 0 ? "left" : "right";
        if (isfinite(pelvic) && fabs(pelvic) >= GM_RECOVERY_PELVIC_ASYM_PCT)
                return pelvic > 0 ? "left" : "right";
        double rl = run->pelvic_drop_rise_deg[0], rr = run->pelvic_drop_rise_deg[1];
        if (isfinite(rl) && rl >= GM_RECOVERY_PELVIC_RISE_DEG && !(rr > rl))
                return "left";
        if (isfinite(rr) && rr >= GM_RECOVERY_PELVIC_RISE_DEG)
                return "right";
        return NULL;
}

/* Hip-extension or pelvic-drop asymmetry beyond its threshold, or a pelvic drop that grew. */
static bool glute_compensation(const struct gm_run_summary *run)
{
        if (weaker_side(run))
                return true;
        /* A summary without the glute fields: fall back to its largest asymmetry. */
        if (!isfinite(run->hip_ext_asym_pct) && !isfinite(run->pelvic_drop_asym_pct) && isfinite(run->asym_max_pct))
                return (gm_metric_from_name(run->asym_metric) == GM_METRIC_HIP_EXT &&
                        run->asym_max_pct >= GM_RECOVERY_HIP_EXT_ASYM_PCT) ||
                       (gm_metric_from_name(run->asym_metric) == GM_METRIC_PELVIC_DROP &&
                        run->asym_max_pct >= GM_RECOVERY_PELVIC_ASYM_PCT);
        return false;
}

/* Rule: weak glutes make the hip flexors and the piriformis take over; release those and
 * strengthen the glutes, because stretching a knot hard does not fix the weakness. */
static void rule_glute_compensation(const struct gm_run_summary *run, struct gm_advice *out)
{
        if (!glute_compensation(run))
                return;
        const char *side = weaker_side(run);
        add_action(out,
                   "Release the hip flexors and the piriformis%s%s with steady pressure (a ball or roller), "
                   "30 to 90 s per spot",
                   side ? ", especially on the " : "", side ? side : "");
        add_action(out,
                   "Strengthen the glutes (bridges, side-lying leg raises, clamshells) in the next days "
                   "instead of deep stretching of the knots");
}

/* Rest days for the run's length and the runner's age. */
static unsigned rest_days_for_run(const struct gm_run_summary *run, unsigned age_years)
{
        bool older = age_years >= GM_RECOVERY_OLDER_AGE;
        if (run->duration_s >= GM_RECOVERY_VERY_LONG_RUN_S)
                return older ? 3 : 2;
        if (run->duration_s > GM_RECOVERY_LONG_RUN_S)
                return older ? 2 : 1;
        return 0;
}

/* Days (24 h windows back from now) with a run among the last 7, this one included. */
static unsigned days_run_this_week(const struct gm_run_summary *run, const struct gm_run_summary *history,
                                   size_t n_history, int64_t wall_us)
{
        unsigned mask = 1; /* this run: today */
        for (size_t i = 0; i < n_history; i++) {
                const struct gm_run_summary *h = &history[i];
                if (same_run(run, h) || h->start_us > wall_us)
                        continue;
                int64_t day = (wall_us - h->start_us) / US_PER_DAY;
                if (day < 7)
                        mask |= 1u << day;
        }
        return (unsigned)__builtin_popcount(mask);
}

/* Rule: muscles and tendons adapt on the days off; two to three a week. */
static unsigned rule_weekly_recovery(unsigned days_run, struct gm_advice *out)
{
        if (days_run >= 6) {
                add_action(out, "You ran on %u of the last 7 days: take a full day off next", days_run);
                return 1;
        }
        add_action(out, "Keep two to three recovery days a week (rest or easy cross-training)");
        return 0;
}

/* Rule: injuries follow sudden jumps in load; the ratio of this week's load to the
 * 4-week average should stay within 0.8 to 1.3. */
static unsigned rule_workload(double acwr, struct gm_advice *out)
{
        if (!isfinite(acwr))
                return 0;
        if (acwr > GM_RECOVERY_ACWR_DANGER) {
                add_action(out,
                           "Warning: this week's load is %.1f times your 4-week average, well above 1.5 where "
                           "injuries become much more likely; take an extra rest day and cut next week's volume",
                           acwr);
                return 1;
        }
        if (acwr > GM_RECOVERY_ACWR_HIGH)
                add_action(out,
                           "This week's load is %.1f times your 4-week average, above the safe 0.8 to 1.3: "
                           "hold next week at this level or lower",
                           acwr);
        else if (acwr < GM_RECOVERY_ACWR_LOW)
                add_action(out,
                           "This week's load is %.1f times your 4-week average, below 0.8: build back up "
                           "gradually, not in one jump",
                           acwr);
        return 0;
}

static void rule_rest_days(unsigned rest_days, struct gm_advice *out)
{
        if (rest_days == 0)
                add_action(out, "No full rest day needed after this run; keep the next day easy");
        else
                add_action(out, "Take %u full day%s off running", rest_days, rest_days == 1 ? "" : "s");
}

static void format_duration(double s, char *buf, size_t size)
{
        long min = lround(s / 60);
        if (min < 60)
                snprintf(buf, size, "%ld min", min);
        else
                snprintf(buf, size, "%ld h %02ld min", min / 60, min % 60);
}

/* The one thing the runner should take away, most important first. */
static void main_finding(const struct gm_run_summary *run, double acwr, char *buf, size_t size)
{
        static const char *const level_names[] = { "", "mild", "marked", "severe" };
        const char *side = weaker_side(run);
        char noun[64];
        if (glute_compensation(run)) {
                char phrase[96];
                enum gm_side s = side && strcmp(side, "left") == 0 ? GM_SIDE_LEFT : GM_SIDE_RIGHT;
                if (side && isfinite(run->hip_ext_asym_pct) &&
                    fabs(run->hip_ext_asym_pct) >= GM_RECOVERY_HIP_EXT_ASYM_PCT)
                        snprintf(buf, size, "signs of glute compensation, %s (balance %.1f points off your baseline)",
                                 gm_balance_side_phrase(gm_metric_name(GM_METRIC_HIP_EXT), s, phrase, sizeof(phrase)),
                                 fabs(gm_balance_shift_points(run->hip_ext_asym_pct)));
                else if (side)
                        snprintf(buf, size, "signs of glute compensation, %s",
                                 gm_balance_side_phrase(gm_metric_name(GM_METRIC_PELVIC_DROP), s, phrase,
                                                        sizeof(phrase)));
                else
                        snprintf(buf, size, "signs of glute compensation in %s",
                                 gm_balance_metric_noun(run->asym_metric, noun, sizeof noun));
        } else if (run->asym_alerted && run->asym_metric[0] && isfinite(run->asym_max_pct) &&
                   run->asym_max_pct >= GM_RECOVERY_OTHER_ASYM_PCT)
                snprintf(buf, size, "%s balance %.1f points off your baseline",
                         gm_balance_metric_noun(run->asym_metric, noun, sizeof noun),
                         gm_balance_shift_points(run->asym_max_pct));
        else if (run->fatigue_level_max >= 1 && run->fatigue_level_max <= 3)
                snprintf(buf, size, "%s fatigue late in the run", level_names[run->fatigue_level_max]);
        else if (isfinite(acwr) && acwr > GM_RECOVERY_ACWR_HIGH)
                snprintf(buf, size, "this week's load is %.1f times your 4-week average", acwr);
        else
                snprintf(buf, size, "steady, symmetric form throughout");
}

static void summarise(const struct gm_run_summary *run, double acwr, struct gm_advice *out)
{
        char duration[32], finding[160], cadence[48] = "";
        format_duration(run->duration_s, duration, sizeof(duration));
        main_finding(run, acwr, finding, sizeof(finding));
        if (isfinite(run->cadence_spm))
                snprintf(cadence, sizeof(cadence), " at %.0f steps/min", run->cadence_spm);
        int n = snprintf(out->summary, sizeof(out->summary), "%s of %s, %llu steps%s: %s.",
                         run->activity == GM_ACTIVITY_WALKING ? "Walk" : "Run", duration,
                         (unsigned long long)run->steps, cadence, finding);
        /* A cut summary says so rather than ending mid-word. */
        if (n >= (int)sizeof(out->summary))
                memcpy(out->summary + sizeof(out->summary) - 4, "...", 4);
}

static unsigned max_u(unsigned a, unsigned b)
{
        return a > b ? a : b;
}

int gm_recovery_advise(const struct gm_run_summary *run, const struct gm_run_summary *history, size_t n_history,
                       int64_t wall_us, unsigned age_years, struct gm_advice *out)
{
        if (!run || !out || (!history && n_history > 0) || !isfinite(run->duration_s) || run->duration_s < 0)
                return -EINVAL;
        memset(out, 0, sizeof(*out));
        out->acwr = gm_recovery_acwr(run, history, n_history, wall_us);

        rule_walk_before_stretching(run, out);
        rule_refuel(run, out);
        rule_flush(run, out);
        rule_glute_compensation(run, out);
        unsigned rest = max_u(rest_days_for_run(run, age_years), rule_fatigue_rest(run));
        rest = max_u(rest, rule_weekly_recovery(days_run_this_week(run, history, n_history, wall_us), out));
        rest += rule_workload(out->acwr, out);
        rule_rest_days(rest, out);
        out->rest_days = rest;
        summarise(run, out->acwr, out);
        return 0;
}
