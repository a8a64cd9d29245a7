/* The log of gaitmond and gaitmon-notify: the journal with structured fields, and stderr
 * ("PROGRAM: message") unless stderr is the journal already. */
#pragma once

#include <syslog.h>

/* ident names the program (SYSLOG_IDENTIFIER and the stderr prefix); messages above
 * max_priority are dropped. Until called: "gaitmon", LOG_INFO. */
void gm_log_init(const char *ident, int max_priority);
/* location may be NULL; it becomes the journal field GAITMON_LOCATION. */
void gm_log_full(int priority, const char *location, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* gm_bus_log_fns: the bus layer's messages (lower case, no full stop) as they are, or as
 * sentences for a program whose messages are sentences. */
void gm_log_bus(int priority, const char *message, void *userdata);
void gm_log_bus_sentence(int priority, const char *message, void *userdata);

#define log_error(...) gm_log_full(LOG_ERR, NULL, __VA_ARGS__)
#define log_warning(...) gm_log_full(LOG_WARNING, NULL, __VA_ARGS__)
#define log_notice(...) gm_log_full(LOG_NOTICE, NULL, __VA_ARGS__)
#define log_info(...) gm_log_full(LOG_INFO, NULL, __VA_ARGS__)
#define log_debug(...) gm_log_full(LOG_DEBUG, NULL, __VA_ARGS__)
