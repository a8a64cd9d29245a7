/* The findings truth table's scenarios and their verdicts. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings-cases.h"
#include "gm_model.h"
#include "gm_recovery.h"
#include "gm_session.h"

#define ONSET_S 240.0
#define RAMP_S 20.0
#define FIND_WITHIN_STRIDES 15.0

enum { WALK = GM_ACTIVITY_WALKING, RUN = GM_ACTIVITY_RUNNING, IDLE = GM_ACTIVITY_IDLE };

static void pelvis_and_shanks(void *cfg)
{
        struct gm_model_cfg *c = cfg;
        c->loc_mask = c->gyr_mask = (1u << GM_LOC_PELVIS) | (1u << GM_LOC_LEFT_SHANK) | (1u << GM_LOC_RIGHT_SHANK);
}

/* The belt pack alone: one sensor on the sacrum. */
static void pelvis_alone(void *cfg)
{
        struct gm_model_cfg *c = cfg;
        c->loc_mask = c->gyr_mask = 1u << GM_LOC_PELVIS;
}

/* The belt pack alone, clipped on upside down and facing backwards. */
static void pelvis_alone_flipped(void *cfg)
{
        struct gm_model_cfg *c = cfg;
        pelvis_alone(cfg);
        c->mount_rpy[GM_LOC_PELVIS][0] = M_PI;
        c->mount_rpy[GM_LOC_PELVIS][2] = M_PI;
}

/* The belt pack as an accelerometer alone: no gyroscope, so no pelvic drop, and the model's
 * weakness shows only in a stance 4 % longer, under any alarm: it is asked for no false alarm
 * alone. */
static void pelvis_acc_alone(void *cfg)
{
        struct gm_model_cfg *c = cfg;
        c->loc_mask = 1u << GM_LOC_PELVIS;
        c->gyr_mask = 0;
}

#define RUN_ONLY .seg = { { 0, RUN, 3.0, 170 } }, .n_seg = 1
#define NO_GAP .gap_loc = -1

