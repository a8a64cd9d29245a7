/* Left/right balance and the words for a side. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gm_balance.h"

/* How each metric is put, with the side of concern as %s. */
struct wording {
        const char *metric;
        const char *noun;
        bool concern_is_higher;
        const char *before, *after; /* the phrase around the side's name */
};

static const struct wording wordings[] = {
        { "stance", "stance time", false, "stance is shorter on the ", " leg" },
        { "swing", "swing time", true, "swing is longer on the ", " leg" },
        { "stride", "stride time", true, "strides are longer on the ", " side" },
        { "hip_extension", "hip extension", false, "the ", " hip extends less" },
        { "hip_range", "hip range of motion", false, "the ", " hip moves through less range" },
        { "thigh_extension", "thigh extension", false, "the ", " thigh extends less" },
        { "pelvic_drop", "pelvic drop", true, "the pelvis drops more while on the ", " leg" },
        { "impact", "impact", true, "the ", " foot lands harder" },
};

static const struct wording *wording_of(const char *metric)
{
        for (size_t i = 0; metric && i < sizeof(wordings) / sizeof(wordings[0]); i++)
                if (strcmp(wordings[i].metric, metric) == 0)
                        return &wordings[i];
        return NULL;
}

double gm_balance_left_pct(double si)
{
        if (!isfinite(si) || fabs(si) > 200)
                return NAN;
        return 50 + si / 4;
}

const char *gm_balance_format(char *buf, size_t size, double si)
{
        double left = gm_balance_left_pct(si);
        if (!isfinite(left))
                snprintf(buf, size, "n/a");
        else {
                /* Rounded once, half away from zero, so that the two add up to 100.0. */
                left = round(left * 10) / 10;
                snprintf(buf, size, "%.1f %% L / %.1f %% R", left, 100 - left);
        }
        return buf;
}

double gm_balance_shift_points(double si_shift)
{
        return isfinite(si_shift) ? si_shift / 4 : NAN;
}

const char *gm_balance_metric_noun(const char *metric, char *buf, size_t size)
{
        const struct wording *w = wording_of(metric);
        if (w)
                return w->noun;
        snprintf(buf, size, "%s", metric ? metric : "");
        for (char *p = buf; *p; p++)
                if (*p == '_')
                        *p = ' ';
        return buf;
}

enum gm_side gm_balance_concern_side(const char *metric, double si)
{
        const struct wording *w = wording_of(metric);
        bool higher = w ? w->concern_is_higher : true;
        if (!isfinite(si) || si == 0)
                return GM_SIDE_UNKNOWN;
        return (si > 0) == higher ? GM_SIDE_LEFT : GM_SIDE_RIGHT;
}

const char *gm_balance_side_phrase(const char *metric, enum gm_side side, char *buf, size_t size)
{
        const struct wording *w = wording_of(metric);
        const char *name = side == GM_SIDE_LEFT ? "left" : side == GM_SIDE_RIGHT ? "right" : NULL;
        if (!name) {
                snprintf(buf, size, "left and right even");
                return buf;
        }
        if (w) {
                snprintf(buf, size, "%s%s%s", w->before, name, w->after);
        } else {
                char noun[64];
                snprintf(buf, size, "%s is higher on the %s side", gm_balance_metric_noun(metric, noun, sizeof(noun)),
                         name);
        }
        return buf;
}
