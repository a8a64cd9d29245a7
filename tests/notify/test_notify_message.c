/* SPDX-License-Identifier: MIT */
/* The wording of gaitmon-notify's notifications. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "notify-message.h"

static void expect_asymmetry(const char *metric, double value, double baseline, const char *summary, const char *body)
{
        struct notify_message m;

        cr_assert_eq(notify_message_asymmetry(metric, value, baseline, &m), 0, "%s %g %g", metric, value, baseline);
        cr_expect_eq(m.kind, NOTIFY_KIND_ASYMMETRY);
        cr_expect_eq(m.urgency, NOTIFY_URGENCY_CRITICAL);
        cr_expect_str_eq(m.summary, summary);
        /* The comparison, then what to do. */
        cr_assert_geq(strlen(m.body), strlen(body), "%s %g %g: %s", metric, value, baseline, m.body);
        cr_expect_eq(strncmp(m.body, body, strlen(body)), 0, "%s %g %g: %s", metric, value, baseline, m.body);
        cr_expect_str_eq(m.body + strlen(body), "\n" NOTIFY_ASYMMETRY_ACTION, "%s %g %g", metric, value, baseline);
        notify_message_done(&m);
}

/* Positive SI: left larger; the balance is the left share, 50 + SI / 4. The side named is the
 * one the change from the baseline points to, in one wording per metric. */
Test(asymmetry, every_metric_both_signs)
{
        expect_asymmetry("hip_extension", -12, -1, "Gait asymmetry: hip extension",
                         "Hip extension 47.0 % L / 53.0 % R, usually 49.8 % L / 50.2 % R: "
                         "the left hip extends less than usual.");
        expect_asymmetry("hip_extension", 12, 1, "Gait asymmetry: hip extension",
                         "Hip extension 53.0 % L / 47.0 % R, usually 50.3 % L / 49.7 % R: "
                         "the right hip extends less than usual.");
        expect_asymmetry("hip_range", -8.4, -1, "Gait asymmetry: hip range of motion",
                         "Hip range of motion 47.9 % L / 52.1 % R, usually 49.8 % L / 50.2 % R: "
                         "the left hip moves through less range than usual.");
        expect_asymmetry("thigh_extension", 10, 0, "Gait asymmetry: thigh extension",
                         "Thigh extension 52.5 % L / 47.5 % R, usually 50.0 % L / 50.0 % R: "
                         "the right thigh extends less than usual.");
        expect_asymmetry("stance", -7, -1, "Gait asymmetry: stance time",
                         "Stance time 48.3 % L / 51.7 % R, usually 49.8 % L / 50.2 % R: "
                         "stance is shorter on the left leg than usual.");
        expect_asymmetry("swing", 9, 2, "Gait asymmetry: swing time",
                         "Swing time 52.3 % L / 47.7 % R, usually 50.5 % L / 49.5 % R: "
                         "swing is longer on the left leg than usual.");
        expect_asymmetry("stride", -6, 0.2, "Gait asymmetry: stride time",
                         "Stride time 48.5 % L / 51.5 % R, usually 50.1 % L / 49.9 % R: "
                         "strides are longer on the right side than usual.");
        /* Pelvic drop is measured during each leg's stance: a larger left share is a pelvis
         * that drops more while on the left leg. */
        expect_asymmetry("pelvic_drop", 25, 3, "Gait asymmetry: pelvic drop",
                         "Pelvic drop 56.3 % L / 43.7 % R, usually 50.8 % L / 49.2 % R: "
                         "the pelvis drops more while on the left leg than usual.");
        expect_asymmetry("pelvic_drop", -25, -3, "Gait asymmetry: pelvic drop",
                         "Pelvic drop 43.8 % L / 56.2 % R, usually 49.3 % L / 50.7 % R: "
                         "the pelvis drops more while on the right leg than usual.");
        expect_asymmetry("impact", -15, -4, "Gait asymmetry: impact",
                         "Impact 46.3 % L / 53.7 % R, usually 49.0 % L / 51.0 % R: "
                         "the right foot lands harder than usual.");
}

Test(asymmetry, baseline_the_other_way_even_or_unknown)
{
        /* A side that was usually the larger one and no longer is: the change is named. */
        expect_asymmetry("hip_extension", 3, 15, "Gait asymmetry: hip extension",
                         "Hip extension 50.8 % L / 49.2 % R, usually 53.8 % L / 46.2 % R: "
                         "the left hip extends less than usual.");
        expect_asymmetry("impact", 0.3, 0.3, "Gait asymmetry: impact",
                         "Impact 50.1 % L / 49.9 % R, usually 50.1 % L / 49.9 % R: left and right even.");
        expect_asymmetry("hip_extension", -12, NAN, "Gait asymmetry: hip extension",
                         "Hip extension 47.0 % L / 53.0 % R: the left hip extends less.");
        /* The SI's far end: one side all of it. */
        expect_asymmetry("hip_extension", -200, NAN, "Gait asymmetry: hip extension",
                         "Hip extension 0.0 % L / 100.0 % R: the left hip extends less.");
}

