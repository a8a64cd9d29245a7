/* A private connection to a message bus driven by an sd-event loop: it may own a
 * well-known name and serve the objects of bus-object.h, and reconnects by itself. */
#include "bus-private.h"
#include "bus-sdevent.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#define RECONNECT_FIRST_USEC (1000 * 1000ULL)
#define RECONNECT_MAX_USEC (30 * 1000 * 1000ULL)
#define SYSTEM_BUS_DEFAULT_ADDRESS "unix:path=/run/dbus/system_bus_socket"

static void log_stderr(int priority, const char *message, void *userdata)
{
        fprintf(stderr, "bus: %s\n", message);
}

void gm_bus_log(struct gm_bus *bus, int priority, const char *format, ...)
{
        char *message = NULL;
        va_list ap;

        va_start(ap, format);
        if (vasprintf(&message, format, ap) < 0)
                message = NULL;
        va_end(ap);
        bus->log(priority, message ? message : format, bus->log_userdata);
        free(message);
}

static const char *bus_label(const struct gm_bus *bus)
{
        return bus->type == DBUS_BUS_SESSION ? "session bus" : "system bus";
}

/* ---- dispatching: from a defer source, never from the status callback ---- */

static void on_dispatch_status(DBusConnection *conn, DBusDispatchStatus status, void *userdata)
{
        struct gm_bus *bus = userdata;

        if (status == DBUS_DISPATCH_DATA_REMAINS)
                (void)sd_event_source_set_enabled(bus->dispatch_source, SD_EVENT_ON);
}

static void schedule_reconnect(struct gm_bus *bus);

static void connection_drop(struct gm_bus *bus)
{
        DBusConnection *conn = bus->conn;

        if (!conn)
                return;
        /* The owner forgets the connection while it is still open: it may cancel calls,
         * but finds no connection to send new ones on. */
        bus->ready = false;
        if (bus->announced && bus->callbacks && bus->callbacks->disconnected)
                bus->callbacks->disconnected(bus, bus->userdata);
        bus->conn = NULL;
        bus->lost = false;
        bus->announced = false;
        (void)sd_event_source_set_enabled(bus->dispatch_source, SD_EVENT_OFF);

        dbus_connection_set_dispatch_status_function(conn, NULL, NULL, NULL);
        /* A private connection is closed by its owner before the last unref. */
        dbus_connection_close(conn);
        gm_bus_sdevent_detach(conn);
        dbus_connection_unref(conn);
}

static int on_dispatch(sd_event_source *source, void *userdata)
{
        struct gm_bus *bus = userdata;

        /* One message per loop iteration, so other sources get their turn; without
         * memory, try again on the next one. */
        if (bus->conn && !bus->lost && dbus_connection_dispatch(bus->conn) != DBUS_DISPATCH_COMPLETE && !bus->lost)
                return 0;

        (void)sd_event_source_set_enabled(source, SD_EVENT_OFF);
        if (bus->lost) {
                gm_bus_log(bus, LOG_WARNING, "lost the connection to the %s, reconnecting", bus_label(bus));
                connection_drop(bus);
                bus->reconnect_delay_usec = RECONNECT_FIRST_USEC;
                schedule_reconnect(bus);
        }
        return 0;
}

static DBusHandlerResult on_filter(DBusConnection *conn, DBusMessage *message, void *userdata)
{
        struct gm_bus *bus = userdata;

        if (dbus_message_is_signal(message, DBUS_INTERFACE_LOCAL, "Disconnected") &&
            dbus_message_has_path(message, DBUS_PATH_LOCAL)) {
                /* The connection is dropped once dispatch has returned. */
                bus->lost = true;
                return DBUS_HANDLER_RESULT_HANDLED;
        }
        if (bus->lost)
                return DBUS_HANDLER_RESULT_HANDLED;
        if (bus->callbacks && bus->callbacks->message)
                return bus->callbacks->message(conn, message, bus->userdata);
        return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;
}

static DBusHandlerResult on_message(DBusConnection *conn, DBusMessage *message, void *userdata)
{
        return gm_bus_objects_dispatch(userdata, message);
}

