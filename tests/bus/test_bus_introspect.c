/* Introspection XML and table validation of the D-Bus object layer. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-error.h"
#include "bus-introspect.h"

static int get_nothing(DBusMessageIter *it, void *userdata)
{
        return 0;
}

static int set_nothing(DBusMessageIter *value, void *userdata, struct gm_bus_error *error)
{
        return 0;
}

static int call_nothing(DBusMessage *call, DBusMessageIter *reply, void *userdata, struct gm_bus_error *error)
{
        return 0;
}

static const struct gm_bus_property props[] = {
        { "Cadence", "d", get_nothing, NULL, GM_BUS_PROPERTY_EMITS_CHANGE },
        { "Asymmetry", "a{sd}", get_nothing, NULL, GM_BUS_PROPERTY_EMITS_INVALIDATION },
        { "Sensors", "a(sss)", get_nothing, NULL, 0 },
        { "Serial", "s", get_nothing, NULL, GM_BUS_PROPERTY_CONST },
        { "Label", "s", get_nothing, set_nothing, GM_BUS_PROPERTY_EMITS_CHANGE },
        { NULL }
};

static const struct gm_bus_method methods[] = {
        { "ResetBaseline", "", "", "", "", call_nothing },
        { "GetSessions", "u", "days", "a(ttsdtdddsu)", "sessions", call_nothing },
        { "Describe", "sa{sd}", "metric  values", "su", "text length", call_nothing },
        { NULL }
};

static const struct gm_bus_signal signals_[] = { { "AsymmetrySpike", "sdd", "metric value baseline" },
                                                 { "FatigueAlert", "uas", "level reasons" },
                                                 { NULL } };

static const struct gm_bus_interface iface = {
        .name = "org.gaitmon.Example1",
        .properties = props,
        .methods = methods,
        .signals = signals_,
};

static char *write_to_string(int (*write)(FILE *f, const void *arg), const void *arg, int *ret)
{
        char *buf = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&buf, &size);

        cr_assert_not_null(f);
        *ret = write(f, arg);
        cr_assert_eq(fclose(f), 0);
        return buf;
}

static int write_interface_xml(FILE *f, const void *arg)
{
        return gm_bus_interface_write_xml(arg, f);
}

#define DOCTYPE                                                                              \
        "<!DOCTYPE node PUBLIC \"-//freedesktop//DTD D-BUS Object Introspection 1.0//EN\"\n" \
        " \"http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd\">\n"

Test(bus_introspect, interface_document_is_exact)
{
        static const char expected[] = DOCTYPE
                "<node>\n"
                " <interface name=\"org.gaitmon.Example1\">\n"
                "  <method name=\"ResetBaseline\">\n"
                "  </method>\n"
                "  <method name=\"GetSessions\">\n"
                "   <arg type=\"u\" name=\"days\" direction=\"in\"/>\n"
                "   <arg type=\"a(ttsdtdddsu)\" name=\"sessions\" direction=\"out\"/>\n"
                "  </method>\n"
                "  <method name=\"Describe\">\n"
                "   <arg type=\"s\" name=\"metric\" direction=\"in\"/>\n"
                "   <arg type=\"a{sd}\" name=\"values\" direction=\"in\"/>\n"
                "   <arg type=\"s\" name=\"text\" direction=\"out\"/>\n"
                "   <arg type=\"u\" name=\"length\" direction=\"out\"/>\n"
                "  </method>\n"
                "  <signal name=\"AsymmetrySpike\">\n"
                "   <arg type=\"s\" name=\"metric\"/>\n"
                "   <arg type=\"d\" name=\"value\"/>\n"
                "   <arg type=\"d\" name=\"baseline\"/>\n"
                "  </signal>\n"
                "  <signal name=\"FatigueAlert\">\n"
                "   <arg type=\"u\" name=\"level\"/>\n"
                "   <arg type=\"as\" name=\"reasons\"/>\n"
                "  </signal>\n"
                "  <property name=\"Cadence\" type=\"d\" access=\"read\"/>\n"
                "  <property name=\"Asymmetry\" type=\"a{sd}\" access=\"read\">\n"
                "   <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\" value=\"invalidates\"/>\n"
                "  </property>\n"
                "  <property name=\"Sensors\" type=\"a(sss)\" access=\"read\">\n"
                "   <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\" value=\"false\"/>\n"
                "  </property>\n"
                "  <property name=\"Serial\" type=\"s\" access=\"read\">\n"
                "   <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\" value=\"const\"/>\n"
                "  </property>\n"
                "  <property name=\"Label\" type=\"s\" access=\"readwrite\"/>\n"
                " </interface>\n"
                "</node>\n";
        int r;
        char *xml = write_to_string(write_interface_xml, &iface, &r);

        cr_assert_eq(r, 0);
        cr_assert_str_eq(xml, expected);
        free(xml);
}

static int write_node(FILE *f, const void *arg)
{
        static const char *const children[] = { "Child", "Other", NULL };
        return gm_bus_introspect_node(f, arg, children);
}

Test(bus_introspect, node_has_standard_interfaces_and_children)
{
        int r;
        char *xml = write_to_string(write_node, &iface, &r);
        const char *peer, *introspectable, *properties, *own, *child;

        cr_assert_eq(r, 0);
        cr_assert(strncmp(xml, DOCTYPE "<node>\n", strlen(DOCTYPE "<node>\n")) == 0);
        peer = strstr(xml, "<interface name=\"org.freedesktop.DBus.Peer\">");
        introspectable = strstr(xml, "<interface name=\"org.freedesktop.DBus.Introspectable\">");
        properties = strstr(xml, "<interface name=\"org.freedesktop.DBus.Properties\">");
        own = strstr(xml, "<interface name=\"org.gaitmon.Example1\">");
        child = strstr(xml, " <node name=\"Child\"/>\n <node name=\"Other\"/>\n</node>\n");
        cr_assert(peer && introspectable && properties && own && child);
        cr_assert(peer < introspectable && introspectable < properties && properties < own && own < child);
        cr_assert_not_null(strstr(xml,
                                  "<method name=\"GetMachineId\">\n"
                                  "   <arg type=\"s\" name=\"machine_uuid\" direction=\"out\"/>"));
        cr_assert_not_null(strstr(xml,
                                  "<method name=\"Set\">\n"
                                  "   <arg type=\"s\" name=\"interface_name\" direction=\"in\"/>\n"
                                  "   <arg type=\"s\" name=\"property_name\" direction=\"in\"/>\n"
                                  "   <arg type=\"v\" name=\"value\" direction=\"in\"/>\n"));
        cr_assert_not_null(strstr(xml,
                                  "<signal name=\"PropertiesChanged\">\n"
                                  "   <arg type=\"s\" name=\"interface_name\"/>\n"
                                  "   <arg type=\"a{sv}\" name=\"changed_properties\"/>\n"
                                  "   <arg type=\"as\" name=\"invalidated_properties\"/>\n"));
        free(xml);
}

static int write_bare_node(FILE *f, const void *arg)
{
        return gm_bus_introspect_node(f, NULL, NULL);
}

Test(bus_introspect, path_without_object_has_only_standard_interfaces)
{
        int r;
        char *xml = write_to_string(write_bare_node, NULL, &r);

        cr_assert_eq(r, 0);
        cr_assert_null(strstr(xml, "org.gaitmon"));
        cr_assert_null(strstr(xml, "<node name="));
        cr_assert_not_null(strstr(xml, "org.freedesktop.DBus.Properties"));
        free(xml);
}

/* A table with one mistake, checked by gm_bus_interface_verify(). */
static int verify_one(const char *iface_name, const struct gm_bus_property *p, const struct gm_bus_method *m,
                      const struct gm_bus_signal *s)
{
        struct gm_bus_property props_[2] = { { NULL } };
        struct gm_bus_method methods_[2] = { { NULL } };
        struct gm_bus_signal signals__[2] = { { NULL } };
        struct gm_bus_interface i = { iface_name, props_, methods_, signals__ };
        struct gm_bus_error error = GM_BUS_ERROR_NULL;
        int r;

        if (p)
                props_[0] = *p;
        if (m)
                methods_[0] = *m;
        if (s)
                signals__[0] = *s;
        r = gm_bus_interface_verify(&i, &error);
        cr_assert_eq(r < 0, error.message != NULL, "an error is described exactly when verify fails");
        gm_bus_error_free(&error);
        return r;
}

