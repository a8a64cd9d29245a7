/* Cadence cross-check: dominant frequency of a sliding window (FFTW3 r2c, plan made once). */
#pragma once

#include <fftw3.h>

#define GM_CADENCE_RATE 32.0 /* Hz after decimation */
#define GM_CADENCE_N 256     /* 8 s window */

struct gm_cadence {
        double in_rate;
        double acc_sum; /* decimation: mean of |acc| over a block */
        double block_pos;
        unsigned block_n;
        double ring[GM_CADENCE_N];
        unsigned filled, pos, since_fft;
        double *in;
        fftw_complex *out;
        fftw_plan plan;
        double window[GM_CADENCE_N];
        double peak_hz; /* NaN until a window is full and periodic */
};

int gm_cadence_init(struct gm_cadence *c, double in_rate_hz);
void gm_cadence_free(struct gm_cadence *c);
/* A value of the gait signal (e.g. |acc| of a sensor); recomputes once a second. */
void gm_cadence_push(struct gm_cadence *c, double value);
/* Dominant frequency between 0.5 and 4 Hz, or NaN. */
static inline double gm_cadence_peak_hz(const struct gm_cadence *c)
{
        return c->peak_hz;
}
