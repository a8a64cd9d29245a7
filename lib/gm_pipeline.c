/* The streaming pipeline: per location alignment and detection, per side strides,
 * asymmetry and cadence. All buffers are sized at creation; nothing is allocated per sample. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gm_align.h"
#include "gm_asym.h"
#include "gm_cadence.h"
#include "gm_detect.h"
#include "gm_filter.h"
#include "gm_pipeline.h"
#include "gm_retime.h"
#include "gm_stats.h"
#include "gm_thigh.h"
#include "gm_vosc.h"
#include "gm_vec.h"

#define QUEUE_LEN 256      /* events/strides/spikes waiting to be pulled */
#define MAX_ABS_ACC 2000.0 /* m/s²: beyond any body motion; treated as garbage */
#define MAX_ABS_GYR 100.0  /* rad/s */
#define GAP_PERIODS 5.0    /* a longer hole in the timestamps restarts detection */
#define ROLL_TAU_S 2.0     /* pelvic obliquity: leaky integration of the roll rate */
#define IMPACT_WINDOW_S 0.15
/* Findings compare like with like: strides this long after an activity change, a pause, a
 * time gap or bad samples are not steady gait. */
#define HOLD_S 10.0
#define PAUSE_S 2.0       /* no initial contact for this long is a pause */
#define ACTIVITY_VOTES 6  /* strides whose majority is the current activity */
#define HOLDS 16          /* the latest spans of HOLD_S kept */
#define WAITING_LEN 16    /* strides waiting for the other sensors' samples */
#define STRIDE_WAIT_S 2.0 /* a sensor this far behind the newest sample is not waited for */

struct queue {
        void *items;
        size_t size, head, tail; /* tail - head items waiting */
        uint64_t dropped;
};

static void queue_put(struct queue *q, const void *item)
{
        if (q->tail - q->head == QUEUE_LEN) {
                q->head++; /* the reader is not keeping up: oldest goes */
                q->dropped++;
        }
        memcpy((char *)q->items + (q->tail++ % QUEUE_LEN) * q->size, item, q->size);
}

static int queue_get(struct queue *q, void *item)
{
        if (q->head == q->tail)
                return 0;
        memcpy(item, (char *)q->items + (q->head++ % QUEUE_LEN) * q->size, q->size);
        return 1;
}

struct gm_pipeline;

struct loc_events {
        struct gm_event_out out;
        struct gm_pipeline *p;
        unsigned side_mask; /* sides this location decides events for */
        bool contacts;      /* the pelvis timing a runner's contacts for the shanks */
        bool retimed;       /* a shank whose events wait for the pelvis' contacts */
};

struct loc_state {
        bool present, has_gyr;
        enum gm_loc loc;
        const struct gm_detector *det; /* NULL: this location decides no events */
        void *det_state;
        struct loc_events events;
        struct gm_align align;
        double last_t;
        size_t n;
        struct gm_hist t, acc_norm, angle;       /* angle: pelvic obliquity, rad */
        bool keep_acc, keep_angle;               /* which are read: an impact sensor's, the pelvis' */
        struct gm_biquad roll_hp[2], roll_lp[2]; /* per horizontal axis */
        double angle_now, roll_cov[3];           /* 2x2 covariance of the band-passed horizontal gyro */
        double roll_up[3], roll_e[2][3];         /* the up the horizontal axes were made from */
        struct gm_thigh *thigh;                  /* a thigh with a gyro: its sagittal angle */
};

/* What the live values show: the median of each side's last strides, steady or not. */
#define SHOWN_STRIDES 5
#define SHOWN_FRESH_S 8.0

struct shown {
        double v[SHOWN_STRIDES], t[SHOWN_STRIDES];
        unsigned n;
};

struct side_state {
        enum gm_loc src[2]; /* event sources in order of preference; GM_LOC_COUNT: none */
        double last_event_t;
        double last_ic, last_fc;
        double recent_stride[8];
        unsigned n_stride;
        uint64_t strides;
        double load;
        struct shown shown[GM_METRIC_COUNT];
};

struct gm_pipeline {
        struct gm_pipeline_cfg cfg;
        struct loc_state loc[GM_LOC_COUNT];
        struct side_state side[2];
        enum gm_loc impact_loc[2]; /* where impacts of each side are read */
        enum gm_loc hip_loc[2];
        bool have_pelvis;
        struct gm_vosc vosc; /* the pelvis' rise and fall per step */
        struct gm_retime retime;
        struct gm_stride waiting[WAITING_LEN]; /* finished strides waiting for their samples */
        unsigned waiting_head, n_waiting;
        struct queue events, strides, spikes;
        struct gm_event ev_buf[QUEUE_LEN];
        struct gm_stride st_buf[QUEUE_LEN];
        struct gm_spike sp_buf[QUEUE_LEN];
        struct gm_asym asym;
        struct gm_cadence cadence;
        enum gm_loc cadence_loc;
        double cadence_factor; /* FFT peak to steps: 2 when the signal is one leg's */
        double t_last, t_last_ic;
        double hold_until;                       /* the end of the latest of the holds */
        double hold_from[HOLDS], hold_to[HOLDS]; /* spans a stride must not touch to be steady */
        unsigned n_holds;
        int activity_votes;        /* running minus walking among the last strides, clamped */
        enum gm_activity activity; /* the majority's */
        uint64_t steps, bad_samples, gaps;
        double gap_s; /* GAP_PERIODS / rate_hz */
};

