/* Hand-written SVG line charts for gaitmonctl show --svg. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>

#include "ctl-svg.h"
#include "gm_xml.h"

#define WIDTH 900
#define MARGIN_LEFT 70
#define MARGIN_RIGHT 130 /* room for the legend */
#define TITLE_HEIGHT 50
#define PANEL_HEIGHT 180
#define PANEL_GAP 50
#define AXIS_HEIGHT 50

struct scale {
        double lo, hi;       /* data range shown */
        double px_lo, px_hi; /* pixels it maps to */
};

static double map(const struct scale *s, double v)
{
        return s->px_lo + (v - s->lo) / (s->hi - s->lo) * (s->px_hi - s->px_lo);
}

/* A tick step of 1, 2 or 5 times a power of ten giving about `want` ticks over span. */
static double tick_step(double span, unsigned want)
{
        double raw = span / want, p = pow(10, floor(log10(raw))), f = raw / p;
        return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
}

static bool y_range(const struct ctl_svg_panel *p, size_t n, double *lo, double *hi)
{
        bool any = false;

        *lo = INFINITY;
        *hi = -INFINITY;
        for (size_t k = 0; k < p->n_series; k++)
                for (size_t i = 0; i < n; i++) {
                        double v = p->series[k].y[i];
                        if (!isfinite(v))
                                continue;
                        *lo = fmin(*lo, v);
                        *hi = fmax(*hi, v);
                        any = true;
                }
        if (!any)
                return false;
        /* A flat line gets some room; otherwise 10 % above and below, snapped to ticks. */
        double pad = *hi > *lo ? (*hi - *lo) * 0.1 : fmax(fabs(*hi) * 0.05, 1.0);
        *lo -= pad;
        *hi += pad;
        double step = tick_step(*hi - *lo, 4);
        *lo = floor(*lo / step) * step;
        *hi = ceil(*hi / step) * step;
        return true;
}

static void draw_series(FILE *f, const struct ctl_svg_series *s, const double *x, size_t n, const struct scale *sx,
                        const struct scale *sy)
{
        bool open = false;
        size_t run = 0;

        for (size_t i = 0; i <= n; i++) {
                bool ok = i < n && isfinite(s->y[i]);
                if (ok) {
                        if (!open) {
                                fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"",
                                        s->color);
                                open = true;
                                run = 0;
                        }
                        fprintf(f, "%s%.1f,%.1f", run ? " " : "", map(sx, x[i]), map(sy, s->y[i]));
                        run++;
                } else if (open) {
                        fputs("\"/>\n", f);
                        open = false;
                }
        }
        /* Each point also as a dot, so that a lone minute between gaps is visible. */
        for (size_t i = 0; i < n; i++)
                if (isfinite(s->y[i]))
                        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>\n", map(sx, x[i]),
                                map(sy, s->y[i]), s->color);
}

static void draw_panel(FILE *f, const struct ctl_svg_panel *p, const double *x, size_t n, const struct scale *sx,
                       double top)
{
        struct scale sy = { .px_lo = top + PANEL_HEIGHT, .px_hi = top };
        double left = MARGIN_LEFT, right = WIDTH - MARGIN_RIGHT;

        fprintf(f, "<g class=\"panel\">\n<text x=\"%.0f\" y=\"%.0f\" font-size=\"14\" font-weight=\"bold\">", left,
                top - 10);
        gm_xml_put_escaped(f, p->title);
        fputs("</text>\n", f);
        fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%d\" fill=\"none\" stroke=\"#888\"/>\n", left,
                top, right - left, PANEL_HEIGHT);

        if (!y_range(p, n, &sy.lo, &sy.hi)) {
                fprintf(f,
                        "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\" fill=\"#888\">not measured</text>\n</g>\n",
                        (left + right) / 2, top + PANEL_HEIGHT / 2.0);
                return;
        }
        double step = tick_step(sy.hi - sy.lo, 4);
        for (double v = sy.lo; v <= sy.hi + step / 2; v += step) {
                double y = map(&sy, v);
                fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>\n", left, y, right,
                        y);
                fprintf(f, "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%g</text>\n", left - 6,
                        y + 4, fabs(v) < step / 1e6 ? 0.0 : v);
        }
        for (size_t k = 0; k < p->n_series; k++) {
                draw_series(f, &p->series[k], x, n, sx, &sy);
                fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"12\" height=\"12\" fill=\"%s\"/>\n", right + 12,
                        top + 10 + 20.0 * k, p->series[k].color);
                fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\">", right + 30, top + 21 + 20.0 * k);
                gm_xml_put_escaped(f, p->series[k].name);
                fputs("</text>\n", f);
        }
        fputs("</g>\n", f);
}

int ctl_svg_chart(FILE *f, const char *title, const double *x, size_t n, double x_end,
                  const struct ctl_svg_panel *panels, size_t n_panels)
{
        double height = TITLE_HEIGHT + n_panels * (PANEL_HEIGHT + PANEL_GAP) + AXIS_HEIGHT - PANEL_GAP;
        struct scale sx = { .lo = 0, .hi = x_end > 0 ? x_end : 1, .px_lo = MARGIN_LEFT, .px_hi = WIDTH - MARGIN_RIGHT };

        fprintf(f,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%.0f\" viewBox=\"0 0 %d %.0f\" "
                "font-family=\"sans-serif\">\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n"
                "<title>",
                WIDTH, height, WIDTH, height);
        gm_xml_put_escaped(f, title);
        fprintf(f, "</title>\n<text x=\"%d\" y=\"28\" font-size=\"18\" font-weight=\"bold\">", MARGIN_LEFT);
        gm_xml_put_escaped(f, title);
        fputs("</text>\n", f);

        for (size_t i = 0; i < n_panels; i++)
                draw_panel(f, &panels[i], x, n, &sx, TITLE_HEIGHT + 20 + i * (PANEL_HEIGHT + PANEL_GAP));

        /* The shared time axis under the last panel. */
        double axis_y = TITLE_HEIGHT + 20 + (n_panels - 1) * (PANEL_HEIGHT + PANEL_GAP) + PANEL_HEIGHT;
        double step = tick_step(sx.hi, 6);
        if (step < 1)
                step = 1; /* whole minutes */
        for (double v = 0; v <= sx.hi + 1e-9; v += step)
                fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\">%g</text>\n",
                        map(&sx, v), axis_y + 16, v);
        fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"12\" text-anchor=\"middle\">minutes into the run</text>\n",
                (sx.px_lo + sx.px_hi) / 2, axis_y + 36);
        fputs("</svg>\n", f);

        fflush(f);
        return ferror(f) ? -EIO : 0;
}
