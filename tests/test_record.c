/* The record tables: every field where its struct has it, names that can be a column and a key. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gm_record.h"

static const struct gm_record_desc *const records[] = { &gm_run_record, &gm_advice_record, &gm_minute_record,
                                                        &gm_stride_record };
static const size_t sizes[] = { sizeof(struct gm_run_summary), sizeof(struct gm_advice), sizeof(struct gm_run_minute),
                                sizeof(struct gm_stride_record) };

static bool is_identifier(const char *s)
{
        if (!s[0] || !islower((unsigned char)s[0]))
                return false;
        for (; *s; s++)
                if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_')
                        return false;
        return true;
}

/* Labels of a metric's sides, made from the metric table as they were written before it. */
Test(record, metric_labels)
{
        char buf[64];
        cr_assert_str_eq(gm_field_label(gm_record_field(&gm_run_record, "hip_ext_left_deg"), buf, sizeof buf),
                         "Hip extension, left");
        cr_assert_str_eq(gm_field_label(gm_record_field(&gm_minute_record, "pelvic_drop_right_deg"), buf, sizeof buf),
                         "Pelvic drop, right");
        cr_assert_str_eq(gm_field_label(gm_record_field(&gm_stride_record, "impact_g"), buf, sizeof buf), "Impact");
        cr_assert_str_eq(gm_field_unit(gm_record_field(&gm_stride_record, "stance_ms")), "ms");
        cr_assert_str_eq(gm_field_label(gm_record_field(&gm_run_record, "cadence_spm"), buf, sizeof buf), "Cadence");
}

Test(record, fields_inside_their_struct_and_named_once)
{
        for (size_t r = 0; r < sizeof records / sizeof records[0]; r++) {
                const struct gm_record_desc *d = records[r];
                cr_assert_gt(d->n_fields, 0);
                for (size_t i = 0; i < d->n_fields; i++) {
                        const struct gm_field *f = &d->fields[i];
                        cr_assert_leq(f->offset + f->size, sizes[r], "%s.%s outside its struct", d->name, f->key);
                        cr_assert(is_identifier(f->key) && is_identifier(f->column), "%s.%s", d->name, f->key);
                        char label[64];
                        const char *text = gm_field_label(f, label, sizeof label);
                        cr_assert(text && text[0] && gm_field_unit(f), "%s.%s", d->name, f->key);
                        if (f->flags & GM_FIELD_METRIC) {
                                /* A metric's value is in the metric table's unit, and its name says so. */
                                char suffix[16];
                                snprintf(suffix, sizeof suffix, "_%s", gm_field_unit(f));
                                cr_assert(f->type == GM_FIELD_DOUBLE, "%s.%s", d->name, f->key);
                                cr_assert_str_eq(f->key + strlen(f->key) - strlen(suffix), suffix, "%s.%s", d->name,
                                                 f->key);
                        }
                        cr_assert_eq(gm_record_field(d, f->key), f, "%s.%s given twice", d->name, f->key);
                        for (size_t k = 0; k < i; k++)
                                cr_assert_str_neq(d->fields[k].column, f->column, "%s: column %s twice", d->name,
                                                  f->column);
                }
        }
        /* The run and its advice share a row and a dictionary: no name in both. */
        for (size_t i = 0; i < gm_advice_record.n_fields; i++) {
                cr_assert_null(gm_record_field(&gm_run_record, gm_advice_record.fields[i].key));
                cr_assert_str_neq(gm_advice_record.fields[i].key, "state");
        }
        cr_assert_null(gm_record_field(&gm_run_record, "state"));
        cr_assert_null(gm_record_field(&gm_run_record, "no_such_key"));
}

Test(record, fields_map_to_the_struct_members)
{
        struct gm_run_summary run = {};
        struct gm_stride_record st = {};

        run.pelvic_drop_rise_deg[GM_SIDE_RIGHT] = 2.25;
        run.steps = 1234;
        run.fatigue_level_max = 3;
        cr_assert_float_eq(gm_field_get_double(gm_record_field(&gm_run_record, "pelvic_drop_rise_right_deg"), &run),
                           2.25, 1e-12);
        cr_assert_float_eq(gm_field_get_double(gm_record_field(&gm_run_record, "steps"), &run), 1234, 1e-12);
        cr_assert_float_eq(gm_field_get_double(gm_record_field(&gm_run_record, "fatigue_level_max"), &run), 3, 1e-12);
        cr_assert_eq(gm_field_dbus_type(gm_record_field(&gm_run_record, "start_us")), 'x');
        cr_assert_eq(gm_field_dbus_type(gm_record_field(&gm_run_record, "id")), 't');
        cr_assert_eq(gm_field_dbus_type(gm_record_field(&gm_run_record, "activity")), 's');
        cr_assert_eq(gm_field_dbus_type(gm_record_field(&gm_stride_record, "side")), 's');

        st.stance_ms = 250;
        gm_record_clear(&gm_stride_record, &st);
        cr_assert(isnan(st.stance_ms) && isnan(st.t_s) && isnan(st.impact_g), "unknown numbers are NaN");
        cr_assert_eq(st.side, GM_SIDE_UNKNOWN);
        cr_assert_eq(st.activity, GM_ACTIVITY_IDLE);
        gm_record_clear(&gm_run_record, &run);
        cr_assert_eq(run.steps, 0);
        cr_assert_str_eq(run.asym_metric, "");
        cr_assert(isnan(run.pelvic_drop_rise_deg[GM_SIDE_RIGHT]));
}
