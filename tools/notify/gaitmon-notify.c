/* SPDX-License-Identifier: MIT */
/* gaitmon-notify: the user-session agent that shows gaitmond's alerts as
 * desktop notifications. This file holds the loop and the cool-down that
 * keeps a flood of alerts from becoming a flood of notifications. */

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-event.h>

#include "daemon-watch.h"
#include "notify-client.h"
#include "log.h"
#include "notify-message.h"

#define USEC_PER_SEC 1000000ULL
#define COOLDOWN_MAX_SEC 86400.0
/* An alert shown this recently is replaced only by a more important one of its kind. */
#define HOLD_USEC (300 * USEC_PER_SEC)

/* Alerts of one kind within the cool-down are merged into one update that
 * is shown when it ends: the most important of them and of the one shown in
 * the last HOLD_USEC, with a count of the others and what they were about. */
struct cooldown {
        struct agent *agent;
        uint64_t usec;
        uint64_t last_shown;         /* CLOCK_MONOTONIC; 0: never */
        struct notify_message shown; /* as last shown, without its note; set when summary != NULL */
        uint64_t shown_at;
        struct notify_message waiting; /* set when summary != NULL */
        unsigned merged;               /* alerts folded into waiting */
        char others[160];              /* their topics */
        unsigned noted;                /* alerts named under the one shown */
        char noted_topics[160];
        sd_event_source *timer;
};

struct agent {
        sd_event *event;
        struct daemon_watch *watch;
        struct notify_client *client;
        struct cooldown cooldowns[_NOTIFY_KIND_MAX];
};

struct options {
        double cooldown_sec[_NOTIFY_KIND_MAX];
        const char *system_address;
        const char *session_address;
        bool verbose;
};

static uint64_t now_usec(sd_event *event)
{
        uint64_t now = 0;

        (void)sd_event_now(event, CLOCK_MONOTONIC, &now);
        return now;
}

/* Whether a newer alert takes the place of an older one of its kind. */
static bool supersedes(const struct notify_message *newer, const struct notify_message *older)
{
        return !isfinite(newer->rank) || !isfinite(older->rank) || newer->rank >= older->rank;
}

/* Adds a topic to a comma-separated list of size TOPICS_MAX, each topic once. */
#define TOPICS_MAX sizeof(((struct cooldown *)0)->others)
static void add_topic(char *list, const char *topic)
{
        size_t n = strlen(list), k = strlen(topic);
        const char *p = list;

        if (k == 0)
                return;
        while ((p = strstr(p, topic))) {
                if ((p == list || (p - list >= 2 && p[-2] == ',')) && (p[k] == '\0' || p[k] == ','))
                        return;
                p += k;
        }
        if (n + (n ? 2 : 0) + k + 1 > TOPICS_MAX)
                return;
        snprintf(list + n, TOPICS_MAX - n, "%s%s", n ? ", " : "", topic);
}

static void add_topics(char *list, const char *more)
{
        char copy[TOPICS_MAX], *save = NULL;

        snprintf(copy, sizeof(copy), "%s", more);
        for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
                add_topic(list, t + strspn(t, " "));
}

/* Shows m, or the alert on screen with m named below it when that one matters more. The
 * alerts merged into m in the cool-down are named below whichever is shown. */
static void agent_show(struct agent *a, struct cooldown *cd, struct notify_message *m)
{
        uint64_t now = now_usec(a->event);
        struct notify_message post = {};

        if (cd->shown.summary && now < cd->shown_at + (cd->usec > HOLD_USEC ? cd->usec : HOLD_USEC) &&
            !supersedes(m, &cd->shown) && notify_message_copy(&post, &cd->shown) >= 0) {
                cd->noted += cd->merged + 1;
                add_topics(cd->noted_topics, cd->others);
                add_topic(cd->noted_topics, m->topic);
                notify_message_done(m);
        } else {
                if (notify_message_copy(&cd->shown, m) >= 0)
                        cd->shown_at = now;
                else
                        notify_message_done(&cd->shown);
                cd->noted = cd->merged;
                snprintf(cd->noted_topics, sizeof(cd->noted_topics), "%s", cd->others);
                notify_message_move(&post, m);
        }
        if (notify_message_note_merged(&post, cd->noted, cd->noted_topics) < 0)
                log_error("Out of memory; the count of merged alerts is left out.");
        cd->merged = 0;
        cd->others[0] = '\0';
        cd->last_shown = now;
        notify_client_post(a->client, &post);
        notify_message_done(&post);
}

