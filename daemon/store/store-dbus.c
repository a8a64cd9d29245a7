/* Marshalling of the run history into the GetSessions, GetRun and GetStrides replies, from the
 * record tables. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include "store-dbus.h"

#define USEC_PER_DAY (INT64_C(86400) * 1000000)

struct session_row {
        struct gm_run_summary run;
        struct gm_advice advice;
        enum gm_store_run_state state;
};

static const char *valid_utf8(const char *s)
{
        /* libdbus aborts on invalid UTF-8; stored text came from us, but the file may not have. */
        return dbus_validate_utf8(s, NULL) ? s : "";
}

/* One {sv} entry of a basic type. */
static bool append_entry(DBusMessageIter *dict, const char *key, int type, const void *value)
{
        char sig[2] = { (char)type, 0 };
        DBusMessageIter entry, variant;

        if (!dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry))
                return false;
        if (!dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key) ||
            !dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, sig, &variant)) {
                dbus_message_iter_abandon_container(dict, &entry);
                return false;
        }
        if (!dbus_message_iter_append_basic(&variant, type, value)) {
                dbus_message_iter_abandon_container(&entry, &variant);
                dbus_message_iter_abandon_container(dict, &entry);
                return false;
        }
        return dbus_message_iter_close_container(&entry, &variant) && dbus_message_iter_close_container(dict, &entry);
}

static bool append_string_entry(DBusMessageIter *dict, const char *key, const char *value)
{
        const char *v = valid_utf8(value);
        return append_entry(dict, key, DBUS_TYPE_STRING, &v);
}

bool gm_store_dbus_append_fields(DBusMessageIter *dict, const struct gm_record_desc *d, const void *record)
{
        for (size_t i = 0; i < d->n_fields; i++) {
                const struct gm_field *f = &d->fields[i];
                const char *p = (const char *)record + f->offset;
                bool ok;
                switch (f->type) {
                case GM_FIELD_DOUBLE:
                        ok = append_entry(dict, f->key, DBUS_TYPE_DOUBLE, p);
                        break;
                case GM_FIELD_U64: {
                        dbus_uint64_t v = *(const uint64_t *)p;
                        ok = append_entry(dict, f->key, DBUS_TYPE_UINT64, &v);
                        break;
                }
                case GM_FIELD_I64: {
                        dbus_int64_t v = *(const int64_t *)p;
                        ok = append_entry(dict, f->key, DBUS_TYPE_INT64, &v);
                        break;
                }
                case GM_FIELD_U32: {
                        dbus_uint32_t v = *(const unsigned *)p;
                        ok = append_entry(dict, f->key, DBUS_TYPE_UINT32, &v);
                        break;
                }
                case GM_FIELD_TEXT:
                        ok = append_string_entry(dict, f->key, p);
                        break;
                case GM_FIELD_ACTIVITY: {
                        const char *n = gm_activity_name(*(const enum gm_activity *)p);
                        ok = append_string_entry(dict, f->key, n ? n : "idle");
                        break;
                }
                case GM_FIELD_SIDE: {
                        const char *n = gm_side_name(*(const enum gm_side *)p);
                        ok = append_string_entry(dict, f->key, n ? n : "unknown");
                        break;
                }
                default:
                        ok = false;
                }
                if (!ok)
                        return false;
        }
        return true;
}

static bool append_run_fields(DBusMessageIter *dict, const struct gm_run_summary *run, const struct gm_advice *advice,
                              enum gm_store_run_state state)
{
        return gm_store_dbus_append_fields(dict, &gm_run_record, run) &&
               append_string_entry(dict, "state", gm_store_run_state_name(state)) &&
               gm_store_dbus_append_fields(dict, &gm_advice_record, advice);
}

static bool append_session(DBusMessageIter *array, const struct session_row *row)
{
        DBusMessageIter dict;

        if (!dbus_message_iter_open_container(array, DBUS_TYPE_ARRAY, "{sv}", &dict))
                return false;
        if (!append_run_fields(&dict, &row->run, &row->advice, row->state)) {
                dbus_message_iter_abandon_container(array, &dict);
                return false;
        }
        return dbus_message_iter_close_container(array, &dict);
}

static int64_t since_for_days(uint32_t days, int64_t wall_us)
{
        if (days == 0 || (int64_t)days > wall_us / USEC_PER_DAY)
                return INT64_MIN;
        return wall_us - (int64_t)days * USEC_PER_DAY;
}

int gm_store_dbus_append_sessions(struct gm_store *s, uint32_t days, int64_t wall_us, DBusMessageIter *reply)
{
        struct gm_run_summary *runs = NULL;
        struct session_row *rows = NULL;
        DBusMessageIter array;
        size_t n = 0;
        int r;

        if (!s || !reply)
                return -EINVAL;

        r = gm_store_runs_since(s, since_for_days(days, wall_us), &runs, &n);
        if (r < 0)
                return r;
        if (n > 0) {
                rows = calloc(n, sizeof *rows);
                if (!rows) {
                        free(runs);
                        return -ENOMEM;
                }
        }
        for (size_t i = 0; i < n; i++) {
                r = gm_store_run_get(s, runs[i].id, &rows[i].run, &rows[i].advice, &rows[i].state);
                if (r < 0)
                        goto finish;
        }

        if (!dbus_message_iter_open_container(reply, DBUS_TYPE_ARRAY, "a{sv}", &array)) {
                r = -ENOMEM;
                goto finish;
        }
        for (size_t i = 0; i < n; i++)
                if (!append_session(&array, &rows[i])) {
                        dbus_message_iter_abandon_container(reply, &array);
                        r = -ENOMEM;
                        goto finish;
                }
        r = dbus_message_iter_close_container(reply, &array) ? 0 : -ENOMEM;

finish:
        free(rows);
        free(runs);
        return r;
}

