/* GetSessions and GetRun replies marshalled by libdbus from a real history file. */
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

static void make_dir(void) {
        const char *tmp = getenv("TMPDIR");
        snprintf(state_dir, sizeof state_dir, "%s/gm-store-dbus-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        cr_assert_not_null(mkdtemp(state_dir));
}

static void remove_dir(void) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", state_dir);
        cr_assert_eq(system(cmd), 0);
}

TestSuite(store_dbus, .init = make_dir, .fini = remove_dir);

static DBusMessage *new_reply(void) {
        DBusMessage *m = dbus_message_new_signal("/org/gaitmon/Monitor1", "org.gaitmon.Test", "Reply");
        cr_assert_not_null(m);
        return m;
}

static uint64_t add_run(struct gm_store *s, int64_t start_us, unsigned minutes, bool end, const char *advice_text) {
        struct gm_run_summary run = { .start_us = start_us, .activity = GM_ACTIVITY_RUNNING };
        uint64_t id;

        cr_assert_eq(gm_store_run_begin(s, &run, &id), 0);
        for (unsigned k = 0; k < minutes; k++) {
                struct gm_run_minute m = {
                        .t_s = 60.0 * k, .steps = 170, .cadence_spm = k == 1 ? NAN : 170 + k,
                        .stance_ms = { 240, 250 }, .hip_ext_deg = { 10 + k, 12 }, .pelvic_drop_deg = { 4, 5 },
                        .asym_max_pct = 1.5 * k, .fatigue = 0.05 * k, .length_s = 60,
                };
                cr_assert_eq(gm_store_run_minute(s, id, &m), 0);
        }
        if (end) {
                struct gm_advice advice = { .n_actions = 2, .rest_days = 1, .acwr = NAN };
                snprintf(advice.summary, sizeof advice.summary, "%s", advice_text);
                snprintf(advice.actions[0], GM_ADVICE_ACTION_MAX, "Walk for five minutes.");
                snprintf(advice.actions[1], GM_ADVICE_ACTION_MAX, "Hydrate.");
                run = (struct gm_run_summary) {
                        .id = id, .start_us = start_us, .activity = GM_ACTIVITY_RUNNING, .duration_s = 60.0 * minutes,
                        .steps = 170 * minutes, .cadence_spm = 171, .asym_max_pct = 4.5, .asym_metric = "pelvic_drop",
                        .fatigue_max = 0.3, .load = 12, .stance_ms = { 240, 250 }, .hip_ext_deg = { 11, 12 },
                        .pelvic_drop_deg = { 4, 5 }, .hip_ext_asym_pct = -6.5, .pelvic_drop_asym_pct = NAN,
                        .pelvic_drop_rise_deg = { 0.5, 2.25 }, .fatigue_level_max = 2,
                };
                cr_assert_eq(gm_store_run_end(s, &run, &advice), 0);
        }
        return id;
}

static uint64_t next_u64(DBusMessageIter *it) {
        dbus_uint64_t v;
        cr_assert_eq(dbus_message_iter_get_arg_type(it), DBUS_TYPE_UINT64);
        dbus_message_iter_get_basic(it, &v);
        dbus_message_iter_next(it);
        return v;
}

static uint32_t next_u32(DBusMessageIter *it) {
        dbus_uint32_t v;
        cr_assert_eq(dbus_message_iter_get_arg_type(it), DBUS_TYPE_UINT32);
        dbus_message_iter_get_basic(it, &v);
        dbus_message_iter_next(it);
        return v;
}

static double next_double(DBusMessageIter *it) {
        double v;
        cr_assert_eq(dbus_message_iter_get_arg_type(it), DBUS_TYPE_DOUBLE);
        dbus_message_iter_get_basic(it, &v);
        dbus_message_iter_next(it);
        return v;
}

static const char *next_string(DBusMessageIter *it) {
        const char *v;
        cr_assert_eq(dbus_message_iter_get_arg_type(it), DBUS_TYPE_STRING);
        dbus_message_iter_get_basic(it, &v);
        dbus_message_iter_next(it);
        return v;
}

