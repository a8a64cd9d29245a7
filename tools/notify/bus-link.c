/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bus-event.h"
#include "bus-link.h"
#include "notify-log.h"

#define RETRY_FIRST_USEC  (1ULL * 1000000)
#define RETRY_MAX_USEC   (30ULL * 1000000)

struct bus_link {
        sd_event *event;
        DBusBusType type;
        char *address;
        const struct bus_link_callbacks *callbacks;
        void *userdata;

        DBusConnection *conn;
        struct bus_event *attachment;
        bool lost;              /* Disconnected seen, teardown pending */

        sd_event_source *retry_source;
        uint64_t retry_usec;
        bool failure_logged;
};

const char *bus_link_name(struct bus_link *link) {
        return link->type == DBUS_BUS_SYSTEM ? "system bus" : "session bus";
}

DBusConnection *bus_link_connection(struct bus_link *link) {
        return link->lost ? NULL : link->conn;
}

static void link_drop(struct bus_link *link) {
        if (!link->conn)
                return;
        if (link->callbacks->disconnected)
                link->callbacks->disconnected(link, link->userdata);
        link->attachment = bus_event_detach(link->attachment);
        /* A private connection is closed by its owner before the last unref. */
        dbus_connection_close(link->conn);
        dbus_connection_unref(link->conn);
        link->conn = NULL;
        link->lost = false;
}

static void link_schedule(struct bus_link *link, uint64_t usec) {
        (void) sd_event_source_set_time_relative(link->retry_source, usec);
        (void) sd_event_source_set_enabled(link->retry_source, SD_EVENT_ONESHOT);
}

static DBusHandlerResult link_filter(DBusConnection *conn, DBusMessage *m, void *userdata) {
        struct bus_link *link = userdata;

        if (dbus_message_is_signal(m, DBUS_INTERFACE_LOCAL, "Disconnected") &&
            dbus_message_has_path(m, DBUS_PATH_LOCAL)) {
                log_warning("Lost the %s; reconnecting in the background.", bus_link_name(link));
                /* Torn down from the loop, not from inside this dispatch. */
                link->lost = true;
                link->retry_usec = RETRY_FIRST_USEC;
                link_schedule(link, 0);
                return DBUS_HANDLER_RESULT_HANDLED;
        }
        if (link->lost)
                return DBUS_HANDLER_RESULT_HANDLED;
        return link->callbacks->message(conn, m, link->userdata);
}

static int link_connect(struct bus_link *link) {
        DBusConnection *conn;
        DBusError error;
        int r;

        dbus_error_init(&error);
        if (link->address) {
                conn = dbus_connection_open_private(link->address, &error);
                if (conn && !dbus_bus_register(conn, &error)) {
                        dbus_connection_close(conn);
                        dbus_connection_unref(conn);
                        conn = NULL;
                }
        } else
                conn = dbus_bus_get_private(link->type, &error);
        if (!conn) {
                if (!link->failure_logged)
                        log_warning("Cannot connect to the %s (%s); retrying in the background.",
                                    bus_link_name(link), error.message ? error.message : "unknown error");
                link->failure_logged = true;
                dbus_error_free(&error);
                return -ECONNREFUSED;
        }

        dbus_connection_set_exit_on_disconnect(conn, FALSE);
        if (!dbus_connection_add_filter(conn, link_filter, link, NULL)) {
                r = -ENOMEM;
                goto fail;
        }
        r = bus_event_attach(conn, link->event, &link->attachment);
        if (r < 0) {
                log_error("Cannot watch the %s connection: %s", bus_link_name(link), strerror(-r));
                goto fail;
        }
        link->conn = conn;

        r = link->callbacks->connected(link, conn, link->userdata);
        if (r < 0) {
                link_drop(link);
                return r;
        }
        if (link->failure_logged)
                log_info("Connected to the %s.", bus_link_name(link));
        else
                log_debug("Connected to the %s.", bus_link_name(link));
        link->failure_logged = false;
        link->retry_usec = RETRY_FIRST_USEC;
        return 0;

fail:
        dbus_connection_close(conn);
        dbus_connection_unref(conn);
        return r;
}

static void link_try(struct bus_link *link) {
        if (link_connect(link) >= 0)
                return;
        link_schedule(link, link->retry_usec);
        link->retry_usec = link->retry_usec * 2 > RETRY_MAX_USEC ? RETRY_MAX_USEC : link->retry_usec * 2;
}

static int on_retry(sd_event_source *s, uint64_t usec, void *userdata) {
        struct bus_link *link = userdata;

        if (link->lost) {
                link_drop(link);
                /* The bus is likely restarting: give it a moment. */
                link_schedule(link, link->retry_usec);
                return 0;
        }
        if (!link->conn)
                link_try(link);
        return 0;
}

int bus_link_new(sd_event *event, DBusBusType type, const char *address,
                 const struct bus_link_callbacks *callbacks, void *userdata, struct bus_link **ret) {
        struct bus_link *link;
        int r;

        link = calloc(1, sizeof(*link));
        if (!link)
                return -ENOMEM;
        *link = (struct bus_link) {
                .event = sd_event_ref(event),
                .type = type,
                .callbacks = callbacks,
                .userdata = userdata,
                .retry_usec = RETRY_FIRST_USEC,
        };
        if (address) {
                link->address = strdup(address);
                if (!link->address) {
                        bus_link_free(link);
                        return -ENOMEM;
                }
        }
        r = sd_event_add_time_relative(event, &link->retry_source, CLOCK_MONOTONIC, RETRY_FIRST_USEC, 0,
                                       on_retry, link);
        if (r < 0) {
                bus_link_free(link);
                return r;
        }
        (void) sd_event_source_set_enabled(link->retry_source, SD_EVENT_OFF);
        *ret = link;
        return 0;
}

void bus_link_start(struct bus_link *link) {
        if (!link->conn)
                link_try(link);
}

struct bus_link *bus_link_free(struct bus_link *link) {
        if (!link)
                return NULL;
        link_drop(link);
        sd_event_source_disable_unref(link->retry_source);
        sd_event_unref(link->event);
        free(link->address);
        free(link);
        return NULL;
}