/* An entry whose value is an array of records of d: "minutes" → aa{sv}. */
static bool append_records_entry(DBusMessageIter *dict, const char *key, const struct gm_record_desc *d,
                                 const void *records, size_t elem, size_t n)
{
        DBusMessageIter entry, variant, array, item;

        if (!dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry))
                return false;
        if (!dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key) ||
            !dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, "aa{sv}", &variant))
                goto fail_entry;
        if (!dbus_message_iter_open_container(&variant, DBUS_TYPE_ARRAY, "a{sv}", &array))
                goto fail_variant;
        for (size_t i = 0; i < n; i++) {
                if (!dbus_message_iter_open_container(&array, DBUS_TYPE_ARRAY, "{sv}", &item))
                        goto fail_array;
                if (!gm_store_dbus_append_fields(&item, d, (const char *)records + i * elem)) {
                        dbus_message_iter_abandon_container(&array, &item);
                        goto fail_array;
                }
                if (!dbus_message_iter_close_container(&array, &item))
                        goto fail_array;
        }
        return dbus_message_iter_close_container(&variant, &array) &&
               dbus_message_iter_close_container(&entry, &variant) && dbus_message_iter_close_container(dict, &entry);

fail_array:
        dbus_message_iter_abandon_container(&variant, &array);
fail_variant:
        dbus_message_iter_abandon_container(&entry, &variant);
fail_entry:
        dbus_message_iter_abandon_container(dict, &entry);
        return false;
}

static bool append_actions_entry(DBusMessageIter *dict, const struct gm_advice *advice)
{
        DBusMessageIter entry, variant, array;
        const char *key = "actions";

        if (!dbus_message_iter_open_container(dict, DBUS_TYPE_DICT_ENTRY, NULL, &entry))
                return false;
        if (!dbus_message_iter_append_basic(&entry, DBUS_TYPE_STRING, &key) ||
            !dbus_message_iter_open_container(&entry, DBUS_TYPE_VARIANT, "as", &variant))
                goto fail_entry;
        if (!dbus_message_iter_open_container(&variant, DBUS_TYPE_ARRAY, "s", &array))
                goto fail_variant;
        for (unsigned i = 0; i < advice->n_actions && i < GM_ADVICE_ACTIONS_MAX; i++) {
                const char *a = valid_utf8(advice->actions[i]);
                if (!dbus_message_iter_append_basic(&array, DBUS_TYPE_STRING, &a)) {
                        dbus_message_iter_abandon_container(&variant, &array);
                        goto fail_variant;
                }
        }
        return dbus_message_iter_close_container(&variant, &array) &&
               dbus_message_iter_close_container(&entry, &variant) && dbus_message_iter_close_container(dict, &entry);

fail_variant:
        dbus_message_iter_abandon_container(&entry, &variant);
fail_entry:
        dbus_message_iter_abandon_container(dict, &entry);
        return false;
}

int gm_store_dbus_append_run(struct gm_store *s, uint64_t id, DBusMessageIter *reply)
{
        struct gm_run_minute *minutes = NULL;
        enum gm_store_run_state state;
        struct gm_run_summary run;
        struct gm_advice advice;
        DBusMessageIter dict;
        size_t n = 0;
        int r;

        if (!s || !reply)
                return -EINVAL;

        r = gm_store_run_get(s, id, &run, &advice, &state);
        if (r < 0)
                return r;
        r = gm_store_run_minutes(s, id, &minutes, &n);
        if (r < 0)
                return r;
        r = -ENOMEM;
        if (dbus_message_iter_open_container(reply, DBUS_TYPE_ARRAY, "{sv}", &dict)) {
                if (append_run_fields(&dict, &run, &advice, state) && append_actions_entry(&dict, &advice) &&
                    append_records_entry(&dict, "minutes", &gm_minute_record, minutes, sizeof *minutes, n))
                        r = dbus_message_iter_close_container(reply, &dict) ? 0 : -ENOMEM;
                else
                        dbus_message_iter_abandon_container(reply, &dict);
        }
        free(minutes);
        return r;
}

int gm_store_dbus_append_strides(struct gm_store *s, uint64_t id, double from_s, double to_s, DBusMessageIter *reply)
{
        struct gm_stride_record *strides = NULL;
        DBusMessageIter array, dict;
        size_t n = 0;
        int r;

        if (!s || !reply)
                return -EINVAL;
        r = gm_store_run_strides_get(s, id, from_s, to_s, &strides, &n);
        if (r < 0)
                return r;
        r = -ENOMEM;
        if (dbus_message_iter_open_container(reply, DBUS_TYPE_ARRAY, "a{sv}", &array)) {
                size_t i;
                for (i = 0; i < n; i++) {
                        if (!dbus_message_iter_open_container(&array, DBUS_TYPE_ARRAY, "{sv}", &dict))
                                break;
                        if (!gm_store_dbus_append_fields(&dict, &gm_stride_record, &strides[i])) {
                                dbus_message_iter_abandon_container(&array, &dict);
                                break;
                        }
                        if (!dbus_message_iter_close_container(&array, &dict))
                                break;
                }
                if (i == n)
                        r = dbus_message_iter_close_container(reply, &array) ? 0 : -ENOMEM;
                else
                        dbus_message_iter_abandon_container(reply, &array);
        }
        free(strides);
        return r;
}
