/* The fast path is Clinger's: a mantissa w < 2^53 and a power of ten 10^q with
 * |q| <= 22 are both exact doubles, so w * 10^q or w / 10^-q is one correctly
 * rounded IEEE operation, which is what strtod returns for the same text. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "gm_number.h"

static const double pow10_exact[23] = {
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

#define MANTISSA_MAX (UINT64_C(1) << 53)

double gm_strtod(const char *s, char **end)
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
        for (; (unsigned)(*p - '0') < 10; p++, digits++) {
                if (digits == 19)
                        return strtod(s, end);
                w = w * 10 + (unsigned)(*p - '0');
        }
        if (*p == '.') {
                p++;
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
                v = (double)w * pow10_exact[q];
        else if (q < 0 && q >= -22)
                v = (double)w / pow10_exact[-q];
        else
                return strtod(s, end);
        if (end)
                *end = (char *)p;
        return neg ? -v : v;
}
