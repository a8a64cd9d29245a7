/* Fatigue during a run: drift of cadence, stance time, hip extension and pelvic drop from
 * the runner's own baseline, as a score 0..1 with the reasons named. Fatigue tires both
 * legs: a per-side value counts by the drift both sides share; one side drifting alone is
 * compensation, which the asymmetry findings report, and is not counted twice.
 *
 * Only steady snapshots count (gm_metrics.steady), each against the baseline of its own
 * activity: walking and running each learn one, over their own gait seconds
 * [baseline_from_s, baseline_to_s) (default 60..300 s: minutes 2 to 5, after the first
 * minute of warming up). A cool-down walk is compared with walking, or with nothing when
 * there was too little walking to learn from. Before a baseline is complete the score
 * stays where it was (0 at first). Current values: exponential means of the
 * pipeline's per-second snapshot (time constant smooth_s), so single strides do not count.
 *
 * Each factor's drift is divided by its meaningful change (GM_FATIGUE_REF_*): a factor is
 * c = clamp(0.5 · drift / ref, 0, 1), i.e. 0.5 at the meaningful change and 1 at twice it.
 * The factors combine like independent chances: score = 1 − Π (1 − c). One factor at its
 * meaningful change alone reaches the default level-1 threshold 0.5; two reach 0.75. */
#pragma once

#include <stdbool.h>

#include "gm_pipeline.h"
#include "gm_run.h"

/* Meaningful changes from the baseline. */
#define GM_FATIGUE_REF_CADENCE_PCT 5.0 /* cadence down 5 % */
#define GM_FATIGUE_REF_STANCE_PCT 8.0  /* stance time up 8 % on both sides */
#define GM_FATIGUE_REF_HIP_EXT_DEG 3.0 /* peak hip extension down 3° on both sides */
#define GM_FATIGUE_REF_PELVIC_DEG 2.0  /* pelvic drop up 2° on both sides */

enum gm_fatigue_factor {
        GM_FATIGUE_CADENCE,
        GM_FATIGUE_STANCE,
        GM_FATIGUE_HIP_EXT,
        GM_FATIGUE_PELVIC_DROP,
        GM_FATIGUE_FACTOR_COUNT,
};

struct gm_fatigue_cfg {
        double baseline_from_s; /* gait seconds into the run where the baseline starts (60) */
        double baseline_to_s;   /* and where it is complete (300) */
        double smooth_s;        /* time constant of the current values (30) */
        double threshold;       /* score of level 1 (0.5); level 2 at threshold + (1 − threshold)/2,
                                    level 3 at threshold + 0.8 (1 − threshold) */
        double hysteresis;      /* a level holds until the score falls this far below it (0.1) */
        double realert_s;       /* a level not above the last alerted one alerts again only
                                    after this long (300) */
};

/* The values compared with the baseline; NaN where unknown. */
struct gm_fatigue_values {
        double cadence_spm;
        double stance_s[2];
        double hip_ext_deg[2];
        double pelvic_drop_deg[2];
        double si[GM_METRIC_COUNT]; /* SI of each metric, % */
};

struct gm_fatigue;

void gm_fatigue_cfg_default(struct gm_fatigue_cfg *cfg);
/* NULL with errno set (EINVAL for a bad configuration, ENOMEM). */
struct gm_fatigue *gm_fatigue_new(const struct gm_fatigue_cfg *cfg);
void gm_fatigue_free(struct gm_fatigue *f);
/* Forget everything: a new run starts. */
void gm_fatigue_reset(struct gm_fatigue *f);
/* A new alert threshold (a reloaded configuration); the baseline is kept. 0 or -EINVAL. */
int gm_fatigue_set_threshold(struct gm_fatigue *f, double threshold);
/* One pipeline snapshot (about one a second), in time order. Returns 1 and fills *alert
 * (may be NULL) when the level rose and an alert is due, 0 when not, -EINVAL for bad input. */
int gm_fatigue_push(struct gm_fatigue *f, const struct gm_metrics *m, struct gm_fatigue_alert *alert);
/* Level (with hysteresis), score and reasons now. */
void gm_fatigue_current(const struct gm_fatigue *f, struct gm_fatigue_alert *out);
bool gm_fatigue_baseline_ready(const struct gm_fatigue *f);
/* The learned baseline (NaN until ready) and the current smoothed values. */
void gm_fatigue_baseline(const struct gm_fatigue *f, struct gm_fatigue_values *out);
void gm_fatigue_values_now(const struct gm_fatigue *f, struct gm_fatigue_values *out);
/* Each factor's share 0..1 (see above), 0 until the baseline is ready. */
double gm_fatigue_factor(const struct gm_fatigue *f, enum gm_fatigue_factor factor);
/* Score of a level 1..3 for a threshold. */
double gm_fatigue_level_score(double threshold, unsigned level);
