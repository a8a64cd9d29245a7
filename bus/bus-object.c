/* An object on the bus: one interface table served at one path, with the standard
 * Introspectable, Properties and Peer interfaces, throttled PropertiesChanged and
 * signal emission checked against the table. */
#include "bus-object.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "bus-introspect.h"
#include "bus-private.h"

enum property_state {
        PROPERTY_CLEAN,
        PROPERTY_CHANGED,
        PROPERTY_UNREADABLE, /* changed, but its getter failed: sent as invalidated */
};

struct gm_bus_object {
        struct gm_bus *bus;         /* NULL once the bus is freed */
        struct gm_bus_object *next; /* in bus->objects */
        char *path;
        const struct gm_bus_interface *iface;
        void *userdata;
        size_t n_properties;
        unsigned char *property_state;   /* enum property_state, per property */
        sd_event_source *changed_source; /* timer: the next PropertiesChanged */
        uint64_t changed_interval_usec;
        uint64_t last_changed_usec; /* CLOCK_MONOTONIC of the last one */
        bool changed_sent;
};

static bool streq(const char *a, const char *b)
{
        return a && b && strcmp(a, b) == 0;
}

static bool is_standard_interface(const char *name)
{
        return streq(name, DBUS_INTERFACE_INTROSPECTABLE) || streq(name, DBUS_INTERFACE_PROPERTIES) ||
               streq(name, DBUS_INTERFACE_PEER);
}

static struct gm_bus_object *find_object(struct gm_bus *bus, const char *path)
{
        for (struct gm_bus_object *o = bus->objects; o; o = o->next)
                if (streq(o->path, path))
                        return o;
        return NULL;
}

/* ---- values: getters write into a scratch message first, so a getter that
 * appends the wrong thing gives an error instead of a corrupt reply ---- */

static int iter_copy(DBusMessageIter *from, DBusMessageIter *to)
{
        int type, r;

        for (; (type = dbus_message_iter_get_arg_type(from)) != DBUS_TYPE_INVALID; dbus_message_iter_next(from)) {
                if (dbus_type_is_basic(type)) {
                        DBusBasicValue value;

                        dbus_message_iter_get_basic(from, &value);
                        if (!dbus_message_iter_append_basic(to, type, &value))
                                return -ENOMEM;
                        continue;
                }

                DBusMessageIter sub_from, sub_to;
                char *signature = NULL;
                const char *contained = NULL;

                dbus_message_iter_recurse(from, &sub_from);
                if (type == DBUS_TYPE_ARRAY) {
                        signature = dbus_message_iter_get_signature(from);
                        contained = signature ? signature + 1 : NULL; /* element type after 'a' */
                } else if (type == DBUS_TYPE_VARIANT) {
                        signature = dbus_message_iter_get_signature(&sub_from);
                        contained = signature;
                }
                if ((type == DBUS_TYPE_ARRAY || type == DBUS_TYPE_VARIANT) && !signature)
                        return -ENOMEM;

                if (!dbus_message_iter_open_container(to, type, contained, &sub_to)) {
                        dbus_free(signature);
                        return -ENOMEM;
                }
                dbus_free(signature);
                r = iter_copy(&sub_from, &sub_to);
                if (r < 0) {
                        dbus_message_iter_abandon_container(to, &sub_to);
                        return r;
                }
                if (!dbus_message_iter_close_container(to, &sub_to))
                        return -ENOMEM;
        }
        return 0;
}

/* Appends a variant holding the property's current value. */
static int append_property_value(DBusMessageIter *to, const struct gm_bus_object *obj, const struct gm_bus_property *p)
{
        DBusMessage *scratch;
        DBusMessageIter it, sub;
        int r;

        scratch = dbus_message_new(DBUS_MESSAGE_TYPE_METHOD_RETURN);
        if (!scratch)
                return -ENOMEM;
        dbus_message_iter_init_append(scratch, &it);
        r = p->get(&it, obj->userdata);
        if (r < 0)
                goto finish;
        if (!streq(dbus_message_get_signature(scratch), p->signature)) {
                if (obj->bus)
                        gm_bus_log(obj->bus, LOG_ERR, "%s: property %s: getter gave \"%s\", not \"%s\"", obj->path,
                                   p->name, dbus_message_get_signature(scratch), p->signature);
                r = -EBADMSG;
                goto finish;
        }

        if (!dbus_message_iter_open_container(to, DBUS_TYPE_VARIANT, p->signature, &sub)) {
                r = -ENOMEM;
                goto finish;
        }
        (void)dbus_message_iter_init(scratch, &it);
        r = iter_copy(&it, &sub);
        if (r < 0) {
                dbus_message_iter_abandon_container(to, &sub);
                goto finish;
        }
        if (!dbus_message_iter_close_container(to, &sub))
                r = -ENOMEM;
finish:
        dbus_message_unref(scratch);
        return r;
}

