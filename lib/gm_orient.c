/* Gravity direction from gyro and accelerometer: rotate with the gyro, correct toward the
 * mean specific force. */
#include <math.h>
#include <string.h>

#include "gm_orient.h"
#include "gm_vec.h"

#define SETTLE_S 1.5 /* the plain mean over a few strides is close enough to start from */

void gm_orient_init(struct gm_orient *o, double tau_s)
{
        memset(o, 0, sizeof(*o));
        o->tau_s = tau_s > 0 ? tau_s : 1.0;
        o->up[2] = 1;
}

/* A vector fixed in the world turns in the sensor frame as dv/dt = -w x v. */
static inline void transport(double v[3], const double w[3], double dt)
{
        double c[3] = { w[1] * v[2] - w[2] * v[1], w[2] * v[0] - w[0] * v[2], w[0] * v[1] - w[1] * v[0] };
#pragma GCC unroll 3
        for (int i = 0; i < 3; i++)
                v[i] -= c[i] * dt;
}

void gm_orient_push(struct gm_orient *o, const double acc[3], const double gyr[3], double dt)
{
        gm_orient_push_norm(o, acc, gm_norm3(acc), gyr, dt);
}

void gm_orient_push_norm(struct gm_orient *o, const double acc[3], double an, const double gyr[3], double dt)
{
        if (!isfinite(an) || !(an > 0) || !(dt > 0) || !isfinite(dt))
                return;
        if (!o->started) {
                for (int i = 0; i < 3; i++) {
                        o->up[i] = acc[i] / an;
                        o->mean_f[i] = acc[i];
                }
                o->started = true;
                o->age_s = dt;
                return;
        }
        if (isfinite(gyr[0]) && isfinite(gyr[1]) && isfinite(gyr[2])) {
                double nu = gm_norm3(o->up);
                transport(o->up, gyr, dt);
                transport(o->mean_f, gyr, dt);
                /* Keep the lengths: the first-order step would stretch them. */
                double k = nu / gm_norm3(o->up);
#pragma GCC unroll 3
                for (int i = 0; i < 3; i++)
                        o->up[i] *= k;
        }
        /* From the start, the plain mean of all so far (the first guess may be an impact);
         * then a moving one. */
        o->age_s += dt;
        /* dt > 0 and finite: plain comparisons are fmin and fmax here; once age_s reaches
         * tau_s, dt / age_s cannot be the larger. */
        double k = dt / o->tau_s;
        if (o->age_s < o->tau_s) {
                double k_age = dt / o->age_s;
                k = k_age > k ? k_age : k;
        }
        k = k < 1.0 ? k : 1.0;
#pragma GCC unroll 3
        for (int i = 0; i < 3; i++)
                o->mean_f[i] += k * (acc[i] - o->mean_f[i]);
        double mn = gm_norm3(o->mean_f);
        if (mn > 0)
#pragma GCC unroll 3
                for (int i = 0; i < 3; i++)
                        o->up[i] += k * (o->mean_f[i] / mn - o->up[i]);
        double n = gm_norm3(o->up);
#pragma GCC unroll 3
        for (int i = 0; i < 3; i++)
                o->up[i] /= n;
}

bool gm_orient_settled(const struct gm_orient *o)
{
        return o->started && o->age_s >= SETTLE_S;
}
