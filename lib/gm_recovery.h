/* Recovery advice after a run: a one-sentence summary, concrete actions and rest days,
 * from the run, the earlier runs and the runner's age. The rules and their reasons are in
 * the README ("Recovery advice"); each is one function in gm_recovery.c. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "gm_run.h"

#define GM_RECOVERY_LONG_RUN_S (90 * 60.0)       /* walk before stretching after this */
#define GM_RECOVERY_VERY_LONG_RUN_S (150 * 60.0) /* two full days off after this */
#define GM_RECOVERY_OLDER_AGE 50                 /* one more rest day from this age */
#define GM_RECOVERY_HIP_EXT_ASYM_PCT 8.0         /* hip-extension SI this far from baseline */
#define GM_RECOVERY_PELVIC_ASYM_PCT 10.0         /* pelvic-drop SI this far from baseline */
#define GM_RECOVERY_PELVIC_RISE_DEG 2.0          /* or a side's pelvic drop up this much */
#define GM_RECOVERY_OTHER_ASYM_PCT 10.0          /* any other metric's SI this far from baseline */
#define GM_RECOVERY_REFUEL_RUN_S (45 * 60.0)     /* refuel at once after this long (or when tired) */
#define GM_RECOVERY_FLUSH_RUN_S (20 * 60.0)      /* flush the legs after this long */
#define GM_RECOVERY_ACWR_LOW 0.8                 /* the workload ratio's safe range */
#define GM_RECOVERY_ACWR_HIGH 1.3
#define GM_RECOVERY_ACWR_DANGER 1.5          /* a stronger warning above this */
#define GM_RECOVERY_ACWR_MIN_HISTORY_DAYS 14 /* no ratio with less history */

/* Acute:chronic workload ratio at wall_us: acute = load of the runs that started in the
 * last 7 days, this run included; chronic = the load of the last 28 days (this run
 * included) divided by 4, i.e. the mean weekly load. NaN when the earliest earlier run
 * started less than 14 days before wall_us, or without load. history in any order. */
double gm_recovery_acwr(const struct gm_run_summary *run, const struct gm_run_summary *history, size_t n_history,
                        int64_t wall_us);

/* Advice for run (its start_us may still be 0), given the earlier runs (any order; an entry
 * with run's id or start time is the run itself and is skipped), the time now and the
 * runner's age (0: unknown, treated as younger). 0 or -EINVAL. */
int gm_recovery_advise(const struct gm_run_summary *run, const struct gm_run_summary *history, size_t n_history,
                       int64_t wall_us, unsigned age_years, struct gm_advice *out);
