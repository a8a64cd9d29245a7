/* SPDX-License-Identifier: MIT */
/* The wording of gaitmon-notify's notifications. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "notify-message.h"

static void expect_asymmetry(const char *metric, double value, double baseline,
                             const char *summary, const char *body) {
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

/* Positive SI: left larger. Each metric names the side of concern. */
Test(asymmetry, every_metric_both_signs) {
        expect_asymmetry("hip_extension", -12, -1, "Gait asymmetry: hip extension",
                         "Left hip extension 12% below right, usually 1% (baseline).");
        expect_asymmetry("hip_extension", 12, 1, "Gait asymmetry: hip extension",
                         "Right hip extension 12% below left, usually 1% (baseline).");
        expect_asymmetry("hip_range", -8.4, -1, "Gait asymmetry: hip range of motion",
                         "Left hip range of motion 8% below right, usually 1% (baseline).");
        expect_asymmetry("hip_range", 8.6, 1, "Gait asymmetry: hip range of motion",
                         "Right hip range of motion 9% below left, usually 1% (baseline).");
        expect_asymmetry("stance", -7, -1, "Gait asymmetry: stance time",
                         "Left stance time 7% shorter than right, usually 1% (baseline).");
        expect_asymmetry("stance", 7, 1, "Gait asymmetry: stance time",
                         "Right stance time 7% shorter than left, usually 1% (baseline).");
        expect_asymmetry("swing", 9, 2, "Gait asymmetry: swing time",
                         "Left swing time 9% longer than right, usually 2% (baseline).");
        expect_asymmetry("swing", -9, -2, "Gait asymmetry: swing time",
                         "Right swing time 9% longer than left, usually 2% (baseline).");
        expect_asymmetry("stride", 6, 0.2, "Gait asymmetry: stride time",
                         "Left stride time 6% longer than right, usually even (baseline).");
        expect_asymmetry("stride", -6, 0.2, "Gait asymmetry: stride time",
                         "Right stride time 6% longer than left, usually even (baseline).");
        expect_asymmetry("pelvic_drop", 25, 3, "Gait asymmetry: pelvic drop",
                         "Left pelvic drop 25% above right, usually 3% (baseline).");
        expect_asymmetry("pelvic_drop", -25, -3, "Gait asymmetry: pelvic drop",
                         "Right pelvic drop 25% above left, usually 3% (baseline).");
        expect_asymmetry("impact", 15, 4, "Gait asymmetry: impact",
                         "Left impact 15% harder than right, usually 4% (baseline).");
        expect_asymmetry("impact", -15, -4, "Gait asymmetry: impact",
                         "Right impact 15% harder than left, usually 4% (baseline).");
}

Test(asymmetry, baseline_the_other_way_even_or_unknown) {
        expect_asymmetry("hip_extension", -12, 3, "Gait asymmetry: hip extension",
                         "Left hip extension 12% below right, usually 3% the other way (baseline).");
        expect_asymmetry("impact", 0.3, -8, "Gait asymmetry: impact",
                         "Left and right impact even, usually right impact 8% harder than left (baseline).");
        expect_asymmetry("hip_extension", -12, NAN, "Gait asymmetry: hip extension",
                         "Left hip extension 12% below right.");
}

Test(asymmetry, unknown_metric_gets_neutral_words) {
        expect_asymmetry("ground_contact", 10, 1, "Gait asymmetry: ground contact",
                         "Left ground contact 10% above right, usually 1% (baseline).");
}

Test(asymmetry, rejects_nonsense) {
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

Test(fatigue, levels_and_reasons) {
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

Test(fatigue, long_lists_and_markup_are_tamed) {
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

Test(recovery, actions_as_lines_and_rest) {
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
        cr_expect_str_eq(m.summary, "a <run>");     /* summaries are plain text */
        cr_expect_str_eq(m.body, "No rest day needed.");
        notify_message_done(&m);

        cr_expect_eq(notify_message_recovery("x", NULL, 0, 400, &m), -EINVAL);
}

Test(sensor, fault_and_recovery) {
        struct notify_message m;

        cr_assert_eq(notify_message_sensor_fault("left_hip", "no samples for 2 s", &m), 0);
        cr_expect_eq(m.kind, NOTIFY_KIND_SENSOR);
        cr_expect_eq(m.urgency, NOTIFY_URGENCY_LOW);
        cr_expect_str_eq(m.summary, "Sensor fault: left hip");
        cr_expect_str_eq(m.body, "no samples for 2 s");
        notify_message_done(&m);

        cr_assert_eq(notify_message_sensor_fault("pelvis", "", &m), 0);
        cr_expect_str_eq(m.body, "The pelvis sensor stopped delivering samples.");
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

Test(merge, note_counts_earlier_alerts) {
        struct notify_message m;

        cr_assert_eq(notify_message_sensor_recovered("pelvis", &m), 0);
        cr_assert_eq(notify_message_note_merged(&m, 0), 0);
        cr_expect_str_eq(m.body, "The pelvis sensor streams again.");
        cr_assert_eq(notify_message_note_merged(&m, 1), 0);
        cr_expect_str_eq(m.body, "The pelvis sensor streams again.\n(and 1 earlier alert since the last notification)");
        notify_message_done(&m);
}

Test(kind, names_round_trip) {
        for (int k = 0; k < _NOTIFY_KIND_MAX; k++)
                cr_expect_eq(notify_kind_from_string(notify_kind_to_string(k)), k);
        cr_expect_eq(notify_kind_from_string("asym"), -EINVAL);
}
