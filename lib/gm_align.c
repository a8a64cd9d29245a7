/* Frame alignment: stillness detection, running moments and a power iteration. */
#include <math.h>
#include <string.h>

#include "gm_align.h"

#define MEAN_TAU_S 4.0   /* gravity from the mean acceleration over a few strides */
#define COV_TAU_S 6.0    /* rotation axis from the last few strides */
#define STILL_S 0.5      /* stillness must last this long to define gravity */

static double norm3(const double v[3])
{
        return sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}

static double dot3(const double a[3], const double b[3])
{
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

void gm_align_init(struct gm_align *a, double rate_hz)
{
        memset(a, 0, sizeof(*a));
        a->rate_hz = rate_hz;
        a->axis[1] = 1; /* until the data says otherwise */
}

static void update_axis(struct gm_align *a)
{
        double v[3] = { a->axis[0], a->axis[1], a->axis[2] };
        /* Power iteration from the previous axis converges in a few steps. */
        for (int it = 0; it < 8; it++) {
                double w[3];
                for (int i = 0; i < 3; i++)
                        w[i] = a->gyr_cov[i][0] * v[0] + a->gyr_cov[i][1] * v[1] + a->gyr_cov[i][2] * v[2];
                double n = norm3(w);
                if (!(n > 1e-12))
                        return;
                for (int i = 0; i < 3; i++)
                        v[i] = w[i] / n;
        }
        /* Keep continuity with the old axis, then let the skew decide the sign. */
        if (dot3(v, a->axis) < 0)
                for (int i = 0; i < 3; i++)
                        v[i] = -v[i];
        if (a->skew < 0) {
                for (int i = 0; i < 3; i++)
                        v[i] = -v[i];
                a->skew = -a->skew;
        }
        memcpy(a->axis, v, sizeof(v));
}

void gm_align_push(struct gm_align *a, const struct gm_sample *s, bool has_gyr)
{
        double k_mean = a->n < a->rate_hz ? 1.0 / (a->n + 1) : 1.0 / (MEAN_TAU_S * a->rate_hz);
        for (int i = 0; i < 3; i++)
                a->acc_mean[i] += k_mean * (s->acc[i] - a->acc_mean[i]);

        /* Still: |acc| close to g and little rotation. */
        double an = norm3(s->acc);
        bool still = fabs(an - GM_GRAVITY) < 0.4 && (!has_gyr || norm3(s->gyr) < 0.15);
        if (still) {
                a->still_run++;
                for (int i = 0; i < 3; i++)
                        a->still_acc[i] += (s->acc[i] - a->still_acc[i]) / a->still_run;
                if (a->still_run >= STILL_S * a->rate_hz) {
                        double n = norm3(a->still_acc);
                        for (int i = 0; i < 3; i++)
                                a->still_g[i] = a->still_acc[i] / n;
                        a->have_still = true;
                }
        } else {
                a->still_run = 0;
        }

        if (has_gyr) {
                double k = a->n < a->rate_hz ? 1.0 / (a->n + 1) : 1.0 / (COV_TAU_S * a->rate_hz);
                for (int i = 0; i < 3; i++)
                        for (int j = 0; j < 3; j++)
                                a->gyr_cov[i][j] += k * (s->gyr[i] * s->gyr[j] - a->gyr_cov[i][j]);
                double w = dot3(s->gyr, a->axis);
                a->skew += k * (w * w * w - a->skew);
                if (++a->since_update >= a->rate_hz / 4) {
                        a->since_update = 0;
                        update_axis(a);
                }
        }
        a->n++;
}

void gm_align_up(const struct gm_align *a, double up[3])
{
        const double *src = a->have_still ? a->still_g : a->acc_mean;
        double n = norm3(src);
        for (int i = 0; i < 3; i++)
                up[i] = n > 0 ? src[i] / n : (i == 2);
}

double gm_align_vertical_acc(const struct gm_align *a, const double acc[3])
{
        double up[3];
        gm_align_up(a, up);
        return dot3(acc, up) - GM_GRAVITY;
}

double gm_align_main_rate(const struct gm_align *a, const double gyr[3])
{
        return dot3(gyr, a->axis);
}

double gm_align_yaw_rate(const struct gm_align *a, const double gyr[3])
{
        double up[3];
        gm_align_up(a, up);
        return dot3(gyr, up);
}
