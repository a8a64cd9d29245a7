/* The pipeline on synthetic runs: event accuracy, invariance to mounting, rates, subsets,
 * asymmetry spikes, bad input and memory discipline. */
#include <criterion/criterion.h>
#include <errno.h>
#include <malloc.h>
#include <math.h>
#include <string.h>

#include "gm_events.h"
#include "gm_match.h"
#include "gm_model.h"
#include "gm_replay.h"
#include "gm_stats.h"

#define ALL5                                                                                                      \
        ((1u << GM_LOC_PELVIS) | (1u << GM_LOC_LEFT_HIP) | (1u << GM_LOC_RIGHT_HIP) | (1u << GM_LOC_LEFT_SHANK) | \
         (1u << GM_LOC_RIGHT_SHANK))

static void base_cfg(struct gm_model_cfg *c)
{
        gm_model_cfg_default(c);
        c->seed = 42;
}

static void run(const struct gm_model_cfg *mc, double seconds, struct gm_replay *rep, struct gm_event_list *truth)
{
        struct gm_recording *rec;
        memset(truth, 0, sizeof(*truth));
        cr_assert_eq(gm_model_generate(mc, seconds, &rec, truth), 0);
        cr_assert_eq(gm_replay_run(rec, NULL, rep, NULL, NULL), 0);
        gm_recording_free(rec);
}

static struct gm_match_result score(const struct gm_event_list *truth, const struct gm_event_list *det)
{
        struct gm_match_opts o;
        struct gm_match_result res;
        gm_match_opts_default(&o);
        cr_assert_eq(gm_match(truth, det, &o, &res), 0);
        return res;
}

/* A pipeline for sensors at rate_hz: those of loc_mask, with a gyro those of gyr_mask. */
static struct gm_pipeline *pipeline_for(double rate_hz, unsigned loc_mask, unsigned gyr_mask)
{
        struct gm_pipeline_cfg pc;
        gm_pipeline_cfg_default(&pc);
        pc.rate_hz = rate_hz;
        pc.loc_mask = loc_mask;
        pc.gyr_mask = gyr_mask;
        struct gm_pipeline *p = gm_pipeline_new(&pc);
        cr_assert_not_null(p);
        return p;
}

/* The model of mc and a pipeline for the sensors it wears. */
static struct gm_model *model_and_pipeline(const struct gm_model_cfg *mc, struct gm_pipeline **p)
{
        struct gm_model *m = gm_model_new(mc);
        cr_assert_not_null(m);
        *p = pipeline_for(mc->rate_hz, mc->loc_mask, mc->gyr_mask);
        return m;
}

/* One step of the model: each worn sensor's sample pushed into the pipeline, its true events
 * added to truth (if not NULL). */
static void push_step(struct gm_model *m, const struct gm_model_cfg *mc, struct gm_pipeline *p,
                      struct gm_event_list *truth)
{
        struct gm_sample s[GM_LOC_COUNT];
        gm_model_step(m, s, truth);
        for (int l = 0; l < GM_LOC_COUNT; l++)
                if (mc->loc_mask & (1u << l))
                        gm_pipeline_push(p, l, &s[l]);
}

Test(pipeline, synthetic_running_events_f1)
{
        struct gm_model_cfg mc;
        struct gm_replay rep;
        struct gm_event_list truth;
        base_cfg(&mc);
        run(&mc, 300, &rep, &truth);
        struct gm_match_result r = score(&truth, &rep.events);
        cr_log_info("running ic F1 %.4f fc F1 %.4f stance error %.4f s", gm_match_f1(&r.ic), gm_match_f1(&r.fc),
                    r.stance_err_sum / r.stance_n);
        cr_expect_geq(gm_match_f1(&r.ic), 0.995, "ic F1 %.4f", gm_match_f1(&r.ic));
        cr_expect_geq(gm_match_f1(&r.fc), 0.98, "fc F1 %.4f", gm_match_f1(&r.fc));
        cr_expect_lt(r.ic.abs_err_sum / r.ic.tp, 0.025, "ic MAE %.3f s", r.ic.abs_err_sum / r.ic.tp);
        /* The shanks' events are timed by the pelvis' contacts: stance holds at both ends. */
        cr_expect_gt(r.stance_n, 250);
        cr_expect_lt(r.stance_err_sum / r.stance_n, 0.020, "stance error %.3f s", r.stance_err_sum / r.stance_n);
        cr_expect_lt(fabs(rep.final.cadence_spm - 170) / 170, 0.02, "cadence %.1f", rep.final.cadence_spm);
        cr_expect_eq(rep.final.activity, GM_ACTIVITY_RUNNING, "activity %s", gm_activity_name(rep.final.activity));
        gm_replay_clear(&rep);
        gm_event_list_clear(&truth);
}

