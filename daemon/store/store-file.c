/* Opens the history's database file; what cannot be used is set aside, never overwritten. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gm_store.h"
#include "store-file.h"
#include "store-sqlite.h"

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
                                store_copy_text(detail, size, t);
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
        if (store_rc_is_corruption(rc)) {
                if (!detail[0])
                        store_copy_text(detail, size, (const unsigned char *)sqlite3_errmsg(db));
                return DB_CORRUPT;
        }
        if (rc != SQLITE_OK)
                return store_errno(db, rc);

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
                        store_log("%s: could not move %s aside to %s: %s; not starting a new history", path, from, to,
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
                int r = store_errno(db, rc);
                sqlite3_close(db);
                return r;
        }
        sqlite3_extended_result_codes(db, 1);
        sqlite3_busy_timeout(db, 5000);
        *ret = db;
        return 0;
}

int store_file_open(const char *path, sqlite3 **ret, int64_t *ret_version)
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
                        store_log("%s: run history is %s (%s) and could not be moved aside: %s", path, why, detail,
                                  strerror(-r));
                        return r;
                }
                store_log("%s: run history is %s (%s); kept as %s, starting a new history", path, why, detail, aside);
        }
}
