/* The daemon's sample clock: each sensor's timestamps placed on one common clock. */
#include "sample-clock.h"

#include <errno.h>
#include <math.h>
#include <string.h>

static bool rate_valid(double rate_hz)
{
        return rate_hz >= 1 && rate_hz <= 1e9; /* a period of 1 ns to 1 s */
}

int gm_sample_clock_init(struct gm_sample_clock *c, double rate_hz)
{
        if (!c || !rate_valid(rate_hz))
                return -EINVAL;
        memset(c, 0, sizeof(*c));
        c->rate_hz = rate_hz;
        return 0;
}

int gm_sample_clock_set_rate(struct gm_sample_clock *c, double rate_hz)
{
        if (!c || !rate_valid(rate_hz))
                return -EINVAL;
        c->rate_hz = rate_hz;
        return 0;
}

int gm_sample_clock_reopened(struct gm_sample_clock *c, unsigned loc_mask, bool same_source)
{
        if (!c || loc_mask >> GM_LOC_COUNT)
                return -EINVAL;
        for (int loc = 0; loc < GM_LOC_COUNT; loc++)
                c->sensor[loc].reopened = loc_mask & (1u << loc);
        c->reopened_same_source = same_source;
        return 0;
}

/* a < b - d, for timestamps anywhere in 64 bits. */
static bool behind(int64_t a, int64_t b, int64_t d)
{
        int64_t limit;
        if (__builtin_sub_overflow(b, d, &limit))
                return false; /* b - d is below every timestamp */
        return a < limit;
}

/* |a - b| > d */
static bool apart(int64_t a, int64_t b, int64_t d)
{
        int64_t diff;
        if (__builtin_sub_overflow(a, b, &diff))
                return true;
        return diff > d || diff < -d;
}

/* a + b - c, false when it does not fit. */
static bool add_sub(int64_t a, int64_t b, int64_t c, int64_t *out)
{
        int64_t sum;
        return !__builtin_add_overflow(a, b, &sum) && !__builtin_sub_overflow(sum, c, out);
}

/* A timestamp far behind the last one: the sensor's clock started again (a restarted iiod or
 * emulator, a reset device). Its time goes on from where it was, after the time it was away;
 * sensors of one source that restart together get one offset, so they stay aligned. Their
 * first timestamps may be far apart (a source running faster than real time, sensors reopened
 * one after the other), but they are on one clock. One whose last sample was later than the
 * shared offset puts its new ones (it had read further ahead than the first sensor back) keeps
 * the shared offset too, and its samples up to that last one are dropped as already seen:
 * an offset of its own would put it out of step with the others by as much as it was ahead. */
static int restart(const struct gm_sample_clock *c, enum gm_loc loc, int64_t raw_ns, uint64_t mono_us,
                   struct gm_sample_clock_sensor *s, struct gm_sample_clock_restart *r,
                   struct gm_sample_clock_event *ev)
{
        int64_t period_ns = (int64_t)(1e9 / c->rate_hz);
        ev->last_ns = s->last_ns;
        if (r->happened && mono_us - r->at_us < (uint64_t)GM_SAMPLE_CLOCK_RESTART_SAME_US && r->loc != loc) {
                int64_t after_last, ahead_ns;
                if (!add_sub(s->last_ns, period_ns, raw_ns, &after_last))
                        return -ERANGE;
                s->offset_ns = r->offset_ns;
                if (after_last > r->offset_ns) {
                        if (__builtin_sub_overflow(after_last, r->offset_ns, &ahead_ns) ||
                            ahead_ns > GM_SAMPLE_CLOCK_RESUME_MAX_NS) {
                                s->offset_ns = after_last; /* too far apart for one clock */
                        } else {
                                s->resuming = true;
                                s->resume_after_ns = s->last_ns;
                        }
                }
                ev->with_other = true;
                ev->with_loc = r->loc;
                return 0;
        }
        int64_t away_ns, offset_ns;
        if (__builtin_mul_overflow((int64_t)(mono_us - s->last_arrival_us), 1000, &away_ns) ||
            !add_sub(s->last_ns, away_ns > period_ns ? away_ns : period_ns, raw_ns, &offset_ns))
                return -ERANGE;
        s->resuming = false;
        s->offset_ns = offset_ns;
        *r = (struct gm_sample_clock_restart){ .happened = true, .at_us = mono_us, .offset_ns = offset_ns, .loc = loc };
        return 0;
}

static bool any_placed(const struct gm_sample_clock *c)
{
        for (int loc = 0; loc < GM_LOC_COUNT; loc++)
                if (c->sensor[loc].placed > 0)
                        return true;
        return false;
}

/* The offset every sensor with samples has, when they share one: the clock of their source,
 * which a sensor that starts later reads too. */
static bool common_offset(const struct gm_sample_clock *c, int64_t *offset_ns)
{
        bool any = false;
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                const struct gm_sample_clock_sensor *s = &c->sensor[loc];
                if (s->placed == 0)
                        continue;
                if (any && s->offset_ns != *offset_ns)
                        return false;
                *offset_ns = s->offset_ns;
                any = true;
        }
        return any;
}

