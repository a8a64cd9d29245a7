/* What the connection (bus-connection.c) and the objects (bus-object.c) share. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <dbus/dbus.h>
#include <systemd/sd-event.h>

#include "bus-connection.h"

struct gm_bus_object;

struct gm_bus {
        sd_event *event;
        DBusBusType type;                  /* DBUS_BUS_SYSTEM or DBUS_BUS_SESSION */
        char *given_address;               /* gm_bus_set_bus()'s, NULL: the environment's */
        char *name;                        /* well-known name to own, NULL for none */
        char *address;                     /* NULL: libdbus looks the session bus up */
        char *reconnect_address;           /* address without its guid */
        DBusConnection *conn;              /* NULL while disconnected */
        bool started;                      /* gm_bus_start*() was called */
        bool ready;                        /* connected and owning name */
        bool lost;                         /* Disconnected seen: drop conn after dispatch */
        bool announced;                    /* the owner was told of conn (connected) */
        bool was_connected;                /* some connection got ready before */
        bool failing;                      /* a failure to connect was logged as a warning */
        sd_event_source *dispatch_source;  /* defer: dispatches while messages remain */
        sd_event_source *reconnect_source; /* timer */
        uint64_t reconnect_delay_usec;     /* of the next attempt */
        struct gm_bus_object *objects;     /* served on every connection */
        const struct gm_bus_callbacks *callbacks;
        void *userdata;
        gm_bus_log_fn log;
        void *log_userdata;
};

/* Logs through bus->log. */
void gm_bus_log(struct gm_bus *bus, int priority, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* Answers a method call addressed to any path on this connection (bus-object.c). */
DBusHandlerResult gm_bus_objects_dispatch(struct gm_bus *bus, DBusMessage *message);

/* Detaches all objects from a bus being freed (bus-object.c). */
void gm_bus_objects_detach(struct gm_bus *bus);
