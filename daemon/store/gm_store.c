/* Run history in SQLite: WAL, synchronous=FULL, one transaction per write. */
#include <errno.h>
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

#include "gm_store.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

struct gm_store {
        sqlite3 *db;
        char *path;
};

static const char *const schema_sql =
        "CREATE TABLE runs ("
        " id INTEGER PRIMARY KEY AUTOINCREMENT,"
        " start_us INTEGER NOT NULL,"
        " state TEXT NOT NULL CHECK (state IN ('active', 'ended', 'interrupted')),"
        " activity TEXT NOT NULL,"
        " duration_s REAL NOT NULL DEFAULT 0,"
        " steps INTEGER NOT NULL DEFAULT 0,"
        " cadence_spm REAL,"
        " stance_left_ms REAL, stance_right_ms REAL,"
        " hip_ext_left_deg REAL, hip_ext_right_deg REAL,"
        " pelvic_drop_left_deg REAL, pelvic_drop_right_deg REAL,"
        " asym_max_pct REAL,"
        " asym_metric TEXT NOT NULL DEFAULT '',"
        " fatigue_max REAL,"
        " load REAL,"
        " hip_ext_asym_pct REAL,"
        " pelvic_drop_asym_pct REAL,"
        " pelvic_drop_rise_left_deg REAL, pelvic_drop_rise_right_deg REAL,"
        " fatigue_level_max INTEGER NOT NULL DEFAULT 0,"
        " advice_summary TEXT NOT NULL DEFAULT '',"
        " rest_days INTEGER NOT NULL DEFAULT 0,"
        " acwr REAL);"
        "CREATE INDEX runs_by_start ON runs (start_us);"
        "CREATE TABLE run_minutes ("
        " run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
        " t_s REAL NOT NULL,"
        " steps INTEGER NOT NULL,"
        " cadence_spm REAL,"
        " stance_left_ms REAL, stance_right_ms REAL,"
        " hip_ext_left_deg REAL, hip_ext_right_deg REAL,"
        " pelvic_drop_left_deg REAL, pelvic_drop_right_deg REAL,"
        " asym_max_pct REAL,"
        " fatigue REAL,"
        " length_s REAL NOT NULL,"
        " activity TEXT,"
        " PRIMARY KEY (run_id, t_s)) WITHOUT ROWID;"
        "CREATE TABLE run_actions ("
        " run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,"
        " position INTEGER NOT NULL,"
        " text TEXT NOT NULL,"
        " PRIMARY KEY (run_id, position)) WITHOUT ROWID;";

/* Column list shared by every query that fills a struct gm_run_summary (see summary_from_row). */
#define SUMMARY_COLUMNS                                                                  \
        "id, start_us, activity, duration_s, steps, cadence_spm, stance_left_ms, "       \
        "stance_right_ms, hip_ext_left_deg, hip_ext_right_deg, pelvic_drop_left_deg, "   \
        "pelvic_drop_right_deg, asym_max_pct, asym_metric, fatigue_max, load, hip_ext_asym_pct, "  \
        "pelvic_drop_asym_pct, pelvic_drop_rise_left_deg, pelvic_drop_rise_right_deg, "      \
        "fatigue_level_max"
#define SUMMARY_N_COLUMNS 21

static const char *const state_names[] = {
        [GM_STORE_RUN_ACTIVE] = "active",
        [GM_STORE_RUN_ENDED] = "ended",
        [GM_STORE_RUN_INTERRUPTED] = "interrupted",
};

const char *gm_store_run_state_name(enum gm_store_run_state state) {
        if ((unsigned) state >= sizeof(state_names) / sizeof(state_names[0]))
                return NULL;
        return state_names[state];
}

static int state_from_name(const char *name) {
        for (size_t i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++)
                if (name && strcmp(name, state_names[i]) == 0)
                        return (int) i;
        return -EBADMSG;
}

