/* Run history in SQLite: WAL, synchronous=FULL, one transaction per write. */
#include <errno.h>
#include <float.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gm_record.h"
#include "gm_store.h"
#include "store-file.h"
#include "store-sql.h"
#include "store-sqlite.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

struct gm_store {
        sqlite3 *db;
        char *path;
};

/* The tables' fixed parts; their fields come from the record tables of gm_record.h. */
#define RUNS_HEAD                                \
        "id INTEGER PRIMARY KEY AUTOINCREMENT, " \
        "state TEXT NOT NULL CHECK (state IN ('active', 'ended', 'interrupted'))"
#define CHILD_HEAD "run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE"

/* Where each record lives, and how each of its rows is keyed. */
struct table {
        const char *name;
        const char *head;
        const struct gm_record_desc *const *records; /* NULL-terminated */
        const char *tail;
};

static const struct gm_record_desc *const runs_records[] = { &gm_run_record, &gm_advice_record, NULL };
static const struct gm_record_desc *const minutes_records[] = { &gm_minute_record, NULL };
static const struct gm_record_desc *const strides_records[] = { &gm_stride_record, NULL };

static const struct table tables[] = {
        { "runs", RUNS_HEAD, runs_records, ")" },
        { "run_minutes", CHILD_HEAD, minutes_records, ", PRIMARY KEY (run_id, t_s)) WITHOUT ROWID" },
        { "run_strides", CHILD_HEAD, strides_records, ", PRIMARY KEY (run_id, t_s, side)) WITHOUT ROWID" },
};

static const char *const extra_schema_sql =
        "CREATE INDEX IF NOT EXISTS runs_by_start ON runs (start_us);"
        "CREATE TABLE IF NOT EXISTS run_actions ("
        " run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
        " position INTEGER NOT NULL,"
        " text TEXT NOT NULL,"
        " PRIMARY KEY (run_id, position)) WITHOUT ROWID;";

static const char *const state_names[] = {
        [GM_STORE_RUN_ACTIVE] = "active",
        [GM_STORE_RUN_ENDED] = "ended",
        [GM_STORE_RUN_INTERRUPTED] = "interrupted",
};

const char *gm_store_run_state_name(enum gm_store_run_state state)
{
        if ((unsigned)state >= sizeof(state_names) / sizeof(state_names[0]))
                return NULL;
        return state_names[state];
}

