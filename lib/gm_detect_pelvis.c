/* Gait events of both feet from one lower-back IMU: vertical acceleration, yaw rate and sway.
 * Walking: one load hump per step. Running: the body is airborne between contacts, so
 * each contact is the span over which the sacrum carries load. */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gm_align.h"
#include "gm_detect.h"
#include "gm_filter.h"
#include "gm_vec.h"

/* Each step loads the body: the vertical acceleration of the pelvis peaks in double
 * support, once per step. A low-pass well above the step rate (<= 3 Hz when walking)
 * but below the heel-strike transient shows one hump per step. */
#define STEP_LP_HZ 3.0
/* Heel strike starts the steep rise of vertical acceleration; a light smoothing keeps
 * its shape (the transient lasts about 50 ms). */
#define FINE_SIGMA_S 0.02
/* Smallest trough-to-hump rise that counts as a step (m/s²): quiet standing and sway stay
 * well below; slow walking while turning still reaches it. */
#define MIN_STEP_ACC 0.2
/* The pelvis transient peaks some 30-70 ms after the foot touches down (50 ms is the
 * median lag against instrumented-insole contacts on lower-back recordings). */
#define IC_LEAD_S 0.05
/* How far before the largest transient of a step an earlier one is looked for (a
 * loading response lasts about 0.2 s), and how high it must reach to be the contact. */
#define FIRST_RISE_S 0.2
#define FIRST_RISE_FRAC 0.6
/* Steps closer than this are one step (faster than 240 steps/min is not gait), and a
 * step is at least this fraction of the recent ones (cadence changes slowly). */
#define MIN_STEP_S 0.25
#define MIN_STEP_FRAC 0.6
/* Double support takes about a third of a step at walking speeds (~20 % of the stride per side). */
#define DOUBLE_SUPPORT_FRAC 0.3
/* A step with no neighbour within this time is not walking (slowest gait ~ 50 steps/min). */
#define MAX_STEP_S 1.3
/* A step's side is decided once the votes of this many later steps of its walk are in: a
 * walk's first steps and a step after a missed one have too little evidence before. */
#define SIDE_LOOKAHEAD 4
/* Most recent steps kept for the side decision (more than SIDE_LOOKAHEAD + 2). */
#define NSTEP 8
/* Yaw window around a contact (s): where the pelvis rotation of a step is clearest. */
#define YAW_BEFORE_S 0.1
#define YAW_AFTER_S 0.05
/* Yaw contrast that makes a confident vote (rad/s): typical step-to-step swing is 0.3-0.6. */
#define YAW_SCALE 0.2
/* In a turn the yaw's contrast with the neighbours is the turn's own rise and fall (a
 * U-turn's reaches 1.8 rad/s, a stride's swing 0.3-1), so a step's votes count less the
 * faster the pelvis turns: its yaw rate and a neighbour's, averaged (the stride's swing
 * cancels), against this (rad/s). Its weight is a half at this rate. The sway's contrast
 * stays: the centripetal acceleration rises and falls too, but weighing it down as well
 * lost more in straight walking than it won in turns (mobgap with U-turns: sides right
 * 96.0 % unweighted, 98.3 % the yaw weighed, 97.6 % both). */
#define TURN_SCALE 0.5
/* Probability that the next detected step is the other foot: a missed or an extra step
 * (shuffling, turning on the spot) breaks the alternation about once in ten steps. */
#define ALTERNATE_P 0.9
/* Log-odds (right vs left) carried by one fully confident feature. */
#define VOTE_GAIN 1.5
/* A side is named when it is at least twice as likely as the other (log-odds ln 2);
 * below, the contact's side is unknown rather than a guess. */
#define SIDE_MIN_LLR M_LN2
/* Medio-lateral sway: the pelvis is pushed towards the new stance foot just before its
 * contact and back towards the midline once weight is on it (a stride-periodic swing of
 * 1-3 m/s² in the horizontal acceleration, low-passed below the impact transients).
 * Windows relative to the contact, after the filter's ~0.1 s delay. */
#define SWAY_LP_HZ 4.0
#define SWAY_PRE_A_S 0.15
#define SWAY_PRE_B_S 0.05
#define SWAY_POST_A_S 0.15
#define SWAY_POST_B_S 0.25
/* Sway contrast that makes a confident vote (m/s²): typical step-to-step swing is 2-4. */
#define SWAY_SCALE 1.0
/* Evidence for the learnt direction of "right" (yaw votes x m/s², or the braking's below)
 * at which sway counts half: about two confident steps. */
#define SWAY_TRUST 5.0
/* Once learnt, sway counts twice what the yaw does: on lower-back walking recordings its
 * sign names the side of 95 % of contacts (all of those beyond 2 m/s²), the yaw's 88 %; in
 * a U-turn the turn's own rise and fall outweighs a stride's yaw swing (67 %), not its
 * sway (95 %). */