static void log_store(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_store(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static int errno_from_sqlite(sqlite3 *db, int rc) {
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EACCES;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EBADMSG;
        case SQLITE_CONSTRAINT:
                return -EEXIST;
        case SQLITE_CANTOPEN:
        case SQLITE_IOERR: {
                int e = db ? sqlite3_system_errno(db) : 0;
                return e > 0 ? -e : -EIO;
        }
        default:
                return -EIO;
        }
}

static bool rc_is_corruption(int rc) {
        return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

static void bind_double(sqlite3_stmt *st, int i, double v) {
        /* NULL, not a number, for "unknown": SQL aggregates then skip it. */
        if (isfinite(v))
                sqlite3_bind_double(st, i, v);
        else
                sqlite3_bind_null(st, i);
}

static double column_double(sqlite3_stmt *st, int i) {
        return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static void copy_text(char *dst, size_t size, const unsigned char *src) {
        snprintf(dst, size, "%s", src ? (const char *) src : "");
}

static int exec(struct gm_store *s, const char *sql) {
        return errno_from_sqlite(s->db, sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

static int prepare(struct gm_store *s, const char *sql, sqlite3_stmt **ret) {
        return errno_from_sqlite(s->db, sqlite3_prepare_v2(s->db, sql, -1, ret, NULL));
}

static int step_done(struct gm_store *s, sqlite3_stmt *st) {
        int rc = sqlite3_step(st);
        return rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW ? -EINVAL : errno_from_sqlite(s->db, rc);
}

static int begin(struct gm_store *s) {
        /* IMMEDIATE: take the write lock now rather than fail half way through. */
        return exec(s, "BEGIN IMMEDIATE");
}

static int commit_or_rollback(struct gm_store *s, int r) {
        if (r >= 0) {
                r = exec(s, "COMMIT");
                if (r >= 0)
                        return 0;
        }
        if (!sqlite3_get_autocommit(s->db))
                (void) sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

/* What judge() found in a file; a negative errno instead when it could not be read at all. */
enum db_verdict {
        DB_USABLE,
        DB_CORRUPT,
        DB_NEWER,
        DB_FOREIGN,
};

static int query_int(sqlite3 *db, const char *sql, int64_t *ret) {
        sqlite3_stmt *st = NULL;
        int rc;

        rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
        if (rc == SQLITE_OK) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_ROW) {
                        *ret = sqlite3_column_int64(st, 0);
                        rc = SQLITE_OK;
                }
        }
        sqlite3_finalize(st);
        return rc;
}

static int check_integrity(sqlite3 *db, char *detail, size_t size) {
        sqlite3_stmt *st = NULL;
        int rc;

        rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
        if (rc == SQLITE_OK) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_ROW) {
                        const unsigned char *t = sqlite3_column_text(st, 0);
                        if (t && strcmp((const char *) t, "ok") != 0) {
                                copy_text(detail, size, t);
                                rc = SQLITE_CORRUPT;
                        } else
                                rc = SQLITE_OK;
                }
        }
        sqlite3_finalize(st);
        return rc;
}

/* Reads what is in the file without changing it. */
static int judge(sqlite3 *db, int64_t *ret_version, char *detail, size_t size) {
        int64_t version = 0, n_tables = 0, n_ours = 0;
        int rc;

        rc = query_int(db, "PRAGMA user_version", &version);
        if (rc == SQLITE_OK)
                rc = check_integrity(db, detail, size);
        if (rc == SQLITE_OK)
                rc = query_int(db, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'", &n_tables);
        if (rc == SQLITE_OK)
                rc = query_int(db,
                               "SELECT count(*) FROM sqlite_schema WHERE type = 'table' "
                               "AND name IN ('runs', 'run_minutes', 'run_actions')",
                               &n_ours);
        if (rc_is_corruption(rc)) {
                if (!detail[0])
                        copy_text(detail, size, (const unsigned char *) sqlite3_errmsg(db));
                return DB_CORRUPT;
        }
        if (rc != SQLITE_OK)
                return errno_from_sqlite(db, rc);

        *ret_version = version;
        if (version > GM_STORE_SCHEMA_VERSION)
                return DB_NEWER;
        if (version == 0 && n_tables > 0)
                return DB_FOREIGN; /* tables but no version of ours: another program's file */
        if (version > 0 && n_ours < 3) {
                snprintf(detail, size, "schema version %" PRId64 " but tables missing", version);
                return DB_CORRUPT;
        }
        return DB_USABLE;
}

static int rename_noreplace(const char *from, const char *to) {
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) >= 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return -errno;
        /* File systems without RENAME_NOREPLACE: link() never replaces either. */
        if (link(from, to) < 0)
                return -errno;
        (void) unlink(from);
        return 0;
}

/* Moves path and its -wal, -shm and -journal companions to path.<tag>-<unix time>[.N], never
 * replacing anything. The new name is written to aside. */
static int set_aside(const char *path, const char *tag, char *aside, size_t size) {
        static const char *const companions[] = { "-wal", "-shm", "-journal" };
        long long now = (long long) time(NULL);
        int r = -EEXIST;

        for (unsigned n = 0; n < 100 && r == -EEXIST; n++) {
                if (n == 0)
                        snprintf(aside, size, "%s.%s-%lld", path, tag, now);
                else
                        snprintf(aside, size, "%s.%s-%lld.%u", path, tag, now, n);
                /* The companions must not exist under the new name either. */
                bool taken = false;
                for (size_t i = 0; i < 3; i++) {
                        char c[PATH_MAX];
                        snprintf(c, sizeof c, "%s%s", aside, companions[i]);
                        if (access(c, F_OK) >= 0)
                                taken = true;
                }
                r = taken ? -EEXIST : rename_noreplace(path, aside);
        }
        if (r < 0)
                return r;

        for (size_t i = 0; i < 3; i++) {
                char from[PATH_MAX], to[PATH_MAX];
                snprintf(from, sizeof from, "%s%s", path, companions[i]);
                snprintf(to, sizeof to, "%s%s", aside, companions[i]);
                r = rename_noreplace(from, to);
                /* A WAL left behind would be replayed into the new file: better no history. */
                if (r < 0 && r != -ENOENT) {
                        log_store("%s: could not move %s aside to %s: %s; not starting a new history", path, from,
                                  to, strerror(-r));
                        return r;
                }
        }
        return 0;
}

static int open_db(const char *path, int flags, sqlite3 **ret) {
        sqlite3 *db = NULL;
        int rc;

        rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOFOLLOW, NULL);
        if (rc != SQLITE_OK) {
                int r = errno_from_sqlite(db, rc);
                sqlite3_close(db);
                return r;
        }
        sqlite3_extended_result_codes(db, 1);
        sqlite3_busy_timeout(db, 5000);
        *ret = db;
        return 0;
}

/* Opens path, setting aside what cannot be used, until a usable database is open. */
static int open_usable(const char *path, sqlite3 **ret, int64_t *ret_version) {
        for (unsigned attempt = 0;; attempt++) {
                char detail[256] = "", aside[PATH_MAX];
                sqlite3 *db = NULL;
                int64_t version = 0;
                const char *tag, *why;
                int r, verdict;

                /* Created (empty) if missing, then judged through a read-only connection: closing
                 * a writer would checkpoint and reset the WAL of a file that is to be kept as is. */
                r = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &db);
                if (r >= 0) {
                        sqlite3_close(db);
                        db = NULL;
                        r = open_db(path, SQLITE_OPEN_READONLY, &db);
                }
                if (r < 0)
                        return r;
                verdict = judge(db, &version, detail, sizeof detail);
                sqlite3_close(db);
                if (verdict < 0)
                        return verdict;
                if (verdict == DB_USABLE) {
                        r = open_db(path, SQLITE_OPEN_READWRITE, ret);
                        if (r < 0)
                                return r;
                        *ret_version = version;
                        return 0;
                }
                if (attempt > 0)
                        return -EIO; /* a file just created is unusable: do not rename forever */

                switch (verdict) {
                case DB_NEWER:
                        tag = "newer";
                        snprintf(detail, sizeof detail, "schema version %" PRId64 ", this gaitmond knows up to %d",
                                 version, GM_STORE_SCHEMA_VERSION);
                        why = "written by a newer gaitmond";
                        break;
                case DB_FOREIGN:
                        tag = "foreign";
                        snprintf(detail, sizeof detail, "tables without a gaitmon schema version");
                        why = "not a gaitmon run history";
                        break;
                default:
                        tag = "corrupt";
                        why = "corrupt";
                        break;
                }
                r = set_aside(path, tag, aside, sizeof aside);
                if (r < 0) {
                        log_store("%s: run history is %s (%s) and could not be moved aside: %s", path, why, detail,
                                  strerror(-r));
                        return r;
                }
                log_store("%s: run history is %s (%s); kept as %s, starting a new history", path, why, detail, aside);
        }
}

