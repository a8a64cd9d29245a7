/* The daemon's sample clock: sensor timestamps onto one clock through restarts, joins and gaps. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sample-clock.h"

/* 100 Hz: one period is 10 ms. Arrival times advance in real time unless a test says otherwise. */
#define RATE_HZ 100.0
#define PERIOD_NS 10000000LL
#define PERIOD_US 10000u
#define S_NS 1000000000LL
#define S_US 1000000u

static struct gm_sample_clock *new_clock(void)
{
        static struct gm_sample_clock c;
        cr_assert_eq(gm_sample_clock_init(&c, RATE_HZ), 0);
        return &c;
}

/* Places a sample that must be placed; its time on the common clock. */
static int64_t placed(struct gm_sample_clock *c, enum gm_loc loc, int64_t raw_ns, uint64_t mono_us,
                      struct gm_sample_clock_event *ev)
{
        int64_t ts = INT64_MIN;
        int r = gm_sample_clock_place(c, loc, raw_ns, mono_us, &ts, ev);
        cr_assert_eq(r, 1, "%s at %lld ns: %d, not placed", gm_loc_name(loc), (long long)raw_ns, r);
        return ts;
}

/* Places a sample that must be dropped: ts_ns is left alone. */
static void dropped(struct gm_sample_clock *c, enum gm_loc loc, int64_t raw_ns, uint64_t mono_us,
                    struct gm_sample_clock_event *ev)
{
        int64_t ts = 42;
        int r = gm_sample_clock_place(c, loc, raw_ns, mono_us, &ts, ev);
        cr_assert_eq(r, 0, "%s at %lld ns: %d, not dropped", gm_loc_name(loc), (long long)raw_ns, r);
        cr_assert_eq(ts, 42);
}

/* n samples one period apart from raw_ns, arriving every now_step_us from mono_us: all steady,
 * at raw + offset_ns. The last one's time on the common clock. */
static int64_t stream(struct gm_sample_clock *c, enum gm_loc loc, int64_t raw_ns, uint64_t mono_us,
                      uint64_t now_step_us, int n, int64_t offset_ns)
{
        struct gm_sample_clock_event ev;
        int64_t ts = INT64_MIN;
        for (int i = 0; i < n; i++) {
                ts = placed(c, loc, raw_ns + i * PERIOD_NS, mono_us + (uint64_t)i * now_step_us, &ev);
                cr_assert_eq(ts, raw_ns + i * PERIOD_NS + offset_ns, "sample %d of %s", i, gm_loc_name(loc));
                cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_STEADY, "sample %d of %s: event %d", i, gm_loc_name(loc),
                             ev.type);
                cr_assert_eq(ev.missing, 0);
                cr_assert_eq(ev.offset_ns, offset_ns);
        }
        return ts;
}

Test(sample_clock, steady_stream_keeps_its_timestamps)
{
        struct gm_sample_clock *c = new_clock();
        cr_assert_eq(stream(c, GM_LOC_PELVIS, 5 * S_NS, 1 * S_US, PERIOD_US, 500, 0), 5 * S_NS + 499 * PERIOD_NS);
        cr_assert_eq(c->sensor[GM_LOC_PELVIS].placed, 500);
        cr_assert(c->have_newest);
        cr_assert_eq(c->newest_ns, 5 * S_NS + 499 * PERIOD_NS);
        /* A second sensor on the same clock, a little behind: steady too, nothing to say. */
        stream(c, GM_LOC_LEFT_HIP, 5 * S_NS, 1 * S_US, PERIOD_US, 400, 0);
        cr_assert_eq(c->newest_ns, 5 * S_NS + 499 * PERIOD_NS);
}