void gm_pipeline_cfg_default(struct gm_pipeline_cfg *cfg)
{
        memset(cfg, 0, sizeof(*cfg));
        cfg->rate_hz = 100;
        cfg->warmup_s = 60;
        cfg->baseline_s = 60;
        cfg->spike_si = 6;
        cfg->spike_strides = 4;
}

static bool has(unsigned mask, enum gm_loc l)
{
        return mask & (1u << l);
}

static double stride_value_median(const struct side_state *s)
{
        double v[8];
        unsigned n = s->n_stride < 8 ? s->n_stride : 8;
        memcpy(v, s->recent_stride, n * sizeof(double));
        return gm_median(v, n);
}

/* Extremes and mean of a location's angle history over [from, to]; false when unknown. */
static bool angle_span(const struct loc_state *ls, double from, double to, double *min, double *max, double *mean)
{
        struct gm_span sp;
        gm_hist_span(&ls->t, &ls->angle, ls->n, from, to, &sp);
        if (!sp.n || !sp.all_finite)
                return false;
        *min = sp.min;
        *max = sp.max;
        if (mean)
                *mean = sp.mean;
        return true;
}

/* The peak of a location's acceleration magnitude over [from, to], g. An impact lasts some
 * 15 ms: the highest sample can miss its top by a third at 100 Hz and by several percent at
 * 200 Hz, depending on where the samples fall, which drifts slowly with cadence and would
 * read as one side landing harder. A parabola through the highest sample and its
 * neighbours finds the top between samples (to a few percent at 150 Hz, under one at 400). */
static double peak_acc_g(const struct loc_state *ls, double from, double to)
{
        size_t oldest = ls->n > GM_HIST_LEN ? ls->n - GM_HIST_LEN : 0, top = SIZE_MAX;
        double peak = NAN;
        for (size_t i = gm_hist_after(&ls->t, ls->n, to); i-- > oldest;) {
                double t = gm_hist_at(&ls->t, i);
                if (t < from)
                        break;
                if (t <= to && !(gm_hist_at(&ls->acc_norm, i) <= peak)) {
                        peak = gm_hist_at(&ls->acc_norm, i);
                        top = i;
                }
        }
        if (top != SIZE_MAX && top > oldest && top + 1 < ls->n) {
                double a = gm_hist_at(&ls->acc_norm, top - 1), c = gm_hist_at(&ls->acc_norm, top + 1);
                double curve = a - 2 * peak + c;
                if (curve < 0) /* a top, not a plateau (a saturated sensor) */
                        peak -= (a - c) * (a - c) / (8 * curve);
        }
        return peak / GM_GRAVITY;
}

/* The stride's gait from its duty factor (a runner's stance is under half the stride), the
 * activity as the majority of the last strides, and whether the stride is steady. */
/* Strides touching [t, t + HOLD_S) are not steady, whenever they are completed: a span for
 * each cause, so that a cause seen before a stride that ended earlier (sensors' samples come
 * in any order) does not touch it. */
static void hold(struct gm_pipeline *p, double t)
{
        if (!isfinite(t))
                return;
        double to = t + HOLD_S;
        p->hold_until = fmax(p->hold_until, to);
        if (p->n_holds) {
                unsigned k = (p->n_holds - 1) % HOLDS;
                if (t >= p->hold_from[k] && t <= p->hold_to[k]) {
                        p->hold_to[k] = fmax(p->hold_to[k], to);
                        return;
                }
        }
        unsigned k = p->n_holds++ % HOLDS;
        p->hold_from[k] = t;
        p->hold_to[k] = to;
}

static bool held(const struct gm_pipeline *p, double from, double to)
{
        unsigned have = p->n_holds < HOLDS ? p->n_holds : HOLDS;
        for (unsigned k = 0; k < have; k++)
                if (from < p->hold_to[k] && to >= p->hold_from[k])
                        return true;
        return false;
}

static void stride_activity(struct gm_pipeline *p, struct gm_stride *st)
{
        bool running = isfinite(st->stance_s) ? st->stance_s < 0.5 * st->stride_s : st->cadence_spm > 145;
        st->activity = running ? GM_ACTIVITY_RUNNING : GM_ACTIVITY_WALKING;
        p->activity_votes += running ? 1 : -1;
        if (p->activity_votes > ACTIVITY_VOTES / 2)
                p->activity_votes = ACTIVITY_VOTES / 2;
        if (p->activity_votes < -ACTIVITY_VOTES / 2)
                p->activity_votes = -ACTIVITY_VOTES / 2;
        enum gm_activity now = p->activity_votes > 0   ? GM_ACTIVITY_RUNNING
                               : p->activity_votes < 0 ? GM_ACTIVITY_WALKING
                                                       : p->activity;
        if (now != p->activity) {
                if (p->activity != GM_ACTIVITY_IDLE)
                        hold(p, st->t_next_ic);
                p->activity = now;
        }
        st->steady = !held(p, st->t_ic, st->t_next_ic) && st->activity == p->activity;
}