Test(bus_introspect, verify_accepts_good_tables)
{
        cr_assert_eq(gm_bus_interface_verify(&iface, NULL), 0);
        cr_assert_eq(verify_one("org.gaitmon.A1", NULL, NULL, NULL), 0);
}

Test(bus_introspect, verify_rejects_mistakes)
{
        const struct gm_bus_property good_p = { "Cadence", "d", get_nothing, NULL, 0 };
        const struct gm_bus_method good_m = { "Get", "u", "days", "", "", call_nothing };
        const struct gm_bus_signal good_s = { "Fault", "ss", "location reason" };
        struct gm_bus_property p;
        struct gm_bus_method m;
        struct gm_bus_signal s;

        cr_assert_eq(verify_one("org.gaitmon.A1", &good_p, &good_m, &good_s), 0);

        cr_assert_eq(verify_one("gaitmon", NULL, NULL, NULL), -EINVAL, "interface name needs a dot");
        cr_assert_eq(verify_one(NULL, NULL, NULL, NULL), -EINVAL);

        p = good_p, p.name = "Bad-Name";
        cr_assert_eq(verify_one("org.gaitmon.A1", &p, NULL, NULL), -EINVAL);
        p = good_p, p.signature = "dd";
        cr_assert_eq(verify_one("org.gaitmon.A1", &p, NULL, NULL), -EINVAL, "two types");
        p = good_p, p.signature = "a{sd";
        cr_assert_eq(verify_one("org.gaitmon.A1", &p, NULL, NULL), -EINVAL);
        p = good_p, p.get = NULL;
        cr_assert_eq(verify_one("org.gaitmon.A1", &p, NULL, NULL), -EINVAL);
        p = good_p, p.flags = GM_BUS_PROPERTY_CONST | GM_BUS_PROPERTY_EMITS_CHANGE;
        cr_assert_eq(verify_one("org.gaitmon.A1", &p, NULL, NULL), -EINVAL);

        m = good_m, m.in_names = "";
        cr_assert_eq(verify_one("org.gaitmon.A1", NULL, &m, NULL), -EINVAL, "missing argument name");
        m = good_m, m.out_signature = "a(ss)", m.out_names = "a b";
        cr_assert_eq(verify_one("org.gaitmon.A1", NULL, &m, NULL), -EINVAL, "one struct, two names");
        m = good_m, m.call = NULL;
        cr_assert_eq(verify_one("org.gaitmon.A1", NULL, &m, NULL), -EINVAL);
        m = good_m, m.in_signature = "x{";
        cr_assert_eq(verify_one("org.gaitmon.A1", NULL, &m, NULL), -EINVAL);

        s = good_s, s.names = "location";
        cr_assert_eq(verify_one("org.gaitmon.A1", NULL, NULL, &s), -EINVAL);
        s = good_s, s.name = "1Fault";
        cr_assert_eq(verify_one("org.gaitmon.A1", NULL, NULL, &s), -EINVAL);
}