static const DBusObjectPathVTable fallback_vtable = {
        .message_function = on_message,
};

static int request_name(struct gm_bus *bus, struct gm_bus_error *error)
{
        DBusError e;
        int r;

        dbus_error_init(&e);
        r = dbus_bus_request_name(bus->conn, bus->name, DBUS_NAME_FLAG_DO_NOT_QUEUE, &e);
        if (r < 0) {
                if (dbus_error_has_name(&e, DBUS_ERROR_ACCESS_DENIED))
                        r = gm_bus_error_set(error, DBUS_ERROR_ACCESS_DENIED,
                                             "not allowed to own %s: check the D-Bus policy", bus->name);
                else
                        r = gm_bus_error_set(error, e.name, "cannot request %s: %s", bus->name,
                                             e.message ? e.message : e.name);
                dbus_error_free(&e);
                return r;
        }
        if (r != DBUS_REQUEST_NAME_REPLY_PRIMARY_OWNER && r != DBUS_REQUEST_NAME_REPLY_ALREADY_OWNER)
                return gm_bus_error_set(error, DBUS_ERROR_FILE_EXISTS, "%s is already owned by another process",
                                        bus->name);
        return 0;
}

/* A registered private connection to address or, when NULL, to the bus libdbus finds. */
static DBusConnection *connection_new(struct gm_bus *bus, const char *address, DBusError *e)
{
        DBusConnection *conn;

        if (!address)
                return dbus_bus_get_private(bus->type, e);
        conn = dbus_connection_open_private(address, e);
        if (conn && !dbus_bus_register(conn, e)) {
                dbus_connection_close(conn);
                dbus_connection_unref(conn);
                conn = NULL;
        }
        return conn;
}

/* Opens, glues, serves, names and announces one connection; on failure leaves none
 * behind. A failure of the connected callback leaves error unset: the callback
 * logged why. */
static int connection_open(struct gm_bus *bus, const char *address, struct gm_bus_error *error)
{
        DBusError e;
        int r;

        dbus_error_init(&e);
        bus->conn = connection_new(bus, address, &e);
        if (!bus->conn) {
                r = gm_bus_error_set(error, e.name ? e.name : DBUS_ERROR_NO_SERVER, "cannot connect to the %s: %s",
                                     bus_label(bus), e.message ? e.message : "unknown error");
                dbus_error_free(&e);
                /* NoServer, FileNotFound, NoReply alike mean "not there right now". */
                return r == -ENOMEM ? r : -ENOTCONN;
        }
        bus->lost = false;
        dbus_connection_set_exit_on_disconnect(bus->conn, FALSE);

        if (!dbus_connection_add_filter(bus->conn, on_filter, bus, NULL) ||
            !dbus_connection_try_register_fallback(bus->conn, "/", &fallback_vtable, bus, &e)) {
                r = dbus_error_is_set(&e) ? gm_bus_error_set_dbus(error, &e) : gm_bus_error_set_errno(error, -ENOMEM);
                dbus_error_free(&e);
                goto fail;
        }

        r = gm_bus_sdevent_attach(bus->conn, bus->event);
        if (r < 0) {
                r = gm_bus_error_set_errno(error, r);
                goto fail;
        }
        dbus_connection_set_dispatch_status_function(bus->conn, on_dispatch_status, bus, NULL);

        /* The objects are served before the name is taken, so the first caller finds them. */
        if (bus->name) {
                r = request_name(bus, error);
                if (r < 0)
                        goto fail;
        }
        bus->ready = true;

        /* From here on the owner hears of the connection, also when it refuses it. */
        bus->announced = true;
        if (bus->callbacks && bus->callbacks->connected) {
                r = bus->callbacks->connected(bus, bus->conn, bus->userdata);
                if (r < 0)
                        goto fail;
        }

        /* Messages that arrived while the name request or the callback blocked. */
        if (dbus_connection_get_dispatch_status(bus->conn) == DBUS_DISPATCH_DATA_REMAINS)
                (void)sd_event_source_set_enabled(bus->dispatch_source, SD_EVENT_ON);
        return 0;

fail:
        connection_drop(bus);
        return r;
}

