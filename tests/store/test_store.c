/* The run history on a real SQLite file: round trips, windows, order, damage kept aside. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gm_store.h"

static char state_dir[256];
static char db_path[300];

static void make_dir(void)
{
        const char *tmp = getenv("TMPDIR");
        snprintf(state_dir, sizeof state_dir, "%s/gm-store-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        cr_assert_not_null(mkdtemp(state_dir), "mkdtemp: %s", strerror(errno));
        snprintf(db_path, sizeof db_path, "%s/history.db", state_dir);
}

static void remove_dir(void)
{
        DIR *d = opendir(state_dir);
        struct dirent *e;

        if (!d)
                return;
        while ((e = readdir(d))) {
                char p[600];
                if (e->d_name[0] == '.')
                        continue;
                snprintf(p, sizeof p, "%s/%s", state_dir, e->d_name);
                unlink(p);
        }
        closedir(d);
        rmdir(state_dir);
}

TestSuite(store, .init = make_dir, .fini = remove_dir);

static struct gm_run_summary begin_summary(int64_t start_us, enum gm_activity a)
{
        return (struct gm_run_summary){
                .start_us = start_us,
                .activity = a,
                .cadence_spm = NAN,
                .stance_ms = { NAN, NAN },
                .hip_ext_deg = { NAN, NAN },
                .pelvic_drop_deg = { NAN, NAN },
                .asym_max_pct = NAN,
                .fatigue_max = NAN,
                .load = NAN,
        };
}

static struct gm_run_minute minute(double t_s, unsigned k)
{
        return (struct gm_run_minute){
                .t_s = t_s,
                .steps = 160 + k,
                .cadence_spm = 160.0 + k,
                .stance_ms = { 250.0 + k, 245.0 - k },
                .hip_ext_deg = { 12.0 - 0.5 * k, 12.5 },
                .pelvic_drop_deg = { 4.0, 4.0 + 0.25 * k },
                .asym_max_pct = 2.0 * k,
                .fatigue = 0.1 * k,
                .length_s = 60,
        };
}

static uint64_t begin_run(struct gm_store *s, int64_t start_us)
{
        struct gm_run_summary b = begin_summary(start_us, GM_ACTIVITY_RUNNING);
        uint64_t id = 0;
        cr_assert_eq(gm_store_run_begin(s, &b, &id), 0);
        cr_assert_gt(id, 0);
        return id;
}

static void assert_same_double(double got, double want, const char *what)
{
        if (isnan(want))
                cr_assert(isnan(got), "%s: %g, expected NaN", what, got);
        else
                cr_assert_float_eq(got, want, 1e-9, "%s: %g, expected %g", what, got, want);
}

static void assert_same_minute(const struct gm_run_minute *got, const struct gm_run_minute *want)
{
        assert_same_double(got->t_s, want->t_s, "t_s");
        cr_assert_eq(got->steps, want->steps);
        assert_same_double(got->cadence_spm, want->cadence_spm, "cadence");
        for (int side = 0; side < 2; side++) {
                assert_same_double(got->stance_ms[side], want->stance_ms[side], "stance");
                assert_same_double(got->hip_ext_deg[side], want->hip_ext_deg[side], "hip");
                assert_same_double(got->pelvic_drop_deg[side], want->pelvic_drop_deg[side], "drop");
        }
        assert_same_double(got->asym_max_pct, want->asym_max_pct, "asym");
        assert_same_double(got->fatigue, want->fatigue, "fatigue");
        assert_same_double(got->length_s, want->length_s, "length");
}

static size_t count_files(const char *prefix)
{
        DIR *d = opendir(state_dir);
        struct dirent *e;
        size_t n = 0;

        cr_assert_not_null(d);
        while ((e = readdir(d)))
                if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
                        n++;
        closedir(d);
        return n;
}

/* The name of the one file whose name starts with prefix and has no -wal/-shm suffix. */
static void find_aside(const char *prefix, char *out, size_t size)
{
        DIR *d = opendir(state_dir);
        struct dirent *e;
        int found = 0;

        cr_assert_not_null(d);
        while ((e = readdir(d)))
                if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && !strstr(e->d_name, "-wal") &&
                    !strstr(e->d_name, "-shm")) {
                        snprintf(out, size, "%s/%s", state_dir, e->d_name);
                        found++;
                }
        closedir(d);
        cr_assert_eq(found, 1, "%d files named %s*", found, prefix);
}

static void write_file(const char *path, const void *data, size_t len)
{
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, data, len), (ssize_t)len);
        close(fd);
}

static size_t read_file(const char *path, char *buf, size_t size)
{
        int fd = open(path, O_RDONLY);
        cr_assert_geq(fd, 0, "%s: %s", path, strerror(errno));
        ssize_t n = read(fd, buf, size);
        close(fd);
        cr_assert_geq(n, 0);
        return (size_t)n;
}

