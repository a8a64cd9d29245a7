/* libdbus watches and timeouts as sd-event sources, for every libdbus connection we run. */
#pragma once

#include <dbus/dbus.h>
#include <systemd/sd-event.h>

/* Each watch becomes an io source on its own duplicate of the socket, each timeout a
 * one-shot timer re-armed from its interval. Dispatching stays with the caller (from a
 * defer source, never from libdbus's callbacks). Returns 0 or -ENOMEM; the event loop
 * must outlive the connection or gm_bus_sdevent_detach(). */
int gm_bus_sdevent_attach(DBusConnection *conn, sd_event *event);
/* Removes and frees every source the connection was given. */
void gm_bus_sdevent_detach(DBusConnection *conn);
