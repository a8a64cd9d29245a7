/* gaitmon-findings: the findings truth table, in sample time. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "findings-cases.h"

static void usage(FILE *f)
{
        fputs("Usage: gaitmon-findings [--only SUBSTRING] [--verbose]\n"
              "\n"
              "Runs gait scenarios with known truth (symmetric runs with cool-downs, run/walk\n"
              "intervals, stops, sensor dropouts, lost samples, a late start; left and right\n"
              "weaknesses with and without fatigue; pelvis and shanks only) from the synthetic\n"
              "gait model through the pipeline and the run tracker, and prints per scenario\n"
              "the truth, what was reported (asymmetry spikes, the highest fatigue level, the\n"
              "run summary), the false alarms and the verdict. Exit status 1 when any fails.\n"
              "\n"
              "  --only SUBSTRING  run only scenarios whose name contains SUBSTRING\n"
              "  --verbose         list every spike and the advice's summary\n"
              "  -h, --help        this text\n",
              f);
}

int main(int argc, char **argv)
{
        static const struct option opts[] = {
                { "only", required_argument, NULL, 'o' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        const char *only = NULL;
        bool verbose = false;
        int c;
        while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        only = optarg;
                        break;
                case 'v':
                        verbose = true;
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
        }
        if (optind < argc) {
                usage(stderr);
                return 2;
        }
        printf("%-38s %-18s %6s %5s %7s %8s %s\n", "scenario", "truth", "spikes", "false", "fatigue", "found",
               "verdict");
        unsigned failed = 0, ran = 0, false_alarms = 0;
        for (size_t i = 0; i < findings_n_cases; i++) {
                const struct findings_case *fc = &findings_cases[i];
                if (only && !strstr(fc->name, only))
                        continue;
                struct findings_result r;
                if (findings_run(fc, &r) < 0) {
                        printf("%-38s could not run\n", fc->name);
                        failed++;
                        continue;
                }
                ran++;
                false_alarms += r.false_alarms;
                char found[16] = "-";
                if (isfinite(r.found_after_strides))
                        snprintf(found, sizeof(found), "%.0f str", r.found_after_strides);
                printf("%-38s %-18s %6u %5u %7u %8s %s%s%s\n", fc->name, fc->truth, r.spikes, r.false_alarms,
                       r.fatigue_level_max, found, r.pass ? "ok" : "FAIL", r.pass ? "" : ": ", r.why);
                if (verbose) {
                        for (unsigned k = 0; k < r.spikes && k < FINDINGS_SPIKES_MAX; k++)
                                printf("    spike %s %+.1f (baseline %+.1f) at %.1f s\n",
                                       gm_metric_name(r.spike[k].metric), r.spike[k].si, r.spike[k].baseline,
                                       r.spike[k].t_detect);
                        printf("    summary: %s\n", r.advice.summary);
                }
                failed += !r.pass;
        }
        printf("\n%u scenarios, %u failed, %u false alarms\n", ran, failed, false_alarms);
        return failed ? 1 : 0;
}
