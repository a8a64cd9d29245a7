/* Text helpers of the CSV readers: an error message naming its place, trimmed fields, numbers
 * that fill their field. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Writes the message to err (when given) and returns code. */
int gm_csv_fail(char *err, size_t errlen, int code, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Spaces and tabs off both ends, in place. */
char *gm_csv_trim(char *s);
/* A number filling the whole field (NaN and Inf are accepted: bad samples, flagged later). */
bool gm_csv_number(const char *s, double *out);
