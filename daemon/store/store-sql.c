/* SQL and statement bindings made from the record tables of gm_record.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-sql.h"
#include "store-sqlite.h"

/* A column's declaration: unknown numbers are NULL, counts and text have a default, so that a
 * column added to an older history reads as "not measured then". */
const char *store_column_decl(const struct gm_field *f)
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

void store_sql_add(struct store_sql *q, const char *fmt, ...)
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

char *store_sql_finish(struct store_sql *q)
{
        if (q->failed) {
                free(q->text);
                return NULL;
        }
        return q->text;
}

bool store_field_stored(const struct gm_field *f)
{
        return !(f->flags & GM_FIELD_ROWID);
}

void store_sql_columns(struct store_sql *q, const struct gm_record_desc *d, unsigned skip, bool *first)
{
        for (size_t i = 0; i < d->n_fields; i++) {
                const struct gm_field *f = &d->fields[i];
                if (f->flags & skip)
                        continue;
                store_sql_add(q, "%s%s", *first ? "" : ", ", f->column);
                *first = false;
        }
}

int store_sql_params(struct store_sql *q, const struct gm_record_desc *d, unsigned skip, int n, bool *first)
{
        for (size_t i = 0; i < d->n_fields; i++)
                if (!(d->fields[i].flags & skip)) {
                        store_sql_add(q, "%s?%d", *first ? "" : ", ", n++);
                        *first = false;
                }
        return n;
}

static const char *activity_name(enum gm_activity a)
{
        const char *n = gm_activity_name(a);
        return n ? n : "idle";
}

int store_bind_record(sqlite3_stmt *st, int first, const struct gm_record_desc *d, const void *record, unsigned skip)
{
        int i = first;

        for (size_t k = 0; k < d->n_fields; k++) {
                const struct gm_field *f = &d->fields[k];
                const char *p = (const char *)record + f->offset;
                if (f->flags & skip)
                        continue;
                switch (f->type) {
                case GM_FIELD_DOUBLE:
                        store_bind_double(st, i, *(const double *)p);
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

int store_read_record(sqlite3_stmt *st, int first, const struct gm_record_desc *d, void *record)
{
        int i = first;

        gm_record_clear(d, record);
        for (size_t k = 0; k < d->n_fields; k++) {
                const struct gm_field *f = &d->fields[k];
                char *p = (char *)record + f->offset;
                switch (f->type) {
                case GM_FIELD_DOUBLE:
                        *(double *)p = store_column_double(st, i);
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
                        store_copy_text(p, f->size, sqlite3_column_text(st, i));
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

char *store_insert_sql(const char *verb, const char *table, const char *prefix_columns, const char *prefix_values,
                       int first_param, const struct gm_record_desc *d)
{
        struct store_sql q = {};
        bool first = false;

        store_sql_add(&q, "%s INTO %s (%s", verb, table, prefix_columns);
        store_sql_columns(&q, d, GM_FIELD_ROWID, &first);
        store_sql_add(&q, ") VALUES (%s", prefix_values);
        store_sql_params(&q, d, GM_FIELD_ROWID, first_param, &first);
        store_sql_add(&q, ")");
        return store_sql_finish(&q);
}

char *store_select_sql(const struct gm_record_desc *a, const struct gm_record_desc *b, const char *middle,
                       const char *tail)
{
        struct store_sql q = {};
        bool first = true;

        store_sql_add(&q, "SELECT ");
        store_sql_columns(&q, a, 0, &first);
        if (middle)
                store_sql_add(&q, ", %s", middle);
        if (b)
                store_sql_columns(&q, b, 0, &first);
        store_sql_add(&q, " %s", tail);
        return store_sql_finish(&q);
}
