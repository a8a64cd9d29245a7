/* The daemon's analysis: sensor samples into the gait pipeline, findings out to the consumers. */
#include "analysis.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "now.h"

#define RATE_CHECK_S 3.0    /* of timestamps before the real rate is known */
#define RATE_TOLERANCE 0.10 /* a rate this far off the pipeline's restarts it */
#define RATE_MIN_HZ 50
#define RATE_MAX_HZ 1000

/* The pipeline's current metrics, its counts going on from those of the pipelines a reload
 * replaced. */
static void snapshot(const struct gm_analysis *a, struct gm_metrics *m)
{
        gm_pipeline_snapshot(a->pipeline, m);
        m->steps += a->carried.steps;
        m->bad_samples += a->carried.bad_samples;
        m->gaps += a->carried.gaps;
        for (int side = 0; side < 2; side++) {
                m->strides[side] += a->carried.strides[side];
                m->load[side] += a->carried.load[side];
        }
}

static int pipeline_start(struct gm_analysis *a)
{
        struct gm_pipeline_cfg pc;
        gm_pipeline_cfg_default(&pc);
        if (!(a->rate_hz >= RATE_MIN_HZ && a->rate_hz <= RATE_MAX_HZ))
                a->rate_hz = a->cfg->sample_rate_hz;
        pc.rate_hz = a->rate_hz;
        (void)gm_sample_clock_set_rate(&a->clock, a->rate_hz); /* gaps and restarts count in its periods */
        pc.loc_mask = gm_acquisition_mask(a->acq);
        pc.gyr_mask = gm_acquisition_mask(a->acq) & ~a->no_gyr_mask;
        pc.warmup_s = a->cfg->warmup_s;
        pc.baseline_s = a->cfg->baseline_s;
        pc.spike_si = a->cfg->asymmetry_threshold_pct;
        pc.spike_strides = a->cfg->asymmetry_strides;
        a->pipeline = gm_pipeline_new(&pc);
        if (!a->pipeline) {
                int r = -errno;
                log_error("cannot set up the gait pipeline: %s", strerror(errno));
                return r ? r : -EINVAL;
        }
        snapshot(a, &a->metrics);
        return 0;
}

static void pipeline_stop(struct gm_analysis *a)
{
        if (!a->pipeline)
                return;
        /* A reload may start a new pipeline: the counts of the run go on from here. */
        struct gm_metrics m;
        snapshot(a, &m);
        a->carried.steps = m.steps;
        a->carried.bad_samples = m.bad_samples;
        a->carried.gaps = m.gaps;
        for (int side = 0; side < 2; side++) {
                a->carried.strides[side] = m.strides[side];
                a->carried.load[side] = m.load[side];
        }
        gm_pipeline_free(a->pipeline);
        a->pipeline = NULL;
}

int gm_analysis_init(struct gm_analysis *a, const struct gm_config *cfg, struct gm_acquisition *acq,
                     struct gm_sinks *sinks)
{
        *a = (struct gm_analysis){ .cfg = cfg, .acq = acq, .sinks = sinks, .next_metrics_t = NAN };
        int r = gm_sample_clock_init(&a->clock, cfg->sample_rate_hz);
        if (r < 0) {
                log_error("cannot set up the sample clock at %.0f Hz: %s", cfg->sample_rate_hz, strerror(-r));
                return r;
        }
        return pipeline_start(a);
}

void gm_analysis_free(struct gm_analysis *a)
{
        pipeline_stop(a);
}

int gm_analysis_restart(struct gm_analysis *a, bool remeasure)
{
        if (remeasure) {
                /* Other devices or another rate: what they deliver is measured again. */
                a->rate_hz = 0;
                memset(a->rate_check, 0, sizeof(a->rate_check));
        }
        pipeline_stop(a);
        a->next_metrics_t = NAN;
        return pipeline_start(a);
}

void gm_analysis_reopened(struct gm_analysis *a, unsigned loc_mask, bool same_source)
{
        (void)gm_sample_clock_reopened(&a->clock, loc_mask, same_source);
}

void gm_analysis_reset_baseline(struct gm_analysis *a)
{
        gm_pipeline_reset_baseline(a->pipeline);
}

/* Sample time in seconds of a sensor timestamp. */
static double sample_time(const struct gm_analysis *a, int64_t ts_ns)
{
        return (double)(ts_ns - a->t0_ns) * 1e-9;
}