#define SWAY_GAIN 2.0
/* Without a gyroscope the sway tells which way is right on its own. At a walking contact
 * the trunk is braked: its forward acceleration drops the same way at every step, while the
 * sideways push changes sign from foot to foot. So the sway features summed over the steps
 * point along the line of walking, and that sum crossed with "up" points to the right: on
 * every lower-back walking recording we have (mobgap, wbds: 9 of 9, from the first steps
 * on). In running the sway windows fall half a step later and the sum points the other way
 * (rbds: 5 of 5). With a gyroscope the yaw says it more strongly (1.3-2.6 m/s² a step, the
 * braking 0.3-1.8), and adding the braking's evidence only made the sway overrule the yaw
 * where the sway is weak (wbds). The braking's evidence counts this much. */
#define FWD_GAIN 2.0

/* The pelvis turns once each way per stride, so the yaw rate's half period is the step
 * time, whatever the load humps show: in very slow walking the trunk bounces in single
 * support with a second hump as large as the step's, and once the step time is read
 * double, every other step falls within min_step of the one before and it stays double.
 * The band keeps the stride's swing (0.4-1.1 Hz from 50 to 130 steps/min) and drops turns
 * and the step's harmonics. */
#define YAW_BAND_LO_HZ 0.3
#define YAW_BAND_HI_HZ 2.0
/* A swing turns when the rate passes this on the other side (rad/s): standing and noise
 * stay below, a step's swing is 0.15-0.5. */
#define YAW_MIN_SWING 0.05
/* A swing beyond this is a turn, not a stride (rad/s): a U-turn while walking reaches
 * 1.5-3, ten times a stride's swing, and lasts about a stride. */
#define YAW_MAX_SWING 1.0
/* Strides (one swing each way) that agree (longest / shortest) tell the step time: a turn
 * or a stop does not give three alike in a row. */
#define YAW_STRIDES 3
#define YAW_AGREE 1.3
/* The step time is taken from the yaw when the humps go this much faster (they have split
 * each step in two) or slower (they have merged two steps: on mobgap MS001 the humps read
 * 0.94 s where the yaw's 0.64 s). */
#define YAW_SPLIT_FRAC 0.7

/* Running. The vertical specific force at the sacrum is the ground reaction over body
 * mass: zero in flight, above 1 g in contact. A contact is where it exceeds half body
 * weight (clear of noise and of the trunk's own bounce in flight); its start and end are
 * that span's edges followed down to zero load along their slope. */
#define RUN_HALF_G 0.5
/* The load is smoothed only against sensor noise (a 20 Hz low-pass or so): more would
 * widen every contact by its own width. */
#define RUN_SIGMA_S 0.008
/* In flight the body is weightless: the load falls near zero (noise and soft tissue
 * aside), where walking's lowest is about 0.6 g. */
#define RUN_FLIGHT_G 0.25
/* With a flight phase the stance carries more than body weight on average, so its peak
 * is well above 1 g (a half-sine model: pi/2 g at the least); walking stays below. */
#define RUN_MIN_PEAK_G 1.5
/* Running contacts last 0.1-0.35 s; flights at least a few tens of ms. */
#define RUN_MIN_CONTACT_S 0.06
#define RUN_MAX_CONTACT_S 0.5
#define RUN_MIN_FLIGHT_S 0.02
/* An edge followed to zero load moves at most this far from its half-weight point. */
#define RUN_MAX_EXTRAP_S 0.06
/* The foot and shank take the first and the last of a contact's force before the trunk
 * feels it (they are stopped at touch-down and flung at push-off), so the sacrum's load
 * span is shorter than the foot's contact at both ends (rbds: 8-22 ms at contact, 8-24 ms
 * at toe-off, on sensors without the sharp impact of real ones). */
#define RUN_LAG_S 0.010
/* Running stays on this long after the last running contact (two steps at the slowest). */
#define RUN_HOLD_S 1.0
/* Yaw window after a running contact: the stance side is being drawn back then. */
#define RUN_YAW_A_S 0.0
#define RUN_YAW_B_S 0.1

struct step {
        size_t ic;   /* sample index of the initial contact */
        double t_ic; /* time of the initial contact, s */
        double t_fc; /* running: the contact's end, s */
        bool running;
        double yaw;       /* mean yaw rate just around the contact */
        double sway[3];   /* horizontal acceleration before minus after the contact */
        double yaw_c;     /* its yaw against its neighbours', as a vote (-1..1) */
        double sway_c[3]; /* its sway against its neighbours' */
        double steady;    /* weight of its votes: 1 walking straight, towards 0 in a turn */
        double llr;       /* log-odds right vs left from this step's own features */
        double fwd;       /* log-odds given this and the earlier steps of its chain */
        size_t chain;     /* chain number: steps of one uninterrupted walk */
        unsigned pos;     /* position in its chain */
        bool has_feat;
        bool voted;
        bool decided;
};

/* A span over which the sacrum carries more than half body weight. */
struct load_span {
        double t_start, t_end; /* edges followed to zero load, s */
        double peak;           /* g */
        size_t i_start;        /* sample of its half-weight crossing */
        bool after_flight;     /* the body was airborne just before it */
};

