/* The metric table of lib/gm_metric.h. */
#include "gm_metric.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#define TIME_MS(label_, short_) \
        .unit = "ms", .symbol = " ms", .scale = 1000, .decimals = 0, .label = label_, .short_label = short_
#define ANGLE_DEG(label_, short_) \
        .unit = "deg", .symbol = "°", .scale = 1, .decimals = 1, .label = label_, .short_label = short_

/* clang-format off */
static const struct gm_metric_info metrics[GM_METRIC_COUNT] = {
        [GM_METRIC_STANCE] = {
                .key = "stance", TIME_MS("Stance time", "stance"), .property = "StanceTime",
                .min = 50, .max = 3000,
                .concern_before = "stance is shorter on the ", .concern_after = " leg",
        },
        [GM_METRIC_SWING] = {
                .key = "swing", TIME_MS("Swing time", "swing"), .property = "SwingTime",
                .min = 50, .max = 2000,
                .concern_is_higher = true, .concern_before = "swing is longer on the ", .concern_after = " leg",
        },
        [GM_METRIC_STRIDE] = {
                .key = "stride", TIME_MS("Stride time", "stride"),
                .min = 200, .max = 5000,
                .concern_is_higher = true, .concern_before = "strides are longer on the ", .concern_after = " side",
        },
        [GM_METRIC_HIP_EXT] = {
                .key = "hip_extension", ANGLE_DEG("Hip extension", "hip ext."), .property = "HipExtension",
                .needs = GM_METRIC_NEEDS_THIGH | GM_METRIC_NEEDS_PELVIS,
                .min = -10, .max = 45, .si_floor = 10, /* peak extension runs 0-20 deg */
                .concern_before = "the ", .concern_after = " hip extends less", .glute_sign = true,
        },
        [GM_METRIC_HIP_RANGE] = {
                .key = "hip_range", ANGLE_DEG("Hip range of motion", "hip range"),
                .needs = GM_METRIC_NEEDS_THIGH | GM_METRIC_NEEDS_PELVIS,
                .min = 0, .max = 120,
                .concern_before = "the ", .concern_after = " hip moves through less range", .glute_sign = true,
        },
        [GM_METRIC_PELVIC_DROP] = {
                .key = "pelvic_drop", ANGLE_DEG("Pelvic drop", "pelvic drop"), .property = "PelvicDrop",
                /* measured during each leg's stance: the opposite side sags over a weak hip */
                .side_words = { "on the left leg", "on the right leg" },
                .needs = GM_METRIC_NEEDS_PELVIS,
                .min = -20, .max = 30, .si_floor = 3, /* drop runs 2-8 deg */
                .concern_is_higher = true, .concern_before = "the pelvis drops more while on the ",
                .concern_after = " leg", .glute_sign = true,
        },
        [GM_METRIC_IMPACT] = {
                .key = "impact", .unit = "g", .symbol = " g", .scale = 1, .decimals = 2, .label = "Impact",
                .short_label = "impact",
                .min = 0, .max = 50,
                /* Healthy legs' impacts differ more than their stance times do, and an impact's
                 * top (some 15 ms wide) falls between samples: read to a few percent from 200 Hz
                 * (its sampled peak moves by a quarter at 104 Hz as the cadence drifts). */
                .spike_si_min = 10, .min_rate_hz = 200,
                .concern_is_higher = true, .concern_before = "the ", .concern_after = " foot lands harder",
        },
        [GM_METRIC_THIGH_EXT] = {
                .key = "thigh_extension", ANGLE_DEG("Thigh extension", "thigh ext."), .property = "ThighExtension",
                .needs = GM_METRIC_NEEDS_THIGH,
                .min = -10, .max = 45, .si_floor = 10, /* as a hip's: the pelvis tilts little */
                .concern_before = "the ", .concern_after = " thigh extends less", .glute_sign = true,
        },
};
/* clang-format on */

/* Also a negative errno from gm_metric_from_name, whatever type the enum is. */
static bool known(enum gm_metric m)
{
        return (unsigned)m < GM_METRIC_COUNT;
}

const struct gm_metric_info *gm_metric_info(enum gm_metric m)
{
        return known(m) ? &metrics[m] : NULL;
}

const char *gm_metric_name(enum gm_metric m)
{
        return known(m) ? metrics[m].key : "invalid";
}

int gm_metric_from_name(const char *key)
{
        for (int m = 0; key && m < GM_METRIC_COUNT; m++)
                if (strcmp(metrics[m].key, key) == 0)
                        return m;
        return -EINVAL;
}

const char *gm_metric_property(enum gm_metric m, enum gm_side side, char *buf, size_t size)
{
        if (!known(m) || !metrics[m].property || side > GM_SIDE_RIGHT)
                return NULL;
        snprintf(buf, size, "%s%s", metrics[m].property, side == GM_SIDE_LEFT ? "Left" : "Right");
        return buf;
}

const char *gm_metric_side_words(enum gm_metric m, enum gm_side side)
{
        if (known(m) && side <= GM_SIDE_RIGHT && metrics[m].side_words[side])
                return metrics[m].side_words[side];
        return gm_side_name(side);
}

unsigned gm_metric_locs(enum gm_metric m, enum gm_side side)
{
        unsigned needs = known(m) ? metrics[m].needs : 0, locs = 0;
        if (needs & GM_METRIC_NEEDS_THIGH && side != GM_SIDE_UNKNOWN)
                locs |= 1u << (side == GM_SIDE_LEFT ? GM_LOC_LEFT_HIP : GM_LOC_RIGHT_HIP);
        if (needs & GM_METRIC_NEEDS_PELVIS)
                locs |= 1u << GM_LOC_PELVIS;
        return locs;
}

double gm_stride_metric(const struct gm_stride *st, enum gm_metric m)
{
        switch (m) {
        case GM_METRIC_STANCE:
                return st->stance_s;
        case GM_METRIC_SWING:
                return st->swing_s;
        case GM_METRIC_STRIDE:
                return st->stride_s;
        case GM_METRIC_HIP_EXT:
                return st->hip_ext_deg;
        case GM_METRIC_HIP_RANGE:
                return st->hip_range_deg;
        case GM_METRIC_PELVIC_DROP:
                return st->pelvic_drop_deg;
        case GM_METRIC_IMPACT:
                return st->impact_g;
        case GM_METRIC_THIGH_EXT:
                return st->thigh_ext_deg;
        default:
                return NAN;
        }
}
