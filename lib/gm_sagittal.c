/* Sign votes and sagittal angles from the gravity direction. */
#include <math.h>
#include <string.h>

#include "gm_sagittal.h"

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

static double dot3(const double a[3], const double b[3])
{
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

double gm_sagittal_angle(const double up[3], const double ref[3], const double axis[3])
{
        double u[3], r[3], ku = dot3(up, axis), kr = dot3(ref, axis);
        for (int i = 0; i < 3; i++) {
                u[i] = up[i] - ku * axis[i];
                r[i] = ref[i] - kr * axis[i];
        }
        if (!(dot3(u, u) > 1e-6 && dot3(r, r) > 1e-6))
                return NAN;
        double c[3] = { r[1] * u[2] - r[2] * u[1], r[2] * u[0] - r[0] * u[2], r[0] * u[1] - r[1] * u[0] };
        /* "Up" turns against the segment: a segment turned by +a about the axis sees up at -a. */
        return -atan2(dot3(c, axis), dot3(r, u));
}
