/* SPDX-License-Identifier: MIT */
#pragma once

/* A private connection to one message bus that comes back by itself: when
 * the bus cannot be reached or goes away it is tried again with a growing
 * delay, and the owner hears of each connect and each loss. */

#include <dbus/dbus.h>
#include <systemd/sd-event.h>

struct bus_link;

struct bus_link_callbacks {
        /* Set up matches and state; a negative errno drops the connection. */
        int (*connected)(struct bus_link *link, DBusConnection *conn, void *userdata);
        /* The connection is about to be closed; forget everything about it. */
        void (*disconnected)(struct bus_link *link, void *userdata);
        /* Every message but the local Disconnected signal. */
        DBusHandlerResult (*message)(DBusConnection *conn, DBusMessage *m, void *userdata);
};

/* address NULL: the bus of `type` as the environment names it. */
int bus_link_new(sd_event *event, DBusBusType type, const char *address,
                 const struct bus_link_callbacks *callbacks, void *userdata, struct bus_link **ret);
struct bus_link *bus_link_free(struct bus_link *link);

/* Connects now, or keeps trying in the background. */
void bus_link_start(struct bus_link *link);
DBusConnection *bus_link_connection(struct bus_link *link);
const char *bus_link_name(struct bus_link *link);
