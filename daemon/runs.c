/* Runs: the session tracker fed by the analysis, the history store and the recovery advice. */
#include "runs.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "gm_recovery.h"
#include "gm_session.h"
#include "gm_store.h"
#include "log.h"
#include "now.h"

#define HISTORY_DAYS 28
#define PROGRESS_S 10.0   /* of sample time between two saves of a run's progress */
#define STRIDES_IDLE_MAX 512 /* strides kept outside a run, for a run found to have begun before them */

/* Strides older than the retention go, their runs' summaries and minutes stay. */
static void prune_strides(struct gaitmond *d)
{
        if (!d->store || d->cfg.stride_retention_days == 0)
                return;
        int r = gm_store_prune_strides(d->store, gm_wall_us() - (int64_t) d->cfg.stride_retention_days * 86400 * 1000000);
        if (r < 0)
                log_warning("cannot drop the strides older than %u days: %s", d->cfg.stride_retention_days,
                            strerror(-r));
        else if (r > 0)
                log_info("dropped %d strides older than %u days", r, d->cfg.stride_retention_days);
}

int gaitmond_runs_init(struct gaitmond *d)
{
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        sc.idle_timeout_s = d->cfg.idle_timeout_s;
        sc.fatigue.threshold = d->cfg.fatigue_threshold;
        d->session = gm_session_new(&sc);
        if (!d->session) {
                int r = -errno;
                log_error("cannot set up run tracking: %s", strerror(errno));
                return r ? r : -EINVAL;
        }
        d->fatigue_score = NAN;
        d->next_session_t = NAN;
        /* Without the history the daemon still measures; it just cannot remember runs. */
        int r = gm_store_open(d->cfg.state_directory, &d->store);
        if (r < 0) {
                log_error("run history unavailable in %s: %s; runs will not be kept",
                          d->cfg.state_directory, strerror(-r));
                d->store = NULL;
        }
        prune_strides(d);
        return 0;
}

void gaitmond_runs_free(struct gaitmond *d)
{
        gm_session_free(d->session);
        d->session = NULL;
        d->store = gm_store_free(d->store);
        free(d->strides);
        d->strides = NULL;
        d->n_strides = d->strides_allocated = 0;
}

void gaitmond_runs_stride(struct gaitmond *d, const struct gm_stride *st)
{
        (void) gm_session_push_stride(d->session, st);
        if (!d->store || (st->side != GM_SIDE_LEFT && st->side != GM_SIDE_RIGHT) || !isfinite(st->t_ic))
                return;
        if (!d->in_run && d->n_strides >= STRIDES_IDLE_MAX) {
                size_t keep = STRIDES_IDLE_MAX / 2;
                memmove(d->strides, d->strides + d->n_strides - keep, keep * sizeof *d->strides);
                d->n_strides = keep;
        }
        if (d->n_strides == d->strides_allocated) {
                size_t n = d->strides_allocated ? d->strides_allocated * 2 : 256;
                struct gm_stride_record *p = reallocarray(d->strides, n, sizeof *p);
                if (!p)
                        return; /* the run is still kept, without this stride */
                d->strides = p;
                d->strides_allocated = n;
        }
        /* Sample time until the run's start is known; made relative to it when written. */
        d->strides[d->n_strides++] = (struct gm_stride_record) {
                .t_s = st->t_ic,
                .side = st->side,
                .stride_ms = st->stride_s * 1000,
                .stance_ms = st->stance_s * 1000,
                .swing_ms = st->swing_s * 1000,
                .hip_ext_deg = st->hip_ext_deg,
                .pelvic_drop_deg = st->pelvic_drop_deg,
                .impact_g = st->impact_g,
                .activity = st->activity,
        };
}

/* Writes the strides gathered since the last minute into the active run. */
static void flush_strides(struct gaitmond *d)
{
        size_t n = 0;
        for (size_t i = 0; i < d->n_strides; i++) {
                struct gm_stride_record s = d->strides[i];
                s.t_s -= d->run_t0;
                if (s.t_s >= 0)
                        d->strides[n++] = s;
        }
        if (n > 0 && d->store && d->run_id) {
                int r = gm_store_run_strides(d->store, d->run_id, d->strides, n);
                if (r < 0)
                        log_warning("cannot record %zu strides of the run: %s", n, strerror(-r));
        }
        d->n_strides = 0;
}

void gaitmond_runs_spike(struct gaitmond *d, const struct gm_spike *sp)
{
        (void) gm_session_push_spike(d->session, sp);
}

static void run_started(struct gaitmond *d, double t)
{
        d->in_run = true;
        d->run_start_us = gm_wall_us() - (int64_t) ((d->metrics.t - t) * 1e6);
        d->run_id = 0;
        d->run_t0 = t;
        if (d->store) {
                struct gm_run_summary run = {
                        .start_us = d->run_start_us,
                        .activity = d->metrics.activity,
                        .cadence_spm = NAN,
                };
                int r = gm_store_run_begin(d->store, &run, &d->run_id);
                if (r < 0)
                        log_warning("cannot record the run's start: %s", strerror(-r));
        }
        log_info("run started");
        gaitmond_each_sink(d, i, run_start)
                d->sinks[i]->run_start(d);
}