static void complete_stride(struct gm_pipeline *p, struct gm_stride *stp);
static void complete_covered(struct gm_pipeline *p, bool flush);

/* A side's stride ends at its next initial contact. */
static void finish_stride(struct gm_pipeline *p, enum gm_side side, double t_ic)
{
        struct side_state *s = &p->side[side];
        double stride = t_ic - s->last_ic;
        if (!(stride > 0.3 && stride < 2.5))
                return;
        struct gm_stride st = {
                .side = side,
                .t_ic = s->last_ic,
                .t_next_ic = t_ic,
                .t_fc = NAN,
                .stride_s = stride,
                .stance_s = NAN,
                .swing_s = NAN,
                .cadence_spm = 120.0 / stride,
                .hip_ext_deg = NAN,
                .hip_range_deg = NAN,
                .thigh_ext_deg = NAN,
                .thigh_range_deg = NAN,
                .pelvic_drop_deg = NAN,
                .impact_g = NAN,
                .vertical_osc_cm = NAN,
        };
        if (s->last_fc > s->last_ic && s->last_fc < t_ic) {
                st.t_fc = s->last_fc;
                st.stance_s = s->last_fc - s->last_ic;
                st.swing_s = t_ic - s->last_fc;
        }
        /* Its metrics wait until the other sensors' samples cover it. */
        if (p->n_waiting == WAITING_LEN)
                complete_stride(p, &p->waiting[p->waiting_head++ % WAITING_LEN]), p->n_waiting--;
        p->waiting[(p->waiting_head + p->n_waiting++) % WAITING_LEN] = st;
        complete_covered(p, false);
}

/* Whether a location's samples reach t, or never will: it is absent, has been silent for
 * a while, or the stream ended. */
static bool covered(const struct gm_pipeline *p, enum gm_loc loc, double t, bool flush)
{
        if (loc >= GM_LOC_COUNT || !p->loc[loc].present || flush)
                return true;
        double last = p->loc[loc].last_t;
        return isnan(last) || last >= t || p->t_last - last > STRIDE_WAIT_S;
}

/* The strides whose sensors have all delivered their span, in order. A live source hands
 * each sensor's buffers over in any order: what a stride reads from the pelvis, a thigh or
 * an impact sensor must not depend on which came first. */
static void complete_covered(struct gm_pipeline *p, bool flush)
{
        while (p->n_waiting) {
                struct gm_stride *st = &p->waiting[p->waiting_head % WAITING_LEN];
                if (!covered(p, GM_LOC_PELVIS, st->t_next_ic, flush) ||
                    !covered(p, p->hip_loc[st->side], st->t_next_ic, flush) ||
                    !covered(p, p->impact_loc[st->side], st->t_ic + IMPACT_WINDOW_S, flush))
                        return;
                struct gm_stride done = *st;
                p->waiting_head++;
                p->n_waiting--;
                complete_stride(p, &done);
        }
}

/* A stride's activity and metrics from every sensor that has them, then out. */
static void complete_stride(struct gm_pipeline *p, struct gm_stride *stp)
{
        struct gm_stride st = *stp;
        enum gm_side side = st.side;
        struct side_state *s = &p->side[side];
        double t_ic = st.t_next_ic, stride = st.stride_s;
        stride_activity(p, &st);
        double lo, hi, mean;
        enum gm_loc thigh = p->hip_loc[side];
        if (thigh < GM_LOC_COUNT && p->loc[thigh].thigh) {
                struct gm_thigh_stride ts;
                gm_thigh_stride(p->loc[thigh].thigh, st.t_ic, st.t_fc, t_ic, p->activity, st.steady, &ts);
                st.thigh_ext_deg = ts.thigh_ext_deg;
                st.thigh_range_deg = ts.thigh_range_deg;
                if (p->have_pelvis) {
                        st.hip_ext_deg = ts.hip_ext_deg;
                        st.hip_range_deg = ts.hip_range_deg;
                }
        }
        if (p->have_pelvis && isfinite(st.t_fc)) {
                const struct loc_state *pl = &p->loc[GM_LOC_PELVIS];
                double slo, shi;
                if (angle_span(pl, st.t_ic, t_ic, &lo, &hi, &mean) &&
                    angle_span(pl, st.t_ic, st.t_fc, &slo, &shi, NULL))
                        st.pelvic_drop_deg = fmax(shi - mean, mean - slo) * 180 / M_PI;
        }
        /* Whichever sensor times the contacts, the pelvis rises and falls between them. */
        if (p->have_pelvis)
                st.vertical_osc_cm = gm_vosc_stride(&p->vosc, &p->loc[GM_LOC_PELVIS].t, st.t_ic, t_ic);
        if (p->impact_loc[side] < GM_LOC_COUNT)
                st.impact_g = peak_acc_g(&p->loc[p->impact_loc[side]], st.t_ic, st.t_ic + IMPACT_WINDOW_S);
        if (isfinite(st.impact_g))
                s->load += st.impact_g;
        for (int m = 0; m < GM_METRIC_COUNT; m++) {
                double v = gm_stride_metric(&st, m);
                if (!isfinite(v))
                        continue;
                struct shown *sh = &s->shown[m];
                sh->v[sh->n % SHOWN_STRIDES] = v;
                sh->t[sh->n++ % SHOWN_STRIDES] = st.t_next_ic;
        }
        s->recent_stride[s->n_stride++ % 8] = stride;
        s->strides++;
        queue_put(&p->strides, &st);
        struct gm_spike spike;
        if (gm_asym_stride(&p->asym, &st, &spike))
                queue_put(&p->spikes, &spike);
}