static int create_schema(struct gm_store *s) {
        int r;

        r = begin(s);
        if (r < 0)
                return r;
        r = exec(s, schema_sql);
        if (r >= 0)
                r = exec(s, "PRAGMA user_version = " STRINGIFY(GM_STORE_SCHEMA_VERSION));
        return commit_or_rollback(s, r);
}

/* A history of an older gaitmond, brought to this schema in one transaction. */
static int migrate(struct gm_store *s, int64_t version) {
        int r = begin(s);
        if (r < 0)
                return r;
        /* 2: each minute keeps its activity (an interrupted run is what most of it was). */
        if (version < 2)
                r = exec(s, "ALTER TABLE run_minutes ADD COLUMN activity TEXT");
        if (r >= 0)
                r = exec(s, "PRAGMA user_version = " STRINGIFY(GM_STORE_SCHEMA_VERSION));
        return commit_or_rollback(s, r);
}

static int close_interrupted(struct gm_store *s) {
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
                        r = errno_from_sqlite(s->db, rc);
                        break;
                }
                if (sqlite3_column_int64(st, 1) == 0 && sqlite3_column_double(st, 2) == 0)
                        log_store("%s: run %lld was never ended and nothing of it was kept; dropped", s->path,
                                  (long long) sqlite3_column_int64(st, 0));
                else
                        log_store("%s: run %lld was never ended; kept as interrupted with its %lld minutes (%.0f s)",
                                  s->path, (long long) sqlite3_column_int64(st, 0),
                                  (long long) sqlite3_column_int64(st, 1), sqlite3_column_double(st, 2));
        }
        sqlite3_finalize(st);
        /* A run cut before anything of it was kept is no run. */
        if (r >= 0)
                r = exec(s, "DELETE FROM runs WHERE state = 'active' AND duration_s = 0 AND "
                            "NOT EXISTS (SELECT 1 FROM run_minutes WHERE run_id = runs.id)");
        if (r >= 0)
                r = exec(s, "UPDATE runs SET state = 'interrupted' WHERE state = 'active'");
        return commit_or_rollback(s, r);
}

