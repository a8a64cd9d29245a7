/* The findings truth table (bench/findings) as tests: no false alarm in any symmetric
 * scenario, every weakness found on its side in time and named by the run's summary. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "findings-cases.h"

/* The scenarios whose name holds `only` (NULL: all) with sensors at rate_hz and the model's
 * noise from seed. */
static void truth_table(double rate_hz, unsigned seed, const char *only)
{
        for (size_t i = 0; i < findings_n_cases; i++) {
                const struct findings_case *c = &findings_cases[i];
                if (only && !strstr(c->name, only))
                        continue;
                struct findings_result r;
                cr_assert_eq(findings_run(c, rate_hz, seed, &r), 0, "%s could not run", c->name);
                cr_log_info("%g Hz, seed %u, %s: %u spikes, %u false, fatigue level %u, found after %.0f strides",
                            rate_hz, seed, c->name, r.spikes, r.false_alarms, r.fatigue_level_max,
                            r.found_after_strides);
                cr_expect_eq(r.false_alarms, 0, "%g Hz, seed %u, %s: %u false alarms", rate_hz, seed, c->name,
                             r.false_alarms);
                if (c->weak_side < 0 && !(c->fatigue_per_hour > 0))
                        cr_expect_leq(r.fatigue_level_max, 1, "%s: fatigue level %u", c->name, r.fatigue_level_max);
                if (c->fatigue_per_hour > 0)
                        cr_expect_geq(r.fatigue_level_max, 1, "%s: a tiring runner's fatigue not found", c->name);
                cr_expect(r.pass, "%g Hz, seed %u, %s: %s (summary: %s)", rate_hz, seed, c->name, r.why,
                          r.advice.summary);
                cr_expect_eq(r.runs, 1, "%s: %u runs", c->name, r.runs);
        }
}

Test(findings, truth_table, .timeout = 600)
{
        truth_table(FINDINGS_RATE_HZ, FINDINGS_SEED, NULL);
}

/* Tiring runs' cadence drifts against the sample clock, and with it where the samples fall on
 * each side's impact. These seeds raised a false impact alert when the impact's balance was
 * judged at 104 Hz and from 6 points at 208 Hz. */
Test(findings, tiring_runs_at_104_and_208_hz, .timeout = 600)
{
        truth_table(104, 2, "tiring");
        truth_table(208, 4, "tiring");
}