static int on_cooldown_end(sd_event_source *s, uint64_t usec, void *userdata)
{
        struct cooldown *cd = userdata;

        if (!cd->waiting.summary)
                return 0;
        agent_show(cd->agent, cd, &cd->waiting);
        return 0;
}

static void on_alert(struct notify_message *m, void *userdata)
{
        struct agent *a = userdata;
        struct cooldown *cd = &a->cooldowns[m->kind];
        uint64_t now = now_usec(a->event);

        log_debug("Alert: %s: %s", m->summary, m->body);

        if (!cd->waiting.summary && (cd->last_shown == 0 || now >= cd->last_shown + cd->usec)) {
                agent_show(a, cd, m);
                return;
        }
        if (!cd->waiting.summary) {
                (void)sd_event_source_set_time(cd->timer, cd->last_shown + cd->usec);
                (void)sd_event_source_set_enabled(cd->timer, SD_EVENT_ONESHOT);
                notify_message_move(&cd->waiting, m);
                return;
        }
        /* The one that matters more waits; the other is counted and named. */
        cd->merged++;
        if (supersedes(m, &cd->waiting)) {
                add_topic(cd->others, cd->waiting.topic);
                notify_message_move(&cd->waiting, m);
        } else {
                add_topic(cd->others, m->topic);
                notify_message_done(m);
        }
}

static void agent_done(struct agent *a)
{
        a->watch = daemon_watch_free(a->watch);
        a->client = notify_client_free(a->client);
        for (int k = 0; k < _NOTIFY_KIND_MAX; k++) {
                a->cooldowns[k].timer = sd_event_source_disable_unref(a->cooldowns[k].timer);
                notify_message_done(&a->cooldowns[k].waiting);
                notify_message_done(&a->cooldowns[k].shown);
        }
        a->event = sd_event_unref(a->event);
}

static int agent_init(struct agent *a, const struct options *o)
{
        sigset_t mask;
        int r;

        r = sd_event_default(&a->event);
        if (r < 0)
                return r;

        /* Blocked so that sd-event receives them; its default handler ends
         * the loop with exit code 0. */
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        r = sd_event_add_signal(a->event, NULL, SIGTERM, NULL, NULL);
        if (r < 0)
                return r;
        r = sd_event_add_signal(a->event, NULL, SIGINT, NULL, NULL);
        if (r < 0)
                return r;

        for (int k = 0; k < _NOTIFY_KIND_MAX; k++) {
                struct cooldown *cd = &a->cooldowns[k];

                cd->agent = a;
                cd->usec = (uint64_t)llround(o->cooldown_sec[k] * USEC_PER_SEC);
                r = sd_event_add_time(a->event, &cd->timer, CLOCK_MONOTONIC, 0, 0, on_cooldown_end, cd);
                if (r < 0)
                        return r;
                (void)sd_event_source_set_enabled(cd->timer, SD_EVENT_OFF);
                (void)sd_event_source_set_description(cd->timer, notify_kind_to_string(k));
        }

        r = notify_client_new(a->event, o->session_address, &a->client);
        if (r < 0)
                return r;
        return daemon_watch_new(a->event, o->system_address, on_alert, a, &a->watch);
}

static void help(void)
{
        printf("Usage: gaitmon-notify [OPTION]...\n"
               "Show gaitmond's gait alerts as desktop notifications.\n\n"
               "Listens on the system bus to org.gaitmon.Monitor1 (asymmetry spikes, fatigue,\n"
               "recovery advice, sensor faults) and posts them through the notification server\n"
               "of the session bus, one notification per kind, updated in place.\n\n"
               "Options:\n"
               "  -c, --cooldown [KIND=]SECONDS  shortest time between two notifications of a\n"
               "                                 kind; alerts in between are merged into the\n"
               "                                 next one. KIND is asymmetry, fatigue,\n"
               "                                 recovery or sensor; without it, every kind.\n"
               "                                 Defaults: asymmetry=60 fatigue=60 recovery=0\n"
               "                                 sensor=10. May be given more than once.\n"
               "      --system-address ADDRESS   system bus to listen on (default: the\n"
               "                                 environment's DBUS_SYSTEM_BUS_ADDRESS or the\n"
               "                                 standard system bus)\n"
               "      --session-address ADDRESS  session bus of the notification server\n"
               "                                 (default: DBUS_SESSION_BUS_ADDRESS)\n"
               "  -v, --verbose                  log every alert\n"
               "  -h, --help                     show this help and exit\n"
               "      --version                  show the version and exit\n\n"
               "It waits for gaitmond and for a notification server when they are not there,\n"
               "reconnects when a bus goes away, and exits on SIGTERM or SIGINT.\n");
}