Test(store, round_trip)
{
        struct gm_store *s = NULL;
        struct gm_run_minute *mins = NULL, want[3];
        struct gm_run_summary end, got;
        struct gm_advice advice = { .rest_days = 2, .acwr = 1.42, .n_actions = 2 }, got_advice;
        enum gm_store_run_state state;
        size_t n = 0;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t id = begin_run(s, 1700000000000000);
        for (unsigned k = 0; k < 3; k++) {
                want[k] = minute(60.0 * k, k);
                if (k == 2)
                        want[k].length_s = 51.5; /* the run ended during its third minute */
                cr_assert_eq(gm_store_run_minute(s, id, &want[k]), 0);
        }
        cr_assert_eq(gm_store_run_get(s, id, &got, NULL, NULL), 0);
        assert_same_double(got.duration_s, 171.5, "running duration to the end of the partial minute");

        end = (struct gm_run_summary){
                .id = id,
                .start_us = 1700000000000000,
                .duration_s = 171.5,
                .activity = GM_ACTIVITY_RUNNING,
                .steps = 483,
                .cadence_spm = 161.0,
                .stance_ms = { 251, 244 },
                .hip_ext_deg = { 11.5, 12.5 },
                .pelvic_drop_deg = { 4.0, NAN },
                .asym_max_pct = 7.5,
                .asym_metric = "hip_extension",
                .fatigue_max = 0.2,
                .load = 321.5,
                .hip_ext_asym_pct = -8.25,
                .pelvic_drop_asym_pct = NAN,
                .pelvic_drop_rise_deg = { 0.5, 2.25 },
                .fatigue_level_max = 2,
        };
        snprintf(advice.summary, sizeof advice.summary, "Short run; left hip extended less late in the run.");
        snprintf(advice.actions[0], GM_ADVICE_ACTION_MAX, "Hydrate and refuel within 20 minutes.");
        snprintf(advice.actions[1], GM_ADVICE_ACTION_MAX, "Glute bridges, 3 x 12, \"slow\" and 'controlled'.");
        cr_assert_eq(gm_store_run_end(s, &end, &advice), 0);
        s = gm_store_free(s);

        /* Everything must come back from the file, not from memory. */
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        cr_assert_eq(gm_store_run_get(s, id, &got, &got_advice, &state), 0);
        cr_assert_eq(state, GM_STORE_RUN_ENDED);
        cr_assert_eq(got.id, id);
        cr_assert_eq(got.start_us, end.start_us);
        cr_assert_eq(got.activity, GM_ACTIVITY_RUNNING);
        cr_assert_eq(got.steps, 483);
        assert_same_double(got.duration_s, 171.5, "duration");
        assert_same_double(got.cadence_spm, 161.0, "cadence");
        assert_same_double(got.stance_ms[1], 244, "stance right");
        assert_same_double(got.hip_ext_deg[0], 11.5, "hip left");
        assert_same_double(got.pelvic_drop_deg[1], NAN, "drop right");
        assert_same_double(got.asym_max_pct, 7.5, "asym");
        cr_assert_str_eq(got.asym_metric, "hip_extension");
        assert_same_double(got.fatigue_max, 0.2, "fatigue");
        assert_same_double(got.load, 321.5, "load");
        assert_same_double(got.hip_ext_asym_pct, -8.25, "hip extension asymmetry");
        assert_same_double(got.pelvic_drop_asym_pct, NAN, "pelvic drop asymmetry");
        assert_same_double(got.pelvic_drop_rise_deg[0], 0.5, "drop rise left");
        assert_same_double(got.pelvic_drop_rise_deg[1], 2.25, "drop rise right");
        cr_assert_eq(got.fatigue_level_max, 2);
        cr_assert_str_eq(got_advice.summary, advice.summary);
        cr_assert_eq(got_advice.n_actions, 2);
        cr_assert_str_eq(got_advice.actions[0], advice.actions[0]);
        cr_assert_str_eq(got_advice.actions[1], advice.actions[1]);
        cr_assert_eq(got_advice.rest_days, 2);
        assert_same_double(got_advice.acwr, 1.42, "acwr");

        cr_assert_eq(gm_store_run_minutes(s, id, &mins, &n), 0);
        cr_assert_eq(n, 3);
        for (unsigned k = 0; k < 3; k++)
                assert_same_minute(&mins[k], &want[k]);
        free(mins);

        cr_assert_eq(gm_store_run_get(s, id + 1, &got, NULL, NULL), -ENOENT);
        cr_assert_eq(gm_store_run_minutes(s, id + 1, &mins, &n), -ENOENT);
        gm_store_free(s);
}

Test(store, running_summary_and_misuse)
{
        struct gm_store *s = NULL;
        struct gm_run_summary got;
        struct gm_run_minute m;
        enum gm_store_run_state state;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t id = begin_run(s, 1000);
        cr_assert_eq(gm_store_run_get(s, id, &got, NULL, &state), 0);
        cr_assert_eq(state, GM_STORE_RUN_ACTIVE);
        cr_assert_eq(got.steps, 0);

        for (unsigned k = 0; k < 4; k++) {
                m = minute(60.0 * k, k);
                if (k == 2)
                        m.cadence_spm = NAN; /* unknown: left out of the mean, not counted as 0 */
                cr_assert_eq(gm_store_run_minute(s, id, &m), 0);
        }
        cr_assert_eq(gm_store_run_get(s, id, &got, NULL, NULL), 0);
        assert_same_double(got.duration_s, 240.0, "duration");
        cr_assert_eq(got.steps, 160 + 161 + 162 + 163);
        assert_same_double(got.cadence_spm, (160.0 + 161.0 + 163.0) / 3, "cadence mean");
        assert_same_double(got.fatigue_max, 0.3, "fatigue max");
        assert_same_double(got.asym_max_pct, 6.0, "asym max");
        assert_same_double(got.hip_ext_deg[0], (12.0 + 11.5 + 11.0 + 10.5) / 4, "hip mean");

        m = minute(60.0, 9);
        cr_assert_eq(gm_store_run_minute(s, id, &m), -EEXIST, "a second minute at the same time");
        cr_assert_eq(gm_store_run_minute(s, id + 7, &m), -ENOENT);
        m.t_s = NAN;
        cr_assert_eq(gm_store_run_minute(s, id, &m), -EINVAL);
        m = minute(900, 1);
        m.length_s = 61;
        cr_assert_eq(gm_store_run_minute(s, id, &m), -EINVAL, "a minute longer than a minute");
        cr_assert_eq(gm_store_run_get(s, id, &got, NULL, NULL), 0);
        cr_assert_eq(got.steps, 160 + 161 + 162 + 163, "a rejected minute changed the summary");

        got.id = id;
        cr_assert_eq(gm_store_run_end(s, &got, NULL), 0);
        cr_assert_eq(gm_store_run_end(s, &got, NULL), -ESTALE);
        m = minute(600, 1);
        cr_assert_eq(gm_store_run_minute(s, id, &m), -ESTALE);
        got.id = id + 7;
        cr_assert_eq(gm_store_run_end(s, &got, NULL), -ENOENT);
        gm_store_free(s);
}

