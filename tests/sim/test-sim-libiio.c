/* gaitmon-sim through libiio: five devices streaming at once, replay, unplug and faulty channels. */
#include <criterion/criterion.h>
#include <errno.h>
#include <iio.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gm_recording.h"
#include "sim-harness.h"

#define NCHAN 7
static const char *const chan_ids[NCHAN] = { "accel_x",   "accel_y",   "accel_z",  "anglvel_x",
                                             "anglvel_y", "anglvel_z", "timestamp" };
static const char *const labels[5] = { "pelvis", "left_hip", "right_hip", "left_shank", "right_shank" };

struct samples {
        size_t n, cap;
        int16_t (*v)[6];
        int64_t *ts;
};

static void samples_add(struct samples *s, const int16_t v[6], int64_t ts)
{
        if (s->n == s->cap) {
                s->cap = s->cap ? 2 * s->cap : 1024;
                s->v = realloc(s->v, s->cap * sizeof(*s->v));
                s->ts = realloc(s->ts, s->cap * sizeof(*s->ts));
                cr_assert(s->v && s->ts);
        }
        memcpy(s->v[s->n], v, sizeof(s->v[0]));
        s->ts[s->n++] = ts;
}

static void samples_free(struct samples *s)
{
        free(s->v);
        free(s->ts);
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

/* Enables all seven channels and makes a non-cyclic buffer, as gaitmond does. */
static struct iio_buffer *open_buffer(struct iio_device *dev, struct iio_channel *ch[NCHAN], size_t samples)
{
        for (int c = 0; c < NCHAN; c++) {
                ch[c] = iio_device_find_channel(dev, chan_ids[c], false);
                cr_assert_not_null(ch[c], "channel %s missing", chan_ids[c]);
                iio_channel_enable(ch[c]);
        }
        return iio_device_create_buffer(dev, samples, false);
}

/* Appends the buffer's samples; returns the count or the refill's error. */
static ssize_t refill_into(struct iio_buffer *buf, struct iio_channel *ch[NCHAN], struct samples *out)
{
        ssize_t r = iio_buffer_refill(buf);
        if (r < 0)
                return r;
        ptrdiff_t step = iio_buffer_step(buf);
        uint8_t *p[NCHAN];
        for (int c = 0; c < NCHAN; c++)
                p[c] = iio_buffer_first(buf, ch[c]);
        size_t n = 0;
        for (uint8_t *end = iio_buffer_end(buf); p[6] < end; n++) {
                int16_t v[6];
                int64_t ts;
                for (int c = 0; c < 6; c++) {
                        memcpy(&v[c], p[c], 2);
                        p[c] += step;
                }
                memcpy(&ts, p[6], 8);
                p[6] += step;
                samples_add(out, v, ts);
        }
        return (ssize_t)n;
}

struct reader {
        struct iio_device *dev;
        size_t want;
        struct samples got;
        ssize_t err;
};

static void *read_device(void *userdata)
{
        struct reader *r = userdata;
        struct iio_channel *ch[NCHAN];
        struct iio_buffer *buf = open_buffer(r->dev, ch, 32);
        if (!buf) {
                r->err = -errno;
                return NULL;
        }
        while (r->got.n < r->want) {
                ssize_t n = refill_into(buf, ch, &r->got);
                if (n < 0) {
                        r->err = n;
                        break;
                }
        }
        iio_buffer_destroy(buf);
        return NULL;
}

static struct iio_context *connect(struct sim_proc *p)
{
        char uri[64];
        snprintf(uri, sizeof(uri), "%s", p->uri); /* libiio writes into the URI */
        struct iio_context *ctx = iio_create_context_from_uri(uri);
        cr_assert_not_null(ctx, "no context from %s: %s", p->uri, strerror(errno));
        return ctx;
}

Test(sim_libiio, five_devices_at_416hz_lose_nothing, .timeout = 60)
{
        struct sim_proc p;
        const char *args[] = { "--port", "0", "--speed", "20", sim_test_file("run-steady.ini"), NULL };
        cr_assert_eq(sim_proc_start(&p, args), 0);
        struct iio_context *ctx = connect(&p);
        cr_assert_eq(iio_context_get_devices_count(ctx), 5);

        const size_t want = 416 * 40; /* 40 simulated seconds, 2 s of real time */
        struct reader rd[5] = { 0 };
        pthread_t th[5];
        for (int d = 0; d < 5; d++) {
                rd[d].dev = find_by_label(ctx, labels[d]);
                cr_assert_not_null(rd[d].dev, "no device labelled %s", labels[d]);
                cr_assert_eq(iio_device_attr_write(rd[d].dev, "sampling_frequency", "416"), 4);
                double hz;
                cr_assert_eq(iio_device_attr_read_double(rd[d].dev, "sampling_frequency", &hz), 0);
                cr_assert_float_eq(hz, 416.0, 1e-9);
                rd[d].want = want;
        }
        for (int d = 0; d < 5; d++)
                cr_assert_eq(pthread_create(&th[d], NULL, read_device, &rd[d]), 0);
        for (int d = 0; d < 5; d++)
                pthread_join(th[d], NULL);

        const double period_ns = 1e9 / 416;
        for (int d = 0; d < 5; d++) {
                cr_assert_eq(rd[d].err, 0, "%s: refill failed: %zd", labels[d], rd[d].err);
                cr_assert_geq(rd[d].got.n, want);
                size_t moving = 0;
                for (size_t i = 1; i < rd[d].got.n; i++) {
                        double dt = (double)(rd[d].got.ts[i] - rd[d].got.ts[i - 1]);
                        cr_assert(fabs(dt - period_ns) <= 1.0,
                                  "%s: sample %zu comes %.0f ns after the one "
                                  "before, not %.0f: samples were lost",
                                  labels[d], i, dt, period_ns);
                        moving += rd[d].got.v[i][4] != rd[d].got.v[i - 1][4];
                }
                cr_assert_gt(moving, want / 2, "%s: the sagittal gyro hardly changes", labels[d]);
        }
        /* one clock for all: the streams were read over the same stretch of simulated time */
        for (int d = 1; d < 5; d++)
                cr_assert_lt(llabs(rd[d].got.ts[0] - rd[0].got.ts[0]), (int64_t)2e9);

        for (int d = 0; d < 5; d++)
                samples_free(&rd[d].got);
        iio_context_destroy(ctx);
        int status = sim_proc_stop(&p);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "gaitmon-sim did not exit cleanly: %#x", status);
}