/* A foot contact: counted, and the first after a pause holds the findings. */
static void count_step(struct gm_pipeline *p, double t)
{
        if (!(t - p->t_last_ic < PAUSE_S))
                hold(p, t);
        p->steps++;
        p->t_last_ic = t;
}

/* An event of a side, from whichever source speaks for it; one_sensor: both sides' events
 * come from it (the pelvis), so that a stride holds the other foot's contact. */
static void take_event(struct gm_pipeline *p, const struct gm_event *ev, bool one_sensor)
{
        struct side_state *s = &p->side[ev->side];
        /* A change of speaker must not repeat or reorder the side's events. */
        if (!(ev->t > s->last_event_t))
                return;
        s->last_event_t = ev->t;
        queue_put(&p->events, ev);
        if (ev->kind == GM_EVENT_IC) {
                count_step(p, ev->t);
                /* Two contacts named for one foot with none of the other between them are a
                 * step given the wrong side or one whose neighbour was missed: no stride. */
                const struct side_state *other = &p->side[ev->side == GM_SIDE_LEFT ? GM_SIDE_RIGHT : GM_SIDE_LEFT];
                if (!isnan(s->last_ic) && (!one_sensor || other->last_ic > s->last_ic))
                        finish_stride(p, ev->side, ev->t);
                s->last_ic = ev->t;
        } else {
                s->last_fc = ev->t;
        }
}

/* The shanks' held events whose contacts the pelvis has spoken for. */
/* The time the shanks' held events are due against: the pelvis' own, so that how far ahead
 * the shanks' samples came does not matter; the newest of any sensor once the pelvis has
 * stopped. */
static double retime_now(const struct gm_pipeline *p)
{
        double pelvis_t = p->loc[GM_LOC_PELVIS].last_t;
        return isfinite(pelvis_t) && !(p->t_last - pelvis_t > STRIDE_WAIT_S) ? pelvis_t : p->t_last;
}

static void take_retimed(struct gm_pipeline *p, bool flush)
{
        struct gm_event ev;
        bool running = p->activity == GM_ACTIVITY_RUNNING, retimed;
        double now = retime_now(p);
        while (gm_retime_next(&p->retime, now, running, flush, &ev, &retimed) > 0) {
                /* Contacts timed by the shank alone in a run the pelvis was timing (a pelvis
                 * dropout): strides on two clocks are not compared. */
                if (running && !retimed && p->retime.n)
                        hold(p, ev.t);
                take_event(p, &ev, false);
        }
}

static void on_event(struct gm_event_out *out, const struct gm_event *ev)
{
        struct loc_events *ls = (struct loc_events *)out;
        struct gm_pipeline *p = ls->p;
        if (ls->contacts) {
                gm_retime_contact(&p->retime, ev);
                if (!ls->side_mask)
                        return;
        }
        if (ev->side == GM_SIDE_UNKNOWN && ls->side_mask == 3u) {
                /* A step whose side the pelvis cannot tell: published as such and counted,
                 * and no stride of either side spans it. */
                queue_put(&p->events, ev);
                if (ev->kind == GM_EVENT_IC) {
                        count_step(p, ev->t);
                        p->side[GM_SIDE_LEFT].last_ic = p->side[GM_SIDE_RIGHT].last_ic = NAN;
                }
                return;
        }
        if (ev->side > GM_SIDE_RIGHT || !(ls->side_mask & (1u << ev->side)))
                return;
        struct side_state *s = &p->side[ev->side];
        if (s->src[0] < GM_LOC_COUNT && s->src[1] < GM_LOC_COUNT) {
                /* Two sources: the first one whose frame is decided speaks for the side, so a
                 * sensor that cannot decide does not silence it. */
                const struct loc_state *first = &p->loc[s->src[0]];
                bool first_ready = !first->det->ready || first->det->ready(first->det_state);
                enum gm_loc speaker = first_ready ? s->src[0] : s->src[1];
                const struct loc_state *me = &p->loc[speaker];
                if (&me->events != ls)
                        return;
        }
        if (ls->retimed && gm_retime_hold(&p->retime, ev) == 0)
                return;
        take_event(p, ev, ls->side_mask == 3u);
}

/* A placement whatever its side: the foot, the shank, the pelvis (or none). */
static enum gm_loc loc_kind(enum gm_loc l)
{
        return l == GM_LOC_RIGHT_FOOT ? GM_LOC_LEFT_FOOT : l == GM_LOC_RIGHT_SHANK ? GM_LOC_LEFT_SHANK : l;
}

