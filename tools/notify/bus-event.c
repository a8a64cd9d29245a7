/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bus-event.h"

struct bus_event {
        DBusConnection *conn;
        sd_event *event;
        sd_event_source *dispatch_source;
};

static int on_watch_io(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        DBusWatch *watch = userdata;
        unsigned flags = 0;

        if (revents & EPOLLIN)
                flags |= DBUS_WATCH_READABLE;
        if (revents & EPOLLOUT)
                flags |= DBUS_WATCH_WRITABLE;
        if (revents & EPOLLERR)
                flags |= DBUS_WATCH_ERROR;
        if (revents & EPOLLHUP)
                flags |= DBUS_WATCH_HANGUP;
        dbus_watch_handle(watch, flags);
        return 0;
}

static uint32_t watch_events(DBusWatch *watch) {
        unsigned flags = dbus_watch_get_flags(watch);

        return (flags & DBUS_WATCH_READABLE ? EPOLLIN : 0) | (flags & DBUS_WATCH_WRITABLE ? EPOLLOUT : 0);
}

/* libdbus hands out a read and a write watch on the same socket, and sd-event
 * takes one source per fd: each source gets its own duplicate and owns it. */
static dbus_bool_t add_watch(DBusWatch *watch, void *userdata) {
        struct bus_event *b = userdata;
        sd_event_source *s;
        int fd, r;

        fd = fcntl(dbus_watch_get_unix_fd(watch), F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return FALSE;
        r = sd_event_add_io(b->event, &s, fd, watch_events(watch), on_watch_io, watch);
        if (r < 0) {
                close(fd);
                return FALSE;
        }
        (void) sd_event_source_set_io_fd_own(s, 1);
        (void) sd_event_source_set_enabled(s, dbus_watch_get_enabled(watch) ? SD_EVENT_ON : SD_EVENT_OFF);
        dbus_watch_set_data(watch, s, NULL);
        return TRUE;
}

static void remove_watch(DBusWatch *watch, void *userdata) {
        sd_event_source_disable_unref(dbus_watch_get_data(watch));
        dbus_watch_set_data(watch, NULL, NULL);
}

static void toggle_watch(DBusWatch *watch, void *userdata) {
        sd_event_source *s = dbus_watch_get_data(watch);

        if (!s)
                return;
        (void) sd_event_source_set_io_events(s, watch_events(watch));
        (void) sd_event_source_set_enabled(s, dbus_watch_get_enabled(watch) ? SD_EVENT_ON : SD_EVENT_OFF);
}

static uint64_t timeout_usec(DBusTimeout *timeout) {
        return (uint64_t) dbus_timeout_get_interval(timeout) * 1000;
}

static int on_timeout(sd_event_source *s, uint64_t usec, void *userdata) {
        DBusTimeout *timeout = userdata;

        /* Re-armed first: handling it may remove it, and then s is gone. */
        (void) sd_event_source_set_time_relative(s, timeout_usec(timeout));
        (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        dbus_timeout_handle(timeout);
        return 0;
}

static dbus_bool_t add_timeout(DBusTimeout *timeout, void *userdata) {
        struct bus_event *b = userdata;
        sd_event_source *s;

        if (sd_event_add_time_relative(b->event, &s, CLOCK_MONOTONIC, timeout_usec(timeout), 0,
                                       on_timeout, timeout) < 0)
                return FALSE;
        (void) sd_event_source_set_enabled(s, dbus_timeout_get_enabled(timeout) ? SD_EVENT_ONESHOT : SD_EVENT_OFF);
        dbus_timeout_set_data(timeout, s, NULL);
        return TRUE;
}

static void remove_timeout(DBusTimeout *timeout, void *userdata) {
        sd_event_source_disable_unref(dbus_timeout_get_data(timeout));
        dbus_timeout_set_data(timeout, NULL, NULL);
}

/* A toggled timeout counts its interval again from now. */
static void toggle_timeout(DBusTimeout *timeout, void *userdata) {
        sd_event_source *s = dbus_timeout_get_data(timeout);

        if (!s)
                return;
        if (dbus_timeout_get_enabled(timeout)) {
                (void) sd_event_source_set_time_relative(s, timeout_usec(timeout));
                (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        } else
                (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
}

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

        if (!dbus_connection_set_watch_functions(conn, add_watch, remove_watch, toggle_watch, b, NULL) ||
            !dbus_connection_set_timeout_functions(conn, add_timeout, remove_timeout, toggle_timeout, b, NULL)) {
                r = -ENOMEM;
                goto fail;
        }
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
        dbus_connection_set_watch_functions(b->conn, NULL, NULL, NULL, NULL, NULL);
        dbus_connection_set_timeout_functions(b->conn, NULL, NULL, NULL, NULL, NULL);
        sd_event_source_disable_unref(b->dispatch_source);
        dbus_connection_unref(b->conn);
        sd_event_unref(b->event);
        free(b);
        return NULL;
}
