/* Runs: a consumer of the analysis feeding the session tracker, the history store and the recovery advice. */
#include "runs.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gm_recovery.h"
#include "gm_session.h"
#include "gm_store.h"
#include "log.h"
#include "now.h"

#define HISTORY_DAYS 28
#define PROGRESS_S 10.0      /* of sample time between two saves of a run's progress */
#define STRIDES_IDLE_MAX 512 /* strides kept outside a run, for a run found to have begun before them */

/* Strides older than the retention go, their runs' summaries and minutes stay. */
static void prune_strides(struct gm_runs *runs)
{
        if (!runs->store || runs->cfg->stride_retention_days == 0)
                return;
        int64_t before_us = gm_wall_us() - (int64_t)runs->cfg->stride_retention_days * 86400 * 1000000;
        int r = gm_store_prune_strides(runs->store, before_us);
        if (r < 0)
                log_warning("cannot drop the strides older than %u days: %s", runs->cfg->stride_retention_days,
                            strerror(-r));
        else if (r > 0)
                log_info("dropped %d strides older than %u days", r, runs->cfg->stride_retention_days);
}

int gm_runs_init(struct gm_runs *runs, const struct gm_config *cfg, struct gm_sinks *sinks)
{
        *runs = (struct gm_runs){ .cfg = cfg, .sinks = sinks };
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        sc.idle_timeout_s = runs->cfg->idle_timeout_s;
        sc.fatigue.threshold = runs->cfg->fatigue_threshold;
        runs->session = gm_session_new(&sc);
        if (!runs->session) {
                int r = -errno;
                log_error("cannot set up run tracking: %s", strerror(errno));
                return r ? r : -EINVAL;
        }
        runs->fatigue_score = NAN;
        runs->metrics_t = NAN;
        /* Without the history the daemon still measures; it just cannot remember runs. */
        int r = gm_store_open(runs->cfg->state_directory, &runs->store);
        if (r < 0) {
                log_error("run history unavailable in %s: %s; runs will not be kept", runs->cfg->state_directory,
                          strerror(-r));
                runs->store = NULL;
        }
        prune_strides(runs);
        return 0;
}

void gm_runs_free(struct gm_runs *runs)
{
        gm_session_free(runs->session);
        runs->session = NULL;
        runs->store = gm_store_free(runs->store);
        free(runs->strides);
        runs->strides = NULL;
        runs->n_strides = runs->strides_allocated = 0;
}

static void sink_stride(void *userdata, const struct gm_view *v, const struct gm_stride *st)
{
        struct gm_runs *runs = userdata;
        (void)gm_session_push_stride(runs->session, st);
        if (!runs->store || (st->side != GM_SIDE_LEFT && st->side != GM_SIDE_RIGHT) || !isfinite(st->t_ic))
                return;
        if (!runs->in_run && runs->n_strides >= STRIDES_IDLE_MAX) {
                size_t keep = STRIDES_IDLE_MAX / 2;
                memmove(runs->strides, runs->strides + runs->n_strides - keep, keep * sizeof *runs->strides);
                runs->n_strides = keep;
        }
        if (runs->n_strides == runs->strides_allocated) {
                size_t n = runs->strides_allocated ? runs->strides_allocated * 2 : 256;
                struct gm_stride_record *p = reallocarray(runs->strides, n, sizeof *p);
                if (!p)
                        return; /* the run is still kept, without this stride */
                runs->strides = p;
                runs->strides_allocated = n;
        }
        /* Sample time until the run's start is known; made relative to it when written. */
        runs->strides[runs->n_strides++] = (struct gm_stride_record){
                .t_s = st->t_ic,
                .side = st->side,
                .stride_ms = st->stride_s * 1000,
                .stance_ms = st->stance_s * 1000,
                .swing_ms = st->swing_s * 1000,
                .hip_ext_deg = st->hip_ext_deg,
                .pelvic_drop_deg = st->pelvic_drop_deg,
                .impact_g = st->impact_g,
                .vertical_osc_cm = st->vertical_osc_cm,
                .activity = st->activity,
        };
}

/* Writes the strides gathered since the last minute into the active run. */
static void flush_strides(struct gm_runs *runs)
{
        size_t n = 0;
        for (size_t i = 0; i < runs->n_strides; i++) {
                struct gm_stride_record s = runs->strides[i];
                s.t_s -= runs->run_t0;
                if (s.t_s >= 0)
                        runs->strides[n++] = s;
        }
        if (n > 0 && runs->store && runs->run_id) {
                int r = gm_store_run_strides(runs->store, runs->run_id, runs->strides, n);
                if (r < 0)
                        log_warning("cannot record %zu strides of the run: %s", n, strerror(-r));
        }
        runs->n_strides = 0;
}

static void sink_spike(void *userdata, const struct gm_view *v, const struct gm_spike *sp)
{
        struct gm_runs *runs = userdata;
        (void)gm_session_push_spike(runs->session, sp);
}

static void run_started(struct gm_runs *runs, double t)
{
        runs->in_run = true;
        runs->run_start_us = gm_wall_us() - (int64_t)((runs->metrics_t - t) * 1e6);
        runs->run_id = 0;
        runs->run_t0 = t;
        if (runs->store) {
                struct gm_run_summary run = {
                        .start_us = runs->run_start_us,
                        .activity = runs->activity,
                        .cadence_spm = NAN,
                        .vertical_osc_cm = NAN,
                };
                int r = gm_store_run_begin(runs->store, &run, &runs->run_id);
                if (r < 0)
                        log_warning("cannot record the run's start: %s", strerror(-r));
        }
        gm_sinks_emit(runs->sinks, run_start);
}