static int property_error(struct gm_bus_error *error, const struct gm_bus_property *p, int r)
{
        if (r == -ENOMEM)
                return gm_bus_error_set_errno(error, r);
        return gm_bus_error_set(error, DBUS_ERROR_FAILED, "Cannot read property %s: %s", p->name, strerror(-r));
}

/* ---- Introspectable ---- */

static void strv_free(char **strv)
{
        for (char **s = strv; s && *s; s++)
                free(*s);
        free(strv);
}

/* The next path element of every object below path, each once. */
static int collect_children(struct gm_bus *bus, const char *path, char ***ret)
{
        size_t prefix_len = streq(path, "/") ? 1 : strlen(path) + 1;
        size_t n = 0;
        char **children = calloc(1, sizeof(char *));

        if (!children)
                return -ENOMEM;

        for (struct gm_bus_object *o = bus->objects; o; o = o->next) {
                const char *rest = o->path + prefix_len;
                bool seen = false;
                size_t len;
                char **grown;

                if (strlen(o->path) <= prefix_len || strncmp(o->path, path, prefix_len - 1) != 0 ||
                    o->path[prefix_len - 1] != '/')
                        continue;
                len = strcspn(rest, "/");
                for (size_t i = 0; i < n && !seen; i++)
                        seen = strlen(children[i]) == len && strncmp(children[i], rest, len) == 0;
                if (seen)
                        continue;

                grown = realloc(children, (n + 2) * sizeof(char *));
                if (!grown) {
                        strv_free(children);
                        return -ENOMEM;
                }
                children = grown;
                children[n] = strndup(rest, len);
                children[n + 1] = NULL;
                if (!children[n]) {
                        strv_free(children);
                        return -ENOMEM;
                }
                n++;
        }
        *ret = children;
        return (int)n;
}

/* One node of the tree: an object, or a path on the way to objects (obj NULL). */
struct node {
        struct gm_bus *bus;
        const char *path;
        struct gm_bus_object *obj;
        char **children;
};

static DBusMessage *introspect(struct node *node, DBusMessage *call, struct gm_bus_error *error)
{
        DBusMessage *reply = NULL;
        char *xml = NULL;
        size_t size = 0;
        FILE *f;
        int r;

        f = open_memstream(&xml, &size);
        if (!f) {
                gm_bus_error_set_errno(error, -ENOMEM);
                return NULL;
        }
        r = gm_bus_introspect_node(f, node->obj ? node->obj->iface : NULL, (const char *const *)node->children);
        if (fclose(f) != 0 || r < 0 || !xml) {
                free(xml);
                gm_bus_error_set_errno(error, -ENOMEM);
                return NULL;
        }

        reply = dbus_message_new_method_return(call);
        if (!reply || !dbus_message_append_args(reply, DBUS_TYPE_STRING, &xml, DBUS_TYPE_INVALID)) {
                if (reply)
                        dbus_message_unref(reply);
                reply = NULL;
                gm_bus_error_set_errno(error, -ENOMEM);
        }
        free(xml);
        return reply;
}

/* ---- Properties ---- */

static int lookup_property(struct node *node, const char *interface, const char *name,
                           const struct gm_bus_property **ret, struct gm_bus_error *error)
{
        if (node->obj && streq(interface, node->obj->iface->name)) {
                *ret = gm_bus_interface_find_property(node->obj->iface, name);
                if (*ret)
                        return 0;
        } else if (!is_standard_interface(interface)) {
                return gm_bus_error_set(error, DBUS_ERROR_UNKNOWN_INTERFACE, "Unknown interface '%s'", interface);
        }
        return gm_bus_error_set(error, DBUS_ERROR_UNKNOWN_PROPERTY, "Unknown property '%s'", name);
}

