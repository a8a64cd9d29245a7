/* Gait the sensors' frames must survive: slow walking, a short walk from standing to
 * standing, a thigh mounted upside down, analysis started in the middle of a run. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "gm_events.h"
#include "gm_match.h"
#include "gm_model.h"
#include "gm_replay.h"
#include "gm_stats.h"
#include "u-turns.h"

static const unsigned legs = (1u << GM_LOC_PELVIS) | (1u << GM_LOC_LEFT_HIP) | (1u << GM_LOC_RIGHT_HIP) |
                             (1u << GM_LOC_LEFT_SHANK) | (1u << GM_LOC_RIGHT_SHANK);

static struct gm_match_result score(const struct gm_event_list *truth, const struct gm_event_list *det)
{
        struct gm_match_opts o;
        struct gm_match_result r;
        gm_match_opts_default(&o);
        cr_assert_eq(gm_match(truth, det, &o, &r), 0);
        return r;
}

/* Contacts matched only inside [start, end]: a walk's first steps are scored as they come. */
static struct gm_match_result score_within(const struct gm_event_list *truth, const struct gm_event_list *det,
                                           double start, double end, bool any_side)
{
        struct gm_match_opts o;
        struct gm_match_result r;
        gm_match_opts_default(&o);
        struct gm_bout b = { .start = start, .end = end };
        struct gm_bout_list bouts = { .n = 1, .cap = 1, .b = &b };
        o.bouts = &bouts;
        o.any_side = any_side;
        cr_assert_eq(gm_match(truth, det, &o, &r), 0);
        return r;
}

/* A pipeline for the pelvis alone, with its gyro. */
static struct gm_pipeline *pelvis_pipeline(double rate_hz)
{
        struct gm_pipeline_cfg pc;
        gm_pipeline_cfg_default(&pc);
        pc.rate_hz = rate_hz;
        pc.loc_mask = pc.gyr_mask = 1u << GM_LOC_PELVIS;
        struct gm_pipeline *p = gm_pipeline_new(&pc);
        cr_assert_not_null(p);
        return p;
}

/* Feeds one pelvis sample and keeps the events that come out. */
static void push_pelvis(struct gm_pipeline *p, const struct gm_sample *s, struct gm_event_list *det)
{
        cr_assert_eq(gm_pipeline_push(p, GM_LOC_PELVIS, s), 0);
        struct gm_event ev;
        while (gm_pipeline_next_event(p, &ev))
                gm_event_list_add(det, &ev);
}

/* The events still held at the end, all sorted. */
static void flush_events(struct gm_pipeline *p, struct gm_event_list *det)
{
        gm_pipeline_flush(p);
        struct gm_event ev;
        while (gm_pipeline_next_event(p, &ev))
                gm_event_list_add(det, &ev);
        gm_event_list_sort(det);
}

/* 70 steps/min at 0.5 m/s: stance and swing rotations of a shank last about alike. */
Test(gait_cases, slow_walk_70_steps_per_min)
{
        struct gm_model_cfg mc;
        gm_model_cfg_default(&mc);
        mc.seed = 7;
        mc.rate_hz = 100;
        mc.activity = GM_ACTIVITY_WALKING;
        mc.speed_mps = 0.5;
        mc.cadence_spm = 70;
        mc.loc_mask = mc.gyr_mask = legs;
        struct gm_recording *rec;
        struct gm_event_list truth = { 0 };
        cr_assert_eq(gm_model_generate(&mc, 90, &rec, &truth), 0);
        struct gm_replay rep;
        cr_assert_eq(gm_replay_run(rec, NULL, &rep, NULL, NULL), 0);
        struct gm_match_result r = score(&truth, &rep.events);
        cr_expect_geq(gm_match_f1(&r.ic), 0.95, "ic F1 %.3f", gm_match_f1(&r.ic));
        cr_expect_lt(fabs(rep.final.cadence_spm - 70) / 70, 0.03, "cadence %.1f", rep.final.cadence_spm);
        cr_expect_lt(fabs(rep.cadence_fft_spm - 70) / 70, 0.1, "FFT cadence %.1f: not an octave off",
                     rep.cadence_fft_spm);
        for (int side = 0; side < 2; side++) {
                double h = rep.final.value[GM_METRIC_HIP_EXT][side];
                cr_expect(h >= -10 && h <= 45, "%s hip extension %.1f", gm_side_name(side), h);
        }
        gm_replay_clear(&rep);
        gm_event_list_clear(&truth);
        gm_recording_free(rec);
}

/* Standing, a few steps of walking, standing again: the steps are found from the first. */
Test(gait_cases, short_walk_from_standing_to_standing)
{
        struct gm_model_cfg mc;
        gm_model_cfg_default(&mc);
        mc.seed = 3;
        mc.rate_hz = 100;
        mc.activity = GM_ACTIVITY_WALKING;
        mc.speed_mps = 1.2;
        mc.cadence_spm = 105;
        mc.still_s = 3;
        mc.loc_mask = mc.gyr_mask = legs;
        struct gm_model *m = gm_model_new(&mc);
        cr_assert_not_null(m);
        struct gm_pipeline_cfg pc;
        gm_pipeline_cfg_default(&pc);
        pc.rate_hz = mc.rate_hz;
        pc.loc_mask = pc.gyr_mask = legs;
        struct gm_pipeline *p = gm_pipeline_new(&pc);
        cr_assert_not_null(p);
        struct gm_event_list truth = { 0 }, det = { 0 };
        bool stopped = false;
        for (int i = 0; i < 15 * mc.rate_hz; i++) {
                struct gm_sample s[GM_LOC_COUNT];
                double t = gm_model_step(m, s, &truth);
                if (!stopped && t >= 3 + 5.5) { /* 5.5 s of walking: about 5 m */
                        gm_model_set_gait(m, GM_ACTIVITY_IDLE, 0, 0);
                        stopped = true;
                }
                for (int l = 0; l < GM_LOC_COUNT; l++)
                        if (legs & (1u << l))
                                gm_pipeline_push(p, l, &s[l]);
                struct gm_event ev;
                while (gm_pipeline_next_event(p, &ev))
                        gm_event_list_add(&det, &ev);
        }
        gm_pipeline_flush(p);
        struct gm_event ev;
        while (gm_pipeline_next_event(p, &ev))
                gm_event_list_add(&det, &ev);
        gm_event_list_sort(&det);
        size_t true_ic = 0;
        for (size_t i = 0; i < truth.n; i++)
                true_ic += truth.ev[i].kind == GM_EVENT_IC;
        struct gm_match_result r = score(&truth, &det);
        cr_log_info("short walk: %zu true ic, recall %.2f precision %.2f", true_ic, gm_match_recall(&r.ic),
                    gm_match_precision(&r.ic));
        cr_assert_geq(true_ic, 8, "the model walked %zu steps", true_ic);
        cr_expect_geq(gm_match_recall(&r.ic), 0.8, "ic recall %.2f of %zu", gm_match_recall(&r.ic), true_ic);
        cr_expect_geq(gm_match_precision(&r.ic), 0.9, "ic precision %.2f", gm_match_precision(&r.ic));
        gm_pipeline_free(p);
        gm_model_free(m);
        gm_event_list_clear(&truth);
        gm_event_list_clear(&det);
}

