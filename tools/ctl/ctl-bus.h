/* gaitmonctl's side of the system bus: connecting, calling gaitmond, saying what went wrong. */
#pragma once

#include <dbus/dbus.h>

#define CTL_BUS_NAME "org.gaitmon.Monitor1"
#define CTL_BUS_PATH "/org/gaitmon/Monitor1"
#define CTL_BUS_INTERFACE "org.gaitmon.Monitor1"

/* A private connection to the system bus (DBUS_SYSTEM_BUS_ADDRESS if set). Logs failures. */
int ctl_bus_open(DBusConnection **ret);
void ctl_bus_close(DBusConnection *bus);

/* A method call to gaitmond's object, or NULL when out of memory. */
DBusMessage *ctl_bus_new_call(const char *interface, const char *method);

/* Sends call and waits for the reply. A D-Bus error is logged once, in words that say what to
 * do, and returned as a negative errno: -ESRCH gaitmond is not running, -EACCES access denied,
 * -ETIMEDOUT no reply, -ENOENT no such run, -ENODATA no run in progress, -EIO otherwise. */
int ctl_bus_call(DBusConnection *bus, DBusMessage *call, DBusMessage **ret_reply);

/* Calls interface.method on gaitmond's object with at most one basic argument (arg_type
 * DBUS_TYPE_INVALID for none) through ctl_bus_call(). Unless reply_signature is NULL, a reply
 * of another signature is logged and gives -EBADMSG. */
int ctl_bus_call_method(DBusConnection *bus, const char *interface, const char *method, int arg_type, const void *arg,
                        const char *reply_signature, DBusMessage **ret_reply);

/* The same translation, for errors met elsewhere (a failed AddMatch, a signal error). */
int ctl_bus_log_error(const DBusError *error, const char *what);