/* Which sensor decides the events of each side: foot, then shank, then the pelvis. */
static void choose_sources(struct gm_pipeline *p)
{
        static const enum gm_loc limbs[2][2] = {
                { GM_LOC_LEFT_FOOT, GM_LOC_LEFT_SHANK },
                { GM_LOC_RIGHT_FOOT, GM_LOC_RIGHT_SHANK },
        };
        unsigned pelvis_sides = 0;
        for (int side = 0; side < 2; side++) {
                p->impact_loc[side] = GM_LOC_COUNT;
                p->hip_loc[side] = has(p->cfg.loc_mask, side ? GM_LOC_RIGHT_HIP : GM_LOC_LEFT_HIP)
                                           ? (side ? GM_LOC_RIGHT_HIP : GM_LOC_LEFT_HIP)
                                           : GM_LOC_COUNT;
                bool found = false;
                struct side_state *ss = &p->side[side];
                ss->src[0] = ss->src[1] = GM_LOC_COUNT;
                for (int k = 0, n = 0; k < 2; k++) {
                        enum gm_loc l = limbs[side][k];
                        if (!has(p->cfg.loc_mask, l))
                                continue;
                        struct loc_state *ls = &p->loc[l];
                        ls->det = !ls->has_gyr ? &gm_detector_shank_acc
                                  : k == 0     ? &gm_detector_foot_gyro
                                               : &gm_detector_shank_gyro;
                        if (!ls->has_gyr && k == 0)
                                continue; /* a foot without gyro: try the shank */
                        ls->events.side_mask = 1u << side;
                        if (!found)
                                p->impact_loc[side] = l;
                        ss->src[n++] = l;
                        found = true;
                }
                if (!found && p->have_pelvis) {
                        pelvis_sides |= 1u << side;
                        p->impact_loc[side] = GM_LOC_PELVIS;
                }
        }
        if (pelvis_sides) {
                p->loc[GM_LOC_PELVIS].det = &gm_detector_pelvis;
                p->loc[GM_LOC_PELVIS].events.side_mask = pelvis_sides;
        }
        if (p->have_pelvis) {
                /* The pelvis times a runner's contacts for the shanks, also beside the side it
                 * names itself: the two sides' stances are then read on one clock, not the
                 * shank's against the sacrum's. */
                for (int l = 0; l < GM_LOC_COUNT; l++) {
                        struct loc_state *ls = &p->loc[l];
                        if (ls->det == &gm_detector_shank_gyro && ls->events.side_mask) {
                                ls->events.retimed = true;
                                p->loc[GM_LOC_PELVIS].det = &gm_detector_pelvis;
                                p->loc[GM_LOC_PELVIS].events.contacts = true;
                        }
                }
        }
        for (int l = 0; l < GM_LOC_COUNT; l++)
                if (p->loc[l].det && !p->loc[l].events.side_mask && !p->loc[l].events.contacts)
                        p->loc[l].det = NULL;
        /* The FFT looks at the pelvis (steps of both feet) or else one event source (strides). */
        p->cadence_loc = GM_LOC_COUNT;
        if (p->have_pelvis) {
                p->cadence_loc = GM_LOC_PELVIS;
                p->cadence_factor = 60;
        } else {
                for (int side = 0; side < 2 && p->cadence_loc == GM_LOC_COUNT; side++)
                        if (p->impact_loc[side] < GM_LOC_COUNT) {
                                p->cadence_loc = p->impact_loc[side];
                                p->cadence_factor = 120;
                        }
        }
        /* Impacts are compared side against side, so both are read on sensors of one kind (a
         * shank peaks at several times the sacrum's g): the feet, the shanks or the pelvis,
         * whichever both sides have first; none when they share none. A one-legged
         * recording keeps its leg's. */
        if (p->impact_loc[GM_SIDE_LEFT] < GM_LOC_COUNT && p->impact_loc[GM_SIDE_RIGHT] < GM_LOC_COUNT &&
            loc_kind(p->impact_loc[GM_SIDE_LEFT]) != loc_kind(p->impact_loc[GM_SIDE_RIGHT])) {
                static const enum gm_loc pairs[2][2] = { { GM_LOC_LEFT_FOOT, GM_LOC_RIGHT_FOOT },
                                                         { GM_LOC_LEFT_SHANK, GM_LOC_RIGHT_SHANK } };
                enum gm_loc both[2] = { GM_LOC_COUNT, GM_LOC_COUNT };
                for (int k = 0; k < 2 && both[0] == GM_LOC_COUNT; k++)
                        if (has(p->cfg.loc_mask, pairs[k][0]) && has(p->cfg.loc_mask, pairs[k][1]))
                                memcpy(both, pairs[k], sizeof(both));
                if (both[0] == GM_LOC_COUNT && p->have_pelvis)
                        both[0] = both[1] = GM_LOC_PELVIS;
                memcpy(p->impact_loc, both, sizeof(both));
        }
}

static int init_detector(struct gm_pipeline *p, struct loc_state *ls)
{
        if (!ls->det)
                return 0;
        enum gm_side side = ls->loc == GM_LOC_PELVIS ? GM_SIDE_UNKNOWN : gm_loc_side(ls->loc);
        memset(ls->det_state, 0, ls->det->state_size);
        int r = ls->det->init(ls->det_state, p->cfg.rate_hz, side, ls->has_gyr);
        /* From the start (not after a gap) the detector sees what ls->align sees. */
        if (r >= 0 && ls->det->align && ls->align.n == 0)
                ls->det->align(ls->det_state)->follow = &ls->align;
        return r;
}

