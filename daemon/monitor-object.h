/* The org.gaitmon.Monitor1 object: properties, signals and methods on the system bus; a
 * consumer of the analysis and the runs. */
#pragma once

#include <stdint.h>
#include <stdio.h>
#include <systemd/sd-event.h>

#include "sink.h"

#define GM_MONITOR_BUS_NAME "org.gaitmon.Monitor1"
#define GM_MONITOR_PATH "/org/gaitmon/Monitor1"

struct gm_analysis;
struct gm_bus;
struct gm_bus_object;
struct gm_runs;

/* What the properties say, refreshed about once a second and on sensor changes. */
struct gm_monitor_values {
        const char *state;
        const char *activity;
        double cadence;
        uint64_t steps;
        double vertical_osc_cm;
        double side[GM_METRIC_COUNT][2]; /* each metric of each side in its unit (the metric table's) */
        double si[GM_METRIC_COUNT];
        double si_baseline[GM_METRIC_COUNT];
        double fatigue;
        uint64_t session_start_us;
        enum gm_sensor_status status[GM_LOC_COUNT];
        char device[GM_LOC_COUNT][64];
        char reason[GM_LOC_COUNT][160]; /* why a sensor does not stream; "" while it does */
        uint64_t dropped;
};

struct gm_monitor {
        const struct gm_view *view;
        struct gm_analysis *analysis; /* ResetBaseline */
        struct gm_runs *runs;         /* EndSession, the run history */
        struct gm_bus *bus;
        struct gm_bus_object *object;
        struct gm_monitor_values v;
};

/* Registered with a struct gm_monitor * as userdata: signals and property changes out. */
extern const struct gm_sink gm_monitor_sink;

/* Connects to the system bus, serves the object and owns the name. Negative errno (logged). */
int gm_monitor_start(struct gm_monitor *m, sd_event *event, const struct gm_view *view, struct gm_analysis *analysis,
                     struct gm_runs *runs);
void gm_monitor_stop(struct gm_monitor *m);
/* The interface XML (gaitmond --print-introspection). */
int gm_monitor_write_xml(FILE *f);