static int parse_cooldown(const char *arg, struct options *o)
{
        const char *eq = strchr(arg, '='), *number = eq ? eq + 1 : arg;
        int kind = -1;
        char *end;
        double sec;

        if (eq) {
                char name[16];
                size_t n = (size_t)(eq - arg);

                if (n >= sizeof(name))
                        return -EINVAL;
                memcpy(name, arg, n);
                name[n] = '\0';
                kind = notify_kind_from_string(name);
                if (kind < 0)
                        return -EINVAL;
        }
        errno = 0;
        sec = strtod(number, &end);
        if (errno != 0 || end == number || *end != '\0' || !isfinite(sec) || sec < 0 || sec > COOLDOWN_MAX_SEC)
                return -EINVAL;
        for (int k = 0; k < _NOTIFY_KIND_MAX; k++)
                if (kind < 0 || k == kind)
                        o->cooldown_sec[k] = sec;
        return 0;
}

/* Returns 1 to run, 0 to exit successfully, negative on bad usage. */
static int parse_argv(int argc, char *argv[], struct options *o)
{
        enum { ARG_VERSION = 0x100, ARG_SYSTEM_ADDRESS, ARG_SESSION_ADDRESS };
        static const struct option long_options[] = { { "cooldown", required_argument, NULL, 'c' },
                                                      { "system-address", required_argument, NULL, ARG_SYSTEM_ADDRESS },
                                                      { "session-address", required_argument, NULL,
                                                        ARG_SESSION_ADDRESS },
                                                      { "verbose", no_argument, NULL, 'v' },
                                                      { "help", no_argument, NULL, 'h' },
                                                      { "version", no_argument, NULL, ARG_VERSION },
                                                      {} };
        int c;

        while ((c = getopt_long(argc, argv, "c:vh", long_options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        if (parse_cooldown(optarg, o) < 0) {
                                fprintf(stderr,
                                        "gaitmon-notify: invalid --cooldown '%s': expected SECONDS or "
                                        "KIND=SECONDS (KIND: asymmetry, fatigue, recovery, sensor; "
                                        "0 to %.0f seconds)\n",
                                        optarg, COOLDOWN_MAX_SEC);
                                return -EINVAL;
                        }
                        break;
                case ARG_SYSTEM_ADDRESS:
                        o->system_address = optarg;
                        break;
                case ARG_SESSION_ADDRESS:
                        o->session_address = optarg;
                        break;
                case 'v':
                        o->verbose = true;
                        break;
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("gaitmon-notify %s\n", GAITMON_VERSION);
                        return 0;
                default:
                        fprintf(stderr, "Try 'gaitmon-notify --help'.\n");
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "gaitmon-notify: unexpected argument '%s'. Try 'gaitmon-notify --help'.\n",
                        argv[optind]);
                return -EINVAL;
        }
        return 1;
}

int main(int argc, char *argv[])
{
        struct options o = {
                .cooldown_sec = {
                        [NOTIFY_KIND_ASYMMETRY] = 60,
                        [NOTIFY_KIND_FATIGUE] = 60,
                        [NOTIFY_KIND_RECOVERY] = 0,
                        [NOTIFY_KIND_SENSOR] = 10,
                },
        };
        struct agent a = {};
        int r;

        gm_log_init("gaitmon-notify", LOG_INFO);
        r = parse_argv(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? 2 : EXIT_SUCCESS;
        if (o.verbose)
                gm_log_init("gaitmon-notify", LOG_DEBUG);

        r = agent_init(&a, &o);
        if (r < 0) {
                log_error("Cannot start: %s", strerror(-r));
                agent_done(&a);
                return EXIT_FAILURE;
        }
        r = sd_event_loop(a.event);
        if (r < 0)
                log_error("Event loop failed: %s", strerror(-r));
        else
                log_info("Exiting.");
        agent_done(&a);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
