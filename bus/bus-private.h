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
        char *name;                        /* well-known name to own, NULL for none */
        char *reconnect_address;           /* the bus address without its guid */
        DBusConnection *conn;              /* NULL while disconnected */
        bool started;                      /* gm_bus_start() was called */
        bool ready;                        /* connected and owning name */
        bool lost;                         /* Disconnected seen: drop conn after dispatch */
        sd_event_source *dispatch_source;  /* defer: dispatches while messages remain */
        sd_event_source *reconnect_source; /* timer */
        uint64_t reconnect_delay_usec;
        struct gm_bus_object *objects;     /* served on every connection */
        gm_bus_log_fn log;
        void *log_userdata;
};

/* Logs through bus->log. */
void gm_bus_log(struct gm_bus *bus, int priority, const char *format, ...)
        __attribute__((format(printf, 3, 4)));

/* Answers a method call addressed to any path on this connection (bus-object.c). */
DBusHandlerResult gm_bus_objects_dispatch(struct gm_bus *bus, DBusMessage *message);

/* Detaches all objects from a bus being freed (bus-object.c). */
void gm_bus_objects_detach(struct gm_bus *bus);