static void run_replay(const struct gm_model_cfg *mc, double seconds, struct gm_replay *rep)
{
        struct gm_recording *rec;
        struct gm_event_list truth = { 0 };
        cr_assert_eq(gm_model_generate(mc, seconds, &rec, &truth), 0);
        cr_assert_eq(gm_replay_run(rec, NULL, rep, NULL, NULL), 0);
        gm_recording_free(rec);
        gm_event_list_clear(&truth);
}

/* Upside down, or turned a quarter about the thigh: the same angle. */
Test(gait_cases, thigh_mounted_upside_down)
{
        struct gm_model_cfg mc;
        gm_model_cfg_default(&mc);
        mc.seed = 11;
        mc.rate_hz = 100;
        struct gm_replay a, b;
        run_replay(&mc, 120, &a);
        mc.mount_rpy[GM_LOC_LEFT_HIP][0] = M_PI;
        mc.mount_rpy[GM_LOC_RIGHT_HIP][1] = M_PI;
        mc.mount_rpy[GM_LOC_RIGHT_HIP][2] = M_PI / 2;
        run_replay(&mc, 120, &b);
        for (int side = 0; side < 2; side++)
                for (int m = GM_METRIC_HIP_EXT; m <= GM_METRIC_THIGH_EXT;
                     m += GM_METRIC_THIGH_EXT - GM_METRIC_HIP_EXT) {
                        double va = a.final.value[m][side], vb = b.final.value[m][side];
                        cr_expect(isfinite(va) && fabs(va - vb) < 1.0, "%s %s: %.2f upright, %.2f turned",
                                  gm_side_name(side), gm_metric_name(m), va, vb);
                }
        gm_replay_clear(&a);
        gm_replay_clear(&b);
}

/* Started in the middle of a run (mid-stride, no standing moment): from the third stride on
 * the same hip extension as when it saw the run from its start, and near the model's. */
Test(gait_cases, started_mid_run)
{
        struct gm_model_cfg mc;
        gm_model_cfg_default(&mc);
        mc.seed = 5;
        mc.rate_hz = 100;
        struct gm_recording *rec;
        struct gm_event_list truth = { 0 };
        cr_assert_eq(gm_model_generate(&mc, 90, &rec, &truth), 0);
        struct gm_replay whole;
        cr_assert_eq(gm_replay_run(rec, NULL, &whole, NULL, NULL), 0);
        size_t skip = (size_t)(43.37 * mc.rate_hz);
        struct gm_recording *late = gm_recording_new(rec->rate_hz, rec->n - skip, rec->loc_mask, rec->gyr_mask);
        cr_assert_not_null(late);
        for (size_t i = 0; i < late->n; i++) {
                late->t[i] = rec->t[i + skip];
                for (int l = 0; l < GM_LOC_COUNT; l++) {
                        if (!(rec->loc_mask & (1u << l)))
                                continue;
                        struct gm_sample s;
                        gm_recording_get(rec, l, i + skip, &s);
                        gm_recording_set(late, l, i, &s);
                }
        }
        struct gm_replay part;
        cr_assert_eq(gm_replay_run(late, NULL, &part, NULL, NULL), 0);
        unsigned seen[2] = { 0 }, compared = 0;
        for (size_t i = 0; i < part.strides.n; i++) {
                const struct gm_stride *st = &part.strides.st[i];
                if (++seen[st->side] < 3)
                        continue;
                for (size_t k = 0; k < whole.strides.n; k++) {
                        const struct gm_stride *w = &whole.strides.st[k];
                        if (w->side != st->side || fabs(w->t_ic - st->t_ic) > 0.05)
                                continue;
                        cr_expect(isfinite(st->hip_ext_deg) && fabs(st->hip_ext_deg - w->hip_ext_deg) < 2.0,
                                  "stride %u of %s at %.2f s: %.2f started late, %.2f from the start", seen[st->side],
                                  gm_side_name(st->side), st->t_ic, st->hip_ext_deg, w->hip_ext_deg);
                        compared++;
                }
        }
        cr_expect_geq(compared, 40, "%u strides compared", compared);
        gm_replay_clear(&whole);
        gm_replay_clear(&part);
        gm_recording_free(late);
        gm_recording_free(rec);
        gm_event_list_clear(&truth);
}

/* Median time from each true ic to the next fc of the same side: the model's stance. */
static double true_stance(const struct gm_event_list *truth, enum gm_side side)
{
        double v[1024];
        size_t n = 0;
        for (size_t i = 0; i < truth->n && n < 1024; i++) {
                if (truth->ev[i].kind != GM_EVENT_IC || truth->ev[i].side != side)
                        continue;
                for (size_t j = i + 1; j < truth->n; j++)
                        if (truth->ev[j].side == side) {
                                if (truth->ev[j].kind == GM_EVENT_FC)
                                        v[n++] = truth->ev[j].t - truth->ev[i].t;
                                break;
                        }
        }
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
                        double x = v[j];
                        v[j] = v[j - 1];
                        v[j - 1] = x;
                }
        return n ? v[n / 2] : NAN;
}

/* The belt pack alone on a run, worn upright, upside down and backwards, or tilted, read
 * at 100, 50 or 400 Hz: a run with its own contacts, stance per side and the sides of most
 * contacts named right. */