/* The location whose events time a side: foot, then shank, then the pelvis (as the pipeline). */
static enum gm_loc event_loc(const struct gm_analysis *a, enum gm_side side)
{
        static const enum gm_loc limbs[2][2] = {
                { GM_LOC_LEFT_FOOT, GM_LOC_LEFT_SHANK },
                { GM_LOC_RIGHT_FOOT, GM_LOC_RIGHT_SHANK },
        };
        for (int k = 0; k < 2; k++)
                if (gm_acquisition_configured(a->acq, limbs[side][k]))
                        return limbs[side][k];
        return GM_LOC_PELVIS;
}

/* A metric of one side is unavailable when the sensors it needs are not streaming. */
static bool side_available(const struct gm_analysis *a, enum gm_side side)
{
        return gm_acquisition_streaming(a->acq, event_loc(a, side));
}

static bool metric_available(const struct gm_analysis *a, enum gm_metric m, enum gm_side side)
{
        unsigned locs = gm_metric_locs(m, side);
        if (!side_available(a, side))
                return false;
        for (int loc = 0; loc < GM_LOC_COUNT; loc++)
                if (locs & 1u << loc && !gm_acquisition_streaming(a->acq, loc))
                        return false;
        return true;
}

const struct gm_metrics *gm_analysis_metrics(const struct gm_analysis *a)
{
        return &a->metrics;
}

double gm_analysis_metric(const struct gm_analysis *a, enum gm_metric m, enum gm_side side)
{
        return metric_available(a, m, side) ? a->metrics.value[m][side] : NAN;
}

double gm_analysis_si(const struct gm_analysis *a, enum gm_metric m)
{
        if (!metric_available(a, m, GM_SIDE_LEFT) || !metric_available(a, m, GM_SIDE_RIGHT))
                return NAN;
        return a->metrics.si[m];
}

double gm_analysis_si_baseline(const struct gm_analysis *a, enum gm_metric m)
{
        return a->metrics.si_baseline[m];
}

double gm_analysis_cadence(const struct gm_analysis *a)
{
        if (!side_available(a, GM_SIDE_LEFT) && !side_available(a, GM_SIDE_RIGHT))
                return NAN;
        return a->metrics.cadence_spm;
}

double gm_analysis_vertical_osc(const struct gm_analysis *a)
{
        if (!gm_acquisition_streaming(a->acq, GM_LOC_PELVIS))
                return NAN;
        return a->metrics.vertical_osc_cm;
}

uint64_t gm_analysis_dropped(const struct gm_analysis *a)
{
        uint64_t n = 0;
        /* Samples a full ring refused leave a gap in the timestamps: they are in dropped already. */
        for (int loc = 0; loc < GM_LOC_COUNT; loc++)
                n += a->dropped[loc];
        return n;
}

/* A device with an accelerometer alone is analysed without rates: the pipeline starts again
 * when a location's device turns out to have a gyroscope or not to have one (until a device
 * streams, one is assumed). */
static void check_gyroscope(struct gm_analysis *a, enum gm_loc loc)
{
        const struct gm_sensor_info *info = gm_acquisition_info(a->acq, loc);
        unsigned bit = 1u << loc;
        if (info->status != GM_SENSOR_STREAMING || info->has_gyr == !(a->no_gyr_mask & bit))
                return;
        a->no_gyr_mask ^= bit;
        gm_log_full(LOG_NOTICE, gm_loc_name(loc), "%s: %s %s; the analysis starts again %s", gm_loc_name(loc),
                    info->device, info->has_gyr ? "has a gyroscope" : "has no gyroscope",
                    info->has_gyr ? "with its rates" : "with its accelerometer alone");
        if (gm_analysis_restart(a, false) < 0) {
                a->no_gyr_mask ^= bit;
                (void)pipeline_start(a);
        }
}

static void notice_status(struct gm_analysis *a, enum gm_loc loc)
{
        struct gm_sensor_change ch;
        if (gm_acquisition_take_status(a->acq, loc, &ch) > 0) {
                gm_sinks_emit(a->sinks, sensor_changed, loc, &ch);
                check_gyroscope(a, loc);
        }
}

/* The rate the sensors really deliver, from their timestamps over the first seconds: a
 * device may not take the configured rate, and every filter of the analysis depends on it.
 * When it is off by more than RATE_TOLERANCE the analysis starts again at the real rate. */
