/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gm_balance.h"
#include "gm_metric.h"
#include "notify-message.h"

static const char *const kind_names[_NOTIFY_KIND_MAX] = {
        [NOTIFY_KIND_ASYMMETRY] = "asymmetry",
        [NOTIFY_KIND_FATIGUE] = "fatigue",
        [NOTIFY_KIND_RECOVERY] = "recovery",
        [NOTIFY_KIND_SENSOR] = "sensor",
};

const char *notify_kind_to_string(enum notify_kind kind)
{
        return kind >= 0 && kind < _NOTIFY_KIND_MAX ? kind_names[kind] : NULL;
}

int notify_kind_from_string(const char *s)
{
        for (int k = 0; k < _NOTIFY_KIND_MAX; k++)
                if (strcmp(s, kind_names[k]) == 0)
                        return k;
        return -EINVAL;
}

#define NAME_MAX_LEN 32

/* Metric and location names are short identifiers; anything else is not
 * something gaitmond sends. */
static bool name_is_valid(const char *s)
{
        size_t n = strlen(s);

        if (n == 0 || n > NAME_MAX_LEN)
                return false;
        return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == n;
}

static void name_to_words(const char *name, char out[static NAME_MAX_LEN + 1])
{
        size_t i;

        for (i = 0; name[i] && i < NAME_MAX_LEN; i++)
                out[i] = name[i] == '_' ? ' ' : name[i];
        out[i] = '\0';
}

/* Appends daemon-supplied text to a body: cut at NOTIFY_TEXT_MAX bytes on a
 * character boundary, control characters made spaces, and the three
 * characters that body markup gives meaning to escaped. */
