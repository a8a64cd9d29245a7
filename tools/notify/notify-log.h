/* SPDX-License-Identifier: MIT */
#pragma once

/* Logging to stderr; under systemd the journal reads the <N> level prefix. */

#include <syslog.h>

void log_set_max_level(int level);
void log_full(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_full(LOG_ERR, __VA_ARGS__)
#define log_warning(...) log_full(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_full(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_full(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_full(LOG_DEBUG, __VA_ARGS__)

/* A gm_bus_log_fn: the bus layer's sentences (lower case, no period) in this log's style. */
void log_bus(int priority, const char *message, void *userdata);
