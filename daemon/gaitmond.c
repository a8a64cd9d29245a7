/* gaitmond: the gait monitor daemon's entry point, options and main loop; wires the contexts
 * of acquisition, analysis, runs and the D-Bus object together. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>
#include <unistd.h>

#include "acquisition.h"
#include "analysis.h"
#include "config.h"
#include "log-sink.h"
#include "log.h"
#include "monitor-object.h"
#include "runs.h"
#include "sink.h"

/* The main loop's: the configuration and the contexts it wires together. Each context keeps
 * its own fields; the others read them through its getters. */
struct gaitmond {
        sd_event *event;
        sd_event_source *tick_source;
        char config_path[PATH_MAX];
        bool config_path_is_default;
        struct gm_config cfg;

        struct gm_acquisition acq;   /* sensors, threads, rings */
        struct gm_analysis analysis; /* samples into the pipeline, findings out */
        struct gm_runs runs;         /* run tracking, the history */
        struct gm_monitor monitor;   /* org.gaitmon.Monitor1 */
        struct gm_sinks sinks;       /* the log, the runs and the monitor, in that order */
        struct gm_view view;         /* what the consumers read */
};

#ifndef GAITMON_SYSCONFDIR
#define GAITMON_SYSCONFDIR "/etc"
#endif

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: gaitmond [OPTION...]\n"
                "\n"
                "Gait monitor daemon: reads the belt pack's IMUs through libiio, estimates cadence,\n"
                "stance time, hip extension, pelvic drop and left/right asymmetry, and publishes them\n"
                "on the D-Bus system bus as org.gaitmon.Monitor1.\n"
                "\n"
                "  -c, --config FILE          configuration file (default %s/gaitmon/gaitmon.conf);\n"
                "                             drop-ins are read from FILE.d/*.conf\n"
                "      --check-config         only load the configuration and report problems\n"
                "      --print-introspection  print the D-Bus interface XML and exit\n"
                "  -v, --verbose              log debug messages too\n"
                "  -h, --help                 show this help\n"
                "      --version              show the version\n"
                "\n"
                "Signals: SIGHUP reloads the configuration, SIGTERM and SIGINT stop the daemon.\n",
                GAITMON_SYSCONFDIR);
}

static int on_quit(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
        log_info("received %s, stopping", strsignal((int)si->ssi_signo));
        sd_notify(0, "STOPPING=1");
        return sd_event_exit(sd_event_source_get_event(src), 0);
}

static bool acquisition_differs(const struct gm_config *a, const struct gm_config *b)
{
        return strcmp(a->uri, b->uri) != 0 || a->sample_rate_hz != b->sample_rate_hz ||
               a->buffer_samples != b->buffer_samples || memcmp(a->sensor, b->sensor, sizeof(a->sensor)) != 0;
}

static bool analysis_differs(const struct gm_config *a, const struct gm_config *b)
{
        return a->warmup_s != b->warmup_s || a->baseline_s != b->baseline_s ||
               a->asymmetry_threshold_pct != b->asymmetry_threshold_pct || a->asymmetry_strides != b->asymmetry_strides;
}

static void on_wake(void *userdata)
{
        struct gaitmond *d = userdata;
        gm_analysis_drain(&d->analysis);
}

static int start_acquisition(struct gaitmond *d)
{
        return gm_acquisition_start(&d->acq, d->event, &d->cfg, on_wake, d);
}

