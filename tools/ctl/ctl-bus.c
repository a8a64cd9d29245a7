/* Connection to the system bus and the words for what gaitmond or the bus answered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-bus.h"
#include "ctl-log.h"

#define ERROR_PREFIX "org.gaitmon.Monitor1.Error."

int ctl_bus_open(DBusConnection **ret)
{
        DBusConnection *bus;
        DBusError error;

        dbus_error_init(&error);
        bus = dbus_bus_get_private(DBUS_BUS_SYSTEM, &error);
        if (!bus) {
                const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS");
                ctl_log("Failed to connect to the system bus%s%s%s: %s", address ? " (" : "", address ? address : "",
                        address ? ")" : "", error.message);
                dbus_error_free(&error);
                return -ECONNREFUSED;
        }
        dbus_connection_set_exit_on_disconnect(bus, FALSE);
        *ret = bus;
        return 0;
}

void ctl_bus_close(DBusConnection *bus)
{
        if (!bus)
                return;
        dbus_connection_close(bus);
        dbus_connection_unref(bus);
}

DBusMessage *ctl_bus_new_call(const char *interface, const char *method)
{
        return dbus_message_new_method_call(CTL_BUS_NAME, CTL_BUS_PATH, interface, method);
}

int ctl_bus_call_method(DBusConnection *bus, const char *interface, const char *method, int arg_type, const void *arg,
                        const char *reply_signature, DBusMessage **ret_reply)
{
        DBusMessage *call, *reply = NULL;
        int r;

        call = ctl_bus_new_call(interface, method);
        if (!call ||
            (arg_type != DBUS_TYPE_INVALID && !dbus_message_append_args(call, arg_type, arg, DBUS_TYPE_INVALID))) {
                if (call)
                        dbus_message_unref(call);
                ctl_log("Out of memory.");
                return -ENOMEM;
        }
        r = ctl_bus_call(bus, call, &reply);
        dbus_message_unref(call);
        if (r < 0)
                return r;
        if (reply_signature && !dbus_message_has_signature(reply, reply_signature)) {
                ctl_log("Unexpected reply from gaitmond to %s (signature '%s', expected '%s').", method,
                        dbus_message_get_signature(reply), reply_signature);
                dbus_message_unref(reply);
                return -EBADMSG;
        }
        *ret_reply = reply;
        return 0;
}

int ctl_bus_log_error(const DBusError *error, const char *what)
{
        const char *name = error->name ? error->name : "";

        if (strcmp(name, DBUS_ERROR_SERVICE_UNKNOWN) == 0 || strcmp(name, DBUS_ERROR_NAME_HAS_NO_OWNER) == 0) {
                ctl_log("gaitmond is not running (" CTL_BUS_NAME " not on the system bus).");
                return -ESRCH;
        }
        if (strcmp(name, DBUS_ERROR_ACCESS_DENIED) == 0) {
                ctl_log("Access denied: only root and members of the group 'gaitmon' may %s.", what);
                return -EACCES;
        }
        if (strcmp(name, DBUS_ERROR_NO_REPLY) == 0 || strcmp(name, DBUS_ERROR_TIMEOUT) == 0 ||
            strcmp(name, DBUS_ERROR_TIMED_OUT) == 0) {
                ctl_log("gaitmond did not answer in time (%s).", what);
                return -ETIMEDOUT;
        }
        if (strcmp(name, DBUS_ERROR_UNKNOWN_METHOD) == 0 || strcmp(name, DBUS_ERROR_UNKNOWN_INTERFACE) == 0 ||
            strcmp(name, DBUS_ERROR_UNKNOWN_OBJECT) == 0) {
                ctl_log("This gaitmond cannot %s (%s); is it older than gaitmonctl?", what, error->message);
                return -EOPNOTSUPP;
        }
        if (strncmp(name, ERROR_PREFIX, strlen(ERROR_PREFIX)) == 0) {
                /* gaitmond's own errors are already sentences for people. */
                ctl_log("%s", error->message);
                if (strcmp(name, ERROR_PREFIX "NoSuchRun") == 0)
                        return -ENOENT;
                if (strcmp(name, ERROR_PREFIX "NoSession") == 0)
                        return -ENODATA;
                if (strcmp(name, ERROR_PREFIX "RunInProgress") == 0)
                        return -EBUSY;
                return -EIO;
        }
        ctl_log("Failed to %s: %s", what, error->message ? error->message : name);
        return -EIO;
}

int ctl_bus_call(DBusConnection *bus, DBusMessage *call, DBusMessage **ret_reply)
{
        DBusMessage *reply;
        DBusError error;
        char what[128];
        int r;

        /* Named after the method in the message, for the error text. */
        if (strcmp(dbus_message_get_member(call), "GetAll") == 0 || strcmp(dbus_message_get_member(call), "Get") == 0)
                snprintf(what, sizeof what, "read gaitmond's properties");
        else
                snprintf(what, sizeof what, "call %s", dbus_message_get_member(call));

        dbus_error_init(&error);
        reply = dbus_connection_send_with_reply_and_block(bus, call, DBUS_TIMEOUT_USE_DEFAULT, &error);
        if (!reply) {
                r = ctl_bus_log_error(&error, what);
                dbus_error_free(&error);
                return r;
        }
        *ret_reply = reply;
        return 0;
}
