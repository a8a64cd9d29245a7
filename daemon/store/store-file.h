/* Opens the history's database file; what cannot be used is set aside, never overwritten. */
#pragma once

#include <sqlite3.h>
#include <stdint.h>

/* Opens path (created when missing) read-write, after setting aside a file that is corrupt,
 * of a newer schema or another program's; its schema version in *ret_version. Negative errno. */
int store_file_open(const char *path, sqlite3 **ret, int64_t *ret_version);