struct state {
        double rate;
        struct gm_align align;
        struct gm_biquad step_lp[2], step_hp, yaw_hp, sway_lp[3][2];
        double trough; /* lowest coarse value since the last peak */
        struct gm_hist av, yaw, t, hor[3];
        double coarse[2]; /* the step filter's output one and two samples back */
        size_t n;
        double level;  /* running typical step hump */
        double step_s; /* running typical step time */
        size_t cand;   /* pending coarse peak, 0 = none */
        double cand_val;
        struct step steps[NSTEP];
        size_t nsteps; /* steps so far (index into the ring modulo NSTEP) */
        size_t chain;
        /* Walking and running apart (the sway windows sit at different phases of the two
         * gaits), "right" in the sensor frame: the yaw votes (or without a gyroscope the
         * sway's own) times the steps' sway contrasts, and the sway summed crossed with up
         * (the braking at contact). */
        double right[2][3];
        double ahead[2][3];
        bool has_gyr;
        unsigned fine_half; /* half width of the smoothing kernel, samples */
        unsigned run_half;  /* the same for the running load */
        double run_kern[256];
        /* Running contacts: the smoothed load at the sample read last, the span above half
         * weight being read and the last one, held until a flight confirms it. */
        double load_prev;
        bool have_load, loaded, pending;
        struct load_span cur, pend;
        double t_last_fall; /* end of the last span, s; -inf: none yet */
        double flight_min;  /* lowest load since then, g */
        double run_until;   /* time before which walking steps are not looked for */
        double kern[256];
        /* The yaw rate's swing: band-passed, which way it turns, the time it last turned
         * positive, and the last strides' lengths (s). */
        struct gm_biquad yaw_band[2];
        bool yaw_up;
        double t_swing;
        double swing_peak; /* largest |rate| since the last stride began */
        double strides[YAW_STRIDES];
        unsigned n_strides;
        /* Per-sample constants: the full kernels' weight sums (added in the order
         * smooth_at adds them) and update()'s waits in samples. */
        double kern_sum, run_kern_sum;
        size_t feat_wait, close_wait;
        size_t undecided;        /* steps before this one are decided */
        size_t wake, wake_steps; /* update() has nothing to do up to sample count wake with this many steps */
};

static size_t samples(const struct state *s, double sec)
{
        return (size_t)(sec * s->rate + 0.5);
}

/* The weights of a whole kernel, summed as smooth_at sums them. */
static double kernel_weight(const double *kern, unsigned half)
{
        double w = 0;
        for (int k = -(int)half; k <= (int)half; k++)
                w += kern[k < 0 ? -k : k];
        return w;
}

static int init(void *st, double rate_hz, enum gm_side side, bool has_gyr)
{
        struct state *s = st;
        (void)side;
        memset(s, 0, sizeof(*s));
        s->rate = rate_hz;
        gm_align_init(&s->align, rate_hz);
        gm_align_up_only(&s->align); /* up three times a sample, and no axis */
        for (int i = 0; i < 2; i++)
                gm_biquad_lowpass(&s->step_lp[i], rate_hz, STEP_LP_HZ);
        /* The estimate of "up" is never exact: a slow bias stays in the vertical acceleration. */
        gm_biquad_highpass(&s->step_hp, rate_hz, 0.5);
        /* Only removes gyro offset and long turns: the neighbour contrast cancels the rest. */
        gm_biquad_highpass(&s->yaw_hp, rate_hz, 0.05);
        for (int a = 0; a < 3; a++)
                for (int i = 0; i < 2; i++)
                        gm_biquad_lowpass(&s->sway_lp[a][i], rate_hz, SWAY_LP_HZ);
        s->level = 1.5;
        s->step_s = 0.55;
        s->chain = 1;
        s->fine_half = (unsigned)fmin(255, ceil(3 * FINE_SIGMA_S * rate_hz));
        s->run_until = -INFINITY;
        s->t_last_fall = -INFINITY;
        s->flight_min = INFINITY;
        gm_biquad_highpass(&s->yaw_band[0], rate_hz, YAW_BAND_LO_HZ);
        gm_biquad_lowpass(&s->yaw_band[1], rate_hz, YAW_BAND_HI_HZ);
        s->t_swing = NAN;
        for (unsigned k = 0; k <= s->fine_half; k++)
                s->kern[k] = exp(-0.5 * pow(k / (FINE_SIGMA_S * rate_hz), 2));
        s->run_half = (unsigned)fmin(255, ceil(3 * RUN_SIGMA_S * rate_hz));
        for (unsigned k = 0; k <= s->run_half; k++)
                s->run_kern[k] = exp(-0.5 * pow(k / (RUN_SIGMA_S * rate_hz), 2));
        s->kern_sum = kernel_weight(s->kern, s->fine_half);
        s->run_kern_sum = kernel_weight(s->run_kern, s->run_half);
        s->feat_wait = samples(s, SWAY_POST_B_S);
        s->close_wait = samples(s, MAX_STEP_S + SWAY_POST_B_S);
        s->has_gyr = has_gyr;
        return 0;
}

/* Within a step the pelvis can show a second, smaller hump (single-support bounce);
 * a step cannot be much shorter than the last ones. */
static double min_step(const struct state *s)
{
        return fmax(MIN_STEP_S, MIN_STEP_FRAC * s->step_s);
}

static size_t oldest(const struct state *s)
{
        return s->n > GM_HIST_LEN - 1 ? s->n - (GM_HIST_LEN - 1) : 0;
}

