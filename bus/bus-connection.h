/* A private connection to a message bus driven by an sd-event loop that comes back by
 * itself. A service owns a well-known name and serves the objects of bus-object.h on
 * it (gm_bus_start); a client only calls and listens (gm_bus_start_client). Either can
 * hear of each connect and each loss, and see every message, through callbacks. */
#pragma once

#include <stdbool.h>
#include <dbus/dbus.h>
#include <systemd/sd-event.h>

#include "bus-error.h"

struct gm_bus;

/* Receives what the connection has to report (syslog priorities, LOG_ERR..LOG_DEBUG):
 * one sentence, lower case, no final period. The default writes "bus: <message>" to
 * stderr. */
typedef void (*gm_bus_log_fn)(int priority, const char *message, void *userdata);

/* What the owner of the connection hears; each may be NULL. */
struct gm_bus_callbacks {
        /* A connection is up (and the name owned, if one was asked for): add matches,
         * ask for the state to follow. A negative errno drops the connection: a client
         * tries again later, gm_bus_start() fails with it. */
        int (*connected)(struct gm_bus *bus, DBusConnection *conn, void *userdata);
        /* The connection connected() was given is about to be closed (lost, dropped or
         * freed): forget everything about it, cancel the calls in flight. */
        void (*disconnected)(struct gm_bus *bus, void *userdata);
        /* Every message but the local Disconnected signal, before the objects see the
         * method calls that are not handled here. */
        DBusHandlerResult (*message)(DBusConnection *conn, DBusMessage *message, void *userdata);
};

/* Creates the connection context on event (referenced until gm_bus_free), for the
 * system bus unless gm_bus_set_bus() says otherwise. Nothing is connected yet: create
 * the objects, then call gm_bus_start() or gm_bus_start_client(). Returns 0 or -ENOMEM. */
int gm_bus_new(sd_event *event, struct gm_bus **ret);

void gm_bus_set_log(struct gm_bus *bus, gm_bus_log_fn log, void *userdata);

/* Before starting: the bus to connect to, DBUS_BUS_SYSTEM (the default) or
 * DBUS_BUS_SESSION, at address or, when address is NULL, where the environment says
 * (DBUS_SYSTEM_BUS_ADDRESS or the standard system bus; DBUS_SESSION_BUS_ADDRESS or
 * libdbus's own lookup of the session bus). The type names the bus in the log.
 * Returns 0, -EINVAL (another type), -EBUSY (started) or -ENOMEM. */
int gm_bus_set_bus(struct gm_bus *bus, DBusBusType type, const char *address);

/* Before starting; callbacks must outlive bus. */
void gm_bus_set_callbacks(struct gm_bus *bus, const struct gm_bus_callbacks *callbacks, void *userdata);

/* Connects, serves the objects and, unless name is NULL, requests name without
 * queueing. Fails with
 *   -EACCES   the policy does not allow owning name,
 *   -EEXIST   another connection owns name,
 *   -ENOTCONN (or another errno) the bus cannot be reached,
 * or the errno the connected callback returned, with error describing it in one
 * sentence for the caller to log. Call it once (-EBUSY afterwards, or after
 * gm_bus_start_client()), also when it failed.
 * Afterwards a lost connection is reopened with backoff (1 s doubling to 30 s), the
 * objects are served again and the name requested again; that is logged here. */
int gm_bus_start(struct gm_bus *bus, const char *name, struct gm_bus_error *error);

/* Connects as a client, owning no name: now or, when the bus cannot be reached or the
 * connected callback fails, in the background with the backoff that follows a lost
 * connection; that is logged here. Returns 0, -EBUSY (started) or -ENOMEM. */
int gm_bus_start_client(struct gm_bus *bus);

/* Closes the connection (the disconnected callback hears of it) and frees the
 * context. Objects still alive are detached (they no longer reach the bus) and must
 * still be freed by their owner. */
void gm_bus_free(struct gm_bus *bus);

/* The current connection, NULL while reconnecting or once it is lost; valid until
 * control returns to the event loop. For calls this layer does not wrap. */
DBusConnection *gm_bus_get_connection(struct gm_bus *bus);

sd_event *gm_bus_get_event(struct gm_bus *bus);

/* True while connected and, if a name was requested, owning it. */
bool gm_bus_is_ready(struct gm_bus *bus);
