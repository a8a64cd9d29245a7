/* Sequential readers over a DBusMessageIter of a known signature. */
#include "ctl-reply.h"

uint64_t ctl_reply_u64(DBusMessageIter *it)
{
        dbus_uint64_t v = 0;
        dbus_message_iter_get_basic(it, &v);
        dbus_message_iter_next(it);
        return v;
}

uint32_t ctl_reply_u32(DBusMessageIter *it)
{
        dbus_uint32_t v = 0;
        dbus_message_iter_get_basic(it, &v);
        dbus_message_iter_next(it);
        return v;
}

double ctl_reply_double(DBusMessageIter *it)
{
        double v = 0;
        dbus_message_iter_get_basic(it, &v);
        dbus_message_iter_next(it);
        return v;
}

const char *ctl_reply_string(DBusMessageIter *it)
{
        const char *v = "";
        dbus_message_iter_get_basic(it, &v);
        dbus_message_iter_next(it);
        return v;
}
