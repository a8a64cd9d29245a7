/* Human-readable values for gaitmonctl. */
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "ctl-format.h"

const char *ctl_format_timestamp(char *buf, size_t size, uint64_t usec) {
        time_t t = (time_t) (usec / 1000000);
        struct tm tm;

        if (usec == 0 || !localtime_r(&t, &tm) || strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                snprintf(buf, size, "n/a");
        return buf;
}

const char *ctl_format_duration(char *buf, size_t size, double seconds) {
        if (!isfinite(seconds) || seconds < 0) {
                snprintf(buf, size, "n/a");
                return buf;
        }
        unsigned long long s = (unsigned long long) llround(seconds);
        if (s >= 3600)
                snprintf(buf, size, "%llu h %02llu min", s / 3600, s % 3600 / 60);
        else if (s >= 60)
                snprintf(buf, size, "%llu min %02llu s", s / 60, s % 60);
        else
                snprintf(buf, size, "%llu s", s);
        return buf;
}

const char *ctl_format_number(char *buf, size_t size, double v, int decimals, const char *unit) {
        if (!isfinite(v))
                snprintf(buf, size, "n/a");
        else
                snprintf(buf, size, "%.*f%s", decimals, v, unit ? unit : "");
        return buf;
}