int gm_store_open(const char *dir, struct gm_store **ret) {
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

        r = open_usable(s->path, &s->db, &version);
        if (r < 0)
                goto fail;

        /* WAL + FULL: a committed minute survives kill -9 and power loss. */
        r = exec(s, "PRAGMA journal_mode = WAL");
        if (r >= 0)
                r = exec(s, "PRAGMA synchronous = FULL");
        if (r >= 0)
                r = exec(s, "PRAGMA foreign_keys = ON");
        if (r >= 0 && version == 0)
                r = create_schema(s);
        else if (r >= 0 && version < GM_STORE_SCHEMA_VERSION)
                r = migrate(s, version);
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

struct gm_store *gm_store_free(struct gm_store *s) {
        if (!s)
                return NULL;
        sqlite3_close(s->db);
        free(s->path);
        free(s);
        return NULL;
}

static void bind_summary_values(sqlite3_stmt *st, int first, const struct gm_run_summary *run) {
        int i = first;

        bind_double(st, i++, run->duration_s);
        sqlite3_bind_int64(st, i++, (sqlite3_int64) run->steps);
        bind_double(st, i++, run->cadence_spm);
        bind_double(st, i++, run->stance_ms[GM_SIDE_LEFT]);
        bind_double(st, i++, run->stance_ms[GM_SIDE_RIGHT]);
        bind_double(st, i++, run->hip_ext_deg[GM_SIDE_LEFT]);
        bind_double(st, i++, run->hip_ext_deg[GM_SIDE_RIGHT]);
        bind_double(st, i++, run->pelvic_drop_deg[GM_SIDE_LEFT]);
        bind_double(st, i++, run->pelvic_drop_deg[GM_SIDE_RIGHT]);
        bind_double(st, i++, run->asym_max_pct);
        sqlite3_bind_text(st, i++, run->asym_metric, (int) strnlen(run->asym_metric, sizeof run->asym_metric),
                          SQLITE_TRANSIENT);
        bind_double(st, i++, run->fatigue_max);
        bind_double(st, i++, run->load);
        bind_double(st, i++, run->hip_ext_asym_pct);
        bind_double(st, i++, run->pelvic_drop_asym_pct);
        bind_double(st, i++, run->pelvic_drop_rise_deg[GM_SIDE_LEFT]);
        bind_double(st, i++, run->pelvic_drop_rise_deg[GM_SIDE_RIGHT]);
        sqlite3_bind_int64(st, i++, run->fatigue_level_max);
}

static const char *activity_name(enum gm_activity a) {
        const char *n = gm_activity_name(a);
        return n ? n : "idle";
}

int gm_store_run_begin(struct gm_store *s, const struct gm_run_summary *run, uint64_t *ret_id) {
        sqlite3_stmt *st = NULL;
        int r;

        if (!s || !run || !ret_id)
                return -EINVAL;

        r = begin(s);
        if (r < 0)
                return r;
        r = prepare(s,
                    "INSERT INTO runs (start_us, state, activity, duration_s, steps, cadence_spm, "
                    "stance_left_ms, stance_right_ms, hip_ext_left_deg, hip_ext_right_deg, "
                    "pelvic_drop_left_deg, pelvic_drop_right_deg, asym_max_pct, asym_metric, fatigue_max, load, "
                    "hip_ext_asym_pct, pelvic_drop_asym_pct, pelvic_drop_rise_left_deg, pelvic_drop_rise_right_deg, "
                    "fatigue_level_max) "
                    "VALUES (?1, 'active', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
                    "?16, ?17, ?18, ?19, ?20)",
                    &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, run->start_us);
                sqlite3_bind_text(st, 2, activity_name(run->activity), -1, SQLITE_STATIC);
                bind_summary_values(st, 3, run);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        if (r >= 0)
                *ret_id = (uint64_t) sqlite3_last_insert_rowid(s->db);
        return commit_or_rollback(s, r);
}

/* -ENOENT unknown, -ESTALE not active; else the state. */
static int run_state(struct gm_store *s, uint64_t id) {
        sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "SELECT state FROM runs WHERE id = ?1", &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (sqlite3_int64) id);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                r = state_from_name((const char *) sqlite3_column_text(st, 0));
        else if (rc == SQLITE_DONE)
                r = -ENOENT;
        else
                r = errno_from_sqlite(s->db, rc);
        sqlite3_finalize(st);
        return r;
}

