/* Runs from the pipeline's output, in sample time: start, minutes, fatigue alerts, end.
 *
 * Gait is a metrics snapshot whose activity is walking or running. A run starts once
 * gait has lasted start_s without a pause (the run's start is the first snapshot of that
 * gait) and ends when no gait has been seen for idle_timeout_s (the run's end is then the
 * last gait snapshot) or on gm_session_end(). Minutes are counted from the run's start;
 * each full minute is emitted once the first gait snapshot after it arrives (minutes
 * without gait inside a run are emitted with 0 steps and NaN metrics), the partial last
 * minute just before RUN_END.
 *
 * Session load = the sum over the run's foot contacts of the impact (peak acceleration
 * after contact, g), i.e. steps × mean impact, in g·steps; a contact without an impact
 * value counts 1 g. It feeds the acute:chronic workload ratio (gm_recovery). */
#pragma once

#include <stdbool.h>

#include "gm_fatigue.h"
#include "gm_pipeline.h"
#include "gm_run.h"

enum gm_session_event_kind {
        GM_SESSION_RUN_START,
        GM_SESSION_MINUTE,
        GM_SESSION_FATIGUE_ALERT,
        GM_SESSION_RUN_END,
};

struct gm_session_event {
        enum gm_session_event_kind kind;
        double t; /* sample time it refers to, s: the run's start,
                                                   the minute's end, the alert, the run's end */
        union {
                struct gm_run_minute minute;   /* GM_SESSION_MINUTE */
                struct gm_fatigue_alert alert; /* GM_SESSION_FATIGUE_ALERT */
                struct gm_run_summary summary; /* GM_SESSION_RUN_END; id and start_us left 0 */
        };
};

struct gm_session_cfg {
        double start_s;                /* sustained gait before a run starts, 1..60 (default 20) */
        double idle_timeout_s;         /* a run ends after this long without gait (default 120) */
        struct gm_fatigue_cfg fatigue; /* baseline window, threshold (default 0.5), hysteresis */
};

/* What a run looks like now. */
struct gm_session_state {
        bool in_run;
        double t_start;                  /* sample time of the run's start, NaN outside a run */
        double gait_s;                   /* seconds of gait in the run */
        double duration_s;               /* from its start to its last gait */
        uint64_t steps;                  /* foot contacts so far */
        bool fatigue_ready;              /* the fatigue baseline is learned: score and reasons mean something */
        struct gm_fatigue_alert fatigue; /* current level (with hysteresis), score 0..1, reasons */
};

struct gm_session;

void gm_session_cfg_default(struct gm_session_cfg *cfg);
/* NULL with errno set (EINVAL for a bad configuration, ENOMEM). */
struct gm_session *gm_session_new(const struct gm_session_cfg *cfg);
void gm_session_free(struct gm_session *s);
/* New limits from a reloaded configuration, applied to the run in progress too.
 * 0, -EINVAL (out of range; nothing changed) or -ENOMEM. */
int gm_session_set_limits(struct gm_session *s, double idle_timeout_s, double fatigue_threshold);

/* About once a second of sample time, in time order. 0, -EINVAL for bad input or time
 * going backwards, -ENOBUFS when too many events wait unread (nothing was consumed). */
int gm_session_push_metrics(struct gm_session *s, const struct gm_metrics *m);
/* Each finished stride and each asymmetry spike, as the pipeline hands them out. 0 or -EINVAL. */
int gm_session_push_stride(struct gm_session *s, const struct gm_stride *st);
int gm_session_push_spike(struct gm_session *s, const struct gm_spike *sp);
/* End the current run at sample time t (EndSession): its last minute and RUN_END are
 * queued. When the runner had already stopped, the run ends at its last gait instead.
 * 1 when a run ended, 0 when none was on, -EINVAL, -ENOBUFS. */
int gm_session_end(struct gm_session *s, double t);

/* 1 and fills *ev while events wait, in the order they happened; 0 when none. */
int gm_session_next_event(struct gm_session *s, struct gm_session_event *ev);
void gm_session_current(const struct gm_session *s, struct gm_session_state *out);
