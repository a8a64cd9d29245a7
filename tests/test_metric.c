/* The metric table: an entry for every metric, keys that are names, units and ranges that fit. */
#include <criterion/criterion.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "gm_asym.h"
#include "gm_balance.h"
#include "gm_metric.h"

static bool is_key(const char *s)
{
        if (!s || !islower((unsigned char)s[0]))
                return false;
        for (; *s; s++)
                if (!islower((unsigned char)*s) && *s != '_')
                        return false;
        return true;
}

Test(metric, every_metric_described)
{
        for (int m = 0; m < GM_METRIC_COUNT; m++) {
                const struct gm_metric_info *info = gm_metric_info(m);
                cr_assert_not_null(info, "metric %d", m);
                cr_assert(is_key(info->key), "metric %d: key %s", m, info->key ? info->key : "(null)");
                cr_assert(info->unit && info->unit[0], "%s: no unit", info->key);
                cr_assert(info->symbol && info->symbol[0], "%s: no symbol", info->key);
                cr_assert(info->label && isupper((unsigned char)info->label[0]), "%s: label", info->key);
                cr_assert(info->short_label && info->short_label[0], "%s: short label", info->key);
                cr_assert(info->concern_before && info->concern_after, "%s: no words for its side", info->key);
                cr_assert(info->scale > 0 && info->decimals >= 0 && info->decimals <= 3, "%s", info->key);
                cr_assert(isfinite(info->min) && isfinite(info->max) && info->min < info->max, "%s: range %g..%g",
                          info->key, info->min, info->max);
                cr_assert(info->si_floor >= 0 && info->si_floor < info->max, "%s: SI floor", info->key);
        }
        cr_assert_null(gm_metric_info(GM_METRIC_COUNT));
        cr_assert_null(gm_metric_info(gm_metric_from_name("cadence")));
        cr_assert_str_eq(gm_metric_name(GM_METRIC_COUNT), "invalid");
}

Test(metric, keys_labels_and_properties_unique)
{
        for (int m = 0; m < GM_METRIC_COUNT; m++) {
                const struct gm_metric_info *a = gm_metric_info(m);
                cr_assert_eq(gm_metric_from_name(a->key), m, "%s", a->key);
                for (int k = 0; k < m; k++) {
                        const struct gm_metric_info *b = gm_metric_info(k);
                        cr_assert_str_neq(a->key, b->key);
                        cr_assert_str_neq(a->label, b->label);
                        cr_assert_str_neq(a->short_label, b->short_label);
                        cr_assert(!a->property || !b->property || strcmp(a->property, b->property) != 0,
                                  "property %s twice", a->property);
                }
        }
        cr_assert_eq(gm_metric_from_name("cadence"), -EINVAL);
        cr_assert_eq(gm_metric_from_name(NULL), -EINVAL);
}

/* Design limits: hip extension beyond -10..45 deg is a defect; angles in deg, times in ms. */
Test(metric, units_and_ranges)
{
        const struct gm_metric_info *hip = gm_metric_info(GM_METRIC_HIP_EXT);
        cr_assert_str_eq(hip->unit, "deg");
        cr_assert_float_eq(hip->min, -10, 1e-9);
        cr_assert_float_eq(hip->max, 45, 1e-9);
        cr_assert_str_eq(gm_metric_info(GM_METRIC_STANCE)->unit, "ms");
        cr_assert_float_eq(gm_metric_info(GM_METRIC_STANCE)->scale, 1000, 1e-9);
        cr_assert_str_eq(gm_metric_info(GM_METRIC_IMPACT)->unit, "g");
}