static int require_active(struct gm_store *s, uint64_t id) {
        int r = run_state(s, id);
        if (r < 0)
                return r;
        return r == GM_STORE_RUN_ACTIVE ? 0 : -ESTALE;
}

/* A minute whose length was not given (0) is a whole one. */
static double minute_length(const struct gm_run_minute *m) {
        return m->length_s > 0 ? m->length_s : 60.0;
}

int gm_store_run_progress(struct gm_store *s, uint64_t id, double duration_s, uint64_t steps) {
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
                sqlite3_bind_int64(st, 1, (sqlite3_int64) id);
                sqlite3_bind_double(st, 2, duration_s);
                sqlite3_bind_int64(st, 3, (sqlite3_int64) steps);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        return commit_or_rollback(s, r);
}

int gm_store_run_minute(struct gm_store *s, uint64_t id, const struct gm_run_minute *m) {
        sqlite3_stmt *st = NULL;
        int r;

        if (!s || !m || !isfinite(m->t_s) || m->t_s < 0 || !(m->length_s >= 0 && m->length_s <= 60))
                return -EINVAL;

        r = begin(s);
        if (r < 0)
                return r;
        r = require_active(s, id);
        if (r >= 0)
                r = prepare(s,
                            "INSERT INTO run_minutes (run_id, t_s, steps, cadence_spm, stance_left_ms, "
                            "stance_right_ms, hip_ext_left_deg, hip_ext_right_deg, pelvic_drop_left_deg, "
                            "pelvic_drop_right_deg, asym_max_pct, fatigue, length_s, activity) "
                            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                            &st);
        if (r >= 0) {
                int i = 1;
                sqlite3_bind_int64(st, i++, (sqlite3_int64) id);
                sqlite3_bind_double(st, i++, m->t_s);
                sqlite3_bind_int64(st, i++, (sqlite3_int64) m->steps);
                bind_double(st, i++, m->cadence_spm);
                bind_double(st, i++, m->stance_ms[GM_SIDE_LEFT]);
                bind_double(st, i++, m->stance_ms[GM_SIDE_RIGHT]);
                bind_double(st, i++, m->hip_ext_deg[GM_SIDE_LEFT]);
                bind_double(st, i++, m->hip_ext_deg[GM_SIDE_RIGHT]);
                bind_double(st, i++, m->pelvic_drop_deg[GM_SIDE_LEFT]);
                bind_double(st, i++, m->pelvic_drop_deg[GM_SIDE_RIGHT]);
                bind_double(st, i++, m->asym_max_pct);
                bind_double(st, i++, m->fatigue);
                sqlite3_bind_double(st, i++, minute_length(m));
                if (m->activity == GM_ACTIVITY_WALKING || m->activity == GM_ACTIVITY_RUNNING)
                        sqlite3_bind_text(st, i++, gm_activity_name(m->activity), -1, SQLITE_STATIC);
                else
                        sqlite3_bind_null(st, i++);
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
                            "(SELECT max(runs.duration_s, max(t_s + length_s)), max(runs.steps, total(steps)), avg(cadence_spm), avg(stance_left_ms), "
                            "avg(stance_right_ms), avg(hip_ext_left_deg), avg(hip_ext_right_deg), "
                            "avg(pelvic_drop_left_deg), avg(pelvic_drop_right_deg), max(asym_max_pct), max(fatigue), "
                            "coalesce((SELECT activity FROM run_minutes WHERE run_id = ?1 AND activity IS NOT NULL "
                            "GROUP BY activity ORDER BY total(length_s) DESC, activity DESC LIMIT 1), runs.activity) "
                            "FROM run_minutes WHERE run_id = ?1) WHERE id = ?1",
                            &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, (sqlite3_int64) id);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        return commit_or_rollback(s, r);
}