/* Gaussian-smoothed vertical acceleration at i with a kernel of half width half, whose
 * weights sum to full. */
static double smooth_at(const struct state *s, size_t i, const double *kern, unsigned half, double full)
{
        double sum = 0, w = 0;
        if (i >= oldest(s) + half && i + half < s->n) {
                /* The whole kernel lies in the history: the same sums in the same order,
                 * without the tests, and straight from the array when it does not wrap. */
                size_t first = (i - half) & (GM_HIST_LEN - 1);
                if (first + 2 * half < GM_HIST_LEN) {
                        const double *v = s->av.v + first + half;
#pragma GCC unroll 4
                        for (int k = -(int)half; k < 0; k++)
                                sum += kern[-k] * v[k];
#pragma GCC unroll 4
                        for (int k = 0; k <= (int)half; k++)
                                sum += kern[k] * v[k];
                        return sum / full;
                }
                for (int k = -(int)half; k <= (int)half; k++)
                        sum += kern[k < 0 ? -k : k] * gm_hist_at(&s->av, i + k);
                return sum / full;
        }
        for (int k = -(int)half; k <= (int)half; k++) {
                size_t j = i + k;
                if (j < oldest(s) || j >= s->n)
                        continue;
                double g = kern[k < 0 ? -k : k];
                sum += g * gm_hist_at(&s->av, j);
                w += g;
        }
        return w > 0 ? sum / w : 0;
}

/* Smoothed for the heel-strike transient (needs i + fine_half < n). */
static double fine_at(const struct state *s, size_t i)
{
        return smooth_at(s, i, s->kern, s->fine_half, s->kern_sum);
}

static struct step *step_at(struct state *s, size_t k)
{
        return &s->steps[k % NSTEP];
}

static bool same_chain(struct state *s, size_t k, size_t j)
{
        return j < s->nsteps && step_at(s, j)->chain == step_at(s, k)->chain;
}

/* Log-odds that a step is right, given the log-odds x that its neighbour is right:
 * alternation with probability ALTERNATE_P. */
static double carry(double x)
{
        double p = 1 / (1 + exp(-x));
        double q = ALTERNATE_P * (1 - p) + (1 - ALTERNATE_P) * p;
        return log(q / (1 - q));
}

static double side_vote(const struct state *s, bool running, double yaw, const double sway[3]);

/* A step's own log-odds, with what has been learnt of the sensor's directions until now. A
 * walk's first step starts from standing: the pelvis turns to shift the weight onto the
 * stance leg, not with a stride, so neither its own yaw and sway nor the contrast with them
 * tell its side; the steps after it do. */
static double step_llr(const struct state *s, const struct step *st)
{
        if (!(st->pos > 0))
                return 0;
        return VOTE_GAIN * side_vote(s, st->running, st->yaw_c * st->steady, st->sway_c);
}

static void emit_step(struct state *s, size_t k, struct gm_event_out *out)
{
        struct step *st = step_at(s, k);
        /* Its own votes and those of the steps before it, read again with what the later steps
         * have taught since; then what the next steps of the chain say, carried back to it. */
        size_t first = s->nsteps > NSTEP - 1 ? s->nsteps - (NSTEP - 1) : 0;
        st->llr = step_llr(s, st);
        st->fwd = st->llr + (st->pos > 0 && k > first ? carry(step_at(s, k - 1)->fwd) : 0);
        double back = 0;
        for (size_t j = k + SIDE_LOOKAHEAD; j > k; j--)
                if (same_chain(s, k, j) && step_at(s, j)->voted)
                        back = carry(step_llr(s, step_at(s, j)) + back);
        double llr = st->fwd + back;
        bool right = llr >= 0;
        enum gm_side side = fabs(llr) < SIDE_MIN_LLR ? GM_SIDE_UNKNOWN : right ? GM_SIDE_RIGHT : GM_SIDE_LEFT;
        if (st->running) {
                /* A runner's contacts do not overlap: its own foot leaves at the end. */
                gm_event_emit(out, st->t_ic, side, GM_EVENT_IC);
                gm_event_emit(out, st->t_fc, side, GM_EVENT_FC);
                st->decided = true;
                return;
        }
        gm_event_emit(out, gm_hist_at(&s->t, st->ic), side, GM_EVENT_IC);
        /* The other foot leaves the ground at the end of double support. */
        gm_event_emit(out, gm_hist_at(&s->t, st->ic) + DOUBLE_SUPPORT_FRAC * s->step_s,
                      side == GM_SIDE_UNKNOWN ? side
                      : right                 ? GM_SIDE_LEFT
                                              : GM_SIDE_RIGHT,
                      GM_EVENT_FC);
        st->decided = true;
}

static void file_step(struct state *s, struct step nw);

/* The contact is the first rise of the load: a larger hump soon after it (the trunk's own
 * bounce, a stop, weight shifting while turning) belongs to the same step. Of the local
 * maxima shortly before the largest, the first that reaches FIRST_RISE_FRAC of its rise
 * above the trough before them is the transient. */