static DBusMessage *properties_get(struct node *node, DBusMessage *call, struct gm_bus_error *error)
{
        const struct gm_bus_property *p;
        const char *interface, *name;
        DBusMessage *reply;
        DBusMessageIter it;
        int r;

        if (!dbus_message_get_args(call, NULL, DBUS_TYPE_STRING, &interface, DBUS_TYPE_STRING, &name,
                                   DBUS_TYPE_INVALID))
                return NULL; /* signature checked before */
        if (lookup_property(node, interface, name, &p, error) < 0)
                return NULL;

        reply = dbus_message_new_method_return(call);
        if (!reply) {
                gm_bus_error_set_errno(error, -ENOMEM);
                return NULL;
        }
        dbus_message_iter_init_append(reply, &it);
        r = append_property_value(&it, node->obj, p);
        if (r < 0) {
                property_error(error, p, r);
                dbus_message_unref(reply);
                return NULL;
        }
        return reply;
}

static DBusMessage *properties_get_all(struct node *node, DBusMessage *call, struct gm_bus_error *error)
{
        const struct gm_bus_interface *iface = node->obj ? node->obj->iface : NULL;
        DBusMessageIter it, dict, entry;
        const char *interface;
        DBusMessage *reply;
        int r = 0;

        if (!dbus_message_get_args(call, NULL, DBUS_TYPE_STRING, &interface, DBUS_TYPE_INVALID))
                return NULL;
        /* "" asks for every interface (our own is the only one with properties). */
        if (!(interface[0] == '\0' || is_standard_interface(interface) || (iface && streq(interface, iface->name)))) {
                gm_bus_error_set(error, DBUS_ERROR_UNKNOWN_INTERFACE, "Unknown interface '%s'", interface);
                return NULL;
        }
        if (is_standard_interface(interface))
                iface = NULL;

        reply = dbus_message_new_method_return(call);
        if (!reply) {
                gm_bus_error_set_errno(error, -ENOMEM);
                return NULL;
        }
        dbus_message_iter_init_append(reply, &it);
        if (!dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &dict)) {
                r = gm_bus_error_set_errno(error, -ENOMEM);
                goto fail;
        }
        for (const struct gm_bus_property *p = iface ? iface->properties : NULL; p && p->name; p++) {
                if (!dbus_message_iter_open_container(&dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry) ||
                    !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &p->name)) {
                        r = gm_bus_error_set_errno(error, -ENOMEM);
                        goto fail;
                }
                r = append_property_value(&entry, node->obj, p);
                if (r < 0) {
                        property_error(error, p, r);
                        goto fail;
                }
                if (!dbus_message_iter_close_container(&dict, &entry)) {
                        r = gm_bus_error_set_errno(error, -ENOMEM);
                        goto fail;
                }
        }
        if (!dbus_message_iter_close_container(&it, &dict)) {
                r = gm_bus_error_set_errno(error, -ENOMEM);
                goto fail;
        }
        return reply;

fail:
        /* The reply is incomplete and is thrown away whole. */
        dbus_message_unref(reply);
        return NULL;
}