static int state_from_name(const char *name)
{
        for (size_t i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
                if (name && strcmp(name, state_names[i]) == 0)
                        return (int)i;
        return -EBADMSG;
}

static int exec(struct gm_store *s, const char *sql)
{
        return store_errno(s->db, sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

static int prepare(struct gm_store *s, const char *sql, sqlite3_stmt **ret)
{
        return store_errno(s->db, sqlite3_prepare_v2(s->db, sql, -1, ret, NULL));
}

static int step_done(struct gm_store *s, sqlite3_stmt *st)
{
        int rc = sqlite3_step(st);
        return rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW ? -EINVAL : store_errno(s->db, rc);
}

static int begin(struct gm_store *s)
{
        /* IMMEDIATE: take the write lock now rather than fail half way through. */
        return exec(s, "BEGIN IMMEDIATE");
}

static int commit_or_rollback(struct gm_store *s, int r)
{
        if (r >= 0) {
                r = exec(s, "COMMIT");
                if (r >= 0)
                        return 0;
        }
        if (!sqlite3_get_autocommit(s->db))
                (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

static int column_exists(struct gm_store *s, const char *table, const char *column)
{
        sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2", &st);
        if (r < 0)
                return r;
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, column, -1, SQLITE_STATIC);
        int rc = sqlite3_step(st);
        r = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) > 0 : store_errno(s->db, rc);
        sqlite3_finalize(st);
        return r;
}

/* Creates what is missing: the tables, and in tables of an older history the columns of fields
 * added since (NULL or their default in the rows already there). */
static int ensure_tables(struct gm_store *s)
{
        int r = 0;

        for (size_t t = 0; r >= 0 && t < sizeof tables / sizeof tables[0]; t++) {
                const struct table *tb = &tables[t];
                struct store_sql q = {};
                store_sql_add(&q, "CREATE TABLE IF NOT EXISTS %s (%s", tb->name, tb->head);
                for (size_t k = 0; tb->records[k]; k++)
                        for (size_t i = 0; i < tb->records[k]->n_fields; i++) {
                                const struct gm_field *f = &tb->records[k]->fields[i];
                                if (store_field_stored(f))
                                        store_sql_add(&q, ", %s %s", f->column, store_column_decl(f));
                        }
                store_sql_add(&q, "%s", tb->tail);
                char *text = store_sql_finish(&q);
                r = text ? exec(s, text) : -ENOMEM;
                free(text);

                for (size_t k = 0; r >= 0 && tb->records[k]; k++)
                        for (size_t i = 0; r >= 0 && i < tb->records[k]->n_fields; i++) {
                                const struct gm_field *f = &tb->records[k]->fields[i];
                                if (!store_field_stored(f))
                                        continue;
                                r = column_exists(s, tb->name, f->column);
                                if (r != 0)
                                        continue;
                                char *alter = NULL;
                                if (asprintf(&alter, "ALTER TABLE %s ADD COLUMN %s %s", tb->name, f->column,
                                             store_column_decl(f)) < 0)
                                        return -ENOMEM;
                                r = exec(s, alter);
                                free(alter);
                        }
        }
        if (r >= 0)
                r = exec(s, extra_schema_sql);
        return r < 0 ? r : 0;
}

/* A new history, or one of an older gaitmond brought to this schema, in one transaction:
 * 2 each minute keeps its activity; 3 the strides of each run are kept (run_strides). */
static int update_schema(struct gm_store *s)
{
        int r = begin(s);
        if (r < 0)
                return r;
        r = ensure_tables(s);
        if (r >= 0)
                r = exec(s, "PRAGMA user_version = " STRINGIFY(GM_STORE_SCHEMA_VERSION));
        return commit_or_rollback(s, r);
}

static int close_interrupted(struct gm_store *s)
{
        sqlite3_stmt *st = NULL;
        int r;

        r = begin(s);
        if (r < 0)
                return r;
        r = prepare(s,
                    "SELECT id, (SELECT count(*) FROM run_minutes WHERE run_id = id), duration_s "
                    "FROM runs WHERE state = 'active'",
                    &st);
        while (r >= 0) {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = store_errno(s->db, rc);
                        break;
                }
                if (sqlite3_column_int64(st, 1) == 0 && sqlite3_column_double(st, 2) == 0)
                        store_log("%s: run %lld was never ended and nothing of it was kept; dropped", s->path,
                                  (long long)sqlite3_column_int64(st, 0));
                else
                        store_log("%s: run %lld was never ended; kept as interrupted with its %lld minutes (%.0f s)",
                                  s->path, (long long)sqlite3_column_int64(st, 0),
                                  (long long)sqlite3_column_int64(st, 1), sqlite3_column_double(st, 2));
        }
        sqlite3_finalize(st);
        /* A run cut before anything of it was kept is no run. */
        if (r >= 0)
                r = exec(s,
                         "DELETE FROM runs WHERE state = 'active' AND duration_s = 0 AND "
                         "NOT EXISTS (SELECT 1 FROM run_minutes WHERE run_id = runs.id)");
        if (r >= 0)
                r = exec(s, "UPDATE runs SET state = 'interrupted' WHERE state = 'active'");
        return commit_or_rollback(s, r);
}

int gm_store_open(const char *dir, struct gm_store **ret)
{
        struct gm_store *s;
        int64_t version = 0;
        int r;

        if (!dir || !ret)
                return -EINVAL;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        if (asprintf(&s->path, "%s/%s", dir, GM_STORE_FILE) < 0) {
                s->path = NULL;
                r = -ENOMEM;
                goto fail;
        }
        if (access(dir, W_OK | X_OK) < 0) {
                r = -errno;
                goto fail;
        }

        r = store_file_open(s->path, &s->db, &version);
        if (r < 0)
                goto fail;

        /* WAL + FULL: a committed minute survives kill -9 and power loss. */
        r = exec(s, "PRAGMA journal_mode = WAL");
        if (r >= 0)
                r = exec(s, "PRAGMA synchronous = FULL");
        if (r >= 0)
                r = exec(s, "PRAGMA foreign_keys = ON");
        /* Deleted health data is overwritten, not just unlinked from the b-tree. */
        if (r >= 0)
                r = exec(s, "PRAGMA secure_delete = ON");
        /* A minute's row at a time and a rare query: 256 KiB of page cache (SQLite's default
         * is 2000 KiB) are plenty, and bound what the history adds to the daemon's memory. */
        if (r >= 0)
                r = exec(s, "PRAGMA cache_size = -256");
        if (r >= 0 && version < GM_STORE_SCHEMA_VERSION)
                r = update_schema(s);
        if (r >= 0)
                r = close_interrupted(s);
        if (r < 0)
                goto fail;

        *ret = s;
        return 0;

fail:
        gm_store_free(s);
        return r;
}

struct gm_store *gm_store_free(struct gm_store *s)
{
        if (!s)
                return NULL;
        sqlite3_close(s->db);
        free(s->path);
        free(s);
        return NULL;
}

int gm_store_run_begin(struct gm_store *s, const struct gm_run_summary *run, uint64_t *ret_id)
{
        sqlite3_stmt *st = NULL;
        char *sql;
        int r;

        if (!s || !run || !ret_id)
                return -EINVAL;

        sql = store_insert_sql("INSERT", "runs", "state", "'active'", 1, &gm_run_record);
        if (!sql)
                return -ENOMEM;
        r = begin(s);
        if (r >= 0)
                r = prepare(s, sql, &st);
        free(sql);
        if (r >= 0) {
                store_bind_record(st, 1, &gm_run_record, run, GM_FIELD_ROWID);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        if (r >= 0)
                *ret_id = (uint64_t)sqlite3_last_insert_rowid(s->db);
        return commit_or_rollback(s, r);
}

static int run_state(struct gm_store *s, uint64_t id)
{
        sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "SELECT state FROM runs WHERE id = ?1", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                r = state_from_name((const char *)sqlite3_column_text(st, 0));
        else if (rc == SQLITE_DONE)
                r = -ENOENT;
        else
                r = store_errno(s->db, rc);
        sqlite3_finalize(st);
        return r;
}

static int require_active(struct gm_store *s, uint64_t id)
{
        int r = run_state(s, id);
        if (r < 0)
                return r;
        return r == GM_STORE_RUN_ACTIVE ? 0 : -ESTALE;
}

/* A minute whose length was not given (0) is a whole one. */
static double minute_length(const struct gm_run_minute *m)
{
        return m->length_s > 0 ? m->length_s : 60.0;
}

int gm_store_run_progress(struct gm_store *s, uint64_t id, double duration_s, uint64_t steps)
{
        sqlite3_stmt *st = NULL;
        int r;

        if (!s || !isfinite(duration_s) || duration_s < 0)
                return -EINVAL;
        r = begin(s);
        if (r < 0)
                return r;
        r = require_active(s, id);
        if (r >= 0)
                r = prepare(s, "UPDATE runs SET duration_s = max(duration_s, ?2), steps = max(steps, ?3) WHERE id = ?1",
                            &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
                sqlite3_bind_double(st, 2, duration_s);
                sqlite3_bind_int64(st, 3, (sqlite3_int64)steps);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        return commit_or_rollback(s, r);
}

int gm_store_run_minute(struct gm_store *s, uint64_t id, const struct gm_run_minute *m)
{
        struct gm_run_minute row;
        sqlite3_stmt *st = NULL;
        char *sql;
        int r;

        if (!s || !m || !isfinite(m->t_s) || m->t_s < 0 || !(m->length_s >= 0 && m->length_s <= 60))
                return -EINVAL;
        row = *m;
        row.length_s = minute_length(m);
        /* Without gait a minute has no activity (NULL), so it never decides the run's. */
        sql = store_insert_sql("INSERT", "run_minutes", "run_id", "?1", 2, &gm_minute_record);
        if (!sql)
                return -ENOMEM;

        r = begin(s);
        if (r >= 0)
                r = require_active(s, id);
        if (r >= 0)
                r = prepare(s, sql, &st);
        free(sql);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
                store_bind_record(st, 2, &gm_minute_record, &row, GM_FIELD_ROWID);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        st = NULL;

        /* The running summary is recomputed from the minutes, so that an interrupted run
         * reads as what it had at its last committed minute: its activity is that of most of
         * its minutes, not of its first. */
        if (r >= 0)
                r = prepare(s,
                            "UPDATE runs SET (duration_s, steps, cadence_spm, stance_left_ms, stance_right_ms, "
                            "hip_ext_left_deg, hip_ext_right_deg, pelvic_drop_left_deg, pelvic_drop_right_deg, "
                            "asym_max_pct, fatigue_max, activity) = "
                            "(SELECT max(runs.duration_s, max(t_s + length_s)), max(runs.steps, total(steps)), "
                            "avg(cadence_spm), avg(stance_left_ms), "
                            "avg(stance_right_ms), avg(hip_ext_left_deg), avg(hip_ext_right_deg), "
                            "avg(pelvic_drop_left_deg), avg(pelvic_drop_right_deg), max(asym_max_pct), max(fatigue), "
                            "coalesce((SELECT activity FROM run_minutes WHERE run_id = ?1 AND activity IN ('walking', "
                            "'running') "
                            "GROUP BY activity ORDER BY total(length_s) DESC, activity DESC LIMIT 1), runs.activity) "
                            "FROM run_minutes WHERE run_id = ?1) WHERE id = ?1",
                            &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        return commit_or_rollback(s, r);
}

int gm_store_run_strides(struct gm_store *s, uint64_t id, const struct gm_stride_record *strides, size_t n)
{
        sqlite3_stmt *st = NULL;
        char *sql;
        int r;

        if (!s || (n > 0 && !strides))
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (!isfinite(strides[i].t_s) || strides[i].t_s < 0 ||
                    (strides[i].side != GM_SIDE_LEFT && strides[i].side != GM_SIDE_RIGHT))
                        return -EINVAL;
        /* The same stride given twice (a retry after a failed commit) is kept once. */
        sql = store_insert_sql("INSERT OR REPLACE", "run_strides", "run_id", "?1", 2, &gm_stride_record);
        if (!sql)
                return -ENOMEM;
        r = begin(s);
        if (r >= 0)
                r = require_active(s, id);
        if (r >= 0)
                r = prepare(s, sql, &st);
        free(sql);
        for (size_t i = 0; r >= 0 && i < n; i++) {
                sqlite3_reset(st);
                sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
                store_bind_record(st, 2, &gm_stride_record, &strides[i], GM_FIELD_ROWID);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        return commit_or_rollback(s, r);
}

static int insert_actions(struct gm_store *s, uint64_t id, const struct gm_advice *advice)
{
        sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "INSERT INTO run_actions (run_id, position, text) VALUES (?1, ?2, ?3)", &st);
        for (unsigned i = 0; r >= 0 && i < advice->n_actions && i < GM_ADVICE_ACTIONS_MAX; i++) {
                sqlite3_reset(st);
                sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
                sqlite3_bind_int(st, 2, (int)i);
                sqlite3_bind_text(st, 3, advice->actions[i], (int)strnlen(advice->actions[i], GM_ADVICE_ACTION_MAX),
                                  SQLITE_TRANSIENT);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        return r;
}

int gm_store_run_end(struct gm_store *s, const struct gm_run_summary *run, const struct gm_advice *advice)
{
        static const struct gm_advice no_advice = { .acwr = NAN };
        const unsigned skip = GM_FIELD_ROWID | GM_FIELD_ONCE;
        sqlite3_stmt *st = NULL;
        struct store_sql q = {};
        bool first = true;
        char *sql;
        int r;

        if (!s || !run)
                return -EINVAL;
        if (!advice)
                advice = &no_advice;

        store_sql_add(&q, "UPDATE runs SET state = 'ended', (");
        store_sql_columns(&q, &gm_run_record, skip, &first);
        store_sql_columns(&q, &gm_advice_record, skip, &first);
        store_sql_add(&q, ") = (");
        first = true;
        store_sql_params(&q, &gm_advice_record, skip, store_sql_params(&q, &gm_run_record, skip, 2, &first), &first);
        store_sql_add(&q, ") WHERE id = ?1");
        sql = store_sql_finish(&q);
        if (!sql)
                return -ENOMEM;

        r = begin(s);
        if (r >= 0)
                r = require_active(s, run->id);
        if (r >= 0)
                r = prepare(s, sql, &st);
        free(sql);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, (sqlite3_int64)run->id);
                store_bind_record(st, store_bind_record(st, 2, &gm_run_record, run, skip), &gm_advice_record, advice,
                                  skip);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        if (r >= 0)
                r = insert_actions(s, run->id, advice);
        return commit_or_rollback(s, r);
}

static int grow(void **array, size_t *allocated, size_t need, size_t elem)
{
        if (need <= *allocated)
                return 0;
        size_t n = *allocated ? *allocated * 2 : 16;
        while (n < need)
                n *= 2;
        void *p = reallocarray(*array, n, elem);
        if (!p)
                return -ENOMEM;
        *array = p;
        *allocated = n;
        return 0;
}

/* Reads every row of a prepared query into a malloc()ed array of records of d (elem bytes each). */
static int read_rows(struct gm_store *s, sqlite3_stmt *st, const struct gm_record_desc *d, size_t elem, void **ret,
                     size_t *ret_n)
{
        size_t n = 0, allocated = 0;
        char *rows = NULL;
        int r = 0;

        for (;;) {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = store_errno(s->db, rc);
                        break;
                }
                r = grow((void **)&rows, &allocated, n + 1, elem);
                if (r < 0)
                        break;
                store_read_record(st, 0, d, rows + n++ * elem);
        }
        if (r < 0) {
                free(rows);
                return r;
        }
        *ret = rows;
        *ret_n = n;
        return 0;
}

int gm_store_runs_since(struct gm_store *s, int64_t since_us, struct gm_run_summary **ret_runs, size_t *ret_n)
{
        sqlite3_stmt *st = NULL;
        void *runs = NULL;
        size_t n = 0;
        char *sql;
        int r;

        if (!s || !ret_runs || !ret_n)
                return -EINVAL;

        sql = store_select_sql(&gm_run_record, NULL, NULL, "FROM runs WHERE start_us >= ?1 ORDER BY start_us, id");
        if (!sql)
                return -ENOMEM;
        r = prepare(s, sql, &st);
        free(sql);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, since_us);
                r = read_rows(s, st, &gm_run_record, sizeof(struct gm_run_summary), &runs, &n);
        }
        sqlite3_finalize(st);
        if (r < 0)
                return r;
        *ret_runs = runs;
        *ret_n = n;
        return 0;
}

static int read_actions(struct gm_store *s, uint64_t id, struct gm_advice *advice)
{
        sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "SELECT text FROM run_actions WHERE run_id = ?1 ORDER BY position", &st);
        if (r >= 0)
                sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
        while (r >= 0) {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = store_errno(s->db, rc);
                        break;
                }
                if (advice->n_actions < GM_ADVICE_ACTIONS_MAX) {
                        store_copy_text(advice->actions[advice->n_actions], GM_ADVICE_ACTION_MAX,
                                        sqlite3_column_text(st, 0));
                        advice->n_actions++;
                }
        }
        sqlite3_finalize(st);
        return r;
}

