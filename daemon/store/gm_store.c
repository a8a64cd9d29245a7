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

/* A column's declaration: unknown numbers are NULL, counts and text have a default, so that a
 * column added to an older history reads as "not measured then". */
static const char *column_decl(const struct gm_field *f)
{
        switch (f->type) {
        case GM_FIELD_DOUBLE:
                return "REAL";
        case GM_FIELD_U64:
        case GM_FIELD_I64:
        case GM_FIELD_U32:
                return "INTEGER NOT NULL DEFAULT 0";
        case GM_FIELD_TEXT:
                return "TEXT NOT NULL DEFAULT ''";
        default:
                return "TEXT";
        }
}

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

static void log_store(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_store(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

static int errno_from_sqlite(sqlite3 *db, int rc)
{
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

static bool rc_is_corruption(int rc)
{
        return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

static void bind_double(sqlite3_stmt *st, int i, double v)
{
        /* NULL, not a number, for "unknown": SQL aggregates then skip it. */
        if (isfinite(v))
                sqlite3_bind_double(st, i, v);
        else
                sqlite3_bind_null(st, i);
}

static double column_double(sqlite3_stmt *st, int i)
{
        return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static void copy_text(char *dst, size_t size, const unsigned char *src)
{
        snprintf(dst, size, "%s", src ? (const char *)src : "");
}

static int exec(struct gm_store *s, const char *sql)
{
        return errno_from_sqlite(s->db, sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

static int prepare(struct gm_store *s, const char *sql, sqlite3_stmt **ret)
{
        return errno_from_sqlite(s->db, sqlite3_prepare_v2(s->db, sql, -1, ret, NULL));
}

static int step_done(struct gm_store *s, sqlite3_stmt *st)
{
        int rc = sqlite3_step(st);
        return rc == SQLITE_DONE ? 0 : rc == SQLITE_ROW ? -EINVAL : errno_from_sqlite(s->db, rc);
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

/* What judge() found in a file; a negative errno instead when it could not be read at all. */
enum db_verdict {
        DB_USABLE,
        DB_CORRUPT,
        DB_NEWER,
        DB_FOREIGN,
};

static int query_int(sqlite3 *db, const char *sql, int64_t *ret)
{
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

static int check_integrity(sqlite3 *db, char *detail, size_t size)
{
        sqlite3_stmt *st = NULL;
        int rc;

        rc = sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL);
        if (rc == SQLITE_OK) {
                rc = sqlite3_step(st);
                if (rc == SQLITE_ROW) {
                        const unsigned char *t = sqlite3_column_text(st, 0);
                        if (t && strcmp((const char *)t, "ok") != 0) {
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
static int judge(sqlite3 *db, int64_t *ret_version, char *detail, size_t size)
{
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
                        copy_text(detail, size, (const unsigned char *)sqlite3_errmsg(db));
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

static int rename_noreplace(const char *from, const char *to)
{
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) >= 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return -errno;
        /* File systems without RENAME_NOREPLACE: link() never replaces either. */
        if (link(from, to) < 0)
                return -errno;
        (void)unlink(from);
        return 0;
}

/* Moves path and its -wal, -shm and -journal companions to path.<tag>-<unix time>[.N], never
 * replacing anything. The new name is written to aside. */
static int set_aside(const char *path, const char *tag, char *aside, size_t size)
{
        static const char *const companions[] = { "-wal", "-shm", "-journal" };
        long long now = (long long)time(NULL);
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
                        log_store("%s: could not move %s aside to %s: %s; not starting a new history", path, from, to,
                                  strerror(-r));
                        return r;
                }
        }
        return 0;
}

static int open_db(const char *path, int flags, sqlite3 **ret)
{
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
static int open_usable(const char *path, sqlite3 **ret, int64_t *ret_version)
{
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

/* A growing string for SQL made from the record tables. */
struct sql {
        char *text;
        size_t len, allocated;
        bool failed;
};

static void sql_add(struct sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sql_add(struct sql *q, const char *fmt, ...)
{
        va_list ap;
        int n;

        if (q->failed)
                return;
        va_start(ap, fmt);
        n = vsnprintf(NULL, 0, fmt, ap);
        va_end(ap);
        if (n < 0 || q->len + (size_t)n + 1 > q->allocated) {
                size_t k = q->allocated ? q->allocated * 2 : 256;
                while (n >= 0 && k < q->len + (size_t)n + 1)
                        k *= 2;
                char *p = n < 0 ? NULL : realloc(q->text, k);
                if (!p) {
                        q->failed = true;
                        return;
                }
                q->text = p;
                q->allocated = k;
        }
        va_start(ap, fmt);
        vsnprintf(q->text + q->len, q->allocated - q->len, fmt, ap);
        va_end(ap);
        q->len += (size_t)n;
}

/* The SQL, or NULL (and the text freed) when it could not be made: -ENOMEM for the caller. */
static char *sql_finish(struct sql *q)
{
        if (q->failed) {
                free(q->text);
                return NULL;
        }
        return q->text;
}

static bool field_stored(const struct gm_field *f)
{
        return !(f->flags & GM_FIELD_ROWID);
}

/* ", a, b, c": the record's columns but those with a flag in skip, the first without its comma
 * when *first. */
static void sql_columns(struct sql *q, const struct gm_record_desc *d, unsigned skip, bool *first)
{
        for (size_t i = 0; i < d->n_fields; i++) {
                const struct gm_field *f = &d->fields[i];
                if (f->flags & skip)
                        continue;
                sql_add(q, "%s%s", *first ? "" : ", ", f->column);
                *first = false;
        }
}

/* "?n, ?n+1, ...", one per column of sql_columns(); returns the next parameter number. */
static int sql_params(struct sql *q, const struct gm_record_desc *d, unsigned skip, int n, bool *first)
{
        for (size_t i = 0; i < d->n_fields; i++)
                if (!(d->fields[i].flags & skip)) {
                        sql_add(q, "%s?%d", *first ? "" : ", ", n++);
                        *first = false;
                }
        return n;
}

static const char *activity_name(enum gm_activity a)
{
        const char *n = gm_activity_name(a);
        return n ? n : "idle";
}

/* Binds the fields of record but those with a flag in skip, in table order, from parameter first
 * on; returns the next. */
static int bind_record(sqlite3_stmt *st, int first, const struct gm_record_desc *d, const void *record, unsigned skip)
{
        int i = first;

        for (size_t k = 0; k < d->n_fields; k++) {
                const struct gm_field *f = &d->fields[k];
                const char *p = (const char *)record + f->offset;
                if (f->flags & skip)
                        continue;
                switch (f->type) {
                case GM_FIELD_DOUBLE:
                        bind_double(st, i, *(const double *)p);
                        break;
                case GM_FIELD_U64:
                        sqlite3_bind_int64(st, i, (sqlite3_int64) * (const uint64_t *)p);
                        break;
                case GM_FIELD_I64:
                        sqlite3_bind_int64(st, i, *(const int64_t *)p);
                        break;
                case GM_FIELD_U32:
                        sqlite3_bind_int64(st, i, *(const unsigned *)p);
                        break;
                case GM_FIELD_TEXT:
                        sqlite3_bind_text(st, i, p, (int)strnlen(p, f->size), SQLITE_TRANSIENT);
                        break;
                case GM_FIELD_ACTIVITY:
                        sqlite3_bind_text(st, i, activity_name(*(const enum gm_activity *)p), -1, SQLITE_STATIC);
                        break;
                case GM_FIELD_SIDE: {
                        const char *n = gm_side_name(*(const enum gm_side *)p);
                        if (n)
                                sqlite3_bind_text(st, i, n, -1, SQLITE_STATIC);
                        else
                                sqlite3_bind_null(st, i);
                        break;
                }
                }
                i++;
        }
        return i;
}

/* Fills record from the columns of sql_columns(skip 0), from column first on; returns the next. */
static int read_record(sqlite3_stmt *st, int first, const struct gm_record_desc *d, void *record)
{
        int i = first;

        gm_record_clear(d, record);
        for (size_t k = 0; k < d->n_fields; k++) {
                const struct gm_field *f = &d->fields[k];
                char *p = (char *)record + f->offset;
                switch (f->type) {
                case GM_FIELD_DOUBLE:
                        *(double *)p = column_double(st, i);
                        break;
                case GM_FIELD_U64:
                        *(uint64_t *)p = (uint64_t)sqlite3_column_int64(st, i);
                        break;
                case GM_FIELD_I64:
                        *(int64_t *)p = sqlite3_column_int64(st, i);
                        break;
                case GM_FIELD_U32:
                        *(unsigned *)p = (unsigned)sqlite3_column_int64(st, i);
                        break;
                case GM_FIELD_TEXT:
                        copy_text(p, f->size, sqlite3_column_text(st, i));
                        break;
                case GM_FIELD_ACTIVITY: {
                        const unsigned char *t = sqlite3_column_text(st, i);
                        int a = t ? gm_activity_from_name((const char *)t) : -EINVAL;
                        *(enum gm_activity *)p = a >= 0 ? (enum gm_activity)a : GM_ACTIVITY_IDLE;
                        break;
                }
                case GM_FIELD_SIDE: {
                        const unsigned char *t = sqlite3_column_text(st, i);
                        int sd = t ? gm_side_from_name((const char *)t) : -EINVAL;
                        *(enum gm_side *)p = sd >= 0 ? (enum gm_side)sd : GM_SIDE_UNKNOWN;
                        break;
                }
                }
                i++;
        }
        return i;
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
        r = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) > 0 : errno_from_sqlite(s->db, rc);
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
                struct sql q = {};
                sql_add(&q, "CREATE TABLE IF NOT EXISTS %s (%s", tb->name, tb->head);
                for (size_t k = 0; tb->records[k]; k++)
                        for (size_t i = 0; i < tb->records[k]->n_fields; i++) {
                                const struct gm_field *f = &tb->records[k]->fields[i];
                                if (field_stored(f))
                                        sql_add(&q, ", %s %s", f->column, column_decl(f));
                        }
                sql_add(&q, "%s", tb->tail);
                char *text = sql_finish(&q);
                r = text ? exec(s, text) : -ENOMEM;
                free(text);

                for (size_t k = 0; r >= 0 && tb->records[k]; k++)
                        for (size_t i = 0; r >= 0 && i < tb->records[k]->n_fields; i++) {
                                const struct gm_field *f = &tb->records[k]->fields[i];
                                if (!field_stored(f))
                                        continue;
                                r = column_exists(s, tb->name, f->column);
                                if (r != 0)
                                        continue;
                                char *alter = NULL;
                                if (asprintf(&alter, "ALTER TABLE %s ADD COLUMN %s %s", tb->name, f->column,
                                             column_decl(f)) < 0)
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
                        r = errno_from_sqlite(s->db, rc);
                        break;
                }
                if (sqlite3_column_int64(st, 1) == 0 && sqlite3_column_double(st, 2) == 0)
                        log_store("%s: run %lld was never ended and nothing of it was kept; dropped", s->path,
                                  (long long)sqlite3_column_int64(st, 0));
                else
                        log_store("%s: run %lld was never ended; kept as interrupted with its %lld minutes (%.0f s)",
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

        r = open_usable(s->path, &s->db, &version);
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

/* "<verb> INTO table (prefix_columns, columns of d) VALUES (prefix_values, ?first, ...)". */
static char *insert_sql(const char *verb, const char *table, const char *prefix_columns, const char *prefix_values,
                        int first_param, const struct gm_record_desc *d)
{
        struct sql q = {};
        bool first = false;

        sql_add(&q, "%s INTO %s (%s", verb, table, prefix_columns);
        sql_columns(&q, d, GM_FIELD_ROWID, &first);
        sql_add(&q, ") VALUES (%s", prefix_values);
        sql_params(&q, d, GM_FIELD_ROWID, first_param, &first);
        sql_add(&q, ")");
        return sql_finish(&q);
}

int gm_store_run_begin(struct gm_store *s, const struct gm_run_summary *run, uint64_t *ret_id)
{
        sqlite3_stmt *st = NULL;
        char *sql;
        int r;

        if (!s || !run || !ret_id)
                return -EINVAL;

        sql = insert_sql("INSERT", "runs", "state", "'active'", 1, &gm_run_record);
        if (!sql)
                return -ENOMEM;
        r = begin(s);
        if (r >= 0)
                r = prepare(s, sql, &st);
        free(sql);
        if (r >= 0) {
                bind_record(st, 1, &gm_run_record, run, GM_FIELD_ROWID);
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
                r = errno_from_sqlite(s->db, rc);
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
        sql = insert_sql("INSERT", "run_minutes", "run_id", "?1", 2, &gm_minute_record);
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
                bind_record(st, 2, &gm_minute_record, &row, GM_FIELD_ROWID);
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
        sql = insert_sql("INSERT OR REPLACE", "run_strides", "run_id", "?1", 2, &gm_stride_record);
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
                bind_record(st, 2, &gm_stride_record, &strides[i], GM_FIELD_ROWID);
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
        struct sql q = {};
        bool first = true;
        char *sql;
        int r;

        if (!s || !run)
                return -EINVAL;
        if (!advice)
                advice = &no_advice;

        sql_add(&q, "UPDATE runs SET state = 'ended', (");
        sql_columns(&q, &gm_run_record, skip, &first);
        sql_columns(&q, &gm_advice_record, skip, &first);
        sql_add(&q, ") = (");
        first = true;
        sql_params(&q, &gm_advice_record, skip, sql_params(&q, &gm_run_record, skip, 2, &first), &first);
        sql_add(&q, ") WHERE id = ?1");
        sql = sql_finish(&q);
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
                bind_record(st, bind_record(st, 2, &gm_run_record, run, skip), &gm_advice_record, advice, skip);
                r = step_done(s, st);
        }
        sqlite3_finalize(st);
        if (r >= 0)
                r = insert_actions(s, run->id, advice);
        return commit_or_rollback(s, r);
}

/* "SELECT <columns of the records> <tail>", e.g. tail "FROM runs WHERE id = ?1". */
static char *select_sql(const struct gm_record_desc *a, const struct gm_record_desc *b, const char *middle,
                        const char *tail)
{
        struct sql q = {};
        bool first = true;

        sql_add(&q, "SELECT ");
        sql_columns(&q, a, 0, &first);
        if (middle)
                sql_add(&q, ", %s", middle);
        if (b)
                sql_columns(&q, b, 0, &first);
        sql_add(&q, " %s", tail);
        return sql_finish(&q);
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
                        r = errno_from_sqlite(s->db, rc);
                        break;
                }
                r = grow((void **)&rows, &allocated, n + 1, elem);
                if (r < 0)
                        break;
                read_record(st, 0, d, rows + n++ * elem);
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

        sql = select_sql(&gm_run_record, NULL, NULL, "FROM runs WHERE start_us >= ?1 ORDER BY start_us, id");
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
                     enum gm_store_run_state *ret_state)
{
        struct gm_run_summary row_run;
        struct gm_advice row_advice;
        sqlite3_stmt *st = NULL;
        int r, rc, state = 0;
        char *sql;

        if (!s)
                return -EINVAL;

        sql = select_sql(&gm_run_record, &gm_advice_record, "state", "FROM runs WHERE id = ?1");
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
                r = errno_from_sqlite(s->db, rc);
        else {
                int i = read_record(st, 0, &gm_run_record, &row_run);
                state = state_from_name((const char *)sqlite3_column_text(st, i++));
                if (state < 0)
                        r = state;
                read_record(st, i, &gm_advice_record, &row_advice);
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
        sql = select_sql(&gm_minute_record, NULL, NULL, "FROM run_minutes WHERE run_id = ?1 ORDER BY t_s");
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
        sql = select_sql(&gm_stride_record, NULL, NULL,
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