static DBusMessage *properties_set(struct node *node, DBusMessage *call, struct gm_bus_error *error)
{
        const struct gm_bus_property *p;
        const char *interface, *name;
        DBusMessageIter it, value;
        char *signature;
        bool matches;
        int r;

        dbus_message_iter_init(call, &it);
        dbus_message_iter_get_basic(&it, &interface);
        dbus_message_iter_next(&it);
        dbus_message_iter_get_basic(&it, &name);
        dbus_message_iter_next(&it);

        if (lookup_property(node, interface, name, &p, error) < 0)
                return NULL;
        if (!p->set) {
                gm_bus_error_set(error, DBUS_ERROR_PROPERTY_READ_ONLY, "Property '%s' is not writable", name);
                return NULL;
        }

        dbus_message_iter_recurse(&it, &value);
        signature = dbus_message_iter_get_signature(&value);
        if (!signature) {
                gm_bus_error_set_errno(error, -ENOMEM);
                return NULL;
        }
        matches = streq(signature, p->signature);
        if (!matches)
                gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "Property '%s' has type '%s', not '%s'", name,
                                 p->signature, signature);
        dbus_free(signature);
        if (!matches)
                return NULL;

        r = p->set(&value, node->obj->userdata, error);
        if (r < 0) {
                gm_bus_error_set_errno(error, r);
                return NULL;
        }
        if (p->flags & (GM_BUS_PROPERTY_EMITS_CHANGE | GM_BUS_PROPERTY_EMITS_INVALIDATION))
                (void)gm_bus_object_changed(node->obj, p->name);

        DBusMessage *reply = dbus_message_new_method_return(call);
        if (!reply)
                gm_bus_error_set_errno(error, -ENOMEM);
        return reply;
}

/* ---- methods of the object's own interface ---- */

static DBusMessage *call_method(struct node *node, const struct gm_bus_method *method, DBusMessage *call,
                                struct gm_bus_error *error)
{
        DBusMessage *reply;
        DBusMessageIter it;
        int r;

        reply = dbus_message_new_method_return(call);
        if (!reply) {
                gm_bus_error_set_errno(error, -ENOMEM);
                return NULL;
        }
        dbus_message_iter_init_append(reply, &it);
        r = method->call(call, &it, node->obj->userdata, error);
        if (r < 0) {
                gm_bus_error_set_errno(error, r);
                dbus_message_unref(reply);
                return NULL;
        }
        if (!streq(dbus_message_get_signature(reply), method->out_signature)) {
                gm_bus_log(node->bus, LOG_ERR, "%s: method %s replied \"%s\", not \"%s\"", node->path, method->name,
                           dbus_message_get_signature(reply), method->out_signature);
                gm_bus_error_set(error, DBUS_ERROR_FAILED, "Method %s failed", method->name);
                dbus_message_unref(reply);
                return NULL;
        }
        return reply;
}

static bool check_signature(DBusMessage *call, const char *expected, struct gm_bus_error *error)
{
        if (dbus_message_has_signature(call, expected))
                return true;
        gm_bus_error_set(error, DBUS_ERROR_INVALID_ARGS, "Invalid arguments '%s' to call %s(), expecting '%s'",
                         dbus_message_get_signature(call), dbus_message_get_member(call), expected);
        return false;
}

static DBusMessage *handle_call(struct node *node, DBusMessage *call, struct gm_bus_error *error)
{
        const char *interface = dbus_message_get_interface(call); /* may be absent */
        const char *member = dbus_message_get_member(call);
        const struct gm_bus_interface *iface = node->obj ? node->obj->iface : NULL;

        if (!interface || streq(interface, DBUS_INTERFACE_INTROSPECTABLE)) {
                if (streq(member, "Introspect"))
                        return check_signature(call, "", error) ? introspect(node, call, error) : NULL;
        }

        if (!interface || streq(interface, DBUS_INTERFACE_PROPERTIES)) {
                if (streq(member, "Get"))
                        return check_signature(call, "ss", error) ? properties_get(node, call, error) : NULL;
                if (streq(member, "GetAll"))
                        return check_signature(call, "s", error) ? properties_get_all(node, call, error) : NULL;
                if (streq(member, "Set"))
                        return check_signature(call, "ssv", error) ? properties_set(node, call, error) : NULL;
        }

        if (iface && (!interface || streq(interface, iface->name))) {
                const struct gm_bus_method *method = gm_bus_interface_find_method(iface, member);
                if (method)
                        return check_signature(call, method->in_signature, error)
                                       ? call_method(node, method, call, error)
                                       : NULL;
        }

        if (interface && !is_standard_interface(interface) && !(iface && streq(interface, iface->name)))
                gm_bus_error_set(error, DBUS_ERROR_UNKNOWN_INTERFACE, "Unknown interface '%s'", interface);
        else
                gm_bus_error_set(error, DBUS_ERROR_UNKNOWN_METHOD, "Unknown method '%s' or interface '%s'", member,
                                 interface ? interface : "(none)");
        return NULL;
}

