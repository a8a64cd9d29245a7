/* Marshalling of the run history into the GetSessions and GetRun replies. */
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

static bool append_basic(DBusMessageIter *it, int type, const void *value) {
        return dbus_message_iter_append_basic(it, type, value);
}

static bool append_string(DBusMessageIter *it, const char *s) {
        /* libdbus aborts on invalid UTF-8; stored text came from us, but the file may not have. */
        const char *v = dbus_validate_utf8(s, NULL) ? s : "";
        return append_basic(it, DBUS_TYPE_STRING, &v);
}

static bool append_double(DBusMessageIter *it, double v) {
        return append_basic(it, DBUS_TYPE_DOUBLE, &v);
}

static bool append_u64(DBusMessageIter *it, uint64_t v) {
        dbus_uint64_t x = v;
        return append_basic(it, DBUS_TYPE_UINT64, &x);
}

static bool append_u32(DBusMessageIter *it, uint32_t v) {
        dbus_uint32_t x = v;
        return append_basic(it, DBUS_TYPE_UINT32, &x);
}

static const char *activity_name(enum gm_activity a) {
        const char *n = gm_activity_name(a);
        return n ? n : "idle";
}

static bool append_session(DBusMessageIter *array, const struct session_row *row) {
        DBusMessageIter st;

        if (!dbus_message_iter_open_container(array, DBUS_TYPE_STRUCT, NULL, &st))
                return false;
        if (!append_u64(&st, row->run.id) ||
            !append_u64(&st, (uint64_t) (row->run.start_us > 0 ? row->run.start_us : 0)) ||
            !append_string(&st, activity_name(row->run.activity)) ||
            !append_double(&st, row->run.duration_s) ||
            !append_u64(&st, row->run.steps) ||
            !append_double(&st, row->run.cadence_spm) ||
            !append_double(&st, row->run.asym_max_pct) ||
            !append_double(&st, row->run.fatigue_max) ||
            !append_string(&st, row->advice.summary) ||
            !append_u32(&st, row->advice.rest_days) ||
            !append_string(&st, gm_store_run_state_name(row->state))) {
                dbus_message_iter_abandon_container(array, &st);
                return false;
        }
        return dbus_message_iter_close_container(array, &st);
}

static int64_t since_for_days(uint32_t days, int64_t now_us) {
        if (days == 0 || (int64_t) days > now_us / USEC_PER_DAY)
                return INT64_MIN;
        return now_us - (int64_t) days * USEC_PER_DAY;
}

int gm_store_dbus_append_sessions(struct gm_store *s, uint32_t days, int64_t now_us, DBusMessageIter *reply) {
        struct gm_run_summary *runs = NULL;
        struct session_row *rows = NULL;
        DBusMessageIter array;
        size_t n = 0;
        int r;

        if (!s || !reply)
                return -EINVAL;

        r = gm_store_runs_since(s, since_for_days(days, now_us), &runs, &n);
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

        if (!dbus_message_iter_open_container(reply, DBUS_TYPE_ARRAY, GM_STORE_DBUS_SESSION_TYPE, &array)) {
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

static bool append_minute(DBusMessageIter *array, const struct gm_run_minute *m) {
        DBusMessageIter st;

        if (!dbus_message_iter_open_container(array, DBUS_TYPE_STRUCT, NULL, &st))
                return false;
        if (!append_double(&st, m->t_s) ||
            !append_u64(&st, m->steps) ||
            !append_double(&st, m->cadence_spm) ||
            !append_double(&st, m->stance_ms[GM_SIDE_LEFT]) ||
            !append_double(&st, m->stance_ms[GM_SIDE_RIGHT]) ||
            !append_double(&st, m->hip_ext_deg[GM_SIDE_LEFT]) ||
            !append_double(&st, m->hip_ext_deg[GM_SIDE_RIGHT]) ||
            !append_double(&st, m->pelvic_drop_deg[GM_SIDE_LEFT]) ||
            !append_double(&st, m->pelvic_drop_deg[GM_SIDE_RIGHT]) ||
            !append_double(&st, m->asym_max_pct) ||
            !append_double(&st, m->fatigue) ||
            !append_double(&st, m->length_s)) {
                dbus_message_iter_abandon_container(array, &st);
                return false;
        }
        return dbus_message_iter_close_container(array, &st);
}

static bool append_run(DBusMessageIter *reply, const struct gm_run_summary *run, const struct gm_advice *advice,
                       enum gm_store_run_state state, const struct gm_run_minute *minutes, size_t n) {
        DBusMessageIter array;

        if (!append_u64(reply, run->id) ||
            !append_u64(reply, (uint64_t) (run->start_us > 0 ? run->start_us : 0)) ||
            !append_string(reply, activity_name(run->activity)) ||
            !append_string(reply, gm_store_run_state_name(state)) ||
            !append_double(reply, run->duration_s) ||
            !append_u64(reply, run->steps) ||
            !append_double(reply, run->cadence_spm) ||
            !append_double(reply, run->stance_ms[GM_SIDE_LEFT]) ||
            !append_double(reply, run->stance_ms[GM_SIDE_RIGHT]) ||
            !append_double(reply, run->hip_ext_deg[GM_SIDE_LEFT]) ||
            !append_double(reply, run->hip_ext_deg[GM_SIDE_RIGHT]) ||
            !append_double(reply, run->pelvic_drop_deg[GM_SIDE_LEFT]) ||
            !append_double(reply, run->pelvic_drop_deg[GM_SIDE_RIGHT]) ||
            !append_double(reply, run->asym_max_pct) ||
            !append_string(reply, run->asym_metric) ||
            !append_double(reply, run->fatigue_max) ||
            !append_double(reply, run->load) ||
            !append_string(reply, advice->summary))
                return false;

        if (!dbus_message_iter_open_container(reply, DBUS_TYPE_ARRAY, "s", &array))
                return false;
        for (unsigned i = 0; i < advice->n_actions && i < GM_ADVICE_ACTIONS_MAX; i++)
                if (!append_string(&array, advice->actions[i])) {
                        dbus_message_iter_abandon_container(reply, &array);
                        return false;
                }
        if (!dbus_message_iter_close_container(reply, &array))
                return false;

        if (!append_u32(reply, advice->rest_days) || !append_double(reply, advice->acwr))
                return false;

        if (!dbus_message_iter_open_container(reply, DBUS_TYPE_ARRAY, GM_STORE_DBUS_MINUTE_TYPE, &array))
                return false;
        for (size_t i = 0; i < n; i++)
                if (!append_minute(&array, &minutes[i])) {
                        dbus_message_iter_abandon_container(reply, &array);
                        return false;
                }
        if (!dbus_message_iter_close_container(reply, &array))
                return false;

        /* The signs of compensation come last, so that readers of the older reply keep working. */
        return append_double(reply, run->hip_ext_asym_pct) &&
               append_double(reply, run->pelvic_drop_asym_pct) &&
               append_double(reply, run->pelvic_drop_rise_deg[GM_SIDE_LEFT]) &&
               append_double(reply, run->pelvic_drop_rise_deg[GM_SIDE_RIGHT]) &&
               append_u32(reply, run->fatigue_level_max);
}

int gm_store_dbus_append_run(struct gm_store *s, uint64_t id, DBusMessageIter *reply) {
        struct gm_run_minute *minutes = NULL;
        enum gm_store_run_state state;
        struct gm_run_summary run;
        struct gm_advice advice;
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
        r = append_run(reply, &run, &advice, state, minutes, n) ? 0 : -ENOMEM;
        free(minutes);
        return r;
}