int gm_store_run_get(struct gm_store *s, uint64_t id, struct gm_run_summary *run, struct gm_advice *advice,
                     enum gm_store_run_state *ret_state)
{
        struct gm_run_summary row_run;
        struct gm_advice row_advice;
        sqlite3_stmt *st = NULL;
        int r, rc, state = 0;
        char *sql;

        if (!s)
                return -EINVAL;

        sql = store_select_sql(&gm_run_record, &gm_advice_record, "state", "FROM runs WHERE id = ?1");
        if (!sql)
                return -ENOMEM;
        r = prepare(s, sql, &st);
        free(sql);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                r = -ENOENT;
        else if (rc != SQLITE_ROW)
                r = store_errno(s->db, rc);
        else {
                int i = store_read_record(st, 0, &gm_run_record, &row_run);
                state = state_from_name((const char *)sqlite3_column_text(st, i++));
                if (state < 0)
                        r = state;
                store_read_record(st, i, &gm_advice_record, &row_advice);
                row_advice.n_actions = 0;
                if (r >= 0 && run)
                        *run = row_run;
                if (r >= 0 && advice)
                        *advice = row_advice;
        }
        sqlite3_finalize(st);
        if (r >= 0 && advice)
                r = read_actions(s, id, advice);
        if (r >= 0 && ret_state)
                *ret_state = (enum gm_store_run_state)state;
        return r;
}