struct gm_pipeline *gm_pipeline_new(const struct gm_pipeline_cfg *cfg)
{
        if (!(cfg->rate_hz >= 50 && cfg->rate_hz <= 1000) || !cfg->loc_mask || cfg->loc_mask >= (1u << GM_LOC_COUNT) ||
            cfg->spike_strides < 1 || !(cfg->spike_si > 0)) {
                errno = EINVAL;
                return NULL;
        }
        struct gm_pipeline *p = calloc(1, sizeof(*p));
        if (!p) {
                errno = ENOMEM;
                return NULL;
        }
        p->cfg = *cfg;
        p->cfg.gyr_mask &= cfg->loc_mask;
        p->have_pelvis = has(cfg->loc_mask, GM_LOC_PELVIS);
        gm_vosc_init(&p->vosc, cfg->rate_hz);
        p->gap_s = GAP_PERIODS / cfg->rate_hz;
        p->events = (struct queue){ .items = p->ev_buf, .size = sizeof(struct gm_event) };
        p->strides = (struct queue){ .items = p->st_buf, .size = sizeof(struct gm_stride) };
        p->spikes = (struct queue){ .items = p->sp_buf, .size = sizeof(struct gm_spike) };
        p->t_last = p->t_last_ic = NAN;
        p->hold_until = -INFINITY;
        p->activity = GM_ACTIVITY_IDLE;
        gm_retime_init(&p->retime);
        for (int s = 0; s < 2; s++) {
                p->side[s].last_ic = p->side[s].last_fc = NAN;
                p->side[s].last_event_t = -INFINITY;
                p->side[s].src[0] = p->side[s].src[1] = GM_LOC_COUNT;
        }
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                struct loc_state *ls = &p->loc[l];
                ls->loc = l;
                ls->present = has(cfg->loc_mask, l);
                ls->has_gyr = has(p->cfg.gyr_mask, l);
                ls->last_t = NAN;
                ls->events = (struct loc_events){ .out.emit = on_event, .p = p };
        }
        choose_sources(p);
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                p->loc[l].keep_acc = p->impact_loc[0] == (enum gm_loc)l || p->impact_loc[1] == (enum gm_loc)l;
                p->loc[l].keep_angle = l == GM_LOC_PELVIS;
        }
        int r = 0;
        for (int l = 0; l < GM_LOC_COUNT && r >= 0; l++) {
                struct loc_state *ls = &p->loc[l];
                if (!ls->present)
                        continue;
                gm_align_init(&ls->align, cfg->rate_hz);
                /* Its up is read four times a sample, by the roll and by the detector's load, yaw
                 * and sway; its rotation axis by nobody. */
                if (l == GM_LOC_PELVIS)
                        gm_align_up_only(&ls->align);
                if ((l == GM_LOC_LEFT_HIP || l == GM_LOC_RIGHT_HIP) && ls->has_gyr) {
                        ls->thigh = malloc(sizeof(*ls->thigh));
                        if (!ls->thigh) {
                                r = -ENOMEM;
                                break;
                        }
                        gm_thigh_init(ls->thigh, cfg->rate_hz);
                        /* Same sensor, same samples, pushed after ls->align. The thigh decides
                         * the axis' sign (its votes), and its follower's axis is the leader's
                         * whatever sign the leader took: nothing needs the leader's own. */
                        ls->thigh->align.follow = &ls->align;
                        gm_align_set_sign_mode(&ls->align, GM_ALIGN_SIGN_CALLER);
                }
                for (int i = 0; i < 2; i++) {
                        gm_biquad_highpass(&ls->roll_hp[i], cfg->rate_hz, 0.3);
                        gm_biquad_lowpass(&ls->roll_lp[i], cfg->rate_hz, 1.8);
                }
                if (ls->det) {
                        ls->det_state = calloc(1, ls->det->state_size);
                        r = ls->det_state ? init_detector(p, ls) : -ENOMEM;
                }
        }
        if (r >= 0 && p->cadence_loc < GM_LOC_COUNT)
                r = gm_cadence_init(&p->cadence, cfg->rate_hz);
        if (r < 0) {
                gm_pipeline_free(p);
                errno = -r;
                return NULL;
        }
        gm_asym_init(&p->asym, p->cfg.warmup_s, p->cfg.baseline_s, p->cfg.spike_si, p->cfg.spike_strides,
                     p->cfg.rate_hz);
        return p;
}

void gm_pipeline_free(struct gm_pipeline *p)
{
        if (!p)
                return;
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                free(p->loc[l].det_state);
                free(p->loc[l].thigh);
        }
        gm_cadence_free(&p->cadence);
        free(p);
}

