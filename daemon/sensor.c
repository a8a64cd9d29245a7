/* One worn sensor: what the acquisition thread shares with the main loop. */
#include "sensor.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *gm_sensor_status_name(enum gm_sensor_status s)
{
        switch (s) {
        case GM_SENSOR_STREAMING:
                return "streaming";
        case GM_SENSOR_FAULTY:
                return "faulty";
        default:
                return "waiting";
        }
}

void gm_sensor_wake(struct gm_sensor *s)
{
        uint64_t one = 1;
        /* EAGAIN means the counter is already set: the main loop will wake anyway. */
        (void)!write(s->wake_fd, &one, sizeof(one));
}

/* Length of the valid UTF-8 character at p (0 when invalid or cut short), as libdbus judges:
 * no overlong forms, no surrogates, nothing past U+10FFFF. */
static size_t utf8_char(const unsigned char *p)
{
        unsigned c = p[0], n;
        uint32_t cp;
        if (c < 0x80)
                return 1;
        if (c >= 0xc2 && c <= 0xdf)
                n = 2, cp = c & 0x1f;
        else if (c >= 0xe0 && c <= 0xef)
                n = 3, cp = c & 0x0f;
        else if (c >= 0xf0 && c <= 0xf4)
                n = 4, cp = c & 0x07;
        else
                return 0;
        for (unsigned i = 1; i < n; i++) {
                if ((p[i] & 0xc0) != 0x80)
                        return 0; /* also the terminating NUL of a cut character */
                cp = cp << 6 | (p[i] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff || (cp & 0xfffff800) == 0xd800)
                return 0;
        return n;
}

/* Text from a device or a remote context goes on the bus, where libdbus aborts on invalid
 * UTF-8: a character cut by a fixed-size copy is dropped, any other invalid byte becomes '?'. */
static void utf8_fit(char *text)
{
        unsigned char *p = (unsigned char *)text;
        while (*p) {
                size_t n = utf8_char(p);
                if (n) {
                        p += n;
                        continue;
                }
                /* A lead byte whose character the copy cut: the end of the text. */
                size_t rest = strlen((const char *)p);
                if (rest < 4 && *p >= 0xc2 && *p <= 0xf4) {
                        bool cut = true;
                        for (size_t i = 1; i < rest; i++)
                                cut &= (p[i] & 0xc0) == 0x80;
                        if (cut) {
                                *p = '\0';
                                return;
                        }
                }
                *p++ = '?';
        }
}

void gm_sensor_set_status(struct gm_sensor *s, enum gm_sensor_status status, const char *device, const char *reason)
{
        pthread_mutex_lock(&s->lock);
        bool changed = s->status != status;
        s->status = status;
        if (device) {
                snprintf(s->device, sizeof(s->device), "%s", device);
                utf8_fit(s->device);
        }
        char fitted[sizeof(s->reason)];
        if (reason) {
                snprintf(fitted, sizeof(fitted), "%s", reason);
                utf8_fit(fitted);
        }
        if (reason && strcmp(s->reason, fitted) != 0) {
                memcpy(s->reason, fitted, sizeof(fitted));
                changed = true;
        }
        if (changed)
                s->status_seq++;
        pthread_mutex_unlock(&s->lock);
        if (changed)
                gm_sensor_wake(s);
}

bool gm_sensor_sleep(struct gm_sensor *s, double seconds)
{
        const struct timespec slice = { .tv_nsec = 50 * 1000 * 1000 };
        for (double slept = 0; slept < seconds; slept += 0.05) {
                if (atomic_load(&s->stop))
                        return true;
                nanosleep(&slice, NULL);
        }
        return atomic_load(&s->stop);
}
