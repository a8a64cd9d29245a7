/* The daemon's drain: the sensors' queued samples into the pipeline in time order, a snapshot
 * every second of sample time however much one drain holds. The rings are filled here from the
 * gait model, with no acquisition threads. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "analysis.h"
#include "gm_model.h"

#define RATE_HZ 100.0 /* the rings hold 20 s */

struct snapshot {
        double t, cadence, stance[2];
};

static struct {
        struct gm_config cfg;
        struct gm_acquisition acq;
        struct gm_view view;
        struct gm_sinks sinks;
        struct gm_analysis analysis;
        struct gm_model *model;
        struct snapshot snap[4096];
        size_t n_snap;
        /* Strides from strides_from on: all, and those complete (steady, with stance and hip
         * extension: what findings and fatigue are made of). */
        double strides_from;
        size_t n_strides, n_complete;
} w;

static void on_stride(void *userdata, const struct gm_view *v, const struct gm_stride *st)
{
        if (!(st->t_ic >= w.strides_from))
                return;
        w.n_strides++;
        if (st->steady && isfinite(st->stance_s) && isfinite(st->hip_ext_deg))
                w.n_complete++;
}

static void on_metrics(void *userdata, const struct gm_view *v, const struct gm_metrics *m)
{
        cr_assert_lt(w.n_snap, sizeof(w.snap) / sizeof(w.snap[0]));
        w.snap[w.n_snap++] = (struct snapshot){
                .t = m->t,
                .cadence = m->cadence_spm,
                .stance = { m->value[GM_METRIC_STANCE][0], m->value[GM_METRIC_STANCE][1] },
        };
}

static const struct gm_sink recorder = { .name = "recorder", .metrics = on_metrics, .stride = on_stride };

static void setup(void)
{
        gm_config_default(&w.cfg);
        w.cfg.sample_rate_hz = RATE_HZ;
        gm_acquisition_init(&w.acq, &w.cfg);
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                if (!gm_acquisition_configured(&w.acq, loc))
                        continue;
                struct gm_sensor *s = &w.acq.sensor[loc];
                s->ring = calloc(1, sizeof(*s->ring));
                cr_assert_not_null(s->ring);
                gm_ring_init(s->ring);
                pthread_mutex_init(&s->lock, NULL);
                s->status = GM_SENSOR_STREAMING;
                s->device_has_gyr = true; /* IMUs, as the model's samples are */
                s->status_seq = 1;
        }
        w.strides_from = INFINITY;
        w.view = (struct gm_view){ .acq = &w.acq, .analysis = &w.analysis };
        w.sinks = (struct gm_sinks){ .view = &w.view };
        cr_assert_eq(gm_sinks_add(&w.sinks, &recorder, NULL), 0);
        cr_assert_eq(gm_analysis_init(&w.analysis, &w.cfg, &w.acq, &w.sinks), 0);

        struct gm_model_cfg mc;
        gm_model_cfg_default(&mc);
        mc.rate_hz = RATE_HZ;
        mc.loc_mask = mc.gyr_mask = gm_acquisition_mask(&w.acq);
        mc.still_s = 0;
        w.model = gm_model_new(&mc);
        cr_assert_not_null(w.model);
}

static void teardown(void)
{
        gm_analysis_free(&w.analysis);
        gm_model_free(w.model);
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                free(w.acq.sensor[loc].ring);
                w.acq.sensor[loc].ring = NULL;
        }
}

/* seconds of running into the rings of the sensors not in stopped. */
static void queue(double seconds, unsigned stopped)
{
        for (long i = lround(seconds * RATE_HZ); i > 0; i--) {
                struct gm_sample out[GM_LOC_COUNT];
                double t = gm_model_step(w.model, out, NULL);
                for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                        if (!gm_acquisition_configured(&w.acq, loc) || stopped & 1u << loc)
                                continue;
                        struct gm_raw_sample rs = { .ts_ns = 5000000000 + llround(t * 1e9) };
                        for (int k = 0; k < 3; k++) {
                                rs.acc[k] = (float)out[loc].acc[k];
                                rs.gyr[k] = (float)out[loc].gyr[k];
                        }
                        cr_assert(gm_ring_push(w.acq.sensor[loc].ring, &rs));
                }
        }
}

/* Running as a main loop that keeps up would see it: a tenth of a second a drain. */
static void run_in_step(double seconds)
{
        for (long i = lround(seconds * 10); i > 0; i--) {
                queue(0.1, 0);
                gm_analysis_drain(&w.analysis);
        }
}

/* The snapshots from the first-th on: one a second of sample time, each with both sides' stance
 * and the cadence, which the pipeline has only while the legs' samples keep up with the pelvis'. */