static size_t first_rise(const struct state *s, size_t peak)
{
        size_t back = samples(s, FIRST_RISE_S);
        size_t lo = peak > back ? peak - back : 0;
        if (lo < oldest(s) + s->fine_half + 1)
                lo = oldest(s) + s->fine_half + 1;
        if (lo >= peak)
                return peak;
        double top = fine_at(s, peak), low = top;
        for (size_t i = lo; i < peak; i++)
                low = fmin(low, fine_at(s, i));
        for (size_t i = lo; i < peak; i++) {
                double v = fine_at(s, i);
                if (v > fine_at(s, i - 1) && v >= fine_at(s, i + 1) && v - low >= FIRST_RISE_FRAC * (top - low))
                        return i;
        }
        return peak;
}

/* Refines a coarse step peak to the heel strike and files the step. */
static void add_step(struct state *s, size_t peak, struct gm_event_out *out)
{
        (void)out;
        /* The coarse filter delays by about 2 x sqrt(2) / (2 pi fc). */
        size_t delay = samples(s, 2 * M_SQRT2 / (2 * M_PI * STEP_LP_HZ));
        size_t c = peak > delay ? peak - delay : 0;
        size_t lo = c > samples(s, 0.15) ? c - samples(s, 0.15) : 0;
        size_t hi = c + samples(s, 0.1);
        if (lo < oldest(s) + s->fine_half)
                lo = oldest(s) + s->fine_half;
        if (hi + s->fine_half >= s->n)
                hi = s->n - s->fine_half - 1;
        if (lo >= hi)
                return;
        size_t best = lo;
        double bv = -INFINITY;
        for (size_t i = lo; i < hi; i++) {
                double v = fine_at(s, i);
                if (v > bv) {
                        bv = v;
                        best = i;
                }
        }
        best = first_rise(s, best);
        size_t ic = best > samples(s, IC_LEAD_S) ? best - samples(s, IC_LEAD_S) : 0;
        file_step(s, (struct step){ .ic = ic, .t_ic = gm_hist_at(&s->t, ic) });
}

/* Chains a new step to the walk or run it continues, or starts a new one. */
static void file_step(struct state *s, struct step nw)
{
        size_t ic = nw.ic;
        if (s->nsteps) {
                struct step *prev = step_at(s, s->nsteps - 1);
                /* Running contacts are apart by a flight: each is one step. */
                if (ic <= prev->ic + samples(s, nw.running ? MIN_STEP_S : min_step(s)))
                        return;
                double dt = (ic - prev->ic) / s->rate;
                if (dt < MAX_STEP_S && dt < 1.6 * s->step_s + 0.1) {
                        nw.chain = prev->chain;
                        nw.pos = prev->pos + 1;
                        s->step_s += 0.2 * (dt - s->step_s);
                } else {
                        nw.chain = ++s->chain;
                }
        } else {
                nw.chain = ++s->chain;
        }
        *step_at(s, s->nsteps++) = nw;
}

/* Mean of a history over [ic + from, ic + to] (seconds, may be negative). */
static double window_mean(const struct state *s, const struct gm_hist *h, size_t ic, double from, double to)
{
        long a = (long)ic + lround(from * s->rate), b = (long)ic + lround(to * s->rate);
        double sum = 0;
        unsigned cnt = 0;
        for (long i = a; i <= b; i++) {
                if (i < (long)oldest(s) || i >= (long)s->n)
                        continue;
                sum += gm_hist_at(h, (size_t)i);
                cnt++;
        }
        return cnt ? sum / cnt : 0;
}

/* Side features of a contact. Yaw: mean rate about "up" (counter-clockwise seen from
 * above) is positive around a right ic, negative around a left one (McCamley 2012).
 * Sway: horizontal acceleration towards the new stance foot before the contact, away
 * after it; its sign in the sensor frame is learnt from the yaw (see update). */
static void features(struct state *s, struct step *st)
{
        /* Running turns the pelvis the other way at contact: the stance side is already
         * going back with the thigh (walking: still coming forward), so the yaw just after
         * a right contact is clockwise. */
        if (st->running)
                st->yaw = -window_mean(s, &s->yaw, st->ic, RUN_YAW_A_S, RUN_YAW_B_S);
        else
                st->yaw = window_mean(s, &s->yaw, st->ic, -YAW_BEFORE_S, YAW_AFTER_S);
        for (int a = 0; a < 3; a++)
                st->sway[a] = window_mean(s, &s->hor[a], st->ic, -SWAY_PRE_A_S, -SWAY_PRE_B_S) -
                              window_mean(s, &s->hor[a], st->ic, SWAY_POST_A_S, SWAY_POST_B_S);
        st->has_feat = true;
}

/* The learnt direction of "right" in the sensor frame, and the evidence for it: the
 * yaw-weighted sway's; without a gyroscope, the sway's own axis pointed the way the braking
 * says (the braking's sum holds the alternating sway turned by a right angle, which the
 * axis does not see). */
static double right_way(const struct state *s, bool running, double dir[3])
{
        const double *right = s->right[running];
        double n = gm_norm3(right);
        if (!(n > 0))
                return 0;
        for (int a = 0; a < 3; a++)
                dir[a] = right[a] / n;
        double sure = s->has_gyr ? n : FWD_GAIN * gm_dot3(dir, s->ahead[running]);
        if (sure < 0)
                for (int a = 0; a < 3; a++)
                        dir[a] = -dir[a];
        return fabs(sure);
}