int gm_store_run_minutes(struct gm_store *s, uint64_t id, struct gm_run_minute **ret_minutes, size_t *ret_n)
{
        sqlite3_stmt *st = NULL;
        void *minutes = NULL;
        size_t n = 0;
        char *sql;
        int r;

        if (!s || !ret_minutes || !ret_n)
                return -EINVAL;

        r = run_state(s, id);
        if (r < 0)
                return r;
        sql = store_select_sql(&gm_minute_record, NULL, NULL, "FROM run_minutes WHERE run_id = ?1 ORDER BY t_s");
        if (!sql)
                return -ENOMEM;
        r = prepare(s, sql, &st);
        free(sql);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
                r = read_rows(s, st, &gm_minute_record, sizeof(struct gm_run_minute), &minutes, &n);
        }
        sqlite3_finalize(st);
        if (r < 0)
                return r;
        *ret_minutes = minutes;
        *ret_n = n;
        return 0;
}

int gm_store_run_strides_get(struct gm_store *s, uint64_t id, double from_s, double to_s,
                             struct gm_stride_record **ret_strides, size_t *ret_n)
{
        sqlite3_stmt *st = NULL;
        void *strides = NULL;
        size_t n = 0;
        char *sql;
        int r;

        if (!s || !ret_strides || !ret_n || isnan(from_s) || isnan(to_s) || to_s < from_s)
                return -EINVAL;

