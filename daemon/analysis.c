/* The daemon's analysis: sensor samples into the gait pipeline, findings out to the sinks. */
#include "analysis.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "now.h"
#include "runs.h"

#define RATE_CHECK_S 3.0      /* of timestamps before the real rate is known */
#define RATE_TOLERANCE 0.10   /* a rate this far off the pipeline's restarts it */
#define RATE_MIN_HZ 50
#define RATE_MAX_HZ 1000

int gaitmond_add_sink(struct gaitmond *d, const struct gm_sink *sink, void *data)
{
        if (d->n_sinks >= GM_MAX_SINKS)
                return -ENOSPC;
        d->sinks[d->n_sinks] = sink;
        d->sink_data[d->n_sinks] = data;
        d->n_sinks++;
        return 0;
}

int gaitmond_analysis_init(struct gaitmond *d)
{
        struct gm_pipeline_cfg pc;
        gm_pipeline_cfg_default(&pc);
        if (!(d->rate_hz >= RATE_MIN_HZ && d->rate_hz <= RATE_MAX_HZ))
                d->rate_hz = d->cfg.sample_rate_hz;
        pc.rate_hz = d->rate_hz;
        (void) gm_sample_clock_set_rate(&d->clock, d->rate_hz); /* gaps and restarts count in its periods */
        pc.loc_mask = gm_acquisition_mask(&d->acq);
        pc.gyr_mask = gm_acquisition_mask(&d->acq);
        pc.warmup_s = d->cfg.warmup_s;
        pc.baseline_s = d->cfg.baseline_s;
        pc.spike_si = d->cfg.asymmetry_threshold_pct;
        pc.spike_strides = d->cfg.asymmetry_strides;
        d->pipeline = gm_pipeline_new(&pc);
        if (!d->pipeline) {
                int r = -errno;
                log_error("cannot set up the gait pipeline: %s", strerror(errno));
                return r ? r : -EINVAL;
        }
        gaitmond_snapshot(d, &d->metrics);
        return 0;
}

void gaitmond_snapshot(struct gaitmond *d, struct gm_metrics *m)
{
        gm_pipeline_snapshot(d->pipeline, m);
        m->steps += d->carried.steps;
        m->bad_samples += d->carried.bad_samples;
        m->gaps += d->carried.gaps;
        for (int side = 0; side < 2; side++) {
                m->strides[side] += d->carried.strides[side];
                m->load[side] += d->carried.load[side];
        }
}

void gaitmond_analysis_free(struct gaitmond *d)
{
        if (!d->pipeline)
                return;
        /* A reload may start a new pipeline: the counts of the run go on from here. */
        struct gm_metrics m;
        gaitmond_snapshot(d, &m);
        d->carried.steps = m.steps;
        d->carried.bad_samples = m.bad_samples;
        d->carried.gaps = m.gaps;
        for (int side = 0; side < 2; side++) {
                d->carried.strides[side] = m.strides[side];
                d->carried.load[side] = m.load[side];
        }
        gm_pipeline_free(d->pipeline);
        d->pipeline = NULL;
}

double gaitmond_time(const struct gaitmond *d, int64_t ts_ns)
{
        return (double) (ts_ns - d->t0_ns) * 1e-9;
}

static bool streaming(const struct gaitmond *d, enum gm_loc loc)
{
        return gm_acquisition_streaming(&d->acq, loc);
}

/* The location whose events time a side: foot, then shank, then the pelvis (as the pipeline). */
static enum gm_loc event_loc(const struct gaitmond *d, enum gm_side side)
{
        static const enum gm_loc limbs[2][2] = {
                { GM_LOC_LEFT_FOOT, GM_LOC_LEFT_SHANK },
                { GM_LOC_RIGHT_FOOT, GM_LOC_RIGHT_SHANK },
        };
        for (int k = 0; k < 2; k++)
                if (gm_acquisition_configured(&d->acq, limbs[side][k]))
                        return limbs[side][k];
        return GM_LOC_PELVIS;
}

bool gaitmond_side_available(const struct gaitmond *d, enum gm_side side)
{
        return streaming(d, event_loc(d, side));
}

static bool metric_available(const struct gaitmond *d, enum gm_metric m, enum gm_side side)
{
        if (!gaitmond_side_available(d, side))
                return false;
        switch (m) {
        case GM_METRIC_HIP_EXT:
        case GM_METRIC_HIP_RANGE:
                return streaming(d, side == GM_SIDE_LEFT ? GM_LOC_LEFT_HIP : GM_LOC_RIGHT_HIP) &&
                       streaming(d, GM_LOC_PELVIS);
        case GM_METRIC_THIGH_EXT:
                return streaming(d, side == GM_SIDE_LEFT ? GM_LOC_LEFT_HIP : GM_LOC_RIGHT_HIP);
        case GM_METRIC_PELVIC_DROP:
                return streaming(d, GM_LOC_PELVIS);
        default:
                return true;
        }
}

