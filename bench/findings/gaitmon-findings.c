/* gaitmon-findings: the findings truth table, in sample time. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings-cases.h"

static void usage(FILE *f)
{
        fputs("Usage: gaitmon-findings [--only SUBSTRING] [--rate HZ] [--seed N] [--verbose]\n"
              "\n"
              "Runs gait scenarios with known truth (symmetric runs with cool-downs, run/walk\n"
              "intervals, stops, sensor dropouts, lost samples, a late start; left and right\n"
              "weaknesses with and without fatigue; pelvis and shanks only) from the synthetic\n"
              "gait model through the pipeline and the run tracker, and prints per scenario\n"
              "the truth, what was reported (asymmetry spikes, the highest fatigue level, the\n"
              "run summary), the false alarms and the verdict. Exit status 1 when any fails.\n"
              "\n"
              "  --only SUBSTRING  run only scenarios whose name contains SUBSTRING\n"
              "  --rate HZ         the sensors' sample rate, 50..1000 (default 100)\n"
              "  --seed N          the gait model's seed (default 17)\n"
              "  --verbose         list every spike and the advice's summary\n"
              "  -h, --help        this text\n",
              f);
}

int main(int argc, char **argv)
{
        /* clang-format off */
        static const struct option opts[] = {
                { "only", required_argument, NULL, 'o' },
                { "rate", required_argument, NULL, 'r' },
                { "seed", required_argument, NULL, 's' },
                { "verbose", no_argument, NULL, 'v' },
                { "help", no_argument, NULL, 'h' },
                { 0 },
        };
        /* clang-format on */
        const char *only = NULL;
        bool verbose = false;
        double rate_hz = FINDINGS_RATE_HZ;
        unsigned seed = FINDINGS_SEED;
        int c;
        char *end;
        while ((c = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        only = optarg;
                        break;
                case 'r':
                        rate_hz = strtod(optarg, &end);
                        if (*end || !(rate_hz >= 50 && rate_hz <= 1000)) {
                                fprintf(stderr, "gaitmon-findings: --rate: a rate from 50 to 1000 Hz, not '%s'\n",
                                        optarg);
                                return 2;
                        }
                        break;
                case 's': {
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (*end || !*optarg || *optarg == '-' || v > 0xffffffffUL) {
                                fprintf(stderr, "gaitmon-findings: --seed: a whole number, not '%s'\n", optarg);
                                return 2;
                        }
                        seed = (unsigned)v;
                        break;
                }
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
        printf("sensors at %g Hz, model seed %u\n\n", rate_hz, seed);
        printf("%-38s %-18s %6s %5s %7s %8s %s\n", "scenario", "truth", "spikes", "false", "fatigue", "found",
               "verdict");
        unsigned failed = 0, ran = 0, false_alarms = 0;
        for (size_t i = 0; i < findings_n_cases; i++) {
                const struct findings_case *fc = &findings_cases[i];
                if (only && !strstr(fc->name, only))
                        continue;
                struct findings_result r;
                if (findings_run(fc, rate_hz, seed, &r) < 0) {
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
