/* The static table that declares one D-Bus interface: its properties, methods and signals. */
#pragma once

#include <dbus/dbus.h>

#include "bus-error.h"

enum gm_bus_property_flags {
        /* The value never changes while the object exists (EmitsChangedSignal=const). */
        GM_BUS_PROPERTY_CONST = 1 << 0,
        /* gm_bus_object_changed() sends the new value in PropertiesChanged (EmitsChangedSignal=true). */
        GM_BUS_PROPERTY_EMITS_CHANGE = 1 << 1,
        /* PropertiesChanged names it as invalidated, without the value (EmitsChangedSignal=invalidates). */
        GM_BUS_PROPERTY_EMITS_INVALIDATION = 1 << 2,
        /* None of these: the value changes silently (EmitsChangedSignal=false). */
};

/* Appends exactly one value of the property's signature to it (inside the variant of
 * Get, GetAll and PropertiesChanged). Returns 0, or a negative errno: Get and GetAll
 * then fail with org.freedesktop.DBus.Error.Failed, PropertiesChanged lists the
 * property as invalidated. A value of the wrong type is refused the same way.
 * Strings must be valid UTF-8 (libdbus aborts on others), here as everywhere. */
typedef int (*gm_bus_property_get_fn)(DBusMessageIter *it, void *userdata);

/* Reads the new value from value (already checked to have the property's signature).
 * Returns 0, or a negative errno, optionally with error set to say why. */
typedef int (*gm_bus_property_set_fn)(DBusMessageIter *value, void *userdata, struct gm_bus_error *error);

/* Handles a call whose arguments match in_signature: reads them from call, appends
 * the out_signature values to reply (nothing for ""). Returns >= 0 for a reply, or a
 * negative errno: error if set is sent, otherwise the standard error for the errno.
 * A reply that does not match out_signature is logged and replaced by Failed. */
typedef int (*gm_bus_method_fn)(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error);

struct gm_bus_property {
        const char *name;           /* member name, e.g. "Cadence" */
        const char *signature;      /* one complete type, e.g. "d", "a{sd}" */
        gm_bus_property_get_fn get; /* required */
        gm_bus_property_set_fn set; /* NULL: read-only, Set fails with PropertyReadOnly */
        unsigned flags;             /* enum gm_bus_property_flags */
};

struct gm_bus_method {
        const char *name;
        const char *in_signature; /* "" for none */
        const char *in_names;     /* argument names separated by spaces, one per complete type */
        const char *out_signature;
        const char *out_names;
        gm_bus_method_fn call; /* required */
};

struct gm_bus_signal {
        const char *name;
        const char *signature;
        const char *names; /* argument names separated by spaces, one per complete type */
};

/* One interface. Each array ends with an entry whose name is NULL; any array may be NULL. */
struct gm_bus_interface {
        const char *name; /* e.g. "org.gaitmon.Monitor1" */
        const struct gm_bus_property *properties;
        const struct gm_bus_method *methods;
        const struct gm_bus_signal *signals;
};

/* Checks a table: valid interface and member names, no duplicates, valid signatures,
 * a property signature of exactly one complete type, one argument name per
 * complete type, a getter for every property and a handler for every method.
 * Returns 0 or -EINVAL; describes the first problem in error. */
int gm_bus_interface_verify(const struct gm_bus_interface *iface, struct gm_bus_error *error);

/* Lookup by member name; NULL if absent. */
const struct gm_bus_property *gm_bus_interface_find_property(const struct gm_bus_interface *iface, const char *name);
const struct gm_bus_method *gm_bus_interface_find_method(const struct gm_bus_interface *iface, const char *name);
const struct gm_bus_signal *gm_bus_interface_find_signal(const struct gm_bus_interface *iface, const char *name);

/* Number of properties (index of the terminating entry). */
size_t gm_bus_interface_n_properties(const struct gm_bus_interface *iface);