Test(store_dbus, sessions_window_and_fields) {
        struct gm_store *s = NULL;
        DBusMessageIter it, array, st;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t old = add_run(s, NOW_US - 8 * DAY_US, 2, true, "old run");
        uint64_t week = add_run(s, NOW_US - 6 * DAY_US, 3, true, "six days ago");
        uint64_t current = add_run(s, NOW_US - 60 * 1000000, 2, false, NULL);

        DBusMessage *m = new_reply();
        dbus_message_iter_init_append(m, &it);
        cr_assert_eq(gm_store_dbus_append_sessions(s, 7, NOW_US, &it), 0);
        cr_assert_str_eq(dbus_message_get_signature(m), "a" GM_STORE_DBUS_SESSION_TYPE);

        dbus_message_iter_init(m, &it);
        dbus_message_iter_recurse(&it, &array);
        cr_assert_eq(dbus_message_iter_get_arg_type(&array), DBUS_TYPE_STRUCT);
        dbus_message_iter_recurse(&array, &st);
        {
                uint64_t v_ = next_u64(&st);
                cr_assert_eq(v_, week, "the 8-day-old run is outside 7 days and the order is by start");
        }
        {
                uint64_t v_ = next_u64(&st);
                cr_assert_eq(v_, (uint64_t) (NOW_US - 6 * DAY_US));
        }
        {
                const char *v_ = next_string(&st);
                cr_assert_str_eq(v_, "running");
        }
        {
                double v_ = next_double(&st);
                cr_assert_float_eq(v_, 180.0, 1e-9);
        }
        {
                uint64_t v_ = next_u64(&st);
                cr_assert_eq(v_, 510);
        }
        {
                double v_ = next_double(&st);
                cr_assert_float_eq(v_, 171.0, 1e-9);
        }
        {
                double v_ = next_double(&st);
                cr_assert_float_eq(v_, 4.5, 1e-9);
        }
        {
                double v_ = next_double(&st);
                cr_assert_float_eq(v_, 0.3, 1e-9);
        }
        {
                const char *v_ = next_string(&st);
                cr_assert_str_eq(v_, "six days ago");
        }
        {
                uint32_t v_ = next_u32(&st);
                cr_assert_eq(v_, 1);
        }
        {
                const char *v_ = next_string(&st);
                cr_assert_str_eq(v_, "ended");
        }

        cr_assert(dbus_message_iter_next(&array));
        dbus_message_iter_recurse(&array, &st);
        {
                uint64_t v_ = next_u64(&st);
                cr_assert_eq(v_, current);
        }
        next_u64(&st);
        next_string(&st);
        {
                double v_ = next_double(&st);
                cr_assert_float_eq(v_, 120.0, 1e-9, "running duration of the active run");
        }
        {
                uint64_t v_ = next_u64(&st);
                cr_assert_eq(v_, 340);
        }
        {
                double v_ = next_double(&st);
                cr_assert_float_eq(v_, 170.0, 1e-9, "mean cadence leaves the unknown minute out");
        }
        next_double(&st);
        next_double(&st);
        {
                const char *v_ = next_string(&st);
                cr_assert_str_eq(v_, "");
        }
        next_u32(&st);
        {
                const char *v_ = next_string(&st);
                cr_assert_str_eq(v_, "active");
        }
        cr_assert_not(dbus_message_iter_next(&array));
        dbus_message_unref(m);

        /* 0 days: everything. */
        m = new_reply();
        dbus_message_iter_init_append(m, &it);
        cr_assert_eq(gm_store_dbus_append_sessions(s, 0, NOW_US, &it), 0);
        dbus_message_iter_init(m, &it);
        dbus_message_iter_recurse(&it, &array);
        dbus_message_iter_recurse(&array, &st);
        {
                uint64_t v_ = next_u64(&st);
                cr_assert_eq(v_, old);
        }
        size_t n = 1;
        while (dbus_message_iter_next(&array))
                n++;
        cr_assert_eq(n, 3);
        dbus_message_unref(m);
        gm_store_free(s);
}

