/* Decimal numbers as text, read fast and exactly. */
#pragma once

#include <stdint.h>
#include <string.h>

/* strtod's result and end pointer for every input, in the C locale. The short
 * decimals recordings are made of take a path without strtod's big-number
 * arithmetic; anything else (long mantissas, large exponents, hex, inf, nan,
 * leading white space) goes to strtod itself. */
double gm_strtod(const char *s, char **end);

/* The same, faster, for text that may be read up to GM_STRTOD_PAD bytes past its NUL:
 * digits are taken eight at a time. */
#define GM_STRTOD_PAD 16
double gm_strtod_padded(const char *s, char **end);

/* ---- the plain decimals of a recording's rows, inline ---- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define GM_NUMBER_SWAR 1
#else
#define GM_NUMBER_SWAR 0
#endif

#define GM_NUMBER_ONES (~UINT64_C(0) / 255) /* 0x01 in every byte */

/* Eight bytes, the first in the low byte. */
static inline uint64_t gm_number_load8(const char *p)
{
        uint64_t v;
        memcpy(&v, p, sizeof(v));
        return v;
}

/* The value of eight digits: pairs of digits first, then the four pairs at once, each
 * multiplied into the top half of a 64-bit product by its power of ten. */
static inline uint64_t gm_number_digits8(uint64_t v)
{
        v -= '0' * GM_NUMBER_ONES;
        v = v * 10 + (v >> 8); /* byte 2k: 10 x digit 2k + digit 2k+1 (at most 99, no carry) */
        uint64_t pair = UINT64_C(0x000000ff000000ff);
        uint64_t a = (v & pair) * (100 + (UINT64_C(1000000) << 32));
        uint64_t b = ((v >> 16) & pair) * (1 + (UINT64_C(10000) << 32));
        return (a + b) >> 32;
}

/* How many of the eight bytes lead as digits (8 if all are). A byte is a digit when
 * XOR '0' leaves it under 10; adding 0x76 sets the top bit of those that are not (a carry
 * only disturbs bytes after the first non-digit, which do not count). */
static inline int gm_number_leading_digits(uint64_t v)
{
        uint64_t d = v ^ ('0' * GM_NUMBER_ONES);
        uint64_t bad = ((d + 0x76 * GM_NUMBER_ONES) | d) & (0x80 * GM_NUMBER_ONES);
        return bad ? __builtin_ctzll(bad) / 8 : 8;
}

/* The value of the first n (0 to 8) digits of v: they go to the top of the word, '0's
 * below them (shifts in two halves, each under 64 bits, for n = 0 and n = 8). */
static inline uint64_t gm_number_digits(uint64_t v, int n)
{
        unsigned up = 4 * (8 - n), down = 4 * n;
        uint64_t top = v << up << up | ('0' * GM_NUMBER_ONES) >> down >> down;
        return gm_number_digits8(top);
}

extern const double gm_number_pow10[23]; /* 10^0 to 10^22, each exact */

/* A number written as -?DIGITS(.DIGITS)? at p, as recordings are, with at most 7 digits
 * before the point, 15 after it and 19 in all, not followed by a letter or a point: its
 * value (exactly strtod's) in *v and its end, or NULL for any other text, which is then
 * strtod's to read (gm_strtod_padded). The text must be readable GM_STRTOD_PAD bytes past
 * the number's end. Inline, with a branch or two a part: rows are mostly such numbers,
 * and reading them is where reading a row spends its time. */
static inline const char *gm_number_plain(const char *p, double *v)
{
        if (!GM_NUMBER_SWAR)
                return NULL;
        static const uint64_t pow10[9] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000 };
        int neg = *p == '-';
        p += neg;
        uint64_t word = gm_number_load8(p);
        int n = gm_number_leading_digits(word);
        if (n == 0 || n == 8)
                return NULL;
        uint64_t w = gm_number_digits(word, n);
        p += n;
        int frac = 0;
        if (*p == '.') {
                /* Both words of the fraction at once: how many digits it has varies from
                 * number to number, and a branch on it would mostly guess wrong. */
                p++;
                uint64_t lo = gm_number_load8(p);
                int a = gm_number_leading_digits(lo);
                if (a == 0)
                        return NULL;
                w = w * pow10[a] + gm_number_digits(lo, a);
                frac = a;
                if (a == 8) {
                        uint64_t hi = gm_number_load8(p + 8);
                        int b = gm_number_leading_digits(hi);
                        frac += b;
                        if (b == 8 || n + frac > 19) /* 64 bits hold any 19 digits */
                                return NULL;
                        w = w * pow10[b] + gm_number_digits(hi, b);
                }
                p += frac;
        }
        /* strtod would read on past a letter ("1e5", "0x1p3") or a point. */
        unsigned char c = *p;
        if ((unsigned)((c | 0x20) - 'a') < 26 || c == '.')
                return NULL;
        /* Under 2^53 and 10^15 at most: Clinger's exact case (see gm_number.c). */
        if (w > UINT64_C(1) << 53)
                return NULL;
        double x = (double)w / gm_number_pow10[frac];
        /* The sign as a bit, as strtod's -0 for "-0.0" too. */
        uint64_t bits;
        memcpy(&bits, &x, sizeof(bits));
        bits ^= (uint64_t)neg << 63;
        memcpy(v, &bits, sizeof(bits));
        return p;
}
