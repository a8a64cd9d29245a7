/* gaitmonctl: query and control gaitmond over the system bus. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl.h"
#include "ctl-bus.h"
#include "ctl-log.h"

#define DEFAULT_DAYS 30
#define EXIT_USAGE 2

static void help(void)
{
        printf("Usage: gaitmonctl [OPTIONS...] COMMAND ...\n"
               "\n"
               "Query and control gaitmond, the gait monitor, over the system bus.\n"
               "\n"
               "Commands:\n"
               "  status                 Show every live metric of gaitmond (default)\n"
               "  watch                  Show the live metrics, updated as they change\n"
               "  history                List the runs of the last days\n"
               "  show RUN               Show one run: summary, advice and every minute\n"
               "  export RUN             Write a run with its minutes and strides as FIT, CSV or JSON\n"
               "  delete RUN             Delete a run from the history for good\n"
               "  delete --all [--before DATE]\n"
               "                         Delete every run (that started before DATE)\n"
               "  end-run                End the current run now\n"
               "  reset-baseline         Forget the asymmetry baseline and learn it again\n"
               "\n"
               "Options:\n"
               "  -h --help              Show this help\n"
               "     --version           Show the version\n"
               "     --json              Print JSON (NaN, an unmeasured value, as null)\n"
               "     --no-pager          history, show: do not pipe the output into a pager\n"
               "     --days N            history: runs of the last N days (default %d, 0: all)\n"
               "     --svg FILE          show: also write a chart of cadence, asymmetry and hip\n"
               "                         extension over the run as SVG (- for stdout, then only it)\n"
               "     --duration SECONDS  watch: stop after this long (default: until Ctrl-C)\n"
               "     --format FORMAT     export: fit (default), csv or json\n"
               "  -o --output FILE       export: write to FILE (default: stdout)\n"
               "     --all               delete: every run, not one\n"
               "     --before DATE       delete --all: only runs that started before DATE\n"
               "                         (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, local time)\n"
               "\n"
               "The system bus is DBUS_SYSTEM_BUS_ADDRESS when set. Exit status: 0 success,\n"
               "1 failure, 2 bad usage.\n",
               DEFAULT_DAYS);
}

enum {
        ARG_VERSION = 0x100,
        ARG_JSON,
        ARG_NO_PAGER,
        ARG_DAYS,
        ARG_SVG,
        ARG_DURATION,
        ARG_FORMAT,
        ARG_ALL,
        ARG_BEFORE,
};

struct options {
        struct ctl_context ctl;
        const char *verb;
        const char *run; /* show's, export's and delete's argument */
        uint64_t run_id;
        /* Verb-specific options given, checked against the verb. */
        bool days_set, svg_set, duration_set, format_set, output_set, all_set, before_set;
};

static int parse_uint32(const char *s, uint32_t *ret)
{
        char *end;
        unsigned long long v;

        if (!s[0] || s[0] == '-' || s[0] == '+')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end || v > UINT32_MAX)
                return -ERANGE;
        *ret = (uint32_t)v;
        return 0;
}

/* YYYY-MM-DD[THH:MM[:SS]] in local time, as µs since the epoch. */
static int parse_date(const char *s, int64_t *ret)
{
        static const char *const formats[] = { "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d" };

        for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++) {
                struct tm tm = { .tm_isdst = -1 };
                const char *end = strptime(s, formats[i], &tm);
                if (!end || *end)
                        continue;
                time_t t = mktime(&tm);
                if (t == (time_t)-1)
                        return -EINVAL;
                *ret = (int64_t)t * 1000000;
                return 0;
        }
        return -EINVAL;
}

