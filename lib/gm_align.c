/* Frame alignment: stillness detection, running moments and a power iteration. */
#include <math.h>
#include <string.h>

#include "gm_align.h"
#include "gm_vec.h"

#define MEAN_TAU_S 4.0       /* gravity from the mean acceleration over a few strides */
#define COV_TAU_S 6.0        /* rotation axis from the last few strides */
#define SLOW_LP_HZ 2.0       /* swings last 0.2-0.4 s; toe-off and heel-strike spikes 30-100 ms */
#define MOVING_RATE 0.5      /* rad/s of slow rotation: the segment is moving */
#define SIGN_HYST 0.03       /* the sign flips only on clear, lasting evidence */
#define QUIET_S 0.04         /* a flat foot rests at least this long in mid-stance */
#define QUIET_RATE 0.6       /* rad/s: resting, whatever the sensor noise */
#define STILL_RATE 0.15      /* rad/s: still, as a sensor set down */
#define VOTES_MAX 10         /* remember the last few strides' votes */
#define STILL_S 0.5          /* stillness must last this long to define gravity */
#define SETTLE_S 1.0         /* seconds of movement before the axis is trusted */
#define SETTLE_VOTES 2       /* a single heel rise may be a shuffle */
#define SETTLE_LONGEST_S 2.0 /* a couple of strides before the longest excursion is known */
#define UNVOTED_S 10.0       /* a foot without a heel-rise vote after this long goes by the longest */
#define SETTLE_BALANCE 0.06  /* and then a clear lead of one direction */

/* The gyro's mean square about the axis x (its second moments c), summed in row order. */
static inline double axis_rms2(const double c[3][3], const double x[3])
{
        double q = 0;
#pragma GCC unroll 3
        for (int i = 0; i < 3; i++)
#pragma GCC unroll 3
                for (int j = 0; j < 3; j++)
                        q += x[i] * c[i][j] * x[j];
        return q;
}

/* (w > r) - (w < -r) for r = sqrt(q), the rms rate about the axis: the square root is taken
 * only when w² is too close to q for the comparison of the squares to tell (relative
 * rounding errors are near 1e-16; very small values go the exact way too). */
static inline int beyond_rms(double w, double q)
{
        if (q > 1e-100) {
                double w2 = w * w;
                if (w2 > q * (1 + 1e-9))
                        return (w > 0) - (w < 0);
                if (w2 < q * (1 - 1e-9))
                        return 0;
        }
        double r = sqrt(q);
        return (w > r) - (w < -r);
}

void gm_align_set_sign_mode(struct gm_align *a, enum gm_align_sign sign_mode)
{
        a->sign_mode = sign_mode;
}

void gm_align_init(struct gm_align *a, double rate_hz)
{
        memset(a, 0, sizeof(*a));
        a->rate_hz = rate_hz;
        a->axis[1] = 1; /* until the data says otherwise */
        a->follow_sign = 1;
        a->k_mean = 1.0 / (MEAN_TAU_S * rate_hz);
        a->k_cov = 1.0 / (COV_TAU_S * rate_hz);
        a->cov_n = ceil(COV_TAU_S * rate_hz);
        a->still_n = STILL_S * rate_hz;
        a->update_n = rate_hz / 4;
        a->still_gn2 = gm_sqrt_reaches(STILL_RATE);
        a->quiet_gn2 = gm_sqrt_reaches(QUIET_RATE);
        a->moving2 = gm_sqrt_reaches(nextafter(MOVING_RATE, INFINITY));
        for (int i = 0; i < 3; i++)
                gm_biquad_lowpass(&a->slow_lp[i], rate_hz, SLOW_LP_HZ);
}

/* The sign of a new axis v, already continuous with the last one: votes are firm evidence
 * when there are any; the balance fills in before the first. */
