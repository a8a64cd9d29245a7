/* gaitmonctl export RUN: a run with its minutes and strides as FIT, CSV or JSON; and
 * gaitmonctl delete. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl-bus.h"
#include "ctl-fit.h"
#include "ctl-json.h"
#include "ctl-log.h"
#include "ctl-record.h"
#include "ctl-run.h"

/* The strides with from <= t_s < to, appended to *strides. */
static int get_strides_window(struct ctl_context *c, uint64_t id, double from, double to,
                              struct gm_stride_record **strides, size_t *n)
{
        DBusMessage *call, *reply = NULL;
        dbus_uint64_t arg = id;
        DBusMessageIter it;
        void *got = NULL;
        size_t n_got = 0;
        int r;

        call = ctl_bus_new_call(CTL_BUS_INTERFACE, "GetStrides");
        if (!call || !dbus_message_append_args(call, DBUS_TYPE_UINT64, &arg, DBUS_TYPE_DOUBLE, &from, DBUS_TYPE_DOUBLE,
                                               &to, DBUS_TYPE_INVALID)) {
                if (call)
                        dbus_message_unref(call);
                ctl_log("Out of memory.");
                return -ENOMEM;
        }
        r = ctl_bus_call(c->bus, call, &reply);
        dbus_message_unref(call);
        if (r < 0)
                return r;
        if (!dbus_message_has_signature(reply, "aa{sv}")) {
                ctl_log("Unexpected reply from gaitmond to GetStrides (signature '%s').",
                        dbus_message_get_signature(reply));
                dbus_message_unref(reply);
                return -EBADMSG;
        }
        dbus_message_iter_init(reply, &it);
        r = ctl_record_read_array(&it, &gm_stride_record, sizeof(struct gm_stride_record), &got, &n_got);
        dbus_message_unref(reply);
        if (r >= 0 && n_got > 0) {
                struct gm_stride_record *p = reallocarray(*strides, *n + n_got, sizeof *p);
                if (!p)
                        r = -ENOMEM;
                else {
                        memcpy(p + *n, got, n_got * sizeof *p);
                        *strides = p;
                        *n += n_got;
                }
        }
        free(got);
        if (r < 0)
                ctl_log("Out of memory.");
        return r;
}

/* Half an hour of strides per call keeps each reply far below the bus's message size limit,
 * however long the run. */
#define STRIDES_WINDOW_S 1800.0

static int get_strides(struct ctl_context *c, uint64_t id, double duration_s, struct gm_stride_record **ret,
                       size_t *ret_n)
{
        struct gm_stride_record *strides = NULL;
        size_t n = 0;
        int r = 0;

        for (double from = 0; r >= 0; from += STRIDES_WINDOW_S) {
                bool last = !(from + STRIDES_WINDOW_S <= duration_s);
                r = get_strides_window(c, id, from, last ? INFINITY : from + STRIDES_WINDOW_S, &strides, &n);
                if (last)
                        break;
        }
        if (r < 0) {
                free(strides);
                return r;
        }
        *ret = strides;
        *ret_n = n;
        return 0;
}

/* One CSV cell of a field: numbers exact (%.17g), unknown empty. */
static void csv_field(FILE *f, const struct gm_field *fd, const void *record)
{
        const char *p = (const char *)record + fd->offset;
        switch (fd->type) {
        case GM_FIELD_DOUBLE: {
                double v = *(const double *)p;
                if (isfinite(v))
                        fprintf(f, "%.17g", v);
                break;
        }
        case GM_FIELD_U64:
                fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)p);
                break;
        case GM_FIELD_I64:
                fprintf(f, "%lld", (long long)*(const int64_t *)p);
                break;
        case GM_FIELD_U32:
                fprintf(f, "%u", *(const unsigned *)p);
                break;
        case GM_FIELD_TEXT:
                fputs(p, f); /* only names of ours: no commas or quotes */
                break;
        case GM_FIELD_ACTIVITY: {
                const char *n = gm_activity_name(*(const enum gm_activity *)p);
                fputs(n ? n : "idle", f);
                break;
        }
        case GM_FIELD_SIDE: {
                const char *n = gm_side_name(*(const enum gm_side *)p);
                fputs(n ? n : "", f);
                break;
        }
        }
}

