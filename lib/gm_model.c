/* Synthetic gait model: segment kinematics per side, body motion and sensor effects. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gm_events.h"
#include "gm_model.h"

/*
 * Frames. Body: x forward, y left, z up. Every segment frame, at zero angle (standing),
 * has x up (along the segment, towards proximal), y right, z forward: the axes of the
 * mobgap lower-back sensor, so synthetic pelvis data compare directly with it. A
 * sagittal angle θ is a rotation about the right axis (positive = distal end forward,
 * flexion; foot: toe up), so the segment gyro reads gyr_y = dθ/dt and the swing of a
 * limb is a large positive peak. Sensor = R(mount_rpy) · segment vector.
 *
 * Pelvis pattern measured on the mobgap lower-back recordings (8 files, 74 strides
 * inside the bouts, sensor x up / y right / z forward, first harmonic of each stride
 * from left IC to the next left IC, phase as a fraction of the stride after left IC):
 *   yaw rate gyr_x (about up, + = turning left): amplitude 0.32 rad/s (0.14-0.45 per
 *     file), peak at 0.44 (0.28-0.52). So around left IC the pelvis turns right
 *     (gyr_x about -0.3 rad/s), around right IC it turns left (+0.3 rad/s).
 *   medio-lateral acc_y (+ = right): amplitude 0.77 m/s² (0.06-1.39), peak at 0.30
 *     (0.12-0.34): the trunk accelerates to the right during left single stance and
 *     to the left during right single stance.
 *   vertical acc_x: second harmonic 0.5-2.9 m/s², peak 0.02-0.09 after each IC.
 *   forward acc_z: second harmonic 0.6-1.8 m/s², peak 0.34-0.43 after each IC
 *     (braking right after IC, propulsion before the other foot lands).
 *   roll rate gyr_z: first harmonic 0.04-0.22 rad/s, peak 0.9-1.0 (right side
 *     dropping fastest just before left IC, most dropped at ~0.2 after left IC).
 *   pitch rate gyr_y: second harmonic ~0.2 rad/s, peak 0.40-0.50 after each IC.
 * The model copies these phases; amplitudes are scaled for speed and running.
 */

#define TAB_N 2048
#define TWO_PI (2.0 * M_PI)
#define DEG (M_PI / 180.0)

enum { SEG_THIGH, SEG_SHANK, SEG_FOOT, SEG_COUNT };
enum { GAIT_WALK, GAIT_RUN, GAIT_COUNT };

struct keyframe {
        double phase, deg;
};

/* One joint-angle cycle on a canonical phase (IC at 0, FC at s0), with derivatives
 * per cycle, tabulated once so a step costs a table lookup. */
struct profile {
        double s0;
        double ext_phase, ext_val; /* minimum: the peak extension (thigh) */
        double th[TAB_N + 1], d1[TAB_N + 1], d2[TAB_N + 1];
};

struct rng {
        uint64_t s[4];
        double spare;
        int have_spare;
};

struct side_state {
        double phi;         /* gait phase, 0..1, IC at 0 */
        double s;           /* stance fraction now */
        double phi_minus_s; /* for the FC crossing */
        int fc_done;
        double t_ic; /* last IC, for the impact transient */
        double ic_scale;
        double ext_min;      /* min(θ_thigh − pelvis pitch) this stride, rad */
        double hip_ext_last; /* of the last completed stride, rad */
        double drop_max;     /* max contralateral drop during this stance, rad */
        double drop_last;
        int have_stride; /* a full stride has been tracked */
        int tracking;    /* a stride is being tracked */
};

struct seg_motion {
        double th, thd, thdd; /* rad, rad/s, rad/s² */
};

struct leg {
        struct seg_motion seg[SEG_COUNT];
        double w_swing;
        double knee[2], ankle[2]; /* top-down chain accelerations, world (F, U) */
        double ankle_bu[2];       /* ankle acceleration in stance, from the foot */
        double foot_contact_oz;   /* sensor ahead of the contact point in stance, m */
};

#define LEN_THIGH 0.45
#define LEN_SHANK 0.43

struct dropout {
        size_t next; /* sample index where the next dropout starts */
        size_t end;  /* first sample after the current dropout */
};

struct gm_model {
        struct gm_model_cfg cfg;
        double dt;
        size_t n; /* index of the sample the next step returns */
        double t;

        /* targets from set_gait */
        enum gm_activity activity;
        double speed_target, cadence_target;

        /* smoothed gait state */
        double Phi; /* master phase (left), cycles, 0..1 */
        double lf;  /* ln stride frequency */
        double speed;
        double blend;      /* 0 walking .. 1 running */
        double u, u_rate;  /* motion ramp, linear 0..1, and its rate */
        double eps, eps_s; /* stride jitter: drawn and smoothed */
        double t_motion;   /* s of motion, for fatigue */
        int started;

        struct side_state side[2];
        struct rng rng_noise, rng_jitter, rng_drop;
        struct dropout drop[GM_LOC_COUNT];
        size_t drop_len;
        double mount[GM_LOC_COUNT][3][3];
        int mount_identity[GM_LOC_COUNT];

        struct profile prof[SEG_COUNT][GAIT_COUNT];
};

/* ---- keyframes (degrees) on the canonical phase -------------------------------- */

static const struct keyframe thigh_walk[] = {
        { 0.00, 25 }, { 0.10, 22 }, { 0.30, 8 },  { 0.48, -5 }, { 0.57, -10 },
        { 0.64, -8 }, { 0.74, 10 }, { 0.84, 32 }, { 0.89, 35 }, { 0.95, 30 },
};
static const struct keyframe thigh_run[] = {
        { 0.00, 30 }, { 0.08, 25 }, { 0.25, 0 },  { 0.35, -14 }, { 0.39, -15 },
        { 0.47, -8 }, { 0.60, 20 }, { 0.74, 50 }, { 0.82, 55 },  { 0.92, 42 },
};
/* The shank turns back fastest at toe-off: the gyro minimum that marks fc. */
/* The shank turns back fastest close to toe-off: the gyro minimum that marks fc. */
static const struct keyframe shank_walk[] = {
        { 0.00, 18 },  { 0.035, 12.5 }, { 0.09, 9 },  { 0.25, -2 }, { 0.42, -13 },  { 0.54, -27 }, { 0.60, -36.5 },
        { 0.63, -39 }, { 0.68, -30 },   { 0.76, -5 }, { 0.85, 17 }, { 0.92, 24.5 }, { 0.96, 22 },
};
static const struct keyframe shank_run[] = {
        { 0.00, 16 },  { 0.03, 10 },  { 0.08, 3 },   { 0.20, -12 }, { 0.32, -30 }, { 0.38, -40 },   { 0.46, -58 },
        { 0.53, -68 }, { 0.60, -55 }, { 0.70, -15 }, { 0.80, 22 },  { 0.87, 28 },  { 0.945, 19.5 },
};
/* Foot: from the gaitmap 2x20 m walk (heel rise to -64° at toe-off, swing about
 * +5 rad/s, foot slap after IC), its stance 0.67 compressed to 0.60. */
