/* Writes runs into a history the way gaitmond does, to be killed with SIGKILL, and checks
 * what a reopen finds. Every value is a function of (run start, minute), so a torn or lost
 * write shows up as a wrong value, not only as a wrong count.
 *
 *   store-crash-writer prepare DIR N    N complete runs of 5 minutes each
 *   store-crash-writer write DIR START  begin a run at START µs, then commit minutes forever,
 *                                       printing each minute's index once it is committed
 *   store-crash-writer check DIR N START COMMITTED
 *                                       reopen: the N prepared runs intact, the run at START
 *                                       interrupted with at least COMMITTED contiguous minutes;
 *                                       prints how many minutes it has
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gm_store.h"

#define PREPARED_START_US INT64_C(1700000000000000)
#define PREPARED_MINUTES 5

static struct gm_run_minute minute_for(int64_t start_us, unsigned k)
{
        unsigned seed = (unsigned)(start_us / 1000000 % 1000);
        return (struct gm_run_minute){
                .t_s = 60.0 * k,
                .steps = 150 + (k * 7 + seed) % 40,
                .cadence_spm = 150.0 + (k * 7 + seed) % 40,
                .stance_ms = { 240.0 + k, 238.0 + seed % 10 },
                .hip_ext_deg = { 12.0 - 0.01 * k, 12.0 },
                .pelvic_drop_deg = { 4.0 + 0.001 * k, 4.5 },
                .asym_max_pct = (double)(k % 9),
                .fatigue = fmin(1.0, 0.001 * k),
        };
}

static int prepare(const char *dir, unsigned n)
{
        struct gm_store *s = NULL;
        int r;

        r = gm_store_open(dir, &s);
        if (r < 0)
                return r;
        for (unsigned i = 0; i < n && r >= 0; i++) {
                int64_t start = PREPARED_START_US + (int64_t)i * 3600 * 1000000;
                struct gm_run_summary run = { .start_us = start, .activity = GM_ACTIVITY_RUNNING };
                uint64_t id;

                r = gm_store_run_begin(s, &run, &id);
                for (unsigned k = 0; k < PREPARED_MINUTES && r >= 0; k++) {
                        struct gm_run_minute m = minute_for(start, k);
                        r = gm_store_run_minute(s, id, &m);
                }
                if (r < 0)
                        break;
                run = (struct gm_run_summary){
                        .id = id,
                        .start_us = start,
                        .activity = GM_ACTIVITY_RUNNING,
                        .duration_s = PREPARED_MINUTES * 60,
                        .steps = 1000 + i,
                        .cadence_spm = 170,
                        .asym_max_pct = 3,
                        .fatigue_max = 0.1,
                        .load = 50 + i,
                };
                struct gm_advice advice = { .n_actions = 1, .rest_days = i % 3, .acwr = 1.0 };
                snprintf(advice.summary, sizeof advice.summary, "prepared run %u", i);
                snprintf(advice.actions[0], GM_ADVICE_ACTION_MAX, "action of run %u", i);
                r = gm_store_run_end(s, &run, &advice);
        }
        gm_store_free(s);
        return r;
}

static int write_forever(const char *dir, int64_t start)
{
        struct gm_run_summary run = { .start_us = start, .activity = GM_ACTIVITY_RUNNING };
        struct gm_store *s = NULL;
        uint64_t id;
        int r;

        r = gm_store_open(dir, &s);
        if (r < 0)
                return r;
        r = gm_store_run_begin(s, &run, &id);
        for (unsigned k = 0; r >= 0; k++) {
                struct gm_run_minute m = minute_for(start, k);
                r = gm_store_run_minute(s, id, &m);
                if (r >= 0) {
                        printf("%u\n", k);
                        fflush(stdout);
                }
        }
        gm_store_free(s);
        return r;
}

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fputs("check: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return -EBADMSG;
}

static int same_minute(const struct gm_run_minute *a, const struct gm_run_minute *b)
{
        return a->t_s == b->t_s && a->steps == b->steps && a->cadence_spm == b->cadence_spm &&
               a->stance_ms[0] == b->stance_ms[0] && a->stance_ms[1] == b->stance_ms[1] &&
               a->hip_ext_deg[0] == b->hip_ext_deg[0] && a->hip_ext_deg[1] == b->hip_ext_deg[1] &&
               a->pelvic_drop_deg[0] == b->pelvic_drop_deg[0] && a->pelvic_drop_deg[1] == b->pelvic_drop_deg[1] &&
               a->asym_max_pct == b->asym_max_pct && a->fatigue == b->fatigue;
}

static int check_minutes(struct gm_store *s, uint64_t id, int64_t start, size_t *ret_n)
{
        struct gm_run_minute *mins = NULL;
        size_t n = 0;
        int r;

        r = gm_store_run_minutes(s, id, &mins, &n);
        if (r < 0)
                return fail("minutes of run %" PRIu64 ": %s", id, strerror(-r));
        for (size_t k = 0; k < n && r >= 0; k++) {
                struct gm_run_minute want = minute_for(start, (unsigned)k);
                if (!same_minute(&mins[k], &want))
                        r = fail("run %" PRIu64 " minute %zu differs from what was written", id, k);
        }
        free(mins);
        *ret_n = n;
        return r;
}

static int check(const char *dir, unsigned n_prepared, int64_t start, unsigned committed)
{
        struct gm_run_summary *runs = NULL;
        struct gm_store *s = NULL;
        size_t n = 0, n_minutes = 0;
        int r;

        r = gm_store_open(dir, &s);
        if (r < 0)
                return fail("open: %s", strerror(-r));
        r = gm_store_runs_since(s, INT64_MIN, &runs, &n);
        if (r < 0) {
                gm_store_free(s);
                return fail("runs: %s", strerror(-r));
        }
        unsigned found_prepared = 0, found_crashed = 0;
        for (size_t i = 0; i < n && r >= 0; i++) {
                struct gm_advice advice;
                enum gm_store_run_state state;
                size_t m;

                r = gm_store_run_get(s, runs[i].id, NULL, &advice, &state);
                if (r < 0)
                        break;
                if (runs[i].start_us == start) {
                        found_crashed++;
                        if (state != GM_STORE_RUN_INTERRUPTED)
                                r = fail("the killed run is %s, not interrupted", gm_store_run_state_name(state));
                        if (r >= 0)
                                r = check_minutes(s, runs[i].id, start, &n_minutes);
                        if (r >= 0 && n_minutes < committed)
                                r = fail("the killed run has %zu minutes, %u were committed", n_minutes, committed);
                        if (r >= 0 && runs[i].duration_s != 60.0 * (double)n_minutes)
                                r = fail("the killed run lasts %g s with %zu minutes", runs[i].duration_s, n_minutes);
                        continue;
                }
                int64_t k = (runs[i].start_us - PREPARED_START_US) / (INT64_C(3600) * 1000000);
                if (k < 0 || k >= n_prepared)
                        continue; /* a run killed in an earlier round */
                found_prepared++;
                char want[64];
                snprintf(want, sizeof want, "prepared run %u", (unsigned)k);
                if (state != GM_STORE_RUN_ENDED || runs[i].steps != 1000 + (uint64_t)k ||
                    runs[i].load != 50.0 + (double)k || strcmp(advice.summary, want) != 0 || advice.n_actions != 1)
                        r = fail("prepared run %u changed", (unsigned)k);
                if (r >= 0)
                        r = check_minutes(s, runs[i].id, runs[i].start_us, &m);
                if (r >= 0 && m != PREPARED_MINUTES)
                        r = fail("prepared run %u has %zu minutes", (unsigned)k, m);
        }
        if (r >= 0 && found_prepared != n_prepared)
                r = fail("%u of %u prepared runs found", found_prepared, n_prepared);
        if (r >= 0 && found_crashed != 1)
                r = fail("%u runs at the killed run's start", found_crashed);
        if (r >= 0)
                printf("%zu\n", n_minutes);
        free(runs);
        gm_store_free(s);
        return r;
}

int main(int argc, char **argv)
{
        int r;

        if (argc == 4 && strcmp(argv[1], "prepare") == 0)
                r = prepare(argv[2], (unsigned)strtoul(argv[3], NULL, 10));
        else if (argc == 4 && strcmp(argv[1], "write") == 0)
                r = write_forever(argv[2], strtoll(argv[3], NULL, 10));
        else if (argc == 6 && strcmp(argv[1], "check") == 0)
                r = check(argv[2], (unsigned)strtoul(argv[3], NULL, 10), strtoll(argv[4], NULL, 10),
                          (unsigned)strtoul(argv[5], NULL, 10));
        else {
                fprintf(stderr, "usage: %s prepare DIR N | write DIR START | check DIR N START COMMITTED\n", argv[0]);
                return 2;
        }
        if (r < 0 && r != -EBADMSG)
                fprintf(stderr, "%s: %s\n", argv[1], strerror(-r));
        return r < 0 ? 1 : 0;
}