/* The yaw's and the sway's vote for a step being right. */
static double side_vote(const struct state *s, bool running, double yaw, const double sway[3])
{
        double dir[3], sure = right_way(s, running, dir);
        /* The direction is trusted once a few confident steps agree on it. */
        return yaw + (sure > 0 ? SWAY_GAIN * tanh(gm_dot3(sway, dir) / SWAY_SCALE) * sure / (sure + SWAY_TRUST) : 0);
}

/* The mounting is fixed: every step tells more of which sensor direction is right. Without
 * a gyroscope the axis is drawn by the sway itself: a step's contrast counts along the axis
 * so far, whichever way that points (the braking names the way). */
static void learn_right(struct state *s, const struct step *st, double yaw, const double sway[3])
{
        double *right = s->right[st->running];
        if (!s->has_gyr) {
                /* Only without a gyroscope is the braking's evidence read (right_way). */
                double n = gm_norm3(right), up[3], ahead[3];
                yaw = n > 0 ? tanh(gm_dot3(sway, right) / n / SWAY_SCALE) : 1;
                gm_align_up(&s->align, up);
                gm_cross3(st->sway, up, ahead);
                for (int a = 0; a < 3; a++)
                        s->ahead[st->running][a] += (st->running ? -1 : 1) * ahead[a];
        }
        for (int a = 0; a < 3; a++)
                right[a] += yaw * sway[a];
}

/* Sides: consecutive steps of a chain alternate, so only the chain's phase is unknown.
 * Each step votes with its yaw against its neighbours' (turning cancels); votes fade so
 * that a missed step only misleads for a few steps. */
static void update_steps(struct state *s, struct gm_event_out *out, bool final)
{
        size_t first = s->nsteps > NSTEP - 1 ? s->nsteps - (NSTEP - 1) : 0;
        /* Decided steps have their features and votes: nothing below is left to do for them. */
        size_t from = s->undecided > first ? s->undecided : first;
        for (size_t k = from; k < s->nsteps; k++) {
                struct step *st = step_at(s, k);
                if (!st->has_feat && (final || s->n > st->ic + s->feat_wait))
                        features(s, st);
        }
        for (size_t k = from; k < s->nsteps; k++) {
                struct step *st = step_at(s, k);
                bool closed = final || (k + 1 < s->nsteps && !same_chain(s, k, k + 1)) || s->n > st->ic + s->close_wait;
                bool next = same_chain(s, k, k + 1) && step_at(s, k + 1)->has_feat;
                if (st->voted || !st->has_feat || !(next || closed))
                        continue;
                /* Contrast with the neighbours: turning and a constant tilt cancel. */
                double nb[4] = { 0 }, turn = 0;
                unsigned cnt = 0;
                for (int d = -1; d <= 1; d += 2) {
                        if (d < 0 ? !(st->pos > 1 && k > first) : !next)
                                continue;
                        const struct step *o = step_at(s, k + d);
                        nb[3] += o->yaw;
                        turn = fmax(turn, fabs(o->yaw + st->yaw) / 2);
                        for (int a = 0; a < 3; a++)
                                nb[a] += o->sway[a];
                        cnt++;
                }
                if (!cnt)
                        cnt = 1;
                st->yaw_c = tanh((st->yaw - nb[3] / cnt) / YAW_SCALE);
                st->steady = 1 / (1 + (turn / TURN_SCALE) * (turn / TURN_SCALE));
                for (int a = 0; a < 3; a++)
                        st->sway_c[a] = st->sway[a] - nb[a] / cnt;
                st->llr = step_llr(s, st);
                st->fwd = st->llr + (st->pos > 0 && k > first ? carry(step_at(s, k - 1)->fwd) : 0);
                learn_right(s, st, st->yaw_c * st->steady, st->sway_c);
                st->voted = true;
        }
        for (size_t k = from; k < s->nsteps; k++) {
                struct step *st = step_at(s, k);
                s->undecided = k;
                if (st->decided)
                        continue;
                /* The walk has ended: no later step of it will come. */
                const struct step *newest = step_at(s, s->nsteps - 1);
                bool closed = final || !same_chain(s, k, s->nsteps - 1) || s->n > newest->ic + s->close_wait;
                bool ahead = same_chain(s, k, k + SIDE_LOOKAHEAD) && step_at(s, k + SIDE_LOOKAHEAD - 1)->voted;
                if (!(st->voted && (ahead || closed)))
                        return;
                /* A lone bump is not walking. */
                if (st->pos > 0 || same_chain(s, k, k + 1))
                        emit_step(s, k, out);
                st->decided = true;
        }
        s->undecided = s->nsteps;
}

/* The last sample count at which update_steps, having run, would still find nothing to do:
 * until a step's features are due or a walk closes (or a step is filed). */
