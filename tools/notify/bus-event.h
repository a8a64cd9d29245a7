/* SPDX-License-Identifier: MIT */
#pragma once

/* Runs a libdbus connection inside an sd-event loop: its watches become io
 * sources, its timeouts time sources, and queued messages are dispatched
 * from a defer source, one per loop iteration. */

#include <dbus/dbus.h>
#include <systemd/sd-event.h>

struct bus_event;

int bus_event_attach(DBusConnection *conn, sd_event *event, struct bus_event **ret);
/* Not from inside a dispatch of the same connection (a message filter). */
struct bus_event *bus_event_detach(struct bus_event *b);
