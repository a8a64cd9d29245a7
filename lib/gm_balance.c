/* Left/right balance and the words for a side. */
#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "gm_balance.h"
#include "gm_metric.h"

static const struct gm_metric_info *info_of(const char *metric)
{
        return gm_metric_info(gm_metric_from_name(metric));
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
        const struct gm_metric_info *info = info_of(metric);
        snprintf(buf, size, "%s", info ? info->label : metric ? metric : "");
        if (info) /* "Hip extension" inside a sentence */
                buf[0] = (char)tolower((unsigned char)buf[0]);
        for (char *p = buf; *p; p++)
                if (*p == '_')
                        *p = ' ';
        return buf;
}

enum gm_side gm_balance_concern_side(const char *metric, double si)
{
        const struct gm_metric_info *info = info_of(metric);
        bool higher = info ? info->concern_is_higher : true;
        if (!isfinite(si) || si == 0)
                return GM_SIDE_UNKNOWN;
        return (si > 0) == higher ? GM_SIDE_LEFT : GM_SIDE_RIGHT;
}

const char *gm_balance_side_phrase(const char *metric, enum gm_side side, char *buf, size_t size)
{
        const struct gm_metric_info *info = info_of(metric);
        const char *name = side == GM_SIDE_LEFT ? "left" : side == GM_SIDE_RIGHT ? "right" : NULL;
        if (!name) {
                snprintf(buf, size, "left and right even");
                return buf;
        }
        if (info) {
                snprintf(buf, size, "%s%s%s", info->concern_before, name, info->concern_after);
        } else {
                char noun[64];
                snprintf(buf, size, "%s is higher on the %s side", gm_balance_metric_noun(metric, noun, sizeof(noun)),
                         name);
        }
        return buf;
}
