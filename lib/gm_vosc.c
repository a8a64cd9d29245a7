/* Vertical oscillation per step: the vertical acceleration integrated twice over each half of
 * a stride. Half a stride is one step period whatever the phase it starts at, and over one
 * period of steady gait the pelvis comes back to the height and the vertical speed it had:
 * the half's mean acceleration (the estimate of "up" is never exact) and mean speed are taken
 * out before each integration, and what is left is the step's rise and fall. A side's stride
 * rather than the span between two contacts: the sides' contacts reach the pipeline at
 * different delays (a foot at once, a shank after the pelvis' timing), while a side's strides
 * come complete and in order, and half of one is a period whatever the other side's timing. */
#include "gm_vosc.h"

#include <math.h>
#include <string.h>

#include "gm_stats.h"

/* A stride lasts 0.4-3 s (running fast to walking very slowly). */
#define MIN_STRIDE_S 0.4
#define MAX_STRIDE_S 3.0
/* Rise and fall a body makes in a step (cm): a few mm in a shuffle, up to 15 cm running with
 * long flights; more is a jump, a fall or a sensor knocked about, not gait. */
#define MIN_OSC_CM 0.2
#define MAX_OSC_CM 25.0
/* The samples of a stride are at most this many rate periods apart (lost samples). */
#define MAX_HOLE_PERIODS 3.0

void gm_vosc_init(struct gm_vosc *v, double rate_hz)
{
        memset(v, 0, sizeof(*v));
        v->rate_hz = rate_hz;
}

void gm_vosc_push(struct gm_vosc *v, double vertical_acc)
{
        gm_hist_push(&v->acc, vertical_acc);
}

/* The sample nearest to time at, among those held (a window a sample short of a period reads
 * a step 2 % off, so not merely the last before it). */
static size_t sample_at(const struct gm_hist *t, size_t oldest, size_t n, double at)
{
        size_t i = gm_hist_after(t, n, at);
        if (i == n)
                return n - 1;
        if (i == oldest)
                return i;
        return at - gm_hist_at(t, i - 1) <= gm_hist_at(t, i) - at ? i - 1 : i;
}

/* Rise and fall (m) of the samples [first, last]; NaN across lost samples or a value that is
 * not a number. Trapezoids throughout: a mean taken as the samples' plain average weighs the
 * ends twice as much as the integral does, and that alone reads a running step 3 % high. With
 * A the integral of the acceleration from the first sample, the speed is A - a (t - t0) - v,
 * a = A(T) / T its mean acceleration and v = (integral of A) / T - a T / 2 its mean speed: one
 * pass finds both, a second integrates the height. */
static double rise_and_fall(const struct gm_vosc *v, const struct gm_hist *t, size_t first, size_t last)
{
        double t0 = gm_hist_at(t, first), span = gm_hist_at(t, last) - t0, max_dt = MAX_HOLE_PERIODS / v->rate_hz;
        double area = 0, area_area = 0;
        for (size_t i = first + 1; i <= last; i++) {
                double dt = gm_hist_at(t, i) - gm_hist_at(t, i - 1);
                if (!(dt <= max_dt))
                        return NAN;
                double next = area + (gm_hist_at(&v->acc, i) + gm_hist_at(&v->acc, i - 1)) / 2 * dt;
                area_area += (area + next) / 2 * dt;
                area = next;
        }
        if (!isfinite(area_area))
                return NAN;
        double mean_acc = area / span, mean_speed = area_area / span - mean_acc * span / 2;
        double height = 0, lo = 0, hi = 0, speed = -mean_speed;
        area = 0;
        for (size_t i = first + 1; i <= last; i++) {
                double ti = gm_hist_at(t, i), dt = ti - gm_hist_at(t, i - 1);
                area += (gm_hist_at(&v->acc, i) + gm_hist_at(&v->acc, i - 1)) / 2 * dt;
                double next = area - mean_acc * (ti - t0) - mean_speed;
                height += (speed + next) / 2 * dt;
                speed = next;
                lo = fmin(lo, height);
                hi = fmax(hi, height);
        }
        return hi - lo;
}

double gm_vosc_stride(struct gm_vosc *v, const struct gm_hist *t, double t_ic, double t_next_ic)
{
        double stride = t_next_ic - t_ic;
        size_t n = v->acc.n;
        if (!(stride >= MIN_STRIDE_S && stride <= MAX_STRIDE_S) || t->n != n)
                return NAN;
        size_t oldest = n > GM_HIST_LEN ? n - GM_HIST_LEN : 0;
        /* The stride's length in samples from its duration, not from two roundings of its ends
         * (which may each go either way), and its halves. */
        size_t first = sample_at(t, oldest, n, t_ic), len = (size_t)lround(stride * v->rate_hz);
        size_t last = first + len, mid = first + len / 2;
        /* A stride whose start has left the history, or whose end has not come, is not measured. */
        if (last >= n || fabs(gm_hist_at(t, first) - t_ic) > 1.5 / v->rate_hz ||
            fabs(gm_hist_at(t, last) - t_next_ic) > 1.5 / v->rate_hz)
                return NAN;
        if (mid - first < 4 || last - mid < 4)
                return NAN;
        double step[2] = { 100 * rise_and_fall(v, t, first, mid), 100 * rise_and_fall(v, t, mid, last) };
        for (int k = 0; k < 2; k++)
                if (!(step[k] >= MIN_OSC_CM && step[k] <= MAX_OSC_CM))
                        return NAN;
        double cm = (step[0] + step[1]) / 2;
        v->recent[v->n_recent % GM_VOSC_RECENT] = cm;
        v->recent_t[v->n_recent % GM_VOSC_RECENT] = t_next_ic;
        v->n_recent++;
        v->sum_cm += cm;
        v->strides++;
        return cm;
}

double gm_vosc_recent_cm(const struct gm_vosc *v, double now, double max_age_s)
{
        double fresh[GM_VOSC_RECENT];
        size_t k = 0;
        for (unsigned i = 0; i < GM_VOSC_RECENT && i < v->n_recent; i++)
                if (v->recent_t[i] >= now - max_age_s)
                        fresh[k++] = v->recent[i];
        return gm_median(fresh, k);
}

double gm_vosc_mean_cm(const struct gm_vosc *v)
{
        return v->strides ? v->sum_cm / v->strides : NAN;
}
