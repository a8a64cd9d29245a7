/* Small statistics shared by the pipeline and the tools. */
#pragma once

#include <stddef.h>

/* Median of the finite values of v (reordered in place); NaN when there are none. */
double gm_median(double *v, size_t n);