static void run_minute(struct gaitmond *d, const struct gm_run_minute *m)
{
        flush_strides(d);
        if (d->store && d->run_id) {
                int r = gm_store_run_minute(d->store, d->run_id, m);
                if (r < 0)
                        log_warning("cannot record minute %.0f of the run: %s", m->t_s / 60, strerror(-r));
        }
        gaitmond_each_sink(d, i, run_minute)
                d->sinks[i]->run_minute(d, m);
}

static void run_ended(struct gaitmond *d, struct gm_run_summary *run)
{
        run->id = d->run_id;
        run->start_us = d->run_start_us;
        flush_strides(d);
        int64_t now = gm_wall_us();
        struct gm_run_summary *history = NULL;
        size_t n_history = 0;
        if (d->store) {
                int r = gm_store_runs_since(d->store, now - (int64_t) HISTORY_DAYS * 86400 * 1000000, &history, &n_history);
                if (r < 0)
                        log_warning("cannot read the run history: %s; advice without it", strerror(-r));
        }
        /* The history holds this run too (still active): leave it out. */
        size_t kept = 0;
        for (size_t i = 0; i < n_history; i++)
                if (history[i].id != run->id)
                        history[kept++] = history[i];

        struct gm_advice advice;
        int r = gm_recovery_advise(run, history, kept, now, d->cfg.age, &advice);
        free(history);
        if (r < 0) {
                log_warning("cannot work out recovery advice: %s", strerror(-r));
                memset(&advice, 0, sizeof(advice));
                advice.acwr = NAN;
        }
        if (d->store && d->run_id) {
                r = gm_store_run_end(d->store, run, r < 0 ? NULL : &advice);
                if (r < 0)
                        log_warning("cannot record the run's end: %s", strerror(-r));
        }
        d->in_run = false;
        d->fatigue_score = NAN;
        prune_strides(d);
        log_info("run ended after %.0f min, %llu steps: %s", run->duration_s / 60,
                 (unsigned long long) run->steps, advice.summary);
        gaitmond_each_sink(d, i, run_end)
                d->sinks[i]->run_end(d, run, &advice);
}

static void process_events(struct gaitmond *d)
{
        struct gm_session_event ev;
        while (gm_session_next_event(d->session, &ev) > 0) {
                switch (ev.kind) {
                case GM_SESSION_RUN_START:
                        run_started(d, ev.t);
                        break;
                case GM_SESSION_MINUTE:
                        run_minute(d, &ev.minute);
                        break;
                case GM_SESSION_FATIGUE_ALERT:
                        log_notice("fatigue level %u (score %.2f)", ev.alert.level, ev.alert.score);
                        gaitmond_each_sink(d, i, fatigue_alert)
                                d->sinks[i]->fatigue_alert(d, &ev.alert);
                        break;
                case GM_SESSION_RUN_END:
                        run_ended(d, &ev.summary);
                        break;
                }
        }
        struct gm_session_state st;
        gm_session_current(d->session, &st);
        d->fatigue_score = st.in_run && st.fatigue_ready ? st.fatigue.score : NAN;
}

/* Between minutes, how far the run has come: a crash loses at most PROGRESS_S of it. */
static void save_progress(struct gaitmond *d, double t)
{
        if (!d->in_run || !d->store || !d->run_id || t < d->next_progress_t)
                return;
        d->next_progress_t = t + PROGRESS_S;
        struct gm_session_state now;
        gm_session_current(d->session, &now);
        if (!now.in_run)
                return;
        int r = gm_store_run_progress(d->store, d->run_id, now.duration_s, now.steps);
        if (r < 0 && !d->progress_failed)
                log_warning("cannot record the run's progress: %s", strerror(-r));
        d->progress_failed = r < 0;
}

void gaitmond_runs_update(struct gaitmond *d)
{
        /* Once per second of sample time, not per drain: a snapshot is not free. */
        if (!d->have_t0 || (isfinite(d->next_session_t) && d->t_latest < d->next_session_t))
                return;
        struct gm_metrics m;
        gaitmond_snapshot(d, &m);
        if (!isfinite(m.t))
                return;
        d->next_session_t = m.t + 1.0;
        d->metrics = m;
        int r = gm_session_push_metrics(d->session, &m);
        if (r < 0 && !d->session_refused)
                log_warning("run tracking refused the snapshot at %.1f s: %s", m.t, strerror(-r));
        d->session_refused = r < 0;
        process_events(d);
        save_progress(d, m.t);
}

int gaitmond_runs_end(struct gaitmond *d)
{
        if (!d->in_run)
                return 0;
        int r = gm_session_end(d->session, d->metrics.t);
        if (r < 0)
                return r;
        process_events(d);
        return r;
}