static void decide_sign(struct gm_align *a, double v[3])
{
        bool flip = a->sign_mode == GM_ALIGN_SIGN_CALLER                         ? false
                    : a->sign_mode == GM_ALIGN_SIGN_AFTER_QUIET && a->votes != 0 ? a->votes < 0
                                                                                 : a->balance < -SIGN_HYST;
        if (flip) {
                for (int i = 0; i < 3; i++)
                        v[i] = -v[i];
                a->balance = -a->balance;
                a->votes = -a->votes;
                a->flips++;
                a->follow_sign = -a->follow_sign;
        }
        memcpy(a->axis, v, sizeof(double[3]));
}

/* Whether the axis was worked out again (false when there was no rotation to go by). */
static bool update_axis(struct gm_align *a)
{
        double v[3] = { a->axis[0], a->axis[1], a->axis[2] };
        /* Power iteration from the previous axis converges in a few steps. */
        for (int it = 0; it < 8; it++) {
                double w[3];
                for (int i = 0; i < 3; i++)
                        w[i] = a->gyr_cov[i][0] * v[0] + a->gyr_cov[i][1] * v[1] + a->gyr_cov[i][2] * v[2];
                double n = gm_norm3(w);
                if (!(n > 1e-12))
                        return false;
                for (int i = 0; i < 3; i++)
                        v[i] = w[i] / n;
        }
        /* Keep continuity with the old axis, then let the balance decide the sign. */
        if (gm_dot3(v, a->axis) < 0)
                for (int i = 0; i < 3; i++)
                        v[i] = -v[i];
        decide_sign(a, v);
        return true;
}

/* The heel-rise votes of a foot (GM_ALIGN_SIGN_AFTER_QUIET). */
static void vote(struct gm_align *a, const double slow[3], double gn2, bool moving)
{
        /* Heel rise starts each foot's push-off; the swing turns the other way. */
        double w = gm_dot3(slow, a->axis);
        if (gn2 < a->quiet_gn2) { /* |gyr| < QUIET_RATE */
                if (++a->quiet_run >= QUIET_S * a->rate_hz)
                        a->after_quiet = true;
        } else {
                a->quiet_run = 0;
                if (a->after_quiet && fabs(w) > 2 * MOVING_RATE && moving) {
                        a->votes += w > 0 ? -1 : 1;
                        a->votes = fmax(-VOTES_MAX, fmin(VOTES_MAX, a->votes));
                        a->after_quiet = false;
                }
        }
}

/* The alignment whose gravity and moments stand for a's: its leader's while it follows. */
static const struct gm_align *core(const struct gm_align *a)
{
        return a->follow ? a->follow : a;
}

/* A follower's push once its leader took the same sample. Negating an axis negates, exactly,
 * every rotation rate along it and every power-iteration step from it, and leaves the
 * quadratic form (rms) as it is: so the follower's axis stays the leader's times a sign, and
 * only what depends on that sign is computed here, by the follower's own rule; the rest is
 * read from the leader (core()). */
static void follow_push(struct gm_align *a, const struct gm_align *f)
{
        bool leader_flipped = f->flips != a->follow_flips;
        a->follow_flips = f->flips;
        a->n = f->n;
        if (!f->last_has_gyr || a->up_only)
                return;
        if (a->sign_mode == GM_ALIGN_SIGN_AFTER_QUIET)
                vote(a, f->last_slow, f->last_gn2, f->last_moving);
        if (!f->last_moving)
                return;
        if (a->sign_mode != GM_ALIGN_SIGN_CALLER) {
                /* A leader whose user decides the sign leaves the rms to the followers that
                 * need it: the same moments about this axis, its sign not mattering. */
                double w = gm_dot3(f->last_slow, a->axis);
                double q = f->sign_mode != GM_ALIGN_SIGN_CALLER ? f->last_rms2 : axis_rms2(f->gyr_cov, a->axis);
                a->balance += f->last_k * (beyond_rms(w, q) - a->balance);
        }
        if (f->last_updated) {
                /* The leader's new axis before its own reversal, in this one's sign. */
                double m = leader_flipped ? -a->follow_sign : a->follow_sign, v[3];
                for (int i = 0; i < 3; i++)
                        v[i] = m * f->axis[i];
                a->follow_sign = m;
                decide_sign(a, v);
        }
}

