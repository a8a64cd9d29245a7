/* The tables of lib/gm_record.h. */
#include "gm_record.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* clang-format off */
#define MEMBER_SIZE(type, member) sizeof(((type *) 0)->member)
#define F(type_, key, column, ftype, member, unit, label, flags) \
        { key, column, ftype, offsetof(type_, member), MEMBER_SIZE(type_, member), unit, label, flags, 0, 0 }
/* One side of a metric, in an array by side; its unit and label are the metric table's. */
#define MF(type_, key, metric, side, member) \
        { key, key, GM_FIELD_DOUBLE, offsetof(type_, member[GM_SIDE_##side]), MEMBER_SIZE(type_, member[0]), NULL, NULL, \
          GM_FIELD_METRIC, GM_METRIC_##metric, GM_SIDE_##side }
/* The sides a run and each of its minutes keep. */
#define SIDES(type_) \
        MF(type_, "stance_left_ms", STANCE, LEFT, stance_ms), \
        MF(type_, "stance_right_ms", STANCE, RIGHT, stance_ms), \
        MF(type_, "hip_ext_left_deg", HIP_EXT, LEFT, hip_ext_deg), \
        MF(type_, "hip_ext_right_deg", HIP_EXT, RIGHT, hip_ext_deg), \
        MF(type_, "pelvic_drop_left_deg", PELVIC_DROP, LEFT, pelvic_drop_deg), \
        MF(type_, "pelvic_drop_right_deg", PELVIC_DROP, RIGHT, pelvic_drop_deg)

#define R(key, column, ftype, member, unit, label) F(struct gm_run_summary, key, column, ftype, member, unit, label, 0)
static const struct gm_field run_fields[] = {
        F(struct gm_run_summary, "id", "id", GM_FIELD_U64, id, "", "Run", GM_FIELD_ROWID),
        F(struct gm_run_summary, "start_us", "start_us", GM_FIELD_I64, start_us, "µs", "Start", GM_FIELD_ONCE),
        R("activity", "activity", GM_FIELD_ACTIVITY, activity, "", "Activity"),
        R("duration_s", "duration_s", GM_FIELD_DOUBLE, duration_s, "s", "Duration"),
        R("steps", "steps", GM_FIELD_U64, steps, "", "Steps"),
        R("cadence_spm", "cadence_spm", GM_FIELD_DOUBLE, cadence_spm, "steps/min", "Cadence"),
        R("vertical_osc_cm", "vertical_osc_cm", GM_FIELD_DOUBLE, vertical_osc_cm, "cm", "Vertical oscillation"),
        SIDES(struct gm_run_summary),
        R("asym_max_pct", "asym_max_pct", GM_FIELD_DOUBLE, asym_max_pct, "% points", "Max asymmetry"),
        R("asym_metric", "asym_metric", GM_FIELD_TEXT, asym_metric, "", "Max asymmetry metric"),
        R("fatigue_max", "fatigue_max", GM_FIELD_DOUBLE, fatigue_max, "", "Max fatigue"),
        R("load", "load", GM_FIELD_DOUBLE, load, "", "Load"),
        R("hip_ext_asym_pct", "hip_ext_asym_pct", GM_FIELD_DOUBLE, hip_ext_asym_pct, "% points", "Hip extension shift"),
        R("pelvic_drop_asym_pct", "pelvic_drop_asym_pct", GM_FIELD_DOUBLE, pelvic_drop_asym_pct, "% points", "Pelvic drop shift"),
        R("pelvic_drop_rise_left_deg", "pelvic_drop_rise_left_deg", GM_FIELD_DOUBLE, pelvic_drop_rise_deg[GM_SIDE_LEFT], "deg", "Pelvic drop rise, left"),
        R("pelvic_drop_rise_right_deg", "pelvic_drop_rise_right_deg", GM_FIELD_DOUBLE, pelvic_drop_rise_deg[GM_SIDE_RIGHT], "deg", "Pelvic drop rise, right"),
        R("fatigue_level_max", "fatigue_level_max", GM_FIELD_U32, fatigue_level_max, "", "Max fatigue level"),
};
#undef R

#define A(key, column, ftype, member, unit, label) F(struct gm_advice, key, column, ftype, member, unit, label, 0)
static const struct gm_field advice_fields[] = {
        A("advice", "advice_summary", GM_FIELD_TEXT, summary, "", "Advice"),
        A("rest_days", "rest_days", GM_FIELD_U32, rest_days, "days", "Rest days"),
        A("acwr", "acwr", GM_FIELD_DOUBLE, acwr, "", "Workload ratio"),
};
#undef A

#define M(key, column, ftype, member, unit, label) F(struct gm_run_minute, key, column, ftype, member, unit, label, 0)
static const struct gm_field minute_fields[] = {
        M("t_s", "t_s", GM_FIELD_DOUBLE, t_s, "s", "Minute start"),
        M("length_s", "length_s", GM_FIELD_DOUBLE, length_s, "s", "Length"),
        M("steps", "steps", GM_FIELD_U64, steps, "", "Steps"),
        M("cadence_spm", "cadence_spm", GM_FIELD_DOUBLE, cadence_spm, "steps/min", "Cadence"),
        M("vertical_osc_cm", "vertical_osc_cm", GM_FIELD_DOUBLE, vertical_osc_cm, "cm", "Vertical oscillation"),
        SIDES(struct gm_run_minute),
        M("asym_max_pct", "asym_max_pct", GM_FIELD_DOUBLE, asym_max_pct, "% points", "Max asymmetry"),
        M("fatigue", "fatigue", GM_FIELD_DOUBLE, fatigue, "", "Fatigue"),
        M("activity", "activity", GM_FIELD_ACTIVITY, activity, "", "Activity"),
};
#undef M

#define S(key, column, ftype, member, unit, label) F(struct gm_stride_record, key, column, ftype, member, unit, label, 0)
/* The stride's own side of a metric. */
#define SF(key, metric, member) \
        { key, key, GM_FIELD_DOUBLE, offsetof(struct gm_stride_record, member), \
          MEMBER_SIZE(struct gm_stride_record, member), NULL, NULL, GM_FIELD_METRIC, GM_METRIC_##metric, GM_SIDE_UNKNOWN }
static const struct gm_field stride_fields[] = {
        S("t_s", "t_s", GM_FIELD_DOUBLE, t_s, "s", "Initial contact"),
        S("side", "side", GM_FIELD_SIDE, side, "", "Side"),
        SF("stride_ms", STRIDE, stride_ms),
        SF("stance_ms", STANCE, stance_ms),
        SF("swing_ms", SWING, swing_ms),
        SF("hip_ext_deg", HIP_EXT, hip_ext_deg),
        SF("pelvic_drop_deg", PELVIC_DROP, pelvic_drop_deg),
        SF("impact_g", IMPACT, impact_g),
        S("vertical_osc_cm", "vertical_osc_cm", GM_FIELD_DOUBLE, vertical_osc_cm, "cm", "Vertical oscillation"),
        S("activity", "activity", GM_FIELD_ACTIVITY, activity, "", "Activity"),
};
/* clang-format on */
#undef S
#undef SF
#undef SIDES
#undef MF
#undef F

#define DESC(name, fields)                                       \
        {                                                        \
                name, fields, sizeof(fields) / sizeof(fields[0]) \
        }
const struct gm_record_desc gm_run_record = DESC("run", run_fields);
const struct gm_record_desc gm_advice_record = DESC("advice", advice_fields);
const struct gm_record_desc gm_minute_record = DESC("minute", minute_fields);
const struct gm_record_desc gm_stride_record = DESC("stride", stride_fields);

const struct gm_field *gm_record_field(const struct gm_record_desc *d, const char *key)
{
        for (size_t i = 0; i < d->n_fields; i++)
                if (strcmp(d->fields[i].key, key) == 0)
                        return &d->fields[i];
        return NULL;
}

const char *gm_field_unit(const struct gm_field *f)
{
        return f->flags & GM_FIELD_METRIC ? gm_metric_info(f->metric)->unit : f->unit;
}

const char *gm_field_label(const struct gm_field *f, char *buf, size_t size)
{
        if (!(f->flags & GM_FIELD_METRIC))
                return f->label;
        const char *label = gm_metric_info(f->metric)->label;
        if (f->side == GM_SIDE_UNKNOWN)
                snprintf(buf, size, "%s", label);
        else
                snprintf(buf, size, "%s, %s", label, gm_side_name(f->side));
        return buf;
}

char gm_field_dbus_type(const struct gm_field *f)
{
        switch (f->type) {
        case GM_FIELD_DOUBLE:
                return 'd';
        case GM_FIELD_U64:
                return 't';
        case GM_FIELD_I64:
                return 'x';
        case GM_FIELD_U32:
                return 'u';
        default:
                return 's';
        }
}

double gm_field_get_double(const struct gm_field *f, const void *record)
{
        const char *p = (const char *)record + f->offset;
        switch (f->type) {
        case GM_FIELD_DOUBLE:
                return *(const double *)p;
        case GM_FIELD_U64:
                return (double)*(const uint64_t *)p;
        case GM_FIELD_I64:
                return (double)*(const int64_t *)p;
        case GM_FIELD_U32:
                return (double)*(const unsigned *)p;
        default:
                return NAN;
        }
}

void gm_record_clear(const struct gm_record_desc *d, void *record)
{
        for (size_t i = 0; i < d->n_fields; i++) {
                const struct gm_field *f = &d->fields[i];
                char *p = (char *)record + f->offset;
                switch (f->type) {
                case GM_FIELD_DOUBLE:
                        *(double *)p = NAN;
                        break;
                case GM_FIELD_SIDE:
                        *(enum gm_side *)p = GM_SIDE_UNKNOWN;
                        break;
                default:
                        memset(p, 0, f->size);
                        break;
                }
        }
}