static int on_reload(sd_event_source *src, const struct signalfd_siginfo *si, void *userdata)
{
        struct gaitmond *d = userdata;
        struct gm_config next;
        char err[512];
        gm_config_default(&next);
        sd_notify(0, "RELOADING=1");
        int r = gm_config_load(&next, d->config_path, d->config_path_is_default, err, sizeof(err));
        if (r < 0) {
                log_error("%s; keeping the running configuration", err);
                sd_notify(0, "READY=1");
                return 0;
        }
        if (!gm_config_sensor_mask(&next)) {
                /* As at start-up: nothing to read is no configuration to run on. */
                log_error("%s: no sensor configured in [sensors]; keeping the running configuration", d->config_path);
                sd_notify(0, "READY=1");
                return 0;
        }
        if (strcmp(next.state_directory, d->cfg.state_directory) != 0) {
                /* The history is open in the old one, with a run perhaps in progress. */
                log_warning("[daemon] state_directory changes only when gaitmond starts; the run history stays in %s",
                            d->cfg.state_directory);
                snprintf(next.state_directory, sizeof(next.state_directory), "%s", d->cfg.state_directory);
        }
        bool restart_acq = acquisition_differs(&d->cfg, &next);
        bool uri_changed = strcmp(d->cfg.uri, next.uri) != 0;
        bool restart_analysis = restart_acq || analysis_differs(&d->cfg, &next);
        if (next.idle_timeout_s != d->cfg.idle_timeout_s || next.fatigue_threshold != d->cfg.fatigue_threshold) {
                /* The run in progress goes on under the new limits. */
                r = gm_runs_set_limits(&d->runs, next.idle_timeout_s, next.fatigue_threshold);
                if (r < 0) {
                        log_error("cannot apply the new run limits: %s; keeping the running configuration",
                                  strerror(-r));
                        sd_notify(0, "READY=1");
                        return 0;
                }
        }
        if (restart_acq)
                gm_acquisition_stop(&d->acq);
        d->cfg = next;
        if (restart_analysis) {
                /* New sensors or thresholds: start the analysis afresh on the new settings (on
                 * other devices or another rate, what they deliver is measured again). The
                 * sample clock goes on (the run tracker needs time to move forward); reopened
                 * sensors whose clocks differ are re-anchored as after a restart. */
                gm_acquisition_configure(&d->acq, &d->cfg);
                r = gm_analysis_restart(&d->analysis, restart_acq);
                if (r < 0)
                        return sd_event_exit(d->event, r);
        }
        if (restart_acq) {
                gm_analysis_reopened(&d->analysis, gm_acquisition_mask(&d->acq), !uri_changed);
                r = start_acquisition(d);
                if (r < 0)
                        return sd_event_exit(d->event, r);
        }
        log_info("configuration reloaded from %s%s", d->config_path,
                 restart_acq        ? "; sensors reopened"
                 : restart_analysis ? "; analysis restarted"
                                    : "");
        sd_notify(0, "READY=1");
        return 0;
}

static void update_status(struct gaitmond *d)
{
        unsigned configured = 0, streaming = 0;
        for (int loc = 0; loc < GM_LOC_COUNT; loc++) {
                if (!gm_acquisition_configured(&d->acq, loc))
                        continue;
                configured++;
                streaming += gm_acquisition_streaming(&d->acq, loc);
        }
        const struct gm_metrics *metrics = gm_analysis_metrics(&d->analysis);
        double cadence = gm_analysis_cadence(&d->analysis);
        char line[200];
        if (isfinite(cadence))
                snprintf(line, sizeof(line), "STATUS=%s, %.0f steps/min, %llu steps, %u/%u sensors streaming",
                         gm_activity_name(metrics->activity), cadence, (unsigned long long)metrics->steps, streaming,
                         configured);
        else
                snprintf(line, sizeof(line), "STATUS=%s, %llu steps, %u/%u sensors streaming",
                         gm_activity_name(metrics->activity), (unsigned long long)metrics->steps, streaming,
                         configured);
        sd_notify(0, line);
}

static int on_tick(sd_event_source *src, uint64_t usec, void *userdata)
{
        struct gaitmond *d = userdata;
        gm_analysis_drain(&d->analysis);
        gm_analysis_tick(&d->analysis);
        update_status(d);
        sd_event_source_set_time(src, usec + 1000000);
        return 0;
}

static int parse_args(struct gaitmond *d, int argc, char **argv, bool *check_only, bool *introspect)
{
        enum { ARG_VERSION = 0x100, ARG_CHECK, ARG_INTROSPECT };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "check-config", no_argument, NULL, ARG_CHECK },
                { "print-introspection", no_argument, NULL, ARG_INTROSPECT },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                {},
        };
        int c;
        snprintf(d->config_path, sizeof(d->config_path), "%s/gaitmon/gaitmon.conf", GAITMON_SYSCONFDIR);
        d->config_path_is_default = true;
        while ((c = getopt_long(argc, argv, "c:vh", options, NULL)) >= 0) {
                switch (c) {
                case 'c':
                        if (snprintf(d->config_path, sizeof(d->config_path), "%s", optarg) >=
                            (int)sizeof(d->config_path)) {
                                fprintf(stderr, "gaitmond: configuration path too long\n");
                                return -EINVAL;
                        }
                        d->config_path_is_default = false;
                        break;
                case ARG_CHECK:
                        *check_only = true;
                        break;
                case ARG_INTROSPECT:
                        *introspect = true;
                        break;
                case 'v':
                        gm_log_init("gaitmond", LOG_DEBUG);
                        break;
                case 'h':
                        usage(stdout);
                        exit(EXIT_SUCCESS);
                case ARG_VERSION:
                        printf("gaitmond %s\n", GAITMON_VERSION);
                        exit(EXIT_SUCCESS);
                default:
                        usage(stderr);
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "gaitmond: unexpected argument '%s'\n", argv[optind]);
                usage(stderr);
                return -EINVAL;
        }
        return 0;
}

