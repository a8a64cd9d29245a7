/* libdbus watches and timeouts as sd-event sources, for every libdbus connection we run. */
#include "bus-sdevent.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/epoll.h>
#include <unistd.h>

static void source_unref(void *source)
{
        sd_event_source_disable_unref(source);
}

/* ---- watches: one io source per DBusWatch, each on its own dup() of the fd ---- */

static uint32_t watch_epoll_events(DBusWatch *watch)
{
        unsigned flags = dbus_watch_get_flags(watch);

        return (flags & DBUS_WATCH_READABLE ? EPOLLIN : 0) | (flags & DBUS_WATCH_WRITABLE ? EPOLLOUT : 0);
}

static int on_watch_io(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
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

        /* May remove this very watch (on hangup), which unrefs source: do not touch
         * either afterwards. Queued messages arrive through the dispatch status. */
        (void)dbus_watch_handle(watch, flags);
        return 0;
}

static dbus_bool_t on_add_watch(DBusWatch *watch, void *userdata)
{
        sd_event *event = userdata;
        sd_event_source *source = NULL;
        int fd, r;

        /* sd-event takes one source per fd, libdbus gives two watches per socket. */
        fd = fcntl(dbus_watch_get_unix_fd(watch), F_DUPFD_CLOEXEC, 3);
        if (fd < 0)
                return FALSE;

        r = sd_event_add_io(event, &source, fd, watch_epoll_events(watch), on_watch_io, watch);
        if (r < 0) {
                close(fd);
                return FALSE;
        }
        (void)sd_event_source_set_io_fd_own(source, true);
        (void)sd_event_source_set_description(source, "bus-watch");
        r = sd_event_source_set_enabled(source, dbus_watch_get_enabled(watch) ? SD_EVENT_ON : SD_EVENT_OFF);
        if (r < 0) {
                sd_event_source_disable_unref(source);
                return FALSE;
        }
        dbus_watch_set_data(watch, source, source_unref);
        return TRUE;
}

static void on_remove_watch(DBusWatch *watch, void *userdata)
{
        /* Frees the source through source_unref(). */
        dbus_watch_set_data(watch, NULL, NULL);
}

static void on_toggle_watch(DBusWatch *watch, void *userdata)
{
        sd_event_source *source = dbus_watch_get_data(watch);

        if (!source)
                return;
        if (dbus_watch_get_enabled(watch)) {
                (void)sd_event_source_set_io_events(source, watch_epoll_events(watch));
                (void)sd_event_source_set_enabled(source, SD_EVENT_ON);
        } else {
                (void)sd_event_source_set_enabled(source, SD_EVENT_OFF);
        }
}

/* ---- timeouts: a one-shot timer re-armed from the interval each time ---- */

static uint64_t timeout_usec(DBusTimeout *timeout)
{
        int ms = dbus_timeout_get_interval(timeout);
        return ms > 0 ? (uint64_t)ms * 1000 : 0;
}

static int on_timeout_elapsed(sd_event_source *source, uint64_t usec, void *userdata)
{
        DBusTimeout *timeout = userdata;

        /* libdbus expects the timeout to repeat until removed or disabled; re-arm
         * first, since handling it may remove it (and unref source). */
        (void)sd_event_source_set_time_relative(source, timeout_usec(timeout));
        (void)sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
        (void)dbus_timeout_handle(timeout);
        return 0;
}

static dbus_bool_t on_add_timeout(DBusTimeout *timeout, void *userdata)
{
        sd_event *event = userdata;
        sd_event_source *source = NULL;
        int r;

        r = sd_event_add_time_relative(event, &source, CLOCK_MONOTONIC, timeout_usec(timeout), 1000, on_timeout_elapsed,
                                       timeout);
        if (r < 0)
                return FALSE;
        (void)sd_event_source_set_description(source, "bus-timeout");
        r = sd_event_source_set_enabled(source, dbus_timeout_get_enabled(timeout) ? SD_EVENT_ONESHOT : SD_EVENT_OFF);
        if (r < 0) {
                sd_event_source_disable_unref(source);
                return FALSE;
        }
        dbus_timeout_set_data(timeout, source, source_unref);
        return TRUE;
}

static void on_remove_timeout(DBusTimeout *timeout, void *userdata)
{
        dbus_timeout_set_data(timeout, NULL, NULL);
}

static void on_toggle_timeout(DBusTimeout *timeout, void *userdata)
{
        sd_event_source *source = dbus_timeout_get_data(timeout);

        if (!source)
                return;
        if (dbus_timeout_get_enabled(timeout)) {
                /* The interval may have changed and counts from now. */
                (void)sd_event_source_set_time_relative(source, timeout_usec(timeout));
                (void)sd_event_source_set_enabled(source, SD_EVENT_ONESHOT);
        } else {
                (void)sd_event_source_set_enabled(source, SD_EVENT_OFF);
        }
}

int gm_bus_sdevent_attach(DBusConnection *conn, sd_event *event)
{
        if (!dbus_connection_set_watch_functions(conn, on_add_watch, on_remove_watch, on_toggle_watch, event, NULL) ||
            !dbus_connection_set_timeout_functions(conn, on_add_timeout, on_remove_timeout, on_toggle_timeout, event,
                                                   NULL)) {
                gm_bus_sdevent_detach(conn);
                return -ENOMEM;
        }
        return 0;
}

void gm_bus_sdevent_detach(DBusConnection *conn)
{
        /* Unsetting the functions removes every watch and timeout, freeing their sources. */
        (void)dbus_connection_set_watch_functions(conn, NULL, NULL, NULL, NULL, NULL);
        (void)dbus_connection_set_timeout_functions(conn, NULL, NULL, NULL, NULL, NULL);
}
