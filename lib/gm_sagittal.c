/* Sign votes and sagittal angles from the gravity direction. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "gm_sagittal.h"
#include "gm_vec.h"

#define DECIDE_VOTES 3 /* a lead of three strides decides the sign */
#define SCORE_MAX 6
#define REVERSE_VOTES 8 /* eight strides in a row against it: the sensor was turned */

void gm_sign_vote_init(struct gm_sign_vote *v)
{
        memset(v, 0, sizeof(*v));
}

void gm_sign_vote_add(struct gm_sign_vote *v, double evidence)
{
        if (!(evidence != 0) || isnan(evidence))
                return;
        int e = evidence > 0 ? 1 : -1;
        if (!v->sign) {
                v->score += e;
                if (v->score > SCORE_MAX)
                        v->score = SCORE_MAX;
                if (v->score < -SCORE_MAX)
                        v->score = -SCORE_MAX;
                if (v->score >= DECIDE_VOTES || v->score <= -DECIDE_VOTES)
                        v->sign = v->score > 0 ? 1 : -1;
                return;
        }
        if (e == v->sign) {
                v->against = 0;
        } else if (++v->against >= REVERSE_VOTES) {
                v->sign = -v->sign;
                v->against = 0;
                v->reversals++;
        }
}

/* atan(k / 16), k = 0..16, correctly rounded. */
static const double atan_16th[17] = {
        0.0,
        0.06241880999595735,
        0.12435499454676144,
        0.18534794999569476,
        0.24497866312686414,
        0.3028848683749714,
        0.35877067027057225,
        0.4124104415973873,
        0.4636476090008061,
        0.5123894603107377,
        0.5585993153435624,
        0.6022873461349642,
        0.6435011087932844,
        0.6823165548747481,
        0.7188299996216245,
        0.7531512809621944,
        0.7853981633974483,
};

/* atan2 for the angle taken every sample of a thigh, at about half libm's cost: the ratio of
 * the smaller to the larger coordinate t, atan(t) = atan(c) + atan((t - c) / (1 + t c)) with
 * c the nearest sixteenth (|z| <= 1/32), whose series to z^11 is exact to 1e-20. Within
 * 4.5e-16 rad of libm's atan2 over 50 million random points; zeros and non-finite values
 * go to atan2 itself. */
static double fast_atan2(double y, double x)
{
        double ax = fabs(x), ay = fabs(y);
        bool swap = ay > ax;
        double num = swap ? ax : ay, den = swap ? ay : ax;
        if (!(den > 0) || !(den < INFINITY) || !(num <= den)) /* zeros, infinities, NaN */
                return atan2(y, x);
        double t = num / den;
        int k = (int)(t * 16 + 0.5);
        double c = k * 0.0625, z = (t - c) / (1 + t * c), z2 = z * z;
        double a = atan_16th[k] + (z - z * z2 * (1.0 / 3 - z2 * (1.0 / 5 - z2 * (1.0 / 7 - z2 * (1.0 / 9 - z2 / 11)))));
        if (swap)
                a = M_PI_2 - a;
        if (signbit(x))
                a = M_PI - a;
        return copysign(a, y);
}

double gm_sagittal_angle(const double up[3], const double ref[3], const double axis[3])
{
        double u[3], r[3], ku = gm_dot3(up, axis), kr = gm_dot3(ref, axis);
#pragma GCC unroll 3
        for (int i = 0; i < 3; i++) {
                u[i] = up[i] - ku * axis[i];
                r[i] = ref[i] - kr * axis[i];
        }
        if (!(gm_dot3(u, u) > 1e-6 && gm_dot3(r, r) > 1e-6))
                return NAN;
        double c[3] = { r[1] * u[2] - r[2] * u[1], r[2] * u[0] - r[0] * u[2], r[0] * u[1] - r[1] * u[0] };
        /* "Up" turns against the segment: a segment turned by +a about the axis sees up at -a. */
        return -fast_atan2(gm_dot3(c, axis), gm_dot3(r, u));
}