static void compute_up(const struct gm_align *a, double up[3])
{
        const double *src = a->have_still ? a->still_g : a->acc_mean;
        double n = gm_norm3(src);
        for (int i = 0; i < 3; i++)
                up[i] = n > 0 ? src[i] / n : (i == 2);
}

static void own_push(struct gm_align *a, const struct gm_sample *s, bool has_gyr);

void gm_align_push(struct gm_align *a, const struct gm_sample *s, bool has_gyr)
{
        const struct gm_align *f = a->follow;
        if (f && f->n == a->n + 1 && f->last_has_gyr == has_gyr && f->rate_hz == a->rate_hz && !f->follow)
                follow_push(a, f);
        else
                own_push(a, s, has_gyr);
}

static void own_push(struct gm_align *a, const struct gm_sample *s, bool has_gyr)
{
        const struct gm_align *f = a->follow;
        if (f) {
                /* Parted (the caller broke the contract after the start): go on alone from the
                 * leader's state, the nearest there is. */
                if (a->n > 0) {
                        struct gm_align own = *a;
                        *a = *f;
                        a->up_only = own.up_only;
                        compute_up(a, a->up); /* the leader's may not be kept */
                        a->sign_mode = own.sign_mode;
                        a->balance = own.balance;
                        a->votes = own.votes;
                        a->quiet_run = own.quiet_run;
                        a->after_quiet = own.after_quiet;
                        a->flips = own.flips;
                        memcpy(a->axis, own.axis, sizeof(a->axis));
                }
                a->follow = NULL;
        }
        a->last_has_gyr = has_gyr;
        /* The steady-state gains are constants: no division per sample once warmed up. */
        double k_mean = a->n < a->rate_hz ? 1.0 / (a->n + 1) : a->k_mean;
#pragma GCC unroll 3
        for (int i = 0; i < 3; i++)
                a->acc_mean[i] += k_mean * (s->acc[i] - a->acc_mean[i]);

        /* Still: |acc| close to g and little rotation. */
        double an = gm_norm3(s->acc);
        a->last_acc_norm = an;
        const double *g = s->gyr;
        double gn2 = has_gyr ? g[0] * g[0] + g[1] * g[1] + g[2] * g[2] : 0; /* |gyr|² */
        a->last_gn2 = gn2;
        /* A trunk's (up_only) gravity is its mean acceleration, not that of its last still
         * spell: a person stands otherwise than they walk (leaning at a counter, stooping),
         * and without a gyroscope |acc| near g does not tell stillness from gait. */
        bool still = !a->up_only && fabs(an - GM_GRAVITY) < 0.4 && (!has_gyr || gn2 < a->still_gn2);
        bool up_moved = !a->have_still; /* the mean moves every sample, still gravity only here */
        if (still) {
                a->still_run++;
                for (int i = 0; i < 3; i++)
                        a->still_acc[i] += (s->acc[i] - a->still_acc[i]) / a->still_run;
                if (a->still_run >= a->still_n) {
                        double n = gm_norm3(a->still_acc);
                        for (int i = 0; i < 3; i++)
                                a->still_g[i] = a->still_acc[i] / n;
                        a->have_still = true;
                        up_moved = true;
                }
        } else {
                a->still_run = 0;
        }

        if (has_gyr && !a->up_only) {
                double slow[3];
#pragma GCC unroll 3
                for (int i = 0; i < 3; i++)
                        slow[i] = gm_biquad_run(&a->slow_lp[i], s->gyr[i]);
                /* Learn only from movement, fast from the first of it: standing teaches
                 * nothing and should not make the estimate forget. */
                bool moving = slow[0] * slow[0] + slow[1] * slow[1] + slow[2] * slow[2] >= a->moving2;
                memcpy(a->last_slow, slow, sizeof(slow));
                a->last_moving = moving;
                a->last_updated = false;
                if (a->sign_mode == GM_ALIGN_SIGN_AFTER_QUIET)
                        vote(a, slow, gn2, moving);
                if (moving) {
                        a->n_moving++;
                        /* 1/n falls below the constant for good once n passes its inverse. */
                        double k = a->n_moving < a->cov_n ? fmax(1.0 / a->n_moving, a->k_cov) : a->k_cov;
                        /* Symmetric: each off-diagonal moment is computed once, the same value both ways. */
                        double(*c)[3] = a->gyr_cov;
#pragma GCC unroll 3
                        for (int i = 0; i < 3; i++)
#pragma GCC unroll 3
                                for (int j = i; j < 3; j++)
                                        c[i][j] += k * (g[i] * g[j] - c[i][j]);
                        c[1][0] = c[0][1];
                        c[2][0] = c[0][2];
                        c[2][1] = c[1][2];
                        /* The swing is the excursion that stays large the longest: toe-off
                         * and heel-strike spikes are as tall but brief. The balance decides
                         * the sign, which a caller who decides it does not need. */
                        if (a->sign_mode != GM_ALIGN_SIGN_CALLER) {
                                double w = gm_dot3(slow, a->axis), rms2 = axis_rms2(c, a->axis);
                                a->balance += k * (beyond_rms(w, rms2) - a->balance);
                                a->last_rms2 = rms2;
                        }
                        a->last_k = k;
                        if (++a->since_update >= a->update_n) {
                                a->since_update = 0;
                                a->last_updated = update_axis(a);
                        }
                }
        }
        if (a->up_only && up_moved)
                compute_up(a, a->up);
        a->n++;
}

