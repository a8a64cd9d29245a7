/* The log of gaitmond and gaitmon-notify: the journal with structured fields, and stderr. */
#include "log.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>

static const char *log_ident = "gaitmon";
static int log_max_priority = LOG_INFO;
static bool stderr_is_journal;

void gm_log_init(const char *ident, int max_priority)
{
        log_ident = ident;
        log_max_priority = max_priority;
        /* Under systemd stderr already goes to the journal: do not log twice. */
        const char *js = getenv("JOURNAL_STREAM");
        struct stat st;
        unsigned long dev, ino;
        stderr_is_journal = js && sscanf(js, "%lu:%lu", &dev, &ino) == 2 && fstat(2, &st) == 0 && st.st_dev == dev &&
                            st.st_ino == ino;
}

void gm_log_full(int priority, const char *location, const char *fmt, ...)
{
        if (priority > log_max_priority)
                return;
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        if (location)
                sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority, "SYSLOG_IDENTIFIER=%s", log_ident,
                                "GAITMON_LOCATION=%s", location, NULL);
        else
                sd_journal_send("MESSAGE=%s", msg, "PRIORITY=%d", priority, "SYSLOG_IDENTIFIER=%s", log_ident, NULL);
        if (!stderr_is_journal)
                fprintf(stderr, "%s: %s\n", log_ident, msg);
}

void gm_log_bus(int priority, const char *message, void *userdata)
{
        (void)userdata;
        gm_log_full(priority, NULL, "%s", message);
}

void gm_log_bus_sentence(int priority, const char *message, void *userdata)
{
        (void)userdata;
        gm_log_full(priority, NULL, "%c%s.", toupper((unsigned char)message[0]), message[0] ? message + 1 : "");
}
