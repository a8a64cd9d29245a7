/* D-Bus errors: a name and a message, and their mapping to and from negative errno. */
#pragma once

#include <dbus/dbus.h>

/* An error to send back to a caller, or to report from the connection.
 * Start from GM_BUS_ERROR_NULL; release with gm_bus_error_free(). */
struct gm_bus_error {
        char *name;    /* e.g. "org.freedesktop.DBus.Error.InvalidArgs"; NULL when unset */
        char *message; /* one human-readable sentence */
};

#define GM_BUS_ERROR_NULL ((struct gm_bus_error){ NULL, NULL })

/* Sets name and printf-style message (an error already set is kept: the first
 * error is the one that explains what went wrong). Returns the negative errno that
 * corresponds to name (-EIO for names without one), so a handler can write
 * `return gm_bus_error_set(error, "org.example.Error.Busy", "...");`. */
int gm_bus_error_set(struct gm_bus_error *error, const char *name, const char *format, ...)
        __attribute__((format(printf, 3, 4)));

/* Sets the standard error for a negative errno (-EINVAL → InvalidArgs, -EACCES →
 * AccessDenied, -ENOMEM → NoMemory, ...; anything else → Failed) with strerror as
 * message, unless an error is already set. Returns errnum (negative). */
int gm_bus_error_set_errno(struct gm_bus_error *error, int errnum);

/* Copies a libdbus error; returns its negative errno. */
int gm_bus_error_set_dbus(struct gm_bus_error *error, const DBusError *dbus_error);

static inline int gm_bus_error_is_set(const struct gm_bus_error *error)
{
        return error && error->name;
}

void gm_bus_error_free(struct gm_bus_error *error);

/* Negative errno for a D-Bus error name (-EIO if the name has no errno). */
int gm_bus_error_name_to_errno(const char *name);
