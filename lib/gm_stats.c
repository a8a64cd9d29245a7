/* Median by sorting: the inputs are a handful of strides or a few thousand estimates. */
#include <math.h>
#include <stdlib.h>

#include "gm_stats.h"

static int cmp_double(const void *a, const void *b)
{
        double x = *(const double *)a, y = *(const double *)b;
        return (x > y) - (x < y);
}

double gm_median(double *v, size_t n)
{
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (isfinite(v[i]))
                        v[k++] = v[i];
        if (!k)
                return NAN;
        qsort(v, k, sizeof(*v), cmp_double);
        return k % 2 ? v[k / 2] : 0.5 * (v[k / 2 - 1] + v[k / 2]);
}
