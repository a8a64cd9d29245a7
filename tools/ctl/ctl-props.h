/* gaitmond's properties as last seen: from GetAll, kept current by PropertiesChanged. */
#pragma once

#include <dbus/dbus.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl-json.h"

struct ctl_prop {
        char *name;
        DBusMessage *owner;    /* the message the value lives in, referenced */
        DBusMessageIter value; /* the variant's content */
};

struct ctl_props {
        struct ctl_prop *items;
        size_t n;
};

/* Takes every entry of an a{sv} (dict points at it, inside message m). -EBADMSG on a bad type. */
int ctl_props_update(struct ctl_props *p, DBusMessage *m, DBusMessageIter *dict);
void ctl_props_clear(struct ctl_props *p);

/* The value of name if present and of that D-Bus type, else NULL. */
const DBusMessageIter *ctl_props_get(const struct ctl_props *p, const char *name, int type);
double ctl_props_double(const struct ctl_props *p, const char *name);      /* NaN when absent */
uint64_t ctl_props_u64(const struct ctl_props *p, const char *name);       /* 0 when absent */
const char *ctl_props_string(const struct ctl_props *p, const char *name); /* NULL when absent */

/* Any D-Bus value as JSON (dicts as objects, structs and arrays as arrays) or as short text. */
void ctl_value_json(struct ctl_json *j, const DBusMessageIter *value);
void ctl_value_text(FILE *f, const DBusMessageIter *value);
