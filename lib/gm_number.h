/* Decimal numbers as text, read fast and exactly. */
#pragma once

/* strtod's result and end pointer for every input, in the C locale. The short
 * decimals recordings are made of take a path without strtod's big-number
 * arithmetic; anything else (long mantissas, large exponents, hex, inf, nan,
 * leading white space) goes to strtod itself. */
double gm_strtod(const char *s, char **end);