/* Without a pelvis there is no hip extension; thigh extension needs only the thigh. */
Test(metric, sensors_needed)
{
        cr_assert_eq(gm_metric_locs(GM_METRIC_HIP_EXT, GM_SIDE_LEFT), (1u << GM_LOC_LEFT_HIP) | (1u << GM_LOC_PELVIS));
        cr_assert_eq(gm_metric_locs(GM_METRIC_HIP_RANGE, GM_SIDE_RIGHT),
                     (1u << GM_LOC_RIGHT_HIP) | (1u << GM_LOC_PELVIS));
        cr_assert_eq(gm_metric_locs(GM_METRIC_THIGH_EXT, GM_SIDE_RIGHT), 1u << GM_LOC_RIGHT_HIP);
        cr_assert_eq(gm_metric_locs(GM_METRIC_PELVIC_DROP, GM_SIDE_LEFT), 1u << GM_LOC_PELVIS);
        cr_assert_eq(gm_metric_locs(GM_METRIC_STANCE, GM_SIDE_LEFT), 0);
}

Test(metric, stride_values_by_metric)
{
        struct gm_stride st = { .stance_s = 0.25,
                                .swing_s = 0.45,
                                .stride_s = 0.7,
                                .hip_ext_deg = 12,
                                .hip_range_deg = 40,
                                .pelvic_drop_deg = 5,
                                .impact_g = 3,
                                .thigh_ext_deg = 20 };
        const double want[GM_METRIC_COUNT] = {
                [GM_METRIC_STANCE] = 0.25, [GM_METRIC_SWING] = 0.45,   [GM_METRIC_STRIDE] = 0.7,
                [GM_METRIC_HIP_EXT] = 12,  [GM_METRIC_HIP_RANGE] = 40, [GM_METRIC_PELVIC_DROP] = 5,
                [GM_METRIC_IMPACT] = 3,    [GM_METRIC_THIGH_EXT] = 20,
        };
        for (int m = 0; m < GM_METRIC_COUNT; m++)
                cr_assert_float_eq(gm_stride_metric(&st, m), want[m], 1e-12, "%s", gm_metric_name(m));
        cr_assert(isnan(gm_stride_metric(&st, GM_METRIC_COUNT)));
}

/* The table's words, as people read them. */
Test(metric, words)
{
        char buf[64];
        cr_assert_str_eq(gm_balance_metric_noun("hip_range", buf, sizeof buf), "hip range of motion");
        cr_assert_str_eq(gm_balance_metric_noun("ground_contact", buf, sizeof buf), "ground contact");
        cr_assert_str_eq(gm_balance_side_phrase("pelvic_drop", GM_SIDE_LEFT, buf, sizeof buf),
                         "the pelvis drops more while on the left leg");
        cr_assert_eq(gm_balance_concern_side("stance", -5), GM_SIDE_LEFT);
        cr_assert_eq(gm_balance_concern_side("swing", -5), GM_SIDE_RIGHT);
        cr_assert_str_eq(gm_metric_side_words(GM_METRIC_PELVIC_DROP, GM_SIDE_RIGHT), "on the right leg");
        cr_assert_str_eq(gm_metric_side_words(GM_METRIC_STANCE, GM_SIDE_RIGHT), "right");
        /* An angle near zero is divided by its floor: 1 and -1 deg of pelvic drop are not 400 %. */
        cr_assert_float_eq(gm_metric_si(GM_METRIC_PELVIC_DROP, 1, -1), 100.0 * 2 / 3, 1e-9);
}

Test(metric, properties)
{
        char buf[48];
        cr_assert_str_eq(gm_metric_property(GM_METRIC_HIP_EXT, GM_SIDE_LEFT, buf, sizeof buf), "HipExtensionLeft");
        cr_assert_str_eq(gm_metric_property(GM_METRIC_STANCE, GM_SIDE_RIGHT, buf, sizeof buf), "StanceTimeRight");
        cr_assert_null(gm_metric_property(GM_METRIC_IMPACT, GM_SIDE_LEFT, buf, sizeof buf));
        cr_assert_null(gm_metric_property(GM_METRIC_HIP_EXT, GM_SIDE_UNKNOWN, buf, sizeof buf));
}