Test(pipeline, synthetic_walking_events_f1)
{
        struct gm_model_cfg mc;
        struct gm_replay rep;
        struct gm_event_list truth;
        base_cfg(&mc);
        mc.activity = GM_ACTIVITY_WALKING;
        mc.speed_mps = 1.4;
        mc.cadence_spm = 112;
        run(&mc, 300, &rep, &truth);
        struct gm_match_result r = score(&truth, &rep.events);
        cr_expect_geq(gm_match_f1(&r.ic), 0.995, "ic F1 %.4f", gm_match_f1(&r.ic));
        cr_expect_lt(fabs(rep.final.cadence_spm - 112) / 112, 0.02, "cadence %.1f", rep.final.cadence_spm);
        cr_expect_eq(rep.final.activity, GM_ACTIVITY_WALKING, "activity %s", gm_activity_name(rep.final.activity));
        gm_replay_clear(&rep);
        gm_event_list_clear(&truth);
}

/* Any mounting: upside down, turned about each axis. The metrics must not move. */
Test(pipeline, mounting_rotation_changes_nothing)
{
        struct gm_model_cfg mc;
        struct gm_replay a, b;
        struct gm_event_list ta, tb;
        base_cfg(&mc);
        run(&mc, 240, &a, &ta);
        static const double rpy[GM_LOC_COUNT][3] = {
                [GM_LOC_PELVIS] = { M_PI, 0, 0.5 },           [GM_LOC_LEFT_HIP] = { 0.3, M_PI / 2, -1.0 },
                [GM_LOC_RIGHT_HIP] = { M_PI, 0.2, M_PI / 2 }, [GM_LOC_LEFT_SHANK] = { -M_PI / 2, 0.4, M_PI },
                [GM_LOC_RIGHT_SHANK] = { 1.2, -0.7, 2.5 },
        };
        memcpy(mc.mount_rpy, rpy, sizeof(rpy));
        run(&mc, 240, &b, &tb);
        struct gm_match_result r = score(&tb, &b.events);
        cr_expect_geq(gm_match_f1(&r.ic), 0.99, "rotated ic F1 %.4f", gm_match_f1(&r.ic));
        for (int side = 0; side < 2; side++) {
                double ha = a.final.value[GM_METRIC_HIP_EXT][side], hb = b.final.value[GM_METRIC_HIP_EXT][side];
                cr_expect(isfinite(ha) && fabs(ha - hb) < 1.0, "hip extension %s: %.2f vs rotated %.2f",
                          gm_side_name(side), ha, hb);
                double sa = a.final.value[GM_METRIC_STANCE][side], sb = b.final.value[GM_METRIC_STANCE][side];
                cr_expect(isfinite(sa) && fabs(sa - sb) < 0.01, "stance %s: %.3f vs rotated %.3f", gm_side_name(side),
                          sa, sb);
                double pa = a.final.value[GM_METRIC_PELVIC_DROP][side], pb = b.final.value[GM_METRIC_PELVIC_DROP][side];
                cr_expect(isfinite(pa) && fabs(pa - pb) < 0.5, "pelvic drop %s: %.2f vs rotated %.2f",
                          gm_side_name(side), pa, pb);
        }
        gm_replay_clear(&a);
        gm_replay_clear(&b);
        gm_event_list_clear(&ta);
        gm_event_list_clear(&tb);
}

Test(pipeline, sample_rates_50_to_1000)
{
        static const double rates[] = { 50, 100, 208, 1000 };
        for (unsigned i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
                struct gm_model_cfg mc;
                struct gm_replay rep;
                struct gm_event_list truth;
                base_cfg(&mc);
                mc.rate_hz = rates[i];
                run(&mc, 120, &rep, &truth);
                struct gm_match_result r = score(&truth, &rep.events);
                cr_expect_geq(gm_match_f1(&r.ic), 0.98, "%.0f Hz: ic F1 %.4f", rates[i], gm_match_f1(&r.ic));
                gm_replay_clear(&rep);
                gm_event_list_clear(&truth);
        }
}