Test(gait_cases, pelvis_alone_running_whatever_the_mounting)
{
        static const double mounts[][3] = { { 0, 0, 0 }, { M_PI, 0, M_PI }, { 0.4, -0.7, 2.0 } };
        static const double rates[] = { 100, 50, 400 };
        for (unsigned k = 0; k < sizeof(mounts) / sizeof(mounts[0]); k++) {
                struct gm_model_cfg mc;
                gm_model_cfg_default(&mc);
                mc.seed = 21 + k;
                mc.rate_hz = rates[k];
                mc.activity = GM_ACTIVITY_RUNNING;
                mc.speed_mps = 3.0;
                mc.cadence_spm = 168;
                mc.loc_mask = mc.gyr_mask = 1u << GM_LOC_PELVIS;
                memcpy(mc.mount_rpy[GM_LOC_PELVIS], mounts[k], sizeof(mounts[k]));
                struct gm_recording *rec;
                struct gm_event_list truth = { 0 };
                cr_assert_eq(gm_model_generate(&mc, 90, &rec, &truth), 0);
                struct gm_replay rep;
                cr_assert_eq(gm_replay_run(rec, NULL, &rep, NULL, NULL), 0);
                struct gm_match_result r = score(&truth, &rep.events);
                cr_log_info("mounting %u: ic F1 %.3f, stance %.3f/%.3f s", k, gm_match_f1(&r.ic),
                            rep.final.value[GM_METRIC_STANCE][0], rep.final.value[GM_METRIC_STANCE][1]);
                cr_expect_geq(gm_match_f1(&r.ic), 0.95, "mounting %u: ic F1 with sides %.3f", k, gm_match_f1(&r.ic));
                cr_expect_eq(rep.final.activity, GM_ACTIVITY_RUNNING, "mounting %u: %s", k,
                             gm_activity_name(rep.final.activity));
                for (int side = 0; side < 2; side++) {
                        double want = true_stance(&truth, side), got = rep.final.value[GM_METRIC_STANCE][side];
                        cr_expect(isfinite(got) && fabs(got - want) < 0.03,
                                  "mounting %u: %s stance %.3f s, model %.3f s", k, gm_side_name(side), got, want);
                }
                cr_expect_lt(fabs(rep.final.cadence_spm - 168) / 168, 0.03, "mounting %u: cadence %.1f", k,
                             rep.final.cadence_spm);
                gm_replay_clear(&rep);
                gm_event_list_clear(&truth);
                gm_recording_free(rec);
        }
}

/* The belt pack alone on a walk is a walk, and a run that slows to a walk becomes one. */
Test(gait_cases, pelvis_alone_walking_is_walking)
{
        struct gm_model_cfg mc;
        gm_model_cfg_default(&mc);
        mc.seed = 31;
        mc.rate_hz = 100;
        mc.activity = GM_ACTIVITY_WALKING;
        mc.speed_mps = 1.4;
        mc.cadence_spm = 112;
        mc.loc_mask = mc.gyr_mask = 1u << GM_LOC_PELVIS;
        struct gm_recording *rec;
        struct gm_event_list truth = { 0 };
        cr_assert_eq(gm_model_generate(&mc, 90, &rec, &truth), 0);
        struct gm_replay rep;
        cr_assert_eq(gm_replay_run(rec, NULL, &rep, NULL, NULL), 0);
        struct gm_match_result r = score(&truth, &rep.events);
        cr_expect_geq(gm_match_f1(&r.ic), 0.95, "ic F1 with sides %.3f", gm_match_f1(&r.ic));
        cr_expect_eq(rep.final.activity, GM_ACTIVITY_WALKING, "%s", gm_activity_name(rep.final.activity));
        unsigned running = 0;
        for (size_t i = 0; i < rep.strides.n; i++)
                running += rep.strides.st[i].activity == GM_ACTIVITY_RUNNING;
        cr_expect_leq(running, rep.strides.n / 20, "%u of %zu walking strides called running", running, rep.strides.n);
        gm_replay_clear(&rep);
        gm_event_list_clear(&truth);
        gm_recording_free(rec);
}

/* A sacral signal built by hand: each contact a half-sine of load carrying body weight over
 * the step, with the load ringing down under half weight for 25 ms early in stance (a hard
 * heel strike shaking soft tissue), and the pelvis's running yaw. One contact per stance,
 * its toe-off where the load ends. */
Test(gait_cases, pelvis_running_contact_survives_a_ringing_impact)
{
        const double rate = 200, step = 0.36, contact = 0.25, g = 9.80665;
        struct gm_pipeline *p = pelvis_pipeline(rate);
        struct gm_event_list truth = { 0 }, det = { 0 };
        const double peak = M_PI * step / (2 * contact); /* g: the mean over a step is 1 g */
        for (long i = 0; i < (long)(60 * rate); i++) {
                double t = i / rate;
                long k = (long)floor(t / step);
                double x = t - k * step; /* time since this step's contact */
                double load = x < contact ? peak * sin(M_PI * x / contact) : 0;
                if (x > 0.05 && x < 0.075)
                        load = 0.2;
                /* left on even steps; yaw rate peaks at 0.87 of the stride after left contact */
                double phase = fmod(t, 2 * step) / (2 * step);
                struct gm_sample s = { .t = t };
                s.acc[0] = load * g;
                s.gyr[0] = 0.6 * cos(2 * M_PI * (phase - 0.87));
                push_pelvis(p, &s, &det);
        }
        flush_events(p, &det);
        /* Contacts from the second on: the first second's are scored as they come. */
        for (long k = 3; (k + 1) * step < 60; k++) {
                struct gm_event ic = { .t = k * step,
                                       .side = k % 2 ? GM_SIDE_RIGHT : GM_SIDE_LEFT,
                                       .kind = GM_EVENT_IC };
                struct gm_event fc = { .t = k * step + contact, .side = ic.side, .kind = GM_EVENT_FC };
                gm_event_list_add(&truth, &ic);
                gm_event_list_add(&truth, &fc);
        }
        size_t first = 0;
        while (first < det.n && det.ev[first].t < 3 * step - 0.1)
                first++;
        memmove(det.ev, det.ev + first, (det.n - first) * sizeof(det.ev[0]));
        det.n -= first;
        struct gm_match_result r = score(&truth, &det);
        cr_log_info("ringing impact: ic F1 %.3f, fc F1 %.3f, stance error %.1f ms", gm_match_f1(&r.ic),
                    gm_match_f1(&r.fc), r.stance_n ? 1000 * r.stance_err_sum / r.stance_n : NAN);
        cr_expect_geq(gm_match_f1(&r.ic), 0.95, "ic F1 with sides %.3f", gm_match_f1(&r.ic));
        cr_expect_geq(gm_match_f1(&r.fc), 0.95, "fc F1 with sides %.3f", gm_match_f1(&r.fc));
        /* The lag assumed for a real leg's mass is not in this signal: 2 x 10 ms. */
        cr_expect(r.stance_n > 100 && r.stance_err_sum / r.stance_n < 0.03, "stance error %.1f ms over %zu",
                  r.stance_n ? 1000 * r.stance_err_sum / r.stance_n : NAN, r.stance_n);
        struct gm_metrics m;
        gm_pipeline_snapshot(p, &m);
        cr_expect_eq(m.activity, GM_ACTIVITY_RUNNING, "%s", gm_activity_name(m.activity));
        gm_pipeline_free(p);
        gm_event_list_clear(&truth);
        gm_event_list_clear(&det);
}

/* A bouncy walk whose sacral load drops steeply to 0.4 g in each single support and
 * rises to 1.6 g in each double support (132 steps/min) is still a walk: a runner's
 * flight is near weightless. */