static void check_rate(struct gm_analysis *a, enum gm_loc loc, int64_t ts_ns)
{
        struct gm_rate_check *rc = &a->rate_check[loc];
        if (rc->done)
                return;
        if (rc->n++ == 0) {
                rc->first_ns = ts_ns;
                return;
        }
        double span_s = (double)(ts_ns - rc->first_ns) * 1e-9;
        if (span_s < RATE_CHECK_S)
                return;
        rc->done = true;
        double measured = (double)(rc->n - 1) / span_s;
        double device = gm_acquisition_info(a->acq, loc)->device_rate_hz;
        if (fabs(measured - a->rate_hz) <= RATE_TOLERANCE * a->rate_hz)
                return;
        if (!(measured >= RATE_MIN_HZ && measured <= RATE_MAX_HZ)) {
                gm_log_full(LOG_WARNING, gm_loc_name(loc),
                            "%s: delivers %.0f samples/s (configured %.0f Hz), "
                            "outside %d..%d Hz; analysing at %.0f Hz",
                            gm_loc_name(loc), measured, a->cfg->sample_rate_hz, RATE_MIN_HZ, RATE_MAX_HZ, a->rate_hz);
                return;
        }
        gm_log_full(LOG_NOTICE, gm_loc_name(loc),
                    "%s: delivers %.0f samples/s, not the configured %.0f Hz "
                    "(the device reports %.0f Hz); the analysis starts again at %.0f Hz",
                    gm_loc_name(loc), measured, a->cfg->sample_rate_hz, device, measured);
        /* The configuration keeps a block within a second at the rate asked for, not at this one. */
        if (a->cfg->buffer_samples > measured)
                gm_log_full(LOG_WARNING, gm_loc_name(loc),
                            "%s: its blocks of %u samples last %.1f s at %.0f samples/s: the sensors reach the "
                            "analysis too far apart for their strides to be matched; set buffer_samples to at most "
                            "%.0f in [iio]",
                            gm_loc_name(loc), a->cfg->buffer_samples, a->cfg->buffer_samples / measured, measured,
                            floor(measured));
        pipeline_stop(a);
        a->rate_hz = measured;
        if (pipeline_start(a) < 0) {
                a->rate_hz = a->cfg->sample_rate_hz;
                (void)pipeline_start(a);
        }
}

/* Says once what placing a sample changed on the sample clock. */
static void log_clock_event(const struct gm_analysis *a, enum gm_loc loc, const struct gm_sample_clock_event *ev)
{
        const char *name = gm_loc_name(loc);
        switch (ev->type) {
        case GM_SAMPLE_CLOCK_RESTARTED:
        case GM_SAMPLE_CLOCK_REOPENED: {
                const char *why = ev->type == GM_SAMPLE_CLOCK_REOPENED ? "reopened with a new configuration"
                                                                       : "the sensor's clock started again";
                if (ev->with_other)
                        gm_log_full(LOG_NOTICE, name, "%s: %s, with %s; its samples go on after %.1f s", name, why,
                                    gm_loc_name(ev->with_loc), sample_time(a, ev->last_ns));
                else
                        gm_log_full(LOG_NOTICE, name, "%s: %s; its samples go on after %.1f s", name, why,
                                    sample_time(a, ev->last_ns));
                break;
        }
        case GM_SAMPLE_CLOCK_SHARED:
                gm_log_full(LOG_NOTICE, name, "%s: its clock is the other sensors'; its samples start at %.1f s", name,
                            sample_time(a, ev->start_ns));
                break;
        case GM_SAMPLE_CLOCK_JOINED:
                /* Its clock is not theirs (they went on after a restart, and a reload added it). */
                gm_log_full(LOG_NOTICE, name,
                            "%s: its clock is %.1f s away from the other sensors'; "
                            "its samples start at %.1f s",
                            name, (double)ev->offset_ns * 1e-9, sample_time(a, ev->start_ns));
                break;
        case GM_SAMPLE_CLOCK_STEADY:
                break;
        }
}

static void feed(struct gm_analysis *a, enum gm_loc loc, const struct gm_raw_sample *rs)
{
        if (!a->have_t0) {
                /* Sensors start a little apart: leave them a second before time 0. */
                a->t0_ns = rs->ts_ns - 1000000000;
                a->have_t0 = true;
        }
        int64_t ts_ns;
        struct gm_sample_clock_event ev;
        int r = gm_sample_clock_place(&a->clock, loc, rs->ts_ns, gm_mono_us(), &ts_ns, &ev);
        if (r < 0)
                return; /* a timestamp beyond any clock */
        log_clock_event(a, loc, &ev);
        a->dropped[loc] += ev.missing;
        if (r == 0)
                return; /* seen before, or out of time order */
        check_rate(a, loc, ts_ns);

        struct gm_sample s = { .t = sample_time(a, ts_ns) };
        if (s.t > a->t_latest)
                a->t_latest = s.t;
        for (int i = 0; i < 3; i++) {
                s.acc[i] = rs->acc[i];
                s.gyr[i] = rs->gyr[i];
        }
        (void)gm_pipeline_push(a->pipeline, loc, &s); /* bad samples are counted inside */
}

