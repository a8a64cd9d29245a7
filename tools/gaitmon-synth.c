/* gaitmon-synth: a synthetic run from the gait model, as a recording and its true events. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gm_events.h"
#include "gm_model.h"

static void usage(FILE *f)
{
        fputs("Usage: gaitmon-synth [OPTIONS] -o OUT.csv\n"
              "\n"
              "Writes a synthetic IMU recording (recording CSV v1) of a walk or run made by the\n"
              "gaitmon gait model, and optionally its true gait events.\n"
              "\n"
              "  -o, --output FILE        recording to write (required; '-' for stdout)\n"
              "      --events FILE        true events (time_s,side,event)\n"
              "      --duration S         length in seconds (default 300)\n"
              "      --activity A         walking or running (default running)\n"
              "      --speed M/S          speed (default 3.0 running, 1.3 walking)\n"
              "      --cadence SPM        steps per minute (default 170 running, 110 walking)\n"
              "      --rate HZ            sample rate, 50..1000 (default 400)\n"
              "      --locations LIST     comma-separated locations (default\n"
              "                           pelvis,left_hip,right_hip,left_shank,right_shank)\n"
              "      --no-gyro LIST       locations without gyroscope\n"
              "      --weak SIDE          side that develops a weakness: left or right\n"
              "      --weak-hip FRAC      less hip extension on that side (default 0.12)\n"
              "      --weak-stance FRAC   longer stance on that side (default 0.04)\n"
              "      --weak-drop DEG      extra contralateral pelvic drop (default 2)\n"
              "      --weak-onset S       when the weakness starts (default half the duration)\n"
              "      --fatigue FRAC       drift per hour of running (default 0)\n"
              "      --noise-acc M/S2     accelerometer noise rms (default 0.05)\n"
              "      --noise-gyr RAD/S    gyroscope noise rms (default 0.01)\n"
              "      --rotate LOC:R,P,Y   mounting rotation of a sensor in degrees (repeatable)\n"
              "      --dropouts N         dropouts per minute (0.2 s each, default 0)\n"
              "      --seed N             random seed (default 1)\n"
              "  -h, --help               this text\n"
              "      --version            show the version and exit\n",
              f);
}

static int parse_num(const char *s, double lo, double hi, double *out)
{
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || *end || !(v >= lo && v <= hi))
                return -EINVAL;
        *out = v;
        return 0;
}

static int parse_locations(const char *list, unsigned *mask)
{
        char buf[256];
        snprintf(buf, sizeof(buf), "%s", list);
        *mask = 0;
        for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
                int l = gm_loc_from_name(tok);
                if (l < 0) {
                        fprintf(stderr, "gaitmon-synth: unknown location '%s'\n", tok);
                        return -EINVAL;
                }
                *mask |= 1u << l;
        }
        return 0;
}

int main(int argc, char **argv)
{
        enum {
                O_EVENTS = 256,
                O_DURATION,
                O_ACTIVITY,
                O_SPEED,
                O_CADENCE,
                O_RATE,
                O_LOCS,
                O_NOGYRO,
                O_WEAK,
                O_WEAK_HIP,
                O_WEAK_STANCE,
                O_WEAK_DROP,
                O_WEAK_ONSET,
                O_FATIGUE,
                O_NACC,
                O_NGYR,
                O_ROTATE,
                O_DROPOUTS,
                O_SEED,
        };
        static const struct option opts[] = {
                { "output", required_argument, NULL, 'o' },
                { "events", required_argument, NULL, O_EVENTS },
                { "duration", required_argument, NULL, O_DURATION },
                { "activity", required_argument, NULL, O_ACTIVITY },
                { "speed", required_argument, NULL, O_SPEED },
                { "cadence", required_argument, NULL, O_CADENCE },
                { "rate", required_argument, NULL, O_RATE },
                { "locations", required_argument, NULL, O_LOCS },
                { "no-gyro", required_argument, NULL, O_NOGYRO },
                { "weak", required_argument, NULL, O_WEAK },
                { "weak-hip", required_argument, NULL, O_WEAK_HIP },
                { "weak-stance", required_argument, NULL, O_WEAK_STANCE },
                { "weak-drop", required_argument, NULL, O_WEAK_DROP },
                { "weak-onset", required_argument, NULL, O_WEAK_ONSET },
                { "fatigue", required_argument, NULL, O_FATIGUE },
                { "noise-acc", required_argument, NULL, O_NACC },
                { "noise-gyr", required_argument, NULL, O_NGYR },
                { "rotate", required_argument, NULL, O_ROTATE },
                { "dropouts", required_argument, NULL, O_DROPOUTS },
                { "seed", required_argument, NULL, O_SEED },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                { 0 },
        };
        struct gm_model_cfg cfg;
        gm_model_cfg_default(&cfg);
        const char *out_path = NULL, *events_path = NULL;
        double duration = 300, speed = NAN, cadence = NAN, onset = NAN, seed = 1;
        double weak_hip = 0.12, weak_stance = 0.04, weak_drop = 2;
        int weak_side = -1;
        unsigned nogyro = 0;
        int c, r = 0;
        while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
                switch (c) {
                case 'o':
                        out_path = optarg;
                        break;
                case O_EVENTS:
                        events_path = optarg;
                        break;
                case O_DURATION:
                        r = parse_num(optarg, 1, 86400, &duration);
                        break;
                case O_ACTIVITY:
                        r = gm_activity_from_name(optarg);
                        if (r >= 0)
                                cfg.activity = r;
                        break;
                case O_SPEED:
                        r = parse_num(optarg, 0.3, 8, &speed);
                        break;
                case O_CADENCE:
                        r = parse_num(optarg, 60, 240, &cadence);
                        break;
                case O_RATE:
                        r = parse_num(optarg, 50, 1000, &cfg.rate_hz);
                        break;
                case O_LOCS:
                        r = parse_locations(optarg, &cfg.loc_mask);
                        break;
                case O_NOGYRO:
                        r = parse_locations(optarg, &nogyro);
                        break;
                case O_WEAK:
                        weak_side = gm_side_from_name(optarg);
                        r = weak_side == GM_SIDE_LEFT || weak_side == GM_SIDE_RIGHT ? 0 : -EINVAL;
                        break;
                case O_WEAK_HIP:
                        r = parse_num(optarg, 0, 0.9, &weak_hip);
                        break;
                case O_WEAK_STANCE:
                        r = parse_num(optarg, 0, 0.5, &weak_stance);
                        break;
                case O_WEAK_DROP:
                        r = parse_num(optarg, 0, 15, &weak_drop);
                        break;
                case O_WEAK_ONSET:
                        r = parse_num(optarg, 0, 86400, &onset);
                        break;
                case O_FATIGUE:
                        r = parse_num(optarg, 0, 1, &cfg.fatigue_per_hour);
                        break;
                case O_NACC:
                        r = parse_num(optarg, 0, 50, &cfg.noise_acc);
                        break;
                case O_NGYR:
                        r = parse_num(optarg, 0, 5, &cfg.noise_gyr);
                        break;
                case O_ROTATE: {
                        char loc[32];
                        double rpy[3];
                        if (sscanf(optarg, "%31[a-z_]:%lf,%lf,%lf", loc, &rpy[0], &rpy[1], &rpy[2]) != 4 ||
                            gm_loc_from_name(loc) < 0) {
                                r = -EINVAL;
                                break;
                        }
                        for (int i = 0; i < 3; i++)
                                cfg.mount_rpy[gm_loc_from_name(loc)][i] = rpy[i] * M_PI / 180;
                        break;
                }
                case O_DROPOUTS:
                        r = parse_num(optarg, 0, 60, &cfg.dropout_per_min);
                        cfg.dropout_s = 0.2;
                        break;
                case O_SEED:
                        r = parse_num(optarg, 0, 1e15, &seed);
                        break;
                case 'h':
                        usage(stdout);
                        return 0;
                case 'V':
                        printf("gaitmon-synth %s\n", GAITMON_VERSION);
                        return 0;
                default:
                        usage(stderr);
                        return 2;
                }
                if (r < 0) {
                        fprintf(stderr, "gaitmon-synth: invalid value for --%s: '%s'\n",
                                c == 'o' ? "output" : opts[c - 256 + 1].name, optarg);
                        return 2;
                }
        }
        if (!out_path || optind < argc) {
                usage(stderr);
                return 2;
        }
        bool running = cfg.activity == GM_ACTIVITY_RUNNING;
        cfg.speed_mps = isnan(speed) ? (running ? 3.0 : 1.3) : speed;
        cfg.cadence_spm = isnan(cadence) ? (running ? 170 : 110) : cadence;
        cfg.gyr_mask = cfg.loc_mask & ~nogyro;
        cfg.seed = (uint64_t)seed;
        if (weak_side >= 0) {
                struct gm_model_weakness *w = &cfg.weak[weak_side];
                w->hip_ext_frac = weak_hip;
                w->stance_frac = weak_stance;
                w->pelvic_drop_deg = weak_drop;
                w->onset_s = isnan(onset) ? duration / 2 : onset;
                w->ramp_s = 20;
        }
        struct gm_recording *rec;
        struct gm_event_list truth = { 0 };
        r = gm_model_generate(&cfg, duration, &rec, &truth);
        if (r < 0) {
                fprintf(stderr, "gaitmon-synth: cannot generate: %s\n", strerror(-r));
                return 1;
        }
        FILE *f = strcmp(out_path, "-") ? fopen(out_path, "w") : stdout;
        if (!f || gm_recording_write(f, rec) < 0 || (f != stdout && fclose(f) != 0)) {
                fprintf(stderr, "gaitmon-synth: %s: %s\n", out_path, strerror(errno ? errno : EIO));
                r = -EIO;
        }
        if (r >= 0 && events_path) {
                FILE *e = fopen(events_path, "w");
                if (!e || gm_events_write(e, &truth) < 0 || fclose(e) != 0) {
                        fprintf(stderr, "gaitmon-synth: %s: %s\n", events_path, strerror(errno ? errno : EIO));
                        r = -EIO;
                }
        }
        gm_recording_free(rec);
        gm_event_list_clear(&truth);
        return r < 0 ? 1 : 0;
}