/* clang-format off */
const struct findings_case findings_cases[] = {
        { .name = "symmetric, cool-down", .truth = "nothing", .weak_side = -1,
          .seg = { { 0, WALK, 1.4, 110 }, { 60, RUN, 3.0, 170 }, { 480, WALK, 1.3, 108 } }, .n_seg = 3,
          .duration_s = 540, NO_GAP },
        { .name = "symmetric, run/walk intervals", .truth = "nothing", .weak_side = -1,
          .seg = { { 0, RUN, 3.0, 168 }, { 150, WALK, 1.4, 110 }, { 210, RUN, 3.0, 168 }, { 360, WALK, 1.4, 110 },
                   { 420, RUN, 3.0, 168 }, { 570, WALK, 1.4, 110 }, { 630, RUN, 3.0, 168 } }, .n_seg = 7,
          .duration_s = 780, NO_GAP },
        { .name = "symmetric, traffic-light stops", .truth = "nothing", .weak_side = -1,
          .seg = { { 0, RUN, 3.0, 170 }, { 200, IDLE, 0, 0 }, { 230, RUN, 3.0, 170 }, { 380, IDLE, 0, 0 },
                   { 400, RUN, 3.0, 170 } }, .n_seg = 5, .duration_s = 560, NO_GAP },
        { .name = "symmetric, 5 s dropout pelvis", .truth = "nothing", .weak_side = -1, RUN_ONLY, .duration_s = 420,
          .gap_loc = GM_LOC_PELVIS, .gap_from = 200, .gap_to = 205 },
        { .name = "symmetric, 5 s dropout left thigh", .truth = "nothing", .weak_side = -1, RUN_ONLY,
          .duration_s = 420, .gap_loc = GM_LOC_LEFT_HIP, .gap_from = 200, .gap_to = 205 },
        { .name = "symmetric, 5 s dropout right thigh", .truth = "nothing", .weak_side = -1, RUN_ONLY,
          .duration_s = 420, .gap_loc = GM_LOC_RIGHT_HIP, .gap_from = 200, .gap_to = 205 },
        { .name = "symmetric, 5 s dropout left shank", .truth = "nothing", .weak_side = -1, RUN_ONLY,
          .duration_s = 420, .gap_loc = GM_LOC_LEFT_SHANK, .gap_from = 200, .gap_to = 205 },
        { .name = "symmetric, 5 s dropout right shank", .truth = "nothing", .weak_side = -1, RUN_ONLY,
          .duration_s = 420, .gap_loc = GM_LOC_RIGHT_SHANK, .gap_from = 200, .gap_to = 205 },
        { .name = "symmetric, lost samples", .truth = "nothing", .weak_side = -1, RUN_ONLY, .duration_s = 420,
          NO_GAP, .lost_per_s = 0.5 },
        { .name = "symmetric, tiring", .truth = "fatigue", .weak_side = -1, .fatigue_per_hour = 1.0,
          .seg = { { 0, RUN, 3.2, 172 } }, .n_seg = 1, .duration_s = 720, NO_GAP },
        { .name = "symmetric, tiring, a shank late", .truth = "fatigue", .weak_side = -1, .fatigue_per_hour = 1.0,
          .seg = { { 0, RUN, 3.2, 172 } }, .n_seg = 1, .duration_s = 720, NO_GAP, .late_loc = GM_LOC_RIGHT_SHANK,
          .late_s = 5 },
        { .name = "symmetric, started mid-run", .truth = "nothing", .weak_side = -1, RUN_ONLY, .duration_s = 600,
          .start_s = 300.37, NO_GAP },
        { .name = "left weakness", .truth = "left hip", .weak_side = GM_SIDE_LEFT, RUN_ONLY, .duration_s = 480,
          NO_GAP },
        { .name = "right weakness", .truth = "right hip", .weak_side = GM_SIDE_RIGHT, RUN_ONLY, .duration_s = 480,
          NO_GAP },
        { .name = "left weakness, tiring", .truth = "left hip, fatigue", .weak_side = GM_SIDE_LEFT, .fatigue_per_hour = 0.3,
          RUN_ONLY, .duration_s = 900, NO_GAP },
        { .name = "right weakness, tiring", .truth = "right hip, fatigue", .weak_side = GM_SIDE_RIGHT,
          .fatigue_per_hour = 0.3, RUN_ONLY, .duration_s = 900, NO_GAP },
        { .name = "left weakness, pelvis+shanks", .truth = "left side", .weak_side = GM_SIDE_LEFT,
          .setup = pelvis_and_shanks, RUN_ONLY, .duration_s = 480, NO_GAP },
        { .name = "symmetric, pelvis+shanks, cool-down", .truth = "nothing", .weak_side = -1,
          .setup = pelvis_and_shanks,
          .seg = { { 0, RUN, 3.0, 170 }, { 420, WALK, 1.3, 108 } }, .n_seg = 2, .duration_s = 500, NO_GAP },
        { .name = "symmetric, pelvis alone, cool-down", .truth = "nothing", .weak_side = -1, .setup = pelvis_alone,
          .seg = { { 0, RUN, 3.0, 168 }, { 420, WALK, 1.3, 108 } }, .n_seg = 2, .duration_s = 500, NO_GAP },
        { .name = "symmetric, pelvis alone, intervals", .truth = "nothing", .weak_side = -1, .setup = pelvis_alone,
          .seg = { { 0, RUN, 3.0, 168 }, { 150, WALK, 1.4, 110 }, { 210, RUN, 3.0, 168 }, { 360, WALK, 1.4, 110 },
                   { 420, RUN, 3.0, 168 } }, .n_seg = 5, .duration_s = 600, NO_GAP },
        { .name = "symmetric, pelvis alone, stops", .truth = "nothing", .weak_side = -1, .setup = pelvis_alone,
          .seg = { { 0, RUN, 3.0, 170 }, { 200, IDLE, 0, 0 }, { 230, RUN, 3.0, 170 }, { 380, IDLE, 0, 0 },
                   { 400, RUN, 3.0, 170 } }, .n_seg = 5, .duration_s = 560, NO_GAP },
        { .name = "symmetric, pelvis alone, 5 s dropout", .truth = "nothing", .weak_side = -1,
          .setup = pelvis_alone, RUN_ONLY, .duration_s = 420, .gap_loc = GM_LOC_PELVIS, .gap_from = 200,
          .gap_to = 205 },
        { .name = "symmetric, tiring, pelvis alone", .truth = "fatigue", .weak_side = -1, .fatigue_per_hour = 1.0,
          .setup = pelvis_alone, .seg = { { 0, RUN, 3.2, 172 } }, .n_seg = 1, .duration_s = 720, NO_GAP },
        { .name = "left weakness, pelvis alone", .truth = "left side", .weak_side = GM_SIDE_LEFT,
          .setup = pelvis_alone, RUN_ONLY, .duration_s = 480, NO_GAP },
        { .name = "right weakness, pelvis alone", .truth = "right side", .weak_side = GM_SIDE_RIGHT,
          .setup = pelvis_alone, RUN_ONLY, .duration_s = 480, NO_GAP },
        { .name = "left weakness, pelvis alone, flipped", .truth = "left side", .weak_side = GM_SIDE_LEFT,
          .setup = pelvis_alone_flipped, RUN_ONLY, .duration_s = 480, NO_GAP },
        { .name = "symmetric, pelvis acc. alone, cool-down", .truth = "nothing", .weak_side = -1,
          .setup = pelvis_acc_alone,
          .seg = { { 0, RUN, 3.0, 168 }, { 420, WALK, 1.3, 108 } }, .n_seg = 2, .duration_s = 500, NO_GAP },
        { .name = "symmetric, pelvis acc. alone, stops", .truth = "nothing", .weak_side = -1,
          .setup = pelvis_acc_alone,
          .seg = { { 0, RUN, 3.0, 170 }, { 200, IDLE, 0, 0 }, { 230, RUN, 3.0, 170 }, { 380, IDLE, 0, 0 },
                   { 400, RUN, 3.0, 170 } }, .n_seg = 5, .duration_s = 560, NO_GAP },
};
/* clang-format on */
const size_t findings_n_cases = sizeof(findings_cases) / sizeof(findings_cases[0]);