static void check_snapshots(size_t first, double seconds)
{
        size_t n = w.n_snap - first;
        cr_assert(n >= seconds - 1 && n <= seconds + 1, "%zu snapshots in %.0f s of samples", n, seconds);
        for (size_t i = first; i < w.n_snap; i++) {
                const struct snapshot *s = &w.snap[i];
                cr_assert(s->t - w.snap[i - 1].t >= 0.99 && s->t - w.snap[i - 1].t < 1.5,
                          "snapshot at %.2f s after one at %.2f s", s->t, w.snap[i - 1].t);
                cr_assert(isfinite(s->cadence) && isfinite(s->stance[0]) && isfinite(s->stance[1]),
                          "snapshot at %.2f s: cadence %.1f, stance %.3f / %.3f s", s->t, s->cadence, s->stance[0],
                          s->stance[1]);
        }
}

static void check_drained(void)
{
        for (int loc = 0; loc < GM_LOC_COUNT; loc++)
                if (gm_acquisition_open(&w.acq, loc))
                        cr_assert_null(gm_acquisition_peek(&w.acq, loc), "%s: samples left", gm_loc_name(loc));
}

TestSuite(analysis_drain, .init = setup, .fini = teardown);

Test(analysis_drain, a_main_loop_that_keeps_up_snapshots_every_second)
{
        run_in_step(30);
        cr_assert(w.n_snap >= 29 && w.n_snap <= 31, "%zu snapshots in 30 s", w.n_snap);
        check_snapshots(20, 10);
        check_drained();
}

/* A late main loop finds 15 s queued for each sensor: the sensors are fed side by side, and
 * each second of them has its snapshot. */
Test(analysis_drain, seconds_in_one_drain_snapshot_every_second)
{
        run_in_step(20);
        size_t first = w.n_snap;
        queue(15, 0);
        gm_analysis_drain(&w.analysis);
        check_snapshots(first, 15);
        check_drained();
        /* And the drains after it as before. */
        first = w.n_snap;
        run_in_step(5);
        check_snapshots(first, 5);
}

/* A sensor that stops holds up no other: the others' queued samples are all fed. */
Test(analysis_drain, a_stopped_sensor_holds_up_no_other)
{
        run_in_step(20);
        size_t first = w.n_snap;
        queue(10, 1u << GM_LOC_LEFT_HIP);
        gm_analysis_drain(&w.analysis);
        size_t n = w.n_snap - first;
        cr_assert(n >= 9 && n <= 11, "%zu snapshots in 10 s of samples", n);
        check_drained();
}

/* Sensors read in blocks deliver a block's samples at once, each when its block is full: with
 * blocks as long as the configuration allows (1 s), the strides are as complete as with a tenth
 * of a second, each second with its snapshot. */
Test(analysis_drain, sensors_read_in_one_second_blocks_make_complete_strides)
{
        run_in_step(20);
        w.strides_from = 25;
        enum { BLOCK = (int)RATE_HZ };
        static struct gm_raw_sample block[GM_LOC_COUNT][BLOCK];
        size_t fill[GM_LOC_COUNT] = { 0 }, first = w.n_snap;
        for (long i = 0; i < 60 * (long)RATE_HZ; i++) {
                struct gm_sample out[GM_LOC_COUNT];
                double t = gm_model_step(w.model, out, NULL);
                for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                        if (!gm_acquisition_configured(&w.acq, loc))
                                continue;
                        struct gm_raw_sample *rs = &block[loc][fill[loc]++];
                        *rs = (struct gm_raw_sample){ .ts_ns = 5000000000 + llround(t * 1e9) };
                        for (int k = 0; k < 3; k++) {
                                rs->acc[k] = (float)out[loc].acc[k];
                                rs->gyr[k] = (float)out[loc].gyr[k];
                        }
                        /* The sensors' first blocks are shorter, each by a tenth of a second more:
                         * their blocks do not end together. */
                        if (fill[loc] == BLOCK || (i < BLOCK && fill[loc] == (size_t)(10 * (loc + 1)))) {
                                for (size_t k = 0; k < fill[loc]; k++)
                                        cr_assert(gm_ring_push(w.acq.sensor[loc].ring, &block[loc][k]));
                                fill[loc] = 0;
                        }
                }
                if (i % 10 == 9)
                        gm_analysis_drain(&w.analysis);
        }
        check_snapshots(first, 60);
        cr_log_info("%zu strides, %zu complete", w.n_strides, w.n_complete);
        cr_assert_gt(w.n_strides, 60, "%zu strides in 50 s of running", w.n_strides);
        cr_assert_geq(w.n_complete, w.n_strides - 2, "%zu of %zu strides complete", w.n_complete, w.n_strides);
}
