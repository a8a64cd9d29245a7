/* Findings truth table: gait scenarios with known truth through the pipeline and the run
 * tracker in sample time, and what they should and should not report. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "gm_pipeline.h"
#include "gm_run.h"

#define FINDINGS_SPIKES_MAX 32

struct findings_result {
        unsigned spikes; /* AsymmetrySpike reports */
        struct gm_spike spike[FINDINGS_SPIKES_MAX];
        unsigned fatigue_level_max; /* highest FatigueAlert level, 0 none */
        unsigned fatigue_alerts;
        unsigned runs;
        struct gm_run_summary summary; /* of the last run */
        struct gm_advice advice;
        /* Verdict against the scenario's truth. */
        unsigned false_alarms;      /* spikes where there is nothing, or on the wrong side */
        double found_after_strides; /* first right finding, strides after onset; NaN if none */
        bool summary_names_finding; /* weakness scenarios: side and a metric named */
        bool pass;
        char why[160];
};

struct findings_case {
        const char *name;
        const char *truth;              /* in words, for the table */
        int weak_side;                  /* -1 none, else enum gm_side */
        double fatigue_per_hour;        /* how fast the runner tires; 0: not at all */
        void (*setup)(void *model_cfg); /* struct gm_model_cfg *; NULL: defaults */
        /* Gait schedule: up to 8 segments {from_s, activity, speed, cadence}; the model's
         * configured gait runs until the first. */
        struct {
                double from_s;
                int activity;
                double speed, cadence;
        } seg[8];
        unsigned n_seg;
        double duration_s;
        double start_s; /* the pipeline sees samples from here on */
        int gap_loc;    /* -1 none: this location sends nothing in [gap_from, gap_to) */
        double gap_from, gap_to;
        double lost_per_s; /* bursts of lost samples (all locations), per second */
        /* A location whose samples come in bursts of late_s (a reader thread that falls
         * behind): none when late_s is 0. */
        int late_loc;
        double late_s;
        unsigned loc_mask; /* 0: the model's default five */
};

extern const struct findings_case findings_cases[];
extern const size_t findings_n_cases;

/* The sensors' rate and the model's seed the table is reported at. */
#define FINDINGS_RATE_HZ 100.0
#define FINDINGS_SEED 17

/* Runs one case with sensors at rate_hz and the model's noise from seed. 0 or negative errno. */
int findings_run(const struct findings_case *c, double rate_hz, unsigned seed, struct findings_result *out);