Test(asymmetry, unknown_metric_gets_neutral_words)
{
        expect_asymmetry("ground_contact", 10, 1, "Gait asymmetry: ground contact",
                         "Ground contact 52.5 % L / 47.5 % R, usually 50.3 % L / 49.7 % R: "
                         "ground contact is higher on the left side than usual.");
}

Test(asymmetry, rank_puts_hip_and_pelvis_first)
{
        struct notify_message hip, stance;

        cr_assert_eq(notify_message_asymmetry("hip_extension", -12, 0, &hip), 0);
        cr_assert_eq(notify_message_asymmetry("stance", 40, 0, &stance), 0);
        cr_expect_gt(hip.rank, stance.rank, "a large stance asymmetry outranked a hip one");
        cr_expect_str_eq(hip.topic, "hip extension");
        notify_message_done(&hip);
        notify_message_done(&stance);
}

Test(asymmetry, rejects_nonsense)
{
        struct notify_message m = {};
        char huge[4096];

        memset(huge, 'a', sizeof(huge) - 1);
        huge[sizeof(huge) - 1] = '\0';
        cr_expect_eq(notify_message_asymmetry("hip_extension", NAN, 1, &m), -EINVAL);
        cr_expect_eq(notify_message_asymmetry("hip_extension", INFINITY, 1, &m), -EINVAL);
        cr_expect_eq(notify_message_asymmetry("hip_extension", 200.5, 1, &m), -EINVAL);
        cr_expect_eq(notify_message_asymmetry("hip_extension", -1e9, 1, &m), -EINVAL);
        cr_expect_eq(notify_message_asymmetry("hip_extension", 10, INFINITY, &m), -EINVAL);
        cr_expect_eq(notify_message_asymmetry("hip_extension", 10, 300, &m), -EINVAL);
        cr_expect_eq(notify_message_asymmetry("", 10, 1, &m), -EINVAL);
        cr_expect_eq(notify_message_asymmetry("Hip Extension", 10, 1, &m), -EINVAL);
        cr_expect_eq(notify_message_asymmetry("<b>x</b>", 10, 1, &m), -EINVAL);
        cr_expect_eq(notify_message_asymmetry(huge, 10, 1, &m), -EINVAL);
        cr_expect_null(m.summary);
}

Test(fatigue, levels_and_reasons)
{
        const char *reasons[] = { "cadence down 6%", "", "stance time up 9%" };
        struct notify_message m;

        cr_assert_eq(notify_message_fatigue(2, reasons, 3, &m), 0);
        cr_expect_eq(m.urgency, NOTIFY_URGENCY_NORMAL);
        cr_expect_str_eq(m.summary, "Fatigue: marked (level 2 of 3)");
        cr_expect_str_eq(m.body, "• cadence down 6%\n• stance time up 9%\n" NOTIFY_FATIGUE_ACTION);
        notify_message_done(&m);

        cr_assert_eq(notify_message_fatigue(3, NULL, 0, &m), 0);
        cr_expect_str_eq(m.summary, "Fatigue: severe (level 3 of 3)");
        cr_expect_str_eq(m.body, "Your gait has drifted from its baseline.\n" NOTIFY_FATIGUE_ACTION);
        notify_message_done(&m);

        cr_expect_eq(notify_message_fatigue(0, NULL, 0, &m), -EINVAL);
        cr_expect_eq(notify_message_fatigue(4, NULL, 0, &m), -EINVAL);
}

Test(fatigue, long_lists_and_markup_are_tamed)
{
        const char *reasons[12];
        char long_reason[NOTIFY_TEXT_MAX + 50];
        struct notify_message m;

        for (size_t i = 0; i < 12; i++)
                reasons[i] = "a & b <i>c</i>\tend";
        cr_assert_eq(notify_message_fatigue(1, reasons, 12, &m), 0);
        cr_expect_not_null(strstr(m.body, "• a &amp; b &lt;i&gt;c&lt;/i&gt; end\n"));
        cr_expect_not_null(strstr(m.body, "\n• and 4 more\n"));
        notify_message_done(&m);

        /* Cut on a character boundary: "é" is two bytes and straddles the limit. */
        memset(long_reason, 'x', sizeof(long_reason));
        memcpy(long_reason + NOTIFY_TEXT_MAX - 1, "é", 2);
        long_reason[sizeof(long_reason) - 1] = '\0';
        reasons[0] = long_reason;
        cr_assert_eq(notify_message_fatigue(1, reasons, 1, &m), 0);
        cr_expect_eq(strlen(m.body), strlen("• ") + NOTIFY_TEXT_MAX - 1 + strlen("…\n" NOTIFY_FATIGUE_ACTION));
        cr_expect_str_eq(m.body + strlen(m.body) - strlen("x…\n" NOTIFY_FATIGUE_ACTION), "x…\n" NOTIFY_FATIGUE_ACTION);
        notify_message_done(&m);
}

