/* Events from a shank accelerometer without a gyro: initial contact from the impact
 * transient of |acc|, final contact from the unloading of the shank along "up". */
#include <math.h>
#include <string.h>

#include "gm_align.h"
#include "gm_detect.h"
#include "gm_filter.h"

#define RISE_S \
        0.07 /* the impact rises out of the near free fall of terminal swing
                              * within tens of ms; swing and push-off peaks rise more slowly */
#define NMS_FRACTION \
        0.6 /* searching: one impact per stride, the largest within ±0.6
                              * stride; push-off and swing peaks lie 0.1-0.45 stride away */
#define TRACK_WINDOW \
        0.35 /* tracking: the next impact is the largest within ±0.35 stride
                              * of one stride after the last (treadmill and steady running
                              * vary a few percent); the other foot's strike, felt in the
                              * swinging shank, is half a stride away */
#define TRACK_PRIOR \
        0.5                   /* strides are regular: a peak at the edge of the tracking
                              * window must be twice the size of one at the expected time */
#define MIN_STRIDE_S 0.4      /* sprinting */
#define MAX_STRIDE_S 2.0      /* slow walking */
#define MIN_IMPACT_G 0.5      /* g: smaller transients are not foot strikes */
#define IMPACT_LEVEL_FRAC 0.3 /* of the typical impact: weaker peaks are not foot strikes */
#define IC_LATENCY_S \
        0.035           /* the shank's impact peak follows ground contact (heel pad
                              * compression, foot slap) */
#define FINE_LP_HZ 15.0 /* keeps the unloading dip, drops the impact ringing */
#define RUN_DIP_G \
        0.3                     /* running: the shank is flung off the ground and the specific
                              * force along it falls near zero right after toe off */
#define FC_LATENCY_RUN_S 0.040  /* unloading dip after toe off (with the filter's delay) */
#define FC_LATENCY_WALK_S 0.005 /* push-off peak to toe off (with the filter's delay) */
#define WALK_FC_FROM \
        0.4 /* of the stride: walking toe off is at about 0.6, the loading
                               * peaks of early stance come before 0.3 */

struct state {
        double rate;
        enum gm_side side;
        struct gm_align align;
        struct gm_biquad v_lp, mag_lp;
        struct gm_hist mag, magf, score, vf, t;
        size_t n;
        size_t last_ic;      /* index of the last accepted impact peak, 0 = none */
        size_t decided;      /* candidates below this index are settled */
        bool tracking;       /* the stride time is known: look one stride ahead */
        bool searched;       /* the last impact was found by searching */
        double stride_s;     /* running typical stride time */
        double impact_level; /* running typical impact score, g */
};

static int init(void *st, double rate_hz, enum gm_side side, bool has_gyr)
{
        struct state *s = st;
        (void)has_gyr;
        memset(s, 0, sizeof(*s));
        s->rate = rate_hz;
        s->side = side;
        gm_align_init(&s->align, rate_hz);
        double fine = FINE_LP_HZ < 0.4 * rate_hz ? FINE_LP_HZ : 0.4 * rate_hz;
        gm_biquad_lowpass(&s->v_lp, rate_hz, fine);
        gm_biquad_lowpass(&s->mag_lp, rate_hz, fine);
        /* Long enough that a walking stride's push-off is not taken for an impact at the
         * start; the running stride (0.7 s) is still longer than the suppression window. */
        s->stride_s = 1.15;
        s->impact_level = 1.0;
        return 0;
}

static size_t samples(const struct state *s, double sec)
{
        return (size_t)(sec * s->rate + 0.5);
}

/* Earliest index still in the history. */
static size_t oldest(const struct state *s)
{
        return s->n > GM_HIST_LEN - 1 ? s->n - (GM_HIST_LEN - 1) : 0;
}

static double t_at(const struct state *s, size_t i)
{
        return gm_hist_at(&s->t, i);
}

/* Final contact between two impacts. Running (the foot leaves the ground before half
 * the stride): the shank is flung off the ground and the specific force along "up"
 * dips to about zero. Walking: the shank stays loaded into pre-swing; toe off is the
 * last push-off peak of |acc| before the quiet swing. */
