/* Thigh angle: fused tilt about the rotation axis, a sign from stance, a zero from gait. */
#include <math.h>
#include <string.h>

#include "gm_metric.h"
#include "gm_stats.h"
#include "gm_thigh.h"
#include "gm_vec.h"

#define TILT_TAU_S 1.0  /* orientation fusion: gyro short term, gravity long term */
#define REF_TAU_S 10.0  /* the reference posture follows the mean over gait */
#define GAIT_HOLD_S 2.0 /* after the last swing the posture still counts as gait */
#define SWING_RATE 1.0  /* rad/s: a thigh turns faster than this in every stride of gait */
/* The hip's mean flexion over a stride (deg), which sets the zero of an angle measured
 * against the mean posture when no anatomical calibration exists: gait swings the thigh
 * further forward than back, the more so the larger the swing, from slow walking to fast
 * running alike: mean = base + share x range of the thigh's swing. The femur against the
 * vertical differs by the pelvis's anterior tilt in gait. */
#define HIP_MEAN_BASE_DEG 13.5
#define HIP_MEAN_PER_RANGE 0.25
#define PELVIC_TILT_DEG 10.0
/* The pelvis tilts forward as the hip extends and back as it flexes, taking about an eighth
 * of the thigh's swing: the hip's own range is the rest. */
#define PELVIC_SHARE 0.13
#define RANGE_MAX_DEG 120.0
#define STANCE_SHARE 0.25 /* without a toe-off, the first quarter of the stride is stance */

void gm_thigh_init(struct gm_thigh *th, double rate_hz)
{
        memset(th, 0, sizeof(*th));
        gm_align_init(&th->align, rate_hz);
        gm_align_set_sign_mode(&th->align, GM_ALIGN_SIGN_CALLER);
        gm_orient_init(&th->orient, TILT_TAU_S);
        gm_sign_vote_init(&th->sign);
        th->swing_gn2 = gm_sqrt_reaches(nextafter(SWING_RATE, INFINITY));
        th->last_swing_t = -INFINITY;
        th->activity = -1;
}

/* Another gait swings about another posture: its own zero, learned once. */
static void change_gait(struct gm_thigh *th, int activity)
{
        th->activity = activity;
        th->gait = activity == GM_ACTIVITY_RUNNING;
        th->n_recent = 0;
}

/* A turned sensor: another frame altogether, every zero learned again. */
static void relearn_all(struct gm_thigh *th, int activity)
{
        th->ref_n = 0;
        th->ref_held = false;
        th->n_zero[0] = th->n_zero[1] = 0;
        change_gait(th, activity);
}

/* The angle of the sample pushed last, from its "up", reference and axis, which the next
 * push changes first. Taken then rather than at the end of its own push, it no longer waits
 * on the tilt that was just worked out: the two run side by side. */
static void take_pitch(struct gm_thigh *th)
{
        if (!th->pitch_due)
                return;
        th->pitch_due = false;
        gm_hist_push(&th->pitch, th->ref_n ? gm_sagittal_angle(th->orient.up, th->ref, th->align.axis) : NAN);
}

void gm_thigh_push(struct gm_thigh *th, const struct gm_sample *s, double dt)
{
        take_pitch(th);
        gm_align_push(&th->align, s, true);
        /* |acc| and |gyr|² as the alignment has them. */
        gm_orient_push_norm(&th->orient, s->acc, gm_align_acc_norm(&th->align), s->gyr, dt);
        const double *up = th->orient.up;
        /* The thigh's own swing says it is in gait: its reference must not wait for events.
         * |gyr| > SWING_RATE, without the square root. */
        if (gm_align_gyr_norm2(&th->align) >= th->swing_gn2)
                th->last_swing_t = s->t;
        /* The reference is held once the zero is learned against it: a disturbance (a gap in
         * the samples, a stumble) must not move the frame the zero is in. */
        if (!th->ref_held && s->t - th->last_swing_t < GAIT_HOLD_S && gm_orient_settled(&th->orient)) {
                double k = fmax(1.0 / (th->ref_n + 1), dt / REF_TAU_S), n = 0;
                for (int i = 0; i < 3; i++) {
                        th->ref[i] += k * (up[i] - th->ref[i]);
                        n += th->ref[i] * th->ref[i];
                }
                for (int i = 0; i < 3; i++)
                        th->ref[i] /= sqrt(n);
                th->ref_n++;
        }
        const double *axis = th->align.axis;
        gm_hist_push(&th->t, s->t);
        gm_hist_push(&th->rate, gm_dot3(s->gyr, axis));
        th->pitch_due = true;
        th->n++;
}

static size_t oldest(const struct gm_thigh *th)
{
        return th->n > GM_HIST_LEN ? th->n - GM_HIST_LEN : 0;
}