        r = run_state(s, id);
        if (r < 0)
                return r;
        sql = store_select_sql(&gm_stride_record, NULL, NULL,
                               "FROM run_strides WHERE run_id = ?1 AND t_s >= ?2 AND t_s < ?3 ORDER BY t_s, side");
        if (!sql)
                return -ENOMEM;
        r = prepare(s, sql, &st);
        free(sql);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
                /* SQLite has no infinities to bind: the largest doubles stand for them. */
                sqlite3_bind_double(st, 2, isinf(from_s) ? (from_s < 0 ? -DBL_MAX : DBL_MAX) : from_s);
                sqlite3_bind_double(st, 3, isinf(to_s) ? (to_s < 0 ? -DBL_MAX : DBL_MAX) : to_s);
                r = read_rows(s, st, &gm_stride_record, sizeof(struct gm_stride_record), &strides, &n);
        }
        sqlite3_finalize(st);
        if (r < 0)
                return r;
        *ret_strides = strides;
        *ret_n = n;
        return 0;
}

/* After deleting health data: the WAL still holds the pages as they were before; checkpoint it
 * into the file (where secure_delete has zeroed the freed space) and truncate it. */
static int wipe_wal(struct gm_store *s)
{
        return exec(s, "PRAGMA wal_checkpoint(TRUNCATE)");
}