static int insert_actions(struct gm_store *s, uint64_t id, const struct gm_advice *advice) {
        sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "INSERT INTO run_actions (run_id, position, text) VALUES (?1, ?2, ?3)", &st);
        for (unsigned i = 0; r >= 0 && i < advice->n_actions && i < GM_ADVICE_ACTIONS_MAX; i++) {
                sqlite3_reset(st);
                sqlite3_bind_int64(st, 1, (sqlite3_int64) id);
                sqlite3_bind_int(st, 2, (int) i);
                sqlite3_bind_text(st, 3, advice->actions[i], (int) strnlen(advice->actions[i], GM_ADVICE_ACTION_MAX),
                                  SQLITE_TRANSIENT);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        return r;
}

int gm_store_run_end(struct gm_store *s, const struct gm_run_summary *run, const struct gm_advice *advice) {
        sqlite3_stmt *st = NULL;
        int r;

        if (!s || !run)
                return -EINVAL;

        r = begin(s);
        if (r < 0)
                return r;
        r = require_active(s, run->id);
        if (r >= 0)
                r = prepare(s,
                            "UPDATE runs SET state = 'ended', activity = ?2, duration_s = ?3, steps = ?4, "
                            "cadence_spm = ?5, stance_left_ms = ?6, stance_right_ms = ?7, hip_ext_left_deg = ?8, "
                            "hip_ext_right_deg = ?9, pelvic_drop_left_deg = ?10, pelvic_drop_right_deg = ?11, "
                            "asym_max_pct = ?12, asym_metric = ?13, fatigue_max = ?14, load = ?15, hip_ext_asym_pct = ?16, "
                            "pelvic_drop_asym_pct = ?17, pelvic_drop_rise_left_deg = ?18, "
                            "pelvic_drop_rise_right_deg = ?19, fatigue_level_max = ?20, "
                            "advice_summary = ?21, rest_days = ?22, acwr = ?23 WHERE id = ?1",
                            &st);
        if (r >= 0) {
                sqlite3_bind_int64(st, 1, (sqlite3_int64) run->id);
                sqlite3_bind_text(st, 2, activity_name(run->activity), -1, SQLITE_STATIC);
                bind_summary_values(st, 3, run);
                if (advice) {
                        sqlite3_bind_text(st, 21, advice->summary, (int) strnlen(advice->summary, sizeof advice->summary),
                                          SQLITE_TRANSIENT);
                        sqlite3_bind_int64(st, 22, advice->rest_days);
                        bind_double(st, 23, advice->acwr);
                } else {
                        sqlite3_bind_text(st, 21, "", 0, SQLITE_STATIC);
                        sqlite3_bind_int(st, 22, 0);
                        sqlite3_bind_null(st, 23);
                }
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        if (r >= 0 && advice)
                r = insert_actions(s, run->id, advice);
        return commit_or_rollback(s, r);
}

static void summary_from_row(sqlite3_stmt *st, struct gm_run_summary *run) {
        const char *activity;
        int i = 0, a;

        *run = (struct gm_run_summary) {};
        run->id = (uint64_t) sqlite3_column_int64(st, i++);
        run->start_us = sqlite3_column_int64(st, i++);
        activity = (const char *) sqlite3_column_text(st, i++);
        a = activity ? gm_activity_from_name(activity) : -EINVAL;
        run->activity = a >= 0 ? (enum gm_activity) a : GM_ACTIVITY_IDLE;
        run->duration_s = column_double(st, i++);
        run->steps = (uint64_t) sqlite3_column_int64(st, i++);
        run->cadence_spm = column_double(st, i++);
        run->stance_ms[GM_SIDE_LEFT] = column_double(st, i++);
        run->stance_ms[GM_SIDE_RIGHT] = column_double(st, i++);
        run->hip_ext_deg[GM_SIDE_LEFT] = column_double(st, i++);
        run->hip_ext_deg[GM_SIDE_RIGHT] = column_double(st, i++);
        run->pelvic_drop_deg[GM_SIDE_LEFT] = column_double(st, i++);
        run->pelvic_drop_deg[GM_SIDE_RIGHT] = column_double(st, i++);
        run->asym_max_pct = column_double(st, i++);
        copy_text(run->asym_metric, sizeof run->asym_metric, sqlite3_column_text(st, i++));
        run->fatigue_max = column_double(st, i++);
        run->load = column_double(st, i++);
        run->hip_ext_asym_pct = column_double(st, i++);
        run->pelvic_drop_asym_pct = column_double(st, i++);
        run->pelvic_drop_rise_deg[GM_SIDE_LEFT] = column_double(st, i++);
        run->pelvic_drop_rise_deg[GM_SIDE_RIGHT] = column_double(st, i++);
        run->fatigue_level_max = (unsigned) sqlite3_column_int64(st, i++);
}

/* Grows *array (of elem bytes each) so that it holds at least need elements. */
static int grow(void **array, size_t *allocated, size_t need, size_t elem) {
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

int gm_store_runs_since(struct gm_store *s, int64_t since_us, struct gm_run_summary **ret_runs, size_t *ret_n) {
        struct gm_run_summary *runs = NULL;
        size_t n = 0, allocated = 0;
        sqlite3_stmt *st = NULL;
        int r;

        if (!s || !ret_runs || !ret_n)
                return -EINVAL;

        r = prepare(s, "SELECT " SUMMARY_COLUMNS " FROM runs WHERE start_us >= ?1 ORDER BY start_us, id", &st);
        if (r >= 0)
                sqlite3_bind_int64(st, 1, since_us);
        while (r >= 0) {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = errno_from_sqlite(s->db, rc);
                        break;
                }
                r = grow((void **) &runs, &allocated, n + 1, sizeof *runs);
                if (r >= 0)
                        summary_from_row(st, &runs[n++]);
        }
        sqlite3_finalize(st);
        if (r < 0) {
                free(runs);
                return r;
        }
        *ret_runs = runs;
        *ret_n = n;
        return 0;
}

static int read_actions(struct gm_store *s, uint64_t id, struct gm_advice *advice) {
        sqlite3_stmt *st = NULL;
        int r;

        r = prepare(s, "SELECT text FROM run_actions WHERE run_id = ?1 ORDER BY position", &st);
        if (r >= 0)
                sqlite3_bind_int64(st, 1, (sqlite3_int64) id);
        while (r >= 0) {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = errno_from_sqlite(s->db, rc);
                        break;
                }
                if (advice->n_actions < GM_ADVICE_ACTIONS_MAX) {
                        copy_text(advice->actions[advice->n_actions], GM_ADVICE_ACTION_MAX, sqlite3_column_text(st, 0));
                        advice->n_actions++;
                }
        }
        sqlite3_finalize(st);
        return r;
}