Test(sample_clock, gap_counts_the_missing_samples)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        stream(c, GM_LOC_PELVIS, 0, S_US, PERIOD_US, 3, 0);
        /* 20 ms, then 70 ms: four periods' samples missing. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 70000000, S_US + 7 * PERIOD_US, &ev), 70000000);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_STEADY);
        cr_assert_eq(ev.missing, 4);
        /* One and a half periods is jitter, not a lost sample... */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 85000000, S_US + 9 * PERIOD_US, &ev), 85000000);
        cr_assert_eq(ev.missing, 0);
        /* ... 1.6 periods rounds to one. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 101000000, S_US + 11 * PERIOD_US, &ev), 101000000);
        cr_assert_eq(ev.missing, 1);
        /* Two periods: one. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 121000000, S_US + 13 * PERIOD_US, &ev), 121000000);
        cr_assert_eq(ev.missing, 1);
}

Test(sample_clock, gap_follows_the_rate)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        cr_assert_eq(gm_sample_clock_set_rate(c, 50), 0);
        placed(c, GM_LOC_PELVIS, 0, S_US, &ev);
        /* 100 ms at 50 Hz: four samples of 20 ms missing (nine at 100 Hz). */
        placed(c, GM_LOC_PELVIS, 100000000, S_US + 100000, &ev);
        cr_assert_eq(ev.missing, 4);
}

/* Pelvis from raw 0 to 5 s, arriving from 1 s to 6 s. */
static void pelvis_five_seconds(struct gm_sample_clock *c)
{
        stream(c, GM_LOC_PELVIS, 0, S_US, PERIOD_US, 501, 0);
}

Test(sample_clock, source_restart_goes_on_after_the_time_away)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        /* The emulator is away 2 s and comes back with its clock at 0. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 0, 8 * S_US, &ev), 7 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
        cr_assert_not(ev.with_other);
        cr_assert_eq(ev.last_ns, 5 * S_NS);
        cr_assert_eq(ev.offset_ns, 7 * S_NS);
        cr_assert_eq(ev.missing, 199, "the 2 s away are lost samples: %llu", (unsigned long long)ev.missing);
        cr_assert(c->restart.happened);
        cr_assert_eq(c->restart.loc, GM_LOC_PELVIS);
        cr_assert_eq(c->restart.at_us, 8 * S_US);
        cr_assert_eq(c->restart.offset_ns, 7 * S_NS);
        /* Then steady on the new offset. */
        stream(c, GM_LOC_PELVIS, PERIOD_NS, 8 * S_US + PERIOD_US, PERIOD_US, 100, 7 * S_NS);
}

Test(sample_clock, restart_without_a_pause_goes_on_one_period_later)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        /* Arriving with no time away (a reset device reread at once): the next period. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 3 * S_NS, 6 * S_US, &ev), 5 * S_NS + PERIOD_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
        cr_assert_eq(ev.offset_ns, 2 * S_NS + PERIOD_NS);
        cr_assert_eq(ev.missing, 0);
}

Test(sample_clock, sensors_restarting_together_share_the_first_ones_offset)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        stream(c, GM_LOC_LEFT_HIP, 0, S_US, PERIOD_US, 501, 0);
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 0, 8 * S_US, &ev), 7 * S_NS);
        /* The hip is back 5 s later, its first timestamp 300 ms on: the pelvis's offset, not one
         * measured from its own time away. */
        cr_assert_eq(placed(c, GM_LOC_LEFT_HIP, 300000000, 13 * S_US, &ev), 7 * S_NS + 300000000);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
        cr_assert(ev.with_other);
        cr_assert_eq(ev.with_loc, GM_LOC_PELVIS);
        cr_assert_eq(ev.last_ns, 5 * S_NS);
        cr_assert_eq(ev.offset_ns, 7 * S_NS);
        cr_assert_eq(ev.missing, 229);
        cr_assert_eq(c->restart.loc, GM_LOC_PELVIS, "the first one back stays the reference");
}

Test(sample_clock, restarts_far_apart_are_separate)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        stream(c, GM_LOC_LEFT_HIP, 0, S_US, PERIOD_US, 501, 0);
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 0, 8 * S_US, &ev), 7 * S_NS);
        /* 10 s after the pelvis: a restart of its own, after its own 12 s away. */
        cr_assert_eq(placed(c, GM_LOC_LEFT_HIP, 0, 18 * S_US, &ev), 17 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
        cr_assert_not(ev.with_other);
        cr_assert_eq(ev.offset_ns, 17 * S_NS);
        cr_assert_eq(c->restart.loc, GM_LOC_LEFT_HIP);
}

