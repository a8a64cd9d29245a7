/* Introspection XML generated from interface tables. */
#pragma once

#include <stdio.h>

#include "bus-interface.h"

/* Writes a complete introspection document with just this interface, as installed
 * under $datadir/dbus-1/interfaces/ (what `gaitmond --print-introspection` prints).
 * Returns 0, -EINVAL for an invalid table, or -EIO if writing failed. */
int gm_bus_interface_write_xml(const struct gm_bus_interface *iface, FILE *f);

/* What a method or property does, for the installed XML (an org.gtk.GDBus.DocString annotation). */
struct gm_bus_doc {
        const char *member;
        const char *doc;
};

/* The same, each method and property with its documentation from docs (ended by a NULL member). */
int gm_bus_interface_write_xml_doc(const struct gm_bus_interface *iface, const struct gm_bus_doc *docs, FILE *f);

/* Writes the reply to Introspect for one object path: the standard interfaces
 * (Peer, Introspectable, Properties), iface unless NULL (a path that only leads
 * to objects further down), and a <node name="..."/> for each entry of children
 * (NULL-terminated; may be NULL). Returns 0 or -EIO. */
int gm_bus_introspect_node(FILE *f, const struct gm_bus_interface *iface, const char *const *children);
