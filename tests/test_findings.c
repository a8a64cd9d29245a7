/* The findings truth table (bench/findings) as tests: no false alarm in any symmetric
 * scenario, every weakness found on its side in time and named by the run's summary. */
#include <criterion/criterion.h>
#include <math.h>

#include "findings-cases.h"

Test(findings, truth_table, .timeout = 600)
{
        for (size_t i = 0; i < findings_n_cases; i++) {
                const struct findings_case *c = &findings_cases[i];
                struct findings_result r;
                cr_assert_eq(findings_run(c, &r), 0, "%s could not run", c->name);
                cr_log_info("%s: %u spikes, %u false, fatigue level %u, found after %.0f strides", c->name, r.spikes,
                            r.false_alarms, r.fatigue_level_max, r.found_after_strides);
                cr_expect_eq(r.false_alarms, 0, "%s: %u false alarms", c->name, r.false_alarms);
                if (c->weak_side < 0 && !c->fatigue)
                        cr_expect_leq(r.fatigue_level_max, 1, "%s: fatigue level %u", c->name, r.fatigue_level_max);
                cr_expect(r.pass, "%s: %s (summary: %s)", c->name, r.why, r.advice.summary);
                cr_expect_eq(r.runs, 1, "%s: %u runs", c->name, r.runs);
        }
}
