/* The registered consumers of the daemon's findings. */
#include "sink.h"

#include <errno.h>
#include <string.h>

int gm_sinks_add(struct gm_sinks *s, const struct gm_sink *sink, void *userdata)
{
        if (s->n >= GM_MAX_SINKS)
                return -ENOSPC;
        s->sink[s->n] = sink;
        s->userdata[s->n] = userdata;
        s->n++;
        return 0;
}

void gm_sinks_remove(struct gm_sinks *s, const struct gm_sink *sink, void *userdata)
{
        for (unsigned i = 0; i < s->n; i++) {
                if (s->sink[i] != sink || s->userdata[i] != userdata)
                        continue;
                memmove(&s->sink[i], &s->sink[i + 1], (s->n - i - 1) * sizeof(s->sink[0]));
                memmove(&s->userdata[i], &s->userdata[i + 1], (s->n - i - 1) * sizeof(s->userdata[0]));
                s->n--;
                return;
        }
}
