/* Events from a shank or foot gyro: the swing is the large forward rotation; final contact
 * is the last minimum before it, initial contact the first minimum after it. */
#include <errno.h>
#include <math.h>

#include "gm_align.h"
#include "gm_detect.h"
#include "gm_filter.h"

#define SWING_LP_HZ 4.0     /* finds swings */
#define EVENT_LP_HZ 12.0    /* times events */
#define MIN_SWING_RATE 1.2  /* rad/s: slower is not a step */
#define FC_WINDOW 0.45      /* fraction of the stride searched before the swing peak */
#define IC_WINDOW 0.35      /* ... and after it */
#define SHANK_IC_WINDOW 0.2 /* heel strike follows the swing's end within this fraction */
/* A foot pushes off with a plantarflexion dip at toe-off and, running, whips once more as it
 * leaves (a second dip some 0.1 s later, as deep): toe-off is the first of the dips nearly as
 * deep as the deepest, searched from after the landing's own dip back to the swing. */
#define FOOT_FC_WINDOW 0.6 /* fraction of the stride searched before the swing peak */
#define FOOT_LANDING 0.15  /* fraction of the stride after a contact that is the landing */
#define FOOT_FC_DEPTH 0.8  /* nearly as deep: this fraction of the deepest dip */
/* Walking, a foot swings up onto its heel and rolls on it before the heel lands, then slaps
 * down flat: the contact lies between the end of the upward rotation and the slap's fastest,
 * which comes within this fraction of the stride. Running lands at once: the rotation ends
 * at the contact. Walking is told by the foot's duty factor: on the ground for more than half
 * of the stride (double support). */
#define FOOT_SLAP 0.15
#define WALK_DUTY 0.5

struct state {
        double rate;
        enum gm_side side;
        struct gm_align align;
        struct gm_biquad swing_lp[2], event_lp;
        struct gm_hist swing, fine, t;
        size_t n;
        size_t cand; /* candidate swing peak index, 0 = none */
        double cand_val;
        size_t last_peak;
        double peak_level; /* running typical swing peak */
        double stride_s;   /* running typical stride time */
        double duty;       /* running typical fraction of the stride on the ground, 0 = unknown */
        size_t pending;    /* decided swing peak waiting for its IC window */
        size_t last_fc, last_ic;
        double delay; /* group delay of the event filter, s */
        bool foot;
        bool settled;       /* the sign of the rotation is known: events are emitted */
        unsigned flips;     /* sign reversals of the alignment already applied to the history */
        double last_emit_t; /* events are emitted in time order, each once */
};