/* The hip read further ahead than the pelvis (faster than real time, a buffer at a time): raw
 * 0 to 9 s against the pelvis's 5 s. After the restart the pelvis goes on at 5.1 s. */
static void hip_ahead_then_restart(struct gm_sample_clock *c)
{
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        stream(c, GM_LOC_LEFT_HIP, 0, S_US, PERIOD_US / 2, 901, 0);
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 0, 6 * S_US + 100000, &ev), 5 * S_NS + 100000000);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
        cr_assert_eq(ev.missing, 9);
}

Test(sample_clock, sensor_back_behind_its_last_sample_keeps_the_shared_offset)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        hip_ahead_then_restart(c);
        const int64_t shared_ns = 5 * S_NS + 100000000;
        /* The hip's first sample is one it delivered already: dropped, the restart said once. */
        dropped(c, GM_LOC_LEFT_HIP, 0, 6 * S_US + 200000, &ev);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
        cr_assert(ev.with_other);
        cr_assert_eq(ev.with_loc, GM_LOC_PELVIS);
        cr_assert_eq(ev.last_ns, 9 * S_NS);
        cr_assert_eq(ev.offset_ns, shared_ns);
        cr_assert(c->sensor[GM_LOC_LEFT_HIP].resuming);
        cr_assert_eq(c->sensor[GM_LOC_LEFT_HIP].resume_after_ns, 9 * S_NS);
        /* Up to 3.9 s of the new clock (9 s on the common one) it was all seen: dropped silently. */
        for (int64_t raw = PERIOD_NS; raw <= 3900000000; raw += PERIOD_NS) {
                dropped(c, GM_LOC_LEFT_HIP, raw, 6 * S_US + 200000 + (uint64_t)raw / 1000, &ev);
                cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_STEADY);
        }
        cr_assert_eq(c->sensor[GM_LOC_LEFT_HIP].placed, 901, "nothing placed twice");
        /* The pelvis goes on, and the hip joins it in step: one raw time, one common time. */
        stream(c, GM_LOC_PELVIS, PERIOD_NS, 6 * S_US + 110000, PERIOD_US, 390, shared_ns);
        cr_assert_eq(placed(c, GM_LOC_LEFT_HIP, 3910000000, 10 * S_US, &ev), 9 * S_NS + PERIOD_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_STEADY);
        cr_assert_eq(ev.missing, 0);
        cr_assert_not(c->sensor[GM_LOC_LEFT_HIP].resuming);
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 3910000000, 10 * S_US, &ev), 9 * S_NS + PERIOD_NS);
        /* Its clock does not restart again: the next samples are steady. */
        stream(c, GM_LOC_LEFT_HIP, 3920000000, 10 * S_US + PERIOD_US, PERIOD_US, 10, shared_ns);
}

/* The hip as above, but n samples from hip_first_raw_ns: its offset once back. */
static int64_t hip_offset_after_restart(int64_t hip_first_raw_ns, int n)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        stream(c, GM_LOC_LEFT_HIP, hip_first_raw_ns, S_US, PERIOD_US / 100, n, 0);
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 0, 6 * S_US + 100000, &ev), 5 * S_NS + 100000000);
        int64_t ts = 42;
        int r = gm_sample_clock_place(c, GM_LOC_LEFT_HIP, 0, 6 * S_US + 200000, &ts, &ev);
        cr_assert_geq(r, 0);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
        cr_assert(ev.with_other);
        if (r == 1)
                cr_assert_eq(ts, ev.offset_ns);
        cr_assert_eq(r == 0, c->sensor[GM_LOC_LEFT_HIP].resuming);
        return ev.offset_ns;
}