static const struct keyframe foot_walk[] = {
        { 0.00, 18 },   { 0.036, 10 },  { 0.072, 2 },   { 0.125, 0 },   { 0.39, 0 },   { 0.466, -5 },
        { 0.50, -13 },  { 0.537, -27 }, { 0.573, -45 }, { 0.60, -58 },  { 0.62, -62 }, { 0.66, -60 },
        { 0.709, -51 }, { 0.758, -38 }, { 0.806, -24 }, { 0.855, -12 }, { 0.903, -1 }, { 0.952, 11 },
};
static const struct keyframe foot_run[] = {
        { 0.00, 10 },  { 0.03, 5 },   { 0.07, 0 },   { 0.18, 0 },   { 0.26, -10 }, { 0.33, -35 }, { 0.38, -55 },
        { 0.44, -70 }, { 0.52, -74 }, { 0.60, -62 }, { 0.70, -30 }, { 0.80, 0 },   { 0.88, 13 },  { 0.94, 14 },
};

#define S0_WALK 0.60
#define S0_RUN 0.38

/* Impact peak at IC, in g, walking / running. */
static const double seg_impact_g[SEG_COUNT][GAIT_COUNT] = {
        [SEG_THIGH] = { 0.8, 2.0 },
        [SEG_SHANK] = { 2.0, 6.0 },
        [SEG_FOOT] = { 7.0, 10.0 },
};
static const double pelvis_impact_g[GAIT_COUNT] = { 0.6, 2.5 };

/* ---- PRNG: xoshiro256** seeded by splitmix64 ----------------------------------- */

static uint64_t splitmix64(uint64_t *x)
{
        uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
}

static void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
        uint64_t x = seed ^ (stream * 0xd1342543de82ef95ull);
        for (int i = 0; i < 4; i++)
                r->s[i] = splitmix64(&x);
        r->have_spare = 0;
}

static inline uint64_t rotl(uint64_t x, int k)
{
        return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
        uint64_t *s = r->s;
        uint64_t result = rotl(s[1] * 5, 7) * 9;
        uint64_t t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = rotl(s[3], 45);
        return result;
}

