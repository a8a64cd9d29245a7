/* The fast path is Clinger's: a mantissa w < 2^53 and a power of ten 10^q with
 * |q| <= 22 are both exact doubles, so w * 10^q or w / 10^-q is one correctly
 * rounded IEEE operation, which is what strtod returns for the same text. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gm_number.h"

const double gm_number_pow10[23] = {
        1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#define MANTISSA_MAX (UINT64_C(1) << 53)

/* Takes the run of digits at *p a word at a time into *w, as long as w stays under 10^19. */
static inline void run8(const char **p, uint64_t *w, int *digits)
{
        for (;;) {
                uint64_t v = gm_number_load8(*p);
                int n = gm_number_leading_digits(v);
                if (n == 0 || *digits + n > 19)
                        return;
                static const uint64_t pow10[9] = { 1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000 };
                *w = *w * pow10[n] + gm_number_digits(v, n);
                *p += n;
                *digits += n;
                if (n < 8)
                        return;
        }
}

static inline double parse(const char *s, char **end, bool padded)
{
        const char *p = s;
        bool neg = false;
        if (*p == '-' || *p == '+')
                neg = *p++ == '-';
        /* "0x" is a hex float for strtod. */
        if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X'))
                return strtod(s, end);
        uint64_t w = 0;
        int digits = 0, q = 0;
        /* 19 digits cannot overflow 64 bits; the bound on w is checked once after. */
        if (GM_NUMBER_SWAR && padded)
                run8(&p, &w, &digits);
        for (; (unsigned)(*p - '0') < 10; p++, digits++) {
                if (digits == 19)
                        return strtod(s, end);
                w = w * 10 + (unsigned)(*p - '0');
        }
        if (*p == '.') {
                p++;
                if (GM_NUMBER_SWAR && padded) {
                        int before = digits;
                        run8(&p, &w, &digits);
                        q -= digits - before;
                }
                for (; (unsigned)(*p - '0') < 10; p++, digits++, q--) {
                        if (digits == 19)
                                return strtod(s, end);
                        w = w * 10 + (unsigned)(*p - '0');
                }
        }
        if (!digits || w > MANTISSA_MAX)
                return strtod(s, end);
        if (*p == 'e' || *p == 'E') {
                const char *e = p + 1;
                bool eneg = false;
                if (*e == '-' || *e == '+')
                        eneg = *e++ == '-';
                /* "1e" or "1e+" ends before the 'e': strtod knows where. */
                if ((unsigned)(*e - '0') >= 10)
                        return strtod(s, end);
                int x = 0;
                for (; (unsigned)(*e - '0') < 10; e++) {
                        if (x > 1000)
                                return strtod(s, end);
                        x = x * 10 + (*e - '0');
                }
                q += eneg ? -x : x;
                p = e;
        }
        double v;
        if (w == 0)
                v = 0;
        else if (q >= 0 && q <= 22)
                v = (double)w * gm_number_pow10[q];
        else if (q < 0 && q >= -22)
                v = (double)w / gm_number_pow10[-q];
        else
                return strtod(s, end);
        if (end)
                *end = (char *)p;
        return neg ? -v : v;
}

double gm_strtod(const char *s, char **end)
{
        return parse(s, end, false);
}

double gm_strtod_padded(const char *s, char **end)
{
        return parse(s, end, true);
}
