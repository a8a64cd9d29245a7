/* Second-order sections from the RBJ cookbook, and history search. */
#include <math.h>

#include "gm_filter.h"

static void set(struct gm_biquad *f, double b0, double b1, double b2, double a0, double a1, double a2)
{
        f->b0 = b0 / a0;
        f->b1 = b1 / a0;
        f->b2 = b2 / a0;
        f->a1 = a1 / a0;
        f->a2 = a2 / a0;
        f->z1 = f->z2 = 0;
}

void gm_biquad_lowpass(struct gm_biquad *f, double rate_hz, double cutoff_hz)
{
        double w = 2 * M_PI * cutoff_hz / rate_hz, c = cos(w), alpha = sin(w) / (2 * M_SQRT1_2);
        set(f, (1 - c) / 2, 1 - c, (1 - c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

void gm_biquad_highpass(struct gm_biquad *f, double rate_hz, double cutoff_hz)
{
        double w = 2 * M_PI * cutoff_hz / rate_hz, c = cos(w), alpha = sin(w) / (2 * M_SQRT1_2);
        set(f, (1 + c) / 2, -(1 + c), (1 + c) / 2, 1 + alpha, -2 * c, 1 - alpha);
}

void gm_biquad_bandpass(struct gm_biquad *f, double rate_hz, double center_hz, double q)
{
        double w = 2 * M_PI * center_hz / rate_hz, c = cos(w), alpha = sin(w) / (2 * q);
        set(f, alpha, 0, -alpha, 1 + alpha, -2 * c, 1 - alpha);
}

void gm_biquad_reset(struct gm_biquad *f, double value)
{
        /* Steady state for a constant input: y = x * dc_gain. */
        double gain = (f->b0 + f->b1 + f->b2) / (1 + f->a1 + f->a2);
        double y = value * gain;
        f->z2 = f->b2 * value - f->a2 * y;
        f->z1 = f->b1 * value - f->a1 * y + f->z2;
}

size_t gm_hist_argmin(const struct gm_hist *h, size_t from, size_t to)
{
        size_t best = from;
        for (size_t i = from + 1; i < to; i++)
                if (gm_hist_at(h, i) < gm_hist_at(h, best))
                        best = i;
        return best;
}

size_t gm_hist_argmax(const struct gm_hist *h, size_t from, size_t to)
{
        size_t best = from;
        for (size_t i = from + 1; i < to; i++)
                if (gm_hist_at(h, i) > gm_hist_at(h, best))
                        best = i;
        return best;
}

double gm_sqrt_reaches(double c)
{
        double x = c * c;
        while (x > 0 && sqrt(nextafter(x, 0)) >= c)
                x = nextafter(x, 0);
        while (sqrt(x) < c)
                x = nextafter(x, INFINITY);
        return x;
}

size_t gm_hist_after(const struct gm_hist *t, size_t n, double to)
{
        size_t lo = n > GM_HIST_LEN ? n - GM_HIST_LEN : 0, hi = n;
        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (gm_hist_at(t, mid) > to)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return lo;
}

void gm_hist_span(const struct gm_hist *t, const struct gm_hist *v, size_t n, double from, double to,
                  struct gm_span *out)
{
        double sum = 0;
        *out = (struct gm_span){ .min = INFINITY, .max = -INFINITY, .all_finite = true };
        size_t oldest = n > GM_HIST_LEN ? n - GM_HIST_LEN : 0;
        for (size_t i = gm_hist_after(t, n, to); i-- > oldest;) {
                double ti = gm_hist_at(t, i);
                if (ti < from)
                        break;
                double a = gm_hist_at(v, i);
                if (!isfinite(a)) {
                        out->all_finite = false;
                        continue;
                }
                /* fmin and fmax for finite values, as comparisons: no call per sample. */
                out->min = out->min < a ? out->min : a;
                out->max = out->max > a ? out->max : a;
                sum += a;
                out->n++;
        }
        out->mean = out->n ? sum / out->n : NAN;
}
