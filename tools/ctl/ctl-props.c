/* Property cache and generic rendering of D-Bus values. */
#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctl-props.h"

static struct ctl_prop *find(const struct ctl_props *p, const char *name)
{
        for (size_t i = 0; i < p->n; i++)
                if (strcmp(p->items[i].name, name) == 0)
                        return &p->items[i];
        return NULL;
}

static int set(struct ctl_props *p, const char *name, DBusMessage *m, const DBusMessageIter *value)
{
        struct ctl_prop *prop = find(p, name);

        if (!prop) {
                struct ctl_prop *items = reallocarray(p->items, p->n + 1, sizeof *items);
                if (!items)
                        return -ENOMEM;
                p->items = items;
                prop = &items[p->n];
                *prop = (struct ctl_prop){ .name = strdup(name) };
                if (!prop->name)
                        return -ENOMEM;
                p->n++;
        }
        dbus_message_ref(m);
        if (prop->owner)
                dbus_message_unref(prop->owner);
        prop->owner = m;
        prop->value = *value;
        return 0;
}

int ctl_props_update(struct ctl_props *p, DBusMessage *m, DBusMessageIter *dict)
{
        DBusMessageIter entries;

        if (dbus_message_iter_get_arg_type(dict) != DBUS_TYPE_ARRAY ||
            dbus_message_iter_get_element_type(dict) != DBUS_TYPE_DICT_ENTRY)
                return -EBADMSG;
        dbus_message_iter_recurse(dict, &entries);
        while (dbus_message_iter_get_arg_type(&entries) == DBUS_TYPE_DICT_ENTRY) {
                DBusMessageIter entry, variant;
                const char *name;
                int r;

                dbus_message_iter_recurse(&entries, &entry);
                if (dbus_message_iter_get_arg_type(&entry) != DBUS_TYPE_STRING)
                        return -EBADMSG;
                dbus_message_iter_get_basic(&entry, &name);
                if (!dbus_message_iter_next(&entry) || dbus_message_iter_get_arg_type(&entry) != DBUS_TYPE_VARIANT)
                        return -EBADMSG;
                dbus_message_iter_recurse(&entry, &variant);
                r = set(p, name, m, &variant);
                if (r < 0)
                        return r;
                dbus_message_iter_next(&entries);
        }
        return 0;
}

void ctl_props_clear(struct ctl_props *p)
{
        for (size_t i = 0; i < p->n; i++) {
                free(p->items[i].name);
                if (p->items[i].owner)
                        dbus_message_unref(p->items[i].owner);
        }
        free(p->items);
        *p = (struct ctl_props){};
}

const DBusMessageIter *ctl_props_get(const struct ctl_props *p, const char *name, int type)
{
        const struct ctl_prop *prop = find(p, name);
        if (!prop)
                return NULL;
        /* get_arg_type() does not move the iterator; the cast only drops const for libdbus. */
        if (dbus_message_iter_get_arg_type((DBusMessageIter *)&prop->value) != type)
                return NULL;
        return &prop->value;
}

double ctl_props_double(const struct ctl_props *p, const char *name)
{
        const DBusMessageIter *it = ctl_props_get(p, name, DBUS_TYPE_DOUBLE);
        double v;

        if (!it)
                return NAN;
        dbus_message_iter_get_basic((DBusMessageIter *)it, &v);
        return v;
}

uint64_t ctl_props_u64(const struct ctl_props *p, const char *name)
{
        const DBusMessageIter *it = ctl_props_get(p, name, DBUS_TYPE_UINT64);
        dbus_uint64_t v;

        if (!it)
                return 0;
        dbus_message_iter_get_basic((DBusMessageIter *)it, &v);
        return v;
}

const char *ctl_props_string(const struct ctl_props *p, const char *name)
{
        const DBusMessageIter *it = ctl_props_get(p, name, DBUS_TYPE_STRING);
        const char *v;

        if (!it)
                return NULL;
        dbus_message_iter_get_basic((DBusMessageIter *)it, &v);
        return v;
}

/* A basic value: a number (as double or integer) or a string. */
union basic {
        dbus_bool_t b;
        unsigned char y;
        dbus_int16_t n;
        dbus_uint16_t q;
        dbus_int32_t i;
        dbus_uint32_t u;
        dbus_int64_t x;
        dbus_uint64_t t;
        double d;
        const char *s;
};