/* Integral of the rate about the axis over [from, to], rad. */
static double rate_integral(const struct gm_thigh *th, double from, double to)
{
        double sum = 0, prev_t = NAN;
        size_t after = gm_hist_after(&th->t, th->n, to);
        if (after < th->n)
                prev_t = gm_hist_at(&th->t, after);
        for (size_t i = after; i-- > oldest(th);) {
                double t = gm_hist_at(&th->t, i);
                if (t < from)
                        break;
                if (t <= to && isfinite(prev_t))
                        sum += gm_hist_at(&th->rate, i) * (prev_t - t);
                prev_t = t;
        }
        return sum;
}

/* Median of the first n of v. */
static double median_of(const double *v, unsigned n)
{
        double c[GM_THIGH_ZERO_STRIDES];
        memcpy(c, v, n * sizeof(double));
        return gm_median(c, n);
}

/* The zero (rad, no sign) and the hip's mean flexion (deg) for this stride: from the first
 * steady strides once there are enough (a mean of "up" would carry the part of a stride it
 * began in, so these are means over whole strides), from the last few until then. */
static void zero_for(struct gm_thigh *th, double mean, double swing_deg, bool steady, double *zero, double *hip_mean)
{
        th->recent_mean[th->n_recent % GM_THIGH_RECENT] = mean;
        th->recent_swing_deg[th->n_recent++ % GM_THIGH_RECENT] = swing_deg;
        unsigned g = th->gait, *held = &th->n_zero[g];
        if (steady && *held < GM_THIGH_ZERO_STRIDES) {
                th->mean[g][*held] = mean;
                th->swing_deg[g][(*held)++] = swing_deg;
                if (*held == GM_THIGH_ZERO_STRIDES)
                        th->ref_held = true;
        }
        double swing;
        if (*held == GM_THIGH_ZERO_STRIDES) {
                *zero = median_of(th->mean[g], *held);
                swing = median_of(th->swing_deg[g], *held);
        } else {
                unsigned n = th->n_recent < GM_THIGH_RECENT ? th->n_recent : GM_THIGH_RECENT;
                *zero = median_of(th->recent_mean, n);
                swing = median_of(th->recent_swing_deg, n);
        }
        *hip_mean = HIP_MEAN_BASE_DEG + HIP_MEAN_PER_RANGE * swing;
}

void gm_thigh_stride(struct gm_thigh *th, double t_ic, double t_fc, double t_next_ic, enum gm_activity activity,
                     bool steady, struct gm_thigh_stride *out)
{
        take_pitch(th);
        *out = (struct gm_thigh_stride){ NAN, NAN, NAN, NAN };
        /* The physics that decides the sign, one vote a stride: a thigh turns backward
         * (extends) through stance, whatever the speed. */
        double stance_end = isfinite(t_fc) ? t_fc : t_ic + STANCE_SHARE * (t_next_ic - t_ic);
        int sign_before = th->sign.sign;
        gm_sign_vote_add(&th->sign, -rate_integral(th, t_ic, stance_end));
        /* Another gait swings about another posture; a turned sensor sits otherwise. */
        if (sign_before && th->sign.sign != sign_before)
                relearn_all(th, activity);
        else if ((int)activity != th->activity)
                change_gait(th, activity);
        struct gm_span sp;
        gm_hist_span(&th->t, &th->pitch, th->n, t_ic, t_next_ic, &sp);
        if (!sp.n || !sp.all_finite || !th->sign.sign)
                return;
        double min = sp.min, max = sp.max, mean = sp.mean;
        double swing = (max - min) * 180 / M_PI;
        if (swing > RANGE_MAX_DEG)
                return;
        double zero, hip_mean;
        zero_for(th, mean, swing, steady, &zero, &hip_mean);
        double lo = fmin(th->sign.sign * (min - zero), th->sign.sign * (max - zero)) * 180 / M_PI;
        double hi = lo + swing;
        double thigh_ext = -(lo + hip_mean - PELVIC_TILT_DEG);
        /* Beyond what a hip can do (the metric table's range) is a defect, not a reading. */
        const struct gm_metric_info *thigh = gm_metric_info(GM_METRIC_THIGH_EXT),
                                    *hip = gm_metric_info(GM_METRIC_HIP_EXT);
        if (thigh_ext >= thigh->min && thigh_ext <= thigh->max) {
                out->thigh_ext_deg = thigh_ext;
                out->thigh_range_deg = hi - lo;
        }
        /* The hip is the thigh in the pelvis frame: the pelvis's posture is the thigh's zero.
         * Its tilt within the stride is not measured (a sacral sensor's pitch axis could not
         * be told reliably from its roll and yaw): its share of the swing is. */
        double hip_ext = -(lo + hip_mean);
        if (hip_ext >= hip->min && hip_ext <= hip->max) {
                out->hip_ext_deg = hip_ext;
                out->hip_range_deg = (1 - PELVIC_SHARE) * (hi - lo);
        }
}
