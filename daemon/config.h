/* gaitmond's configuration: gaitmon.conf plus its drop-ins, parsed with libinih. */
#pragma once

#include <limits.h>
#include <stdbool.h>

#include "gm_types.h"

enum gm_match_kind {
        GM_MATCH_NONE,  /* location not worn */
        GM_MATCH_LABEL, /* the device's label attribute */
        GM_MATCH_NAME,  /* the driver's device name */
        GM_MATCH_SYSFS, /* /sys/bus/iio/devices/iio:deviceN */
};

struct gm_sensor_match {
        enum gm_match_kind kind;
        char value[256];
};

struct gm_config {
        char uri[256];
        double sample_rate_hz;
        unsigned buffer_samples;
        struct gm_sensor_match sensor[GM_LOC_COUNT];
        double warmup_s;
        double baseline_s;
        double asymmetry_threshold_pct;
        unsigned asymmetry_strides;
        double fatigue_threshold;
        double idle_timeout_s;
        unsigned age;
        char state_directory[PATH_MAX];
        unsigned stride_retention_days; /* 0: strides are kept as long as their run */
};

void gm_config_default(struct gm_config *c);
/* The locations with a sensor configured, one bit per enum gm_loc. */
unsigned gm_config_sensor_mask(const struct gm_config *c);

/* Loads PATH and then the .conf files of PATH.d in name order over the defaults. A missing PATH
 * is fine when it is the built-in default location (allow_missing). On error returns
 * a negative errno and writes one line naming file and line to err. */
int gm_config_load(struct gm_config *c, const char *path, bool allow_missing, char *err, size_t err_size);

/* "label:pelvis", "none", ... */
const char *gm_match_kind_name(enum gm_match_kind k);
