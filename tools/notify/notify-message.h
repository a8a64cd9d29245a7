/* SPDX-License-Identifier: MIT */
#pragma once

/* The wording of gaitmon-notify's desktop notifications: what gaitmond's
 * signals say, put as a runner reads it. Pure functions, no D-Bus. */

#include <stddef.h>
#include <stdint.h>

/* Each kind is one notification on the desktop, updated in place. */
enum notify_kind {
        NOTIFY_KIND_ASYMMETRY,
        NOTIFY_KIND_FATIGUE,
        NOTIFY_KIND_RECOVERY,
        NOTIFY_KIND_SENSOR,
        _NOTIFY_KIND_MAX,
};

/* org.freedesktop.Notifications "urgency" hint values. */
enum notify_urgency {
        NOTIFY_URGENCY_LOW = 0,
        NOTIFY_URGENCY_NORMAL = 1,
        NOTIFY_URGENCY_CRITICAL = 2,
};

struct notify_message {
        enum notify_kind kind;
        enum notify_urgency urgency;
        char *summary;
        char *body;
        /* Which of two alerts of a kind stays on screen when they are merged: the higher rank
         * (an asymmetry of the hip or pelvis before one of timing or impact, then the larger
         * change from the baseline; the higher fatigue level). NaN: the later one. */
        double rank;
        char topic[48]; /* what it is about, in a few words ("pelvic drop") */
};

/* The last line of an asymmetry or fatigue alert: what to do while running. */
#define NOTIFY_ASYMMETRY_ACTION "Ease off the pace; if it stays, finish the run walking."
#define NOTIFY_FATIGUE_ACTION "Slow down, or finish the run walking."
/* The last line of a sensor fault. */
#define NOTIFY_SENSOR_ACTION "Check that it is strapped on and switched on; what needs it is left out until it is back."

/* Longest text taken from the daemon, in bytes, per string and per list. */
#define NOTIFY_TEXT_MAX 200
#define NOTIFY_LIST_MAX 8

const char *notify_kind_to_string(enum notify_kind kind);
int notify_kind_from_string(const char *s);

/* All return 0 and fill *ret, -EINVAL when the values make no sense (the
 * caller logs and drops the signal) or -ENOMEM. */
int notify_message_asymmetry(const char *metric, double value, double baseline, struct notify_message *ret);
int notify_message_fatigue(uint32_t level, const char *const *reasons, size_t n_reasons, struct notify_message *ret);
int notify_message_recovery(const char *summary, const char *const *actions, size_t n_actions, uint32_t rest_days,
                            struct notify_message *ret);
int notify_message_sensor_fault(const char *location, const char *reason, struct notify_message *ret);
int notify_message_sensor_recovered(const char *location, struct notify_message *ret);

/* Says in the body that `count` other alerts came meanwhile (since it was first shown, or
 * merged into it), and what they were about (others: their topics, comma-separated; may be
 * NULL). */
int notify_message_note_merged(struct notify_message *m, unsigned count, const char *others);
/* dst (whose strings are freed) becomes a copy of src: 0 or -ENOMEM. */
int notify_message_copy(struct notify_message *dst, const struct notify_message *src);

void notify_message_done(struct notify_message *m);
void notify_message_move(struct notify_message *dst, struct notify_message *src);
