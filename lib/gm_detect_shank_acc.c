/* Placeholder until the detector lands: decides no events. */
#include "gm_detect.h"

struct state {
        int unused;
};

static int init(void *st, double rate_hz, enum gm_side side, bool has_gyr)
{
        return 0;
}

static void push(void *st, const struct gm_sample *s, struct gm_event_sink *sink)
{
}

static void flush(void *st, struct gm_event_sink *sink)
{
}

const struct gm_detector gm_detector_shank_acc = {
        .name = "shank_acc",
        .state_size = sizeof(struct state),
        .init = init,
        .push = push,
        .flush = flush,
};