Test(sim_libiio, replay_reads_back_the_recording, .timeout = 60)
{
        char dir[] = "/tmp/gm-sim-replay.XXXXXX";
        cr_assert_not_null(mkdtemp(dir));
        char rec_path[256], cmd[1024];
        snprintf(rec_path, sizeof(rec_path), "%s/run.csv", dir);
        snprintf(cmd, sizeof(cmd),
                 "'%s' --duration 40 --rate 400 --seed 3 --weak left --weak-onset 10 "
                 "--rotate left_hip:20,-30,170 -o '%s'",
                 getenv("GM_SYNTH"), rec_path);
        cr_assert_eq(system(cmd), 0, "gaitmon-synth failed: %s", cmd);
        struct gm_recording *rec;
        char err[256];
        cr_assert_eq(gm_recording_read(rec_path, &rec, err, sizeof(err), NULL, NULL), 0, "%s", err);

        struct sim_proc p;
        const char *args[] = { "--port", "0", "--speed", "max", "--replay", rec_path, "--loop", NULL };
        cr_assert_eq(sim_proc_start(&p, args), 0);
        struct iio_context *ctx = connect(&p);

        struct reader rd[5] = { 0 };
        pthread_t th[5];
        for (int d = 0; d < 5; d++) {
                rd[d].dev = find_by_label(ctx, labels[d]);
                cr_assert_not_null(rd[d].dev);
                double hz;
                cr_assert_eq(iio_device_attr_read_double(rd[d].dev, "sampling_frequency", &hz), 0);
                cr_assert_float_eq(hz, 400.0, 1e-9, "a replay serves the recording's own rate");
                rd[d].want = 400 * 50; /* longer than the recording: the loop is read too */
                cr_assert_eq(pthread_create(&th[d], NULL, read_device, &rd[d]), 0);
        }
        for (int d = 0; d < 5; d++)
                pthread_join(th[d], NULL);

        for (int d = 0; d < 5; d++) {
                cr_assert_eq(rd[d].err, 0, "%s: refill failed: %zd", labels[d], rd[d].err);
                int loc = gm_loc_from_name(labels[d]);
                for (size_t i = 0; i < rd[d].got.n; i++) {
                        double idx = (double)rd[d].got.ts[i] * 400 / 1e9;
                        cr_assert(fabs(idx - nearbyint(idx)) < 1e-6, "timestamp off the recording's grid");
                        size_t row = (size_t)nearbyint(idx) % rec->n;
                        if (i > 0)
                                cr_assert_eq(rd[d].got.ts[i] - rd[d].got.ts[i - 1], 2500000);
                        struct gm_sample s;
                        gm_recording_get(rec, loc, row, &s);
                        for (int c = 0; c < 6; c++) {
                                double scale = c < 3 ? 0.004785645 : 0.001221730;
                                double orig = c < 3 ? s.acc[c] : s.gyr[c - 3];
                                double served = rd[d].got.v[i][c] * scale;
                                cr_assert(fabs(served - orig) <= scale / 2 + 1e-9,
                                          "%s row %zu %s: served %.6f, recorded %.6f", labels[d], row, chan_ids[c],
                                          served, orig);
                        }
                }
                samples_free(&rd[d].got);
        }
        iio_context_destroy(ctx);
        int status = sim_proc_stop(&p);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        gm_recording_free(rec);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        cr_assert_eq(system(cmd), 0);
}