Test(store, runs_since_window)
{
        const int64_t day = INT64_C(86400) * 1000000, now = INT64_C(1750000000) * 1000000;
        const int64_t ages_days[] = { 30, 8, 7, 6, 1, 0 };
        struct gm_run_summary *runs = NULL;
        struct gm_store *s = NULL;
        uint64_t ids[6];
        size_t n = 99;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        cr_assert_eq(gm_store_runs_since(s, 0, &runs, &n), 0);
        cr_assert_eq(n, 0);
        cr_assert_null(runs);

        /* Inserted newest first: the result must be ordered by start, not by id. */
        for (int i = 5; i >= 0; i--)
                ids[i] = begin_run(s, now - ages_days[i] * day);

        cr_assert_eq(gm_store_runs_since(s, now - 7 * day, &runs, &n), 0);
        cr_assert_eq(n, 4, "runs 7, 6, 1 and 0 days old; got %zu", n);
        for (size_t i = 0; i < n; i++) {
                cr_assert_eq(runs[i].id, ids[i + 2]);
                cr_assert_eq(runs[i].start_us, now - ages_days[i + 2] * day);
        }
        free(runs);

        cr_assert_eq(gm_store_runs_since(s, now + 1, &runs, &n), 0);
        cr_assert_eq(n, 0);
        cr_assert_eq(gm_store_runs_since(s, INT64_MIN, &runs, &n), 0);
        cr_assert_eq(n, 6);
        cr_assert_eq(runs[0].id, ids[0]);
        free(runs);
        gm_store_free(s);
}

Test(store, minutes_in_time_order)
{
        const double order[] = { 180, 0, 120, 60, 240 };
        struct gm_run_minute *mins = NULL;
        struct gm_store *s = NULL;
        size_t n = 0;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t other = begin_run(s, 5);
        uint64_t id = begin_run(s, 10);
        for (size_t i = 0; i < 5; i++) {
                struct gm_run_minute m = minute(order[i], (unsigned)(order[i] / 60));
                cr_assert_eq(gm_store_run_minute(s, id, &m), 0);
        }
        struct gm_run_minute m = minute(30, 99);
        cr_assert_eq(gm_store_run_minute(s, other, &m), 0);

        cr_assert_eq(gm_store_run_minutes(s, id, &mins, &n), 0);
        cr_assert_eq(n, 5);
        for (size_t i = 0; i < n; i++) {
                struct gm_run_minute want = minute(60.0 * i, (unsigned)i);
                assert_same_minute(&mins[i], &want);
        }
        free(mins);
        gm_store_free(s);
}

Test(store, interrupted_run_closed_on_open)
{
        struct gm_run_minute *mins = NULL;
        struct gm_run_summary got;
        struct gm_advice advice;
        enum gm_store_run_state state;
        struct gm_store *s = NULL;
        size_t n = 0;

        cr_redirect_stderr();
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t done = begin_run(s, 100);
        struct gm_run_summary end = begin_summary(100, GM_ACTIVITY_WALKING);
        end.id = done;
        end.duration_s = 900;
        cr_assert_eq(gm_store_run_end(s, &end, NULL), 0);
        uint64_t id = begin_run(s, 200);
        for (unsigned k = 0; k < 2; k++) {
                struct gm_run_minute m = minute(60.0 * k, k);
                cr_assert_eq(gm_store_run_minute(s, id, &m), 0);
        }
        /* No gm_store_run_end(): the process "dies" here. */
        s = gm_store_free(s);

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        fflush(stderr);
        cr_assert_eq(gm_store_run_get(s, id, &got, &advice, &state), 0);
        cr_assert_eq(state, GM_STORE_RUN_INTERRUPTED);
        assert_same_double(got.duration_s, 120, "duration up to the last minute");
        cr_assert_eq(got.steps, 160 + 161);
        cr_assert_str_eq(advice.summary, "");
        cr_assert_eq(advice.n_actions, 0);
        cr_assert_eq(gm_store_run_minutes(s, id, &mins, &n), 0);
        cr_assert_eq(n, 2);
        free(mins);
        struct gm_run_minute late = minute(120, 2);
        cr_assert_eq(gm_store_run_minute(s, id, &late), -ESTALE);

        cr_assert_eq(gm_store_run_get(s, done, &got, NULL, &state), 0);
        cr_assert_eq(state, GM_STORE_RUN_ENDED, "an ended run must stay ended");
        assert_same_double(got.duration_s, 900, "ended duration");
        gm_store_free(s);

        char log[4096] = "";
        size_t len = fread(log, 1, sizeof log - 1, cr_get_redirected_stderr());
        log[len] = 0;
        char want[64];
        snprintf(want, sizeof want, "run %llu was never ended", (unsigned long long)id);
        cr_assert(strstr(log, want), "log: %s", log);
        cr_assert(strstr(log, db_path), "log names the file: %s", log);
}

static void assert_fresh_and_usable(void)
{
        struct gm_run_summary *runs = NULL;
        struct gm_store *s = NULL;
        size_t n = 1;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        cr_assert_eq(gm_store_runs_since(s, INT64_MIN, &runs, &n), 0);
        cr_assert_eq(n, 0, "the new history must start empty");
        uint64_t id = begin_run(s, 42);
        struct gm_run_minute m = minute(0, 0);
        cr_assert_eq(gm_store_run_minute(s, id, &m), 0);
        gm_store_free(s);
}