Test(recovery, actions_as_lines_and_rest)
{
        const char *actions[] = { "Easy 20 min jog tomorrow", "Glute bridges 3x15" };
        struct notify_message m;

        cr_assert_eq(notify_message_recovery("Hard 50 min run", actions, 2, 2, &m), 0);
        cr_expect_eq(m.kind, NOTIFY_KIND_RECOVERY);
        cr_expect_eq(m.urgency, NOTIFY_URGENCY_NORMAL);
        cr_expect_str_eq(m.summary, "Hard 50 min run");
        cr_expect_str_eq(m.body, "• Easy 20 min jog tomorrow\n• Glute bridges 3x15\nTake 2 rest days.");
        notify_message_done(&m);

        cr_assert_eq(notify_message_recovery("", NULL, 0, 1, &m), 0);
        cr_expect_str_eq(m.summary, "Run finished");
        cr_expect_str_eq(m.body, "Take 1 rest day.");
        notify_message_done(&m);

        cr_assert_eq(notify_message_recovery("a <run>", NULL, 0, 0, &m), 0);
        cr_expect_str_eq(m.summary, "a <run>"); /* summaries are plain text */
        cr_expect_str_eq(m.body, "No rest day needed.");
        notify_message_done(&m);

        cr_expect_eq(notify_message_recovery("x", NULL, 0, 400, &m), -EINVAL);
}

Test(sensor, fault_and_recovery)
{
        struct notify_message m;

        cr_assert_eq(notify_message_sensor_fault("left_hip", "no samples for 2 s", &m), 0);
        cr_expect_eq(m.kind, NOTIFY_KIND_SENSOR);
        cr_expect_eq(m.urgency, NOTIFY_URGENCY_LOW);
        cr_expect_str_eq(m.summary, "Sensor fault: left hip");
        cr_expect_str_eq(m.body, "no samples for 2 s\n" NOTIFY_SENSOR_ACTION);
        notify_message_done(&m);

        cr_assert_eq(notify_message_sensor_fault("pelvis", "", &m), 0);
        cr_expect_str_eq(m.body, "The pelvis sensor stopped delivering samples.\n" NOTIFY_SENSOR_ACTION);
        notify_message_done(&m);

        cr_assert_eq(notify_message_sensor_recovered("right_shank", &m), 0);
        cr_expect_eq(m.kind, NOTIFY_KIND_SENSOR);
        cr_expect_eq(m.urgency, NOTIFY_URGENCY_LOW);
        cr_expect_str_eq(m.summary, "Sensor back: right shank");
        cr_expect_str_eq(m.body, "The right shank sensor streams again.");
        notify_message_done(&m);

        cr_expect_eq(notify_message_sensor_fault("left hip", "x", &m), -EINVAL);
        cr_expect_eq(notify_message_sensor_recovered("", &m), -EINVAL);
}

Test(merge, note_counts_and_names_the_others)
{
        struct notify_message m, copy = {};

        cr_assert_eq(notify_message_sensor_recovered("pelvis", &m), 0);
        cr_assert_eq(notify_message_copy(&copy, &m), 0);
        cr_assert_eq(notify_message_note_merged(&m, 0, NULL), 0);
        cr_expect_str_eq(m.body, "The pelvis sensor streams again.");
        cr_assert_eq(notify_message_note_merged(&m, 1, NULL), 0);
        cr_expect_str_eq(m.body, "The pelvis sensor streams again.\n(1 other alert meanwhile)");
        cr_assert_eq(notify_message_note_merged(&copy, 2, "left hip, left shank back"), 0);
        cr_expect_str_eq(copy.body,
                         "The pelvis sensor streams again.\n"
                         "(2 other alerts meanwhile: left hip, left shank back)");
        cr_expect_str_eq(copy.summary, m.summary);
        notify_message_done(&m);
        notify_message_done(&copy);
}

Test(kind, names_round_trip)
{
        for (int k = 0; k < _NOTIFY_KIND_MAX; k++)
                cr_expect_eq(notify_kind_from_string(notify_kind_to_string(k)), k);
        cr_expect_eq(notify_kind_from_string("asym"), -EINVAL);
}
