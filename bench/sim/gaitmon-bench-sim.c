/* gaitmon-bench-sim: how fast gaitmon-sim streams to a libiio client, and what serving
 * the belt pack in real time costs it in CPU. */
#include <errno.h>
#include <getopt.h>
#include <iio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sim-harness.h"

static const char *const labels[5] = { "pelvis", "left_hip", "right_hip", "left_shank", "right_shank" };

static void usage(FILE *f)
{
        fprintf(f,
                "Usage: gaitmon-bench-sim [--sim PATH] [--scenario FILE] [--seconds N]\n"
                "\n"
                "Starts gaitmon-sim on a free loopback port and prints:\n"
                "  - its sustained rate to one libiio client reading one device, unpaced\n"
                "    (--speed max), with 32-sample buffers (as gaitmond) and 4096-sample ones;\n"
                "  - the CPU it uses serving five devices at 416 Hz in real time to five\n"
                "    reader threads, from /proc/PID/stat over N seconds (default 10).\n"
                "\n"
                "  --sim PATH        gaitmon-sim to run (default %s)\n"
                "  --scenario FILE   scenario (default %s)\n"
                "  --seconds N       length of each measurement (default 10)\n"
                "  -h, --help        this text\n",
                GM_SIM_DEFAULT, GM_SCENARIO_DEFAULT);
}