static const char garbage[] = "this is not an SQLite database, but somebody's precious bytes\n";

Test(store, garbage_file_kept_aside)
{
        char aside[600], buf[512], log[4096] = "";
        struct gm_store *s = NULL;

        cr_redirect_stderr();
        write_file(db_path, garbage, sizeof garbage - 1);
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        gm_store_free(s);

        find_aside("history.db.corrupt-", aside, sizeof aside);
        size_t n = read_file(aside, buf, sizeof buf);
        cr_assert_eq(n, sizeof garbage - 1);
        cr_assert_eq(memcmp(buf, garbage, n), 0, "the corrupt file was changed");
        assert_fresh_and_usable();
        cr_assert_eq(count_files("history.db.corrupt-"), 1, "opening the fresh file set something else aside");

        fflush(stderr);
        size_t len = fread(log, 1, sizeof log - 1, cr_get_redirected_stderr());
        log[len] = 0;
        cr_assert(strstr(log, db_path) && strstr(log, "corrupt") && strstr(log, aside), "log: %s", log);
        /* Reported once: one line about it. */
        cr_assert_eq(strchr(log, '\n'), strrchr(log, '\n'), "log: %s", log);
}

Test(store, damaged_page_kept_aside_with_wal)
{
        char aside[600], wal[700];
        struct gm_store *s = NULL;
        struct stat st;

        cr_redirect_stderr();
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        for (int r = 0; r < 40; r++) {
                uint64_t id = begin_run(s, 1000 + r);
                for (unsigned k = 0; k < 10; k++) {
                        struct gm_run_minute m = minute(60.0 * k, k);
                        cr_assert_eq(gm_store_run_minute(s, id, &m), 0);
                }
        }
        gm_store_free(s);
        cr_assert_eq(stat(db_path, &st), 0);
        cr_assert_gt(st.st_size, 4 * 4096, "the test needs several pages");

        /* Overwrite page 3 (a b-tree page) with junk; also leave a stray WAL beside it. */
        char page[4096];
        memset(page, 0xa5, sizeof page);
        int fd = open(db_path, O_WRONLY);
        cr_assert_geq(fd, 0);
        cr_assert_eq(pwrite(fd, page, sizeof page, 2 * 4096), (ssize_t)sizeof page);
        close(fd);
        char wal_path[400];
        snprintf(wal_path, sizeof wal_path, "%s-wal", db_path);
        write_file(wal_path, garbage, sizeof garbage - 1);

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        gm_store_free(s);
        find_aside("history.db.corrupt-", aside, sizeof aside);
        cr_assert_eq(stat(aside, &st), 0);
        cr_assert_gt(st.st_size, 4 * 4096);
        snprintf(wal, sizeof wal, "%s-wal", aside);
        char buf[512];
        cr_assert_eq(read_file(wal, buf, sizeof buf), sizeof garbage - 1, "the WAL went aside with it");
        assert_fresh_and_usable();
}