/* Metrics that need a missing sensor are absent, not zero; the rest still work. */
Test(pipeline, sensor_subsets)
{
        struct {
                unsigned locs, gyr;
                bool hip, pelvis, thigh;
        } cases[] = {
                { (1u << GM_LOC_LEFT_SHANK) | (1u << GM_LOC_RIGHT_SHANK), ~0u, false, false, false },
                { 1u << GM_LOC_PELVIS, ~0u, false, true, false },
                /* Without the pelvis a thigh tells its own angle, not the hip's. */
                { ALL5 & ~(1u << GM_LOC_PELVIS), ~0u, false, false, true },
                { ALL5, ~0u, true, true, true },
        };
        for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                struct gm_model_cfg mc;
                struct gm_replay rep;
                struct gm_event_list truth;
                base_cfg(&mc);
                mc.activity = GM_ACTIVITY_WALKING;
                mc.speed_mps = 1.4;
                mc.cadence_spm = 110;
                mc.loc_mask = cases[i].locs;
                mc.gyr_mask = cases[i].locs & cases[i].gyr;
                run(&mc, 120, &rep, &truth);
                struct gm_match_result r = score(&truth, &rep.events);
                cr_expect_geq(gm_match_f1(&r.ic), 0.95, "case %u: ic F1 %.3f", i, gm_match_f1(&r.ic));
                cr_expect_lt(fabs(rep.final.cadence_spm - 110) / 110, 0.03, "case %u: cadence %.1f", i,
                             rep.final.cadence_spm);
                for (int side = 0; side < 2; side++) {
                        cr_expect_eq(isfinite(rep.final.value[GM_METRIC_HIP_EXT][side]), cases[i].hip, "case %u hip",
                                     i);
                        cr_expect_eq(isfinite(rep.final.value[GM_METRIC_THIGH_EXT][side]), cases[i].thigh,
                                     "case %u thigh", i);
                        cr_expect_eq(isfinite(rep.final.value[GM_METRIC_PELVIC_DROP][side]), cases[i].pelvis,
                                     "case %u pelvis", i);
                }
                gm_replay_clear(&rep);
                gm_event_list_clear(&truth);
        }
}

/* A 10 % hip-extension weakness from minute 4 is flagged within 10 strides. */
Test(pipeline, hip_weakness_spike_within_10_strides)
{
        struct gm_model_cfg mc;
        struct gm_replay rep;
        struct gm_event_list truth;
        base_cfg(&mc);
        mc.weak[GM_SIDE_LEFT].hip_ext_frac = 0.10;
        mc.weak[GM_SIDE_LEFT].onset_s = 240;
        mc.weak[GM_SIDE_LEFT].ramp_s = 0;
        run(&mc, 330, &rep, &truth);
        const struct gm_spike *hit = NULL;
        for (size_t i = 0; i < rep.spikes.n; i++) {
                const struct gm_spike *sp = &rep.spikes.sp[i];
                cr_expect_geq(sp->t_detect, 240, "spike before the onset: %s at %.1f s", gm_metric_name(sp->metric),
                              sp->t_detect);
                if (sp->metric == GM_METRIC_HIP_EXT && !hit)
                        hit = sp;
        }
        cr_assert_not_null(hit, "no hip-extension spike");
        unsigned strides = 0;
        for (size_t i = 0; i < rep.strides.n; i++)
                if (rep.strides.st[i].side == GM_SIDE_LEFT && rep.strides.st[i].t_ic >= 240 &&
                    rep.strides.st[i].t_next_ic <= hit->t_detect)
                        strides++;
        cr_log_info("hip spike after %u strides, SI %.1f vs baseline %.1f", strides, hit->si, hit->baseline);
        cr_expect_leq(strides, 10, "flagged after %u strides", strides);
        cr_expect_lt(hit->si, hit->baseline, "left weaker: SI must drop (%.1f vs %.1f)", hit->si, hit->baseline);
        gm_replay_clear(&rep);
        gm_event_list_clear(&truth);
}