/* Error names and messages go out as they are: make sure libdbus accepts them. */
static DBusMessage *error_reply(DBusMessage *call, struct gm_bus_error *error)
{
        const char *name = error->name;
        const char *message = error->message;

        if (!name || !dbus_validate_error_name(name, NULL))
                name = DBUS_ERROR_FAILED;
        if (!message || !dbus_validate_utf8(message, NULL))
                message = "Failed";
        return dbus_message_new_error(call, name, message);
}

DBusHandlerResult gm_bus_objects_dispatch(struct gm_bus *bus, DBusMessage *call)
{
        struct gm_bus_error error = GM_BUS_ERROR_NULL;
        struct node node = { .bus = bus };
        DBusMessage *reply = NULL;
        int r;

        if (dbus_message_get_type(call) != DBUS_MESSAGE_TYPE_METHOD_CALL)
                return DBUS_HANDLER_RESULT_NOT_YET_HANDLED;

        node.path = dbus_message_get_path(call);
        node.obj = find_object(bus, node.path);
        r = collect_children(bus, node.path, &node.children);
        if (r < 0)
                return DBUS_HANDLER_RESULT_NEED_MEMORY;

        if (!node.obj && r == 0)
                gm_bus_error_set(&error, DBUS_ERROR_UNKNOWN_OBJECT, "Unknown object '%s'", node.path);
        else
                reply = handle_call(&node, call, &error);
        strv_free(node.children);

        if (!reply) {
                gm_bus_error_set_errno(&error, -EIO); /* only if nothing more precise was set */
                reply = error_reply(call, &error);
        }
        gm_bus_error_free(&error);
        if (!reply)
                return DBUS_HANDLER_RESULT_NEED_MEMORY;

        if (!dbus_message_get_no_reply(call))
                (void)dbus_connection_send(bus->conn, reply, NULL);
        dbus_message_unref(reply);
        return DBUS_HANDLER_RESULT_HANDLED;
}

/* ---- PropertiesChanged, at most once per interval ---- */

/* Builds the signal; on a getter failure marks that property unreadable and
 * returns -EAGAIN so the caller builds it again without the value. */
static int build_properties_changed(struct gm_bus_object *obj, DBusMessage **ret)
{
        const struct gm_bus_property *props = obj->iface->properties;
        DBusMessageIter it, changed, entry, invalidated;
        DBusMessage *m;
        int r = -ENOMEM;

        m = dbus_message_new_signal(obj->path, DBUS_INTERFACE_PROPERTIES, "PropertiesChanged");
        if (!m)
                return -ENOMEM;
        dbus_message_iter_init_append(m, &it);
        if (!dbus_message_iter_append_basic(&it, DBUS_TYPE_STRING, &obj->iface->name) ||
            !dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "{sv}", &changed))
                goto fail;
        for (size_t i = 0; i < obj->n_properties; i++) {
                if (obj->property_state[i] != PROPERTY_CHANGED || !(props[i].flags & GM_BUS_PROPERTY_EMITS_CHANGE))
                        continue;
                if (!dbus_message_iter_open_container(&changed, DBUS_TYPE_DICT_ENTRY, NULL, &entry) ||
                    !dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &props[i].name))
                        goto fail;
                r = append_property_value(&entry, obj, &props[i]);
                if (r < 0) {
                        obj->property_state[i] = PROPERTY_UNREADABLE;
                        r = r == -ENOMEM ? r : -EAGAIN;
                        goto fail;
                }
                r = -ENOMEM;
                if (!dbus_message_iter_close_container(&changed, &entry))
                        goto fail;
        }
        if (!dbus_message_iter_close_container(&it, &changed) ||
            !dbus_message_iter_open_container(&it, DBUS_TYPE_ARRAY, "s", &invalidated))
                goto fail;
        for (size_t i = 0; i < obj->n_properties; i++) {
                if (obj->property_state[i] == PROPERTY_UNREADABLE ||
                    (obj->property_state[i] == PROPERTY_CHANGED &&
                     (props[i].flags & GM_BUS_PROPERTY_EMITS_INVALIDATION)))
                        if (!dbus_message_iter_append_basic(&invalidated, DBUS_TYPE_STRING, &props[i].name))
                                goto fail;
        }
        if (!dbus_message_iter_close_container(&it, &invalidated))
                goto fail;
        *ret = m;
        return 0;