void gm_align_up_only(struct gm_align *a)
{
        a->up_only = true;
        compute_up(a, a->up);
}

double gm_align_acc_norm(const struct gm_align *a)
{
        return core(a)->last_acc_norm;
}

double gm_align_gyr_norm2(const struct gm_align *a)
{
        return core(a)->last_gn2;
}

void gm_align_up(const struct gm_align *a, double up[3])
{
        a = core(a);
        if (a->up_only)
                memcpy(up, a->up, sizeof(a->up));
        else
                compute_up(a, up);
}

double gm_align_vertical_acc(const struct gm_align *a, const double acc[3])
{
        double up[3];
        gm_align_up(a, up);
        return gm_dot3(acc, up) - GM_GRAVITY;
}

double gm_align_main_rate(const struct gm_align *a, const double gyr[3])
{
        return gm_dot3(gyr, a->axis);
}

bool gm_align_sign_settled(const struct gm_align *a)
{
        unsigned n_moving = core(a)->n_moving;
        if (n_moving < SETTLE_S * a->rate_hz)
                return false;
        /* A foot that never rests (a run joined in its stride, a forefoot runner) gives no
         * heel-rise votes: after a while, a clear lead of one direction decides. */
        if (a->sign_mode == GM_ALIGN_SIGN_AFTER_QUIET && (a->votes != 0 || n_moving < UNVOTED_S * a->rate_hz))
                return fabs(a->votes) >= SETTLE_VOTES;
        /* A near tie (slow walking: stance and swing rotations last alike) is no evidence. */
        return n_moving >= SETTLE_LONGEST_S * a->rate_hz && fabs(a->balance) > SETTLE_BALANCE;
}

bool gm_align_sign_voted(const struct gm_align *a)
{
        return gm_align_sign_settled(a) &&
               (a->sign_mode != GM_ALIGN_SIGN_AFTER_QUIET || fabs(a->votes) >= SETTLE_VOTES);
}

double gm_align_yaw_rate(const struct gm_align *a, const double gyr[3])
{
        double up[3];
        gm_align_up(a, up);
        return gm_dot3(gyr, up);
}