Test(sample_clock, sensor_back_beyond_resume_max_takes_its_own_offset)
{
        const int64_t shared_ns = 5 * S_NS + 100000000;
        /* Its next sample 60 s after the shared offset: still one clock, resumed. */
        int64_t last_ns = shared_ns + GM_SAMPLE_CLOCK_RESUME_MAX_NS - PERIOD_NS;
        cr_assert_eq(hip_offset_after_restart(last_ns - 100 * PERIOD_NS, 101), shared_ns);
        /* One period more: too far apart for one clock. It goes on right after its last sample. */
        last_ns += PERIOD_NS;
        cr_assert_eq(hip_offset_after_restart(last_ns - 100 * PERIOD_NS, 101), last_ns + PERIOD_NS);
        /* 70 s ahead. */
        last_ns = 75 * S_NS;
        cr_assert_eq(hip_offset_after_restart(last_ns - 100 * PERIOD_NS, 101), last_ns + PERIOD_NS);
}

Test(sample_clock, late_sensor_reads_the_shared_clock)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        stream(c, GM_LOC_PELVIS, 100 * S_NS, S_US, PERIOD_US, 100, 0);
        /* Opened later, its first sample 20 s ahead of the pelvis's newest (a source faster than
         * real time): the same clock, nothing moved. */
        cr_assert_eq(placed(c, GM_LOC_LEFT_SHANK, 120 * S_NS, 2 * S_US, &ev), 120 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_STEADY);
        cr_assert_eq(ev.offset_ns, 0);
        cr_assert_eq(c->newest_ns, 120 * S_NS);
}

Test(sample_clock, late_sensor_after_a_restart_takes_the_shared_offset)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 0, 8 * S_US, &ev), 7 * S_NS);
        stream(c, GM_LOC_PELVIS, PERIOD_NS, 8 * S_US + PERIOD_US, PERIOD_US, 200, 7 * S_NS);
        /* A reload adds the left shank: its clock is the restarted source's. */
        cr_assert_eq(placed(c, GM_LOC_LEFT_SHANK, S_NS, 10 * S_US, &ev), 8 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_SHARED);
        cr_assert_eq(ev.offset_ns, 7 * S_NS);
        cr_assert_eq(ev.start_ns, 8 * S_NS);
        cr_assert_eq(ev.missing, 0);
        stream(c, GM_LOC_LEFT_SHANK, S_NS + PERIOD_NS, 10 * S_US + PERIOD_US, PERIOD_US, 10, 7 * S_NS);
}

Test(sample_clock, late_sensor_on_a_clock_of_its_own_starts_at_the_newest)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        stream(c, GM_LOC_LEFT_HIP, 0, S_US, PERIOD_US, 501, 0);
        /* Two restarts 12 s apart: two offsets, no clock the others share. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 0, 8 * S_US, &ev), 7 * S_NS);
        cr_assert_eq(placed(c, GM_LOC_LEFT_HIP, 0, 20 * S_US, &ev), 19 * S_NS);
        cr_assert_not(ev.with_other);
        /* A sensor 16 s behind the newest sample: moved to it. */
        cr_assert_eq(placed(c, GM_LOC_LEFT_SHANK, 3 * S_NS, 20 * S_US + 100000, &ev), 19 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_JOINED);
        cr_assert_eq(ev.offset_ns, 16 * S_NS);
        cr_assert_eq(ev.start_ns, 19 * S_NS);
        stream(c, GM_LOC_LEFT_SHANK, 3 * S_NS + PERIOD_NS, 20 * S_US + 110000, PERIOD_US, 10, 16 * S_NS);
        /* One within a second of it is taken as it is. */
        cr_assert_eq(placed(c, GM_LOC_RIGHT_SHANK, 18500000000, 20 * S_US + 200000, &ev), 18500000000);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_STEADY);
        cr_assert_eq(ev.offset_ns, 0);
}

/* The order of queued samples is where they go on the common clock; a sample that settles its
 * sensor's clock anew comes first. */