/* What a weak side shows: less hip (thigh) extension, longer stance, more pelvic drop under
 * it. The SI's sign for a weak left side, per metric: 0 when the metric tells nothing. */
static int weak_left_sign(enum gm_metric m)
{
        switch (m) {
        case GM_METRIC_HIP_EXT:
        case GM_METRIC_THIGH_EXT:
                return -1;
        case GM_METRIC_STANCE:
        case GM_METRIC_PELVIC_DROP:
                return +1;
        default:
                return 0;
        }
}

struct runner {
        struct gm_pipeline *p;
        struct gm_session *s;
        struct findings_result *out;
        double t_next_snapshot;
        double stride_s;
};

static void drain_session(struct runner *r)
{
        struct gm_session_event ev;
        while (gm_session_next_event(r->s, &ev)) {
                if (ev.kind == GM_SESSION_FATIGUE_ALERT) {
                        r->out->fatigue_alerts++;
                        if (ev.alert.level > r->out->fatigue_level_max)
                                r->out->fatigue_level_max = ev.alert.level;
                } else if (ev.kind == GM_SESSION_RUN_END) {
                        r->out->runs++;
                        r->out->summary = ev.summary;
                }
        }
}

static void drain_pipeline(struct runner *r, double t)
{
        struct gm_stride st;
        while (gm_pipeline_next_stride(r->p, &st)) {
                gm_session_push_stride(r->s, &st);
                if (isfinite(st.stride_s))
                        r->stride_s = st.stride_s;
        }
        struct gm_spike sp;
        while (gm_pipeline_next_spike(r->p, &sp)) {
                gm_session_push_spike(r->s, &sp);
                if (r->out->spikes < FINDINGS_SPIKES_MAX)
                        r->out->spike[r->out->spikes] = sp;
                r->out->spikes++;
        }
        struct gm_event ev;
        while (gm_pipeline_next_event(r->p, &ev))
                ;
        if (t >= r->t_next_snapshot) {
                struct gm_metrics m;
                gm_pipeline_snapshot(r->p, &m);
                gm_session_push_metrics(r->s, &m);
                r->t_next_snapshot = t + 1;
        }
        drain_session(r);
}

/* A splitmix step: the lost-sample bursts are the same every run. */
static double uniform(unsigned long long *state)
{
        unsigned long long z = (*state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / 9007199254740992.0);
}

static void judge(const struct findings_case *c, struct findings_result *o)
{
        o->found_after_strides = NAN;
        double stride = 60.0 / 170 * 2;
        for (unsigned i = 0; i < o->spikes && i < FINDINGS_SPIKES_MAX; i++) {
                const struct gm_spike *sp = &o->spike[i];
                int sign = weak_left_sign(sp->metric) * (c->weak_side == GM_SIDE_RIGHT ? -1 : 1);
                double dir = sp->si - sp->baseline;
                bool right = c->weak_side >= 0 && sp->t_detect >= ONSET_S && sign != 0 && dir * sign > 0;
                if (!right) {
                        o->false_alarms++;
                        continue;
                }
                double after = (sp->t_detect - ONSET_S) / stride;
                if (isnan(o->found_after_strides))
                        o->found_after_strides = after;
        }
        const char *text = o->advice.summary;
        if (c->weak_side >= 0) {
                const char *side = c->weak_side == GM_SIDE_LEFT ? "left" : "right";
                o->summary_names_finding = strstr(text, side) &&
                                           (strstr(text, "hip") || strstr(text, "stance") || strstr(text, "pelvi"));
        }
        /* The weakness ramps in over RAMP_S; strides are counted from its onset. */
        double limit = FIND_WITHIN_STRIDES + RAMP_S / stride;
        if (c->weak_side < 0) {
                bool quiet = !strstr(text, "asymmetry") && !strstr(text, "compensation");
                /* A tiring runner's fatigue is found; a fresh one's stays at most mild. */
                bool fatigue = c->fatigue_per_hour > 0 ? o->fatigue_level_max >= 1 : o->fatigue_level_max <= 1;
                o->pass = o->false_alarms == 0 && fatigue && quiet;
                snprintf(o->why, sizeof(o->why), "%s",
                         o->pass                   ? ""
                         : o->false_alarms         ? "false alarm"
                         : !quiet                  ? "the summary claims a finding"
                         : c->fatigue_per_hour > 0 ? "no fatigue found"
                                                   : "fatigue above level 1");
        } else {
                o->pass = o->false_alarms == 0 && o->found_after_strides <= limit && o->summary_names_finding;
                snprintf(o->why, sizeof(o->why), "%s",
                         o->pass                              ? ""
                         : o->false_alarms                    ? "false alarm"
                         : !(o->found_after_strides <= limit) ? "not found in time"
                                                              : "summary does not name it");
        }
}

