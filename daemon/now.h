/* The daemon's two clocks, in microseconds: mono for intervals, wall for what is dated. */
#pragma once

#include <stdint.h>
#include <time.h>

/* CLOCK_MONOTONIC: how long since, how often. */
static inline uint64_t gm_mono_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* CLOCK_REALTIME: when, as stored in the history and given on the bus. */
static inline int64_t gm_wall_us(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}