Test(sample_clock, order_is_the_time_on_the_common_clock)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        /* Nothing placed: the sensors' own timestamps. */
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_PELVIS, 3 * S_NS), 3 * S_NS);
        pelvis_five_seconds(c);
        /* A sensor not placed yet reads the clock the others share: its timestamps as they are. */
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_LEFT_SHANK, 4 * S_NS), 4 * S_NS);
        /* A restart's sample is far behind the pelvis's last: first, and it moves the clock. */
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_PELVIS, 0), 0);
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 0, 8 * S_US, &ev), 7 * S_NS);
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_PELVIS, S_NS), 8 * S_NS);
        /* Not placed yet, the shank takes the offset the others share (the pelvis's alone). */
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_LEFT_SHANK, S_NS), 8 * S_NS);
        /* The hip takes it too, then restarts alone 12 s later: no offset is shared any more, and
         * where the shank's first sample goes depends on the others' newest (JOINED or not). */
        cr_assert_eq(placed(c, GM_LOC_LEFT_HIP, 3 * S_NS, 8 * S_US, &ev), 10 * S_NS);
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_LEFT_HIP, 0), 7 * S_NS);
        cr_assert_eq(placed(c, GM_LOC_LEFT_HIP, 0, 20 * S_US, &ev), 22 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_LEFT_HIP, PERIOD_NS), 22 * S_NS + PERIOD_NS);
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_LEFT_SHANK, 100 * S_NS), INT64_MIN);
        cr_assert_eq(placed(c, GM_LOC_LEFT_SHANK, 100 * S_NS, 20 * S_US + 100000, &ev), 22 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_JOINED);
        /* Joined, its next samples by its offset. */
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_LEFT_SHANK, 100 * S_NS + PERIOD_NS), 22 * S_NS + PERIOD_NS);
        /* Reopened, its next sample may be on another clock: first again. */
        cr_assert_eq(gm_sample_clock_reopened(c, 1u << GM_LOC_LEFT_SHANK, false), 0);
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_LEFT_SHANK, 100 * S_NS + 2 * PERIOD_NS), INT64_MIN);
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_PELVIS, S_NS), 8 * S_NS);
        /* A time beyond 64 bits saturates; bad arguments come first. */
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_PELVIS, INT64_MAX), INT64_MAX);
        cr_assert_eq(gm_sample_clock_order(c, GM_LOC_COUNT, S_NS), INT64_MIN);
        cr_assert_eq(gm_sample_clock_order(NULL, GM_LOC_PELVIS, S_NS), INT64_MIN);
}

Test(sample_clock, reopened_on_the_same_source_goes_on)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        cr_assert_eq(gm_sample_clock_reopened(c, 1u << GM_LOC_PELVIS, true), 0);
        /* 1 s later on the clock it had: no restart, and the time it was closed is no gap. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 6 * S_NS, 7 * S_US, &ev), 6 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_STEADY);
        cr_assert_eq(ev.missing, 0);
        cr_assert_not(c->sensor[GM_LOC_PELVIS].reopened);
        stream(c, GM_LOC_PELVIS, 6 * S_NS + PERIOD_NS, 7 * S_US + PERIOD_US, PERIOD_US, 10, 0);
}

Test(sample_clock, reopened_behind_its_clock_restarts)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        stream(c, GM_LOC_LEFT_HIP, 0, S_US, PERIOD_US, 501, 0);
        cr_assert_eq(gm_sample_clock_reopened(c, 1u << GM_LOC_PELVIS | 1u << GM_LOC_LEFT_HIP, true), 0);
        /* Only 500 ms back: not a restart for a stream, but a reopened sensor's clock is new. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 4500000000, 7 * S_US, &ev), 6 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_REOPENED);
        cr_assert_not(ev.with_other);
        cr_assert_eq(ev.offset_ns, 1500000000);
        cr_assert_eq(ev.missing, 0, "a reopened sensor's first sample counts no gap");
        /* The hip, reopened with it, shares its offset. */
        cr_assert_eq(placed(c, GM_LOC_LEFT_HIP, 4500000000, 7 * S_US + 1000, &ev), 6 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_REOPENED);
        cr_assert(ev.with_other);
        cr_assert_eq(ev.with_loc, GM_LOC_PELVIS);
}

