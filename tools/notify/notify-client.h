/* SPDX-License-Identifier: MIT */
#pragma once

/* Posts notifications through org.freedesktop.Notifications on the session
 * bus: one per kind, updated in place with the id the server returned. When
 * no server answers, the latest message of each kind waits and is tried
 * again when a new alert comes, when a server appears on the bus, or after a
 * growing delay. */

#include <systemd/sd-event.h>

#include "notify-message.h"

struct notify_client;

int notify_client_new(sd_event *event, const char *address, struct notify_client **ret);
struct notify_client *notify_client_free(struct notify_client *c);

/* Takes m's strings; an older message of the same kind not yet shown is
 * replaced. */
void notify_client_post(struct notify_client *c, struct notify_message *m);