static void run_minute(struct gm_runs *runs, const struct gm_run_minute *m)
{
        flush_strides(runs);
        if (runs->store && runs->run_id) {
                int r = gm_store_run_minute(runs->store, runs->run_id, m);
                if (r < 0)
                        log_warning("cannot record minute %.0f of the run: %s", m->t_s / 60, strerror(-r));
        }
        gm_sinks_emit(runs->sinks, run_minute, m);
}

static void run_ended(struct gm_runs *runs, struct gm_run_summary *run)
{
        run->id = runs->run_id;
        run->start_us = runs->run_start_us;
        flush_strides(runs);
        int64_t now = gm_wall_us();
        struct gm_run_summary *history = NULL;
        size_t n_history = 0;
        if (runs->store) {
                int r = gm_store_runs_since(runs->store, now - (int64_t)HISTORY_DAYS * 86400 * 1000000, &history,
                                            &n_history);
                if (r < 0)
                        log_warning("cannot read the run history: %s; advice without it", strerror(-r));
        }
        /* The history holds this run too (still active): leave it out. */
        size_t kept = 0;
        for (size_t i = 0; i < n_history; i++)
                if (history[i].id != run->id)
                        history[kept++] = history[i];

        struct gm_advice advice;
        int r = gm_recovery_advise(run, history, kept, now, runs->cfg->age, &advice);
        free(history);
        if (r < 0) {
                log_warning("cannot work out recovery advice: %s", strerror(-r));
                memset(&advice, 0, sizeof(advice));
                advice.acwr = NAN;
        }
        if (runs->store && runs->run_id) {
                r = gm_store_run_end(runs->store, run, r < 0 ? NULL : &advice);
                if (r < 0)
                        log_warning("cannot record the run's end: %s", strerror(-r));
        }
        runs->in_run = false;
        runs->fatigue_score = NAN;
        prune_strides(runs);
        gm_sinks_emit(runs->sinks, run_end, run, &advice);
}

static void process_events(struct gm_runs *runs)
{
        struct gm_session_event ev;
        while (gm_session_next_event(runs->session, &ev) > 0) {
                switch (ev.kind) {
                case GM_SESSION_RUN_START:
                        run_started(runs, ev.t);
                        break;
                case GM_SESSION_MINUTE:
                        run_minute(runs, &ev.minute);
                        break;
                case GM_SESSION_FATIGUE_ALERT:
                        gm_sinks_emit(runs->sinks, fatigue_alert, &ev.alert);
                        break;
                case GM_SESSION_RUN_END:
                        run_ended(runs, &ev.summary);
                        break;
                }
        }
        struct gm_session_state st;
        gm_session_current(runs->session, &st);
        runs->fatigue_score = st.in_run && st.fatigue_ready ? st.fatigue.score : NAN;
}

/* Between minutes, how far the run has come: a crash loses at most PROGRESS_S of it. */
static void save_progress(struct gm_runs *runs, double t)
{
        if (!runs->in_run || !runs->store || !runs->run_id || t < runs->next_progress_t)
                return;
        runs->next_progress_t = t + PROGRESS_S;
        struct gm_session_state now;
        gm_session_current(runs->session, &now);
        if (!now.in_run)
                return;
        int r = gm_store_run_progress(runs->store, runs->run_id, now.duration_s, now.steps);
        if (r < 0 && !runs->progress_failed)
                log_warning("cannot record the run's progress: %s", strerror(-r));
        runs->progress_failed = r < 0;
}

static void sink_metrics(void *userdata, const struct gm_view *v, const struct gm_metrics *m)
{
        struct gm_runs *runs = userdata;
        runs->metrics_t = m->t;
        runs->activity = m->activity;
        int r = gm_session_push_metrics(runs->session, m);
        if (r < 0 && !runs->session_refused)
                log_warning("run tracking refused the snapshot at %.1f s: %s", m->t, strerror(-r));
        runs->session_refused = r < 0;
        process_events(runs);
        save_progress(runs, m->t);
}

const struct gm_sink gm_runs_sink = {
        .name = "runs",
        .stride = sink_stride,
        .spike = sink_spike,
        .metrics = sink_metrics,
};

int gm_runs_set_limits(struct gm_runs *runs, double idle_timeout_s, double fatigue_threshold)
{
        return gm_session_set_limits(runs->session, idle_timeout_s, fatigue_threshold);
}

int gm_runs_end(struct gm_runs *runs, double t)
{
        if (!runs->in_run)
                return 0;
        int r = gm_session_end(runs->session, t);
        if (r < 0)
                return r;
        process_events(runs);
        return r;
}

double gm_runs_fatigue(const struct gm_runs *runs)
{
        return runs->fatigue_score;
}

uint64_t gm_runs_start_us(const struct gm_runs *runs)
{
        return runs->in_run ? (uint64_t)runs->run_start_us : 0;
}

struct gm_store *gm_runs_store(const struct gm_runs *runs)
{
        return runs->store;
}