Test(sample_clock, reopened_on_another_source_restarts_even_ahead)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        stream(c, GM_LOC_LEFT_HIP, 0, S_US, PERIOD_US, 501, 0);
        cr_assert_eq(gm_sample_clock_reopened(c, 1u << GM_LOC_PELVIS, false), 0);
        /* Another URI: even a clock ahead is not the one it had. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 50 * S_NS, 7 * S_US, &ev), 6 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_REOPENED);
        cr_assert_eq(ev.offset_ns, -44 * S_NS);
        /* Once: the next step back of 2 s is a restart of a stream. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 48 * S_NS, 8 * S_US, &ev), 7 * S_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
        /* The hip was not reopened: it goes on as it was. */
        stream(c, GM_LOC_LEFT_HIP, 5 * S_NS + PERIOD_NS, 8 * S_US, PERIOD_US, 10, 0);
}

Test(sample_clock, stray_timestamps_are_dropped)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        stream(c, GM_LOC_PELVIS, 0, S_US, PERIOD_US, 101, 0);
        /* Back by 5 ms, the same one again, back by just 1 s: strays. */
        dropped(c, GM_LOC_PELVIS, S_NS - 5000000, 2 * S_US, &ev);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_STEADY);
        dropped(c, GM_LOC_PELVIS, S_NS, 2 * S_US, &ev);
        dropped(c, GM_LOC_PELVIS, 0, 2 * S_US, &ev);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_STEADY);
        cr_assert_eq(c->sensor[GM_LOC_PELVIS].last_ns, S_NS);
        cr_assert_eq(c->sensor[GM_LOC_PELVIS].offset_ns, 0);
        /* The stream goes on where it was, without a gap. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, S_NS + PERIOD_NS, 2 * S_US, &ev), S_NS + PERIOD_NS);
        cr_assert_eq(ev.missing, 0);
        /* More than 1 s back: its clock started again. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, -1, 2 * S_US + PERIOD_US, &ev), S_NS + 2 * PERIOD_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
}

Test(sample_clock, huge_jump_is_a_gap_and_the_next_sample_a_restart)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        stream(c, GM_LOC_PELVIS, 0, S_US, PERIOD_US, 101, 0);
        /* 11.6 days ahead: taken as a gap... */
        const int64_t jump_ns = 1000000LL * S_NS;
        cr_assert_eq(placed(c, GM_LOC_PELVIS, S_NS + jump_ns, 2 * S_US, &ev), S_NS + jump_ns);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_STEADY);
        cr_assert_eq(ev.missing, 99999999);
        /* ... and the stream behind it restarts from there, one period on. */
        cr_assert_eq(placed(c, GM_LOC_PELVIS, S_NS + PERIOD_NS, 2 * S_US + PERIOD_US, &ev), S_NS + jump_ns + PERIOD_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
        cr_assert_eq(ev.offset_ns, jump_ns);
}

Test(sample_clock, timestamps_beyond_64_bits_change_nothing)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 0, 8 * S_US, &ev), 7 * S_NS);
        struct gm_sample_clock before = *c;
        int64_t ts = 42;
        /* Beyond the end of the clock with its offset. */
        cr_assert_eq(gm_sample_clock_place(c, GM_LOC_PELVIS, INT64_MAX, 9 * S_US, &ts, &ev), -ERANGE);
        /* Far behind: its restart's offset would not fit. */
        cr_assert_eq(gm_sample_clock_place(c, GM_LOC_PELVIS, INT64_MIN, 9 * S_US, &ts, &ev), -ERANGE);
        /* A late sensor on the shared offset, beyond the end. */
        cr_assert_eq(gm_sample_clock_place(c, GM_LOC_LEFT_HIP, INT64_MAX - S_NS, 9 * S_US, &ts, &ev), -ERANGE);
        cr_assert_eq(ts, 42);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_STEADY);
        cr_assert_eq(memcmp(&before, c, sizeof(before)), 0, "the clock changed");
        /* The stream goes on as if they had not come. */
        stream(c, GM_LOC_PELVIS, PERIOD_NS, 8 * S_US + PERIOD_US, PERIOD_US, 10, 7 * S_NS);
}