/* The samples missing between two in a row of one sensor. */
static uint64_t missing_between(const struct gm_sample_clock *c, int64_t last_ns, int64_t ts_ns)
{
        int64_t step_ns;
        double span_ns = __builtin_sub_overflow(ts_ns, last_ns, &step_ns) ? (double)ts_ns - (double)last_ns
                                                                          : (double)step_ns;
        double missing = span_ns / (1e9 / c->rate_hz) - 1;
        if (!(missing > 0.5))
                return 0;
        return missing < 0x1p63 ? (uint64_t)llround(missing) : UINT64_MAX;
}

int64_t gm_sample_clock_order(const struct gm_sample_clock *c, enum gm_loc loc, int64_t raw_ns)
{
        if (!c || (unsigned)loc >= GM_LOC_COUNT)
                return INT64_MIN;
        const struct gm_sample_clock_sensor *s = &c->sensor[loc];
        int64_t offset_ns = s->offset_ns, ts;
        /* Where such a sample goes depends on the others' samples placed before it (JOINED at
         * their newest, a restart after the time it was away): placed early, it settles the
         * sensor's offset, and its later samples are ordered by it. */
        if (s->reopened || (s->placed == 0 && any_placed(c) && !common_offset(c, &offset_ns)))
                return INT64_MIN;
        if (__builtin_add_overflow(raw_ns, offset_ns, &ts))
                return raw_ns > 0 ? INT64_MAX : INT64_MIN;
        return ts;
}

int gm_sample_clock_place(struct gm_sample_clock *c, enum gm_loc loc, int64_t raw_ns, uint64_t mono_us, int64_t *ts_ns,
                          struct gm_sample_clock_event *ev)
{
        if (!c || !ts_ns || !ev || (unsigned)loc >= GM_LOC_COUNT || !rate_valid(c->rate_hz))
                return -EINVAL;
        *ev = (struct gm_sample_clock_event){ .type = GM_SAMPLE_CLOCK_STEADY };
        /* Worked on in copies: a sample whose time does not fit changes nothing. */
        struct gm_sample_clock_sensor s = c->sensor[loc];
        struct gm_sample_clock_restart r = c->restart;
        int64_t ts;
        if (__builtin_add_overflow(raw_ns, s.offset_ns, &ts))
                return -ERANGE;
        if (s.resuming) {
                if (ts <= s.resume_after_ns)
                        return 0; /* seen before its clock restarted */
                s.resuming = false;
        }
        bool reopened = s.reopened;
        s.reopened = false;
        /* Reopened on the same source, a clock that went on is the one it was: keeping it keeps
         * the sensors aligned however long each took to reopen. */
        bool goes_on = reopened && c->reopened_same_source && ts > s.last_ns;
        int err = 0;
        if (s.placed > 0 && reopened && !goes_on) {
                ev->type = GM_SAMPLE_CLOCK_REOPENED;
                err = restart(c, loc, raw_ns, mono_us, &s, &r, ev);
        } else if (s.placed > 0 && behind(ts, s.last_ns, GM_SAMPLE_CLOCK_BACK_NS)) {
                ev->type = GM_SAMPLE_CLOCK_RESTARTED;
                err = restart(c, loc, raw_ns, mono_us, &s, &r, ev);
        } else if (s.placed == 0 && any_placed(c)) {
                /* A sensor that starts after the others reads their source's clock: its first
                 * sample may be well ahead of their newest (it opened later, theirs come a buffer
                 * at a time), the more so faster than real time. Only when they do not share one
                 * offset is its clock judged by how far it is from theirs; a clock of its own
                 * starts at their newest time. */
                int64_t offset_ns;
                if (common_offset(c, &offset_ns)) {
                        if (offset_ns != s.offset_ns)
                                ev->type = GM_SAMPLE_CLOCK_SHARED;
                        s.offset_ns = offset_ns;
                } else if (apart(ts, c->newest_ns, GM_SAMPLE_CLOCK_BACK_NS)) {
                        if (__builtin_sub_overflow(c->newest_ns, raw_ns, &s.offset_ns))
                                err = -ERANGE;
                        ev->type = GM_SAMPLE_CLOCK_JOINED;
                }
        }
        if (err < 0 || __builtin_add_overflow(raw_ns, s.offset_ns, &ts)) {
                *ev = (struct gm_sample_clock_event){ .type = GM_SAMPLE_CLOCK_STEADY };
                return -ERANGE;
        }
        ev->offset_ns = s.offset_ns;
        if (ev->type == GM_SAMPLE_CLOCK_SHARED || ev->type == GM_SAMPLE_CLOCK_JOINED)
                ev->start_ns = ts;

        int placed = 0;
        if (s.resuming && ts <= s.resume_after_ns)
                goto keep; /* the first sample after its restart, seen before */
        if (s.placed > 0 && !reopened) {
                if (ts <= s.last_ns)
                        goto keep; /* a stray timestamp: the pipeline needs time order */
                ev->missing = missing_between(c, s.last_ns, ts);
        }
        s.last_ns = ts;
        s.last_arrival_us = mono_us;
        s.placed++;
        if (!c->have_newest || ts > c->newest_ns) {
                c->newest_ns = ts;
                c->have_newest = true;
        }
        *ts_ns = ts;
        placed = 1;
keep:
        c->sensor[loc] = s;
        c->restart = r;
        return placed;
}