static void put_text(FILE *f, const char *s, bool markup)
{
        size_t n = strlen(s);
        bool cut = false;

        if (n > NOTIFY_TEXT_MAX) {
                n = NOTIFY_TEXT_MAX;
                while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
                        n--;
                cut = true;
        }
        for (size_t i = 0; i < n; i++) {
                unsigned char c = (unsigned char)s[i];

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

static int text_finish(FILE *f, char **buf, char **ret)
{
        if (fclose(f) != 0) {
                free(*buf);
                *buf = NULL;
                return -ENOMEM;
        }
        *ret = *buf;
        return 0;
}

static int message_set(struct notify_message *ret, enum notify_kind kind, enum notify_urgency urgency, char *summary,
                       char *body)
{
        if (!summary || !body) {
                free(summary);
                free(body);
                return -ENOMEM;
        }
        *ret = (struct notify_message){
                .kind = kind,
                .urgency = urgency,
                .summary = summary,
                .body = body,
                .rank = NAN,
        };
        return 0;
}

static char *printf_alloc(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *printf_alloc(const char *fmt, ...)
{
        va_list ap;
        char *s;
        int r;

        va_start(ap, fmt);
        r = vasprintf(&s, fmt, ap);
        va_end(ap);
        return r < 0 ? NULL : s;
}

/* SI is bounded: 100·(L−R)/((L+R)/2) lies within ±200 for non-negative L and R. */
static bool si_is_valid(double v)
{
        return isfinite(v) && fabs(v) <= 200.0;
}

/* An asymmetry of the hip or the pelvis, the signs of weak glutes, matters more than one of
 * timing or impact (which a change of pace or of ground also makes). */
static bool metric_is_glute_sign(const char *metric)
{
        const struct gm_metric_info *info = gm_metric_info(gm_metric_from_name(metric));
        return info && info->glute_sign;
}

int notify_message_asymmetry(const char *metric, double value, double baseline, struct notify_message *ret)
{
        char noun_buf[NAME_MAX_LEN + 1], phrase[128], now[40], usual[40];
        char *summary, *body = NULL;
        const char *noun;
        size_t size;
        FILE *f;
        int r;

        if (!metric || !name_is_valid(metric) || !si_is_valid(value))
                return -EINVAL;
        /* A baseline not learned yet may come as NaN: then it is left out. */
        if (!isnan(baseline) && !si_is_valid(baseline))
                return -EINVAL;
        noun = gm_balance_metric_noun(metric, noun_buf, sizeof(noun_buf));

        f = open_memstream(&body, &size);
        if (!f)
                return -ENOMEM;
        /* "Hip extension 47.0 % L / 53.0 % R, usually 49.8 % L / 50.2 % R: the left hip extends
         * less than usual." The side named is the one the change from the baseline points to. */
        fprintf(f, "%c%s %s", toupper((unsigned char)noun[0]), noun + 1, gm_balance_format(now, sizeof(now), value));
        if (!isnan(baseline)) {
                double shift = value - baseline;
                enum gm_side side = fabs(shift) < 0.05 ? GM_SIDE_UNKNOWN : gm_balance_concern_side(metric, shift);
                fprintf(f, ", usually %s: %s%s.", gm_balance_format(usual, sizeof(usual), baseline),
                        gm_balance_side_phrase(metric, side, phrase, sizeof(phrase)),
                        side == GM_SIDE_UNKNOWN ? "" : " than usual");
        } else {
                enum gm_side side = fabs(value) < 0.05 ? GM_SIDE_UNKNOWN : gm_balance_concern_side(metric, value);
                fprintf(f, ": %s.", gm_balance_side_phrase(metric, side, phrase, sizeof(phrase)));
        }
        /* What to do about it, there and then. */
        fputs("\n" NOTIFY_ASYMMETRY_ACTION, f);
        if (text_finish(f, &body, &body) < 0)
                return -ENOMEM;

        summary = printf_alloc("Gait asymmetry: %s", noun);
        r = message_set(ret, NOTIFY_KIND_ASYMMETRY, NOTIFY_URGENCY_CRITICAL, summary, body);
        if (r < 0)
                return r;
        ret->rank = (metric_is_glute_sign(metric) ? 1000 : 0) + fabs(isnan(baseline) ? value : value - baseline);
        snprintf(ret->topic, sizeof(ret->topic), "%s", noun);
        return 0;
}

/* One line per item, at most NOTIFY_LIST_MAX; empty items are skipped. */
static size_t put_lines(FILE *f, const char *const *items, size_t n_items, bool first_line)
{
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

int notify_message_fatigue(uint32_t level, const char *const *reasons, size_t n_reasons, struct notify_message *ret)
{
        static const char *const level_names[] = { NULL, "mild", "marked", "severe" };
        char *summary, *body = NULL;
        size_t size;
        FILE *f;
        int r;

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
        r = message_set(ret, NOTIFY_KIND_FATIGUE, NOTIFY_URGENCY_NORMAL, summary, body);
        if (r < 0)
                return r;
        ret->rank = level;
        snprintf(ret->topic, sizeof(ret->topic), "%s fatigue", level_names[level]);
        return 0;
}

/* More rest than this is not advice gaitmond gives. */
#define REST_DAYS_MAX 30

int notify_message_recovery(const char *summary_text, const char *const *actions, size_t n_actions, uint32_t rest_days,
                            struct notify_message *ret)
{
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

int notify_message_sensor_fault(const char *location, const char *reason, struct notify_message *ret)
{
        char words[NAME_MAX_LEN + 1];
        char *summary, *body = NULL;
        size_t size;
        FILE *f;
        int r;

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
        fputs("\n" NOTIFY_SENSOR_ACTION, f);
        if (text_finish(f, &body, &body) < 0)
                return -ENOMEM;

        summary = printf_alloc("Sensor fault: %s", words);
        r = message_set(ret, NOTIFY_KIND_SENSOR, NOTIFY_URGENCY_LOW, summary, body);
        if (r >= 0)
                snprintf(ret->topic, sizeof(ret->topic), "%s", words);
        return r;
}

int notify_message_sensor_recovered(const char *location, struct notify_message *ret)
{
        char words[NAME_MAX_LEN + 1];
        int r;

        if (!location || !name_is_valid(location))
                return -EINVAL;
        name_to_words(location, words);

        r = message_set(ret, NOTIFY_KIND_SENSOR, NOTIFY_URGENCY_LOW, printf_alloc("Sensor back: %s", words),
                        printf_alloc("The %s sensor streams again.", words));
        if (r >= 0)
                snprintf(ret->topic, sizeof(ret->topic), "%s back", words);
        return r;
}

int notify_message_note_merged(struct notify_message *m, unsigned count, const char *others)
{
        char *body;

        if (count == 0)
                return 0;
        body = printf_alloc("%s\n(%u other alert%s meanwhile%s%s)", m->body, count, count == 1 ? "" : "s",
                            others && others[0] ? ": " : "", others ? others : "");
        if (!body)
                return -ENOMEM;
        free(m->body);
        m->body = body;
        return 0;
}

int notify_message_copy(struct notify_message *dst, const struct notify_message *src)
{
        char *summary = strdup(src->summary), *body = strdup(src->body);

        if (!summary || !body) {
                free(summary);
                free(body);
                return -ENOMEM;
        }
        notify_message_done(dst);
        *dst = *src;
        dst->summary = summary;
        dst->body = body;
        return 0;
}

void notify_message_done(struct notify_message *m)
{
        free(m->summary);
        free(m->body);
        m->summary = m->body = NULL;
}

/* Hands src's strings to dst (whose own are freed); src is left empty. */
void notify_message_move(struct notify_message *dst, struct notify_message *src)
{
        notify_message_done(dst);
        *dst = *src;
        src->summary = src->body = NULL;
}