static bool find_fc(const struct state *s, size_t ic0, size_t ic1, double *t_fc)
{
        size_t stride = ic1 - ic0;
        size_t lo = ic0 + stride / 5, hi = ic1 - stride / 4;
        if (lo < oldest(s) || lo >= hi)
                return false;
        size_t j = gm_hist_argmin(&s->vf, lo, hi);
        if (gm_hist_at(&s->vf, j) < RUN_DIP_G && j - ic0 < stride / 2) {
                *t_fc = t_at(s, j) - FC_LATENCY_RUN_S;
                return true;
        }
        size_t plo = ic0 + (size_t)(WALK_FC_FROM * stride);
        if (plo >= hi)
                return false;
        *t_fc = t_at(s, gm_hist_argmax(&s->magf, plo, hi)) - FC_LATENCY_WALK_S;
        return true;
}

static void accept(struct state *s, size_t c, struct gm_event_out *out)
{
        /* The score peaks with |acc|; take the |acc| maximum next to it. */
        size_t pk = c;
        if (c > oldest(s) && gm_hist_at(&s->mag, c - 1) > gm_hist_at(&s->mag, pk))
                pk = c - 1;
        if (c + 1 < s->n && gm_hist_at(&s->mag, c + 1) > gm_hist_at(&s->mag, pk))
                pk = c + 1;
        double t_ic = t_at(s, pk) - IC_LATENCY_S;
        if (s->last_ic) {
                double stride = (c - s->last_ic) / s->rate;
                double t_fc;
                if (stride < MAX_STRIDE_S && find_fc(s, s->last_ic, c, &t_fc))
                        gm_event_emit(out, t_fc, s->side, GM_EVENT_FC);
                if (s->tracking) {
                        s->stride_s += 0.3 * (stride - s->stride_s);
                } else if (s->searched && stride > MIN_STRIDE_S && stride < MAX_STRIDE_S) {
                        /* Two impacts in a row found by searching give the stride time. */
                        s->stride_s = stride;
                        s->tracking = true;
                }
        }
        gm_event_emit(out, t_ic, s->side, GM_EVENT_IC);
        s->impact_level += 0.2 * (gm_hist_at(&s->score, c) - s->impact_level);
        s->last_ic = c;
}

/* Decide candidate c when [c - w, c + w] is known (or the stream ended at hi). */
static void consider(struct state *s, size_t c, size_t hi, struct gm_event_out *out)
{
        double sc = gm_hist_at(&s->score, c);
        double thr = fmax(MIN_IMPACT_G, IMPACT_LEVEL_FRAC * s->impact_level);
        if (sc < thr || c < oldest(s) + 1 || c + 1 >= s->n)
                return;
        if (gm_hist_at(&s->score, c - 1) > sc || gm_hist_at(&s->score, c + 1) >= sc)
                return;
        size_t w = samples(s, NMS_FRACTION * s->stride_s);
        size_t lo = c > w ? c - w : 0;
        if (lo < oldest(s))
                lo = oldest(s);
        size_t end = c + w + 1 < hi ? c + w + 1 : hi;
        for (size_t i = lo; i < end; i++) {
                double x = gm_hist_at(&s->score, i);
                if (x > sc || (x == sc && i < c))
                        return;
        }
        if (s->last_ic && c - s->last_ic < samples(s, 0.4 * s->stride_s))
                return;
        accept(s, c, out);
        s->searched = true;
}

static bool is_peak(const struct state *s, size_t c)
{
        double sc = gm_hist_at(&s->score, c);
        return c > oldest(s) && c + 1 < s->n && gm_hist_at(&s->score, c - 1) <= sc && gm_hist_at(&s->score, c + 1) < sc;
}

/* Tracking: once the window around one stride after the last impact has passed, the
 * largest impact in it is the next one; without one, searching resumes. */