static size_t next_wake(const struct state *s)
{
        size_t first = s->nsteps > NSTEP - 1 ? s->nsteps - (NSTEP - 1) : 0;
        size_t from = s->undecided > first ? s->undecided : first, wake = SIZE_MAX;
        for (size_t k = from; k < s->nsteps; k++) {
                const struct step *st = &s->steps[k % NSTEP];
                size_t due = st->ic + (st->has_feat ? s->close_wait : s->feat_wait);
                if (due >= s->n && due < wake) /* a wait already over has had its effect */
                        wake = due;
        }
        if (from < s->nsteps) {
                size_t due = s->steps[(s->nsteps - 1) % NSTEP].ic + s->close_wait;
                if (due >= s->n && due < wake)
                        wake = due;
        }
        return wake;
}

/* update_steps on the samples it can act on: every sample would mostly find nothing new. */
static void update(struct state *s, struct gm_event_out *out, bool final)
{
        if (!final && s->nsteps == s->wake_steps && s->n <= s->wake)
                return;
        update_steps(s, out, final);
        s->wake_steps = s->nsteps;
        s->wake = next_wake(s);
}

/* Time where the load (a at sample j - 1, b at j) crosses half weight, followed to zero
 * load along its slope between the two samples, and widened for the leg's own mass. */
static double edge_to_zero(const struct state *s, size_t j, double a, double b, bool rising)
{
        double t0 = gm_hist_at(&s->t, j - 1);
        double frac = (RUN_HALF_G - a) / (b - a);
        double t_half = t0 + frac / s->rate;
        double slope = fabs(b - a) * s->rate; /* g/s */
        double back = slope > 0 ? RUN_HALF_G / slope : RUN_MAX_EXTRAP_S;
        back = fmin(back, RUN_MAX_EXTRAP_S);
        return rising ? t_half - back - RUN_LAG_S : t_half + back + RUN_LAG_S;
}

/* A load span that is a running contact becomes a step. */
static void run_contact(struct state *s, const struct load_span *c)
{
        double contact = c->t_end - c->t_start;
        if (!c->after_flight || !(c->peak >= RUN_MIN_PEAK_G) || !(contact >= RUN_MIN_CONTACT_S) ||
            !(contact <= RUN_MAX_CONTACT_S))
                return;
        /* The contact's sample: where its start falls in the history. */
        size_t ic = c->i_start;
        while (ic > oldest(s) && gm_hist_at(&s->t, ic - 1) >= c->t_start)
                ic--;
        s->run_until = c->t_end + RUN_HOLD_S;
        s->cand = 0;
        file_step(s, (struct step){ .ic = ic, .t_ic = c->t_start, .t_fc = c->t_end, .running = true });
}

/* Running contacts from the load at the sacrum, read run_half samples late (the
 * smoothing is centred). A dip under half weight too short to be a flight (a sharp
 * impact ringing in soft tissue) does not split a contact. */
static void run_track(struct state *s)
{
        if (s->n < 2 * (size_t)s->run_half + 2)
                return;
        size_t j = s->n - 1 - s->run_half;
        double load = 1 + smooth_at(s, j, s->run_kern, s->run_half, s->run_kern_sum) /
                                  GM_GRAVITY; /* specific force along up, g */
        double prev = s->load_prev;
        bool had = s->have_load;
        s->load_prev = load;
        s->have_load = true;
        if (!had)
                return;
        if (s->pending && !s->loaded && gm_hist_at(&s->t, j) > s->pend.t_end + RUN_MIN_FLIGHT_S + RUN_MAX_EXTRAP_S) {
                s->pending = false;
                run_contact(s, &s->pend);
        }
        if (!s->loaded && prev <= RUN_HALF_G && load > RUN_HALF_G) {
                double t = edge_to_zero(s, j, prev, load, true);
                s->loaded = true;
                if (s->pending && t - s->pend.t_end < RUN_MIN_FLIGHT_S) {
                        s->cur = s->pend;
                        s->cur.peak = fmax(s->cur.peak, load);
                } else {
                        if (s->pending)
                                run_contact(s, &s->pend);
                        s->cur = (struct load_span){ .t_start = t,
                                                     .peak = load,
                                                     .i_start = j,
                                                     .after_flight = t - s->t_last_fall >= RUN_MIN_FLIGHT_S &&
                                                                     s->flight_min < RUN_FLIGHT_G };
                }
                s->pending = false;
        } else if (s->loaded && load > RUN_HALF_G) {
                s->cur.peak = fmax(s->cur.peak, load);
        } else if (!s->loaded) {
                s->flight_min = fmin(s->flight_min, load);
        } else {
                s->loaded = false;
                s->flight_min = load;
                s->cur.t_end = edge_to_zero(s, j, prev, load, false);
                s->t_last_fall = s->cur.t_end;
                s->pend = s->cur;
                s->pending = true;
        }
}

/* Follows the yaw rate's swing; when its strides agree on a step time that the load humps
 * split in two or merge two of, the typical step time is set to it, so that min_step lets
 * each step's humps merge and the steps apart. */
