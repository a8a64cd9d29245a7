/* Small streaming filters: second-order sections and a fixed-size sample history. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct gm_biquad {
        double b0, b1, b2, a1, a2;
        double z1, z2;
};

/* Butterworth (Q = 1/sqrt 2) low-pass and high-pass; band-pass with the given Q. */
void gm_biquad_lowpass(struct gm_biquad *f, double rate_hz, double cutoff_hz);
void gm_biquad_highpass(struct gm_biquad *f, double rate_hz, double cutoff_hz);
void gm_biquad_bandpass(struct gm_biquad *f, double rate_hz, double center_hz, double q);
void gm_biquad_reset(struct gm_biquad *f, double value); /* settle on a constant input */

static inline double gm_biquad_run(struct gm_biquad *f, double x)
{
        double y = f->b0 * x + f->z1;
        f->z1 = f->b1 * x - f->a1 * y + f->z2;
        f->z2 = f->b2 * x - f->a2 * y;
        return y;
}

/* The smallest x with sqrt(x) >= c (c > 0). sqrt is correctly rounded and never decreases,
 * so for a sum of squares x, sqrt(x) < c exactly when x is below it: per-sample tests of a
 * norm compare the sum instead, with the same outcomes and no square root. */
double gm_sqrt_reaches(double c);

/* History of the last GM_HIST_LEN values of a signal, indexed by absolute sample number. */
#define GM_HIST_LEN 8192 /* > 8 s at 1000 Hz */

struct gm_hist {
        double v[GM_HIST_LEN];
        size_t n; /* samples pushed so far */
};

static inline void gm_hist_push(struct gm_hist *h, double x)
{
        h->v[h->n++ & (GM_HIST_LEN - 1)] = x;
}

/* Value at absolute index i; the caller keeps n - GM_HIST_LEN <= i < n. */
static inline double gm_hist_at(const struct gm_hist *h, size_t i)
{
        return h->v[i & (GM_HIST_LEN - 1)];
}

/* The first of the last n samples of t (increasing times) whose time is after `to`, found by
 * bisection; n when none is. Scans back from a time need not pass over the newer samples. */
size_t gm_hist_after(const struct gm_hist *t, size_t n, double to);

/* Extremes and mean of v over the samples whose time in t lies in [from, to], among the last
 * n pushed (t and v pushed together, t increasing). n = 0 when there are none; all_finite tells whether
 * every value was finite (min, max and mean are those of the finite ones). */
struct gm_span {
        double min, max, mean;
        size_t n;
        bool all_finite;
};
void gm_hist_span(const struct gm_hist *t, const struct gm_hist *v, size_t n, double from, double to,
                  struct gm_span *out);

/* Index of the smallest / largest value in [from, to). */
size_t gm_hist_argmin(const struct gm_hist *h, size_t from, size_t to);
size_t gm_hist_argmax(const struct gm_hist *h, size_t from, size_t to);
