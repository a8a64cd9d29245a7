/* Records from a{sv} replies, by the tables of gm_record.h. */
#include "ctl-record.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void set_field(const struct gm_field *f, DBusMessageIter *variant, void *record)
{
        char *p = (char *)record + f->offset;
        int type = dbus_message_iter_get_arg_type(variant);

        if (type != gm_field_dbus_type(f))
                return; /* not what this gaitmonctl knows the key as: left unknown */
        switch (f->type) {
        case GM_FIELD_DOUBLE:
                dbus_message_iter_get_basic(variant, (double *)p);
                break;
        case GM_FIELD_U64: {
                dbus_uint64_t v;
                dbus_message_iter_get_basic(variant, &v);
                *(uint64_t *)p = v;
                break;
        }
        case GM_FIELD_I64: {
                dbus_int64_t v;
                dbus_message_iter_get_basic(variant, &v);
                *(int64_t *)p = v;
                break;
        }
        case GM_FIELD_U32: {
                dbus_uint32_t v;
                dbus_message_iter_get_basic(variant, &v);
                *(unsigned *)p = v;
                break;
        }
        case GM_FIELD_TEXT: {
                const char *v = "";
                dbus_message_iter_get_basic(variant, &v);
                snprintf(p, f->size, "%s", v);
                break;
        }
        case GM_FIELD_ACTIVITY: {
                const char *v = "";
                dbus_message_iter_get_basic(variant, &v);
                int a = gm_activity_from_name(v);
                *(enum gm_activity *)p = a >= 0 ? (enum gm_activity)a : GM_ACTIVITY_IDLE;
                break;
        }
        case GM_FIELD_SIDE: {
                const char *v = "";
                dbus_message_iter_get_basic(variant, &v);
                int sd = gm_side_from_name(v);
                *(enum gm_side *)p = sd >= 0 ? (enum gm_side)sd : GM_SIDE_UNKNOWN;
                break;
        }
        }
}

int ctl_record_read(DBusMessageIter *dict, const struct gm_record_desc *d, void *record, ctl_record_extra_fn extra,
                    void *userdata)
{
        DBusMessageIter entries;

        gm_record_clear(d, record);
        if (dbus_message_iter_get_arg_type(dict) != DBUS_TYPE_ARRAY)
                return 0;
        dbus_message_iter_recurse(dict, &entries);
        for (; dbus_message_iter_get_arg_type(&entries) == DBUS_TYPE_DICT_ENTRY; dbus_message_iter_next(&entries)) {
                DBusMessageIter entry, variant;
                const char *key = "";
                dbus_message_iter_recurse(&entries, &entry);
                dbus_message_iter_get_basic(&entry, &key);
                dbus_message_iter_next(&entry);
                dbus_message_iter_recurse(&entry, &variant);
                const struct gm_field *f = gm_record_field(d, key);
                if (f)
                        set_field(f, &variant, record);
                else if (extra) {
                        int r = extra(key, &variant, userdata);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int ctl_record_read_array(DBusMessageIter *array, const struct gm_record_desc *d, size_t elem, void **ret,
                          size_t *ret_n)
{
        DBusMessageIter items, inner;
        size_t n = 0, allocated = 0;
        char *records = NULL;

        if (dbus_message_iter_get_arg_type(array) == DBUS_TYPE_VARIANT) {
                dbus_message_iter_recurse(array, &inner);
                array = &inner;
        }
        if (dbus_message_iter_get_arg_type(array) == DBUS_TYPE_ARRAY) {
                dbus_message_iter_recurse(array, &items);
                for (; dbus_message_iter_get_arg_type(&items) == DBUS_TYPE_ARRAY; dbus_message_iter_next(&items)) {
                        if (n == allocated) {
                                size_t k = allocated ? allocated * 2 : 64;
                                char *p = reallocarray(records, k, elem);
                                if (!p) {
                                        free(records);
                                        return -ENOMEM;
                                }
                                records = p;
                                allocated = k;
                        }
                        ctl_record_read(&items, d, records + n++ * elem, NULL, NULL);
                }
        }
        *ret = records;
        *ret_n = n;
        return 0;
}

void ctl_record_json_fields(struct ctl_json *j, const struct gm_record_desc *d, const void *record)
{
        for (size_t i = 0; i < d->n_fields; i++) {
                const struct gm_field *f = &d->fields[i];
                const char *p = (const char *)record + f->offset;
                switch (f->type) {
                case GM_FIELD_DOUBLE:
                        ctl_json_field_double(j, f->key, *(const double *)p);
                        break;
                case GM_FIELD_U64:
                        ctl_json_field_uint(j, f->key, *(const uint64_t *)p);
                        break;
                case GM_FIELD_I64:
                        ctl_json_key(j, f->key);
                        ctl_json_int(j, *(const int64_t *)p);
                        break;
                case GM_FIELD_U32:
                        ctl_json_field_uint(j, f->key, *(const unsigned *)p);
                        break;
                case GM_FIELD_TEXT:
                        ctl_json_field_string(j, f->key, p);
                        break;
                case GM_FIELD_ACTIVITY: {
                        const char *n = gm_activity_name(*(const enum gm_activity *)p);
                        ctl_json_field_string(j, f->key, n ? n : "idle");
                        break;
                }
                case GM_FIELD_SIDE: {
                        const char *n = gm_side_name(*(const enum gm_side *)p);
                        ctl_json_field_string(j, f->key, n ? n : "unknown");
                        break;
                }
                }
        }
}