Test(bus_introspect, duplicates_are_rejected)
{
        static const struct gm_bus_property twice[] = { { "Cadence", "d", get_nothing, NULL, 0 },
                                                        { "Cadence", "t", get_nothing, NULL, 0 },
                                                        { NULL } };
        const struct gm_bus_interface i = { "org.gaitmon.A1", twice, NULL, NULL };

        cr_assert_eq(gm_bus_interface_verify(&i, NULL), -EINVAL);
}

Test(bus_introspect, invalid_table_is_not_written)
{
        static const struct gm_bus_property bad[] = { { "Cadence", "dd", get_nothing, NULL, 0 }, { NULL } };
        const struct gm_bus_interface i = { "org.gaitmon.A1", bad, NULL, NULL };
        int r;
        char *xml = write_to_string(write_interface_xml, &i, &r);

        cr_assert_eq(r, -EINVAL);
        cr_assert(!xml || xml[0] == '\0');
        free(xml);
}

Test(bus_error, errno_and_names_map_both_ways)
{
        struct gm_bus_error error = GM_BUS_ERROR_NULL;

        cr_assert_eq(gm_bus_error_set_errno(&error, -EACCES), -EACCES);
        cr_assert_str_eq(error.name, DBUS_ERROR_ACCESS_DENIED);
        cr_assert_str_eq(error.message, strerror(EACCES));

        /* The first error stays. */
        cr_assert_eq(gm_bus_error_set(&error, DBUS_ERROR_INVALID_ARGS, "late"), -EINVAL);
        cr_assert_str_eq(error.name, DBUS_ERROR_ACCESS_DENIED);
        gm_bus_error_free(&error);
        cr_assert_null(error.name);

        cr_assert_eq(gm_bus_error_set(&error, "org.gaitmon.Monitor1.Error.NoSession", "No run %d", 3), -EIO);
        cr_assert_str_eq(error.message, "No run 3");
        gm_bus_error_free(&error);

        gm_bus_error_set_errno(&error, -ENOMEDIUM);
        cr_assert_str_eq(error.name, DBUS_ERROR_FAILED);
        gm_bus_error_free(&error);

        cr_assert_eq(gm_bus_error_name_to_errno(DBUS_ERROR_NO_MEMORY), -ENOMEM);
        cr_assert_eq(gm_bus_error_name_to_errno(DBUS_ERROR_UNKNOWN_OBJECT), -ENXIO);
}