fail:
        dbus_message_unref(m);
        return r;
}

static int on_changed_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
        struct gm_bus_object *obj = userdata;
        DBusConnection *conn = obj->bus ? gm_bus_get_connection(obj->bus) : NULL;
        DBusMessage *m = NULL;
        int r = 0;

        obj->last_changed_usec = usec;
        obj->changed_sent = true;

        /* Each retry turns one more property into "invalidated": it ends. */
        if (conn)
                do
                        r = build_properties_changed(obj, &m);
                while (r == -EAGAIN);

        if (r < 0)
                gm_bus_log(obj->bus, LOG_ERR, "%s: cannot build PropertiesChanged: %s", obj->path, strerror(-r));
        else if (m)
                (void)dbus_connection_send(conn, m, NULL);
        if (m)
                dbus_message_unref(m);

        /* While disconnected the changes are dropped: clients read everything anew. */
        memset(obj->property_state, PROPERTY_CLEAN, obj->n_properties);
        return 0;
}

static int schedule_changed(struct gm_bus_object *obj)
{
        sd_event *event = gm_bus_get_event(obj->bus);
        int enabled = SD_EVENT_OFF;
        uint64_t now, when;
        int r;

        if (obj->changed_source && sd_event_source_get_enabled(obj->changed_source, &enabled) >= 0 &&
            enabled != SD_EVENT_OFF)
                return 0; /* already due: the change rides along */

        r = sd_event_now(event, CLOCK_MONOTONIC, &now);
        if (r < 0)
                return r;
        when = now;
        if (obj->changed_sent && obj->last_changed_usec + obj->changed_interval_usec > now)
                when = obj->last_changed_usec + obj->changed_interval_usec;

        if (!obj->changed_source) {
                /* An accuracy of 1 ms: the default 250 ms would blur short test intervals. */
                r = sd_event_add_time(event, &obj->changed_source, CLOCK_MONOTONIC, when, 1000, on_changed_timer, obj);
                if (r >= 0)
                        (void)sd_event_source_set_description(obj->changed_source, "bus-properties-changed");
                return r;
        }
        r = sd_event_source_set_time(obj->changed_source, when);
        if (r < 0)
                return r;
        return sd_event_source_set_enabled(obj->changed_source, SD_EVENT_ONESHOT);
}

int gm_bus_object_changed(struct gm_bus_object *obj, const char *property)
{
        const unsigned announced = GM_BUS_PROPERTY_EMITS_CHANGE | GM_BUS_PROPERTY_EMITS_INVALIDATION;
        const struct gm_bus_property *props = obj->iface->properties;
        bool any = false;

        if (property) {
                const struct gm_bus_property *p = gm_bus_interface_find_property(obj->iface, property);
                if (!p || !(p->flags & announced))
                        return -EINVAL;
                obj->property_state[p - props] = PROPERTY_CHANGED;
                any = true;
        } else {
                for (size_t i = 0; i < obj->n_properties; i++)
                        if (props[i].flags & announced) {
                                obj->property_state[i] = PROPERTY_CHANGED;
                                any = true;
                        }
        }

        if (!any || !obj->bus)
                return 0;
        return schedule_changed(obj);
}

void gm_bus_object_set_changed_interval(struct gm_bus_object *obj, uint64_t usec)
{
        obj->changed_interval_usec = usec;
}

/* ---- signals ---- */

static int signal_new(struct gm_bus_object *obj, const char *name, const struct gm_bus_signal **ret_signal,
                      DBusMessage **ret)
{
        const struct gm_bus_signal *signal = gm_bus_interface_find_signal(obj->iface, name);

        if (!signal)
                return -EINVAL;
        *ret_signal = signal;
        *ret = dbus_message_new_signal(obj->path, obj->iface->name, signal->name);
        return *ret ? 0 : -ENOMEM;
}

