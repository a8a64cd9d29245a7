/* SPDX-License-Identifier: MIT */
#pragma once

/* Follows gaitmond on the system bus: whether org.gaitmon.Monitor1 has an
 * owner, and the alerts its owner signals, turned into notification text.
 * Signals from anyone else, or with arguments that make no sense, are
 * dropped and logged once per kind of problem. */

#include <systemd/sd-event.h>

#include "notify-message.h"

#define GAITMON_BUS_NAME "org.gaitmon.Monitor1"
#define GAITMON_PATH "/org/gaitmon/Monitor1"
#define GAITMON_INTERFACE "org.gaitmon.Monitor1"

struct daemon_watch;

/* Takes the message's strings (notify_message_move). */
typedef void (*daemon_watch_alert_t)(struct notify_message *m, void *userdata);

int daemon_watch_new(sd_event *event, const char *address, daemon_watch_alert_t alert, void *userdata,
                     struct daemon_watch **ret);
struct daemon_watch *daemon_watch_free(struct daemon_watch *w);