Test(store_dbus, run_reply) {
        struct gm_store *s = NULL;
        DBusMessageIter it, array, st;

        cr_assert_eq(gm_store_open(state_dir, &s), 0);
        uint64_t id = add_run(s, NOW_US - DAY_US, 3, true, "Asymmetric run: glute work.");

        DBusMessage *m = new_reply();
        dbus_message_iter_init_append(m, &it);
        cr_assert_eq(gm_store_dbus_append_run(s, id, &it), 0);
        cr_assert_str_eq(dbus_message_get_signature(m), GM_STORE_DBUS_RUN_SIGNATURE);

        dbus_message_iter_init(m, &it);
        {
                uint64_t v_ = next_u64(&it);
                cr_assert_eq(v_, id);
        }
        {
                uint64_t v_ = next_u64(&it);
                cr_assert_eq(v_, (uint64_t) (NOW_US - DAY_US));
        }
        {
                const char *v_ = next_string(&it);
                cr_assert_str_eq(v_, "running");
        }
        {
                const char *v_ = next_string(&it);
                cr_assert_str_eq(v_, "ended");
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 180.0, 1e-9);
        }
        {
                uint64_t v_ = next_u64(&it);
                cr_assert_eq(v_, 510);
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 171.0, 1e-9);
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 240.0, 1e-9);
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 250.0, 1e-9);
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 11.0, 1e-9);
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 12.0, 1e-9);
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 4.0, 1e-9);
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 5.0, 1e-9);
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 4.5, 1e-9);
        }
        {
                const char *v_ = next_string(&it);
                cr_assert_str_eq(v_, "pelvic_drop");
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 0.3, 1e-9);
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 12.0, 1e-9);
        }
        {
                const char *v_ = next_string(&it);
                cr_assert_str_eq(v_, "Asymmetric run: glute work.");
        }
        dbus_message_iter_recurse(&it, &array);
        {
                const char *v_ = next_string(&array);
                cr_assert_str_eq(v_, "Walk for five minutes.");
        }
        {
                const char *v_ = next_string(&array);
                cr_assert_str_eq(v_, "Hydrate.");
        }
        cr_assert_eq(dbus_message_iter_get_arg_type(&array), DBUS_TYPE_INVALID);
        dbus_message_iter_next(&it);
        {
                uint32_t v_ = next_u32(&it);
                cr_assert_eq(v_, 1);
        }
        double acwr = next_double(&it);
        cr_assert(isnan(acwr), "acwr unknown stays NaN");

        dbus_message_iter_recurse(&it, &array);
        for (unsigned k = 0; k < 3; k++) {
                cr_assert_eq(dbus_message_iter_get_arg_type(&array), DBUS_TYPE_STRUCT);
                dbus_message_iter_recurse(&array, &st);
                {
                        double v_ = next_double(&st);
                        cr_assert_float_eq(v_, 60.0 * k, 1e-9);
                }
                {
                        uint64_t v_ = next_u64(&st);
                        cr_assert_eq(v_, 170);
                }
                double cadence = next_double(&st);
                if (k == 1)
                        cr_assert(isnan(cadence));
                else
                        cr_assert_float_eq(cadence, 170.0 + k, 1e-9);
                next_double(&st);
                next_double(&st);
                {
                        double v_ = next_double(&st);
                        cr_assert_float_eq(v_, 10.0 + k, 1e-9, "hip extension left of minute %u", k);
                }
                next_double(&st);
                next_double(&st);
                next_double(&st);
                {
                        double v_ = next_double(&st);
                        cr_assert_float_eq(v_, 1.5 * k, 1e-9);
                }
                {
                        double v_ = next_double(&st);
                        cr_assert_float_eq(v_, 0.05 * k, 1e-9);
                }
                {
                        double v_ = next_double(&st);
                        cr_assert_float_eq(v_, 60.0, 1e-9);
                }
                dbus_message_iter_next(&array);
        }
        cr_assert_eq(dbus_message_iter_get_arg_type(&array), DBUS_TYPE_INVALID);
        /* After the minutes, the signs of compensation. */
        cr_assert(dbus_message_iter_next(&it));
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, -6.5, 1e-9, "hip extension asymmetry from baseline");
        }
        cr_assert(isnan(next_double(&it)), "pelvic drop asymmetry unknown stays NaN");
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 0.5, 1e-9);
        }
        {
                double v_ = next_double(&it);
                cr_assert_float_eq(v_, 2.25, 1e-9);
        }
        cr_assert_eq(dbus_message_iter_get_arg_type(&it), DBUS_TYPE_UINT32);
        {
                uint32_t v_ = next_u32(&it);
                cr_assert_eq(v_, 2, "highest fatigue level");
        }
        cr_assert_eq(dbus_message_iter_get_arg_type(&it), DBUS_TYPE_INVALID);
        dbus_message_unref(m);

        /* Unknown id: -ENOENT and nothing appended. */
        m = new_reply();
        dbus_message_iter_init_append(m, &it);
        cr_assert_eq(gm_store_dbus_append_run(s, id + 100, &it), -ENOENT);
        cr_assert_str_eq(dbus_message_get_signature(m), "");
        dbus_message_unref(m);
        gm_store_free(s);
}

Test(store_dbus, invalid_utf8_in_file_does_not_abort) {
        struct gm_store *s = NULL;
        DBusMessageIter it, array, st;
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
        dbus_message_iter_recurse(&array, &st);
        {
                uint64_t v_ = next_u64(&st);
                cr_assert_eq(v_, id);
        }
        for (int i = 0; i < 7; i++)
                dbus_message_iter_next(&st);
        {
                const char *v_ = next_string(&st);
                cr_assert_str_eq(v_, "", "invalid UTF-8 is left out, not sent");
        }
        dbus_message_unref(m);
        gm_store_free(s);
}
