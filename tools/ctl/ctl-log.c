/* Error messages of gaitmonctl. */
#include <stdarg.h>
#include <stdio.h>

#include "ctl-log.h"

void ctl_log(const char *fmt, ...)
{
        va_list ap;

        fflush(stdout);
        fputs("gaitmonctl: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}
