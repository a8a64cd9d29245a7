/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "notify-message.h"

static const char *const kind_names[_NOTIFY_KIND_MAX] = {
        [NOTIFY_KIND_ASYMMETRY] = "asymmetry",
        [NOTIFY_KIND_FATIGUE] = "fatigue",
        [NOTIFY_KIND_RECOVERY] = "recovery",
        [NOTIFY_KIND_SENSOR] = "sensor",
};

const char *notify_kind_to_string(enum notify_kind kind) {
        return kind >= 0 && kind < _NOTIFY_KIND_MAX ? kind_names[kind] : NULL;
}

int notify_kind_from_string(const char *s) {
        for (int k = 0; k < _NOTIFY_KIND_MAX; k++)
                if (strcmp(s, kind_names[k]) == 0)
                        return k;
        return -EINVAL;
}

/* How each metric is put. The sentence names the side that is of concern:
 * for stance time and hip motion the lower one (a weak or guarded side
 * shortens stance and extends less), for the rest the higher one (a longer
 * swing or stride, a deeper pelvic drop, a harder impact). */
struct metric_wording {
        const char *metric;
        const char *noun;
        bool concern_is_higher;
        const char *comparative;
};

static const struct metric_wording metric_wordings[] = {
        { "stance",        "stance time",         false, "shorter than" },
        { "swing",         "swing time",          true,  "longer than" },
        { "stride",        "stride time",         true,  "longer than" },
        { "hip_extension", "hip extension",       false, "below" },
        { "hip_range",     "hip range of motion", false, "below" },
        { "pelvic_drop",   "pelvic drop",         true,  "above" },
        { "impact",        "impact",              true,  "harder than" },
};

#define NAME_MAX_LEN 32

/* Metric and location names are short identifiers; anything else is not
 * something gaitmond sends. */
static bool name_is_valid(const char *s) {
        size_t n = strlen(s);

        if (n == 0 || n > NAME_MAX_LEN)
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static void name_to_words(const char *name, char out[static NAME_MAX_LEN + 1]) {
        size_t i;

        for (i = 0; name[i] && i < NAME_MAX_LEN; i++)
                out[i] = name[i] == '_' ? ' ' : name[i];
        out[i] = '\0';
}

/* Appends daemon-supplied text to a body: cut at NOTIFY_TEXT_MAX bytes on a
 * character boundary, control characters made spaces, and the three
 * characters that body markup gives meaning to escaped. */
static void put_text(FILE *f, const char *s, bool markup) {
        size_t n = strlen(s);
        bool cut = false;

        if (n > NOTIFY_TEXT_MAX) {
                n = NOTIFY_TEXT_MAX;
                while (n > 0 && ((unsigned char) s[n] & 0xC0) == 0x80)
                        n--;
                cut = true;
        }
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char) s[i];

                if (c < 0x20 || c == 0x7F)
                        fputc(' ', f);
                else if (markup && c == '&')
                        fputs("&amp;", f);
                else if (markup && c == '<')
                        fputs("&lt;", f);
                else if (markup && c == '>')
                        fputs("&gt;", f);
                else
                        fputc(c, f);
        }
        if (cut)
                fputs("…", f);
}

static int text_finish(FILE *f, char **buf, char **ret) {
        if (fclose(f) != 0) {
                free(*buf);
                *buf = NULL;
                return -ENOMEM;
        }
        *ret = *buf;
        return 0;
}

static int message_set(struct notify_message *ret, enum notify_kind kind, enum notify_urgency urgency,
                       char *summary, char *body) {
        if (!summary || !body) {
                free(summary);
                free(body);
                return -ENOMEM;
        }
        *ret = (struct notify_message) {
                .kind = kind,
                .urgency = urgency,
                .summary = summary,
                .body = body,
        };
        return 0;
}

