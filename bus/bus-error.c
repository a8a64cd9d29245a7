/* D-Bus errors: a name and a message, and their mapping to and from negative errno. */
#include "bus-error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Both directions use this table; the first entry for an errno is the name sent. */
static const struct {
        int errnum;
        const char *name;
} errno_names[] = {
        { ENOMEM, DBUS_ERROR_NO_MEMORY },
        { EINVAL, DBUS_ERROR_INVALID_ARGS },
        { EACCES, DBUS_ERROR_ACCESS_DENIED },
        { EPERM, DBUS_ERROR_ACCESS_DENIED },
        { ENOENT, DBUS_ERROR_FILE_NOT_FOUND },
        { EEXIST, DBUS_ERROR_FILE_EXISTS },
        { ETIMEDOUT, DBUS_ERROR_TIMEOUT },
        { ETIMEDOUT, DBUS_ERROR_NO_REPLY },
        { EIO, DBUS_ERROR_IO_ERROR },
        { EOPNOTSUPP, DBUS_ERROR_NOT_SUPPORTED },
        { ENOTCONN, DBUS_ERROR_DISCONNECTED },
        { ENOTCONN, DBUS_ERROR_NO_SERVER },
        { ECONNREFUSED, DBUS_ERROR_NO_SERVER },
        { EADDRINUSE, DBUS_ERROR_ADDRESS_IN_USE },
        { ENOBUFS, DBUS_ERROR_LIMITS_EXCEEDED },
        { EBADMSG, DBUS_ERROR_INCONSISTENT_MESSAGE },
        { ENXIO, DBUS_ERROR_UNKNOWN_OBJECT },
        { EBADR, DBUS_ERROR_UNKNOWN_METHOD },
        { ENOENT, DBUS_ERROR_SERVICE_UNKNOWN },
        { ENXIO, DBUS_ERROR_NAME_HAS_NO_OWNER },
};

int gm_bus_error_name_to_errno(const char *name)
{
        if (!name)
                return -EIO;
        for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
                if (strcmp(errno_names[i].name, name) == 0)
                        return -errno_names[i].errnum;
        return -EIO;
}

static const char *errno_to_name(int errnum)
{
        for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
                if (errno_names[i].errnum == errnum)
                        return errno_names[i].name;
        return DBUS_ERROR_FAILED;
}

/* Without memory for the message, the caller still gets a valid error name. */
static int error_set_message(struct gm_bus_error *error, const char *name, char *message)
{
        error->name = strdup(name);
        error->message = message;
        if (!error->name) {
                free(error->message);
                error->message = NULL;
                error->name = NULL;
                return -ENOMEM;
        }
        return 0;
}

int gm_bus_error_set(struct gm_bus_error *error, const char *name, const char *format, ...)
{
        int r = gm_bus_error_name_to_errno(name);

        if (!error || error->name)
                return r;

        char *message = NULL;
        va_list ap;
        va_start(ap, format);
        if (vasprintf(&message, format, ap) < 0)
                message = NULL;
        va_end(ap);

        if (error_set_message(error, name, message) < 0)
                return -ENOMEM;
        return r;
}

int gm_bus_error_set_errno(struct gm_bus_error *error, int errnum)
{
        if (errnum >= 0)
                errnum = -EIO;
        if (!error || error->name)
                return errnum;

        char *message = strdup(strerror(-errnum));
        if (error_set_message(error, errno_to_name(-errnum), message) < 0)
                return -ENOMEM;
        return errnum;
}

int gm_bus_error_set_dbus(struct gm_bus_error *error, const DBusError *dbus_error)
{
        if (!dbus_error_is_set(dbus_error))
                return gm_bus_error_set_errno(error, -EIO);
        return gm_bus_error_set(error, dbus_error->name, "%s",
                                dbus_error->message ? dbus_error->message : dbus_error->name);
}

void gm_bus_error_free(struct gm_bus_error *error)
{
        if (!error)
                return;
        free(error->name);
        free(error->message);
        *error = GM_BUS_ERROR_NULL;
}
