/* SQLite's results as negative errno, and NULL for the numbers that are unknown (NaN). */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>

#include "store-sqlite.h"

void store_log(const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int store_errno(sqlite3 *db, int rc)
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

bool store_rc_is_corruption(int rc)
{
        return (rc & 0xff) == SQLITE_CORRUPT || (rc & 0xff) == SQLITE_NOTADB;
}

void store_bind_double(sqlite3_stmt *st, int i, double v)
{
        /* NULL, not a number, for "unknown": SQL aggregates then skip it. */
        if (isfinite(v))
                sqlite3_bind_double(st, i, v);
        else
                sqlite3_bind_null(st, i);
}

double store_column_double(sqlite3_stmt *st, int i)
{
        return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

void store_copy_text(char *dst, size_t size, const unsigned char *src)
{
        snprintf(dst, size, "%s", src ? (const char *)src : "");
}