static double now_s(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static struct iio_device *find_by_label(struct iio_context *ctx, const char *label)
{
        for (unsigned i = 0; i < iio_context_get_devices_count(ctx); i++) {
                struct iio_device *dev = iio_context_get_device(ctx, i);
                char value[64];
                if (iio_device_attr_read(dev, "label", value, sizeof(value)) > 0 && strcmp(value, label) == 0)
                        return dev;
        }
        return NULL;
}

static struct iio_buffer *open_all(struct iio_device *dev, size_t samples)
{
        for (unsigned i = 0; i < iio_device_get_channels_count(dev); i++)
                iio_channel_enable(iio_device_get_channel(dev, i));
        return iio_device_create_buffer(dev, samples, false);
}

static struct iio_context *connect(const struct sim_proc *p)
{
        char uri[64];
        snprintf(uri, sizeof(uri), "%s", p->uri); /* libiio writes into the URI */
        return iio_create_context_from_uri(uri);
}

/* Samples per second one client gets from one device. */
static int measure_rate(const struct sim_proc *p, size_t buffer_samples, double seconds, double *rate)
{
        struct iio_context *ctx = connect(p);
        if (!ctx)
                return -errno;
        int r = -ENODEV;
        struct iio_device *dev = find_by_label(ctx, "left_shank");
        struct iio_buffer *buf = dev ? open_all(dev, buffer_samples) : NULL;
        if (buf) {
                size_t got = 0;
                double t0 = now_s(), t;
                while ((t = now_s()) - t0 < seconds) {
                        ssize_t n = iio_buffer_refill(buf);
                        if (n < 0)
                                break;
                        got += (size_t)n / iio_device_get_sample_size(dev);
                }
                *rate = (double)got / (t - t0);
                iio_buffer_destroy(buf);
                r = 0;
        }
        iio_context_destroy(ctx);
        return r;
}

struct reader {
        struct iio_device *dev;
        atomic_bool *stop;
        size_t got;
        ssize_t err;
};

static void *read_device(void *userdata)
{
        struct reader *rd = userdata;
        struct iio_buffer *buf = open_all(rd->dev, 32);
        if (!buf) {
                rd->err = -errno;
                return NULL;
        }
        while (!atomic_load(rd->stop)) {
                ssize_t n = iio_buffer_refill(buf);
                if (n < 0) {
                        rd->err = n;
                        break;
                }
                rd->got += (size_t)n / iio_device_get_sample_size(rd->dev);
        }
        iio_buffer_destroy(buf);
        return NULL;
}

/* utime + stime of a process, seconds. */
static int cpu_seconds(pid_t pid, double *s)
{
        char path[64], text[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        FILE *f = fopen(path, "re");
        if (!f)
                return -errno;
        size_t n = fread(text, 1, sizeof(text) - 1, f);
        fclose(f);
        text[n] = '\0';
        char *p = strrchr(text, ')'); /* the command name may hold spaces */
        unsigned long utime, stime;
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2)
                return -EINVAL;
        *s = (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
        return 0;
}

static int measure_cpu(const struct sim_proc *p, double seconds, double *cpu, double *rate)
{
        struct iio_context *ctx = connect(p);
        if (!ctx)
                return -errno;
        atomic_bool stop = false;
        struct reader rd[5] = { 0 };
        pthread_t th[5];
        int r = 0;
        for (int d = 0; d < 5; d++) {
                rd[d].dev = find_by_label(ctx, labels[d]);
                rd[d].stop = &stop;
                if (!rd[d].dev || iio_device_attr_write(rd[d].dev, "sampling_frequency", "416") < 0)
                        r = -ENODEV;
        }
        for (int d = 0; r == 0 && d < 5; d++)
                pthread_create(&th[d], NULL, read_device, &rd[d]);
        if (r == 0) {
                sleep(1); /* past buffer set-up */
                double c0, c1, t0 = now_s();
                size_t got0 = 0, got1 = 0;
                for (int d = 0; d < 5; d++)
                        got0 += rd[d].got;
                r = cpu_seconds(p->pid, &c0);
                usleep((useconds_t)(seconds * 1e6));
                if (r == 0)
                        r = cpu_seconds(p->pid, &c1);
                double t1 = now_s();
                for (int d = 0; d < 5; d++)
                        got1 += rd[d].got;
                atomic_store(&stop, true);
                for (int d = 0; d < 5; d++) {
                        pthread_join(th[d], NULL);
                        if (rd[d].err)
                                r = (int)rd[d].err;
                }
                *cpu = (c1 - c0) / (t1 - t0);
                *rate = (double)(got1 - got0) / (t1 - t0) / 5;
        }
        iio_context_destroy(ctx);
        return r;
}

int main(int argc, char **argv)
{
        static const struct option longopts[] = { { "sim", required_argument, NULL, 's' },
                                                  { "scenario", required_argument, NULL, 'c' },
                                                  { "seconds", required_argument, NULL, 'n' },
                                                  { "help", no_argument, NULL, 'h' },
                                                  {} };
        const char *sim = GM_SIM_DEFAULT, *scenario = GM_SCENARIO_DEFAULT;
        double seconds = 10;
        int c;
        while ((c = getopt_long(argc, argv, "h", longopts, NULL)) >= 0) {
                char *end;
                switch (c) {
                case 's':
                        sim = optarg;
                        break;
                case 'c':
                        scenario = optarg;
                        break;
                case 'n':
                        seconds = strtod(optarg, &end);
                        if (*end || end == optarg || !(seconds >= 1 && seconds <= 3600)) {
                                fprintf(stderr, "gaitmon-bench-sim: --seconds '%s': expected 1 to 3600\n", optarg);
                                return 2;
                        }
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                default:
                        fputs("Try 'gaitmon-bench-sim --help'.\n", stderr);
                        return 2;
                }
        }
        if (optind != argc) {
                fprintf(stderr, "gaitmon-bench-sim: unexpected argument '%s'\nTry 'gaitmon-bench-sim --help'.\n",
                        argv[optind]);
                return 2;
        }
        setenv("GM_SIM", sim, 1);

        struct sim_proc p;
        const char *fast[] = { "--speed", "max", scenario, NULL };
        if (sim_proc_start(&p, fast) < 0) {
                fprintf(stderr, "gaitmon-bench-sim: cannot start %s\n", sim);
                return 1;
        }
        double rate32 = 0, rate4k = 0;
        int r = measure_rate(&p, 32, seconds / 2, &rate32);
        if (r == 0)
                r = measure_rate(&p, 4096, seconds / 2, &rate4k);
        sim_proc_stop(&p);
        if (r < 0) {
                fprintf(stderr, "gaitmon-bench-sim: reading as fast as possible failed: %s\n", strerror(-r));
                return 1;
        }
        printf("sustained rate, one client, one device, unpaced:\n");
        printf("  32-sample buffers:   %10.0f samples/s (%.0fx a 416 Hz sensor)\n", rate32, rate32 / 416);
        printf("  4096-sample buffers: %10.0f samples/s (%.0fx a 416 Hz sensor)\n", rate4k, rate4k / 416);
        fflush(stdout);

        const char *realtime[] = { "--speed", "1", scenario, NULL };
        if (sim_proc_start(&p, realtime) < 0) {
                fprintf(stderr, "gaitmon-bench-sim: cannot start %s\n", sim);
                return 1;
        }
        double cpu = 0, per_dev = 0;
        r = measure_cpu(&p, seconds, &cpu, &per_dev);
        sim_proc_stop(&p);
        if (r < 0) {
                fprintf(stderr, "gaitmon-bench-sim: serving five devices failed: %s\n", strerror(-r));
                return 1;
        }
        printf("real time, five devices at 416 Hz, 32-sample buffers, %.0f s:\n", seconds);
        printf("  delivered:           %10.1f samples/s per device\n", per_dev);
        printf("  gaitmon-sim CPU:     %10.1f %% of one core\n", cpu * 100);
        return 0;
}
