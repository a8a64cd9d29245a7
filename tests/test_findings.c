/* The findings truth table (bench/findings) as tests: no false alarm in any symmetric
 * scenario, every weakness found on its side in time and named by the run's summary. */
#include <criterion/criterion.h>
#include <math.h>

#include "findings-cases.h"

static void truth_table(double rate_hz)
{
        for (size_t i = 0; i < findings_n_cases; i++) {
                const struct findings_case *c = &findings_cases[i];
                struct findings_result r;
                cr_assert_eq(findings_run(c, rate_hz, FINDINGS_SEED, &r), 0, "%s could not run", c->name);
                cr_log_info("%g Hz, %s: %u spikes, %u false, fatigue level %u, found after %.0f strides", rate_hz,
                            c->name, r.spikes, r.false_alarms, r.fatigue_level_max, r.found_after_strides);
                cr_expect_eq(r.false_alarms, 0, "%s: %u false alarms", c->name, r.false_alarms);
                if (c->weak_side < 0 && !(c->fatigue_per_hour > 0))
                        cr_expect_leq(r.fatigue_level_max, 1, "%s: fatigue level %u", c->name, r.fatigue_level_max);
                if (c->fatigue_per_hour > 0)
                        cr_expect_geq(r.fatigue_level_max, 1, "%s: a tiring runner's fatigue not found", c->name);
                cr_expect(r.pass, "%s: %s (summary: %s)", c->name, r.why, r.advice.summary);
                cr_expect_eq(r.runs, 1, "%s: %u runs", c->name, r.runs);
        }
}

Test(findings, truth_table, .timeout = 600)
{
        truth_table(FINDINGS_RATE_HZ);
}

/* Where the impact's balance is judged too (from 200 Hz). */
Test(findings, truth_table_at_208_hz, .timeout = 900)
{
        truth_table(208);
}
