/* Text helpers of the CSV readers: an error message naming its place, trimmed fields, numbers
 * that fill their field. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gm_csv.h"
#include "gm_number.h"

int gm_csv_fail(char *err, size_t errlen, int code, const char *fmt, ...)
{
        if (err && errlen) {
                va_list ap;
                va_start(ap, fmt);
                vsnprintf(err, errlen, fmt, ap);
                va_end(ap);
        }
        return code;
}

char *gm_csv_trim(char *s)
{
        while (*s == ' ' || *s == '\t')
                s++;
        size_t l = strlen(s);
        while (l && (s[l - 1] == ' ' || s[l - 1] == '\t'))
                s[--l] = 0;
        return s;
}

/* A number filling the whole field (NaN and Inf are accepted: bad samples, flagged later). */
bool gm_csv_number(const char *s, double *out)
{
        if (!*s)
                return false;
        char *end;
        double v = gm_strtod(s, &end);
        if (end == s || *end)
                return false;
        /* ERANGE: overflow gives ±Inf (a bad sample, flagged later), underflow a tiny value. */
        *out = v;
        return true;
}
