/* A single-producer single-consumer lock-free ring of raw sensor samples. */
#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One sample as acquired: sensor timestamp and scaled SI values. */
struct gm_raw_sample {
        int64_t ts_ns;
        float acc[3]; /* m/s² */
        float gyr[3]; /* rad/s */
};

#define GM_RING_CAPACITY 2048u /* a power of two: about 5 s at 416 Hz */

struct gm_sample_ring {
        _Atomic size_t head;       /* written by the producer only */
        _Atomic size_t tail;       /* written by the consumer only */
        _Atomic uint64_t overruns; /* samples the producer had to drop */
        struct gm_raw_sample slot[GM_RING_CAPACITY];
};

void gm_ring_init(struct gm_sample_ring *r);
/* Producer side. Returns false (and counts an overrun) when full. */
bool gm_ring_push(struct gm_sample_ring *r, const struct gm_raw_sample *s);
/* Consumer side. Returns false when empty. */
bool gm_ring_pop(struct gm_sample_ring *r, struct gm_raw_sample *out);
/* Consumer side: the next sample pop would return, left in the ring (valid until that pop), or
 * NULL when empty. */
const struct gm_raw_sample *gm_ring_peek(struct gm_sample_ring *r);