static void track(struct state *s, bool end, struct gm_event_out *out)
{
        size_t from = s->last_ic + samples(s, (1 - TRACK_WINDOW) * s->stride_s);
        size_t to = s->last_ic + samples(s, (1 + TRACK_WINDOW) * s->stride_s);
        if (end && to + 1 >= s->n)
                to = s->n - 1;
        else if (s->n <= to + 1)
                return;
        double thr = fmax(MIN_IMPACT_G, IMPACT_LEVEL_FRAC * s->impact_level);
        double expect = s->last_ic + s->stride_s * s->rate, half = TRACK_WINDOW * s->stride_s * s->rate;
        size_t best = 0;
        double best_w = 0;
        for (size_t c = from > oldest(s) ? from : oldest(s); c <= to; c++) {
                double sc = gm_hist_at(&s->score, c);
                if (!is_peak(s, c) || sc < thr)
                        continue;
                /* Strides are regular: a peak far from the expected time must be larger. */
                double w = sc * (1 - TRACK_PRIOR * fabs(c - expect) / half);
                if (w > best_w) {
                        best = c;
                        best_w = w;
                }
        }
        if (best) {
                s->searched = false;
                accept(s, best, out);
                s->decided = best + 1;
        } else {
                s->tracking = false;
                s->decided = to + 1;
        }
}

static void push(void *st, const struct gm_sample *smp, struct gm_event_out *out)
{
        struct state *s = st;
        gm_align_push(&s->align, smp, false);
        double up[3];
        gm_align_up(&s->align, up);
        double mag = sqrt(smp->acc[0] * smp->acc[0] + smp->acc[1] * smp->acc[1] + smp->acc[2] * smp->acc[2]) /
                     GM_GRAVITY;
        double v = (smp->acc[0] * up[0] + smp->acc[1] * up[1] + smp->acc[2] * up[2]) / GM_GRAVITY;
        size_t i = s->n;
        if (i == 0) {
                gm_biquad_reset(&s->v_lp, v);
                gm_biquad_reset(&s->mag_lp, mag);
        }
        gm_hist_push(&s->mag, mag);
        gm_hist_push(&s->magf, gm_biquad_run(&s->mag_lp, mag));
        gm_hist_push(&s->vf, gm_biquad_run(&s->v_lp, v));
        gm_hist_push(&s->t, smp->t);
        /* Impact score: rise of |acc| above its lowest value of the last 70 ms. */
        size_t rise = samples(s, RISE_S);
        double mn = mag;
        for (size_t k = 1; k <= rise && k <= i - oldest(s); k++)
                mn = fmin(mn, gm_hist_at(&s->mag, i - k));
        gm_hist_push(&s->score, mag - mn);
        s->n++;

        if (s->tracking) {
                track(s, false, out);
                return;
        }
        size_t w = samples(s, NMS_FRACTION * s->stride_s);
        if (i >= w) {
                size_t c = i - w;
                if (c >= s->decided) {
                        consider(s, c, s->n, out);
                        s->decided = c + 1;
                }
        }
}

static void flush(void *st, struct gm_event_out *out)
{
        struct state *s = st;
        bool known = s->tracking; /* the stride time is trustworthy */
        if (s->tracking) {
                track(s, true, out);
        } else {
                for (size_t c = s->decided > oldest(s) ? s->decided : oldest(s); c < s->n; c++)
                        consider(s, c, s->n, out);
                s->decided = s->n;
        }
        /* The toe off after the last impact, when its search window has been seen. */
        size_t next = s->last_ic + samples(s, s->stride_s);
        double t_fc;
        if (known && s->last_ic && next - samples(s, s->stride_s) / 4 <= s->n && find_fc(s, s->last_ic, next, &t_fc))
                gm_event_emit(out, t_fc, s->side, GM_EVENT_FC);
}

static struct gm_align *align_of(void *st)
{
        return &((struct state *)st)->align;
}

const struct gm_detector gm_detector_shank_acc = {
        .name = "shank_acc",
        .state_size = sizeof(struct state),
        .init = init,
        .push = push,
        .flush = flush,
        .align = align_of,
};