/* Pelvic obliquity: the horizontal rotation with most stride-frequency energy is the roll. */
static double pelvis_roll(struct loc_state *ls, const struct gm_sample *s, double dt)
{
        double up[3];
        gm_align_up(&ls->align, up);
        /* The horizontal axes follow up, which stands still while gravity is known from
         * standing: worked out again only when it moved. */
        double *e1 = ls->roll_e[0], *e2 = ls->roll_e[1];
        if (memcmp(up, ls->roll_up, sizeof(up))) {
                memcpy(ls->roll_up, up, sizeof(up));
                double ref[3] = { 1, 0, 0 };
                if (fabs(up[0]) > 0.8) {
                        ref[0] = 0;
                        ref[1] = 1;
                }
                gm_cross3(up, ref, e1);
                double n = gm_norm3(e1);
                for (int i = 0; i < 3; i++)
                        e1[i] /= n;
                gm_cross3(up, e1, e2);
        }
        double h[2] = { gm_dot3(s->gyr, e1), gm_dot3(s->gyr, e2) };
        double b[2];
#pragma GCC unroll 2
        for (int i = 0; i < 2; i++)
                b[i] = gm_biquad_run(&ls->roll_lp[i], gm_biquad_run(&ls->roll_hp[i], h[i]));
        double k = dt / 6.0;
        ls->roll_cov[0] += k * (b[0] * b[0] - ls->roll_cov[0]);
        ls->roll_cov[1] += k * (b[0] * b[1] - ls->roll_cov[1]);
        ls->roll_cov[2] += k * (b[1] * b[1] - ls->roll_cov[2]);
        /* The principal axis at half the angle of (x, y) = (c00 - c11, 2 c01): its cosine and
         * sine by the half-angle formulas (each taken where it does not cancel, the other from
         * sin 2a = 2 sin a cos a) rather than atan2, cos and sin; they differ by a few units in
         * the last place. */
        double x = ls->roll_cov[0] - ls->roll_cov[2], y = 2 * ls->roll_cov[1], r = sqrt(x * x + y * y);
        double ca = 1, sa = 0;
        if (r > 0) {
                if (x >= 0) {
                        ca = sqrt((r + x) / (2 * r));
                        sa = y / (2 * r * ca);
                } else {
                        sa = copysign(sqrt((r - x) / (2 * r)), y);
                        ca = y / (2 * r * sa);
                }
        }
        double roll_rate = ca * h[0] + sa * h[1];

        ls->angle_now = ls->angle_now * (1 - dt / ROLL_TAU_S) + roll_rate * dt;
        return ls->angle_now;
}

static bool sample_ok(const struct gm_sample *s, bool has_gyr)
{
        /* !(|x| <= max) is also true of NaN and infinities: one test a value, and no branch
         * between them. */
        const double *a = s->acc, *g = s->gyr;
        bool ok = isfinite(s->t) & (fabs(a[0]) <= MAX_ABS_ACC) & (fabs(a[1]) <= MAX_ABS_ACC) &
                  (fabs(a[2]) <= MAX_ABS_ACC);
        if (has_gyr)
                ok &= (fabs(g[0]) <= MAX_ABS_GYR) & (fabs(g[1]) <= MAX_ABS_GYR) & (fabs(g[2]) <= MAX_ABS_GYR);
        return ok;
}

int gm_pipeline_push(struct gm_pipeline *p, enum gm_loc loc, const struct gm_sample *s)
{
        if (loc >= GM_LOC_COUNT || !p->loc[loc].present)
                return -EINVAL;
        struct loc_state *ls = &p->loc[loc];
        if (!sample_ok(s, ls->has_gyr) || (!isnan(ls->last_t) && !(s->t > ls->last_t))) {
                p->bad_samples++;
                if (isfinite(s->t))
                        hold(p, s->t);
                return 1;
        }
        double dt = isnan(ls->last_t) ? 1.0 / p->cfg.rate_hz : s->t - ls->last_t;
        if (dt > p->gap_s) {
                /* Events across a hole would be invented: start this sensor's detection over. */
                p->gaps++;
                hold(p, s->t);
                if (ls->det && ls->det->flush)
                        ls->det->flush(ls->det_state, &ls->events.out);
                init_detector(p, ls);
                dt = 1.0 / p->cfg.rate_hz;
        }
        ls->last_t = s->t;
        if (isnan(p->t_last) || s->t > p->t_last)
                p->t_last = s->t;

        gm_align_push(&ls->align, s, ls->has_gyr);
        /* The same expression as the alignment's: its value, not a second square root. */
        double acc_norm = ls->align.last_acc_norm;
        double angle = NAN;
        if (ls->has_gyr && loc == GM_LOC_PELVIS)
                angle = pelvis_roll(ls, s, dt);
        if (ls->thigh)
                gm_thigh_push(ls->thigh, s, dt);
        /* Only the histories a stride reads: the others would only stream through the cache. */
        if (ls->keep_acc || ls->keep_angle)
                gm_hist_push(&ls->t, s->t);
        if (ls->keep_acc)
                gm_hist_push(&ls->acc_norm, acc_norm);
        if (ls->keep_angle) {
                gm_hist_push(&ls->angle, angle);
                /* The pelvis' vertical acceleration, beside its times, for its rise and fall. */
                gm_vosc_push(&p->vosc, gm_align_vertical_acc(&ls->align, s->acc));
        }
        ls->n++;
        if (loc == p->cadence_loc)
                gm_cadence_push(&p->cadence, acc_norm);
        if (ls->det)
                ls->det->push(ls->det_state, s, &ls->events.out);
        if (gm_retime_due(&p->retime, retime_now(p), false))
                take_retimed(p, false);
        if (p->n_waiting)
                complete_covered(p, false);
        return 0;
}