Test(gait_cases, pelvis_bouncy_walk_dipping_under_half_weight_is_walking)
{
        const double rate = 100, step = 60.0 / 132, g = 9.80665;
        struct gm_pipeline *p = pelvis_pipeline(rate);
        unsigned strides = 0, running = 0;
        for (long i = 0; i < (long)(60 * rate); i++) {
                double t = i / rate;
                struct gm_sample s = { .t = t };
                /* load peaking just after each contact; walking's yaw, peaking at 0.44 of the stride */
                s.acc[0] = g * (1 + 0.6 * tanh(3 * cos(2 * M_PI * (t / step - 0.1))) / tanh(3));
                s.gyr[0] = 0.3 * cos(2 * M_PI * (t / (2 * step) - 0.44));
                cr_assert_eq(gm_pipeline_push(p, GM_LOC_PELVIS, &s), 0);
                struct gm_stride st;
                while (gm_pipeline_next_stride(p, &st)) {
                        strides++;
                        running += st.activity == GM_ACTIVITY_RUNNING;
                }
        }
        struct gm_metrics m;
        gm_pipeline_snapshot(p, &m);
        cr_expect_geq(strides, 40, "%u strides", strides);
        cr_expect_eq(running, 0, "%u of %u strides called running", running, strides);
        cr_expect_eq(m.activity, GM_ACTIVITY_WALKING, "%s", gm_activity_name(m.activity));
        gm_pipeline_free(p);
}

/* A pelvis that does not turn tells no side: its contacts are published and counted with
 * side unknown, and no stride or per-side value is made up from them. */
Test(gait_cases, pelvis_without_yaw_names_no_side)
{
        const double rate = 100, step = 0.36, contact = 0.25, g = 9.80665;
        struct gm_pipeline *p = pelvis_pipeline(rate);
        unsigned ic[3] = { 0 }, strides = 0;
        for (long i = 0; i < (long)(40 * rate); i++) {
                double t = i / rate, x = fmod(t, step);
                struct gm_sample s = { .t = t };
                s.acc[0] = x < contact ? g * M_PI * step / (2 * contact) * sin(M_PI * x / contact) : 0;
                cr_assert_eq(gm_pipeline_push(p, GM_LOC_PELVIS, &s), 0);
                struct gm_event ev;
                while (gm_pipeline_next_event(p, &ev))
                        ic[ev.side] += ev.kind == GM_EVENT_IC;
                struct gm_stride st;
                while (gm_pipeline_next_stride(p, &st))
                        strides++;
        }
        struct gm_metrics m;
        gm_pipeline_snapshot(p, &m);
        cr_expect_geq(ic[GM_SIDE_UNKNOWN], 100, "%u contacts of unknown side", ic[GM_SIDE_UNKNOWN]);
        cr_expect_eq(ic[GM_SIDE_LEFT] + ic[GM_SIDE_RIGHT], 0, "%u left, %u right named without evidence",
                     ic[GM_SIDE_LEFT], ic[GM_SIDE_RIGHT]);
        cr_expect_eq(strides, 0, "%u strides", strides);
        cr_expect_geq(m.steps, 100, "%llu steps counted", (unsigned long long)m.steps);
        for (int side = 0; side < 2; side++)
                cr_expect(isnan(m.value[GM_METRIC_STANCE][side]), "%s stance %.3f", gm_side_name(side),
                          m.value[GM_METRIC_STANCE][side]);
        gm_pipeline_free(p);
}

/* While the pelvis waits for later steps to name a side (some 2.5 s of walking), the walk
 * it has found goes on: the live activity and cadence do not drop to idle meanwhile. */
Test(gait_cases, pelvis_alone_walk_shows_walking_live)
{
        struct gm_model_cfg mc;
        gm_model_cfg_default(&mc);
        mc.seed = 33;
        mc.rate_hz = 100;
        mc.activity = GM_ACTIVITY_WALKING;
        mc.speed_mps = 1.2;
        mc.cadence_spm = 100;
        mc.loc_mask = mc.gyr_mask = 1u << GM_LOC_PELVIS;
        struct gm_model *m = gm_model_new(&mc);
        cr_assert_not_null(m);
        struct gm_pipeline_cfg pc;
        gm_pipeline_cfg_default(&pc);
        pc.rate_hz = mc.rate_hz;
        pc.loc_mask = pc.gyr_mask = mc.loc_mask;
        struct gm_pipeline *p = gm_pipeline_new(&pc);
        cr_assert_not_null(p);
        struct gm_event_list truth = { 0 };
        unsigned looked = 0, walking = 0, cadence = 0;
        for (int i = 0; i < 60 * mc.rate_hz; i++) {
                struct gm_sample s[GM_LOC_COUNT];
                double t = gm_model_step(m, s, &truth);
                gm_pipeline_push(p, GM_LOC_PELVIS, &s[GM_LOC_PELVIS]);
                struct gm_event ev;
                while (gm_pipeline_next_event(p, &ev))
                        ;
                struct gm_stride st;
                while (gm_pipeline_next_stride(p, &st))
                        ;
                if (t < 10 || i % (int)(mc.rate_hz / 4))
                        continue;
                struct gm_metrics now;
                gm_pipeline_snapshot(p, &now);
                looked++;
                walking += now.activity == GM_ACTIVITY_WALKING;
                cadence += fabs(now.cadence_spm - 100) < 5;
        }
        cr_expect_eq(walking, looked, "walking in %u of %u looks", walking, looked);
        cr_expect_eq(cadence, looked, "cadence near 100 in %u of %u looks", cadence, looked);
        gm_pipeline_free(p);
        gm_model_free(m);
        gm_event_list_clear(&truth);
}

/* Each walking step of this sacral signal starts with a sharp heel-strike transient and
 * carries a larger, later hump (the trunk settling on the new stance leg): the contact is
 * the first rise, not the largest. */
Test(gait_cases, pelvis_walk_contact_is_the_first_rise)
{
        const double rate = 100, step = 0.55, g = 9.80665;
        struct gm_pipeline *p = pelvis_pipeline(rate);
        struct gm_event_list truth = { 0 }, det = { 0 };
        for (long i = 0; i < (long)(40 * rate); i++) {
                double t = i / rate, x = fmod(t, step);
                struct gm_sample s = { .t = t };
                /* transient 50 ms after the contact, hump 200 ms after it */
                double a = 4.0 * exp(-0.5 * pow((x - 0.05) / 0.015, 2)) + 3.5 * exp(-0.5 * pow((x - 0.2) / 0.04, 2));
                s.acc[0] = g + a - (4.0 * 0.015 + 3.5 * 0.04) * sqrt(2 * M_PI) / step;
                s.gyr[0] = 0.3 * cos(2 * M_PI * (t / (2 * step) - 0.44));
                push_pelvis(p, &s, &det);
        }
        flush_events(p, &det);
        for (long k = 4; (k + 1) * step < 38; k++) {
                struct gm_event ic = { .t = k * step, .side = GM_SIDE_UNKNOWN, .kind = GM_EVENT_IC };
                gm_event_list_add(&truth, &ic);
        }
        /* Only the walk from the fourth step on. */
        struct gm_match_result r = score_within(&truth, &det, 4 * step, 38, false);
        cr_log_info("first rise: ic F1 %.3f, error %.1f ms", gm_match_f1(&r.ic),
                    r.ic.tp ? 1000 * r.ic.abs_err_sum / r.ic.tp : NAN);
        cr_expect_geq(gm_match_f1(&r.ic), 0.95, "ic F1 %.3f", gm_match_f1(&r.ic));
        cr_expect(r.ic.tp && r.ic.abs_err_sum / r.ic.tp < 0.03, "ic error %.1f ms",
                  r.ic.tp ? 1000 * r.ic.abs_err_sum / r.ic.tp : NAN);
        gm_pipeline_free(p);
        gm_event_list_clear(&truth);
        gm_event_list_clear(&det);
}