static void notify_ready(struct gm_analysis *a)
{
        if (a->ready)
                return;
        a->ready = true;
        sd_notify(0, "READY=1\nSTATUS=streaming");
        log_info("streaming");
}

/* Once per second of sample time, not per drain: a snapshot is not free. */
static void publish_metrics(struct gm_analysis *a)
{
        if (!a->have_t0 || (isfinite(a->next_metrics_t) && a->t_latest < a->next_metrics_t))
                return;
        struct gm_metrics m;
        snapshot(a, &m);
        if (!isfinite(m.t))
                return;
        a->next_metrics_t = m.t + 1.0;
        a->metrics = m;
        gm_sinks_emit(a->sinks, metrics, &a->metrics);
}

/* The pipeline's findings to the consumers, then the snapshot when one is due: the consumers
 * see the strides before the snapshot that counts them. */
static void publish(struct gm_analysis *a)
{
        struct gm_event ev;
        while (gm_pipeline_next_event(a->pipeline, &ev) > 0)
                ;
        struct gm_stride st;
        while (gm_pipeline_next_stride(a->pipeline, &st) > 0)
                gm_sinks_emit(a->sinks, stride, &st);
        struct gm_spike sp;
        while (gm_pipeline_next_spike(a->pipeline, &sp) > 0)
                gm_sinks_emit(a->sinks, spike, &sp);
        publish_metrics(a);
}

/* A location's next queued sample in a drain and where it goes on the common clock. Kept until it
 * is fed: feeding another sensor's sample moves no other's offset (a sensor not placed yet may
 * guess again, for its first sample alone). */
struct drain_head {
        bool queued;
        int64_t at_ns;
};

/* The open location whose queued sample comes first on the common clock, -1 when none has one. */
static int earliest(struct gm_analysis *a, unsigned open, struct drain_head head[GM_LOC_COUNT])
{
        int next = -1;
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                struct drain_head *h = &head[loc];
                if (!h->queued && open & 1u << loc) {
                        const struct gm_raw_sample *rs = gm_acquisition_peek(a->acq, loc);
                        if (rs) {
                                h->queued = true;
                                h->at_ns = gm_sample_clock_order(&a->clock, loc, rs->ts_ns);
                        }
                }
                if (h->queued && (next < 0 || h->at_ns < head[next].at_ns))
                        next = loc;
        }
        return next;
}

void gm_analysis_drain(struct gm_analysis *a)
{
        unsigned open = 0;
        for (int loc = 0; loc < GM_LOC_COUNT; loc++)
                if (gm_acquisition_open(a->acq, loc)) {
                        notice_status(a, loc);
                        open |= 1u << loc;
                }

        /* The earliest queued sample of any location first: a late main loop that finds seconds
         * queued feeds the locations side by side, not one's seconds before another's. An empty
         * ring is not waited for: a sensor that stops does not hold up the others. At most the
         * rings' worth, so that sensors pushing as fast as it feeds do not keep the main loop
         * here; what is left woke it already. */
        struct drain_head head[GM_LOC_COUNT] = {};
        for (size_t budget = (size_t)__builtin_popcount(open) * GM_RING_CAPACITY; budget > 0; budget--) {
                int loc = earliest(a, open, head);
                struct gm_raw_sample rs;
                if (loc < 0 || !gm_acquisition_pop(a->acq, loc, &rs))
                        break;
                head[loc].queued = false;
                notify_ready(a);
                feed(a, loc, &rs);
                /* Every second of sample time its snapshot, however many one drain holds (the
                 * first one, with no time set, at the drain's end). */
                if (a->t_latest >= a->next_metrics_t)
                        publish(a);
        }

        for (int loc = 0; loc < GM_LOC_COUNT; loc++)
                if (open & 1u << loc)
                        gm_acquisition_check_overruns(a->acq, loc);
        publish(a);
}

void gm_analysis_tick(struct gm_analysis *a)
{
        snapshot(a, &a->metrics);
        gm_sinks_emit(a->sinks, tick);
}
