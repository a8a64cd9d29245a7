/* A line chart as a standalone SVG document: panels stacked over one time axis. */
#pragma once

#include <stddef.h>
#include <stdio.h>

struct ctl_svg_series {
        const char *name;
        const char *color; /* an SVG color, e.g. "#1f77b4" */
        const double *y;   /* n values; NaN leaves a gap */
};

struct ctl_svg_panel {
        const char *title; /* with its unit */
        size_t n_series;
        const struct ctl_svg_series *series;
};

/* x: n times in minutes, increasing; the axis spans 0 to x_end. Returns 0 or -EIO on a write error. */
int ctl_svg_chart(FILE *f, const char *title, const double *x, size_t n, double x_end,
                  const struct ctl_svg_panel *panels, size_t n_panels);