Test(sample_clock, a_clock_going_back_in_arrival_time_is_no_shared_restart)
{
        struct gm_sample_clock *c = new_clock();
        struct gm_sample_clock_event ev;
        pelvis_five_seconds(c);
        stream(c, GM_LOC_LEFT_HIP, 0, S_US, PERIOD_US, 501, 0);
        cr_assert_eq(placed(c, GM_LOC_PELVIS, 0, 8 * S_US, &ev), 7 * S_NS);
        /* An arrival time before the pelvis's restart (a caller's clock that is not monotonic):
         * no shared restart, and no negative time away: one period on. */
        cr_assert_eq(placed(c, GM_LOC_LEFT_HIP, 0, 4 * S_US, &ev), 5 * S_NS + PERIOD_NS);
        cr_assert_eq(ev.type, GM_SAMPLE_CLOCK_RESTARTED);
        cr_assert_not(ev.with_other);
}

Test(sample_clock, bad_arguments)
{
        struct gm_sample_clock c;
        struct gm_sample_clock_event ev;
        int64_t ts = 42;
        cr_assert_eq(gm_sample_clock_init(NULL, RATE_HZ), -EINVAL);
        cr_assert_eq(gm_sample_clock_init(&c, 0), -EINVAL);
        cr_assert_eq(gm_sample_clock_init(&c, -100), -EINVAL);
        cr_assert_eq(gm_sample_clock_init(&c, NAN), -EINVAL);
        cr_assert_eq(gm_sample_clock_init(&c, INFINITY), -EINVAL);
        cr_assert_eq(gm_sample_clock_init(&c, 2e9), -EINVAL);
        /* A zeroed clock has no rate yet. */
        memset(&c, 0, sizeof(c));
        cr_assert_eq(gm_sample_clock_place(&c, GM_LOC_PELVIS, 0, 0, &ts, &ev), -EINVAL);

        cr_assert_eq(gm_sample_clock_init(&c, RATE_HZ), 0);
        cr_assert_eq(gm_sample_clock_set_rate(NULL, RATE_HZ), -EINVAL);
        cr_assert_eq(gm_sample_clock_set_rate(&c, 0.5), -EINVAL);
        cr_assert_eq(gm_sample_clock_set_rate(&c, NAN), -EINVAL);
        cr_assert_eq(c.rate_hz, RATE_HZ, "a refused rate is not taken");
        cr_assert_eq(gm_sample_clock_reopened(NULL, 1, true), -EINVAL);
        cr_assert_eq(gm_sample_clock_reopened(&c, 1u << GM_LOC_COUNT, true), -EINVAL);
        cr_assert_not(c.sensor[0].reopened);

        cr_assert_eq(gm_sample_clock_place(NULL, GM_LOC_PELVIS, 0, 0, &ts, &ev), -EINVAL);
        cr_assert_eq(gm_sample_clock_place(&c, GM_LOC_PELVIS, 0, 0, NULL, &ev), -EINVAL);
        cr_assert_eq(gm_sample_clock_place(&c, GM_LOC_PELVIS, 0, 0, &ts, NULL), -EINVAL);
        cr_assert_eq(gm_sample_clock_place(&c, GM_LOC_COUNT, 0, 0, &ts, &ev), -EINVAL);
        cr_assert_eq(gm_sample_clock_place(&c, (enum gm_loc) - 1, 0, 0, &ts, &ev), -EINVAL);
        cr_assert_eq(ts, 42);
        for (int loc = 0; loc < GM_LOC_COUNT; loc++)
                cr_assert_eq(c.sensor[loc].placed, 0);
        /* And then it works. */
        cr_assert_eq(gm_sample_clock_place(&c, GM_LOC_PELVIS, 0, 0, &ts, &ev), 1);
        cr_assert_eq(ts, 0);
}
