/* Sensor frame alignment without configuration: gravity gives "up", the dominant
 * rotation axis while moving gives the sagittal axis. */
#pragma once

#include <stdbool.h>

#include "gm_filter.h"
#include "gm_types.h"

/* How the sign of the dominant rotation is told. */
enum gm_align_sign {
        GM_ALIGN_SIGN_LONGEST,     /* the swing is the excursion that stays large longest (shank) */
        GM_ALIGN_SIGN_AFTER_QUIET, /* a foot leaves its quiet mid-stance against the swing (heel rise);
                                    * a foot that never rests, by the longest after a while */
        GM_ALIGN_SIGN_CALLER,      /* the axis only keeps continuity; its user decides the sign (no balance) */
};

struct gm_align {
        enum gm_align_sign sign_mode;
        double rate_hz;
        double acc_mean[3]; /* slow mean of acc: gravity while moving */
        double still_g[3];  /* gravity captured while still, unit vector */
        bool have_still;
        unsigned still_run;          /* consecutive still samples */
        double still_acc[3];         /* mean acc during the current still run */
        double gyr_cov[3][3];        /* exponentially weighted gyro second moments */
        double axis[3];              /* dominant rotation axis, unit, signed (see below) */
        struct gm_biquad slow_lp[3]; /* the sign looks at slow motion: brief impacts do not vote */
        double balance;              /* time above +rms minus time below -rms: sets the sign */
        unsigned since_update;
        unsigned n;
        unsigned n_moving;  /* samples with rotation */
        unsigned quiet_run; /* samples of a quiet (flat) foot */
        bool after_quiet;   /* waiting for the first rotation after a quiet spell */
        double votes;       /* first rotations after quiet: against (-) or along (+) axis */
        unsigned flips;     /* times the sign of the axis was reversed */
        /* Per-sample constants of rate_hz. */
        double k_mean, k_cov, still_n, update_n;
        double still_gn2, quiet_gn2, moving2; /* |gyr|² and |slow|² thresholds (sqrt_reaches) */
        unsigned cov_n;                       /* from here on 1 / n_moving is below k_cov */
        /* What the last sample gave, for the alignments that follow this one: |gyr|² and the
         * quadratic form of the axis (the rms rate about it, squared), compared against their
         * thresholds squared (gm_sqrt_reaches) rather than square-rooted. */
        bool last_has_gyr, last_moving, last_updated;
        double last_slow[3], last_gn2, last_k, last_rms2;
        double last_acc_norm; /* |acc| of the last sample, m/s² (also for the pipeline) */
        /* Users that read only "up" (gm_align_up_only): worked out once per sample. */
        bool up_only;
        double up[3];
        /* An alignment pushed each sample first (a leader): while both have seen the same
         * samples from their start, gravity and the gyro's moments are the leader's, read
         * through the functions below instead of computed again (this one's own copies of
         * them go stale and n follows the leader's); the axis is the leader's times
         * follow_sign, and this alignment's own rule still decides its reversals (axis,
         * balance, votes, flips and the quiet spells stay its own). */
        const struct gm_align *follow;
        double follow_sign;
        unsigned follow_flips; /* the leader's reversals when last seen */
};

void gm_align_init(struct gm_align *a, double rate_hz); /* GM_ALIGN_SIGN_LONGEST */
void gm_align_set_sign_mode(struct gm_align *a, enum gm_align_sign sign_mode);
void gm_align_push(struct gm_align *a, const struct gm_sample *s, bool has_gyr);
/* For users that read only "up" (and |acc|), several times a sample: a trunk's. It is
 * worked out once in each gm_align_push rather than in each gm_align_up (the same value),
 * always from the mean acceleration over a few strides (the posture the body is in now, not
 * the one it last stood still in), and the rotation axis not at all (gm_align_main_rate and
 * gm_align_sign_settled then mean nothing, for this alignment and those that follow it). */
void gm_align_up_only(struct gm_align *a);
/* |acc|, m/s², and |gyr|² of the sample pushed last (the leader's, as they are the same). */
double gm_align_acc_norm(const struct gm_align *a);
double gm_align_gyr_norm2(const struct gm_align *a);
/* Unit "up" vector in the sensor frame (still gravity when known, else mean acc). */
void gm_align_up(const struct gm_align *a, double up[3]);
/* Acceleration along "up", gravity removed (m/s²). */
double gm_align_vertical_acc(const struct gm_align *a, const double acc[3]);
/* Angular rate about the dominant axis, signed so that the excursion that stays large
 * the longest (the swing of a limb) is positive. */
double gm_align_main_rate(const struct gm_align *a, const double gyr[3]);
/* Whether the sign of the main rate rests on evidence yet: a second of movement, and for a
 * foot two more heel rises one way than the other (or, with none after 10 s of movement,
 * a clear longest excursion). */
bool gm_align_sign_settled(const struct gm_align *a);
/* Settled by the mode's own evidence: for GM_ALIGN_SIGN_AFTER_QUIET, heel-rise votes rather
 * than the longest excursion it falls back on. */
bool gm_align_sign_voted(const struct gm_align *a);
/* Angular rate about "up" (yaw), right-handed. */
double gm_align_yaw_rate(const struct gm_align *a, const double gyr[3]);