Test(pipeline, no_false_spike_in_30_symmetric_minutes, .timeout = 600)
{
        struct gm_model_cfg mc;
        struct gm_replay rep;
        struct gm_event_list truth;
        base_cfg(&mc);
        mc.seed = 7;
        run(&mc, 1800, &rep, &truth);
        for (size_t i = 0; i < rep.spikes.n; i++)
                cr_log_error("false spike: %s SI %.1f baseline %.1f at %.1f s", gm_metric_name(rep.spikes.sp[i].metric),
                             rep.spikes.sp[i].si, rep.spikes.sp[i].baseline, rep.spikes.sp[i].t_detect);
        cr_expect_eq(rep.spikes.n, 0);
        cr_expect(rep.final.baseline_ready);
        struct gm_match_result r = score(&truth, &rep.events);
        cr_expect_geq(gm_match_f1(&r.ic), 0.995, "30 min ic F1 %.4f", gm_match_f1(&r.ic));
        gm_replay_clear(&rep);
        gm_event_list_clear(&truth);
}

Test(pipeline, fft_cadence_agrees_with_events)
{
        struct gm_model_cfg mc;
        base_cfg(&mc);
        struct gm_pipeline *p;
        struct gm_model *m = model_and_pipeline(&mc, &p);
        for (int i = 0; i < 60 * 400; i++)
                push_step(m, &mc, p, NULL);
        struct gm_metrics mt;
        gm_pipeline_snapshot(p, &mt);
        cr_expect_lt(fabs(mt.cadence_fft_spm - mt.cadence_spm) / mt.cadence_spm, 0.02, "fft %.1f events %.1f",
                     mt.cadence_fft_spm, mt.cadence_spm);
        gm_pipeline_free(p);
        gm_model_free(m);
}

/* Garbage is flagged and skipped, a hole restarts detection, and neither costs the run. */
Test(pipeline, bad_samples_and_gaps)
{
        struct gm_model_cfg mc;
        base_cfg(&mc);
        struct gm_recording *rec;
        struct gm_event_list truth = { 0 };
        cr_assert_eq(gm_model_generate(&mc, 120, &rec, &truth), 0);
        size_t bad = 0;
        for (size_t i = 10000; i < 30000; i += 997) {
                rec->data[GM_LOC_LEFT_SHANK][i * 6 + 1] = NAN;
                rec->data[GM_LOC_RIGHT_SHANK][i * 6 + 4] = INFINITY;
                rec->data[GM_LOC_PELVIS][i * 6 + 2] = 1e300;
                bad += 3;
        }
        /* A 2 s hole in every sensor at 60 s. */
        for (size_t i = 60 * 400; i < rec->n; i++)
                rec->t[i] += 2.0;
        struct gm_replay rep;
        cr_assert_eq(gm_replay_run(rec, NULL, &rep, NULL, NULL), 0);
        cr_expect_eq(rep.final.bad_samples, bad);
        cr_expect_geq(rep.final.gaps, 1);
        /* The truth moves with the hole. */
        for (size_t i = 0; i < truth.n; i++)
                if (truth.ev[i].t >= 60)
                        truth.ev[i].t += 2.0;
        struct gm_match_result r = score(&truth, &rep.events);
        cr_expect_geq(gm_match_f1(&r.ic), 0.97, "ic F1 %.4f with garbage and a hole", gm_match_f1(&r.ic));
        gm_replay_clear(&rep);
        gm_event_list_clear(&truth);
        gm_recording_free(rec);
}

Test(pipeline, rejects_bad_configuration_and_input)
{
        struct gm_pipeline_cfg pc;
        gm_pipeline_cfg_default(&pc);
        pc.loc_mask = ALL5;
        pc.rate_hz = 20;
        cr_expect_null(gm_pipeline_new(&pc));
        pc.rate_hz = 5000;
        cr_expect_null(gm_pipeline_new(&pc));
        pc.rate_hz = 100;
        pc.loc_mask = 0;
        cr_expect_null(gm_pipeline_new(&pc));
        pc.loc_mask = 1u << GM_LOC_PELVIS;
        struct gm_pipeline *p = gm_pipeline_new(&pc);
        cr_assert_not_null(p);
        struct gm_sample s = { .t = 1.0, .acc = { 0, 0, 9.8 } };
        cr_expect_eq(gm_pipeline_push(p, GM_LOC_LEFT_SHANK, &s), -EINVAL, "location not configured");
        cr_expect_eq(gm_pipeline_push(p, (enum gm_loc)99, &s), -EINVAL);
        cr_expect_eq(gm_pipeline_push(p, GM_LOC_PELVIS, &s), 0);
        cr_expect_eq(gm_pipeline_push(p, GM_LOC_PELVIS, &s), 1, "same time again is flagged");
        s.t = 0.5;
        cr_expect_eq(gm_pipeline_push(p, GM_LOC_PELVIS, &s), 1, "time going backwards is flagged");
        gm_pipeline_free(p);
}

