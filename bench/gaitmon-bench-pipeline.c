/* gaitmon-bench-pipeline: pipeline throughput on one core and peak memory. */
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "gm_events.h"
#include "gm_model.h"
#include "gm_pipeline.h"

static double cpu_now(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The core's clock while it runs this program, in Hz (0 if unknown): a chain of dependent
 * register additions retires one a cycle on x86-64 and Arm cores alike, so cycles can be
 * counted without performance counters, which virtual machines rarely offer (additions of
 * a constant would not do: newer x86 cores fold them before execution). The best of a few
 * tries, as an interruption only lengthens one. */
static double core_hz(void)
{
#if defined(__x86_64__) || defined(__aarch64__)
        const long adds = 200 * 1000 * 1000;
        double best = 0;
        for (int t = 0; t < 3; t++) {
                uint64_t x = 0, y = (uint64_t)t + 1;
                double t0 = cpu_now();
                for (long i = 0; i < adds; i += 16) {
#if defined(__x86_64__)
#define GM_ADD4 "add %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\tadd %1, %0\n\t"
#else
#define GM_ADD4 "add %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\tadd %0, %0, %1\n\t"
#endif
                        __asm__ volatile(GM_ADD4 GM_ADD4 GM_ADD4 GM_ADD4 : "+r"(x) : "r"(y));
                }
                double el = cpu_now() - t0;
                if (el > 0 && adds / el > best)
                        best = adds / el;
        }
        return best;
#else
        return 0;
#endif
}

static long maxrss_kib(void)
{
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
        double seconds = 60, rate = 400;
        int passes = 20;
        for (int i = 1; i < argc; i++) {
                if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
                        puts("Usage: gaitmon-bench-pipeline [--passes N]\n\n"
                             "Generates 60 s of a synthetic run (pelvis, both hips and shanks, 400 Hz) in\n"
                             "memory, pushes it N times (default 20) through the gait pipeline on one core\n"
                             "and prints IMU samples per second (one sample = one location's 6-axis reading),\n"
                             "the core's cycles per sample (its clock measured with a chain of dependent\n"
                             "additions), the real-time factor, the pipeline's own memory and the process's\n"
                             "peak RSS.");
                        return 0;
                }
                if (!strcmp(argv[i], "--passes") && i + 1 < argc)
                        passes = atoi(argv[++i]);
                else {
                        fprintf(stderr, "gaitmon-bench-pipeline: unknown argument '%s' (see --help)\n", argv[i]);
                        return 2;
                }
        }
        if (passes < 1)
                passes = 1;
        long rss_start = maxrss_kib();
        struct gm_model_cfg mc;
        gm_model_cfg_default(&mc);
        mc.rate_hz = rate;
        struct gm_recording *rec;
        struct gm_event_list truth = { 0 };
        if (gm_model_generate(&mc, seconds, &rec, &truth) < 0) {
                fputs("gaitmon-bench-pipeline: model failed\n", stderr);
                return 1;
        }
        /* Interleaved samples as acquisition delivers them. */
        int nloc = 0;
        enum gm_loc locs[GM_LOC_COUNT];
        for (int l = 0; l < GM_LOC_COUNT; l++)
                if (rec->loc_mask & (1u << l))
                        locs[nloc++] = l;
        size_t n = rec->n * nloc;
        struct gm_sample *samples = malloc(n * sizeof(*samples));
        enum gm_loc *where = malloc(n * sizeof(*where));
        if (!samples || !where)
                return 1;
        for (size_t i = 0, k = 0; i < rec->n; i++)
                for (int j = 0; j < nloc; j++, k++) {
                        gm_recording_get(rec, locs[j], i, &samples[k]);
                        where[k] = locs[j];
                }
        double span = rec->n / rate;

        struct gm_pipeline_cfg pc;
        gm_pipeline_cfg_default(&pc);
        pc.rate_hz = rate;
        pc.loc_mask = rec->loc_mask;
        pc.gyr_mask = rec->gyr_mask;
        long rss_before = maxrss_kib();
        struct gm_pipeline *p = gm_pipeline_new(&pc);
        uint64_t events = 0;
        double t0 = cpu_now();
        struct gm_event ev;
        struct gm_stride st;
        struct gm_spike sp;
        for (int pass = 0; pass < passes; pass++) {
                for (size_t k = 0; k < n; k++) {
                        struct gm_sample s = samples[k];
                        s.t += pass * span;
                        gm_pipeline_push(p, where[k], &s);
                        /* Drained as often as a main loop would. */
                        if (k % 1024 == 0) {
                                while (gm_pipeline_next_event(p, &ev))
                                        events++;
                                while (gm_pipeline_next_stride(p, &st) || gm_pipeline_next_spike(p, &sp))
                                        ;
                        }
                }
        }
        double cpu = cpu_now() - t0;
        double total = (double)n * passes;
        printf("pipeline throughput: %.2f M IMU samples/s on one core (%d locations at %.0f Hz, %.0f s of data)\n",
               total / cpu / 1e6, nloc, rate, span * passes);
        double hz = core_hz();
        if (hz > 0)
                printf("cycles per sample:   %.0f (core clock measured at %.2f GHz)\n", hz * cpu / total, hz / 1e9);
        printf("real-time factor:    %.0fx (CPU time per second of data: %.3f ms)\n", span * passes / cpu,
               1000 * cpu / (span * passes));
        printf("events decided:      %llu\n", (unsigned long long)events);
        printf("pipeline memory:     %ld KiB (peak RSS growth from creating and running it)\n",
               maxrss_kib() - rss_before);
        printf("peak RSS:            %ld KiB (process; %ld KiB before the test data)\n", maxrss_kib(), rss_start);
        gm_pipeline_free(p);
        free(samples);
        free(where);
        gm_recording_free(rec);
        gm_event_list_clear(&truth);
        return 0;
}
