/* The static table that declares one D-Bus interface: lookup and validation. */
#include "bus-interface.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

const struct gm_bus_property *gm_bus_interface_find_property(const struct gm_bus_interface *iface, const char *name)
{
        if (!iface->properties || !name)
                return NULL;
        for (const struct gm_bus_property *p = iface->properties; p->name; p++)
                if (strcmp(p->name, name) == 0)
                        return p;
        return NULL;
}

const struct gm_bus_method *gm_bus_interface_find_method(const struct gm_bus_interface *iface, const char *name)
{
        if (!iface->methods || !name)
                return NULL;
        for (const struct gm_bus_method *m = iface->methods; m->name; m++)
                if (strcmp(m->name, name) == 0)
                        return m;
        return NULL;
}

const struct gm_bus_signal *gm_bus_interface_find_signal(const struct gm_bus_interface *iface, const char *name)
{
        if (!iface->signals || !name)
                return NULL;
        for (const struct gm_bus_signal *s = iface->signals; s->name; s++)
                if (strcmp(s->name, name) == 0)
                        return s;
        return NULL;
}

size_t gm_bus_interface_n_properties(const struct gm_bus_interface *iface)
{
        size_t n = 0;
        if (iface->properties)
                while (iface->properties[n].name)
                        n++;
        return n;
}

static int count_complete_types(const char *signature)
{
        DBusSignatureIter it;
        int n = 0;

        if (!signature || !dbus_signature_validate(signature, NULL))
                return -EINVAL;
        if (signature[0] == '\0')
                return 0;
        dbus_signature_iter_init(&it, signature);
        do
                n++;
        while (dbus_signature_iter_next(&it));
        return n;
}

static int count_names(const char *names)
{
        int n = 0;
        bool in_word = false;

        for (const char *c = names ? names : ""; *c; c++) {
                if (*c == ' ') {
                        in_word = false;
                } else if (!in_word) {
                        in_word = true;
                        n++;
                }
        }
        return n;
}

static int verify_arguments(const char *member, const char *signature, const char *names, struct gm_bus_error *error)
{
        int n_types = count_complete_types(signature);

        if (n_types < 0)
                return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "%s: invalid signature \"%s\"", member,
                                        signature ? signature : "(null)");
        if (count_names(names) != n_types)
                return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS,
                                        "%s: signature \"%s\" needs %d argument names, got \"%s\"", member, signature,
                                        n_types, names ? names : "");
        return 0;
}

static int verify_member_name(const char *name, struct gm_bus_error *error)
{
        if (!dbus_validate_member(name, NULL))
                return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "invalid member name \"%s\"", name);
        return 0;
}

int gm_bus_interface_verify(const struct gm_bus_interface *iface, struct gm_bus_error *error)
{
        int r;

        if (!iface || !iface->name || !dbus_validate_interface(iface->name, NULL))
                return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "invalid interface name \"%s\"",
                                        iface && iface->name ? iface->name : "(null)");

        for (const struct gm_bus_property *p = iface->properties; p && p->name; p++) {
                r = verify_member_name(p->name, error);
                if (r < 0)
                        return r;
                if (gm_bus_interface_find_property(iface, p->name) != p)
                        return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "property %s declared twice", p->name);
                if (count_complete_types(p->signature) != 1)
                        return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS,
                                                "property %s: \"%s\" is not one complete type", p->name,
                                                p->signature ? p->signature : "(null)");
                if (!p->get)
                        return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "property %s has no getter", p->name);
                if ((p->flags & GM_BUS_PROPERTY_CONST) &&
                    (p->flags & (GM_BUS_PROPERTY_EMITS_CHANGE | GM_BUS_PROPERTY_EMITS_INVALIDATION)))
                        return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS,
                                                "property %s is constant but announces changes", p->name);
                if ((p->flags & GM_BUS_PROPERTY_EMITS_CHANGE) && (p->flags & GM_BUS_PROPERTY_EMITS_INVALIDATION))
                        return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS,
                                                "property %s: emits change or invalidation, not both", p->name);
        }

        for (const struct gm_bus_method *m = iface->methods; m && m->name; m++) {
                r = verify_member_name(m->name, error);
                if (r < 0)
                        return r;
                if (gm_bus_interface_find_method(iface, m->name) != m)
                        return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "method %s declared twice", m->name);
                if (!m->call)
                        return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "method %s has no handler", m->name);
                r = verify_arguments(m->name, m->in_signature, m->in_names, error);
                if (r < 0)
                        return r;
                r = verify_arguments(m->name, m->out_signature, m->out_names, error);
                if (r < 0)
                        return r;
        }

        for (const struct gm_bus_signal *s = iface->signals; s && s->name; s++) {
                r = verify_member_name(s->name, error);
                if (r < 0)
                        return r;
                if (gm_bus_interface_find_signal(iface, s->name) != s)
                        return gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "signal %s declared twice", s->name);
                r = verify_arguments(s->name, s->signature, s->names, error);
                if (r < 0)
                        return r;
        }
        return 0;
}