static int write_documented_xml(FILE *f, const void *arg)
{
        static const struct gm_bus_doc docs[] = {
                { "GetSessions", "Runs as a{sv}: \"id\" (t) & <more>." },
                { "Cadence", "steps/min" },
                { "Asymmetry", "metric -> SI, %" },
                { NULL, NULL },
        };
        return gm_bus_interface_write_xml_doc(arg, docs, f);
}

/* A method's or property's documentation is an annotation inside it, escaped, after the
 * property's other annotations; the others are unchanged. */
Test(bus_introspect, documentation_is_an_escaped_annotation)
{
        int r;
        char *xml = write_to_string(write_documented_xml, &iface, &r);

        cr_assert_eq(r, 0);
        cr_assert_not_null(strstr(xml,
                                  "   <arg type=\"a(ttsdtdddsu)\" name=\"sessions\" direction=\"out\"/>\n"
                                  "   <annotation name=\"org.gtk.GDBus.DocString\" value=\"Runs as a{sv}: "
                                  "&quot;id&quot; (t) &amp; &lt;more&gt;.\"/>\n"
                                  "  </method>\n"),
                           "%s", xml);
        cr_assert_not_null(strstr(xml,
                                  "  <property name=\"Cadence\" type=\"d\" access=\"read\">\n"
                                  "   <annotation name=\"org.gtk.GDBus.DocString\" value=\"steps/min\"/>\n"
                                  "  </property>\n"),
                           "%s", xml);
        cr_assert_not_null(strstr(xml,
                                  "   <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\""
                                  " value=\"invalidates\"/>\n"
                                  "   <annotation name=\"org.gtk.GDBus.DocString\" value=\"metric -&gt; SI, %\"/>\n"
                                  "  </property>\n"),
                           "%s", xml);
        cr_assert_not_null(strstr(xml,
                                  "  <property name=\"Sensors\" type=\"a(sss)\" access=\"read\">\n"
                                  "   <annotation name=\"org.freedesktop.DBus.Property.EmitsChangedSignal\""
                                  " value=\"false\"/>\n"
                                  "  </property>\n"),
                           "%s", xml);
        size_t n = 0;
        for (const char *p = xml; (p = strstr(p, "DocString")); p++)
                n++;
        cr_assert_eq(n, 3, "a method and two properties documented, one annotation each");
        free(xml);
}