static void track_yaw_swing(struct state *s, double yaw, double t)
{
        double y = gm_biquad_run(&s->yaw_band[1], gm_biquad_run(&s->yaw_band[0], yaw));
        /* A swing turns when the rate crosses the far threshold: noise around zero does not. */
        bool up = s->yaw_up;
        s->swing_peak = fmax(s->swing_peak, fabs(y));
        if (up ? y < -YAW_MIN_SWING : y > YAW_MIN_SWING)
                s->yaw_up = !up;
        if (s->yaw_up == up || !s->yaw_up)
                return;
        double stride = t - s->t_swing, peak = s->swing_peak;
        s->t_swing = t;
        s->swing_peak = 0;
        /* A turn's swing is no stride, and the strides around it do not agree with it. */
        if (!(stride >= 2 * MIN_STEP_S && stride <= 2 * MAX_STEP_S) || peak > YAW_MAX_SWING) {
                s->n_strides = 0;
                return;
        }
        s->strides[s->n_strides++ % YAW_STRIDES] = stride;
        if (s->n_strides < YAW_STRIDES)
                return;
        double lo = INFINITY, hi = 0, sum = 0;
        for (unsigned k = 0; k < YAW_STRIDES; k++) {
                lo = fmin(lo, s->strides[k]);
                hi = fmax(hi, s->strides[k]);
                sum += s->strides[k];
        }
        double step_s = sum / YAW_STRIDES / 2;
        if (hi <= YAW_AGREE * lo && (s->step_s < YAW_SPLIT_FRAC * step_s || step_s < YAW_SPLIT_FRAC * s->step_s))
                s->step_s = step_s;
}

static void push(void *st, const struct gm_sample *smp, struct gm_event_out *out)
{
        struct state *s = st;
        gm_align_push(&s->align, smp, s->has_gyr);
        /* Horizontal acceleration in the sensor frame: the body turns with the sensor, so
         * the medio-lateral direction stays fixed there. */
        double up[3];
        gm_align_up(&s->align, up);
        /* The vertical acceleration and yaw rate as gm_align_vertical_acc and gm_align_yaw_rate
         * give them, from one "up". */
        double along = smp->acc[0] * up[0] + smp->acc[1] * up[1] + smp->acc[2] * up[2];
        double av = along - GM_GRAVITY;
        /* Without a gyroscope the sway alone names the sides, and the humps alone the steps. */
        double yaw = s->has_gyr ? gm_biquad_run(&s->yaw_hp,
                                                smp->gyr[0] * up[0] + smp->gyr[1] * up[1] + smp->gyr[2] * up[2])
                                : 0;
        double c = gm_biquad_run(&s->step_lp[1], gm_biquad_run(&s->step_lp[0], gm_biquad_run(&s->step_hp, av)));
        gm_hist_push(&s->av, av);
        gm_hist_push(&s->yaw, yaw);
        gm_hist_push(&s->t, smp->t);
        double c1 = s->coarse[0], c2 = s->coarse[1];
        s->coarse[1] = c1;
        s->coarse[0] = c;
#pragma GCC unroll 3
        for (int a = 0; a < 3; a++)
                gm_hist_push(&s->hor[a], gm_biquad_run(&s->sway_lp[a][1],
                                                       gm_biquad_run(&s->sway_lp[a][0], smp->acc[a] - along * up[a])));
        size_t i = s->n++;
        if (i < 2)
                return;
        run_track(s);
        if (s->has_gyr)
                track_yaw_swing(s, yaw, smp->t);
        if (smp->t < s->run_until) {
                /* Running: the load spans are the steps; humps inside them are not. */
                s->cand = 0;
                s->trough = c1;
                update(s, out, false);
                return;
        }

        /* Local maxima of the coarse signal above the step threshold. */
        double thr = fmax(MIN_STEP_ACC, 0.2 * s->level);
        s->trough = fmin(s->trough, c1);
        if (c1 > c2 && c1 >= c && c1 - s->trough > thr) {
                s->trough = c1;
                if (s->cand && i - 1 - s->cand < samples(s, min_step(s))) {
                        if (c1 > s->cand_val) {
                                s->cand = i - 1;
                                s->cand_val = c1;
                        }
                } else {
                        if (s->cand)
                                add_step(s, s->cand, out);
                        s->cand = i - 1;
                        s->cand_val = c1;
                }
        }
        if (s->cand && i - s->cand >= samples(s, min_step(s))) {
                s->level += 0.2 * (s->cand_val - s->level);
                add_step(s, s->cand, out);
                s->cand = 0;
        }
        update(s, out, false);
}

static void flush(void *st, struct gm_event_out *out)
{
        struct state *s = st;
        if (s->pending)
                run_contact(s, &s->pend);
        s->pending = false;
        if (s->cand)
                add_step(s, s->cand, out);
        s->cand = 0;
        update(s, out, true);
}

static struct gm_align *align_of(void *st)
{
        return &((struct state *)st)->align;
}

/* Steps wait for the next SIDE_LOOKAHEAD ones before their side is named (some 2.5 s of
 * walking): the gait is going on meanwhile. */
static double last_step(const void *st)
{
        const struct state *s = st;
        /* The newest step of a walk or run, not a lone bump (standing up, a shuffle). */
        for (size_t k = s->nsteps; k-- > 0 && k + 2 >= s->nsteps;)
                if (s->steps[k % NSTEP].pos > 0)
                        return s->steps[k % NSTEP].t_ic;
        return NAN;
}

const struct gm_detector gm_detector_pelvis = {
        .name = "pelvis",
        .state_size = sizeof(struct state),
        .init = init,
        .push = push,
        .flush = flush,
        .align = align_of,
        .last_step = last_step,
};