static int parse_args(int argc, char **argv, struct options *o)
{
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, ARG_VERSION },
                { "json", no_argument, NULL, ARG_JSON },
                { "no-pager", no_argument, NULL, ARG_NO_PAGER },
                { "days", required_argument, NULL, ARG_DAYS },
                { "svg", required_argument, NULL, ARG_SVG },
                { "duration", required_argument, NULL, ARG_DURATION },
                { "format", required_argument, NULL, ARG_FORMAT },
                { "output", required_argument, NULL, 'o' },
                { "all", no_argument, NULL, ARG_ALL },
                { "before", required_argument, NULL, ARG_BEFORE },
                {},
        };
        int c;

        o->ctl.days = DEFAULT_DAYS;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":ho:", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case ARG_VERSION:
                        printf("gaitmonctl %s\n", GAITMON_VERSION);
                        return 0;
                case ARG_JSON:
                        o->ctl.json = true;
                        break;
                case ARG_NO_PAGER:
                        o->ctl.no_pager = true;
                        break;
                case ARG_DAYS:
                        if (parse_uint32(optarg, &o->ctl.days) < 0) {
                                ctl_log("Invalid number of days '%s': expected a whole number from 0 up.", optarg);
                                return -EINVAL;
                        }
                        o->days_set = true;
                        break;
                case ARG_SVG:
                        if (!optarg[0]) {
                                ctl_log("--svg needs a file name (or - for stdout).");
                                return -EINVAL;
                        }
                        o->ctl.svg_path = optarg;
                        o->svg_set = true;
                        break;
                case ARG_DURATION: {
                        char *end;
                        errno = 0;
                        double d = strtod(optarg, &end);
                        if (errno != 0 || end == optarg || *end || !isfinite(d) || d <= 0) {
                                ctl_log("Invalid duration '%s': expected seconds, more than 0.", optarg);
                                return -EINVAL;
                        }
                        o->ctl.duration_s = d;
                        o->duration_set = true;
                        break;
                }
                case ARG_FORMAT:
                        if (strcmp(optarg, "fit") && strcmp(optarg, "csv") && strcmp(optarg, "json")) {
                                ctl_log("Unknown export format '%s': expected fit, csv or json.", optarg);
                                return -EINVAL;
                        }
                        o->ctl.format = optarg;
                        o->format_set = true;
                        break;
                case 'o':
                        if (!optarg[0]) {
                                ctl_log("-o needs a file name (or - for stdout).");
                                return -EINVAL;
                        }
                        o->ctl.output = optarg;
                        o->output_set = true;
                        break;
                case ARG_ALL:
                        o->ctl.delete_all = true;
                        o->all_set = true;
                        break;
                case ARG_BEFORE:
                        if (parse_date(optarg, &o->ctl.before_us) < 0) {
                                ctl_log("Invalid date '%s': expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS.", optarg);
                                return -EINVAL;
                        }
                        o->ctl.before_set = true;
                        o->before_set = true;
                        break;
                case ':':
                        ctl_log("Option '%s' needs a value.", argv[optind - 1]);
                        return -EINVAL;
                default:
                        ctl_log("Unknown option '%s'. See 'gaitmonctl --help'.", argv[optind - 1]);
                        return -EINVAL;
                }

        o->verb = optind < argc ? argv[optind++] : "status";
        if (o->before_set && !o->all_set) {
                ctl_log("--before goes with --all: 'gaitmonctl delete --all --before DATE'.");
                return -EINVAL;
        }
        bool takes_run = strcmp(o->verb, "show") == 0 || strcmp(o->verb, "export") == 0 ||
                         (strcmp(o->verb, "delete") == 0 && !o->all_set);
        if (takes_run) {
                if (optind >= argc) {
                        ctl_log("'%s' needs a run id (see 'gaitmonctl history')%s.", o->verb,
                                strcmp(o->verb, "delete") == 0 ? ", or --all" : "");
                        return -EINVAL;
                }
                o->run = argv[optind++];
        }
        if (optind < argc) {
                ctl_log("Too many arguments for '%s': '%s'.", o->verb, argv[optind]);
                return -EINVAL;
        }
        return 1;
}

struct verb {
        const char *name;
        const char *options[2]; /* the verb-specific options it takes */
};

static const struct verb verbs[] = {
        { "status", {} },
        { "watch", { "--duration" } },
        { "history", { "--days" } },
        { "show", { "--svg" } },
        { "export", { "--format", "--output" } },
        { "delete", { "--all", "--before" } },
        { "end-run", {} },
        { "reset-baseline", {} },
};

static int check_verb(const struct options *o)
{
        const struct verb *v = NULL;

        for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
                if (strcmp(verbs[i].name, o->verb) == 0)
                        v = &verbs[i];
        if (!v) {
                ctl_log("Unknown command '%s'. See 'gaitmonctl --help'.", o->verb);
                return -EINVAL;
        }
        const struct {
                bool set;
                const char *name;
        } given[] = {
                { o->days_set, "--days" },     { o->svg_set, "--svg" },       { o->duration_set, "--duration" },
                { o->format_set, "--format" }, { o->output_set, "--output" }, { o->all_set, "--all" },
                { o->before_set, "--before" },
        };
        for (size_t i = 0; i < sizeof given / sizeof given[0]; i++)
                if (given[i].set && !(v->options[0] && strcmp(v->options[0], given[i].name) == 0) &&
                    !(v->options[1] && strcmp(v->options[1], given[i].name) == 0)) {
                        ctl_log("Option %s does not apply to '%s'.", given[i].name, o->verb);
                        return -EINVAL;
                }
        return 0;
}

static int parse_run_id(const char *s, uint64_t *ret)
{
        char *end;
        unsigned long long v;

        if (!s[0] || s[0] == '-' || s[0] == '+')
                return -EINVAL;
        errno = 0;
        v = strtoull(s, &end, 10);
        if (errno != 0 || *end || v == 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int run_verb(struct options *o)
{
        int r;

        r = ctl_bus_open(&o->ctl.bus);
        if (r < 0)
                return r;

        if (strcmp(o->verb, "status") == 0)
                r = ctl_status(&o->ctl);
        else if (strcmp(o->verb, "watch") == 0)
                r = ctl_watch(&o->ctl);
        else if (strcmp(o->verb, "history") == 0)
                r = ctl_history(&o->ctl);
        else if (strcmp(o->verb, "show") == 0)
                r = ctl_show(&o->ctl, o->run_id);
        else if (strcmp(o->verb, "export") == 0)
                r = ctl_export(&o->ctl, o->run_id);
        else if (strcmp(o->verb, "delete") == 0)
                r = ctl_delete(&o->ctl, o->run_id);
        else if (strcmp(o->verb, "end-run") == 0)
                r = ctl_end_run(&o->ctl);
        else
                r = ctl_reset_baseline(&o->ctl);

        ctl_bus_close(o->ctl.bus);
        return r;
}

int main(int argc, char **argv)
{
        struct options o = {};
        int r;

        r = parse_args(argc, argv, &o);
        if (r <= 0)
                return r < 0 ? EXIT_USAGE : EXIT_SUCCESS;
        if (check_verb(&o) < 0)
                return EXIT_USAGE;
        if (o.run) {
                if (parse_run_id(o.run, &o.run_id) < 0) {
                        ctl_log("Invalid run id '%s': expected a number as listed by 'gaitmonctl history'.", o.run);
                        return EXIT_USAGE;
                }
        }
        r = run_verb(&o);
        return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