static int init_common(struct state *s, double rate_hz, enum gm_side side, bool has_gyr)
{
        s->rate = rate_hz;
        s->side = side;
        gm_align_init(&s->align, rate_hz);
        for (int i = 0; i < 2; i++)
                gm_biquad_lowpass(&s->swing_lp[i], rate_hz, SWING_LP_HZ);
        gm_biquad_lowpass(&s->event_lp, rate_hz, EVENT_LP_HZ);
        s->delay = M_SQRT2 / (2 * M_PI * EVENT_LP_HZ); /* Butterworth, low frequencies */
        s->peak_level = 3.0;
        s->stride_s = 1.1;
        s->last_emit_t = -INFINITY;
        return has_gyr ? 0 : -EINVAL;
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

/* Lowest local minimum in [from, to) of the fine signal; the latest (for fc) or the
 * earliest (for ic) among those nearly as deep, since the event is the contact itself. */
static size_t deepest_min(const struct state *s, size_t from, size_t to)
{
        if (from < oldest(s) + 1)
                from = oldest(s) + 1;
        if (to + 1 > s->n)
                to = s->n - 1;
        if (from >= to)
                return 0;
        return gm_hist_argmin(&s->fine, from, to);
}

/* The earliest local minimum in [from, to) of the fine signal at least FOOT_FC_DEPTH as deep as
 * the deepest; 0 when there is none. */
static size_t first_deep_min(const struct state *s, size_t from, size_t to)
{
        size_t deepest = deepest_min(s, from, to);
        if (!deepest)
                return 0;
        double floor = FOOT_FC_DEPTH * gm_hist_at(&s->fine, deepest);
        if (!(floor < 0))
                return deepest;
        for (size_t i = from > oldest(s) + 1 ? from : oldest(s) + 1; i < deepest; i++)
                if (gm_hist_at(&s->fine, i) <= floor && gm_hist_at(&s->fine, i) <= gm_hist_at(&s->fine, i - 1) &&
                    gm_hist_at(&s->fine, i) <= gm_hist_at(&s->fine, i + 1))
                        return i;
        return deepest;
}

static void emit(struct state *s, struct gm_event_out *out, size_t i, enum gm_event_kind kind)
{
        double t = gm_hist_at(&s->t, i) - s->delay;
        if (!s->settled || t <= s->last_emit_t)
                return;
        gm_event_emit(out, t, s->side, kind);
        s->last_emit_t = t;
}

static void decide(struct state *s, struct gm_event_out *out)
{
        size_t p = s->pending;
        size_t w_fc = samples(s, FC_WINDOW * s->stride_s), w_ic = samples(s, IC_WINDOW * s->stride_s);
        size_t lo = p > w_fc ? p - w_fc : 0;
        if (lo <= s->last_fc)
                lo = s->last_fc + 1;
        size_t fc;
        if (s->foot) {
                size_t w = samples(s, FOOT_FC_WINDOW * s->stride_s),
                       after = s->last_ic + samples(s, FOOT_LANDING * s->stride_s);
                lo = p > w ? p - w : 0;
                if (s->last_ic && lo < after)
                        lo = after;
                if (lo <= s->last_fc)
                        lo = s->last_fc + 1;
                fc = first_deep_min(s, lo, p);
        } else {
                fc = deepest_min(s, lo, p);
        }
        size_t ic = 0;
        /* The swing ends where the rotation reverses: a foot is on the ground then; a shank
         * still has the heel strike ahead, its sharp dip just after. */
        for (size_t k = p + 1; k < p + w_ic && k < s->n; k++)
                if (gm_hist_at(&s->fine, k) < 0) {
                        ic = k;
                        break;
                }
        if (ic && !s->foot)
                ic = s->duty > WALK_DUTY ? first_deep_min(s, ic, ic + samples(s, SHANK_IC_WINDOW * s->stride_s))
                                         : deepest_min(s, ic, ic + samples(s, SHANK_IC_WINDOW * s->stride_s));
        if (ic && s->foot && s->duty > WALK_DUTY) {
                /* A flat landing has no slap of its own to find (the window's deepest is its edge). */
                size_t slap = deepest_min(s, ic, ic + samples(s, FOOT_SLAP * s->stride_s));
                if (slap > ic && slap + 1 < s->n && gm_hist_at(&s->fine, slap + 1) > gm_hist_at(&s->fine, slap))
                        ic = (ic + slap) / 2;
        }
        /* Until the sign has settled, events would be guesses; they are found again then. */
        if (fc && gm_hist_at(&s->fine, fc) < gm_hist_at(&s->fine, p)) {
                double duty = s->last_ic && fc > s->last_ic ? (fc - s->last_ic) / s->rate / s->stride_s : NAN;
                if (duty < 1) /* not across a missed stride */
                        s->duty = s->duty > 0 ? s->duty + 0.2 * (duty - s->duty) : duty;
                emit(s, out, fc, GM_EVENT_FC);
                s->last_fc = fc;
        }
        if (ic) {
                emit(s, out, ic, GM_EVENT_IC);
                s->last_ic = ic;
        }
        s->pending = 0;
}

/* Swing peaks and events at sample i of the stored signals. */
static void scan(struct state *s, size_t i, struct gm_event_out *out)
{
        double ws = gm_hist_at(&s->swing, i);
        /* The swing filter lags; peaks are searched on it, events on the fine signal. */
        double thr = fmax(MIN_SWING_RATE, 0.35 * s->peak_level);
        if (ws > thr && (!s->cand || ws > s->cand_val)) {
                s->cand = i;
                s->cand_val = ws;
        }
        if (s->cand && (ws < 0.5 * s->cand_val || i - s->cand > samples(s, 0.25))) {
                size_t lag = samples(s, 0.04); /* 2 x 2nd-order 4 Hz group delay, about */
                size_t peak = s->cand > lag ? s->cand - lag : s->cand;
                /* Refine on the fine signal around the coarse peak. */
                size_t a = peak > samples(s, 0.1) ? peak - samples(s, 0.1) : oldest(s) + 1;
                if (a < oldest(s) + 1)
                        a = oldest(s) + 1;
                peak = gm_hist_argmax(&s->fine, a, peak + samples(s, 0.1) < s->n ? peak + samples(s, 0.1) : s->n);
                double since = s->last_peak ? (peak - s->last_peak) / s->rate : 99;
                if (since > 0.35) {
                        if (s->pending)
                                decide(s, out);
                        if (since < 2.5)
                                s->stride_s += 0.2 * (since - s->stride_s);
                        s->peak_level += 0.2 * (s->cand_val - s->peak_level);
                        s->last_peak = peak;
                        s->pending = peak;
                }
                s->cand = 0;
        }
        if (s->pending && i >= s->pending + samples(s, (IC_WINDOW + SHANK_IC_WINDOW) * s->stride_s))
                decide(s, out);
}

static void negate(struct gm_hist *h, struct gm_biquad *f, size_t nf, size_t from, size_t to)
{
        for (size_t i = from; i < to; i++)
                h->v[i & (GM_HIST_LEN - 1)] = -gm_hist_at(h, i);
        for (size_t k = 0; k < nf; k++) {
                f[k].z1 = -f[k].z1;
                f[k].z2 = -f[k].z2;
        }
}

/* The sign of the rotation became known or was reversed: what is stored is read again
 * with the right sign, so the first strides are not lost or misplaced. */
static void rescan(struct state *s, struct gm_event_out *out)
{
        if (s->flips != s->align.flips) {
                negate(&s->swing, s->swing_lp, 2, oldest(s), s->n);
                negate(&s->fine, &s->event_lp, 1, oldest(s), s->n);
                s->flips = s->align.flips;
        }
        s->cand = s->pending = s->last_peak = s->last_ic = 0;
        s->duty = 0;
        s->peak_level = 3.0;
        s->stride_s = 1.1;
        for (size_t i = oldest(s) + 1; i < s->n; i++)
                scan(s, i, out);
}

static void push(void *st, const struct gm_sample *smp, struct gm_event_out *out)
{
        struct state *s = st;
        gm_align_push(&s->align, smp, true);
        double w = gm_align_main_rate(&s->align, smp->gyr);
        gm_hist_push(&s->swing, gm_biquad_run(&s->swing_lp[1], gm_biquad_run(&s->swing_lp[0], w)));
        gm_hist_push(&s->fine, gm_biquad_run(&s->event_lp, w));
        gm_hist_push(&s->t, smp->t);
        size_t i = s->n++;
        bool settled = gm_align_sign_settled(&s->align);
        if (settled != s->settled || s->flips != s->align.flips) {
                s->settled = settled;
                rescan(s, out);
                return;
        }
        scan(s, i, out);
}

static void flush(void *st, struct gm_event_out *out)
{
        struct state *s = st;
        if (s->pending)
                decide(s, out);
}

static int init_shank(void *st, double rate_hz, enum gm_side side, bool has_gyr)
{
        return init_common(st, rate_hz, side, has_gyr);
}

/* Ready to speak for its side before another sensor of it: a foot that never rested
 * settles by the longest excursion, which places its events less well than a shank the
 * pelvis times (rbds0041: 273 ms stance against 253), so it speaks only alone. */
static bool ready(const void *st)
{
        const struct state *s = st;
        return s->settled && gm_align_sign_voted(&s->align);
}

static int init_foot(void *st, double rate_hz, enum gm_side side, bool has_gyr)
{
        struct state *s = st;
        int r = init_common(s, rate_hz, side, has_gyr);
        gm_align_set_sign_mode(&s->align, GM_ALIGN_SIGN_AFTER_QUIET);
        s->foot = true;
        return r;
}

static struct gm_align *align_of(void *st)
{
        return &((struct state *)st)->align;
}

const struct gm_detector gm_detector_shank_gyro = {
        .name = "shank_gyro",
        .state_size = sizeof(struct state),
        .init = init_shank,
        .push = push,
        .flush = flush,
        .align = align_of,
        .ready = ready,
};

const struct gm_detector gm_detector_foot_gyro = {
        .name = "foot_gyro",
        .state_size = sizeof(struct state),
        .init = init_foot,
        .push = push,
        .flush = flush,
        .align = align_of,
        .ready = ready,
};