struct unplug_probe {
        struct iio_device *dev;
        int64_t last_before, first_after;
        ssize_t refill_err;
        int open_errno;
        unsigned refused_opens;
};

static void *watch_unplug(void *userdata)
{
        struct unplug_probe *u = userdata;
        struct iio_channel *ch[NCHAN];
        struct samples got = { 0 };
        struct iio_buffer *buf = open_buffer(u->dev, ch, 32);
        if (!buf)
                return NULL;
        ssize_t r;
        while ((r = refill_into(buf, ch, &got)) >= 0 && got.n < 416 * 60)
                ;
        u->refill_err = r;
        u->last_before = got.n ? got.ts[got.n - 1] : -1;
        iio_buffer_destroy(buf);

        /* plugged back in: OPEN is refused until then */
        for (int tries = 0; tries < 400; tries++) {
                buf = iio_device_create_buffer(u->dev, 32, false);
                if (buf)
                        break;
                u->open_errno = errno;
                u->refused_opens++;
                usleep(10000);
        }
        if (buf) {
                got.n = 0;
                if (refill_into(buf, ch, &got) > 0)
                        u->first_after = got.ts[0];
                iio_buffer_destroy(buf);
        }
        samples_free(&got);
        return NULL;
}

Test(sim_libiio, unplug_stuck_and_saturated, .timeout = 60)
{
        struct sim_proc p;
        const char *args[] = { "--port", "0", "--speed", "3", sim_test_file("faults.ini"), NULL };
        cr_assert_eq(sim_proc_start(&p, args), 0);
        struct iio_context *ctx = connect(&p);

        struct unplug_probe u = { .dev = find_by_label(ctx, "left_shank"), .first_after = -1 };
        cr_assert_not_null(u.dev);
        pthread_t th;
        cr_assert_eq(pthread_create(&th, NULL, watch_unplug, &u), 0);

        struct reader rd[2] = { { .dev = find_by_label(ctx, "pelvis") }, { .dev = find_by_label(ctx, "left_hip") } };
        pthread_t rth[2];
        for (int d = 0; d < 2; d++) {
                cr_assert_not_null(rd[d].dev);
                rd[d].want = 416 * 8; /* up to about 8.5 s: past every window */
                cr_assert_eq(pthread_create(&rth[d], NULL, read_device, &rd[d]), 0);
        }
        for (int d = 0; d < 2; d++)
                pthread_join(rth[d], NULL);
        pthread_join(th, NULL);

        cr_assert_eq(u.refill_err, -ENODEV, "an unplugged sensor's refill gives %zd, not -ENODEV", u.refill_err);
        cr_assert(u.last_before > 4.9e9 && u.last_before < 5.0e9, "last sample before the unplug at %.3f s",
                  u.last_before / 1e9);
        cr_assert_gt(u.refused_opens, 0, "OPEN was never refused while unplugged");
        cr_assert_eq(u.open_errno, ENODEV);
        cr_assert(u.first_after >= 7e9 && u.first_after < 7.5e9, "first sample after the replug at %.3f s",
                  u.first_after / 1e9);

        for (int d = 0; d < 2; d++) {
                cr_assert_eq(rd[d].err, 0);
                struct samples *s = &rd[d].got;
                cr_assert(s->ts[0] < 4e9 && s->ts[s->n - 1] > 6e9, "%s read from %.2f to %.2f s", labels[d],
                          s->ts[0] / 1e9, s->ts[s->n - 1] / 1e9);
                size_t inside = 0, changes_before = 0;
                int16_t held = 0;
                for (size_t i = 1; i < s->n; i++) {
                        /* the other sensors stream on through the left shank's unplug */
                        cr_assert_lt(llabs(s->ts[i] - s->ts[i - 1] - 2403846), 2);
                        bool in = s->ts[i] >= 4e9 && s->ts[i] < 6e9;
                        if (d == 0) { /* pelvis accel_x frozen at its last value */
                                if (in && !inside)
                                        held = s->v[i][0];
                                if (in)
                                        cr_assert_eq(s->v[i][0], held, "pelvis accel_x moved while stuck");
                                else if (s->ts[i] < 4e9)
                                        changes_before += s->v[i][0] != s->v[i - 1][0];
                        } else if (in) /* left hip sagittal gyro at full scale */
                                cr_assert(s->v[i][4] == 32767 || s->v[i][4] == -32768,
                                          "left_hip anglvel_y %d is not saturated", s->v[i][4]);
                        inside += in;
                }
                cr_assert_gt(inside, 800);
                if (d == 0)
                        cr_assert_gt(changes_before, 100, "pelvis accel_x was already constant before");
                samples_free(s);
        }
        iio_context_destroy(ctx);
        int status = sim_proc_stop(&p);
        cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