double gaitmond_metric(const struct gaitmond *d, enum gm_metric m, enum gm_side side)
{
        return metric_available(d, m, side) ? d->metrics.value[m][side] : NAN;
}

double gaitmond_si(const struct gaitmond *d, enum gm_metric m)
{
        if (!metric_available(d, m, GM_SIDE_LEFT) || !metric_available(d, m, GM_SIDE_RIGHT))
                return NAN;
        return d->metrics.si[m];
}

double gaitmond_si_baseline(const struct gaitmond *d, enum gm_metric m)
{
        return d->metrics.si_baseline[m];
}

double gaitmond_cadence(const struct gaitmond *d)
{
        if (!gaitmond_side_available(d, GM_SIDE_LEFT) && !gaitmond_side_available(d, GM_SIDE_RIGHT))
                return NAN;
        return d->metrics.cadence_spm;
}

uint64_t gaitmond_dropped(const struct gaitmond *d)
{
        uint64_t n = 0;
        /* Samples a full ring refused leave a gap in the timestamps: they are in dropped already. */
        for (int loc = 0; loc < GM_LOC_COUNT; loc++)
                n += d->dropped[loc];
        return n;
}

static void notice_status(struct gaitmond *d, enum gm_loc loc)
{
        struct gm_sensor_change ch;
        if (!gm_acquisition_take_status(&d->acq, loc, &ch))
                return;
        enum gm_sensor_status old = ch.old_status, status = ch.new_status;
        const char *device = ch.device, *reason = ch.reason;

        if (status == GM_SENSOR_STREAMING)
                gm_log_full(LOG_NOTICE, gm_loc_name(loc), "%s: streaming from %s", gm_loc_name(loc), device);
        else if (reason[0]) /* a new state or a new reason; a sensor a reload reopens waits without one */
                gm_log_full(status == GM_SENSOR_FAULTY ? LOG_WARNING : LOG_NOTICE, gm_loc_name(loc),
                            "%s: %s", gm_loc_name(loc), reason);
        if (status == old)
                return;
        gaitmond_each_sink(d, i, sensor_changed)
                d->sinks[i]->sensor_changed(d, loc, old, status, reason);
}

/* The rate the sensors really deliver, from their timestamps over the first seconds: a
 * device may not take the configured rate, and every filter of the analysis depends on it.
 * When it is off by more than RATE_TOLERANCE the analysis starts again at the real rate. */
static void check_rate(struct gaitmond *d, enum gm_loc loc, int64_t ts_ns)
{
        struct gm_rate_check *rc = &d->rate_check[loc];
        if (rc->done)
                return;
        if (rc->n++ == 0) {
                rc->first_ns = ts_ns;
                return;
        }
        double span_s = (double) (ts_ns - rc->first_ns) * 1e-9;
        if (span_s < RATE_CHECK_S)
                return;
        rc->done = true;
        double measured = (double) (rc->n - 1) / span_s;
        double device = gm_acquisition_info(&d->acq, loc)->device_rate_hz;
        if (fabs(measured - d->rate_hz) <= RATE_TOLERANCE * d->rate_hz)
                return;
        if (!(measured >= RATE_MIN_HZ && measured <= RATE_MAX_HZ)) {
                gm_log_full(LOG_WARNING, gm_loc_name(loc), "%s: delivers %.0f samples/s (configured %.0f Hz), "
                            "outside %d..%d Hz; analysing at %.0f Hz", gm_loc_name(loc), measured,
                            d->cfg.sample_rate_hz, RATE_MIN_HZ, RATE_MAX_HZ, d->rate_hz);
                return;
        }
        gm_log_full(LOG_NOTICE, gm_loc_name(loc), "%s: delivers %.0f samples/s, not the configured %.0f Hz "
                    "(the device reports %.0f Hz); the analysis starts again at %.0f Hz", gm_loc_name(loc), measured,
                    d->cfg.sample_rate_hz, device, measured);
        gaitmond_analysis_free(d);
        d->rate_hz = measured;
        if (gaitmond_analysis_init(d) < 0) {
                d->rate_hz = d->cfg.sample_rate_hz;
                (void) gaitmond_analysis_init(d);
        }
}