/* Pushing samples allocates nothing: the heap is the same size before and after. */
Test(pipeline, no_allocation_per_sample)
{
        struct gm_model_cfg mc;
        base_cfg(&mc);
        struct gm_pipeline *p;
        struct gm_model *m = model_and_pipeline(&mc, &p);
        struct gm_event ev;
        struct gm_stride st;
        size_t before = 0;
        for (int i = 0; i < 90 * 400; i++) {
                if (i == 10 * 400)
                        before = mallinfo2().uordblks;
                push_step(m, &mc, p, NULL);
                while (gm_pipeline_next_event(p, &ev) || gm_pipeline_next_stride(p, &st))
                        ;
        }
        cr_expect_eq(mallinfo2().uordblks, before, "heap grew while streaming");
        gm_pipeline_free(p);
        gm_model_free(m);
}

/* Shanks with accelerometers only, running: the impact detector. */
Test(pipeline, shank_accelerometer_only_running)
{
        struct gm_model_cfg mc;
        struct gm_replay rep;
        struct gm_event_list truth;
        base_cfg(&mc);
        mc.loc_mask = (1u << GM_LOC_LEFT_SHANK) | (1u << GM_LOC_RIGHT_SHANK);
        mc.gyr_mask = 0;
        mc.mount_rpy[GM_LOC_LEFT_SHANK][0] = M_PI; /* upside down */
        run(&mc, 180, &rep, &truth);
        struct gm_match_result r = score(&truth, &rep.events);
        cr_expect_geq(gm_match_f1(&r.ic), 0.97, "ic F1 %.4f", gm_match_f1(&r.ic));
        cr_expect_geq(gm_match_f1(&r.fc), 0.95, "fc F1 %.4f", gm_match_f1(&r.fc));
        cr_expect_lt(fabs(rep.final.cadence_spm - 170) / 170, 0.02, "cadence %.1f", rep.final.cadence_spm);
        gm_replay_clear(&rep);
        gm_event_list_clear(&truth);
}

/* Feet only, the sensors mounted mirrored (one turned about "up", one upside down): the
 * sign of the swing is learnt from the first heel rises, and the strides walked before
 * that are read again with it instead of being lost or placed half a stride off. */
Test(pipeline, feet_first_strides_right_whatever_the_mounting)
{
        static const double rpy[][2][3] = {
                { { 0, 0, 0 }, { 0, 0, M_PI } },
                { { M_PI, 0, 0 }, { 0, 0, 0 } },
                { { 0, 0, M_PI }, { M_PI, 0, M_PI / 2 } },
        };
        for (unsigned i = 0; i < sizeof(rpy) / sizeof(rpy[0]); i++) {
                struct gm_model_cfg mc;
                struct gm_replay rep;
                struct gm_event_list truth;
                base_cfg(&mc);
                mc.activity = GM_ACTIVITY_WALKING;
                mc.speed_mps = 1.3;
                mc.cadence_spm = 108;
                mc.loc_mask = mc.gyr_mask = (1u << GM_LOC_LEFT_FOOT) | (1u << GM_LOC_RIGHT_FOOT);
                memcpy(mc.mount_rpy[GM_LOC_LEFT_FOOT], rpy[i][0], sizeof(rpy[i][0]));
                memcpy(mc.mount_rpy[GM_LOC_RIGHT_FOOT], rpy[i][1], sizeof(rpy[i][1]));
                /* The model stands for 5 s, then walks: 12 steps in all. */
                run(&mc, 12, &rep, &truth);
                struct gm_match_opts o;
                struct gm_match_result r;
                gm_match_opts_default(&o);
                cr_assert_eq(gm_match(&truth, &rep.events, &o, &r), 0);
                cr_expect_eq(r.ic.fp, 0, "mounting %u: %zu misplaced ic", i, r.ic.fp);
                cr_expect_eq(r.ic.fn, 0, "mounting %u: %zu missed ic of %zu", i, r.ic.fn, r.ic.fn + r.ic.tp);
                cr_expect_lt(r.ic.abs_err_sum / r.ic.tp, 0.03, "mounting %u: ic MAE %.3f s", i,
                             r.ic.abs_err_sum / r.ic.tp);
                gm_replay_clear(&rep);
                gm_event_list_clear(&truth);
        }
}

