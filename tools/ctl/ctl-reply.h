/* Reading a reply whose signature was checked: each call takes one value and moves on. */
#pragma once

#include <dbus/dbus.h>
#include <stdint.h>

uint64_t ctl_reply_u64(DBusMessageIter *it);
uint32_t ctl_reply_u32(DBusMessageIter *it);
double ctl_reply_double(DBusMessageIter *it);
const char *ctl_reply_string(DBusMessageIter *it); /* points into the message */