static void csv_table(FILE *f, const struct gm_record_desc *d, const void *records, size_t elem, size_t n)
{
        for (size_t k = 0; k < d->n_fields; k++)
                fprintf(f, "%s%s", k ? "," : "", d->fields[k].key);
        fputc('\n', f);
        for (size_t i = 0; i < n; i++) {
                for (size_t k = 0; k < d->n_fields; k++) {
                        if (k)
                                fputc(',', f);
                        csv_field(f, &d->fields[k], (const char *)records + i * elem);
                }
                fputc('\n', f);
        }
}

/* The strides, then after an empty line the minutes, each table with its header; # lines first. */
static void write_csv(FILE *f, const struct ctl_run *run, const struct gm_stride_record *strides, size_t n)
{
        fprintf(f, "# gaitmon-run-export 1\n# run: %llu\n# start_us: %lld\n# activity: %s\n# strides: %zu\n",
                (unsigned long long)run->s.id, (long long)run->s.start_us,
                gm_activity_name(run->s.activity) ? gm_activity_name(run->s.activity) : "idle", n);
        csv_table(f, &gm_stride_record, strides, sizeof *strides, n);
        fputc('\n', f);
        csv_table(f, &gm_minute_record, run->minutes, sizeof *run->minutes, run->n_minutes);
}

static void write_json(FILE *f, const struct ctl_run *run, const struct gm_stride_record *strides, size_t n)
{
        struct ctl_json j;

        ctl_json_init(&j, f);
        ctl_json_object_begin(&j);
        ctl_json_key(&j, "run");
        ctl_json_object_begin(&j);
        ctl_record_json_fields(&j, &gm_run_record, &run->s);
        ctl_json_field_string(&j, "state", run->state);
        ctl_record_json_fields(&j, &gm_advice_record, &run->a);
        ctl_json_key(&j, "actions");
        ctl_json_array_begin(&j);
        for (unsigned i = 0; i < run->a.n_actions; i++)
                ctl_json_string(&j, run->a.actions[i]);
        ctl_json_array_end(&j);
        ctl_json_object_end(&j);
        ctl_json_key(&j, "minutes");
        ctl_json_array_begin(&j);
        for (size_t i = 0; i < run->n_minutes; i++) {
                ctl_json_object_begin(&j);
                ctl_record_json_fields(&j, &gm_minute_record, &run->minutes[i]);
                ctl_json_object_end(&j);
        }
        ctl_json_array_end(&j);
        ctl_json_key(&j, "strides");
        ctl_json_array_begin(&j);
        for (size_t i = 0; i < n; i++) {
                ctl_json_object_begin(&j);
                ctl_record_json_fields(&j, &gm_stride_record, &strides[i]);
                ctl_json_object_end(&j);
        }
        ctl_json_array_end(&j);
        ctl_json_object_end(&j);
        ctl_json_finish(&j);
}