/* Feeds rec to a new pipeline; each location's samples arrive in blocks of `block` samples,
 * those of the locations in late_mask `lag` samples behind the others (a live source's
 * buffers come in any order), or interleaved sample by sample when block is 0. Collects the
 * strides. */
static size_t feed_strides(const struct gm_recording *rec, size_t block, size_t lag, unsigned late_mask,
                           struct gm_stride *out, size_t cap)
{
        struct gm_pipeline *p = pipeline_for(rec->rate_hz, rec->loc_mask, rec->gyr_mask);
        size_t n = 0, next[GM_LOC_COUNT] = { 0 };
        struct gm_stride st;
        for (size_t step = 0;; step++) {
                bool any = false;
                for (int l = 0; l < GM_LOC_COUNT; l++) {
                        if (!(rec->loc_mask & (1u << l)))
                                continue;
                        bool late = late_mask & (1u << l);
                        size_t want = block ? (step + 1) * block : step + 1;
                        want = late ? (want > lag ? want - lag : 0) : want;
                        if (want > rec->n)
                                want = rec->n;
                        for (; next[l] < want; next[l]++) {
                                struct gm_sample s;
                                gm_recording_get(rec, l, next[l], &s);
                                gm_pipeline_push(p, l, &s);
                        }
                        any |= next[l] < rec->n;
                }
                while (gm_pipeline_next_stride(p, &st) > 0)
                        if (n < cap)
                                out[n++] = st;
                if (!any)
                        break;
        }
        gm_pipeline_flush(p);
        while (gm_pipeline_next_stride(p, &st) > 0)
                if (n < cap)
                        out[n++] = st;
        gm_pipeline_free(p);
        return n;
}

static bool same_value(double a, double b)
{
        return (isnan(a) && isnan(b)) || a == b;
}

static bool near_value(double a, double b, double tolerance)
{
        return (isnan(a) && isnan(b)) || fabs(a - b) <= tolerance;
}

/* The strides of a model run fed sample by sample against those fed in blocks of 0.3 s with
 * the late locations 0.6 s behind. */
static void compare_orders(const struct gm_model_cfg *mc, unsigned late_mask)
{
        struct gm_recording *rec;
        struct gm_event_list truth = { 0 };
        cr_assert_eq(gm_model_generate(mc, 240, &rec, &truth), 0);
        enum { CAP = 1024 };
        static struct gm_stride a[CAP], b[CAP];
        size_t na = feed_strides(rec, 0, 0, 0, a, CAP);
        size_t block = (size_t)(0.3 * rec->rate_hz), lag = (size_t)(0.6 * rec->rate_hz);
        size_t nb = feed_strides(rec, block, lag, late_mask, b, CAP);
        cr_assert_gt(na, 200);
        /* Each stride of the interleaved feed, found by side and time in the other. A thigh's
         * reference posture is still learned sample by sample while its zero is being learned
         * stride by stride, so its angles may differ by a little; nothing may be missing. */
        const double HIP_TOLERANCE_DEG = 1.0;
        size_t differ = 0, compared = 0;
        for (size_t i = 0; i < na; i++) {
                const struct gm_stride *x = &a[i], *y = NULL;
                for (size_t j = 0; j < nb && !y; j++)
                        if (b[j].side == x->side && fabs(b[j].t_ic - x->t_ic) < 1e-9)
                                y = &b[j];
                if (x->t_ic < 20)
                        continue;
                compared++;
                bool same = y && same_value(x->t_fc, y->t_fc) && same_value(x->t_next_ic, y->t_next_ic) &&
                            near_value(x->hip_ext_deg, y->hip_ext_deg, HIP_TOLERANCE_DEG) &&
                            near_value(x->hip_range_deg, y->hip_range_deg, HIP_TOLERANCE_DEG) &&
                            near_value(x->thigh_ext_deg, y->thigh_ext_deg, HIP_TOLERANCE_DEG) &&
                            near_value(x->thigh_range_deg, y->thigh_range_deg, HIP_TOLERANCE_DEG) &&
                            same_value(x->pelvic_drop_deg, y->pelvic_drop_deg) &&
                            same_value(x->impact_g, y->impact_g) && x->activity == y->activity &&
                            x->steady == y->steady;
                if (!same && differ++ < 5) {
                        if (!y)
                                y = x;
                        cr_log_error(
                                "stride %zu %s at %.3f / %.3f s (fc %.3f / %.3f, next %.3f / %.3f): hip range "
                                "%.2f / %.2f, pelvic drop %.3f / %.3f, hip ext %.2f / %.2f, impact %.3f / %.3f, "
                                "steady %d / %d",
                                i, gm_side_name(x->side), x->t_ic, y->t_ic, x->t_fc, y->t_fc, x->t_next_ic,
                                y->t_next_ic, x->hip_range_deg, y->hip_range_deg, x->pelvic_drop_deg,
                                y->pelvic_drop_deg, x->hip_ext_deg, y->hip_ext_deg, x->impact_g, y->impact_g, x->steady,
                                y->steady);
                }
        }
        cr_expect_gt(compared, 200);
        cr_expect_eq(differ, 0, "%zu of %zu strides differ", differ, compared);
        gm_recording_free(rec);
        gm_event_list_clear(&truth);
}

