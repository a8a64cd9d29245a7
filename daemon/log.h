/* gaitmond's logging: journald with structured fields, and stderr. */
#pragma once

#include <syslog.h>

void gm_log_init(int max_priority);
/* location may be NULL; it becomes the journal field GAITMON_LOCATION. */
void gm_log_full(int priority, const char *location, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define log_error(...) gm_log_full(LOG_ERR, NULL, __VA_ARGS__)
#define log_warning(...) gm_log_full(LOG_WARNING, NULL, __VA_ARGS__)
#define log_notice(...) gm_log_full(LOG_NOTICE, NULL, __VA_ARGS__)
#define log_info(...) gm_log_full(LOG_INFO, NULL, __VA_ARGS__)
#define log_debug(...) gm_log_full(LOG_DEBUG, NULL, __VA_ARGS__)
