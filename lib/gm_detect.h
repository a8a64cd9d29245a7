/* Gait event detectors: one file per sensor placement behind this driver struct. */
#pragma once

#include <stdbool.h>

#include "gm_types.h"

struct gm_align;

/* Where detectors put decided events; owned by the pipeline. */
struct gm_event_out {
        void (*emit)(struct gm_event_out *out, const struct gm_event *ev);
};

static inline void gm_event_emit(struct gm_event_out *out, double t, enum gm_side side, enum gm_event_kind kind)
{
        struct gm_event ev = { .t = t, .side = side, .kind = kind };
        out->emit(out, &ev);
}

struct gm_detector {
        const char *name;
        size_t state_size;
        /* side: the limb's side; GM_SIDE_UNKNOWN for the pelvis, which names sides itself.
         * Returns 0 or negative errno. Called again to start over after a gap. */
        int (*init)(void *state, double rate_hz, enum gm_side side, bool has_gyr);
        /* One finite sample; events are emitted in time order once decided. */
        void (*push)(void *state, const struct gm_sample *s, struct gm_event_out *out);
        /* End of stream: emit whatever can still be decided. */
        void (*flush)(void *state, struct gm_event_out *out);
        /* Whether its events rest on a decided frame yet; NULL: always. A side with two
         * sources takes the events of the first that is ready. */
        bool (*ready)(const void *state);
        /* Its frame alignment, which the pipeline's own alignment of the sensor can stand
         * in for while both have seen the same samples (gm_align.follow); NULL: none. */
        struct gm_align *(*align)(void *state);
        /* Time of the newest step found, decided or not (NaN: none); NULL when events are
         * emitted as soon as found. A detector that waits for later steps to name a side
         * knows the gait goes on before it says so. */
        double (*last_step)(const void *state);
};

extern const struct gm_detector gm_detector_shank_gyro; /* shank with a gyro */
extern const struct gm_detector gm_detector_foot_gyro;  /* foot with a gyro */
extern const struct gm_detector gm_detector_shank_acc;  /* shank, accelerometer only */
extern const struct gm_detector gm_detector_pelvis;     /* lower back, both sides */
