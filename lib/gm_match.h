/* Scoring detected gait events against ground truth: matching, timing and stance errors. */
#pragma once

#include "gm_events.h"
#include "gm_recording.h"

struct gm_match_opts {
        double tol_ic;                    /* s, 0.10 */
        double tol_fc;                    /* s, 0.15 */
        const struct gm_bout_list *bouts; /* NULL: the whole recording is annotated */
        /* Truth lists one fc per stride: ignore fc detections between a bout's first
         * and second ic (the contralateral toe-off there is not annotated). */
        bool skip_fc_after_first_ic;
        bool any_side; /* match regardless of side (for splitting side from timing errors) */
};

struct gm_match_stats {
        size_t tp, fp, fn;
        double abs_err_sum; /* s, over matched pairs */
};

struct gm_match_result {
        struct gm_match_stats ic, fc;
        double stance_err_sum; /* s, |detected − true| over strides whose ic and fc both matched */
        size_t stance_n;
        double cadence_true, cadence_det; /* steps/min, NaN when undefined */
};

void gm_match_opts_default(struct gm_match_opts *o);
int gm_match(const struct gm_event_list *truth, const struct gm_event_list *det, const struct gm_match_opts *o,
             struct gm_match_result *res);
/* Cadence of an event list in steps/min from the median stride time of both sides. */
double gm_events_cadence(const struct gm_event_list *ev, const struct gm_bout_list *bouts);

double gm_match_precision(const struct gm_match_stats *s);
double gm_match_recall(const struct gm_match_stats *s);
double gm_match_f1(const struct gm_match_stats *s);