int gm_store_run_get(struct gm_store *s, uint64_t id, struct gm_run_summary *run, struct gm_advice *advice,
                     enum gm_store_run_state *ret_state) {
        sqlite3_stmt *st = NULL;
        int r, rc, state = 0;

        if (!s)
                return -EINVAL;

        r = prepare(s,
                    "SELECT " SUMMARY_COLUMNS ", state, advice_summary, rest_days, acwr FROM runs WHERE id = ?1",
                    &st);
        if (r < 0)
                return r;
        sqlite3_bind_int64(st, 1, (sqlite3_int64) id);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                r = -ENOENT;
        else if (rc != SQLITE_ROW)
                r = errno_from_sqlite(s->db, rc);
        else {
                state = state_from_name((const char *) sqlite3_column_text(st, SUMMARY_N_COLUMNS));
                if (state < 0)
                        r = state;
                if (r >= 0 && run)
                        summary_from_row(st, run);
                if (r >= 0 && advice) {
                        *advice = (struct gm_advice) {};
                        copy_text(advice->summary, sizeof advice->summary, sqlite3_column_text(st, SUMMARY_N_COLUMNS + 1));
                        advice->rest_days = (unsigned) sqlite3_column_int64(st, SUMMARY_N_COLUMNS + 2);
                        advice->acwr = column_double(st, SUMMARY_N_COLUMNS + 3);
                }
        }
        sqlite3_finalize(st);
        if (r >= 0 && advice)
                r = read_actions(s, id, advice);
        if (r >= 0 && ret_state)
                *ret_state = (enum gm_store_run_state) state;
        return r;
}

