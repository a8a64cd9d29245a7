/* The daemon's sample ring: a peek on the consumer side, beside a running producer. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "sample-ring.h"

static struct gm_raw_sample sample(int64_t ts_ns)
{
        return (struct gm_raw_sample){ .ts_ns = ts_ns, .acc = { (float)ts_ns } };
}

Test(sample_ring, peek_leaves_the_sample_for_pop)
{
        struct gm_sample_ring *r = calloc(1, sizeof(*r));
        cr_assert_not_null(r);
        gm_ring_init(r);
        cr_assert_null(gm_ring_peek(r));
        /* Around the end of the slots more than once: peek and pop agree. */
        int64_t pushed = 0, popped = 0;
        for (int round = 0; round < 5; round++) {
                for (unsigned i = 0; i < GM_RING_CAPACITY - 3; i++) {
                        struct gm_raw_sample s = sample(pushed++);
                        cr_assert(gm_ring_push(r, &s));
                }
                while (popped < pushed) {
                        const struct gm_raw_sample *p = gm_ring_peek(r);
                        cr_assert_not_null(p);
                        cr_assert_eq(p->ts_ns, popped);
                        cr_assert_eq(gm_ring_peek(r), p, "a second peek moved on");
                        struct gm_raw_sample s;
                        cr_assert(gm_ring_pop(r, &s));
                        cr_assert_eq(s.ts_ns, popped);
                        cr_assert_eq(s.acc[0], (float)popped);
                        popped++;
                }
                cr_assert_null(gm_ring_peek(r));
        }
        /* Full, a push is refused and counted; a peek does not make room. */
        for (unsigned i = 0; i < GM_RING_CAPACITY; i++) {
                struct gm_raw_sample s = sample(pushed++);
                cr_assert(gm_ring_push(r, &s));
        }
        struct gm_raw_sample s = sample(pushed);
        cr_assert_eq(gm_ring_peek(r)->ts_ns, popped);
        cr_assert_not(gm_ring_push(r, &s));
        cr_assert_eq(atomic_load(&r->overruns), 1);
        free(r);
}

#define PRODUCED 2000000

static void *produce(void *userdata)
{
        struct gm_sample_ring *r = userdata;
        for (int64_t ts = 0; ts < PRODUCED;) {
                struct gm_raw_sample s = sample(ts);
                if (gm_ring_push(r, &s))
                        ts++;
        }
        return NULL;
}

/* With the producer running, a peeked sample is the one pop returns next, in order. */
Test(sample_ring, peek_is_pop_while_the_producer_pushes)
{
        struct gm_sample_ring *r = calloc(1, sizeof(*r));
        cr_assert_not_null(r);
        gm_ring_init(r);
        pthread_t thread;
        cr_assert_eq(pthread_create(&thread, NULL, produce, r), 0);
        int64_t next = 0;
        while (next < PRODUCED) {
                const struct gm_raw_sample *p = gm_ring_peek(r);
                if (!p)
                        continue;
                cr_assert_eq(p->ts_ns, next);
                cr_assert_eq(p->acc[0], (float)next);
                struct gm_raw_sample s;
                cr_assert(gm_ring_pop(r, &s));
                cr_assert_eq(s.ts_ns, next);
                next++;
        }
        cr_assert_eq(pthread_join(thread, NULL), 0);
        cr_assert_null(gm_ring_peek(r));
        free(r);
}
