/* The tables of lib/gm_record.h. */
#include "gm_record.h"

#include <math.h>
#include <string.h>

/* clang-format off */
#define MEMBER_SIZE(type, member) sizeof(((type *) 0)->member)
#define F(type_, key, column, ftype, member, unit, label, flags) \
        { key, column, ftype, offsetof(type_, member), MEMBER_SIZE(type_, member), unit, label, flags }

#define R(key, column, ftype, member, unit, label) F(struct gm_run_summary, key, column, ftype, member, unit, label, 0)
static const struct gm_field run_fields[] = {
        F(struct gm_run_summary, "id", "id", GM_FIELD_U64, id, "", "Run", GM_FIELD_ROWID),
        F(struct gm_run_summary, "start_us", "start_us", GM_FIELD_I64, start_us, "µs", "Start", GM_FIELD_ONCE),
        R("activity", "activity", GM_FIELD_ACTIVITY, activity, "", "Activity"),
        R("duration_s", "duration_s", GM_FIELD_DOUBLE, duration_s, "s", "Duration"),
        R("steps", "steps", GM_FIELD_U64, steps, "", "Steps"),
        R("cadence_spm", "cadence_spm", GM_FIELD_DOUBLE, cadence_spm, "steps/min", "Cadence"),
        R("stance_left_ms", "stance_left_ms", GM_FIELD_DOUBLE, stance_ms[GM_SIDE_LEFT], "ms", "Stance time, left"),
        R("stance_right_ms", "stance_right_ms", GM_FIELD_DOUBLE, stance_ms[GM_SIDE_RIGHT], "ms", "Stance time, right"),
        R("hip_ext_left_deg", "hip_ext_left_deg", GM_FIELD_DOUBLE, hip_ext_deg[GM_SIDE_LEFT], "deg", "Hip extension, left"),
        R("hip_ext_right_deg", "hip_ext_right_deg", GM_FIELD_DOUBLE, hip_ext_deg[GM_SIDE_RIGHT], "deg", "Hip extension, right"),
        R("pelvic_drop_left_deg", "pelvic_drop_left_deg", GM_FIELD_DOUBLE, pelvic_drop_deg[GM_SIDE_LEFT], "deg", "Pelvic drop, left"),
        R("pelvic_drop_right_deg", "pelvic_drop_right_deg", GM_FIELD_DOUBLE, pelvic_drop_deg[GM_SIDE_RIGHT], "deg", "Pelvic drop, right"),
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
        M("stance_left_ms", "stance_left_ms", GM_FIELD_DOUBLE, stance_ms[GM_SIDE_LEFT], "ms", "Stance time, left"),
        M("stance_right_ms", "stance_right_ms", GM_FIELD_DOUBLE, stance_ms[GM_SIDE_RIGHT], "ms", "Stance time, right"),
        M("hip_ext_left_deg", "hip_ext_left_deg", GM_FIELD_DOUBLE, hip_ext_deg[GM_SIDE_LEFT], "deg", "Hip extension, left"),
        M("hip_ext_right_deg", "hip_ext_right_deg", GM_FIELD_DOUBLE, hip_ext_deg[GM_SIDE_RIGHT], "deg", "Hip extension, right"),
        M("pelvic_drop_left_deg", "pelvic_drop_left_deg", GM_FIELD_DOUBLE, pelvic_drop_deg[GM_SIDE_LEFT], "deg", "Pelvic drop, left"),
        M("pelvic_drop_right_deg", "pelvic_drop_right_deg", GM_FIELD_DOUBLE, pelvic_drop_deg[GM_SIDE_RIGHT], "deg", "Pelvic drop, right"),
        M("asym_max_pct", "asym_max_pct", GM_FIELD_DOUBLE, asym_max_pct, "% points", "Max asymmetry"),
        M("fatigue", "fatigue", GM_FIELD_DOUBLE, fatigue, "", "Fatigue"),
        M("activity", "activity", GM_FIELD_ACTIVITY, activity, "", "Activity"),
};
#undef M

#define S(key, column, ftype, member, unit, label) F(struct gm_stride_record, key, column, ftype, member, unit, label, 0)
static const struct gm_field stride_fields[] = {
        S("t_s", "t_s", GM_FIELD_DOUBLE, t_s, "s", "Initial contact"),
        S("side", "side", GM_FIELD_SIDE, side, "", "Side"),
        S("stride_ms", "stride_ms", GM_FIELD_DOUBLE, stride_ms, "ms", "Stride time"),
        S("stance_ms", "stance_ms", GM_FIELD_DOUBLE, stance_ms, "ms", "Stance time"),
        S("swing_ms", "swing_ms", GM_FIELD_DOUBLE, swing_ms, "ms", "Swing time"),
        S("hip_ext_deg", "hip_ext_deg", GM_FIELD_DOUBLE, hip_ext_deg, "deg", "Hip extension"),
        S("pelvic_drop_deg", "pelvic_drop_deg", GM_FIELD_DOUBLE, pelvic_drop_deg, "deg", "Pelvic drop"),
        S("impact_g", "impact_g", GM_FIELD_DOUBLE, impact_g, "g", "Impact"),
        S("activity", "activity", GM_FIELD_ACTIVITY, activity, "", "Activity"),
};
/* clang-format on */
#undef S
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
