/* Decimal numbers as text, read fast and exactly. */
#pragma once

/* strtod's result and end pointer for every input, in the C locale. The short
 * decimals recordings are made of take a path without strtod's big-number
 * arithmetic; anything else (long mantissas, large exponents, hex, inf, nan,
 * leading white space) goes to strtod itself. */
double gm_strtod(const char *s, char **end);

/* The same, faster, for text that may be read up to GM_STRTOD_PAD bytes past its NUL:
 * digits are taken eight at a time. */
#define GM_STRTOD_PAD 8
double gm_strtod_padded(const char *s, char **end);