/* Very slow walking (66 steps/min): the trunk bounces in single support with a hump as large
 * as the contact's, half a step after it. The load alone reads 132 steps/min; the pelvis'
 * yaw, one swing each way per stride, tells the steps apart. */
Test(gait_cases, pelvis_very_slow_walk_counts_one_step_per_step)
{
        const double rate = 100, step = 60.0 / 66, g = 9.80665;
        struct gm_pipeline *p = pelvis_pipeline(rate);
        struct gm_event_list truth = { 0 }, det = { 0 };
        for (long i = 0; i < (long)(60 * rate); i++) {
                double t = i / rate, x = fmod(t, step);
                struct gm_sample s = { .t = t };
                double a = 2.0 * exp(-0.5 * pow((x - 0.08) / 0.05, 2)) + 2.0 * exp(-0.5 * pow((x - 0.53) / 0.05, 2));
                s.acc[0] = g + a - 2 * 2.0 * 0.05 * sqrt(2 * M_PI) / step;
                s.gyr[0] = 0.3 * cos(2 * M_PI * (t / (2 * step) - 0.44));
                push_pelvis(p, &s, &det);
        }
        flush_events(p, &det);
        for (long k = 0; (k + 1) * step < 58; k++) {
                struct gm_event ic = { .t = k * step, .side = GM_SIDE_UNKNOWN, .kind = GM_EVENT_IC };
                gm_event_list_add(&truth, &ic);
        }
        /* Scored once the yaw has shown three strides. */
        struct gm_match_result r = score_within(&truth, &det, 10, 58, true);
        cr_log_info("very slow walk: ic P %.3f R %.3f", gm_match_precision(&r.ic), gm_match_recall(&r.ic));
        cr_expect_geq(gm_match_precision(&r.ic), 0.9, "ic precision %.3f: single-support humps counted as steps",
                      gm_match_precision(&r.ic));
        cr_expect_geq(gm_match_recall(&r.ic), 0.9, "ic recall %.3f", gm_match_recall(&r.ic));
        gm_pipeline_free(p);
        gm_event_list_clear(&truth);
        gm_event_list_clear(&det);
}

/* Short walks from standing: before each walk's first contact the pelvis turns hard to shift
 * the weight (here the way a right step would turn it), not with a stride. That first
 * step's side comes from the steps after it, and its turn does not mislead the next one. */
Test(gait_cases, pelvis_walk_first_step_side_from_the_steps_after)
{
        const double rate = 100, step = 0.55, stand = 4, g = 9.80665;
        const int walks = 6, steps = 10;
        const double walk_s = stand + steps * step;
        struct gm_pipeline *p = pelvis_pipeline(rate);
        struct gm_event_list truth = { 0 }, det = { 0 };
        for (int w = 0; w < walks; w++)
                for (int k = 0; k < steps; k++) {
                        /* With the yaw below, the even contacts of a walk are left ones. */
                        struct gm_event ic = { .t = w * walk_s + stand + k * step,
                                               .side = k % 2 ? GM_SIDE_RIGHT : GM_SIDE_LEFT,
                                               .kind = GM_EVENT_IC };
                        gm_event_list_add(&truth, &ic);
                }
        for (long i = 0; i < (long)(walks * walk_s * rate); i++) {
                double t = i / rate, in_walk = fmod(t, walk_s) - stand;
                struct gm_sample s = { .t = t };
                s.acc[0] = g;
                if (in_walk > -0.5 && in_walk < steps * step) {
                        double x = in_walk < 0 ? in_walk + step : fmod(in_walk, step);
                        double a = 4.0 * exp(-0.5 * pow((x - 0.05) / 0.015, 2)) +
                                   3.5 * exp(-0.5 * pow((x - 0.2) / 0.04, 2));
                        if (in_walk >= 0)
                                s.acc[0] += a - (4.0 * 0.015 + 3.5 * 0.04) * sqrt(2 * M_PI) / step;
                        s.gyr[0] = in_walk >= 0 ? 0.3 * cos(2 * M_PI * (in_walk / (2 * step) - 0.44)) : 0;
                        s.gyr[0] += 1.0 * exp(-0.5 * pow((in_walk + 0.05) / 0.1, 2));
                }
                push_pelvis(p, &s, &det);
        }
        flush_events(p, &det);
        struct gm_match_result r = score(&truth, &det);
        cr_log_info("short walks: ic F1 with sides %.3f", gm_match_f1(&r.ic));
        for (int w = 0; w < walks; w++) {
                double t0 = w * walk_s + stand;
                int got = -1; /* not found */
                for (size_t j = 0; j < det.n; j++)
                        if (det.ev[j].kind == GM_EVENT_IC && fabs(det.ev[j].t - t0) < 0.1)
                                got = det.ev[j].side;
                cr_expect_eq(got, (int)GM_SIDE_LEFT, "walk %d: first contact at %.2f s: %s", w, t0,
                             got < 0 ? "not found" : gm_side_name(got));
        }
        cr_expect_geq(gm_match_f1(&r.ic), 0.95, "ic F1 with sides %.3f", gm_match_f1(&r.ic));
        gm_pipeline_free(p);
        gm_event_list_clear(&truth);
        gm_event_list_clear(&det);
}

/* A shared recording and its reference events, replayed; the test is skipped when the datasets
 * directory (GM_DATASETS) is not there. */
