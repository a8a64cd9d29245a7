/* What a run is made of: per-minute records, the run's summary and its recovery advice. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "gm_types.h"

#define GM_ADVICE_SUMMARY_MAX 256
#define GM_ADVICE_ACTION_MAX 200
#define GM_ADVICE_ACTIONS_MAX 12
#define GM_FATIGUE_REASONS_MAX 6
#define GM_FATIGUE_REASON_MAX 96

/* One minute of a run. Per-side arrays are indexed by enum gm_side; NaN where unknown. */
struct gm_run_minute {
        double t_s;     /* start of the minute, seconds since the run started */
        uint64_t steps; /* steps in this minute */
        double cadence_spm;
        double vertical_osc_cm; /* the pelvis' rise and fall per step */
        double stance_ms[2];
        double hip_ext_deg[2];
        double pelvic_drop_deg[2];
        double asym_max_pct;       /* largest |SI - baseline| over the metrics, % points */
        double fatigue;            /* 0..1 */
        double length_s;           /* 60, less for the last minute of a run */
        enum gm_activity activity; /* the most of its gait: walking or running; idle without gait */
};

/* A whole run, as kept in the history. */
struct gm_run_summary {
        uint64_t id;      /* assigned by the store; 0 before */
        int64_t start_us; /* wall clock, µs since the epoch */
        double duration_s;
        enum gm_activity activity; /* the dominant one: walking or running */
        uint64_t steps;
        double cadence_spm;     /* mean over the run */
        double vertical_osc_cm; /* mean over the run, the pelvis' rise and fall per step */
        double stance_ms[2];
        double hip_ext_deg[2];
        double pelvic_drop_deg[2];
        double asym_max_pct;  /* largest sustained asymmetry excursion, % points */
        char asym_metric[32]; /* its metric name, "" when none */
        bool asym_alerted;    /* that metric raised an AsymmetrySpike during the run */
        double fatigue_max;   /* 0..1 */
        double load;          /* session load (arbitrary units) for the workload ratio */
        /* Signs of weak-glute compensation (NaN when unknown): the largest sustained (one
         * minute's mean) excursion of the hip-extension and pelvic-drop SI from the runner's
         * baseline, signed like the SI (negative: the left lower than at baseline), % points,
         * and the largest rise of each side's pelvic drop over the early-run baseline, deg. */
        double hip_ext_asym_pct;
        double pelvic_drop_asym_pct;
        double pelvic_drop_rise_deg[2];
        unsigned fatigue_level_max; /* highest fatigue level reached, 0..3 */
};

/* A fatigue alert: level 1 mild, 2 marked, 3 severe, with the reasons in words. */
struct gm_fatigue_alert {
        unsigned level;
        double score;
        unsigned n_reasons;
        char reasons[GM_FATIGUE_REASONS_MAX][GM_FATIGUE_REASON_MAX];
};

/* Advice at the end of a run. */
struct gm_advice {
        char summary[GM_ADVICE_SUMMARY_MAX];
        unsigned n_actions;
        char actions[GM_ADVICE_ACTIONS_MAX][GM_ADVICE_ACTION_MAX];
        unsigned rest_days;
        double acwr; /* acute:chronic workload ratio, NaN without history */
};
