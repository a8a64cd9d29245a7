/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "notify-log.h"

static int max_level = LOG_INFO;

void log_set_max_level(int level)
{
        max_level = level;
}

void log_full(int level, const char *fmt, ...)
{
        static int to_journal = -1;
        va_list ap;

        if (level > max_level)
                return;
        if (to_journal < 0)
                to_journal = getenv("JOURNAL_STREAM") != NULL;

        if (to_journal)
                fprintf(stderr, "<%d>", level);
        else
                fputs("gaitmon-notify: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

void log_bus(int priority, const char *message, void *userdata)
{
        log_full(priority, "%c%s.", toupper((unsigned char)message[0]), message[0] ? message + 1 : "");
}