static struct gm_recording *replay_dataset(const char *name, struct gm_event_list *truth, struct gm_replay *rep)
{
        const char *dir = getenv("GM_DATASETS");
        char path[4096], events[4096], err[512];
        snprintf(path, sizeof(path), "%s/%s.csv", dir ? dir : "", name);
        snprintf(events, sizeof(events), "%s/%s.events.csv", dir ? dir : "", name);
        if (!dir || access(path, R_OK) != 0)
                cr_skip_test("no datasets directory (GM_DATASETS=%s)", dir ? dir : "");
        struct gm_recording *rec;
        cr_assert_eq(gm_recording_read(path, &rec, err, sizeof(err), NULL, NULL), 0, "%s", err);
        *truth = (struct gm_event_list){ 0 };
        cr_assert_eq(gm_events_read(events, truth, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(gm_replay_run(rec, NULL, rep, NULL, NULL), 0);
        return rec;
}

/* A running foot pushes off with a plantarflexion dip at toe-off and whips once more some
 * 0.1 s later, about as deep: its contact ends at the first (rbds, a runner at 3.5 m/s with
 * foot sensors; the second read one side's stance 110 ms long, a 39 % asymmetry). */
Test(gait_cases, running_feet_leave_the_ground_at_the_first_push_off_dip)
{
        struct gm_event_list truth;
        struct gm_replay rep;
        struct gm_recording *rec = replay_dataset("rbds0041_run35", &truth, &rep);
        double stance[2];
        for (int side = 0; side < 2; side++) {
                double v[512];
                size_t n = 0;
                for (size_t i = 0; i < rep.strides.n && n < 512; i++)
                        if ((int)rep.strides.st[i].side == side && isfinite(rep.strides.st[i].stance_s))
                                v[n++] = rep.strides.st[i].stance_s;
                stance[side] = gm_median(v, n);
                double want = true_stance(&truth, side);
                cr_log_info("%s stance %.0f ms, reference %.0f ms", gm_side_name(side), 1000 * stance[side],
                            1000 * want);
                cr_expect(fabs(stance[side] - want) < 0.03, "%s stance %.0f ms, truth %.0f ms", gm_side_name(side),
                          1000 * stance[side], 1000 * want);
        }
        double si = 100 * (stance[0] - stance[1]) / ((stance[0] + stance[1]) / 2);
        cr_expect(fabs(si) < 5, "stance asymmetry %+.1f %% of a symmetric runner", si);
        gm_replay_clear(&rep);
        gm_event_list_clear(&truth);
        gm_recording_free(rec);
}

/* Walking slowly, a foot rolls on its heel well before the heel carries load: contact is
 * between the end of the upswing and the slap that flattens the foot (wbds, 0.49 m/s on a
 * force-plate treadmill, feet with the legs; the end of the upswing read 50 ms early). */
Test(gait_cases, slow_walking_feet_land_between_upswing_and_slap)
{
        struct gm_event_list truth;
        struct gm_replay rep;
        struct gm_recording *rec = replay_dataset("wbds01_walkT01", &truth, &rep);
        cr_assert(rec->loc_mask & (1u << GM_LOC_LEFT_FOOT), "the recording has foot sensors");
        struct gm_match_result r = score(&truth, &rep.events);
        double mae = r.ic.tp ? r.ic.abs_err_sum / r.ic.tp : NAN;
        cr_log_info("slow walking with feet: ic F1 %.3f, MAE %.0f ms", gm_match_f1(&r.ic), 1000 * mae);
        cr_expect_geq(gm_match_f1(&r.ic), 0.97, "ic F1 %.3f", gm_match_f1(&r.ic));
        cr_expect_lt(mae, 0.025, "ic MAE %.0f ms", 1000 * mae);
        gm_replay_clear(&rep);
        gm_event_list_clear(&truth);
        gm_recording_free(rec);
}

/* A mobgap walking recording replayed as it is and once more changed by change(), which
 * says how much it changed; its truth and bouts. */
struct mobgap_pair {
        struct gm_event_list truth;
        struct gm_bout_list bouts;
        struct gm_replay plain, changed;
        unsigned changes;
};

static void mobgap_replays(struct mobgap_pair *mp, const char *name,
                           unsigned (*change)(struct gm_recording *rec, const struct mobgap_pair *mp))
{
        char path[4096], err[512];
        struct gm_recording *rec = replay_dataset(name, &mp->truth, &mp->plain);
        snprintf(path, sizeof(path), "%s/%s.bouts.csv", getenv("GM_DATASETS"), name);
        mp->bouts = (struct gm_bout_list){ 0 };
        cr_assert_eq(gm_bouts_read(path, &mp->bouts, err, sizeof(err)), 0, "%s", err);
        mp->changes = change(rec, mp);
        cr_assert_eq(gm_replay_run(rec, NULL, &mp->changed, NULL, NULL), 0);
        gm_recording_free(rec);
}

/* The MS001 daily-life recording (a person with multiple sclerosis). */
static void ms001_replays(struct mobgap_pair *mp,
                          unsigned (*change)(struct gm_recording *rec, const struct mobgap_pair *mp))
{
        mobgap_replays(mp, "mobgap_MS001_Test11_Trial1", change);
}

/* The reference's contacts matched with a replay's. */
static void mobgap_match(const struct mobgap_pair *mp, const struct gm_replay *rep, bool any_side,
                         struct gm_match_result *res)
{
        struct gm_match_opts o;
        gm_match_opts_default(&o);
        o.bouts = &mp->bouts;
        o.any_side = any_side;
        cr_assert_eq(gm_match(&mp->truth, &rep->events, &o, res), 0);
}

static void mobgap_clear(struct mobgap_pair *mp)
{
        gm_bout_list_clear(&mp->bouts);
        gm_replay_clear(&mp->plain);
        gm_replay_clear(&mp->changed);
        gm_event_list_clear(&mp->truth);
}

static unsigned add_u_turns(struct gm_recording *rec, const struct mobgap_pair *mp)
{
        return gm_add_u_turns(rec, &mp->bouts, &mp->truth);
}

/* As a recording without the pelvis' gyroscope columns reads. */
static unsigned drop_gyroscope(struct gm_recording *rec, const struct mobgap_pair *mp)
{
        (void)mp;
        rec->gyr_mask = 0;
        for (size_t i = 0; i < rec->n; i++)
                for (int k = 3; k < 6; k++)
                        rec->data[GM_LOC_PELVIS][i * 6 + k] = NAN;
        return 1;
}

/* Turns do not change which steps are found. Each U-turn is a yaw swing ten times a
 * stride's at about a stride's pace: it was read as the step time, and a step's two humps
 * merged (recall 0.77 fell to 0.64). */
Test(gait_cases, pelvis_walk_turns_leave_the_steps_found)
{
        struct mobgap_pair tr;
        ms001_replays(&tr, add_u_turns);
        struct gm_match_result before, after;
        mobgap_match(&tr, &tr.plain, true, &before);
        mobgap_match(&tr, &tr.changed, true, &after);
        cr_log_info("%u turns: ic recall %.3f, straight %.3f; precision %.3f, straight %.3f", tr.changes,
                    gm_match_recall(&after.ic), gm_match_recall(&before.ic), gm_match_precision(&after.ic),
                    gm_match_precision(&before.ic));
        cr_expect_geq(tr.changes, 10, "%u turns", tr.changes);
        cr_expect_geq(gm_match_recall(&after.ic), gm_match_recall(&before.ic) - 0.02,
                      "ic recall %.3f with turns, %.3f without", gm_match_recall(&after.ic),
                      gm_match_recall(&before.ic));
        cr_expect_geq(gm_match_precision(&after.ic), gm_match_precision(&before.ic) - 0.02,
                      "ic precision %.3f with turns, %.3f without", gm_match_precision(&after.ic),
                      gm_match_precision(&before.ic));
        mobgap_clear(&tr);
}

/* Sides hold through turns: in a turn its own rise and fall outweighs a stride's yaw swing,
 * not its sway, which counts twice the yaw (0.805 with turns, 0.815 without; with both the
 * same, 0.779). */
Test(gait_cases, pelvis_walk_turns_keep_the_sides)
{
        struct mobgap_pair tr;
        ms001_replays(&tr, add_u_turns);
        struct gm_match_result before, after;
        mobgap_match(&tr, &tr.plain, false, &before);
        mobgap_match(&tr, &tr.changed, false, &after);
        cr_log_info("ic F1 with sides %.3f with turns, %.3f without", gm_match_f1(&after.ic), gm_match_f1(&before.ic));
        cr_expect_geq(gm_match_f1(&after.ic), gm_match_f1(&before.ic) - 0.02,
                      "ic F1 with sides %.3f with turns, %.3f without", gm_match_f1(&after.ic),
                      gm_match_f1(&before.ic));
        mobgap_clear(&tr);
}

/* Sides hold through U-turns on every lower-back walking recording we have. A turn's yaw
 * rises and falls faster than a stride's swing, so the steps in it vote less: with their
 * votes as in straight walking 96.0 % of the matched contacts had the right side. */
Test(gait_cases, pelvis_sides_hold_through_u_turns)
{
        static const char *const names[] = {
                "mobgap_HA001_Test11_Trial1", "mobgap_HA001_Test5_Trial1", "mobgap_HA001_Test5_Trial2",
                "mobgap_HA002_Test11_Trial1", "mobgap_HA002_Test5_Trial2", "mobgap_MS001_Test11_Trial1",
                "mobgap_MS001_Test5_Trial1",  "mobgap_MS001_Test5_Trial2",
        };
        unsigned turns = 0;
        size_t right = 0, matched = 0;
        for (size_t f = 0; f < sizeof(names) / sizeof(names[0]); f++) {
                struct mobgap_pair tr;
                mobgap_replays(&tr, names[f], add_u_turns);
                turns += tr.changes;
                struct gm_event_list sided = { 0 };
                for (size_t i = 0; i < tr.changed.events.n; i++)
                        if (tr.changed.events.ev[i].side != GM_SIDE_UNKNOWN)
                                cr_assert_eq(gm_event_list_add(&sided, &tr.changed.events.ev[i]), 0);
                struct gm_match_opts o;
                struct gm_match_result with, any;
                gm_match_opts_default(&o);
                o.bouts = &tr.bouts;
                cr_assert_eq(gm_match(&tr.truth, &sided, &o, &with), 0);
                o.any_side = true;
                cr_assert_eq(gm_match(&tr.truth, &sided, &o, &any), 0);
                right += with.ic.tp;
                matched += any.ic.tp;
                gm_event_list_clear(&sided);
                mobgap_clear(&tr);
        }
        cr_log_info("%u turns: %zu of %zu matched contacts with the right side", turns, right, matched);
        cr_expect_geq(turns, 20, "%u turns", turns);
        cr_expect_geq(matched, 150, "%zu contacts matched", matched);
        cr_expect_geq(right, 0.975 * matched, "%zu of %zu contacts with the right side", right, matched);
}

/* With the pelvis alone, a stride holds a contact of the other foot: two contacts named for
 * one foot in a row (a side misread in a turn, or a step between them missed) are no stride,
 * or its cadence would read double. */
Test(gait_cases, pelvis_strides_hold_the_other_foot_s_contact)
{
        struct mobgap_pair tr;
        ms001_replays(&tr, add_u_turns);
        const struct gm_replay *runs[2] = { &tr.plain, &tr.changed };
        for (int r = 0; r < 2; r++) {
                const struct gm_replay *rep = runs[r];
                size_t bad = 0;
                for (size_t k = 0; k < rep->strides.n; k++) {
                        const struct gm_stride *st = &rep->strides.st[k];
                        bool other = false;
                        for (size_t j = 0; j < rep->events.n; j++) {
                                const struct gm_event *e = &rep->events.ev[j];
                                other |= e->kind == GM_EVENT_IC &&
                                         e->side == (st->side == GM_SIDE_LEFT ? GM_SIDE_RIGHT : GM_SIDE_LEFT) &&
                                         e->t > st->t_ic && e->t < st->t_next_ic;
                        }
                        if (!other)
                                cr_log_info("%s: %s stride %.2f-%.2f s without a contact of the other foot",
                                            r ? "turning" : "straight", gm_side_name(st->side), st->t_ic,
                                            st->t_next_ic);
                        bad += !other;
                }
                cr_log_info("%s: %zu strides", r ? "turning" : "straight", rep->strides.n);
                cr_expect_gt(rep->strides.n, 50, "%zu strides", rep->strides.n);
                cr_expect_eq(bad, 0, "%s: %zu of %zu strides without a contact of the other foot",
                             r ? "turning" : "straight", bad, rep->strides.n);
        }
        mobgap_clear(&tr);
}

/* A pelvis with an accelerometer alone: the trunk is braked at every contact while its
 * sideways push changes sign from foot to foot, so the sway summed over the steps crossed
 * with "up" points right, and the sides come from the sway (every contact was "left"). */
Test(gait_cases, pelvis_without_gyroscope_names_sides_by_the_braking)
{
        struct mobgap_pair gp;
        ms001_replays(&gp, drop_gyroscope);
        unsigned ic[3] = { 0 };
        for (size_t k = 0; k < gp.changed.events.n; k++)
                if (gp.changed.events.ev[k].kind == GM_EVENT_IC)
                        ic[gp.changed.events.ev[k].side]++;
        struct gm_match_result sided, any;
        mobgap_match(&gp, &gp.changed, false, &sided);
        mobgap_match(&gp, &gp.changed, true, &any);
        cr_log_info("without gyroscope: %u left, %u right, %u unknown; ic F1 %.3f with sides, %.3f any side", ic[0],
                    ic[1], ic[2], gm_match_f1(&sided.ic), gm_match_f1(&any.ic));
        cr_expect_geq(ic[GM_SIDE_LEFT], 40, "%u left", ic[GM_SIDE_LEFT]);
        cr_expect_geq(ic[GM_SIDE_RIGHT], 40, "%u right", ic[GM_SIDE_RIGHT]);
        cr_expect_geq(gm_match_f1(&sided.ic), 0.95 * gm_match_f1(&any.ic), "ic F1 %.3f with sides, %.3f any side",
                      gm_match_f1(&sided.ic), gm_match_f1(&any.ic));
        mobgap_clear(&gp);
}

/* Without a gyroscope the steps are found as with it. With "up" from spells of |acc| near g
 * (no stillness without a gyroscope) rather than the mean, the humps' step time crept to
 * 1.1 s after slow, broken stepping, twice the walk's that followed, and every other step fell
 * within min_step of the one before (recall 0.33, against 0.77 with the gyroscope). */
Test(gait_cases, pelvis_without_gyroscope_keeps_every_step)
{
        struct mobgap_pair gp;
        ms001_replays(&gp, drop_gyroscope);
        struct gm_match_result with, without;
        mobgap_match(&gp, &gp.plain, true, &with);
        mobgap_match(&gp, &gp.changed, true, &without);
        cr_log_info("ic recall %.3f without gyroscope, %.3f with", gm_match_recall(&without.ic),
                    gm_match_recall(&with.ic));
        cr_expect_geq(gm_match_recall(&without.ic), gm_match_recall(&with.ic) - 0.15,
                      "ic recall %.3f without gyroscope, %.3f with", gm_match_recall(&without.ic),
                      gm_match_recall(&with.ic));
        mobgap_clear(&gp);
}

/* rbds0041's 3.5 m/s run read with the pelvis and one shank (the left), the other side left
 * to the pelvis; with both shanks as well; and with the pelvis alone. */
struct one_shank {
        struct gm_replay one, both, pelvis;
};

static void one_shank_replays(struct one_shank *os)
{
        struct gm_event_list truth;
        struct gm_replay all;
        struct gm_recording *rec = replay_dataset("rbds0041_run35", &truth, &all);
        gm_replay_clear(&all);
        const unsigned pelvis = 1u << GM_LOC_PELVIS, left = 1u << GM_LOC_LEFT_SHANK, right = 1u << GM_LOC_RIGHT_SHANK;
        const unsigned masks[3] = { pelvis | left, pelvis | left | right, pelvis };
        struct gm_replay *out[3] = { &os->one, &os->both, &os->pelvis };
        for (int k = 0; k < 3; k++) {
                rec->loc_mask = rec->gyr_mask = masks[k];
                cr_assert_eq(gm_replay_run(rec, NULL, out[k], NULL, NULL), 0);
        }
        gm_recording_free(rec);
        gm_event_list_clear(&truth);
}

static void one_shank_clear(struct one_shank *os)
{
        gm_replay_clear(&os->one);
        gm_replay_clear(&os->both);
        gm_replay_clear(&os->pelvis);
}

/* The sacrum times the shank's contacts also when the other side is its own: the two sides'
 * stances are read on one clock (the shank's own read the left stance 280 ms, the sacrum's
 * 252, a 7.9 % asymmetry that was only the sensors'). */
Test(gait_cases, pelvis_and_one_shank_read_both_stances_on_one_clock)
{
        struct one_shank os;
        one_shank_replays(&os);
        const double *st1 = os.one.final.value[GM_METRIC_STANCE], *st2 = os.both.final.value[GM_METRIC_STANCE];
        cr_log_info("stance left %.0f right %.0f ms with one shank; %.0f and %.0f with both", st1[0] * 1e3,
                    st1[1] * 1e3, st2[0] * 1e3, st2[1] * 1e3);
        cr_expect_lt(fabs(st1[GM_SIDE_LEFT] - st2[GM_SIDE_LEFT]), 0.010, "left stance %.0f ms, %.0f with both shanks",
                     st1[0] * 1e3, st2[0] * 1e3);
        cr_expect_lt(fabs(st1[GM_SIDE_LEFT] - st1[GM_SIDE_RIGHT]), 0.015, "stance left %.0f, right %.0f ms",
                     st1[0] * 1e3, st1[1] * 1e3);
        one_shank_clear(&os);
}

/* Impacts are compared side against side on one kind of sensor: with one shank and the
 * pelvis both are the sacrum's, as with the pelvis alone (the shank's own peak read 4.7 g
 * against the sacrum's 3.5). */
Test(gait_cases, impacts_of_both_sides_come_from_one_kind_of_sensor)
{
        struct one_shank os;
        one_shank_replays(&os);
        const double *im = os.one.final.value[GM_METRIC_IMPACT], *ip = os.pelvis.final.value[GM_METRIC_IMPACT];
        cr_log_info("impact left %.2f right %.2f g with one shank, %.2f and %.2f with the pelvis alone", im[0], im[1],
                    ip[0], ip[1]);
        for (int side = 0; side < 2; side++)
                cr_expect_lt(fabs(im[side] - ip[side]), 0.05 * ip[side], "%s impact %.2f g, %.2f with the pelvis alone",
                             gm_side_name(side), im[side], ip[side]);
        one_shank_clear(&os);
}

/* A running foot that never rests flat long enough for a heel-rise vote (rbds0041's left at
 * 3.5 m/s, a treadmill run joined in its stride) goes by the longest excursion after 10 s of
 * movement: it was silent the whole run. */
Test(gait_cases, running_foot_without_a_rest_still_finds_its_swing)
{
        struct gm_event_list truth;
        struct gm_replay rep;
        struct gm_recording *rec = replay_dataset("rbds0041_run35", &truth, &rep);
        gm_replay_clear(&rep);
        rec->loc_mask &= (1u << GM_LOC_LEFT_FOOT) | (1u << GM_LOC_RIGHT_FOOT);
        rec->gyr_mask &= rec->loc_mask;
        cr_assert_eq(gm_replay_run(rec, NULL, &rep, NULL, NULL), 0);
        struct gm_match_opts o;
        gm_match_opts_default(&o);
        struct gm_match_result r;
        cr_assert_eq(gm_match(&truth, &rep.events, &o, &r), 0);
        unsigned strides[2] = { 0 };
        for (size_t k = 0; k < rep.strides.n; k++)
                strides[rep.strides.st[k].side]++;
        cr_log_info("feet alone: %u left, %u right strides, ic F1 %.3f", strides[0], strides[1], gm_match_f1(&r.ic));
        cr_expect_geq(strides[GM_SIDE_LEFT], 30, "%u left strides", strides[GM_SIDE_LEFT]);
        cr_expect_geq(strides[GM_SIDE_RIGHT], 30, "%u right strides", strides[GM_SIDE_RIGHT]);
        cr_expect_geq(gm_match_f1(&r.ic), 0.95, "ic F1 %.3f", gm_match_f1(&r.ic));
        gm_replay_clear(&rep);
        gm_recording_free(rec);
        gm_event_list_clear(&truth);
}
