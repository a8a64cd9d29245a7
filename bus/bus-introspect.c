/* Introspection XML generated from interface tables. */
#include "bus-introspect.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "gm_xml.h"

#define INTROSPECT_DOCTYPE                                                                   \
        "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n" \
        " \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"

/* The standard interfaces, declared like our own so one writer prints them all.
 * Their calls are answered by bus-object.c (Peer by libdbus itself), not from here. */
static const struct gm_bus_method peer_methods[] = { { "Ping", "", "", "", "", NULL },
                                                     { "GetMachineId", "", "", "s", "machine_uuid", NULL },
                                                     { NULL } };

static const struct gm_bus_method introspectable_methods[] = { { "Introspect", "", "", "s", "xml_data", NULL },
                                                               { NULL } };

static const struct gm_bus_method properties_methods[] = {
        { "Get", "ss", "interface_name property_name", "v", "value", NULL },
        { "GetAll", "s", "interface_name", "a{sv}", "properties", NULL },
        { "Set", "ssv", "interface_name property_name value", "", "", NULL },
        { NULL }
};

static const struct gm_bus_signal properties_signals[] = {
        { "PropertiesChanged", "sa{sv}as", "interface_name changed_properties invalidated_properties" }, { NULL }
};

static const struct gm_bus_interface standard_interfaces[] = {
        { DBUS_INTERFACE_PEER, NULL, peer_methods, NULL },
        { DBUS_INTERFACE_INTROSPECTABLE, NULL, introspectable_methods, NULL },
        { DBUS_INTERFACE_PROPERTIES, NULL, properties_methods, properties_signals },
};

/* One <arg/> per complete type of signature, named from the space-separated names. */
static void write_args(FILE *f, const char *signature, const char *names, const char *direction)
{
        DBusSignatureIter it;
        const char *name = names ? names : "";

        if (!signature || signature[0] == '\0')
                return;

        dbus_signature_iter_init(&it, signature);
        do {
                char *type = dbus_signature_iter_get_signature(&it);
                size_t len;

                name += strspn(name, " ");
                len = strcspn(name, " ");
                fprintf(f, "   <arg type=\"%s\" name=\"%.*s\"", type ? type : "", (int)len, name);
                if (direction)
                        fprintf(f, " direction=\"%s\"", direction);
                fputs("/>\n", f);
                dbus_free(type);
                name += len;
        } while (dbus_signature_iter_next(&it));
}

/* The documentation annotation that gdbus-codegen and D-Feet know, escaped for an attribute. */
static void write_doc(FILE *f, const char *doc)
{
        fputs("   <annotation name=\"org.gtk.GDBus.DocString\" value=\"", f);
        gm_xml_put_escaped(f, doc);
        fputs("\"/>\n", f);
}

static const char *emits_changed_value(unsigned flags)
{
        if (flags & GM_BUS_PROPERTY_CONST)
                return "const";
        if (flags & GM_BUS_PROPERTY_EMITS_CHANGE)
                return NULL; /* "true" is the default: no annotation */
        if (flags & GM_BUS_PROPERTY_EMITS_INVALIDATION)
                return "invalidates";
        return "false";
}

static const char *doc_of(const struct gm_bus_doc *docs, const char *member)
{
        for (const struct gm_bus_doc *d = docs; d && d->member; d++)
                if (strcmp(d->member, member) == 0)
                        return d->doc;
        return NULL;
}

static void write_interface(FILE *f, const struct gm_bus_interface *iface, const struct gm_bus_doc *docs)
{
        fprintf(f, " <interface name=\"%s\">\n", iface->name);

        for (const struct gm_bus_method *m = iface->methods; m && m->name; m++) {
                fprintf(f, "  <method name=\"%s\">\n", m->name);
                write_args(f, m->in_signature, m->in_names, "in");
                write_args(f, m->out_signature, m->out_names, "out");
                const char *doc = doc_of(docs, m->name);
                if (doc)
                        write_doc(f, doc);
                fputs("  </method>\n", f);
        }

        for (const struct gm_bus_signal *s = iface->signals; s && s->name; s++) {
                fprintf(f, "  <signal name=\"%s\">\n", s->name);
                write_args(f, s->signature, s->names, NULL);
                fputs("  </signal>\n", f);
        }

        for (const struct gm_bus_property *p = iface->properties; p && p->name; p++) {
                const char *emits = emits_changed_value(p->flags), *doc = doc_of(docs, p->name);

                fprintf(f, "  <property name=\"%s\" type=\"%s\" access=\"%s\"", p->name, p->signature,
                        p->set ? "readwrite" : "read");
                if (!emits && !doc) {
                        fputs("/>\n", f);
                        continue;
                }
                fputs(">\n", f);
                if (emits)
                        fprintf(f,
                                "   <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\""
                                " value=\"%s\"/>\n",
                                emits);
                if (doc)
                        write_doc(f, doc);
                fputs("  </property>\n", f);
        }

        fputs(" </interface>\n", f);
}

static int finish(FILE *f)
{
        if (fflush(f) != 0 || ferror(f))
                return -EIO;
        return 0;
}

int gm_bus_interface_write_xml(const struct gm_bus_interface *iface, FILE *f)
{
        if (gm_bus_interface_verify(iface, NULL) < 0)
                return -EINVAL;

        fputs(INTROSPECT_DOCTYPE "<node>\n", f);
        write_interface(f, iface, NULL);
        fputs("</node>\n", f);
        return finish(f);
}

int gm_bus_interface_write_xml_doc(const struct gm_bus_interface *iface, const struct gm_bus_doc *docs, FILE *f)
{
        if (gm_bus_interface_verify(iface, NULL) < 0)
                return -EINVAL;

        fputs(INTROSPECT_DOCTYPE "<node>\n", f);
        write_interface(f, iface, docs);
        fputs("</node>\n", f);
        return finish(f);
}

int gm_bus_introspect_node(FILE *f, const struct gm_bus_interface *iface, const char *const *children)
{
        fputs(INTROSPECT_DOCTYPE "<node>\n", f);
        for (size_t i = 0; i < sizeof(standard_interfaces) / sizeof(standard_interfaces[0]); i++)
                write_interface(f, &standard_interfaces[i], NULL);
        if (iface)
                write_interface(f, iface, NULL);
        for (const char *const *c = children; c && *c; c++)
                fprintf(f, " <node name=\"%s\"/>\n", *c);
        fputs("</node>\n", f);
        return finish(f);
}