int findings_run(const struct findings_case *c, double rate_hz, unsigned seed, struct findings_result *out)
{
        memset(out, 0, sizeof(*out));
        struct gm_model_cfg mc;
        gm_model_cfg_default(&mc);
        mc.rate_hz = rate_hz;
        mc.seed = seed;
        if (c->n_seg) {
                mc.activity = c->seg[0].activity;
                mc.speed_mps = c->seg[0].speed;
                mc.cadence_spm = c->seg[0].cadence;
        }
        if (c->weak_side >= 0) {
                struct gm_model_weakness *w = &mc.weak[c->weak_side];
                w->hip_ext_frac = 0.15;
                w->stance_frac = 0.04;
                w->pelvic_drop_deg = 2;
                w->onset_s = ONSET_S;
                w->ramp_s = RAMP_S;
        }
        mc.fatigue_per_hour = c->fatigue_per_hour;
        if (c->setup)
                c->setup(&mc);
        struct gm_model *m = gm_model_new(&mc);
        if (!m)
                return -errno;
        struct gm_pipeline_cfg pc;
        gm_pipeline_cfg_default(&pc);
        pc.rate_hz = mc.rate_hz;
        pc.loc_mask = mc.loc_mask;
        pc.gyr_mask = mc.gyr_mask;
        struct gm_session_cfg sc;
        gm_session_cfg_default(&sc);
        struct runner r = { .p = gm_pipeline_new(&pc), .s = gm_session_new(&sc), .out = out, .stride_s = NAN };
        /* The late location's samples, held until their burst is due. */
        size_t late_max = c->late_s > 0 ? (size_t)ceil(c->late_s * mc.rate_hz) + 1 : 0, n_late = 0;
        struct gm_sample *late = late_max ? calloc(late_max, sizeof(*late)) : NULL;
        int ret = 0;
        if (!r.p || !r.s || (late_max && !late)) {
                ret = -ENOMEM;
                goto out;
        }
        unsigned seg = 1;
        unsigned long long rng = 99;
        double lost_until = -1;
        for (long i = 0; i < (long)(c->duration_s * mc.rate_hz); i++) {
                struct gm_sample smp[GM_LOC_COUNT];
                double t = gm_model_step(m, smp, NULL);
                while (seg < c->n_seg && t >= c->seg[seg].from_s) {
                        gm_model_set_gait(m, c->seg[seg].activity, c->seg[seg].speed, c->seg[seg].cadence);
                        seg++;
                }
                if (t < c->start_s)
                        continue;
                if (c->lost_per_s > 0 && uniform(&rng) < c->lost_per_s / mc.rate_hz)
                        lost_until = t + 0.02 + 0.2 * uniform(&rng); /* 20-220 ms lost */
                if (t < lost_until)
                        continue;
                for (int l = 0; l < GM_LOC_COUNT; l++) {
                        if (!(mc.loc_mask & (1u << l)))
                                continue;
                        if (l == c->gap_loc && t >= c->gap_from && t < c->gap_to)
                                continue;
                        if (c->late_s > 0 && l == c->late_loc) {
                                late[n_late++] = smp[l];
                                if (n_late < late_max && t - late[0].t < c->late_s)
                                        continue;
                                for (size_t k = 0; k < n_late; k++)
                                        gm_pipeline_push(r.p, l, &late[k]);
                                n_late = 0;
                                continue;
                        }
                        gm_pipeline_push(r.p, l, &smp[l]);
                }
                drain_pipeline(&r, t);
        }
        for (size_t k = 0; k < n_late; k++)
                gm_pipeline_push(r.p, c->late_loc, &late[k]);
        gm_pipeline_flush(r.p);
        drain_pipeline(&r, INFINITY);
        gm_session_end(r.s, c->duration_s);
        drain_session(&r);
        if (out->runs)
                gm_recovery_advise(&out->summary, NULL, 0, 0, 0, &out->advice);
        judge(c, out);
out:
        free(late);
        gm_session_free(r.s);
        gm_pipeline_free(r.p);
        gm_model_free(m);
        return ret;
}
