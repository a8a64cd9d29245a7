/* SQL and statement bindings made from the record tables of gm_record.h. */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "gm_record.h"

/* A growing string for SQL made from the record tables. */
struct store_sql {
        char *text;
        size_t len, allocated;
        bool failed;
};

void store_sql_add(struct store_sql *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The SQL, or NULL (and the text freed) when it could not be made: -ENOMEM for the caller. */
char *store_sql_finish(struct store_sql *q);
/* A column's declaration: unknown numbers are NULL, counts and text have a default. */
const char *store_column_decl(const struct gm_field *f);
/* The field has a column of its own (not the row's id). */
bool store_field_stored(const struct gm_field *f);
/* ", a, b, c": the record's columns but those with a flag in skip, the first without its comma
 * when *first. */
void store_sql_columns(struct store_sql *q, const struct gm_record_desc *d, unsigned skip, bool *first);
/* "?n, ?n+1, ...", one per column of store_sql_columns(); returns the next parameter number. */
int store_sql_params(struct store_sql *q, const struct gm_record_desc *d, unsigned skip, int n, bool *first);
/* Binds the fields of record but those with a flag in skip, in table order, from parameter first
 * on; returns the next. */
int store_bind_record(sqlite3_stmt *st, int first, const struct gm_record_desc *d, const void *record, unsigned skip);
/* Fills record from the columns of store_sql_columns(skip 0), from column first on; returns the next. */
int store_read_record(sqlite3_stmt *st, int first, const struct gm_record_desc *d, void *record);
/* "<verb> INTO table (prefix_columns, columns of d) VALUES (prefix_values, ?first, ...)". */
char *store_insert_sql(const char *verb, const char *table, const char *prefix_columns, const char *prefix_values,
                       int first_param, const struct gm_record_desc *d);
/* "SELECT <columns of the records> <tail>", e.g. tail "FROM runs WHERE id = ?1". */
char *store_select_sql(const struct gm_record_desc *a, const struct gm_record_desc *b, const char *middle,
                       const char *tail);
