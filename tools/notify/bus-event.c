/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "bus-event.h"
#include "bus-sdevent.h"

struct bus_event {
        DBusConnection *conn;
        sd_event *event;
        sd_event_source *dispatch_source;
};

/* Dispatching from here would re-enter libdbus: only ask the loop to do it. */
static void on_dispatch_status(DBusConnection *conn, DBusDispatchStatus status, void *userdata) {
        struct bus_event *b = userdata;

        if (status == DBUS_DISPATCH_DATA_REMAINS)
                (void) sd_event_source_set_enabled(b->dispatch_source, SD_EVENT_ON);
}

static int on_dispatch(sd_event_source *s, void *userdata) {
        struct bus_event *b = userdata;

        if (dbus_connection_dispatch(b->conn) != DBUS_DISPATCH_DATA_REMAINS)
                (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        return 0;
}

int bus_event_attach(DBusConnection *conn, sd_event *event, struct bus_event **ret) {
        struct bus_event *b;
        int r;

        b = calloc(1, sizeof(*b));
        if (!b)
                return -ENOMEM;
        b->conn = dbus_connection_ref(conn);
        b->event = sd_event_ref(event);

        r = sd_event_add_defer(event, &b->dispatch_source, on_dispatch, b);
        if (r < 0)
                goto fail;
        (void) sd_event_source_set_enabled(b->dispatch_source, SD_EVENT_OFF);

        r = gm_bus_sdevent_attach(conn, event);
        if (r < 0)
                goto fail;
        dbus_connection_set_dispatch_status_function(conn, on_dispatch_status, b, NULL);
        if (dbus_connection_get_dispatch_status(conn) == DBUS_DISPATCH_DATA_REMAINS)
                (void) sd_event_source_set_enabled(b->dispatch_source, SD_EVENT_ON);

        *ret = b;
        return 0;

fail:
        bus_event_detach(b);
        return r;
}

struct bus_event *bus_event_detach(struct bus_event *b) {
        if (!b)
                return NULL;
        /* Unsetting the functions removes every watch and timeout added. */
        dbus_connection_set_dispatch_status_function(b->conn, NULL, NULL, NULL);
        gm_bus_sdevent_detach(b->conn);
        sd_event_source_disable_unref(b->dispatch_source);
        dbus_connection_unref(b->conn);
        sd_event_unref(b->event);
        free(b);
        return NULL;
}