static void basic_json(struct ctl_json *j, DBusMessageIter *it, int type)
{
        union basic v;

        dbus_message_iter_get_basic(it, &v);
        switch (type) {
        case DBUS_TYPE_BOOLEAN:
                ctl_json_bool(j, v.b);
                break;
        case DBUS_TYPE_BYTE:
                ctl_json_uint(j, v.y);
                break;
        case DBUS_TYPE_INT16:
                ctl_json_int(j, v.n);
                break;
        case DBUS_TYPE_UINT16:
                ctl_json_uint(j, v.q);
                break;
        case DBUS_TYPE_INT32:
                ctl_json_int(j, v.i);
                break;
        case DBUS_TYPE_UINT32:
                ctl_json_uint(j, v.u);
                break;
        case DBUS_TYPE_INT64:
                ctl_json_int(j, v.x);
                break;
        case DBUS_TYPE_UINT64:
                ctl_json_uint(j, v.t);
                break;
        case DBUS_TYPE_DOUBLE:
                ctl_json_double(j, v.d);
                break;
        case DBUS_TYPE_UNIX_FD:
                ctl_json_null(j);
                break;
        default:
                ctl_json_string(j, v.s);
                break; /* string, object path, signature */
        }
}

static void value_json(struct ctl_json *j, DBusMessageIter *it)
{
        int type = dbus_message_iter_get_arg_type(it);
        DBusMessageIter sub;

        if (!dbus_type_is_container(type)) {
                basic_json(j, it, type);
                return;
        }
        dbus_message_iter_recurse(it, &sub);
        if (type == DBUS_TYPE_VARIANT) {
                value_json(j, &sub);
                return;
        }
        if (type == DBUS_TYPE_ARRAY && dbus_message_iter_get_element_type(it) == DBUS_TYPE_DICT_ENTRY) {
                ctl_json_object_begin(j);
                for (; dbus_message_iter_get_arg_type(&sub) == DBUS_TYPE_DICT_ENTRY; dbus_message_iter_next(&sub)) {
                        DBusMessageIter entry;
                        char key[64];
                        FILE *f;

                        dbus_message_iter_recurse(&sub, &entry);
                        /* JSON keys are strings: other key types are written as their text. */
                        f = fmemopen(key, sizeof key, "w");
                        if (!f)
                                continue;
                        ctl_value_text(f, &entry);
                        fclose(f);
                        key[sizeof key - 1] = 0;
                        ctl_json_key(j, key);
                        dbus_message_iter_next(&entry);
                        value_json(j, &entry);
                }
                ctl_json_object_end(j);
                return;
        }
        ctl_json_array_begin(j);
        for (; dbus_message_iter_get_arg_type(&sub) != DBUS_TYPE_INVALID; dbus_message_iter_next(&sub))
                value_json(j, &sub);
        ctl_json_array_end(j);
}

void ctl_value_json(struct ctl_json *j, const DBusMessageIter *value)
{
        DBusMessageIter it = *value;
        value_json(j, &it);
}

static void basic_text(FILE *f, DBusMessageIter *it, int type)
{
        union basic v;

        dbus_message_iter_get_basic(it, &v);
        switch (type) {
        case DBUS_TYPE_BOOLEAN:
                fputs(v.b ? "yes" : "no", f);
                break;
        case DBUS_TYPE_BYTE:
                fprintf(f, "%u", v.y);
                break;
        case DBUS_TYPE_INT16:
                fprintf(f, "%d", v.n);
                break;
        case DBUS_TYPE_UINT16:
                fprintf(f, "%u", v.q);
                break;
        case DBUS_TYPE_INT32:
                fprintf(f, "%" PRId32, v.i);
                break;
        case DBUS_TYPE_UINT32:
                fprintf(f, "%" PRIu32, v.u);
                break;
        case DBUS_TYPE_INT64:
                fprintf(f, "%" PRId64, (int64_t)v.x);
                break;
        case DBUS_TYPE_UINT64:
                fprintf(f, "%" PRIu64, (uint64_t)v.t);
                break;
        case DBUS_TYPE_DOUBLE:
                if (isfinite(v.d))
                        fprintf(f, "%.4g", v.d);
                else
                        fputs("n/a", f);
                break;
        case DBUS_TYPE_UNIX_FD:
                fputs("(fd)", f);
                break;
        default:
                fputs(v.s, f);
                break;
        }
}

static void value_text(FILE *f, DBusMessageIter *it)
{
        int type = dbus_message_iter_get_arg_type(it);
        DBusMessageIter sub;
        bool first = true;

        if (!dbus_type_is_container(type)) {
                basic_text(f, it, type);
                return;
        }
        dbus_message_iter_recurse(it, &sub);
        if (type == DBUS_TYPE_VARIANT) {
                value_text(f, &sub);
                return;
        }
        if (type == DBUS_TYPE_ARRAY && dbus_message_iter_get_arg_type(&sub) == DBUS_TYPE_INVALID) {
                fputs("none", f);
                return;
        }
        for (; dbus_message_iter_get_arg_type(&sub) != DBUS_TYPE_INVALID; dbus_message_iter_next(&sub)) {
                if (!first)
                        fputs(type == DBUS_TYPE_ARRAY ? ", " : " ", f);
                first = false;
                value_text(f, &sub);
        }
}

void ctl_value_text(FILE *f, const DBusMessageIter *value)
{
        DBusMessageIter it = *value;
        value_text(f, &it);
}