/* One attempt; a failure is retried after the current delay, which then grows. */
static int connect_or_retry(struct gm_bus *bus, const char *address)
{
        struct gm_bus_error error = GM_BUS_ERROR_NULL;
        int r;

        r = connection_open(bus, address, &error);
        if (r >= 0) {
                /* A return, or the end of a series of failures, is news; a first
                 * connection at once is the caller's to report. */
                gm_bus_log(bus, bus->was_connected || bus->failing ? LOG_INFO : LOG_DEBUG, "connected to the %s%s%s%s",
                           bus_label(bus), bus->was_connected ? " again" : "", bus->name ? ", owning " : "",
                           bus->name ? bus->name : "");
                bus->was_connected = true;
                bus->failing = false;
                bus->reconnect_delay_usec = RECONNECT_FIRST_USEC;
                return 0;
        }

        if (!gm_bus_error_is_set(&error))
                gm_bus_log(bus, LOG_DEBUG, "setting up the %s connection failed; retrying in %llu s", bus_label(bus),
                           (unsigned long long)bus->reconnect_delay_usec / 1000000);
        else {
                /* Only the first failure of a series is worth a warning. */
                gm_bus_log(bus, bus->failing ? LOG_DEBUG : LOG_WARNING, "%s; retrying in %llu s",
                           error.message ? error.message : strerror(-r),
                           (unsigned long long)bus->reconnect_delay_usec / 1000000);
                bus->failing = true;
        }
        gm_bus_error_free(&error);
        schedule_reconnect(bus);
        return r;
}

static int on_reconnect(sd_event_source *source, uint64_t usec, void *userdata)
{
        struct gm_bus *bus = userdata;

        (void)connect_or_retry(bus, bus->reconnect_address);
        return 0;
}

/* Tries again after the current delay and doubles it for the attempt after that. */
static void schedule_reconnect(struct gm_bus *bus)
{
        uint64_t delay = bus->reconnect_delay_usec;
        int r;

        bus->reconnect_delay_usec = delay * 2 > RECONNECT_MAX_USEC ? RECONNECT_MAX_USEC : delay * 2;
        if (!bus->reconnect_source) {
                r = sd_event_add_time_relative(bus->event, &bus->reconnect_source, CLOCK_MONOTONIC, delay, 0,
                                               on_reconnect, bus);
                if (r >= 0)
                        (void)sd_event_source_set_description(bus->reconnect_source, "bus-reconnect");
        } else {
                r = sd_event_source_set_time_relative(bus->reconnect_source, delay);
                if (r >= 0)
                        r = sd_event_source_set_enabled(bus->reconnect_source, SD_EVENT_ONESHOT);
        }
        if (r < 0)
                gm_bus_log(bus, LOG_ERR, "cannot schedule reconnecting to the %s: %s", bus_label(bus), strerror(-r));
}

int gm_bus_new(sd_event *event, struct gm_bus **ret)
{
        struct gm_bus *bus;
        int r;

        bus = calloc(1, sizeof(*bus));
        if (!bus)
                return -ENOMEM;
        bus->event = sd_event_ref(event);
        bus->type = DBUS_BUS_SYSTEM;
        bus->log = log_stderr;
        bus->reconnect_delay_usec = RECONNECT_FIRST_USEC;

        r = sd_event_add_defer(event, &bus->dispatch_source, on_dispatch, bus);
        if (r < 0) {
                gm_bus_free(bus);
                return r;
        }
        (void)sd_event_source_set_description(bus->dispatch_source, "bus-dispatch");
        (void)sd_event_source_set_enabled(bus->dispatch_source, SD_EVENT_OFF);

        *ret = bus;
        return 0;
}

void gm_bus_set_log(struct gm_bus *bus, gm_bus_log_fn log, void *userdata)
{
        bus->log = log ? log : log_stderr;
        bus->log_userdata = log ? userdata : NULL;
}