/* Uniform in (0, 1]. */
static inline double rng_uniform(struct rng *r)
{
        return ((rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* Standard normal, Box-Muller. */
static double rng_gauss(struct rng *r)
{
        if (r->have_spare) {
                r->have_spare = 0;
                return r->spare;
        }
        double u1 = rng_uniform(r), u2 = rng_uniform(r);
        double rad = sqrt(-2.0 * log(u1));
        r->spare = rad * sin(TWO_PI * u2);
        r->have_spare = 1;
        return rad * cos(TWO_PI * u2);
}

/* ---- profiles ------------------------------------------------------------------ */

static double wrap01(double x)
{
        x -= floor(x);
        return x >= 1.0 ? 0.0 : x;
}

/* Circular Gaussian smoothing of a table of TAB_N. */
static void gauss_smooth(const double *in, double *out, double sigma)
{
        enum { MAX_HALF = 256 };
        double w[2 * MAX_HALF + 1];
        int half = (int)ceil(4 * sigma);
        if (half > MAX_HALF)
                half = MAX_HALF;
        double wsum = 0;
        for (int d = -half; d <= half; d++)
                wsum += w[d + half] = exp(-0.5 * d * d / (sigma * sigma));
        for (int k = 0; k < TAB_N; k++) {
                double acc = 0;
                for (int d = -half; d <= half; d++)
                        acc += w[d + half] * in[(k + d + TAB_N) % TAB_N];
                out[k] = acc / wsum;
        }
}

/* Periodic monotone cubic (Fritsch-Carlson) through the keyframes, sampled on the
 * table, then smoothed by a circular Gaussian so that the second derivative is smooth. */
static void profile_build(struct profile *p, const struct keyframe *kf, size_t nk, double s0, double *scratch)
{
        double slope[32], m[32];
        p->s0 = s0;
        for (size_t i = 0; i < nk; i++) {
                size_t j = (i + 1) % nk;
                double dx = kf[j].phase - kf[i].phase + (j == 0 ? 1.0 : 0.0);
                slope[i] = (kf[j].deg - kf[i].deg) / dx;
        }
        for (size_t i = 0; i < nk; i++) {
                double a = slope[(i + nk - 1) % nk], b = slope[i];
                m[i] = (a * b <= 0) ? 0 : 2.0 / (1.0 / a + 1.0 / b);
        }
        for (int k = 0; k < TAB_N; k++) {
                double x = (double)k / TAB_N;
                size_t i = nk - 1;
                for (size_t q = 0; q + 1 < nk; q++)
                        if (x >= kf[q].phase && x < kf[q + 1].phase) {
                                i = q;
                                break;
                        }
                size_t j = (i + 1) % nk;
                double x0 = kf[i].phase;
                double h = kf[j].phase - x0 + (j == 0 ? 1.0 : 0.0);
                double tt = (x - x0 + (x < x0 ? 1.0 : 0.0)) / h;
                double t2 = tt * tt, t3 = t2 * tt;
                double v = (2 * t3 - 3 * t2 + 1) * kf[i].deg + (t3 - 2 * t2 + tt) * h * m[i] +
                           (-2 * t3 + 3 * t2) * kf[j].deg + (t3 - t2) * h * m[j];
                scratch[k] = v * DEG;
        }
        /* θ, θ' after a light smoothing (σ = 0.008 cycle: rounds the keyframe corners);
         * θ'' after a stronger one (σ = 0.025) so that accelerations do not ripple
         * with the knots */
        gauss_smooth(scratch, p->th, 0.008 * TAB_N);
        gauss_smooth(scratch, p->d2, 0.025 * TAB_N);
        const double h = 1.0 / TAB_N;
        for (int k = 0; k < TAB_N; k++) {
                double a = p->th[(k + TAB_N - 1) % TAB_N], c = p->th[(k + 1) % TAB_N];
                p->d1[k] = (c - a) / (2 * h);
        }
        for (int k = 0; k < TAB_N; k++)
                scratch[k] = p->d2[k];
        for (int k = 0; k < TAB_N; k++) {
                double a = scratch[(k + TAB_N - 1) % TAB_N], b = scratch[k], c = scratch[(k + 1) % TAB_N];
                p->d2[k] = (c - 2 * b + a) / (h * h);
        }
        p->th[TAB_N] = p->th[0];
        p->d1[TAB_N] = p->d1[0];
        p->d2[TAB_N] = p->d2[0];
        int kmin = 0;
        for (int k = 1; k < TAB_N; k++)
                if (p->th[k] < p->th[kmin])
                        kmin = k;
        p->ext_phase = (double)kmin / TAB_N;
        p->ext_val = -p->th[kmin];
}

/* Smooth monotone phase warp φ → ψ with ψ(0) = 0, ψ(1) = 1 and ψ(s) = s0, so a profile
 * made for stance s0 serves any stance s: ψ = φ + (a sin 2πφ + b (1 − cos 2πφ)) / 2π. */
struct warp {
        double psi, dpsi, ddpsi; /* ψ, dψ/dφ, d²ψ/dφ² */
};

static void warp_eval(double phi, double s, double s0, struct warp *w)
{
        double vs = sin(TWO_PI * s), vc = 1.0 - cos(TWO_PI * s);
        double n2 = vs * vs + vc * vc;
        double k = TWO_PI * (s0 - s) / n2;
        double a = k * vs, b = k * vc;
        double norm = sqrt(a * a + b * b);
        if (norm > 0.9) {
                a *= 0.9 / norm;
                b *= 0.9 / norm;
        }
        double sp = sin(TWO_PI * phi), cp = cos(TWO_PI * phi);
        w->psi = wrap01(phi + (a * sp + b * (1.0 - cp)) / TWO_PI);
        w->dpsi = 1.0 + a * cp + b * sp;
        w->ddpsi = TWO_PI * (-a * sp + b * cp);
}

static void profile_eval(const struct profile *p, double psi, double *th, double *d1, double *d2)
{
        double x = psi * TAB_N;
        int i = (int)x;
        if (i >= TAB_N)
                i = TAB_N - 1;
        if (i < 0)
                i = 0;
        double f = x - i;
        *th = p->th[i] + f * (p->th[i + 1] - p->th[i]);
        *d1 = p->d1[i] + f * (p->d1[i + 1] - p->d1[i]);
        *d2 = p->d2[i] + f * (p->d2[i + 1] - p->d2[i]);
}

/* Bump of height 1 at the profile's peak extension, zero beyond ±0.3 cycle: lifting
 * the thigh curve by h·E·bump lowers the peak extension by the fraction h. */
static void ext_bump(double psi, double center, double *w, double *w1, double *w2)
{
        const double W = 0.3;
        double d = psi - center;
        d -= floor(d + 0.5);
        if (fabs(d) >= W) {
                *w = *w1 = *w2 = 0;
                return;
        }
        double u = M_PI * d / W, su = sin(u), cu = cos(u);
        double c = 0.5 * (1 + cu);
        *w = c * c;
        *w1 = -c * su * (M_PI / W);
        *w2 = (0.5 * su * su - c * cu) * (M_PI / W) * (M_PI / W);
}

/* ---- helpers ------------------------------------------------------------------- */

static double clampd(double x, double lo, double hi)
{
        return x < lo ? lo : x > hi ? hi : x;
}

static double weak_ramp(const struct gm_model_weakness *w, double t)
{
        if (t < w->onset_s)
                return 0;
        if (w->ramp_s <= 0)
                return 1;
        return clampd((t - w->onset_s) / w->ramp_s, 0, 1);
}

static double fatigue_drift(const struct gm_model *m)
{
        return clampd(m->cfg.fatigue_per_hour * m->t_motion / 3600.0, 0, 0.5);
}

/* Stance fraction of one side now: activity, speed, weakness, fatigue. */
static double stance_frac(const struct gm_model *m, int side)
{
        double sw = clampd(0.60 - 0.04 * (m->speed - 1.3), 0.55, 0.66);
        double sr = clampd(S0_RUN - 0.04 * (m->speed - 3.0), 0.28, 0.45);
        double s = (1 - m->blend) * sw + m->blend * sr;
        const struct gm_model_weakness *w = &m->cfg.weak[side];
        s *= 1 + w->stance_frac * weak_ramp(w, m->t);
        s *= 1 + fatigue_drift(m);
        return clampd(s, 0.2, 0.8);
}

static double smoothstep(double u)
{
        return u * u * (3 - 2 * u);
}

static void rpy_matrix(const double rpy[3], double R[3][3])
{
        double cr = cos(rpy[0]), sr = sin(rpy[0]);
        double cp = cos(rpy[1]), sp = sin(rpy[1]);
        double cy = cos(rpy[2]), sy = sin(rpy[2]);
        /* R = Rz(yaw) · Ry(pitch) · Rx(roll) */
        R[0][0] = cy * cp;
        R[0][1] = cy * sp * sr - sy * cr;
        R[0][2] = cy * sp * cr + sy * sr;
        R[1][0] = sy * cp;
        R[1][1] = sy * sp * sr + cy * cr;
        R[1][2] = sy * sp * cr - cy * sr;
        R[2][0] = -sp;
        R[2][1] = cp * sr;
        R[2][2] = cp * cr;
}

static void mat_vec(double R[3][3], double v[3])
{
        double x = R[0][0] * v[0] + R[0][1] * v[1] + R[0][2] * v[2];
        double y = R[1][0] * v[0] + R[1][1] * v[1] + R[1][2] * v[2];
        double z = R[2][0] * v[0] + R[2][1] * v[1] + R[2][2] * v[2];
        v[0] = x;
        v[1] = y;
        v[2] = z;
}

/* Exponential gap in samples until the next dropout of a location. */
static size_t dropout_gap(struct gm_model *m)
{
        double per_sample = m->cfg.dropout_per_min / 60.0 * m->dt;
        double g = -log(rng_uniform(&m->rng_drop)) / per_sample;
        return g > 1e15 ? (size_t)1e15 : (size_t)g + 1;
}

/* ---- public API ---------------------------------------------------------------- */

void gm_model_cfg_default(struct gm_model_cfg *cfg)
{
        memset(cfg, 0, sizeof(*cfg));
        cfg->rate_hz = 400;
        cfg->loc_mask = 1u << GM_LOC_PELVIS | 1u << GM_LOC_LEFT_HIP | 1u << GM_LOC_RIGHT_HIP | 1u << GM_LOC_LEFT_SHANK |
                        1u << GM_LOC_RIGHT_SHANK;
        cfg->gyr_mask = cfg->loc_mask;
        cfg->activity = GM_ACTIVITY_RUNNING;
        cfg->speed_mps = 3.0;
        cfg->cadence_spm = 170;
        cfg->still_s = 5;
        cfg->noise_acc = 0.05;
        cfg->noise_gyr = 0.01;
        cfg->seed = 1;
}

static int gait_valid(enum gm_activity activity, double speed_mps, double cadence_spm)
{
        if (activity != GM_ACTIVITY_IDLE && activity != GM_ACTIVITY_WALKING && activity != GM_ACTIVITY_RUNNING)
                return 0;
        if (!isfinite(speed_mps) || speed_mps < 0 || speed_mps > 12)
                return 0;
        if (!isfinite(cadence_spm) || cadence_spm < 40 || cadence_spm > 260)
                return 0;
        return 1;
}

struct gm_model *gm_model_new(const struct gm_model_cfg *cfg)
{
        if (!cfg || !isfinite(cfg->rate_hz) || cfg->rate_hz < 50 || cfg->rate_hz > 1000 || !cfg->loc_mask ||
            (cfg->loc_mask >> GM_LOC_COUNT) || !gait_valid(cfg->activity, cfg->speed_mps, cfg->cadence_spm) ||
            !(cfg->still_s >= 0) || !isfinite(cfg->still_s) || !(cfg->noise_acc >= 0) || !(cfg->noise_gyr >= 0) ||
            !(cfg->fatigue_per_hour >= 0) || !(cfg->dropout_per_min >= 0) || !(cfg->dropout_s >= 0) ||
            !isfinite(cfg->dropout_per_min)) {
                errno = EINVAL;
                return NULL;
        }
        for (int s = 0; s < 2; s++) {
                const struct gm_model_weakness *w = &cfg->weak[s];
                if (!(w->hip_ext_frac >= 0 && w->hip_ext_frac <= 1) || !(w->stance_frac > -0.5 && w->stance_frac < 1) ||
                    !isfinite(w->pelvic_drop_deg) || !isfinite(w->onset_s) || !isfinite(w->ramp_s)) {
                        errno = EINVAL;
                        return NULL;
                }
        }
        struct gm_model *m = calloc(1, sizeof(*m));
        double *scratch = malloc(TAB_N * sizeof(double));
        if (!m || !scratch) {
                free(m);
                free(scratch);
                errno = ENOMEM;
                return NULL;
        }
        m->cfg = *cfg;
        m->cfg.gyr_mask &= cfg->loc_mask;
        m->dt = 1.0 / cfg->rate_hz;

        profile_build(&m->prof[SEG_THIGH][GAIT_WALK], thigh_walk, sizeof(thigh_walk) / sizeof(thigh_walk[0]), S0_WALK,
                      scratch);
        profile_build(&m->prof[SEG_THIGH][GAIT_RUN], thigh_run, sizeof(thigh_run) / sizeof(thigh_run[0]), S0_RUN,
                      scratch);
        profile_build(&m->prof[SEG_SHANK][GAIT_WALK], shank_walk, sizeof(shank_walk) / sizeof(shank_walk[0]), S0_WALK,
                      scratch);
        profile_build(&m->prof[SEG_SHANK][GAIT_RUN], shank_run, sizeof(shank_run) / sizeof(shank_run[0]), S0_RUN,
                      scratch);
        profile_build(&m->prof[SEG_FOOT][GAIT_WALK], foot_walk, sizeof(foot_walk) / sizeof(foot_walk[0]), S0_WALK,
                      scratch);
        profile_build(&m->prof[SEG_FOOT][GAIT_RUN], foot_run, sizeof(foot_run) / sizeof(foot_run[0]), S0_RUN, scratch);
        free(scratch);

        m->activity = cfg->activity;
        m->speed_target = m->speed = cfg->speed_mps;
        m->cadence_target = cfg->cadence_spm;
        m->lf = log(cfg->cadence_spm / 120.0);
        m->blend = cfg->activity == GM_ACTIVITY_RUNNING ? 1 : 0;
        /* Legs start mid-way (left late stance, right early stance); the motion ramps in
         * over 0.4 stride so that the first event is a left IC at full amplitude. */
        m->Phi = 0.6;

        rng_seed(&m->rng_noise, cfg->seed, 1);
        rng_seed(&m->rng_jitter, cfg->seed, 2);
        rng_seed(&m->rng_drop, cfg->seed, 3);
        m->eps = m->eps_s = 0;

        for (int s = 0; s < 2; s++) {
                m->side[s].t_ic = -1e9;
                m->side[s].s = stance_frac(m, s);
        }

        m->drop_len = (size_t)lround(cfg->dropout_s * cfg->rate_hz);
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                m->drop[l].end = 0;
                m->drop[l].next = (size_t)-1;
                if (cfg->dropout_per_min > 0 && m->drop_len > 0 && (cfg->loc_mask & (1u << l)))
                        m->drop[l].next = dropout_gap(m);
                rpy_matrix(cfg->mount_rpy[l], m->mount[l]);
                m->mount_identity[l] = cfg->mount_rpy[l][0] == 0 && cfg->mount_rpy[l][1] == 0 &&
                                       cfg->mount_rpy[l][2] == 0;
        }
        return m;
}

void gm_model_free(struct gm_model *m)
{
        free(m);
}

int gm_model_set_gait(struct gm_model *m, enum gm_activity activity, double speed_mps, double cadence_spm)
{
        if (!m || !gait_valid(activity, speed_mps, cadence_spm))
                return -EINVAL;
        m->activity = activity;
        m->speed_target = speed_mps;
        m->cadence_target = cadence_spm;
        return 0;
}

int gm_model_true_hip_ext(const struct gm_model *m, enum gm_side side, double *deg)
{
        if (!m || (side != GM_SIDE_LEFT && side != GM_SIDE_RIGHT) || !deg)
                return -EINVAL;
        if (!m->side[side].have_stride)
                return -EAGAIN;
        *deg = m->side[side].hip_ext_last / DEG;
        return 0;
}

int gm_model_true_pelvic_drop(const struct gm_model *m, enum gm_side side, double *deg)
{
        if (!m || (side != GM_SIDE_LEFT && side != GM_SIDE_RIGHT) || !deg)
                return -EINVAL;
        if (!m->side[side].have_stride)
                return -EAGAIN;
        *deg = m->side[side].drop_last / DEG;
        return 0;
}

/* ---- stepping ------------------------------------------------------------------ */

struct pending_event {
        double t;
        enum gm_side side;
        enum gm_event_kind kind;
};

/* Advance the gait state by one sample period; events that happen on the way are
 * collected (at most two per side). */
static int advance(struct gm_model *m, struct pending_event ev[4])
{
        int nev = 0;
        const double dt = m->dt;
        double t0 = m->t;
        m->n++;
        m->t = m->n * dt;

        int moving = m->t >= m->cfg.still_s && m->activity != GM_ACTIVITY_IDLE;
        double f = exp(m->lf);

        /* motion ramp: in over 0.4 stride, out over 0.8 stride */
        double u_prev = m->u;
        if (moving && m->u < 1)
                m->u = fmin(1, m->u + dt * f / 0.4);
        else if (!moving && m->u > 0)
                m->u = fmax(0, m->u - dt * f / 0.8);
        m->u_rate = (m->u - u_prev) / dt;

        /* walking <-> running over 1.5 s */
        if (m->activity == GM_ACTIVITY_RUNNING)
                m->blend = fmin(1, m->blend + dt / 1.5);
        else if (m->activity == GM_ACTIVITY_WALKING)
                m->blend = fmax(0, m->blend - dt / 1.5);

        m->speed += (m->speed_target - m->speed) * (dt / 0.5);

        /* cadence: first order (0.4 s), at most 7 % per stride, in log frequency */
        double lf_target = log(m->cadence_target * (1 - fatigue_drift(m)) / 120.0);
        double d = (lf_target - m->lf) * (dt / 0.4);
        double dmax = 0.07 * f * dt;
        m->lf += clampd(d, -dmax, dmax);

        m->eps_s += (m->eps - m->eps_s) * (dt / 0.1);

        if (m->u <= 0 && !moving)
                return 0; /* standing: legs hold their phase */
        m->t_motion += dt * smoothstep(m->u);

        double dphi = exp(m->lf) * (1 + m->eps_s) * dt;
        double scale = smoothstep(m->u);
        for (int s = 0; s < 2; s++) {
                struct side_state *ss = &m->side[s];
                double p = s == GM_SIDE_LEFT ? m->Phi : wrap01(m->Phi + 0.5);
                double q = p + dphi;
                double s_new = stance_frac(m, s);
                double old_pms = p - ss->s;
                if (q >= 1.0) {
                        q -= 1.0;
                        double frac = (1.0 - p) / dphi;
                        if (scale >= 0.5)
                                ev[nev++] = (struct pending_event){ t0 + frac * dt, s, GM_EVENT_IC };
                        ss->t_ic = t0 + frac * dt;
                        ss->ic_scale = scale * scale;
                        ss->fc_done = 0;
                        if (ss->tracking) {
                                ss->hip_ext_last = -ss->ext_min;
                                ss->drop_last = ss->drop_max;
                                ss->have_stride = 1;
                        }
                        ss->tracking = scale >= 1.0;
                        ss->ext_min = INFINITY;
                        ss->drop_max = -INFINITY;
                        old_pms = -1;
                        if (s == GM_SIDE_LEFT)
                                m->eps = clampd(0.012 * rng_gauss(&m->rng_jitter), -0.03, 0.03);
                }
                double new_pms = q - s_new;
                if (!ss->fc_done && old_pms < 0 && new_pms >= 0) {
                        double frac = clampd(-old_pms / (new_pms - old_pms), 0, 1);
                        if (q < p) /* wrapped in this step: FC after the IC */
                                frac = clampd((1.0 - p + s_new) / dphi, 0, 1);
                        if (scale >= 0.5)
                                ev[nev++] = (struct pending_event){ t0 + frac * dt, s, GM_EVENT_FC };
                        ss->fc_done = 1;
                }
                ss->phi = q;
                ss->s = s_new;
        }
        m->Phi = wrap01(m->Phi + dphi);
        m->side[GM_SIDE_LEFT].phi = m->Phi;
        m->side[GM_SIDE_RIGHT].phi = wrap01(m->Phi + 0.5);

        /* time order */
        for (int i = 1; i < nev; i++)
                for (int j = i; j > 0 && ev[j].t < ev[j - 1].t; j--) {
                        struct pending_event tmp = ev[j];
                        ev[j] = ev[j - 1];
                        ev[j - 1] = tmp;
                }
        return nev;
}

/* Sagittal motion of one segment of one side, at full amplitude. */
static void segment_motion(const struct gm_model *m, int seg, int side, double phidot, double hip_ext_frac,
                           struct seg_motion *out)
{
        const struct side_state *ss = &m->side[side];
        double th = 0, d1 = 0, d2 = 0;
        for (int g = 0; g < GAIT_COUNT; g++) {
                double wgt = g == GAIT_RUN ? m->blend : 1 - m->blend;
                if (wgt <= 0)
                        continue;
                const struct profile *p = &m->prof[seg][g];
                struct warp w;
                warp_eval(ss->phi, ss->s, p->s0, &w);
                double a, a1, a2;
                profile_eval(p, w.psi, &a, &a1, &a2);
                if (seg == SEG_THIGH && hip_ext_frac > 0) {
                        double b, b1, b2;
                        ext_bump(w.psi, p->ext_phase, &b, &b1, &b2);
                        double k = hip_ext_frac * p->ext_val;
                        a += k * b;
                        a1 += k * b1;
                        a2 += k * b2;
                }
                /* chain rule through the warp: per cycle of φ */
                th += wgt * a;
                d1 += wgt * a1 * w.dpsi;
                d2 += wgt * (a2 * w.dpsi * w.dpsi + a1 * w.ddpsi);
        }
        out->th = th;
        out->thd = d1 * phidot;
        out->thdd = d2 * phidot * phidot;
}

/* Acceleration of a link's distal end relative to its proximal joint, world (F, U). */
static void link_acc(const struct seg_motion *sm, double len, double a[2])
{
        double c = cos(sm->th), s = sin(sm->th);
        /* position len·(sinθ, −cosθ) */
        a[0] = len * (sm->thdd * c - sm->thd * sm->thd * s);
        a[1] = len * (sm->thdd * s + sm->thd * sm->thd * c);
}

/* 0 in stance (foot on the ground), 1 in swing, smooth at toe-off and before IC. */
static double swing_window(double phi, double s)
{
        if (phi < s - 0.03)
                return 0;
        if (phi < s + 0.05)
                return smoothstep((phi - (s - 0.03)) / 0.08);
        if (phi < 0.95)
                return 1;
        return 1 - smoothstep((phi - 0.95) / 0.05);
}

/* Decaying oscillation after an IC: zero at IC, peak ~20 ms later (real shank data
 * peak 30-40 ms after the force-plate contact), gone by ~80 ms. */
static double impact(double tau)
{
        if (tau < 0 || tau > 0.1)
                return 0;
        const double tp = 0.015, fi = 28.0;
        double x = tau / tp;
        return x * exp(1 - x) * cos(TWO_PI * fi * (tau - 0.022));
}

static void add_noise_rotate(struct gm_model *m, int loc, struct gm_sample *o, int has_gyr)
{
        if (!m->mount_identity[loc]) {
                mat_vec(m->mount[loc], o->acc);
                if (has_gyr)
                        mat_vec(m->mount[loc], o->gyr);
        }
        for (int i = 0; i < 3; i++)
                o->acc[i] += m->cfg.noise_acc * rng_gauss(&m->rng_noise);
        if (has_gyr)
                for (int i = 0; i < 3; i++)
                        o->gyr[i] += m->cfg.noise_gyr * rng_gauss(&m->rng_noise);
        else
                o->gyr[0] = o->gyr[1] = o->gyr[2] = NAN;
}

double gm_model_step(struct gm_model *m, struct gm_sample out[GM_LOC_COUNT], struct gm_event_list *events)
{
        struct pending_event ev[4];
        int nev = 0;
        if (m->started)
                nev = advance(m, ev);
        m->started = 1;
        for (int i = 0; i < nev; i++)
                if (events) {
                        struct gm_event e = { .t = ev[i].t, .side = ev[i].side, .kind = ev[i].kind };
                        gm_event_list_add(events, &e);
                }

        const double t = m->t, g = GM_GRAVITY;
        const double b = m->blend, wb = 1 - b;
        const double amp = smoothstep(m->u);
        const double amp_rate = 6 * m->u * (1 - m->u) * m->u_rate;
        const double f = exp(m->lf) * (1 + m->eps_s); /* strides per second */
        const double phidot = amp > 0 ? f : 0;
        const double vs = clampd(m->speed / (wb * 1.3 + b * 3.0), 0.5, 1.6); /* speed scale */
        const double fd = fatigue_drift(m);
        const double phL = m->side[GM_SIDE_LEFT].phi;

        /* ---- pelvis / trunk (body frame F, L, U) ---- */
        /* vertical: walking, the measured 2nd harmonic peaking just after each IC;
         * running, both legs' ground reaction as half-sines whose mean carries body weight */
        double a_walk_v = 1.8 * vs * cos(2 * TWO_PI * (phL - 0.05));
        double a_walk_f = 1.2 * vs * cos(2 * TWO_PI * (phL - 0.40));
        double a_run_v = -g, a_run_f = 0;
        for (int s = 0; s < 2; s++) {
                const struct side_state *ss = &m->side[s];
                if (ss->phi < ss->s) {
                        double x = ss->phi / ss->s;
                        a_run_v += g * M_PI / (4 * ss->s) * sin(M_PI * x);
                        a_run_f -= 4.0 * vs * sin(TWO_PI * x);
                }
        }
        double aF = amp * (wb * a_walk_f + b * a_run_f);
        double aU = amp * (wb * a_walk_v + b * a_run_v);

        /* pelvis angles: obliquity (contralateral drop in each stance), yaw, pitch */
        double roll = 0, roll_rate = 0;
        for (int s = 0; s < 2; s++) {
                const struct side_state *ss = &m->side[s];
                const struct gm_model_weakness *w = &m->cfg.weak[s];
                double D = (wb * 4.0 + b * 6.0 + w->pelvic_drop_deg * weak_ramp(w, t)) * DEG;
                if (ss->phi < ss->s) {
                        /* bump over stance peaking at ~36 % of it */
                        const double c = 0.6;
                        double x = ss->phi / ss->s;
                        double xw = x * (1 + c * (1 - x));
                        double dxw = (1 + c - 2 * c * x) * phidot / ss->s;
                        double sn = sin(M_PI * xw);
                        double val = D * sn * sn;
                        double rate = D * 2 * sn * cos(M_PI * xw) * M_PI * dxw;
                        /* left stance drops the right side: positive roll about forward */
                        double sign = s == GM_SIDE_LEFT ? 1 : -1;
                        roll += sign * val;
                        roll_rate += sign * rate;
                }
        }
        roll_rate = amp * roll_rate + amp_rate * roll;
        roll *= amp;
        /* Running turns the pelvis with the stance thigh: its yaw rate peaks at 0.84-0.91
         * of the stride after left IC on the rbds sacral sensors, half a stride from walking. */
        double yaw_amp = (wb * 4.0 + b * 6.0) * DEG, yaw_ph = phL - (wb * 0.44 + b * 0.87);
        double yaw = amp * yaw_amp * sin(TWO_PI * yaw_ph);
        double yaw_rate = amp * yaw_amp * TWO_PI * phidot * cos(TWO_PI * yaw_ph) +
                          amp_rate * yaw_amp * sin(TWO_PI * yaw_ph);
        double pitch_amp = (wb * 1.0 + b * 1.5) * DEG;
        double pitch = amp * pitch_amp * sin(2 * TWO_PI * (phL - 0.45));
        double pitch_rate = amp * pitch_amp * 2 * TWO_PI * phidot * cos(2 * TWO_PI * (phL - 0.45)) +
                            amp_rate * pitch_amp * sin(2 * TWO_PI * (phL - 0.45));
        /* medio-lateral: the measured sensor reading (right-positive, peak at 0.30 after
         * left IC) is what the model aims at, so the linear part cancels the gravity
         * component the obliquity adds */
        double ml_amp = wb * 1.0 + b * 1.8;
        double a_right = amp * ml_amp * vs * cos(TWO_PI * (phL - 0.30)) + g * sin(roll);
        double aL = -a_right;

        /* true hip extension and pelvic drop, tracked per stride */
        struct seg_motion thigh[2];
        for (int s = 0; s < 2; s++) {
                const struct gm_model_weakness *w = &m->cfg.weak[s];
                double h = 1 - (1 - w->hip_ext_frac * weak_ramp(w, t)) * (1 - fd);
                segment_motion(m, SEG_THIGH, s, phidot, h, &thigh[s]);
                struct side_state *ss = &m->side[s];
                double rel = amp * thigh[s].th - pitch;
                if (rel < ss->ext_min)
                        ss->ext_min = rel;
                if (ss->phi < ss->s) {
                        double drop = s == GM_SIDE_LEFT ? roll : -roll;
                        if (drop > ss->drop_max)
                                ss->drop_max = drop;
                }
        }

        /* legs: segment angles at the current amplitude and, for the chain, the knee and
         * ankle accelerations when the leg swings from the hip */
        struct leg leg[2];
        for (int s = 0; s < 2; s++) {
                unsigned need = s == GM_SIDE_LEFT ? (1u << GM_LOC_LEFT_SHANK | 1u << GM_LOC_LEFT_FOOT)
                                                  : (1u << GM_LOC_RIGHT_SHANK | 1u << GM_LOC_RIGHT_FOOT);
                struct leg *lg = &leg[s];
                *lg = (struct leg){ 0 };
                lg->seg[SEG_THIGH] = thigh[s];
                if (m->cfg.loc_mask & need) {
                        segment_motion(m, SEG_SHANK, s, phidot, 0, &lg->seg[SEG_SHANK]);
                        segment_motion(m, SEG_FOOT, s, phidot, 0, &lg->seg[SEG_FOOT]);
                }
                for (int k = 0; k < SEG_COUNT; k++) {
                        struct seg_motion *sm = &lg->seg[k];
                        sm->thd = amp * sm->thd + amp_rate * sm->th;
                        sm->thdd = amp * sm->thdd;
                        sm->th *= amp;
                }
                if (!(m->cfg.loc_mask & need))
                        continue;
                const struct side_state *ss = &m->side[s];
                lg->w_swing = swing_window(ss->phi, ss->s);
                double ka[2], aa[2];
                link_acc(&lg->seg[SEG_THIGH], LEN_THIGH, ka);
                link_acc(&lg->seg[SEG_SHANK], LEN_SHANK, aa);
                lg->knee[0] = aF + ka[0];
                lg->knee[1] = aU + ka[1];
                lg->ankle[0] = lg->knee[0] + aa[0];
                lg->ankle[1] = lg->knee[1] + aa[1];
                /* heel contact early in stance, toes late */
                double x = ss->phi / ss->s;
                double toe = x < 0.3 ? 0 : x > 0.6 ? 1 : smoothstep((x - 0.3) / 0.3);
                lg->foot_contact_oz = 0.10 - 0.22 * toe;
                /* ankle in stance: on the foot rotating about that contact point */
                const struct seg_motion *fm = &lg->seg[SEG_FOOT];
                double fox = 0.08, foz = 0.05 - 0.20 * toe;
                double sx = fm->thdd * foz - fm->thd * fm->thd * fox;
                double sz = -fm->thdd * fox - fm->thd * fm->thd * foz;
                double cf = cos(fm->th), sf = sin(fm->th);
                lg->ankle_bu[0] = -sx * sf + sz * cf;
                lg->ankle_bu[1] = sx * cf + sz * sf;
        }

        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                struct gm_sample *o = &out[loc];
                o->t = t;
                if (!(m->cfg.loc_mask & (1u << loc))) {
                        o->acc[0] = o->acc[1] = o->acc[2] = NAN;
                        o->gyr[0] = o->gyr[1] = o->gyr[2] = NAN;
                        continue;
                }
                int has_gyr = (m->cfg.gyr_mask >> loc) & 1;
                if (loc == GM_LOC_PELVIS) {
                        /* impacts of both feet, along up, some braking */
                        double imp = 0;
                        for (int s = 0; s < 2; s++)
                                imp += m->side[s].ic_scale * impact(t - m->side[s].t_ic);
                        imp *= (wb * pelvis_impact_g[GAIT_WALK] + b * pelvis_impact_g[GAIT_RUN]) * g * vs;
                        double fF = aF - 0.3 * imp, fL = aL, fU = aU + g + imp;
                        /* into the pelvis frame: undo yaw, then roll, then pitch */
                        double cy = cos(yaw), sy = sin(yaw);
                        double x1 = cy * fF + sy * fL, y1 = -sy * fF + cy * fL, z1 = fU;
                        double cr = cos(roll), sr = sin(roll);
                        double y2 = cr * y1 + sr * z1, z2 = -sr * y1 + cr * z1;
                        double cp = cos(pitch), sp = sin(pitch);
                        /* pitch about the right axis: forward tips up for positive pitch */
                        double x3 = cp * x1 + sp * z2, z3 = -sp * x1 + cp * z2;
                        o->acc[0] = z3;  /* up */
                        o->acc[1] = -y2; /* right */
                        o->acc[2] = x3;  /* forward */
                        o->gyr[0] = yaw_rate;
                        o->gyr[1] = pitch_rate;
                        o->gyr[2] = roll_rate;
                } else {
                        int side = gm_loc_side(loc);
                        int seg = (loc == GM_LOC_LEFT_HIP || loc == GM_LOC_RIGHT_HIP)       ? SEG_THIGH
                                  : (loc == GM_LOC_LEFT_SHANK || loc == GM_LOC_RIGHT_SHANK) ? SEG_SHANK
                                                                                            : SEG_FOOT;
                        const struct leg *lg = &leg[side];
                        const struct seg_motion *sm = &lg->seg[seg];
                        double ct = cos(sm->th), st = sin(sm->th);
                        /* specific force of the sensor's pivot, world (F, U), and the sensor's
                         * offset from it in the segment frame (x along, z forward) */
                        double pF, pU, pL, ox, oz;
                        if (seg == SEG_THIGH) {
                                pF = aF;
                                pU = aU;
                                pL = aL;
                                ox = -0.15;
                                oz = 0.06;
                        } else {
                                /* swing: from the hip down the chain (the knee's share
                                 * damped: the rigid chain overstates the shank's swing
                                 * accelerations against real data); stance: from the
                                 * ground up, plus part of the trunk's bounce */
                                double w = lg->w_swing, kw = seg == SEG_SHANK ? 0.5 * w : w;
                                double bw = seg == SEG_SHANK ? 0.8 * (1 - w) : 0;
                                const double *td = seg == SEG_SHANK ? lg->knee : lg->ankle;
                                pF = kw * td[0] + bw * aF;
                                pU = kw * td[1] + bw * aU;
                                pL = (w + bw) * aL;
                                if (seg == SEG_SHANK) {
                                        /* swing: about the knee; stance: about the ankle,
                                         * which the heel rise lifts */
                                        pF += (1 - w) * lg->ankle_bu[0];
                                        pU += (1 - w) * lg->ankle_bu[1];
                                        ox = -0.12 + (1 - w) * LEN_SHANK;
                                        oz = 0.04;
                                } else {
                                        /* swing: about the ankle; stance: about the heel,
                                         * then the toes */
                                        ox = -0.02 + (1 - w) * 0.07;
                                        oz = 0.05 + (1 - w) * lg->foot_contact_oz;
                                }
                        }
                        pU += g;
                        double thd = sm->thd, thdd = sm->thdd;
                        /* segment frame: x along (−sinθ, cosθ), z forward (cosθ, sinθ) */
                        double ax = -pF * st + pU * ct + thdd * oz - thd * thd * ox;
                        double az = pF * ct + pU * st - thdd * ox - thd * thd * oz;
                        double mirror = side == GM_SIDE_LEFT ? 1 : -1;
                        double imp = m->side[side].ic_scale * impact(t - m->side[side].t_ic) *
                                     (wb * seg_impact_g[seg][GAIT_WALK] + b * seg_impact_g[seg][GAIT_RUN]) * g * vs;
                        o->acc[0] = ax + imp;
                        o->acc[1] = -pL + 0.15 * mirror * imp;
                        o->acc[2] = az - 0.35 * imp;
                        /* sagittal rate, plus a little long-axis and ab/adduction motion */
                        double ph = TWO_PI * m->side[side].phi;
                        double ka = seg == SEG_FOOT ? 0.25 : 0.12;
                        o->gyr[0] = mirror * (ka * thd + amp * (0.15 + 0.2 * b) * sin(ph + 1.0));
                        o->gyr[1] = thd;
                        o->gyr[2] = mirror * (0.08 * thd + amp * (0.10 + 0.15 * b) * sin(ph + 2.2));
                }
                add_noise_rotate(m, loc, o, has_gyr);

                struct dropout *dr = &m->drop[loc];
                size_t i = m->n;
                if (i == dr->next) {
                        dr->end = i + m->drop_len;
                        dr->next = dr->end + dropout_gap(m);
                }
                if (i < dr->end) {
                        o->acc[0] = o->acc[1] = o->acc[2] = NAN;
                        o->gyr[0] = o->gyr[1] = o->gyr[2] = NAN;
                }
        }
        return t;
}

int gm_model_generate(const struct gm_model_cfg *cfg, double duration_s, struct gm_recording **rec,
                      struct gm_event_list *truth)
{
        if (!cfg || !rec || !isfinite(duration_s) || duration_s <= 0 || duration_s * cfg->rate_hz > 1e9)
                return -EINVAL;
        struct gm_model *m = gm_model_new(cfg);
        if (!m)
                return -errno;
        size_t n = (size_t)llround(duration_s * cfg->rate_hz);
        struct gm_recording *r = gm_recording_new(cfg->rate_hz, n, cfg->loc_mask, cfg->gyr_mask);
        if (!r) {
                gm_model_free(m);
                return -ENOMEM;
        }
        snprintf(r->activity, sizeof(r->activity), "%s", gm_activity_name(cfg->activity));
        if (truth) {
                /* room for every event up front: at most 2 per step at 260 steps/min */
                size_t cap = truth->n + (size_t)(duration_s * 9) + 16;
                if (cap > truth->cap) {
                        struct gm_event *e = realloc(truth->ev, cap * sizeof(*e));
                        if (!e) {
                                gm_recording_free(r);
                                gm_model_free(m);
                                return -ENOMEM;
                        }
                        truth->ev = e;
                        truth->cap = cap;
                }
        }
        struct gm_sample s[GM_LOC_COUNT];
        for (size_t i = 0; i < n; i++) {
                gm_model_step(m, s, truth);
                for (int l = 0; l < GM_LOC_COUNT; l++)
                        if (cfg->loc_mask & (1u << l))
                                gm_recording_set(r, l, i, &s[l]);
        }
        gm_model_free(m);
        *rec = r;
        return 0;
}
