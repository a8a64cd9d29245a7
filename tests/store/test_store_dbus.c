/* GetSessions, GetRun and GetStrides replies marshalled by libdbus from a real history file:
 * dictionaries keyed by the record tables, every field as stored. */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <dbus/dbus.h>
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store-dbus.h"

#define DAY_US (INT64_C(86400) * 1000000)
#define NOW_US (INT64_C(1760000000) * 1000000)

static char state_dir[256];

static void make_dir(void)
{
        const char *tmp = getenv("TMPDIR");
        snprintf(state_dir, sizeof state_dir, "%s/gm-store-dbus-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        cr_assert_not_null(mkdtemp(state_dir));
}

static void remove_dir(void)
{
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", state_dir);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(store_dbus, .init = make_dir, .fini = remove_dir);

static DBusMessage *new_reply(void)
{
        DBusMessage *m = dbus_message_new_signal("/org/gaitmon/Monitor1", "org.gaitmon.Test", "Reply");
        cr_assert_not_null(m);
        return m;
}

static uint64_t add_run(struct gm_store *s, int64_t start_us, unsigned minutes, bool end, const char *advice_text)
{
        struct gm_run_summary run = { .start_us = start_us, .activity = GM_ACTIVITY_RUNNING };
        uint64_t id;

        cr_assert_eq(gm_store_run_begin(s, &run, &id), 0);
        for (unsigned k = 0; k < minutes; k++) {
                struct gm_run_minute m = {
                        .t_s = 60.0 * k,
                        .steps = 170,
                        .cadence_spm = k == 1 ? NAN : 170 + k,
                        .stance_ms = { 240, 250 },
                        .hip_ext_deg = { 10 + k, 12 },
                        .pelvic_drop_deg = { 4, 5 },
                        .asym_max_pct = 1.5 * k,
                        .fatigue = 0.05 * k,
                        .length_s = 60,
                };
                cr_assert_eq(gm_store_run_minute(s, id, &m), 0);
        }
        if (end) {
                struct gm_advice advice = { .n_actions = 2, .rest_days = 1, .acwr = NAN };
                snprintf(advice.summary, sizeof advice.summary, "%s", advice_text);
                snprintf(advice.actions[0], GM_ADVICE_ACTION_MAX, "Walk for five minutes.");
                snprintf(advice.actions[1], GM_ADVICE_ACTION_MAX, "Hydrate.");
                run = (struct gm_run_summary){
                        .id = id,
                        .start_us = start_us,
                        .activity = GM_ACTIVITY_RUNNING,
                        .duration_s = 60.0 * minutes,
                        .steps = 170 * minutes,
                        .cadence_spm = 171,
                        .asym_max_pct = 4.5,
                        .asym_metric = "pelvic_drop",
                        .fatigue_max = 0.3,
                        .load = 12,
                        .stance_ms = { 240, 250 },
                        .hip_ext_deg = { 11, 12 },
                        .pelvic_drop_deg = { 4, 5 },
                        .hip_ext_asym_pct = -6.5,
                        .pelvic_drop_asym_pct = NAN,
                        .pelvic_drop_rise_deg = { 0.5, 2.25 },
                        .fatigue_level_max = 2,
                };
                cr_assert_eq(gm_store_run_end(s, &run, &advice), 0);
        }
        return id;
}

/* The value of key in the a{sv} that dict points at; false when absent. */
static bool lookup(DBusMessageIter *dict, const char *key, DBusMessageIter *value)
{
        DBusMessageIter entries;

        cr_assert_eq(dbus_message_iter_get_arg_type(dict), DBUS_TYPE_ARRAY);
        dbus_message_iter_recurse(dict, &entries);
        for (; dbus_message_iter_get_arg_type(&entries) == DBUS_TYPE_DICT_ENTRY; dbus_message_iter_next(&entries)) {
                DBusMessageIter entry;
                const char *k;
                dbus_message_iter_recurse(&entries, &entry);
                dbus_message_iter_get_basic(&entry, &k);
                if (strcmp(k, key) != 0)
                        continue;
                dbus_message_iter_next(&entry);
                dbus_message_iter_recurse(&entry, value);
                return true;
        }
        return false;
}

/* The signature of the value at it (libdbus allocates it). */
static void assert_signature(DBusMessageIter *it, const char *want)
{
        char *sig = dbus_message_iter_get_signature(it);
        cr_assert_str_eq(sig, want);
        dbus_free(sig);
}

static int key_count(DBusMessageIter *dict)
{
        DBusMessageIter entries;
        int n = 0;
        dbus_message_iter_recurse(dict, &entries);
        for (; dbus_message_iter_get_arg_type(&entries) == DBUS_TYPE_DICT_ENTRY; dbus_message_iter_next(&entries))
                n++;
        return n;
}

static double get_double(DBusMessageIter *dict, const char *key)
{
        DBusMessageIter v;
        double x;
        cr_assert(lookup(dict, key, &v), "no %s", key);
        cr_assert_eq(dbus_message_iter_get_arg_type(&v), DBUS_TYPE_DOUBLE, "%s", key);
        dbus_message_iter_get_basic(&v, &x);
        return x;
}

static uint64_t get_u64(DBusMessageIter *dict, const char *key)
{
        DBusMessageIter v;
        dbus_uint64_t x;
        cr_assert(lookup(dict, key, &v), "no %s", key);
        cr_assert_eq(dbus_message_iter_get_arg_type(&v), DBUS_TYPE_UINT64, "%s", key);
        dbus_message_iter_get_basic(&v, &x);
        return x;
}

static const char *get_string(DBusMessageIter *dict, const char *key)
{
        DBusMessageIter v;
        const char *x;
        cr_assert(lookup(dict, key, &v), "no %s", key);
        cr_assert_eq(dbus_message_iter_get_arg_type(&v), DBUS_TYPE_STRING, "%s", key);
        dbus_message_iter_get_basic(&v, &x);
        return x;
}

/* Every field of record d is in dict with its table type and the record's value. */
static void assert_fields(DBusMessageIter *dict, const struct gm_record_desc *d, const void *record)
{
        for (size_t i = 0; i < d->n_fields; i++) {
                const struct gm_field *f = &d->fields[i];
                const char *p = (const char *)record + f->offset;
                DBusMessageIter v;
                cr_assert(lookup(dict, f->key, &v), "%s lacks %s", d->name, f->key);
                cr_assert_eq(dbus_message_iter_get_arg_type(&v), gm_field_dbus_type(f), "%s.%s", d->name, f->key);
                switch (f->type) {
                case GM_FIELD_DOUBLE: {
                        double x, want = *(const double *)p;
                        dbus_message_iter_get_basic(&v, &x);
                        if (isnan(want))
                                cr_assert(isnan(x), "%s.%s: %g, not NaN", d->name, f->key, x);
                        else
                                cr_assert_float_eq(x, want, 1e-9, "%s.%s: %g != %g", d->name, f->key, x, want);
                        break;
                }
                case GM_FIELD_U64: {
                        dbus_uint64_t x;
                        dbus_message_iter_get_basic(&v, &x);
                        cr_assert_eq(x, *(const uint64_t *)p, "%s.%s", d->name, f->key);
                        break;
                }
                case GM_FIELD_I64: {
                        dbus_int64_t x;
                        dbus_message_iter_get_basic(&v, &x);
                        cr_assert_eq(x, *(const int64_t *)p, "%s.%s", d->name, f->key);
                        break;
                }
                case GM_FIELD_U32: {
                        dbus_uint32_t x;
                        dbus_message_iter_get_basic(&v, &x);
                        cr_assert_eq(x, *(const unsigned *)p, "%s.%s", d->name, f->key);
                        break;
                }
                case GM_FIELD_TEXT: {
                        const char *x;
                        dbus_message_iter_get_basic(&v, &x);
                        cr_assert_str_eq(x, p, "%s.%s", d->name, f->key);
                        break;
                }
                case GM_FIELD_ACTIVITY: {
                        const char *x;
                        dbus_message_iter_get_basic(&v, &x);
                        cr_assert_str_eq(x, gm_activity_name(*(const enum gm_activity *)p), "%s.%s", d->name, f->key);
                        break;
                }
                case GM_FIELD_SIDE: {
                        const char *x;
                        dbus_message_iter_get_basic(&v, &x);
                        cr_assert_str_eq(x, gm_side_name(*(const enum gm_side *)p), "%s.%s", d->name, f->key);
                        break;
                }
                }
        }
}

Test(store_dbus, sessions_window_and_fields)
{
        struct gm_store *s = NULL;
        DBusMessageIter it, array;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t old = add_run(s, NOW_US - 8 * DAY_US, 2, true, "old run");
        uint64_t week = add_run(s, NOW_US - 6 * DAY_US, 3, true, "six days ago");
        uint64_t current = add_run(s, NOW_US - 60 * 1000000, 2, false, NULL);

        DBusMessage *m = new_reply();
        dbus_message_iter_init_append(m, &it);
        cr_assert_eq(gm_store_dbus_append_sessions(s, 7, NOW_US, &it), 0);
        cr_assert_str_eq(dbus_message_get_signature(m), GM_STORE_DBUS_SESSIONS_SIGNATURE);

        dbus_message_iter_init(m, &it);
        dbus_message_iter_recurse(&it, &array);
        cr_assert_eq(get_u64(&array, "id"), week, "the 8-day-old run is outside 7 days and the order is by start");
        struct gm_run_summary run;
        struct gm_advice advice;
        enum gm_store_run_state state;
        cr_assert_eq(gm_store_run_get(s, week, &run, &advice, &state), 0);
        assert_fields(&array, &gm_run_record, &run);
        assert_fields(&array, &gm_advice_record, &advice);
        cr_assert_str_eq(get_string(&array, "state"), "ended");
        cr_assert_float_eq(get_double(&array, "duration_s"), 180.0, 1e-9);
        cr_assert_str_eq(get_string(&array, "advice"), "six days ago");
        cr_assert_eq(key_count(&array), (int)(gm_run_record.n_fields + gm_advice_record.n_fields + 1));

        cr_assert(dbus_message_iter_next(&array));
        cr_assert_eq(get_u64(&array, "id"), current);
        cr_assert_str_eq(get_string(&array, "state"), "active");
        cr_assert_str_eq(get_string(&array, "advice"), "");
        cr_assert(isnan(get_double(&array, "acwr")));
        cr_assert_not(dbus_message_iter_next(&array));
        dbus_message_unref(m);

        /* 0 days: everything. */
        m = new_reply();
        dbus_message_iter_init_append(m, &it);
        cr_assert_eq(gm_store_dbus_append_sessions(s, 0, NOW_US, &it), 0);
        dbus_message_iter_init(m, &it);
        dbus_message_iter_recurse(&it, &array);
        cr_assert_eq(get_u64(&array, "id"), old);
        size_t n = 1;
        while (dbus_message_iter_next(&array))
                n++;
        cr_assert_eq(n, 3);
        dbus_message_unref(m);
        gm_store_free(s);
}

Test(store_dbus, run_reply)
{
        struct gm_store *s = NULL;
        DBusMessageIter it, dict, v, array;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t id = add_run(s, NOW_US - DAY_US, 3, true, "Asymmetric run: glute work.");

        DBusMessage *m = new_reply();
        dbus_message_iter_init_append(m, &it);
        cr_assert_eq(gm_store_dbus_append_run(s, id, &it), 0);
        cr_assert_str_eq(dbus_message_get_signature(m), GM_STORE_DBUS_RUN_SIGNATURE);

        struct gm_run_summary run;
        struct gm_advice advice;
        struct gm_run_minute *minutes = NULL;
        size_t n = 0;
        cr_assert_eq(gm_store_run_get(s, id, &run, &advice, NULL), 0);
        cr_assert_eq(gm_store_run_minutes(s, id, &minutes, &n), 0);
        cr_assert_eq(n, 3);

        dbus_message_iter_init(m, &dict);
        assert_fields(&dict, &gm_run_record, &run);
        assert_fields(&dict, &gm_advice_record, &advice);
        /* What was stored, spelled out for a few: a NaN stays NaN, a signed shift keeps its sign. */
        cr_assert_str_eq(get_string(&dict, "asym_metric"), "pelvic_drop");
        cr_assert_float_eq(get_double(&dict, "hip_ext_asym_pct"), -6.5, 1e-9);
        cr_assert(isnan(get_double(&dict, "pelvic_drop_asym_pct")));
        cr_assert_float_eq(get_double(&dict, "pelvic_drop_rise_right_deg"), 2.25, 1e-9);
        cr_assert_str_eq(get_string(&dict, "state"), "ended");

        cr_assert(lookup(&dict, "actions", &v));
        assert_signature(&v, "as");
        dbus_message_iter_recurse(&v, &array);
        const char *a0, *a1;
        dbus_message_iter_get_basic(&array, &a0);
        cr_assert(dbus_message_iter_next(&array));
        dbus_message_iter_get_basic(&array, &a1);
        cr_assert_str_eq(a0, "Walk for five minutes.");
        cr_assert_str_eq(a1, "Hydrate.");
        cr_assert_not(dbus_message_iter_next(&array));

        cr_assert(lookup(&dict, "minutes", &v));
        assert_signature(&v, "aa{sv}");
        dbus_message_iter_recurse(&v, &array);
        for (size_t i = 0; i < n; i++) {
                assert_fields(&array, &gm_minute_record, &minutes[i]);
                cr_assert_eq(dbus_message_iter_next(&array), i + 1 < n);
        }
        cr_assert(isnan(minutes[1].cadence_spm), "the unknown cadence of minute 1 is NaN");
        free(minutes);
        dbus_message_unref(m);

        /* Unknown id: -ENOENT and nothing appended. */
        m = new_reply();
        dbus_message_iter_init_append(m, &it);
        cr_assert_eq(gm_store_dbus_append_run(s, id + 100, &it), -ENOENT);
        cr_assert_str_eq(dbus_message_get_signature(m), "");
        dbus_message_unref(m);
        gm_store_free(s);
}

Test(store_dbus, strides_reply)
{
        struct gm_store *s = NULL;
        DBusMessageIter it, array;
        struct gm_run_summary run = { .start_us = NOW_US - DAY_US, .activity = GM_ACTIVITY_RUNNING };
        struct gm_stride_record strides[6];
        uint64_t id;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        cr_assert_eq(gm_store_run_begin(s, &run, &id), 0);
        for (int i = 0; i < 6; i++)
                strides[i] = (struct gm_stride_record){
                        .t_s = 0.35 * i,
                        .side = i % 2 ? GM_SIDE_RIGHT : GM_SIDE_LEFT,
                        .stride_ms = 700 + i,
                        .stance_ms = 240 + i,
                        .swing_ms = 460,
                        .hip_ext_deg = i == 3 ? NAN : 10 + 0.5 * i,
                        .pelvic_drop_deg = 4.25,
                        .impact_g = 2.5 + i,
                        .activity = GM_ACTIVITY_RUNNING,
                };
        cr_assert_eq(gm_store_run_strides(s, id, strides, 6), 0);

        DBusMessage *m = new_reply();
        dbus_message_iter_init_append(m, &it);
        cr_assert_eq(gm_store_dbus_append_strides(s, id, 0.5, 1.5, &it), 0);
        cr_assert_str_eq(dbus_message_get_signature(m), GM_STORE_DBUS_STRIDES_SIGNATURE);
        dbus_message_iter_init(m, &it);
        dbus_message_iter_recurse(&it, &array);
        /* [0.5, 1.5): the strides at 0.7, 1.05 and 1.4 s. */
        for (int i = 2; i <= 4; i++) {
                assert_fields(&array, &gm_stride_record, &strides[i]);
                cr_assert_eq(dbus_message_iter_next(&array), i < 4);
        }
        dbus_message_unref(m);

        m = new_reply();
        dbus_message_iter_init_append(m, &it);
        cr_assert_eq(gm_store_dbus_append_strides(s, id, 2.0, 1.0, &it), -EINVAL);
        cr_assert_eq(gm_store_dbus_append_strides(s, id + 1, 0, INFINITY, &it), -ENOENT);
        cr_assert_str_eq(dbus_message_get_signature(m), "");
        dbus_message_unref(m);
        gm_store_free(s);
}

Test(store_dbus, invalid_utf8_in_file_does_not_abort)
{
        struct gm_store *s = NULL;
        DBusMessageIter it, array;
        char path[400];
        sqlite3 *db;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t id = add_run(s, NOW_US - DAY_US, 1, true, "fine");
        gm_store_free(s);

        /* Bytes that are not UTF-8, as a damaged or hand-edited file could hold. */
        snprintf(path, sizeof path, "%s/history.db", state_dir);
        cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
        cr_assert_eq(sqlite3_exec(db, "UPDATE runs SET advice_summary = CAST(X'66FF6F' AS TEXT)", NULL, NULL, NULL),
                     SQLITE_OK);
        sqlite3_close(db);

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        DBusMessage *m = new_reply();
        dbus_message_iter_init_append(m, &it);
        cr_assert_eq(gm_store_dbus_append_sessions(s, 0, NOW_US, &it), 0);
        dbus_message_iter_init(m, &it);
        dbus_message_iter_recurse(&it, &array);
        cr_assert_eq(get_u64(&array, "id"), id);
        cr_assert_str_eq(get_string(&array, "advice"), "", "invalid UTF-8 is left out, not sent");
        dbus_message_unref(m);
        gm_store_free(s);
}