int gm_bus_set_bus(struct gm_bus *bus, DBusBusType type, const char *address)
{
        char *copy = NULL;

        if (bus->started)
                return -EBUSY;
        if (type != DBUS_BUS_SYSTEM && type != DBUS_BUS_SESSION)
                return -EINVAL;
        if (address) {
                copy = strdup(address);
                if (!copy)
                        return -ENOMEM;
        }
        free(bus->given_address);
        bus->given_address = copy;
        bus->type = type;
        return 0;
}

void gm_bus_set_callbacks(struct gm_bus *bus, const struct gm_bus_callbacks *callbacks, void *userdata)
{
        bus->callbacks = callbacks;
        bus->userdata = userdata;
}

/* A bus that comes back has a new guid: reconnecting must not insist on the old one. */
static char *address_without_guid(const char *address)
{
        char *copy = malloc(strlen(address) + 1), *out = copy;
        const char *pos = address;

        if (!copy)
                return NULL;
        /* Entries are separated by ';', key=value pairs within an entry by ','. */
        while (*pos) {
                size_t len = strcspn(pos, ",;");

                if (strncmp(pos, "guid=", 5) == 0) {
                        if (out > copy && out[-1] == ',')
                                out--;
                } else {
                        memcpy(out, pos, len);
                        out += len;
                }
                pos += len;
                if (*pos)
                        *out++ = *pos++;
        }
        *out = '\0';
        return copy;
}

/* The address to connect to first and the one to reconnect to; both NULL for a
 * session bus the environment does not name (libdbus looks for it each time). */
static int resolve_address(struct gm_bus *bus)
{
        const char *address = bus->given_address;

        if (!address) {
                address = secure_getenv(bus->type == DBUS_BUS_SESSION ? "DBUS_SESSION_BUS_ADDRESS"
                                                                      : "DBUS_SYSTEM_BUS_ADDRESS");
                if (!address || address[0] == '\0')
                        address = bus->type == DBUS_BUS_SESSION ? NULL : SYSTEM_BUS_DEFAULT_ADDRESS;
        }
        if (!address)
                return 0;
        bus->address = strdup(address);
        bus->reconnect_address = address_without_guid(address);
        return bus->address && bus->reconnect_address ? 0 : -ENOMEM;
}

int gm_bus_start(struct gm_bus *bus, const char *name, struct gm_bus_error *error)
{
        int r;

        if (bus->started)
                return -EBUSY;
        bus->started = true;
        if (name) {
                if (!dbus_validate_bus_name(name, NULL))
                        return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "invalid bus name \"%s\"", name);
                bus->name = strdup(name);
                if (!bus->name)
                        return gm_bus_error_set_errno(error, -ENOMEM);
        }
        r = resolve_address(bus);
        if (r < 0)
                return gm_bus_error_set_errno(error, r);
        r = connection_open(bus, bus->address, error);
        if (r < 0)
                return gm_bus_error_is_set(error) ? r
                                                  : gm_bus_error_set(error, DBUS_ERROR_FAILED,
                                                                     "cannot set up the connection to the %s: %s",
                                                                     bus_label(bus), strerror(-r));
        bus->was_connected = true;
        return 0;
}

int gm_bus_start_client(struct gm_bus *bus)
{
        int r;

        if (bus->started)
                return -EBUSY;
        bus->started = true;
        r = resolve_address(bus);
        if (r < 0)
                return r;
        (void)connect_or_retry(bus, bus->address);
        return 0;
}

void gm_bus_free(struct gm_bus *bus)
{
        if (!bus)
                return;
        gm_bus_objects_detach(bus);
        connection_drop(bus);
        sd_event_source_disable_unref(bus->reconnect_source);
        sd_event_source_disable_unref(bus->dispatch_source);
        sd_event_unref(bus->event);
        free(bus->reconnect_address);
        free(bus->address);
        free(bus->given_address);
        free(bus->name);
        free(bus);
}

DBusConnection *gm_bus_get_connection(struct gm_bus *bus)
{
        return gm_bus_is_ready(bus) ? bus->conn : NULL;
}

sd_event *gm_bus_get_event(struct gm_bus *bus)
{
        return bus->event;
}

bool gm_bus_is_ready(struct gm_bus *bus)
{
        return bus->ready && !bus->lost;
}