static void gaitmond_free(struct gaitmond *d)
{
        gm_acquisition_stop(&d->acq);
        gm_sinks_remove(&d->sinks, &gm_monitor_sink, &d->monitor);
        gm_monitor_stop(&d->monitor);
        gm_runs_free(&d->runs);
        gm_analysis_free(&d->analysis);
        d->tick_source = sd_event_source_disable_unref(d->tick_source);
        d->event = sd_event_unref(d->event);
}

static int run(struct gaitmond *d)
{
        int r = sd_event_default(&d->event);
        if (r < 0) {
                log_error("cannot create the event loop: %s", strerror(-r));
                return r;
        }
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN); /* a vanished peer is an error return, not a death */
        if ((r = sd_event_add_signal(d->event, NULL, SIGTERM, on_quit, d)) < 0 ||
            (r = sd_event_add_signal(d->event, NULL, SIGINT, on_quit, d)) < 0 ||
            (r = sd_event_add_signal(d->event, NULL, SIGHUP, on_reload, d)) < 0) {
                log_error("cannot watch signals: %s", strerror(-r));
                return r;
        }
        /* Sends WATCHDOG=1 by itself when the service manager asks for it. */
        (void)sd_event_set_watchdog(d->event, true);

        d->view = (struct gm_view){ .acq = &d->acq, .analysis = &d->analysis, .runs = &d->runs };
        d->sinks.view = &d->view;
        r = gm_analysis_init(&d->analysis, &d->cfg, &d->acq, &d->sinks);
        if (r < 0)
                return r;
        r = gm_runs_init(&d->runs, &d->cfg, &d->sinks);
        if (r < 0)
                return r;
        /* The log first: each finding is said before the runs and the bus act on it. */
        if ((r = gm_sinks_add(&d->sinks, &gm_log_sink, NULL)) < 0 ||
            (r = gm_sinks_add(&d->sinks, &gm_runs_sink, &d->runs)) < 0 ||
            (r = gm_sinks_add(&d->sinks, &gm_monitor_sink, &d->monitor)) < 0) {
                log_error("cannot register the consumers of the analysis: %s", strerror(-r));
                return r;
        }
        r = gm_monitor_start(&d->monitor, d->event, &d->view, &d->analysis, &d->runs);
        if (r < 0)
                return r;
        r = start_acquisition(d);
        if (r < 0)
                return r;
        uint64_t now;
        sd_event_now(d->event, CLOCK_MONOTONIC, &now);
        r = sd_event_add_time(d->event, &d->tick_source, CLOCK_MONOTONIC, now + 1000000, 100000, on_tick, d);
        if (r < 0) {
                log_error("cannot add the status timer: %s", strerror(-r));
                return r;
        }
        sd_event_source_set_enabled(d->tick_source, SD_EVENT_ON);
        sd_notify(0, "STATUS=waiting for sensors");
        return sd_event_loop(d->event);
}

int main(int argc, char **argv)
{
        static struct gaitmond d;
        bool check_only = false, introspect = false;
        gm_log_init("gaitmond", LOG_INFO);
        /* Health data: the history is for the service and its group, whoever started it. */
        umask(0027);
        if (parse_args(&d, argc, argv, &check_only, &introspect) < 0)
                return EXIT_FAILURE;

        if (introspect)
                return gm_monitor_write_xml(stdout) < 0 ? EXIT_FAILURE : EXIT_SUCCESS;

        gm_config_default(&d.cfg);
        char err[512];
        /* A check of nothing is no check: without the file, say so. */
        if (gm_config_load(&d.cfg, d.config_path, d.config_path_is_default && !check_only, err, sizeof(err)) < 0) {
                log_error("%s", err);
                return EXIT_FAILURE;
        }
        gm_acquisition_init(&d.acq, &d.cfg);
        if (!gm_acquisition_mask(&d.acq)) {
                log_error("%s: no sensor configured in [sensors]", d.config_path);
                return EXIT_FAILURE;
        }
        if (check_only) {
                printf("%s: ok\n", d.config_path);
                return EXIT_SUCCESS;
        }
        int r = run(&d);
        gaitmond_free(&d);
        if (r < 0) {
                sd_notifyf(0, "ERRNO=%d", -r);
                return EXIT_FAILURE;
        }
        return EXIT_SUCCESS;
}