Test(pipeline, strides_do_not_depend_on_the_order_sensors_arrive_in)
{
        struct gm_model_cfg mc;
        base_cfg(&mc);
        /* The thighs behind: the hip's angles over the stride. */
        compare_orders(&mc, (1u << GM_LOC_LEFT_HIP) | (1u << GM_LOC_RIGHT_HIP));
        /* The pelvis behind shanks without a gyro: pelvic drop. */
        mc.gyr_mask &= ~((1u << GM_LOC_LEFT_SHANK) | (1u << GM_LOC_RIGHT_SHANK));
        compare_orders(&mc, 1u << GM_LOC_PELVIS);
}

/* Median hip extension per side of the steady walking strides in [from, to). */
static void walk_hip_medians(const struct gm_stride *st, size_t n, double from, double to, double med[2])
{
        static double v[2][512];
        size_t k[2] = { 0, 0 };
        for (size_t i = 0; i < n; i++)
                if (st[i].t_ic >= from && st[i].t_ic < to && st[i].steady && st[i].activity == GM_ACTIVITY_WALKING &&
                    isfinite(st[i].hip_ext_deg) && k[st[i].side] < 512)
                        v[st[i].side][k[st[i].side]++] = st[i].hip_ext_deg;
        for (int s = 0; s < 2; s++) {
                cr_assert_gt(k[s], 30, "%zu steady walking strides of side %d in [%.0f, %.0f)", k[s], s, from, to);
                med[s] = gm_median(v[s], k[s]);
        }
}

Test(pipeline, a_second_walk_is_measured_as_the_first)
{
        struct gm_model_cfg mc;
        base_cfg(&mc);
        struct gm_pipeline *p;
        struct gm_model *m = model_and_pipeline(&mc, &p);
        enum { CAP = 4096 };
        static struct gm_stride st[CAP];
        size_t n = 0;
        struct gm_event_list ev = { 0 };
        /* Walk 4 min, run 4 min, walk the same 4 min again. */
        cr_assert_eq(gm_model_set_gait(m, GM_ACTIVITY_WALKING, 1.4, 112), 0);
        for (long i = 0; i < (long)(720 * mc.rate_hz); i++) {
                if (i == (long)(240 * mc.rate_hz))
                        cr_assert_eq(gm_model_set_gait(m, GM_ACTIVITY_RUNNING, 3.0, 168), 0);
                if (i == (long)(480 * mc.rate_hz))
                        cr_assert_eq(gm_model_set_gait(m, GM_ACTIVITY_WALKING, 1.4, 112), 0);
                push_step(m, &mc, p, &ev);
                struct gm_stride s;
                while (gm_pipeline_next_stride(p, &s) > 0)
                        if (n < CAP)
                                st[n++] = s;
        }
        gm_event_list_clear(&ev);
        double first[2], second[2];
        walk_hip_medians(st, n, 60, 240, first);
        walk_hip_medians(st, n, 540, 720, second);
        for (int s = 0; s < 2; s++)
                cr_expect(fabs(second[s] - first[s]) < 0.3,
                          "side %d: hip extension %.2f° in the first walk, %.2f° in "
                          "the second",
                          s, first[s], second[s]);
        gm_pipeline_free(p);
        gm_model_free(m);
}