/* Says once what placing a sample changed on the sample clock. */
static void log_clock_event(const struct gaitmond *d, enum gm_loc loc, const struct gm_sample_clock_event *ev)
{
        const char *name = gm_loc_name(loc);
        switch (ev->type) {
        case GM_SAMPLE_CLOCK_RESTARTED:
        case GM_SAMPLE_CLOCK_REOPENED: {
                const char *why = ev->type == GM_SAMPLE_CLOCK_REOPENED ? "reopened with a new configuration"
                                                                      : "the sensor's clock started again";
                if (ev->with_other)
                        gm_log_full(LOG_NOTICE, name, "%s: %s, with %s; its samples go on after %.1f s", name, why,
                                    gm_loc_name(ev->with_loc), gaitmond_time(d, ev->last_ns));
                else
                        gm_log_full(LOG_NOTICE, name, "%s: %s; its samples go on after %.1f s", name, why,
                                    gaitmond_time(d, ev->last_ns));
                break;
        }
        case GM_SAMPLE_CLOCK_SHARED:
                gm_log_full(LOG_NOTICE, name, "%s: its clock is the other sensors'; its samples start at %.1f s",
                            name, gaitmond_time(d, ev->start_ns));
                break;
        case GM_SAMPLE_CLOCK_JOINED:
                /* Its clock is not theirs (they went on after a restart, and a reload added it). */
                gm_log_full(LOG_NOTICE, name, "%s: its clock is %.1f s away from the other sensors'; "
                            "its samples start at %.1f s", name, (double) ev->offset_ns * 1e-9,
                            gaitmond_time(d, ev->start_ns));
                break;
        case GM_SAMPLE_CLOCK_STEADY:
                break;
        }
}

static void feed(struct gaitmond *d, enum gm_loc loc, const struct gm_raw_sample *rs)
{
        if (!d->have_t0) {
                /* Sensors start a little apart: leave them a second before time 0. */
                d->t0_ns = rs->ts_ns - 1000000000;
                d->have_t0 = true;
        }
        int64_t ts_ns;
        struct gm_sample_clock_event ev;
        int r = gm_sample_clock_place(&d->clock, loc, rs->ts_ns, gm_mono_us(), &ts_ns, &ev);
        if (r < 0)
                return;                 /* a timestamp beyond any clock */
        log_clock_event(d, loc, &ev);
        d->dropped[loc] += ev.missing;
        if (r == 0)
                return;                 /* seen before, or out of time order */
        check_rate(d, loc, ts_ns);

        struct gm_sample s = { .t = gaitmond_time(d, ts_ns) };
        if (s.t > d->t_latest)
                d->t_latest = s.t;
        for (int i = 0; i < 3; i++) {
                s.acc[i] = rs->acc[i];
                s.gyr[i] = rs->gyr[i];
        }
        (void) gm_pipeline_push(d->pipeline, loc, &s); /* bad samples are counted inside */
}

static void notify_ready(struct gaitmond *d)
{
        if (d->ready)
                return;
        d->ready = true;
        sd_notify(0, "READY=1\nSTATUS=streaming");
        log_info("streaming");
}

void gaitmond_drain(struct gaitmond *d)
{
        bool got = false;
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                if (!gm_acquisition_open(&d->acq, loc))
                        continue;
                notice_status(d, loc);
                struct gm_raw_sample rs;
                while (gm_acquisition_pop(&d->acq, loc, &rs)) {
                        feed(d, loc, &rs);
                        got = true;
                }
                gm_acquisition_check_overruns(&d->acq, loc);
        }
        if (got)
                notify_ready(d);

        struct gm_event ev;
        while (gm_pipeline_next_event(d->pipeline, &ev) > 0)
                ;
        struct gm_stride st;
        while (gm_pipeline_next_stride(d->pipeline, &st) > 0)
                gaitmond_runs_stride(d, &st);
        struct gm_spike sp;
        while (gm_pipeline_next_spike(d->pipeline, &sp) > 0) {
                gm_log_full(LOG_NOTICE, NULL, "asymmetry spike in %s: SI %.1f%% (baseline %.1f%%)",
                            gm_metric_name(sp.metric), sp.si, sp.baseline);
                gaitmond_runs_spike(d, &sp);
                gaitmond_each_sink(d, i, spike)
                        d->sinks[i]->spike(d, &sp);
        }
        gaitmond_runs_update(d);
}

void gaitmond_tick(struct gaitmond *d)
{
        gaitmond_snapshot(d, &d->metrics);
        gaitmond_each_sink(d, i, tick)
                d->sinks[i]->tick(d);
}