int gm_store_run_minutes(struct gm_store *s, uint64_t id, struct gm_run_minute **ret_minutes, size_t *ret_n) {
        struct gm_run_minute *minutes = NULL;
        size_t n = 0, allocated = 0;
        sqlite3_stmt *st = NULL;
        int r;

        if (!s || !ret_minutes || !ret_n)
                return -EINVAL;

        r = run_state(s, id);
        if (r >= 0)
                r = prepare(s,
                            "SELECT t_s, steps, cadence_spm, stance_left_ms, stance_right_ms, hip_ext_left_deg, "
                            "hip_ext_right_deg, pelvic_drop_left_deg, pelvic_drop_right_deg, asym_max_pct, fatigue, length_s, "
                            "activity FROM run_minutes WHERE run_id = ?1 ORDER BY t_s",
                            &st);
        if (r >= 0)
                sqlite3_bind_int64(st, 1, (sqlite3_int64) id);
        while (r >= 0) {
                int rc = sqlite3_step(st);
                if (rc == SQLITE_DONE)
                        break;
                if (rc != SQLITE_ROW) {
                        r = errno_from_sqlite(s->db, rc);
                        break;
                }
                r = grow((void **) &minutes, &allocated, n + 1, sizeof *minutes);
                if (r < 0)
                        break;
                struct gm_run_minute *m = &minutes[n++];
                int i = 0;
                m->t_s = sqlite3_column_double(st, i++);
                m->steps = (uint64_t) sqlite3_column_int64(st, i++);
                m->cadence_spm = column_double(st, i++);
                m->stance_ms[GM_SIDE_LEFT] = column_double(st, i++);
                m->stance_ms[GM_SIDE_RIGHT] = column_double(st, i++);
                m->hip_ext_deg[GM_SIDE_LEFT] = column_double(st, i++);
                m->hip_ext_deg[GM_SIDE_RIGHT] = column_double(st, i++);
                m->pelvic_drop_deg[GM_SIDE_LEFT] = column_double(st, i++);
                m->pelvic_drop_deg[GM_SIDE_RIGHT] = column_double(st, i++);
                m->asym_max_pct = column_double(st, i++);
                m->fatigue = column_double(st, i++);
                m->length_s = sqlite3_column_double(st, i++);
                const unsigned char *act = sqlite3_column_text(st, i++);
                int a = act ? gm_activity_from_name((const char *) act) : -EINVAL;
                m->activity = a >= 0 ? (enum gm_activity) a : GM_ACTIVITY_IDLE;
        }
        sqlite3_finalize(st);
        if (r < 0) {
                free(minutes);
                return r;
        }
        *ret_minutes = minutes;
        *ret_n = n;
        return 0;
}
