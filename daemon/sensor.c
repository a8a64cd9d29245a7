/* One worn sensor: what the acquisition thread shares with the main loop. */
#include "sensor.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *gm_sensor_status_name(enum gm_sensor_status s)
{
        switch (s) {
        case GM_SENSOR_STREAMING: return "streaming";
        case GM_SENSOR_FAULTY: return "faulty";
        default: return "waiting";
        }
}

void gm_sensor_wake(struct gm_sensor *s)
{
        uint64_t one = 1;
        /* EAGAIN means the counter is already set: the main loop will wake anyway. */
        (void) !write(s->wake_fd, &one, sizeof(one));
}

void gm_sensor_set_status(struct gm_sensor *s, enum gm_sensor_status status,
                          const char *device, const char *reason)
{
        pthread_mutex_lock(&s->lock);
        bool changed = s->status != status;
        s->status = status;
        if (device)
                snprintf(s->device, sizeof(s->device), "%s", device);
        if (reason && strncmp(s->reason, reason, sizeof(s->reason) - 1) != 0) {
                snprintf(s->reason, sizeof(s->reason), "%s", reason);
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
