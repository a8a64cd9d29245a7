/* A private connection to the system bus driven by an sd-event loop: it owns a
 * well-known name, serves the objects of bus-object.h and reconnects by itself. */
#pragma once

#include <stdbool.h>
#include <dbus/dbus.h>
#include <systemd/sd-event.h>

#include "bus-error.h"

struct gm_bus;

/* Receives what the connection has to report (syslog priorities, LOG_ERR..LOG_DEBUG).
 * The default writes "bus: <message>" to stderr. */
typedef void (*gm_bus_log_fn)(int priority, const char *message, void *userdata);

/* Creates the connection context on event (referenced until gm_bus_free).
 * Nothing is connected yet: create the objects, then call gm_bus_start().
 * Returns 0 or -ENOMEM. */
int gm_bus_new(sd_event *event, struct gm_bus **ret);

void gm_bus_set_log(struct gm_bus *bus, gm_bus_log_fn log, void *userdata);

/* Connects to the system bus (DBUS_SYSTEM_BUS_ADDRESS if set), serves the objects
 * and, unless name is NULL, requests name without queueing. Fails with
 *   -EACCES   the policy does not allow owning name,
 *   -EEXIST   another connection owns name,
 *   -ENOTCONN (or another errno) the bus cannot be reached,
 * with error describing it in one sentence for the caller to log. Call it once
 * (-EBUSY afterwards), also when it failed.
 * Afterwards a lost connection is reopened with backoff (1 s doubling to 30 s), the
 * objects are served again and the name requested again; that is logged here. */
int gm_bus_start(struct gm_bus *bus, const char *name, struct gm_bus_error *error);

/* Closes the connection and frees the context. Objects still alive are detached
 * (they no longer reach the bus) and must still be freed by their owner. */
void gm_bus_free(struct gm_bus *bus);

/* The current connection, NULL while reconnecting; valid until control returns
 * to the event loop. For calls this layer does not wrap. */
DBusConnection *gm_bus_get_connection(struct gm_bus *bus);

sd_event *gm_bus_get_event(struct gm_bus *bus);

/* True while connected and, if a name was requested, owning it. */
bool gm_bus_is_ready(struct gm_bus *bus);