void gm_pipeline_flush(struct gm_pipeline *p)
{
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                struct loc_state *ls = &p->loc[l];
                if (ls->det && ls->det->flush)
                        ls->det->flush(ls->det_state, &ls->events.out);
        }
        take_retimed(p, true);
        complete_covered(p, true);
}

int gm_pipeline_next_event(struct gm_pipeline *p, struct gm_event *out)
{
        return queue_get(&p->events, out);
}

int gm_pipeline_next_stride(struct gm_pipeline *p, struct gm_stride *out)
{
        return queue_get(&p->strides, out);
}

int gm_pipeline_next_spike(struct gm_pipeline *p, struct gm_spike *out)
{
        return queue_get(&p->spikes, out);
}

void gm_pipeline_reset_baseline(struct gm_pipeline *p)
{
        gm_asym_reset_baseline(&p->asym);
}

void gm_pipeline_snapshot(const struct gm_pipeline *p, struct gm_metrics *out)
{
        memset(out, 0, sizeof(*out));
        out->t = p->t_last;
        out->steps = p->steps;
        out->bad_samples = p->bad_samples;
        out->gaps = p->gaps;
        double stride[2], stance_frac = NAN;
        for (int s = 0; s < 2; s++) {
                out->strides[s] = p->side[s].strides;
                out->load[s] = p->side[s].load;
                stride[s] = stride_value_median(&p->side[s]);
        }
        double st = isfinite(stride[0]) && isfinite(stride[1]) ? (stride[0] + stride[1]) / 2
                    : isfinite(stride[0])                      ? stride[0]
                                                               : stride[1];
        /* Moving: a contact in the last 3 s, published or still waiting for its side. */
        double t_step = p->t_last_ic;
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                const struct loc_state *ls = &p->loc[l];
                if (ls->det && ls->det->last_step) {
                        double t = ls->det->last_step(ls->det_state);
                        if (isfinite(t) && !(t <= t_step))
                                t_step = t;
                }
        }
        bool moving = isfinite(t_step) && p->t_last - t_step < 3.0;
        out->cadence_spm = moving && isfinite(st) ? 120.0 / st : NAN;
        out->vertical_osc_cm = moving ? gm_vosc_recent_cm(&p->vosc, p->t_last, SHOWN_FRESH_S) : NAN;
        out->vertical_osc_mean_cm = gm_vosc_mean_cm(&p->vosc);
        double peak = p->cadence_loc < GM_LOC_COUNT ? gm_cadence_peak_hz(&p->cadence) : NAN;
        out->cadence_fft_spm = moving ? peak * p->cadence_factor : NAN;
        /* One leg's signal may peak at its stride or its step rate: the FFT confirms the
         * events' cadence up to that octave, and disagrees when off by anything else. */
        if (isfinite(out->cadence_fft_spm) && isfinite(out->cadence_spm)) {
                double best = out->cadence_fft_spm;
                for (double m = 0.5; m <= 2; m *= 2)
                        if (fabs(out->cadence_fft_spm * m - out->cadence_spm) < fabs(best - out->cadence_spm))
                                best = out->cadence_fft_spm * m;
                out->cadence_fft_spm = best;
        }
        /* Asymmetry only from fresh steady strides; the values shown from any fresh ones. */
        bool si_fresh = p->t_last - p->asym.t_last < GM_ASYM_FRESH_S;
        for (int m = 0; m < GM_METRIC_COUNT; m++) {
                for (int s = 0; s < 2; s++) {
                        const struct shown *sh = &p->side[s].shown[m];
                        double v[SHOWN_STRIDES];
                        unsigned k = 0;
                        for (unsigned i = 0; i < SHOWN_STRIDES && i < sh->n; i++)
                                if (sh->t[i] >= p->t_last - SHOWN_FRESH_S)
                                        v[k++] = sh->v[i];
                        out->value[m][s] = gm_median(v, k);
                }
                out->si[m] = si_fresh ? p->asym.m[m].si : NAN;
                out->si_baseline[m] = gm_asym_baseline(&p->asym, m);
        }
        out->baseline_ready = gm_asym_baseline_ready(&p->asym);
        out->steady = isfinite(p->t_last) && p->t_last >= p->hold_until;
        double st_l = out->value[GM_METRIC_STANCE][0], st_r = out->value[GM_METRIC_STANCE][1];
        double stance = isfinite(st_l) && isfinite(st_r) ? (st_l + st_r) / 2 : isfinite(st_l) ? st_l : st_r;
        if (isfinite(stance) && isfinite(st))
                stance_frac = stance / st;
        if (!moving)
                out->activity = GM_ACTIVITY_IDLE;
        else if (p->activity != GM_ACTIVITY_IDLE)
                out->activity = p->activity; /* the majority of the last strides */
        else if (isfinite(stance_frac) ? stance_frac < 0.5 : out->cadence_spm > 145)
                out->activity = GM_ACTIVITY_RUNNING;
        else
                out->activity = GM_ACTIVITY_WALKING;
}