int gm_store_run_delete(struct gm_store *s, uint64_t id)
{
        sqlite3_stmt *st = NULL;
        int r;

        if (!s)
                return -EINVAL;
        r = begin(s);
        if (r < 0)
                return r;
        r = run_state(s, id);
        if (r == GM_STORE_RUN_ACTIVE)
                r = -EBUSY;
        if (r >= 0)
                r = prepare(s, "DELETE FROM runs WHERE id = ?1", &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, (sqlite3_int64)id);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        r = commit_or_rollback(s, r);
        if (r >= 0)
                r = wipe_wal(s);
        return r;
}

int gm_store_prune_strides(struct gm_store *s, int64_t before_us)
{
        sqlite3_stmt *st = NULL;
        int r, n = 0;

        if (!s)
                return -EINVAL;
        r = begin(s);
        if (r < 0)
                return r;
        r = prepare(s,
                    "DELETE FROM run_strides WHERE run_id IN "
                    "(SELECT id FROM runs WHERE start_us < ?1 AND state != 'active')",
                    &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, before_us);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        if (r >= 0)
                n = sqlite3_changes(s->db);
        r = commit_or_rollback(s, r);
        if (r >= 0 && n > 0)
                r = wipe_wal(s);
        return r < 0 ? r : n;
}
