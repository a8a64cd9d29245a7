/* SQLite's results as negative errno, and NULL for the numbers that are unknown (NaN). */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

/* To the journal through stderr, as the daemon logs. */
void store_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A result code as a negative errno; 0 for OK, ROW and DONE. */
int store_errno(sqlite3 *db, int rc);
/* The file is damaged or is no database at all. */
bool store_rc_is_corruption(int rc);
void store_bind_double(sqlite3_stmt *st, int i, double v);
/* NaN for NULL. */
double store_column_double(sqlite3_stmt *st, int i);
/* A column's text, "" for NULL, cut to size. */
void store_copy_text(char *dst, size_t size, const unsigned char *src);
