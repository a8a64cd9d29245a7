/* A single-producer single-consumer lock-free ring of raw sensor samples. */
#include "sample-ring.h"

void gm_ring_init(struct gm_sample_ring *r)
{
        atomic_store(&r->head, 0);
        atomic_store(&r->tail, 0);
        atomic_store(&r->overruns, 0);
}

bool gm_ring_push(struct gm_sample_ring *r, const struct gm_raw_sample *s)
{
        size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
        size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (head - tail >= GM_RING_CAPACITY) {
                atomic_fetch_add_explicit(&r->overruns, 1, memory_order_relaxed);
                return false;
        }
        r->slot[head & (GM_RING_CAPACITY - 1)] = *s;
        /* Release: the slot's contents become visible before the new head. */
        atomic_store_explicit(&r->head, head + 1, memory_order_release);
        return true;
}

bool gm_ring_pop(struct gm_sample_ring *r, struct gm_raw_sample *out)
{
        size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
        size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
        if (tail == head)
                return false;
        *out = r->slot[tail & (GM_RING_CAPACITY - 1)];
        atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
        return true;
}

const struct gm_raw_sample *gm_ring_peek(struct gm_sample_ring *r)
{
        size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
        size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
        if (tail == head)
                return NULL;
        /* The producer leaves the slot alone until the tail moves past it: pop does that. */
        return &r->slot[tail & (GM_RING_CAPACITY - 1)];
}
