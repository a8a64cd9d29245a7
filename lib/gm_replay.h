/* Feeding a whole recording through the pipeline, as the offline tools and tests do. */
#pragma once

#include "gm_events.h"
#include "gm_pipeline.h"
#include "gm_recording.h"

struct gm_stride_list {
        size_t n, cap;
        struct gm_stride *st;
};

struct gm_spike_list {
        size_t n, cap;
        struct gm_spike *sp;
};

struct gm_replay {
        struct gm_event_list events; /* sorted by time */
        struct gm_stride_list strides;
        struct gm_spike_list spikes;
        struct gm_metrics final; /* snapshot after the last sample */
        double cadence_fft_spm;  /* median of the FFT cross-check, sampled once a second
                                          of data while moving; NaN if never available */
};

/* cfg may be NULL for the defaults; its rate and locations come from the recording.
 * progress(done_rows, total_rows, userdata) when not NULL. 0 or negative errno. */
int gm_replay_run(const struct gm_recording *rec, const struct gm_pipeline_cfg *cfg, struct gm_replay *out,
                  void (*progress)(size_t, size_t, void *), void *userdata);
/* The same straight from a file, block by block: the recording is never held whole.
 * On failure err says why (the reader's message names file and line). */
int gm_replay_stream(struct gm_reader *rd, const struct gm_pipeline_cfg *cfg, struct gm_replay *out, char *err,
                     size_t errlen, void (*progress)(size_t, size_t, void *), void *userdata);
void gm_replay_clear(struct gm_replay *r);
