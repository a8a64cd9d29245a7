/* gaitmonctl: what the command line asked for, and the commands. */
#pragma once

#include <dbus/dbus.h>
#include <stdbool.h>
#include <stdint.h>

struct ctl_context {
        DBusConnection *bus;
        bool json;
        bool no_pager;        /* --no-pager */
        uint32_t days;        /* history window */
        const char *svg_path; /* show --svg; NULL for none, "-" for stdout */
        double duration_s;    /* watch --duration; 0 until stopped */
        const char *format;   /* export --format: fit (default), csv, json */
        const char *output;   /* export -o; NULL or "-" for stdout */
        bool delete_all;      /* delete --all */
        bool before_set;      /* delete --before */
        int64_t before_us;
};

int ctl_status(struct ctl_context *c);
int ctl_watch(struct ctl_context *c);
int ctl_history(struct ctl_context *c);
int ctl_show(struct ctl_context *c, uint64_t id);
int ctl_export(struct ctl_context *c, uint64_t id);
int ctl_delete(struct ctl_context *c, uint64_t id); /* id unused with --all */
int ctl_end_run(struct ctl_context *c);
int ctl_reset_baseline(struct ctl_context *c);
