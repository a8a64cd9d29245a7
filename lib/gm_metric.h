/* The metrics of one side (stance time, hip extension, ...), described once: their keys, units,
 * labels, the sensors they need and what their asymmetry means. The D-Bus object, the CLI, the
 * notifications, the log and the exports read this table instead of restating it. Also the
 * two things a side's metrics come in: a stride and an asymmetry spike. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "gm_types.h"

/* Metrics compared between the sides. */
enum gm_metric {
        GM_METRIC_STANCE,
        GM_METRIC_SWING,
        GM_METRIC_STRIDE,
        GM_METRIC_HIP_EXT,
        GM_METRIC_HIP_RANGE,
        GM_METRIC_PELVIC_DROP,
        GM_METRIC_IMPACT,
        GM_METRIC_THIGH_EXT, /* thigh against the vertical: what a thigh tells without the pelvis */
        GM_METRIC_COUNT,
};

/* The sensors a side's metric needs besides the one timing that side's foot contacts (its
 * foot or shank, else the pelvis), which every metric needs. Without them it is absent. */
enum gm_metric_needs {
        GM_METRIC_NEEDS_THIGH = 1 << 0,  /* the side's hip sensor (left_hip, right_hip) */
        GM_METRIC_NEEDS_PELVIS = 1 << 1, /* the pelvis sensor */
};

struct gm_metric_info {
        const char *key;            /* stable name: Asymmetry dictionary key, AsymmetrySpike metric, JSON */
        const char *unit;           /* as shown and sent: "ms", "deg", "g" */
        const char *symbol;         /* after a number: " ms", "°", " g" */
        double scale;               /* a stride's value (s, deg, g) times this is in unit */
        int decimals;               /* shown with this many */
        const char *label;          /* "Hip extension": a line's label; lower-cased inside a sentence */
        const char *short_label;    /* "hip ext.": a table column */
        const char *property;       /* D-Bus properties <property>Left and <property>Right, or NULL */
        const char *side_words[2];  /* what a side's value is of: "left", or "on the left leg" */
        unsigned needs;             /* enum gm_metric_needs */
        double min, max;            /* what a body can do, in unit: beyond is a defect, not a reading */
        double si_floor;            /* its SI divides by at least this mean of a stride's values (0: by
                                       the mean): an angle whose zero is a posture is not an absence */
        double spike_si_min;        /* a smaller shift (SI points) is no finding, whatever the configured
                                       threshold (0: none): a metric that differs between healthy legs */
        double min_rate_hz;         /* its asymmetry is judged only from samples this fast (0: any) */
        bool concern_is_higher;     /* an SI pointing to the higher side is of concern (else the lower) */
        const char *concern_before; /* what the side of concern does, around its name */
        const char *concern_after;
        bool glute_sign; /* an asymmetry of it is a sign of weak glutes */
};

/* The entry of a metric; NULL for one out of range (gm_metric_from_name's -EINVAL too). */
const struct gm_metric_info *gm_metric_info(enum gm_metric m);
/* Its key ("hip_extension"), "invalid" for one out of range. */
const char *gm_metric_name(enum gm_metric m);
/* enum gm_metric of a key, or -EINVAL. */
int gm_metric_from_name(const char *key);
/* The D-Bus property of a metric's side ("HipExtensionLeft") in buf, or NULL when it has none. */
const char *gm_metric_property(enum gm_metric m, enum gm_side side, char *buf, size_t size);
/* What a side's value is of: side_words, else "left" or "right". */
const char *gm_metric_side_words(enum gm_metric m, enum gm_side side);
/* The locations a metric of one side needs beyond the contacts: a mask of 1u << enum gm_loc. */
unsigned gm_metric_locs(enum gm_metric m, enum gm_side side);

/* One stride of one side: ic to the next ic of the same side. NaN where unknown. */
struct gm_stride {
        enum gm_side side;
        double t_ic, t_next_ic, t_fc;
        double stride_s, stance_s, swing_s;
        double cadence_spm;
        double hip_ext_deg, hip_range_deg;     /* thigh against the pelvis: needs both */
        double thigh_ext_deg, thigh_range_deg; /* thigh against the vertical */
        double pelvic_drop_deg;
        double impact_g;
        double vertical_osc_cm;    /* the pelvis' rise and fall, mean of the stride's two steps */
        enum gm_activity activity; /* walking or running, from the stride's duty factor */
        bool steady;               /* not near an activity change, a pause, a gap or bad
                                       samples: only steady strides make findings */
};

/* The stride's value of a metric, in the stride's units (s, deg, g; NaN when unknown). */
double gm_stride_metric(const struct gm_stride *st, enum gm_metric m);

/* An asymmetry metric that left the runner's baseline. */
struct gm_spike {
        enum gm_metric metric;
        double t_onset;  /* first stride of the excursion */
        double t_detect; /* stride at which it was decided */
        double si;       /* current SI, % */
        double baseline; /* baseline SI, % */
};