static int signal_send(struct gm_bus_object *obj, const struct gm_bus_signal *signal, DBusMessage *m)
{
        DBusConnection *conn;

        if (!streq(dbus_message_get_signature(m), signal->signature)) {
                gm_bus_log(obj->bus, LOG_ERR, "%s: signal %s given \"%s\", not \"%s\"", obj->path, signal->name,
                           dbus_message_get_signature(m), signal->signature);
                return -EINVAL;
        }
        conn = gm_bus_get_connection(obj->bus);
        if (conn && !dbus_connection_send(conn, m, NULL))
                return -ENOMEM;
        return 0;
}

int gm_bus_object_emit(struct gm_bus_object *obj, const char *name, int first_type, ...)
{
        const struct gm_bus_signal *signal;
        DBusMessage *m;
        va_list ap;
        int r;

        if (!obj->bus)
                return 0;
        r = signal_new(obj, name, &signal, &m);
        if (r < 0)
                return r;

        va_start(ap, first_type);
        r = dbus_message_append_args_valist(m, first_type, ap) ? 0 : -ENOMEM;
        va_end(ap);
        if (r >= 0)
                r = signal_send(obj, signal, m);
        dbus_message_unref(m);
        return r;
}

int gm_bus_object_emit_with(struct gm_bus_object *obj, const char *name, gm_bus_append_fn append, void *userdata)
{
        const struct gm_bus_signal *signal;
        DBusMessageIter it;
        DBusMessage *m;
        int r;

        if (!obj->bus)
                return 0;
        r = signal_new(obj, name, &signal, &m);
        if (r < 0)
                return r;

        dbus_message_iter_init_append(m, &it);
        r = append(&it, userdata);
        if (r >= 0)
                r = signal_send(obj, signal, m);
        dbus_message_unref(m);
        return r;
}

/* ---- life cycle ---- */

int gm_bus_object_new(struct gm_bus *bus, const char *path, const struct gm_bus_interface *iface, void *userdata,
                      struct gm_bus_object **ret)
{
        struct gm_bus_error error = GM_BUS_ERROR_NULL;
        struct gm_bus_object *obj, **tail;
        int r;

        r = gm_bus_interface_verify(iface, &error);
        if (r < 0) {
                gm_bus_log(bus, LOG_ERR, "interface table: %s", error.message ? error.message : strerror(-r));
                gm_bus_error_free(&error);
                return -EINVAL;
        }
        if (!path || !dbus_validate_path(path, NULL))
                return -EINVAL;
        if (find_object(bus, path))
                return -EEXIST;

        obj = calloc(1, sizeof(*obj));
        if (!obj)
                return -ENOMEM;
        obj->n_properties = gm_bus_interface_n_properties(iface);
        obj->path = strdup(path);
        obj->property_state = calloc(obj->n_properties + 1, 1);
        if (!obj->path || !obj->property_state) {
                free(obj->path);
                free(obj->property_state);
                free(obj);
                return -ENOMEM;
        }
        obj->bus = bus;
        obj->iface = iface;
        obj->userdata = userdata;
        obj->changed_interval_usec = GM_BUS_CHANGED_INTERVAL_USEC;

        /* Registration order is the order of child nodes in Introspect. */
        for (tail = &bus->objects; *tail; tail = &(*tail)->next)
                ;
        *tail = obj;
        *ret = obj;
        return 0;
}

void gm_bus_object_free(struct gm_bus_object *obj)
{
        if (!obj)
                return;
        if (obj->bus)
                for (struct gm_bus_object **o = &obj->bus->objects; *o; o = &(*o)->next)
                        if (*o == obj) {
                                *o = obj->next;
                                break;
                        }
        sd_event_source_disable_unref(obj->changed_source);
        free(obj->property_state);
        free(obj->path);
        free(obj);
}

void gm_bus_objects_detach(struct gm_bus *bus)
{
        while (bus->objects) {
                struct gm_bus_object *obj = bus->objects;

                bus->objects = obj->next;
                obj->next = NULL;
                obj->bus = NULL;
                obj->changed_source = sd_event_source_disable_unref(obj->changed_source);
        }
}

const char *gm_bus_object_get_path(const struct gm_bus_object *obj)
{
        return obj->path;
}
