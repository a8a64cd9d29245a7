/* Human-readable values for gaitmonctl. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "ctl-format.h"
#include "ctl-pager.h"

const char *ctl_format_timestamp(char *buf, size_t size, uint64_t usec)
{
        time_t t = (time_t)(usec / 1000000);
        struct tm tm;

        if (usec == 0 || !localtime_r(&t, &tm) || strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                snprintf(buf, size, "n/a");
        return buf;
}

const char *ctl_format_duration(char *buf, size_t size, double seconds)
{
        if (!isfinite(seconds) || seconds < 0) {
                snprintf(buf, size, "n/a");
                return buf;
        }
        unsigned long long s = (unsigned long long)llround(seconds);
        if (s >= 3600)
                snprintf(buf, size, "%llu h %02llu min", s / 3600, s % 3600 / 60);
        else if (s >= 60)
                snprintf(buf, size, "%llu min %02llu s", s / 60, s % 60);
        else
                snprintf(buf, size, "%llu s", s);
        return buf;
}

const char *ctl_format_number(char *buf, size_t size, double v, int decimals, const char *unit)
{
        if (!isfinite(v))
                snprintf(buf, size, "n/a");
        else
                snprintf(buf, size, "%.*f%s", decimals, v, unit ? unit : "");
        return buf;
}

/* Characters, not bytes: UTF-8 continuation bytes take no column. */
static size_t columns_of(const char *s, size_t bytes)
{
        size_t n = 0;
        for (size_t i = 0; i < bytes; i++)
                n += ((unsigned char)s[i] & 0xc0) != 0x80;
        return n;
}

unsigned ctl_output_width(unsigned fallback)
{
        struct winsize ws;
        if (ctl_pager_columns() >= 40)
                return ctl_pager_columns();
        if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
                return ws.ws_col;
        return fallback;
}

const char *ctl_format_fit(char *buf, size_t size, const char *s, unsigned columns)
{
        size_t len = strlen(s), end = 0, cols = 0;

        if (columns_of(s, len) <= columns || columns < 2) {
                snprintf(buf, size, "%s", s);
                return buf;
        }
        /* Up to columns - 1 characters, then "…"; at a word's end when one is near. */
        while (end < len && cols < columns - 1) {
                end++;
                while (end < len && ((unsigned char)s[end] & 0xc0) == 0x80)
                        end++;
                cols++;
        }
        size_t word = end;
        while (word > end / 2 && s[word] != ' ')
                word--;
        if (word > end / 2)
                end = word;
        while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == ',' || s[end - 1] == ';'))
                end--;
        snprintf(buf, size, "%.*s…", (int)end, s);
        return buf;
}

void ctl_print_wrapped(FILE *f, const char *s, unsigned indent, unsigned first, unsigned width)
{
        unsigned col = first;
        bool fresh = true; /* no word on this line yet */

        if (width < indent + 20)
                width = indent + 20;
        for (const char *p = s; *p;) {
                while (*p == ' ')
                        p++;
                size_t n = strcspn(p, " ");
                if (n == 0)
                        break;
                size_t cols = columns_of(p, n);
                if (!fresh && col + 1 + cols > width) {
                        fprintf(f, "\n%*s", (int)indent, "");
                        col = indent;
                        fresh = true;
                }
                if (!fresh) {
                        fputc(' ', f);
                        col++;
                }
                fwrite(p, 1, n, f);
                col += (unsigned)cols;
                fresh = false;
                p += n;
        }
        fputc('\n', f);
}
