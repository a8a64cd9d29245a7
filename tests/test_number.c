/* gm_strtod must be strtod, bit for bit and to the same end, on anything. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gm_number.h"

static uint64_t bits(double v)
{
        uint64_t u;
        memcpy(&u, &v, sizeof(u));
        return u;
}

static bool agree(const char *s, const char *what, double a, const char *e1, double b, const char *e2)
{
        if (e1 - s != e2 - s || (bits(a) != bits(b) && !(a != a && b != b))) {
                cr_log_error("'%s': strtod %.17g (end +%td), %s %.17g (end +%td)", s, a, e1 - s, what, b, e2 - s);
                return false;
        }
        return true;
}

/* Returns whether both gm_strtod and gm_strtod_padded agree with strtod; says where not. */
static bool same(const char *s)
{
        char *e1, *e2, *e3;
        double a = strtod(s, &e1), b = gm_strtod(s, &e2);
        /* The padded variant reads past the NUL: a copy with the room it may read, and
         * digits after the NUL that must not count. */
        char buf[256 + GM_STRTOD_PAD];
        size_t l = strlen(s);
        cr_assert(l < 256);
        memcpy(buf, s, l + 1);
        memset(buf + l + 1, '7', GM_STRTOD_PAD - 1);
        double c = gm_strtod_padded(buf, &e3);
        /* The rows' plain numbers: where it takes a number at all, strtod's value and end. */
        double d;
        const char *e4 = gm_number_plain(buf, &d);
        return agree(s, "gm_strtod", a, e1, b, e2) && agree(s, "gm_strtod_padded", a, e1, c, e3 - buf + s) &&
               (!e4 || agree(s, "gm_number_plain", a, e1, d, e4 - buf + s));
}

/* It takes the numbers recordings are written with, which are what a row mostly holds. */
Test(number, plain_takes_recording_numbers)
{
        static const char *const cases[] = { "0",        "-0",          "0.0",          "-0.0",
                                             "9.40865",  "-0.00108666", "-0.000561248", "1234567.12345678",
                                             "0.000000", "1935.541016", "-12.5" };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char buf[64 + GM_STRTOD_PAD] = { 0 };
                strcpy(buf, cases[i]);
                double v;
                cr_expect_not_null(gm_number_plain(buf, &v), "'%s'", cases[i]);
                cr_expect(same(cases[i]));
        }
}

Test(number, edge_cases)
{
        /* clang-format off */
        static const char *const cases[] = {
                "0", "-0", "+0", "0.0", "-0.0", ".5", "5.", ".", "-.", "", "-", "+", "e5", "1e", "1e+", "1e-",
                "1E5", "1e-5", "1.5e+3x", "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308", "1e309",
                "9007199254740992", "9007199254740993", "9007199254740994", "18014398509481985",
                "1234567890123456789", "12345678901234567890", "0.1234567890123456789",
                "00000000000000000000001.5", "1.50000000000000000000", "1e22", "1e23", "1e-22", "1e-23",
                "123456789e-22", "123456789e-23", "0e999999", "1e99999999999", "0x1p3", "0X10", "-0x1.8p1",
                "inf", "-Infinity", "nan", "nan(123)", " 1", "\t1", "\v2", "1 ", "1,2", "1..2", "1.2.3",
                "--1", "+-1", "1e5.5", "3.14159", "-9.80665", "0.001", "1e0", "7e-0", "1e+00022",
        };
        /* clang-format on */
        int bad = 0;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                bad += !same(cases[i]);
        cr_assert_eq(bad, 0);
}

/* A tiny generator of our own: the same numbers on every machine. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
        uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
        return z ^ (z >> 31);
}

Test(number, millions_of_random_decimals, .timeout = 120)
{
        char s[128];
        int bad = 0;
        for (long i = 0; i < 4000000 && bad < 20; i++) {
                uint64_t r = rnd();
                int n = 0;
                switch (i % 4) {
                case 0: {
                        /* Digits as they come: integer and fraction parts, maybe an exponent. */
                        int id = r % 8, fd = (r >> 3) % 12;
                        if ((r >> 7) & 1)
                                s[n++] = '-';
                        for (int k = 0; k < id; k++)
                                s[n++] = '0' + rnd() % 10;
                        if (fd || !id) {
                                s[n++] = '.';
                                for (int k = 0; k < fd; k++)
                                        s[n++] = '0' + rnd() % 10;
                        }
                        if ((r >> 8) % 4 == 0)
                                n += sprintf(s + n, "e%d", (int)((r >> 10) % 61) - 30);
                        s[n] = 0;
                        break;
                }
                case 1: {
                        /* How recordings are written: %.7g and %.9g of sensor-sized values. */
                        double v = ((double)(r >> 11) / (double)(UINT64_C(1) << 53) - 0.5) * 200;
                        snprintf(s, sizeof(s), (r & 1) ? "%.7g" : "%.9g", v);
                        break;
                }
                case 2: {
                        /* Timestamps: fixed decimals over hours. */
                        double v = (double)(r % 720000000) / (r & 1 ? 1e5 : 1e6);
                        snprintf(s, sizeof(s), "%.*f", (int)((r >> 40) % 10), v);
                        break;
                }
                default: {
                        /* Any double, shortest-ish and long forms, which mostly take strtod's path. */
                        double v;
                        uint64_t u = rnd();
                        memcpy(&v, &u, sizeof(v));
                        snprintf(s, sizeof(s), (r & 1) ? "%.17g" : "%.15g", v);
                        break;
                }
                }
                bad += !same(s);
        }
        cr_assert_eq(bad, 0);
}

/* Every field of every recording in the shared datasets (GM_DATASETS). */
Test(number, every_number_of_the_datasets, .timeout = 120)
{
        const char *dir = getenv("GM_DATASETS");
        DIR *d = dir ? opendir(dir) : NULL;
        if (!d)
                cr_skip_test("no datasets directory (GM_DATASETS=%s)", dir ? dir : "");
        struct dirent *de;
        size_t files = 0, numbers = 0;
        int bad = 0;
        while ((de = readdir(d)) && bad < 20) {
                size_t l = strlen(de->d_name);
                if (l < 4 || strcmp(de->d_name + l - 4, ".csv") != 0)
                        continue;
                char path[4096];
                snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                FILE *f = fopen(path, "r");
                cr_assert_not_null(f, "%s", path);
                char line[65536];
                while (fgets(line, sizeof(line), f)) {
                        if (line[0] == '#')
                                continue;
                        for (char *tok = strtok(line, ",\r\n"); tok; tok = strtok(NULL, ",\r\n")) {
                                bad += !same(tok);
                                numbers++;
                        }
                }
                fclose(f);
                files++;
        }
        closedir(d);
        cr_log_info("%zu numbers in %zu files", numbers, files);
        cr_assert(files > 0);
        cr_assert_eq(bad, 0);
}