static char *printf_alloc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *printf_alloc(const char *fmt, ...) {
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

/* SI is bounded: 100·(L−R)/((L+R)/2) lies within ±200 for non-negative L and R. */
static bool si_is_valid(double v) {
        return isfinite(v) && fabs(v) <= 200.0;
}

static long percent_rounded(double v) {
        return lround(fabs(v));
}

/* "left hip extension 12% below right": positive SI means left larger. */
static void put_comparison(FILE *f, const struct metric_wording *w, double v, bool capital) {
        bool left_higher = v > 0;
        bool subject_left = w->concern_is_higher ? left_higher : !left_higher;

        fprintf(f, "%s %s %ld%% %s %s",
                subject_left ? (capital ? "Left" : "left") : (capital ? "Right" : "right"),
                w->noun, percent_rounded(v), w->comparative,
                subject_left ? "right" : "left");
}

int notify_message_asymmetry(const char *metric, double value, double baseline, struct notify_message *ret) {
        const struct metric_wording *w = NULL;
        struct metric_wording unknown;
        char words[NAME_MAX_LEN + 1];
        char *summary, *body = NULL;
        size_t size;
        FILE *f;

        if (!metric || !name_is_valid(metric) || !si_is_valid(value))
                return -EINVAL;
        /* A baseline not learned yet may come as NaN: then it is left out. */
        if (!isnan(baseline) && !si_is_valid(baseline))
                return -EINVAL;

        for (size_t i = 0; i < sizeof(metric_wordings) / sizeof(metric_wordings[0]); i++)
                if (strcmp(metric, metric_wordings[i].metric) == 0)
                        w = &metric_wordings[i];
        if (!w) {
                /* A metric newer than this program: neutral wording. */
                name_to_words(metric, words);
                unknown = (struct metric_wording) { metric, words, true, "above" };
                w = &unknown;
        }

        f = open_memstream(&body, &size);
        if (!f)
                return -ENOMEM;

        bool value_even = percent_rounded(value) == 0;
        if (value_even)
                fprintf(f, "Left and right %s even", w->noun);
        else
                put_comparison(f, w, value, true);

        if (!isnan(baseline)) {
                if (percent_rounded(baseline) == 0)
                        fputs(", usually even (baseline)", f);
                else if (value_even) {
                        fputs(", usually ", f);
                        put_comparison(f, w, baseline, false);
                        fputs(" (baseline)", f);
                } else if ((baseline > 0) == (value > 0))
                        fprintf(f, ", usually %ld%% (baseline)", percent_rounded(baseline));
                else
                        fprintf(f, ", usually %ld%% the other way (baseline)", percent_rounded(baseline));
        }
        fputc('.', f);
        /* What to do about it, there and then. */
        fputs("\n" NOTIFY_ASYMMETRY_ACTION, f);
        if (text_finish(f, &body, &body) < 0)
                return -ENOMEM;

        summary = printf_alloc("Gait asymmetry: %s", w->noun);
        return message_set(ret, NOTIFY_KIND_ASYMMETRY, NOTIFY_URGENCY_CRITICAL, summary, body);
}

/* One line per item, at most NOTIFY_LIST_MAX; empty items are skipped. */
static size_t put_lines(FILE *f, const char *const *items, size_t n_items, bool first_line) {
        size_t shown = 0, skipped = 0;

        for (size_t i = 0; i < n_items; i++) {
                if (!items[i] || items[i][0] == '\0')
                        continue;
                if (shown >= NOTIFY_LIST_MAX) {
                        skipped++;
                        continue;
                }
                if (!first_line)
                        fputc('\n', f);
                first_line = false;
                fputs("• ", f);
                put_text(f, items[i], true);
                shown++;
        }
        if (skipped > 0)
                fprintf(f, "\n• and %zu more", skipped);
        return shown + skipped;
}

int notify_message_fatigue(uint32_t level, const char *const *reasons, size_t n_reasons, struct notify_message *ret) {
        static const char *const level_names[] = { NULL, "mild", "marked", "severe" };
        char *summary, *body = NULL;
        size_t size;
        FILE *f;

        if (level < 1 || level > 3)
                return -EINVAL;

        f = open_memstream(&body, &size);
        if (!f)
                return -ENOMEM;
        if (put_lines(f, reasons, n_reasons, true) == 0)
                fputs("Your gait has drifted from its baseline.", f);
        fputs("\n" NOTIFY_FATIGUE_ACTION, f);
        if (text_finish(f, &body, &body) < 0)
                return -ENOMEM;

        summary = printf_alloc("Fatigue: %s (level %u of 3)", level_names[level], level);
        return message_set(ret, NOTIFY_KIND_FATIGUE, NOTIFY_URGENCY_NORMAL, summary, body);
}

/* More rest than this is not advice gaitmond gives. */
#define REST_DAYS_MAX 30

int notify_message_recovery(const char *summary_text, const char *const *actions, size_t n_actions,
                            uint32_t rest_days, struct notify_message *ret) {
        char *summary = NULL, *body = NULL;
        size_t size;
        FILE *f;

        if (!summary_text || rest_days > REST_DAYS_MAX)
                return -EINVAL;

        /* The summary is plain text by the notification spec: no escaping. */
        f = open_memstream(&summary, &size);
        if (!f)
                return -ENOMEM;
        if (summary_text[0] == '\0')
                fputs("Run finished", f);
        else
                put_text(f, summary_text, false);
        if (text_finish(f, &summary, &summary) < 0)
                return -ENOMEM;

        f = open_memstream(&body, &size);
        if (!f) {
                free(summary);
                return -ENOMEM;
        }
        bool none = put_lines(f, actions, n_actions, true) == 0;
        if (!none)
                fputc('\n', f);
        if (rest_days == 0)
                fputs("No rest day needed.", f);
        else
                fprintf(f, "Take %u rest day%s.", rest_days, rest_days == 1 ? "" : "s");
        if (text_finish(f, &body, &body) < 0) {
                free(summary);
                return -ENOMEM;
        }
        return message_set(ret, NOTIFY_KIND_RECOVERY, NOTIFY_URGENCY_NORMAL, summary, body);
}

int notify_message_sensor_fault(const char *location, const char *reason, struct notify_message *ret) {
        char words[NAME_MAX_LEN + 1];
        char *summary, *body = NULL;
        size_t size;
        FILE *f;

        if (!location || !reason || !name_is_valid(location))
                return -EINVAL;
        name_to_words(location, words);

        f = open_memstream(&body, &size);
        if (!f)
                return -ENOMEM;
        if (reason[0] == '\0')
                fprintf(f, "The %s sensor stopped delivering samples.", words);
        else
                put_text(f, reason, true);
        if (text_finish(f, &body, &body) < 0)
                return -ENOMEM;

        summary = printf_alloc("Sensor fault: %s", words);
        return message_set(ret, NOTIFY_KIND_SENSOR, NOTIFY_URGENCY_LOW, summary, body);
}

int notify_message_sensor_recovered(const char *location, struct notify_message *ret) {
        char words[NAME_MAX_LEN + 1];

        if (!location || !name_is_valid(location))
                return -EINVAL;
        name_to_words(location, words);

        return message_set(ret, NOTIFY_KIND_SENSOR, NOTIFY_URGENCY_LOW,
                           printf_alloc("Sensor back: %s", words),
                           printf_alloc("The %s sensor streams again.", words));
}

int notify_message_note_merged(struct notify_message *m, unsigned count) {
        char *body;

        if (count == 0)
                return 0;
        body = printf_alloc("%s\n(and %u earlier alert%s since the last notification)",
                            m->body, count, count == 1 ? "" : "s");
        if (!body)
                return -ENOMEM;
        free(m->body);
        m->body = body;
        return 0;
}

void notify_message_done(struct notify_message *m) {
        free(m->summary);
        free(m->body);
        m->summary = m->body = NULL;
}

/* Hands src's strings to dst (whose own are freed); src is left empty. */
void notify_message_move(struct notify_message *dst, struct notify_message *src) {
        notify_message_done(dst);
        *dst = *src;
        src->summary = src->body = NULL;
}
