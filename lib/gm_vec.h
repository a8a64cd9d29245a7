/* Three-vectors: the dot and cross products and the length. */
#pragma once

#include <math.h>

static inline double gm_dot3(const double a[3], const double b[3])
{
        return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

static inline double gm_norm3(const double v[3])
{
        return sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
}

static inline void gm_cross3(const double a[3], const double b[3], double out[3])
{
        out[0] = a[1] * b[2] - a[2] * b[1];
        out[1] = a[2] * b[0] - a[0] * b[2];
        out[2] = a[0] * b[1] - a[1] * b[0];
}