Test(store, newer_schema_kept_aside)
{
        char aside[600];
        struct gm_store *s = NULL;
        sqlite3 *db = NULL;

        cr_redirect_stderr();
        cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
        cr_assert_eq(sqlite3_exec(db,
                                  "CREATE TABLE runs (id INTEGER PRIMARY KEY, from_the_future TEXT);"
                                  "INSERT INTO runs VALUES (7, 'keep me');"
                                  "PRAGMA user_version = 99;",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
        sqlite3_close(db);

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        gm_store_free(s);

        find_aside("history.db.newer-", aside, sizeof aside);
        cr_assert_eq(sqlite3_open_v2(aside, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        sqlite3_stmt *st = NULL;
        cr_assert_eq(sqlite3_prepare_v2(db, "SELECT from_the_future FROM runs WHERE id = 7", -1, &st, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "keep me");
        sqlite3_finalize(st);
        cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        cr_assert_eq(sqlite3_column_int(st, 0), 99, "the newer file was modified");
        sqlite3_finalize(st);
        sqlite3_close(db);
        assert_fresh_and_usable();
}

Test(store, foreign_database_kept_aside)
{
        char aside[600];
        struct gm_store *s = NULL;
        sqlite3 *db = NULL;

        cr_redirect_stderr();
        cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
        cr_assert_eq(sqlite3_exec(db, "CREATE TABLE recipes (name TEXT);", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(db);
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        gm_store_free(s);
        find_aside("history.db.foreign-", aside, sizeof aside);
        assert_fresh_and_usable();
}

Test(store, aside_names_never_collide)
{
        struct gm_store *s = NULL;
        char buf[512];

        cr_redirect_stderr();
        /* Three damaged files in (very likely) the same second: three distinct aside files. */
        for (int i = 0; i < 3; i++) {
                char text[64];
                int len = snprintf(text, sizeof text, "garbage number %d\n", i);
                write_file(db_path, text, (size_t)len);
                cr_assert_eq(gm_store_open(state_dir, &s), 0);
                s = gm_store_free(s);
                unlink(db_path);
                char wal[400], shm[400];
                snprintf(wal, sizeof wal, "%s-wal", db_path);
                snprintf(shm, sizeof shm, "%s-shm", db_path);
                unlink(wal);
                unlink(shm);
        }
        cr_assert_eq(count_files("history.db.corrupt-"), 3);

        /* Each one still holds its own bytes. */
        DIR *d = opendir(state_dir);
        struct dirent *e;
        unsigned seen = 0;
        while ((e = readdir(d))) {
                if (strncmp(e->d_name, "history.db.corrupt-", 19) != 0)
                        continue;
                char p[600];
                snprintf(p, sizeof p, "%s/%s", state_dir, e->d_name);
                size_t n = read_file(p, buf, sizeof buf - 1);
                buf[n] = 0;
                int i = -1;
                cr_assert_eq(sscanf(buf, "garbage number %d", &i), 1, "%s holds %s", p, buf);
                seen |= 1u << i;
        }
        closedir(d);
        cr_assert_eq(seen, 7u);
}

Test(store, unopenable_file_left_alone)
{
        struct gm_store *s = NULL;
        char inside[400];

        cr_redirect_stderr();
        /* Not a damaged database but something in the way: report it, move nothing. */
        cr_assert_eq(mkdir(db_path, 0700), 0);
        snprintf(inside, sizeof inside, "%s/keep", db_path);
        write_file(inside, garbage, sizeof garbage - 1);
        cr_assert_lt(gm_store_open(state_dir, &s), 0);
        cr_assert_null(s);
        cr_assert_eq(count_files("history.db."), 0, "something was set aside");
        cr_assert_eq(access(inside, F_OK), 0);
        unlink(inside);
        rmdir(db_path);
}

Test(store, missing_state_directory)
{
        struct gm_store *s = NULL;
        char missing[400];

        cr_redirect_stderr();
        snprintf(missing, sizeof missing, "%s/not-there", state_dir);
        cr_assert_eq(gm_store_open(missing, &s), -ENOENT);
        cr_assert_null(s);
}

Test(store, wal_and_schema_version)
{
        struct gm_store *s = NULL;
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        cr_assert_eq(sqlite3_column_int(st, 0), GM_STORE_SCHEMA_VERSION);
        sqlite3_finalize(st);
        sqlite3_close(db);
        gm_store_free(s);
}

/* A run that began with a walk and was cut short while running is a run. */
Test(store, interrupted_run_has_the_activity_of_most_minutes)
{
        struct gm_store *s = NULL;
        struct gm_run_summary got;
        enum gm_store_run_state state;

        cr_redirect_stderr();
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        struct gm_run_summary b = begin_summary(300, GM_ACTIVITY_WALKING);
        uint64_t id = 0;
        cr_assert_eq(gm_store_run_begin(s, &b, &id), 0);
        for (unsigned k = 0; k < 4; k++) {
                struct gm_run_minute m = minute(60.0 * k, k);
                m.activity = k == 0 ? GM_ACTIVITY_WALKING : GM_ACTIVITY_RUNNING;
                cr_assert_eq(gm_store_run_minute(s, id, &m), 0);
        }
        s = gm_store_free(s);
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        cr_assert_eq(gm_store_run_get(s, id, &got, NULL, &state), 0);
        cr_assert_eq(state, GM_STORE_RUN_INTERRUPTED);
        cr_assert_eq(got.activity, GM_ACTIVITY_RUNNING, "activity %s", gm_activity_name(got.activity));
        struct gm_run_minute *mins = NULL;
        size_t n = 0;
        cr_assert_eq(gm_store_run_minutes(s, id, &mins, &n), 0);
        cr_assert_eq(n, 4);
        cr_assert_eq(mins[0].activity, GM_ACTIVITY_WALKING);
        cr_assert_eq(mins[3].activity, GM_ACTIVITY_RUNNING);
        free(mins);
        gm_store_free(s);
}

/* A history written by the previous schema (version 1: minutes without their activity) is
 * brought forward in place, its runs kept. */
Test(store, version_1_history_migrated)
{
        sqlite3 *db = NULL;
        cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
        static const char v1[] =
                "CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, start_us INTEGER NOT NULL,"
                " state TEXT NOT NULL CHECK (state IN ('active', 'ended', 'interrupted')), activity TEXT NOT NULL,"
                " duration_s REAL NOT NULL DEFAULT 0, steps INTEGER NOT NULL DEFAULT 0, cadence_spm REAL,"
                " stance_left_ms REAL, stance_right_ms REAL, hip_ext_left_deg REAL, hip_ext_right_deg REAL,"
                " pelvic_drop_left_deg REAL, pelvic_drop_right_deg REAL, asym_max_pct REAL,"
                " asym_metric TEXT NOT NULL DEFAULT '', fatigue_max REAL, load REAL, hip_ext_asym_pct REAL,"
                " pelvic_drop_asym_pct REAL, pelvic_drop_rise_left_deg REAL, pelvic_drop_rise_right_deg REAL,"
                " fatigue_level_max INTEGER NOT NULL DEFAULT 0, advice_summary TEXT NOT NULL DEFAULT '',"
                " rest_days INTEGER NOT NULL DEFAULT 0, acwr REAL);"
                "CREATE INDEX runs_by_start ON runs (start_us);"
                "CREATE TABLE run_minutes (run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
                " t_s REAL NOT NULL, steps INTEGER NOT NULL, cadence_spm REAL, stance_left_ms REAL,"
                " stance_right_ms REAL, hip_ext_left_deg REAL, hip_ext_right_deg REAL, pelvic_drop_left_deg REAL,"
                " pelvic_drop_right_deg REAL, asym_max_pct REAL, fatigue REAL, length_s REAL NOT NULL,"
                " PRIMARY KEY (run_id, t_s)) WITHOUT ROWID;"
                "CREATE TABLE run_actions (run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
                " position INTEGER NOT NULL, text TEXT NOT NULL, PRIMARY KEY (run_id, position)) WITHOUT ROWID;"
                "INSERT INTO runs (start_us, state, activity, duration_s, steps) VALUES (42, 'ended', 'running', 600, "
                "1700);"
                "INSERT INTO run_minutes (run_id, t_s, steps, length_s) VALUES (1, 0, 170, 60);"
                "PRAGMA user_version = 1;";
        cr_assert_eq(sqlite3_exec(db, v1, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
        sqlite3_close(db);

        struct gm_store *s = NULL;
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        struct gm_run_summary got;
        enum gm_store_run_state state;
        cr_assert_eq(gm_store_run_get(s, 1, &got, NULL, &state), 0);
        cr_assert_eq(state, GM_STORE_RUN_ENDED);
        cr_assert_eq(got.steps, 1700);
        cr_assert_eq(got.activity, GM_ACTIVITY_RUNNING);
        struct gm_run_minute *mins = NULL;
        size_t n = 0;
        cr_assert_eq(gm_store_run_minutes(s, 1, &mins, &n), 0);
        cr_assert_eq(n, 1);
        cr_assert_eq(mins[0].activity, GM_ACTIVITY_IDLE, "a minute of then has no activity");
        free(mins);
        uint64_t id = begin_run(s, 500);
        struct gm_run_minute m = minute(0, 1);
        m.activity = GM_ACTIVITY_WALKING;
        cr_assert_eq(gm_store_run_minute(s, id, &m), 0);
        gm_store_free(s);

        cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        sqlite3_stmt *st = NULL;
        cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
        cr_assert_eq(sqlite3_column_int(st, 0), GM_STORE_SCHEMA_VERSION);
        sqlite3_finalize(st);
        sqlite3_close(db);
}

/* A run cut before its first minute was kept is no run: it leaves no empty entry. */
Test(store, empty_interrupted_run_dropped)
{
        struct gm_store *s = NULL;
        struct gm_run_summary got;
        enum gm_store_run_state state;

        cr_redirect_stderr();
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t empty = begin_run(s, 700);
        s = gm_store_free(s);
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        cr_assert_eq(gm_store_run_get(s, empty, &got, NULL, &state), -ENOENT);
        struct gm_run_summary *runs = NULL;
        size_t n = 99;
        cr_assert_eq(gm_store_runs_since(s, 0, &runs, &n), 0);
        cr_assert_eq(n, 0);
        free(runs);
        gm_store_free(s);
        fflush(stderr);
        char log[4096] = "";
        size_t len = fread(log, 1, sizeof log - 1, cr_get_redirected_stderr());
        log[len] = 0;
        cr_assert(strstr(log, "nothing of it was kept; dropped"), "log: %s", log);
}

/* Between minutes the run's progress is saved: a crash loses seconds, not a minute, and a
 * run with progress but no minute yet is kept. Progress never makes a run shorter. */
Test(store, progress_between_minutes)
{
        struct gm_store *s = NULL;
        struct gm_run_summary got;
        enum gm_store_run_state state;

        cr_redirect_stderr();
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t id = begin_run(s, 900);
        cr_assert_eq(gm_store_run_progress(s, id, 25, 70), 0);
        cr_assert_eq(gm_store_run_get(s, id, &got, NULL, &state), 0);
        assert_same_double(got.duration_s, 25, "progress duration");
        cr_assert_eq(got.steps, 70);
        struct gm_run_minute m = minute(0, 0);
        cr_assert_eq(gm_store_run_minute(s, id, &m), 0);
        cr_assert_eq(gm_store_run_progress(s, id, 50, 100), 0); /* behind the minute: no step back */
        cr_assert_eq(gm_store_run_get(s, id, &got, NULL, &state), 0);
        assert_same_double(got.duration_s, 60, "minute duration");
        cr_assert_eq(got.steps, 160);
        cr_assert_eq(gm_store_run_progress(s, id, 75, 200), 0);
        cr_assert_eq(gm_store_run_progress(s, 424242, 75, 200), -ENOENT);
        s = gm_store_free(s);

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        cr_assert_eq(gm_store_run_get(s, id, &got, NULL, &state), 0);
        cr_assert_eq(state, GM_STORE_RUN_INTERRUPTED);
        assert_same_double(got.duration_s, 75, "kept up to the last progress");
        cr_assert_eq(got.steps, 200);
        cr_assert_eq(gm_store_run_progress(s, id, 80, 210), -ESTALE);
        uint64_t early = begin_run(s, 1000);
        cr_assert_eq(gm_store_run_progress(s, early, 9, 25), 0);
        s = gm_store_free(s);
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        cr_assert_eq(gm_store_run_get(s, early, &got, NULL, &state), 0, "a run with progress and no minute is kept");
        cr_assert_eq(got.steps, 25);
        gm_store_free(s);
}

/* Reads a whole file (NULL-terminated); *len its size. Missing: NULL. */
static char *slurp(const char *path, size_t *len)
{
        FILE *f = fopen(path, "rb");
        if (!f)
                return NULL;
        char *buf = NULL;
        size_t n = 0, cap = 0;
        for (;;) {
                if (n + 4096 > cap) {
                        cap = cap ? cap * 2 : 65536;
                        buf = realloc(buf, cap);
                        cr_assert_not_null(buf);
                }
                size_t k = fread(buf + n, 1, cap - n, f);
                if (k == 0)
                        break;
                n += k;
        }
        fclose(f);
        *len = n;
        return buf;
}

static bool file_holds(const char *path, const char *needle)
{
        size_t len = 0;
        char *buf = slurp(path, &len);
        bool found = buf && memmem(buf, len, needle, strlen(needle)) != NULL;
        free(buf);
        return found;
}

/* A history made by gaitmond at schema version 2 (tests/store/history-v2.sql, dumped from a
 * database that gm_store of then wrote) opens, gains the strides table, and reads as it was. */
Test(store, version_2_history_from_the_previous_gaitmond)
{
        const char *dir = getenv("GM_STORE_FIXTURES");
        char fixture[512];
        size_t len = 0;
        sqlite3 *db = NULL;

        cr_assert_not_null(dir, "GM_STORE_FIXTURES is not set");
        snprintf(fixture, sizeof fixture, "%s/history-v2.sql", dir);
        char *sql = slurp(fixture, &len);
        cr_assert_not_null(sql, "%s: %s", fixture, strerror(errno));
        sql = realloc(sql, len + 1);
        sql[len] = 0;
        cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
        cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
        sqlite3_close(db);
        free(sql);

        cr_redirect_stderr(); /* run 2 was left active: reported as interrupted */
        struct gm_store *s = NULL;
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        struct gm_run_summary run;
        struct gm_advice advice;
        enum gm_store_run_state state;
        cr_assert_eq(gm_store_run_get(s, 1, &run, &advice, &state), 0);
        cr_assert_eq(state, GM_STORE_RUN_ENDED);
        cr_assert_eq(run.start_us, 1780000000000000LL);
        cr_assert_eq(run.activity, GM_ACTIVITY_RUNNING);
        cr_assert_float_eq(run.duration_s, 162, 1e-9);
        cr_assert_eq(run.steps, 513);
        cr_assert_float_eq(run.cadence_spm, 171.5, 1e-9);
        cr_assert_float_eq(run.hip_ext_deg[GM_SIDE_LEFT], 11.5, 1e-9);
        cr_assert_str_eq(run.asym_metric, "hip_extension");
        cr_assert_float_eq(run.hip_ext_asym_pct, -7.5, 1e-9);
        cr_assert(isnan(run.pelvic_drop_rise_deg[GM_SIDE_RIGHT]));
        cr_assert_eq(run.fatigue_level_max, 1);
        cr_assert_str_eq(advice.summary, "Easy run next; the left hip tired.");
        cr_assert_eq(advice.n_actions, 2);
        cr_assert_str_eq(advice.actions[1], "Rest a day");
        cr_assert_eq(advice.rest_days, 1);
        cr_assert_float_eq(advice.acwr, 1.1, 1e-9);

        struct gm_run_minute *mins = NULL;
        size_t n = 0;
        cr_assert_eq(gm_store_run_minutes(s, 2, &mins, &n), 0);
        cr_assert_eq(n, 3);
        cr_assert(isnan(mins[1].hip_ext_deg[GM_SIDE_LEFT]));
        cr_assert_float_eq(mins[2].length_s, 42, 1e-9);
        cr_assert_eq(mins[2].activity, GM_ACTIVITY_RUNNING);
        free(mins);
        cr_assert_eq(gm_store_run_get(s, 2, NULL, NULL, &state), 0);
        cr_assert_eq(state, GM_STORE_RUN_INTERRUPTED);

        /* The old runs have no strides; a new run keeps its own. */
        struct gm_stride_record *strides = NULL;
        cr_assert_eq(gm_store_run_strides_get(s, 1, 0, INFINITY, &strides, &n), 0);
        cr_assert_eq(n, 0);
        free(strides);
        uint64_t id = begin_run(s, 1780200000000000LL);
        struct gm_stride_record st = { .t_s = 1.25, .side = GM_SIDE_LEFT, .stance_ms = 250, .hip_ext_deg = NAN };
        cr_assert_eq(gm_store_run_strides(s, id, &st, 1), 0);
        cr_assert_eq(gm_store_run_strides_get(s, id, 0, INFINITY, &strides, &n), 0);
        cr_assert_eq(n, 1);
        cr_assert_float_eq(strides[0].stance_ms, 250, 1e-9);
        free(strides);
        gm_store_free(s);

        cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        sqlite3_stmt *q = NULL;
        cr_assert_eq(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &q, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
        cr_assert_eq(sqlite3_column_int(q, 0), GM_STORE_SCHEMA_VERSION);
        sqlite3_finalize(q);
        sqlite3_close(db);
}

/* A column the tables have and an older file lacks is added, reading as unknown in old rows. */
Test(store, missing_column_added_on_open)
{
        struct gm_store *s = NULL;
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t id = begin_run(s, 1000);
        cr_assert_eq(gm_store_run_minute(s, id, &(struct gm_run_minute){ .t_s = 0, .steps = 10, .length_s = 60 }), 0);
        gm_store_free(s);

        sqlite3 *db = NULL;
        cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
        cr_assert_eq(sqlite3_exec(db, "ALTER TABLE runs DROP COLUMN load; PRAGMA user_version = 2", NULL, NULL, NULL),
                     SQLITE_OK, "%s", sqlite3_errmsg(db));
        sqlite3_close(db);

        cr_redirect_stderr();
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        struct gm_run_summary run;
        cr_assert_eq(gm_store_run_get(s, id, &run, NULL, NULL), 0);
        cr_assert(isnan(run.load));
        cr_assert_eq(run.steps, 10);
        gm_store_free(s);
}

Test(store, strides_kept_and_pruned)
{
        struct gm_store *s = NULL;
        struct gm_stride_record *got = NULL;
        size_t n = 0;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t old = begin_run(s, 1000000);
        uint64_t recent = begin_run(s, 5000000);
        struct gm_stride_record st[3] = {
                { .t_s = 0.5,
                  .side = GM_SIDE_LEFT,
                  .stride_ms = 720,
                  .stance_ms = 250,
                  .swing_ms = 470,
                  .hip_ext_deg = 12.5,
                  .pelvic_drop_deg = 4,
                  .impact_g = 3.25,
                  .activity = GM_ACTIVITY_RUNNING },
                { .t_s = 0.86,
                  .side = GM_SIDE_RIGHT,
                  .stride_ms = 715,
                  .stance_ms = 255,
                  .swing_ms = NAN,
                  .hip_ext_deg = NAN,
                  .pelvic_drop_deg = 5,
                  .impact_g = 3,
                  .activity = GM_ACTIVITY_RUNNING },
                { .t_s = 1.22,
                  .side = GM_SIDE_LEFT,
                  .stride_ms = 718,
                  .stance_ms = 251,
                  .swing_ms = 467,
                  .hip_ext_deg = 12,
                  .pelvic_drop_deg = 4.5,
                  .impact_g = 3.5,
                  .activity = GM_ACTIVITY_WALKING },
        };
        cr_assert_eq(gm_store_run_strides(s, old, st, 3), 0);
        cr_assert_eq(gm_store_run_strides(s, recent, st, 2), 0);
        /* Given again after a failed commit: kept once. */
        cr_assert_eq(gm_store_run_strides(s, recent, st, 2), 0);
        struct gm_stride_record bad = { .t_s = 1, .side = GM_SIDE_UNKNOWN };
        cr_assert_eq(gm_store_run_strides(s, recent, &bad, 1), -EINVAL);
        cr_assert_eq(gm_store_run_strides(s, 999, st, 1), -ENOENT);

        cr_assert_eq(gm_store_run_strides_get(s, old, 0, INFINITY, &got, &n), 0);
        cr_assert_eq(n, 3);
        for (size_t i = 0; i < n; i++) {
                cr_assert_float_eq(got[i].t_s, st[i].t_s, 1e-12);
                cr_assert_eq(got[i].side, st[i].side);
                cr_assert_float_eq(got[i].stance_ms, st[i].stance_ms, 1e-12);
                cr_assert_float_eq(got[i].impact_g, st[i].impact_g, 1e-12);
                cr_assert_eq(got[i].activity, st[i].activity);
        }
        cr_assert(isnan(got[1].hip_ext_deg) && isnan(got[1].swing_ms));
        free(got);
        cr_assert_eq(gm_store_run_strides_get(s, recent, 0, INFINITY, &got, &n), 0);
        cr_assert_eq(n, 2);
        free(got);

        /* Ended, then older than the retention: the strides go, the run stays. */
        struct gm_run_summary end = begin_summary(1000000, GM_ACTIVITY_RUNNING);
        end.id = old;
        cr_assert_eq(gm_store_run_end(s, &end, NULL), 0);
        end.id = recent;
        end.start_us = 5000000;
        cr_assert_eq(gm_store_run_end(s, &end, NULL), 0);
        cr_assert_eq(gm_store_prune_strides(s, 2000000), 3);
        cr_assert_eq(gm_store_run_strides_get(s, old, 0, INFINITY, &got, &n), 0);
        cr_assert_eq(n, 0);
        free(got);
        cr_assert_eq(gm_store_run_get(s, old, NULL, NULL, NULL), 0);
        cr_assert_eq(gm_store_run_strides_get(s, recent, 0, INFINITY, &got, &n), 0);
        cr_assert_eq(n, 2);
        free(got);
        gm_store_free(s);
}

/* Deleting a run leaves none of its bytes in the database or its WAL; the run in progress and an
 * unknown id are refused with nothing changed. */
Test(store, deleted_run_is_gone_from_the_files)
{
        static const char marker[] = "ZEBRA-7f3c-delete-me";
        char wal[400];
        struct gm_store *s = NULL;
        struct gm_advice advice = { .n_actions = 1, .rest_days = 2, .acwr = NAN };

        snprintf(wal, sizeof wal, "%s-wal", db_path);
        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t keep = begin_run(s, 1000);
        uint64_t gone = begin_run(s, 2000);
        for (unsigned k = 0; k < 5; k++)
                cr_assert_eq(gm_store_run_minute(s, gone, &(struct gm_run_minute){ .t_s = 60.0 * k, .steps = 150 + k }),
                             0);
        struct gm_stride_record st = { .t_s = 1, .side = GM_SIDE_LEFT, .stance_ms = 250 };
        cr_assert_eq(gm_store_run_strides(s, gone, &st, 1), 0);
        snprintf(advice.summary, sizeof advice.summary, "%s summary", marker);
        snprintf(advice.actions[0], GM_ADVICE_ACTION_MAX, "%s action", marker);
        struct gm_run_summary end = begin_summary(2000, GM_ACTIVITY_RUNNING);
        end.id = gone;
        snprintf(end.asym_metric, sizeof end.asym_metric, "%.20s", marker);
        cr_assert_eq(gm_store_run_end(s, &end, &advice), 0);
        cr_assert(file_holds(db_path, marker) || file_holds(wal, marker), "the marker was never written");

        cr_assert_eq(gm_store_run_delete(s, keep), -EBUSY, "the run in progress is refused");
        cr_assert_eq(gm_store_run_delete(s, 12345), -ENOENT);
        cr_assert_eq(gm_store_run_delete(s, gone), 0);
        cr_assert_eq(gm_store_run_get(s, gone, NULL, NULL, NULL), -ENOENT);
        cr_assert_eq(gm_store_run_get(s, keep, NULL, NULL, NULL), 0);
        cr_assert_eq(gm_store_run_delete(s, gone), -ENOENT);
        cr_assert_not(file_holds(db_path, marker), "the deleted run is still in %s", db_path);
        cr_assert_not(file_holds(wal, marker), "the deleted run is still in the WAL");

        /* Nothing of it anywhere, as sqlite3 sees the file. */
        sqlite3 *db = NULL;
        sqlite3_stmt *q = NULL;
        cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
        cr_assert_eq(sqlite3_prepare_v2(db,
                                        "SELECT (SELECT count(*) FROM run_minutes WHERE run_id = ?1) + "
                                        "(SELECT count(*) FROM run_strides WHERE run_id = ?1) + "
                                        "(SELECT count(*) FROM run_actions WHERE run_id = ?1)",
                                        -1, &q, NULL),
                     SQLITE_OK);
        sqlite3_bind_int64(q, 1, (sqlite3_int64)gone);
        cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
        cr_assert_eq(sqlite3_column_int(q, 0), 0);
        sqlite3_finalize(q);
        sqlite3_close(db);
        gm_store_free(s);
}
