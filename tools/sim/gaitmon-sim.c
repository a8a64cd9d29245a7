/* gaitmon-sim: the belt pack's IMUs served over libiio's network protocol. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sim-client.h"
#include "sim-engine.h"
#include "sim-scenario.h"
#include "sim-server.h"
#include "sim-source.h"
#include "sim-xml.h"

#define DEFAULT_PORT 30431

static void usage(FILE *f)
{
        fputs("Usage: gaitmon-sim [OPTIONS] SCENARIO.ini\n"
              "       gaitmon-sim [OPTIONS] --replay REC.csv [--loop]\n"
              "\n"
              "Serves emulated IMUs (one IIO device per sensor location) over libiio's network\n"
              "protocol, so that ip:ADDR:PORT works for gaitmond, iio_info, iio_readdev and\n"
              "any libiio client. Samples come from the gaitmon gait model driven by a\n"
              "scenario, or from a recording CSV v1.\n"
              "\n"
              "  -p, --port P         TCP port (default 30431; 0 picks a free one)\n"
              "  -b, --bind ADDR      numeric address to listen on (default 127.0.0.1)\n"
              "  -s, --speed N        run N times faster than real time (default 1);\n"
              "                       'max': as fast as the slowest open buffer reads (the\n"
              "                       clock stands still while no buffer is open); for raw\n"
              "                       readers and benchmarks, not for gaitmond\n"
              "      --seed S         random seed, overriding the scenario's\n"
              "  -e, --events FILE    write the true gait events (time_s,side,event) of what\n"
              "                       is served, flushed every simulated second\n"
              "  -d, --duration S     exit after S simulated seconds (default: until SIGINT\n"
              "                       or SIGTERM)\n"
              "  -r, --replay FILE    serve a recording instead of a scenario; its true\n"
              "                       events come from FILE's .events.csv sibling if present\n"
              "      --loop           replay the recording over and over\n"
              "      --idle-timeout S disconnect a client that sends no command for S\n"
              "                       seconds (default 120; 0: never). One address may\n"
              "                       hold at most 64 of the 256 connections\n"
              "  -h, --help           this text\n"
              "      --version        show the version and exit\n"
              "\n"
              "Once listening it prints one line to stdout: 'gaitmon-sim: listening on ADDR:PORT'.\n"
              "The simulated clock starts at 0 then: sample timestamps are its nanoseconds and\n"
              "event times its seconds. Each device is an " SIM_CHIP_NAME
              " (label = location) with\n"
              "accel_x/y/z and anglvel_x/y/z (le:s16, ±16 g, ±2000 dps) and timestamp (le:s64, ns);\n"
              "one in [sim] accel_only (or a replayed location without gyroscope columns) is an\n"
              "accelerometer alone, an " SIM_ACCEL_CHIP_NAME
              " with accel_x/y/z and timestamp.\n"
              "sampling_frequency is writable (12.5 26 52 104 208 416 833 Hz). After the last\n"
              "phase the runner stands still; a recording that ends (without --loop) leaves\n"
              "the wearer standing still too.\n"
              "\n"
              "Scenario INI (all keys optional unless marked; times in simulated seconds):\n"
              "  [sim]             seed = 1, rate = 416 (starting sampling_frequency),\n"
              "                    locations = pelvis, left_hip, right_hip, left_shank, right_shank,\n"
              "                    accel_only = locations served without a gyroscope (none)\n"
              "  [phase NAME]      one per phase, in file order: duration (required),\n"
              "                    activity = idle|walking|running (required), speed (m/s),\n"
              "                    cadence (steps/min, both feet)\n"
              "  [asymmetry NAME]  a weakness of one side: side = left|right (required),\n"
              "                    onset, ramp (s, default 30), hip_extension_loss (0.12 = 12 %\n"
              "                    less extension), extra_stance (fraction), extra_pelvic_drop\n"
              "                    (degrees, on the other side of the pelvis during this side's stance)\n"
              "  [fatigue]         per_hour = drift of cadence, stance and hip extension per hour\n"
              "  [noise]           acc (m/s² rms, 0.05), gyr (rad/s rms, 0.01)\n"
              "  [mount LOCATION]  roll, pitch, yaw: the sensor's mounting rotation in degrees\n"
              "  [fault NAME]      type = unplug|stuck|saturated, location, from, to (required);\n"
              "                    channel = accel_x..anglvel_z|accel|anglvel|all (default all):\n"
              "                    unplugged, buffers fail with -ENODEV and OPEN too until 'to',\n"
              "                    then samples resume with a gap; stuck keeps the value it had;\n"
              "                    saturated reads full scale\n"
              "See config/scenarios/ for commented examples.\n",
              f);
}

struct options {
        unsigned port;
        const char *bind;
        double speed;
        bool have_seed;
        unsigned long long seed;
        const char *events;
        double duration;
        const char *replay;
        bool loop;
        unsigned idle_timeout_s;
        const char *scenario;
};

static int bad_usage(const char *fmt, const char *arg)
{
        fputs("gaitmon-sim: ", stderr);
        fprintf(stderr, fmt, arg);
        fputs("\nTry 'gaitmon-sim --help'.\n", stderr);
        return -EINVAL;
}

static int parse_options(int argc, char **argv, struct options *o)
{
        enum { OPT_SEED = 256, OPT_LOOP, OPT_IDLE, OPT_VERSION };
        static const struct option longopts[] = { { "port", required_argument, NULL, 'p' },
                                                  { "bind", required_argument, NULL, 'b' },
                                                  { "speed", required_argument, NULL, 's' },
                                                  { "seed", required_argument, NULL, OPT_SEED },
                                                  { "events", required_argument, NULL, 'e' },
                                                  { "duration", required_argument, NULL, 'd' },
                                                  { "replay", required_argument, NULL, 'r' },
                                                  { "loop", no_argument, NULL, OPT_LOOP },
                                                  { "idle-timeout", required_argument, NULL, OPT_IDLE },
                                                  { "help", no_argument, NULL, 'h' },
                                                  { "version", no_argument, NULL, OPT_VERSION },
                                                  {} };
        *o = (struct options){ .port = DEFAULT_PORT, .bind = "127.0.0.1", .speed = 1, .idle_timeout_s = 120 };
        int c;
        while ((c = getopt_long(argc, argv, "p:b:s:e:d:r:h", longopts, NULL)) >= 0) {
                char *end;
                switch (c) {
                case 'p': {
                        errno = 0;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (errno || end == optarg || *end || v > 65535 || optarg[0] == '-')
                                return bad_usage("--port '%s': expected 0 to 65535", optarg);
                        o->port = (unsigned)v;
                        break;
                }
                case 'b':
                        o->bind = optarg;
                        break;
                case 's':
                        if (strcmp(optarg, "max") == 0) {
                                o->speed = 0;
                                break;
                        }
                        errno = 0;
                        o->speed = strtod(optarg, &end);
                        if (errno || end == optarg || *end || !(o->speed >= 0.01 && o->speed <= 100000))
                                return bad_usage("--speed '%s': expected 0.01 to 100000, or max", optarg);
                        break;
                case OPT_SEED:
                        errno = 0;
                        o->seed = strtoull(optarg, &end, 10);
                        if (errno || end == optarg || *end || optarg[0] == '-')
                                return bad_usage("--seed '%s': expected a non-negative integer", optarg);
                        o->have_seed = true;
                        break;
                case 'e':
                        o->events = optarg;
                        break;
                case 'd':
                        errno = 0;
                        o->duration = strtod(optarg, &end);
                        if (errno || end == optarg || *end || !(o->duration > 0 && o->duration <= 1e7))
                                return bad_usage("--duration '%s': expected seconds above 0", optarg);
                        break;
                case 'r':
                        o->replay = optarg;
                        break;
                case OPT_LOOP:
                        o->loop = true;
                        break;
                case OPT_IDLE: {
                        errno = 0;
                        unsigned long v = strtoul(optarg, &end, 10);
                        if (errno || end == optarg || *end || v > 86400 || optarg[0] == '-')
                                return bad_usage("--idle-timeout '%s': expected 0 to 86400 seconds", optarg);
                        o->idle_timeout_s = (unsigned)v;
                        break;
                }
                case 'h':
                        usage(stdout);
                        exit(EXIT_SUCCESS);
                case OPT_VERSION:
                        printf("gaitmon-sim %s\n", GAITMON_VERSION);
                        exit(EXIT_SUCCESS);
                default:
                        fputs("Try 'gaitmon-sim --help'.\n", stderr);
                        return -EINVAL;
                }
        }
        int rest = argc - optind;
        if (o->replay && rest > 0)
                return bad_usage("--replay and a scenario ('%s') exclude each other", argv[optind]);
        if (!o->replay && rest != 1)
                return bad_usage("%s",
                                 rest ? "give one scenario file" : "no scenario file (or --replay REC.csv) given");
        if (o->loop && !o->replay)
                return bad_usage("%s", "--loop needs --replay");
        if (o->have_seed && o->replay)
                return bad_usage("%s", "--seed applies to scenarios, a replay has no randomness");
        if (!o->replay)
                o->scenario = argv[optind];
        return 0;
}

static int make_source(const struct options *o, struct sim_scenario *sc, struct sim_source **src, double *rate)
{
        char err[512];
        int r;
        if (o->replay) {
                r = sim_replay_new(o->replay, o->loop, src, err, sizeof(err));
                if (r < 0) {
                        fprintf(stderr, "gaitmon-sim: %s\n", err);
                        return r;
                }
                *rate = (*src)->rate_hz;
                return 0;
        }
        r = sim_scenario_load(o->scenario, sc, err, sizeof(err));
        if (r < 0) {
                fprintf(stderr, "gaitmon-sim: %s\n", err);
                return r;
        }
        if (o->have_seed)
                sc->seed = o->seed;
        r = sim_gen_new(sc, src);
        if (r < 0) {
                fprintf(stderr, "gaitmon-sim: %s: the gait model refused the scenario: %s\n", o->scenario,
                        strerror(-r));
                return r;
        }
        *rate = sc->rate_hz;
        return 0;
}

int main(int argc, char **argv)
{
        struct options o;
        if (parse_options(argc, argv, &o) < 0)
                return 2;

        /* signals arrive through a signalfd; client threads must not see them */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        int sig_fd = signalfd(-1, &mask, SFD_CLOEXEC);
        if (sig_fd < 0) {
                fprintf(stderr, "gaitmon-sim: signalfd: %s\n", strerror(errno));
                return 1;
        }

        int ret = 1;
        struct sim_scenario *sc = calloc(1, sizeof(*sc));
        struct sim_source *src = NULL;
        struct sim_engine *engine = NULL;
        struct sim_server *server = NULL;
        FILE *events = NULL;
        char *xml = NULL;
        double rate;
        if (!sc || make_source(&o, sc, &src, &rate) < 0)
                goto out;

        if (o.events) {
                events = fopen(o.events, "we");
                if (!events) {
                        fprintf(stderr, "gaitmon-sim: --events %s: %s\n", o.events, strerror(errno));
                        src->free(src);
                        goto out;
                }
        }
        struct sim_engine_cfg cfg = {
                .speed = o.speed,
                .duration_s = o.duration,
                .rate_hz = rate,
                .events = events,
                .faults = o.replay ? NULL : sc->faults,
                .n_faults = o.replay ? 0 : sc->n_faults,
        };
        int r = sim_engine_new(src, &cfg, &engine);
        if (r < 0) {
                fprintf(stderr, "gaitmon-sim: cannot set up the devices: %s\n", strerror(-r));
                goto out;
        }

        const char *input = o.replay ? o.replay : o.scenario;
        const char *base = strrchr(input, '/');
        char description[512];
        snprintf(description, sizeof(description), "gaitmon-sim %s %s", o.replay ? "replay" : "scenario",
                 base ? base + 1 : input);
        struct sim_context_desc ctx;
        r = sim_xml_context(engine, description, &xml, &ctx.xml_len);
        if (r < 0) {
                fprintf(stderr, "gaitmon-sim: cannot describe the context: %s\n", strerror(-r));
                goto out;
        }
        ctx.xml = xml;

        if (sim_server_new(o.bind, o.port, o.idle_timeout_s, engine, &ctx, &server) < 0)
                goto out;
        r = sim_engine_start(engine);
        if (r < 0) {
                fprintf(stderr, "gaitmon-sim: cannot start the clock: %s\n", strerror(-r));
                goto out;
        }
        char address[128];
        sim_server_address(server, address, sizeof(address));
        printf("gaitmon-sim: listening on %s\n", address);
        fflush(stdout);

        r = sim_server_run(server, sig_fd);
        if (r < 0)
                fprintf(stderr, "gaitmon-sim: poll: %s\n", strerror(-r));
        sim_engine_stop(engine);
        int err = sim_engine_error(engine);
        if (err < 0)
                fprintf(stderr, "gaitmon-sim: the sample source failed: %s\n", strerror(-err));
        ret = r < 0 || err < 0 ? 1 : 0;

out:
        if (engine)
                sim_engine_stop(engine);
        sim_server_free(server);
        sim_engine_free(engine);
        if (events && fclose(events) != 0) {
                fprintf(stderr, "gaitmon-sim: --events %s: %s\n", o.events, strerror(errno));
                ret = 1;
        }
        free(xml);
        free(sc);
        close(sig_fd);
        return ret;
}
