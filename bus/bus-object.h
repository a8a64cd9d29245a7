/* An object on the bus: one interface table served at one path, with the standard
 * Introspectable, Properties and Peer interfaces, throttled PropertiesChanged and
 * signal emission checked against the table. */
#pragma once

#include <stdint.h>
#include <dbus/dbus.h>

#include "bus-connection.h"
#include "bus-interface.h"

struct gm_bus_object;

#define GM_BUS_CHANGED_INTERVAL_USEC (1000 * 1000ULL)

/* Serves iface (verified first: -EINVAL and a log line if the table is wrong) at
 * path on bus, now and after every reconnect. Getters, setters and method handlers
 * receive userdata. Paths leading to it answer Introspect with child nodes. Returns
 * 0, -EINVAL, -EEXIST (path taken) or -ENOMEM. */
int gm_bus_object_new(struct gm_bus *bus, const char *path, const struct gm_bus_interface *iface, void *userdata,
                      struct gm_bus_object **ret);

/* Stops serving the path and frees the object; pending changes are dropped. */
void gm_bus_object_free(struct gm_bus_object *obj);

/* Marks property (NULL: every property that announces changes) as changed. Cheap,
 * call it on every update: at most once per interval (default
 * GM_BUS_CHANGED_INTERVAL_USEC) one PropertiesChanged carries the values read
 * through the getters at that moment, for all properties marked since the last
 * one. The first change after a quiet interval goes out on the next loop
 * iteration. Returns 0, or -EINVAL if property is unknown or declared without
 * GM_BUS_PROPERTY_EMITS_CHANGE or _EMITS_INVALIDATION. */
int gm_bus_object_changed(struct gm_bus_object *obj, const char *property);

/* The minimum time between two PropertiesChanged of this object (tests shorten it). */
void gm_bus_object_set_changed_interval(struct gm_bus_object *obj, uint64_t usec);

/* Emits signal with arguments given as for dbus_message_append_args() (type, then
 * pointer to value; arrays of basic types as DBUS_TYPE_ARRAY, element type,
 * pointer to array, count), ending with DBUS_TYPE_INVALID, e.g.
 *   gm_bus_object_emit(obj, "AsymmetrySpike", DBUS_TYPE_STRING, &metric,
 *                      DBUS_TYPE_DOUBLE, &value, DBUS_TYPE_DOUBLE, &baseline,
 *                      DBUS_TYPE_INVALID);
 * Returns 0 (also while disconnected: the signal is dropped), -EINVAL if signal is
 * not in the table or the arguments do not match its signature, or -ENOMEM. */
int gm_bus_object_emit(struct gm_bus_object *obj, const char *signal, int first_type, ...);

/* Appends the arguments of a signal to it. Returns 0 or a negative errno. */
typedef int (*gm_bus_append_fn)(DBusMessageIter *it, void *userdata);

/* Like gm_bus_object_emit() for any signature (structs, dicts, nested arrays):
 * append fills in the arguments; a failure of append is returned as is. */
int gm_bus_object_emit_with(struct gm_bus_object *obj, const char *signal, gm_bus_append_fn append, void *userdata);

const char *gm_bus_object_get_path(const struct gm_bus_object *obj);