int ctl_export(struct ctl_context *c, uint64_t id)
{
        struct gm_stride_record *strides = NULL;
        struct ctl_run run;
        char *data = NULL;
        size_t size = 0, n = 0, records = 0;
        const char *format = c->format ? c->format : "fit";
        const char *path = c->output ? c->output : "-";
        int r;

        if (strcmp(format, "fit") == 0 && strcmp(path, "-") == 0 && isatty(STDOUT_FILENO)) {
                ctl_log("A FIT file is binary: give it a name with -o FILE, or redirect the output.");
                return -EINVAL;
        }
        r = ctl_run_get(c, id, &run);
        if (r < 0)
                return r;
        if (strcmp(run.state, "active") == 0) {
                ctl_log("Run %llu is in progress; end it first ('gaitmonctl end-run'), then export it.",
                        (unsigned long long)id);
                ctl_run_clear(&run);
                return -EBUSY;
        }
        r = get_strides(c, id, run.s.duration_s, &strides, &n);
        if (r < 0) {
                ctl_run_clear(&run);
                return r;
        }

        /* Made in memory first, so that a failure leaves no half file behind. */
        FILE *mem = open_memstream(&data, &size);
        if (!mem)
                r = -ENOMEM;
        else {
                if (strcmp(format, "fit") == 0)
                        r = ctl_fit_write(mem, &run, strides, n, &records);
                else if (strcmp(format, "csv") == 0)
                        write_csv(mem, &run, strides, n);
                else
                        write_json(mem, &run, strides, n);
                if (fclose(mem) != 0 && r >= 0)
                        r = -ENOMEM;
        }
        if (r < 0)
                ctl_log("Failed to encode run %llu: %s", (unsigned long long)id, strerror(-r));

        if (r >= 0 && strcmp(path, "-") == 0) {
                if (fwrite(data, 1, size, stdout) != size || fflush(stdout) != 0) {
                        r = -errno;
                        ctl_log("Failed to write the export to stdout: %s", strerror(errno));
                }
        } else if (r >= 0) {
                int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
                if (fd < 0) {
                        r = -errno;
                        ctl_log("Cannot write %s: %s", path, strerror(errno));
                } else {
                        size_t done = 0;
                        while (done < size) {
                                ssize_t k = write(fd, data + done, size - done);
                                if (k < 0) {
                                        if (errno == EINTR)
                                                continue;
                                        r = -errno;
                                        break;
                                }
                                done += (size_t)k;
                        }
                        if (close(fd) < 0 && r >= 0)
                                r = -errno;
                        if (r < 0) {
                                ctl_log("Failed to write %s: %s", path, strerror(-r));
                                (void)unlink(path);
                        }
                }
        }
        if (r >= 0 && strcmp(path, "-") != 0) {
                if (strcmp(format, "fit") == 0)
                        fprintf(stderr, "Run %llu: %zu strides in %zu records written to %s.\n", (unsigned long long)id,
                                n, records, path);
                else
                        fprintf(stderr, "Run %llu: %zu strides and %zu minutes written to %s.\n",
                                (unsigned long long)id, n, run.n_minutes, path);
        }
        free(data);
        free(strides);
        ctl_run_clear(&run);
        return r;
}

/* gaitmonctl delete */

static int delete_one(struct ctl_context *c, uint64_t id)
{
        DBusMessage *reply = NULL;
        dbus_uint64_t arg = id;
        int r = ctl_bus_call_method(c->bus, CTL_BUS_INTERFACE, "DeleteRun", DBUS_TYPE_UINT64, &arg, "", &reply);
        if (r < 0)
                return r;
        dbus_message_unref(reply);
        printf("Deleted run %llu.\n", (unsigned long long)id);
        return 0;
}

int ctl_delete(struct ctl_context *c, uint64_t id)
{
        if (!c->delete_all)
                return delete_one(c, id);

        /* Every run (that started before the date): the ids from GetSessions, then one by one. */
        DBusMessage *reply = NULL;
        dbus_uint32_t days = 0;
        DBusMessageIter it, array;
        size_t deleted = 0, refused = 0;
        int r = ctl_bus_call_method(c->bus, CTL_BUS_INTERFACE, "GetSessions", DBUS_TYPE_UINT32, &days, "aa{sv}",
                                    &reply);
        if (r < 0)
                return r;
        dbus_message_iter_init(reply, &it);
        dbus_message_iter_recurse(&it, &array);
        for (; r >= 0 && dbus_message_iter_get_arg_type(&array) == DBUS_TYPE_ARRAY; dbus_message_iter_next(&array)) {
                struct gm_run_summary run;
                (void)ctl_record_read(&array, &gm_run_record, &run, NULL, NULL);
                if (c->before_set && run.start_us >= c->before_us)
                        continue;
                int k = delete_one(c, run.id);
                if (k == -EBUSY)
                        refused++; /* gaitmond said why: the run in progress stays */
                else if (k < 0)
                        r = k;
                else
                        deleted++;
        }
        dbus_message_unref(reply);
        if (r >= 0 && deleted == 0 && refused == 0)
                printf("No runs to delete.\n");
        return r < 0 ? r : refused ? -EBUSY : 0;
}
