/* Unit tests of the recording, events and bouts readers and of the bad input they must survive. */
#include <criterion/criterion.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gm_asym.h"
#include "gm_events.h"
#include "gm_model.h"
#include "gm_recording.h"
#include "gm_replay.h"
#include "gm_stats.h"

#define PELVIS (1u << GM_LOC_PELVIS)
#define HDR "# gaitmon-recording 1\n# rate_hz: 100\n"
#define COLS "time_s,pelvis_acc_x,pelvis_acc_y,pelvis_acc_z,pelvis_gyr_x,pelvis_gyr_y,pelvis_gyr_z\n"

/* A unique temp file holding text; the caller unlinks and frees the path. */
static char *tmp_file(const char *text, size_t len)
{
        const char *dir = getenv("TMPDIR");
        char *path = NULL;
        cr_assert(asprintf(&path, "%s/gm-test-rec-XXXXXX", dir && *dir ? dir : "/tmp") > 0);
        int fd = mkstemp(path);
        cr_assert(fd >= 0, "mkstemp: %s", strerror(errno));
        cr_assert_eq(write(fd, text, len), (ssize_t)len);
        close(fd);
        return path;
}

/* One row of a plausible walking pelvis signal at 1.8 steps/s. */
static void walk_row(FILE *f, double t)
{
        double w = 2 * M_PI * 1.8 * t;
        fprintf(f, "%.4f,%.5f,%.5f,%.5f,%.5f,%.5f,%.5f\n", t, 9.81 + 2.0 * sin(w), 0.8 * sin(w / 2), 1.5 * cos(w),
                0.3 * sin(w / 2), 0.2 * cos(w), 0.5 * sin(w / 2 + 0.3));
}

/* Text of a recording: header, rows 0..n-1 at 100 Hz, with row `bad` (if < n) replaced. */
static char *walk_text(size_t n, size_t bad, const char *bad_row, size_t *len)
{
        char *buf = NULL;
        FILE *f = open_memstream(&buf, len);
        cr_assert(f);
        fputs(HDR COLS, f);
        for (size_t i = 0; i < n; i++) {
                if (i == bad)
                        fputs(bad_row, f);
                else
                        walk_row(f, i / 100.0);
        }
        fclose(f);
        return buf;
}

struct read_result {
        int r;
        struct gm_recording *rec;
        char err[512];
        char *path;
};

static void read_text(const char *text, struct read_result *res)
{
        res->path = tmp_file(text, strlen(text));
        res->rec = NULL;
        res->err[0] = 0;
        res->r = gm_recording_read(res->path, &res->rec, res->err, sizeof(res->err), NULL, NULL);
}

static void done(struct read_result *res)
{
        gm_recording_free(res->rec);
        unlink(res->path);
        free(res->path);
}

/* The read fails with -EINVAL, a message naming the file, and each of the needles. */
static void expect_error(const char *text, const char *needle1, const char *needle2)
{
        struct read_result res;
        read_text(text, &res);
        cr_assert_eq(res.r, -EINVAL, "expected -EINVAL, got %d (%s)", res.r, res.err);
        cr_assert_null(res.rec);
        cr_assert(strstr(res.err, res.path), "message does not name the file: %s", res.err);
        cr_assert(strstr(res.err, needle1), "message lacks '%s': %s", needle1, res.err);
        if (needle2)
                cr_assert(strstr(res.err, needle2), "message lacks '%s': %s", needle2, res.err);
        done(&res);
}

Test(recording, reads_a_valid_file)
{
        struct read_result res;
        read_text(HDR "# activity: walking\n# note: free text, with a comma\n" COLS
                      "0.00,1,2,3,0.1,0.2,0.3\n"
                      "0.01,4,5,6,0.4,0.5,0.6\n"
                      "\n"
                      "0.02, 7 ,8,9,-0.7,-0.8,-0.9\n",
                  &res);
        cr_assert_eq(res.r, 0, "%s", res.err);
        struct gm_recording *rec = res.rec;
        cr_assert_eq(rec->n, 3);
        cr_assert_float_eq(rec->rate_hz, 100, 1e-9);
        cr_assert_eq(rec->loc_mask, PELVIS);
        cr_assert_eq(rec->gyr_mask, PELVIS);
        cr_assert_str_eq(rec->activity, "walking");
        cr_assert_eq(rec->gaps, 0);
        struct gm_sample s;
        gm_recording_get(rec, GM_LOC_PELVIS, 2, &s);
        cr_assert_float_eq(s.t, 0.02, 1e-12);
        cr_assert_float_eq(s.acc[0], 7, 1e-12);
        cr_assert_float_eq(s.acc[2], 9, 1e-12);
        cr_assert_float_eq(s.gyr[1], -0.8, 1e-12);
        done(&res);
}

Test(recording, acc_only_location_has_nan_gyro)
{
        struct read_result res;
        read_text(HDR
                  "time_s,left_shank_acc_x,left_shank_acc_y,left_shank_acc_z\n"
                  "0,1,2,3\n0.01,1,2,3\n0.02,1,2,3\n",
                  &res);
        cr_assert_eq(res.r, 0, "%s", res.err);
        cr_assert_eq(res.rec->loc_mask, 1u << GM_LOC_LEFT_SHANK);
        cr_assert_eq(res.rec->gyr_mask, 0);
        struct gm_sample s;
        gm_recording_get(res.rec, GM_LOC_LEFT_SHANK, 1, &s);
        cr_assert(isnan(s.gyr[0]) && isnan(s.gyr[2]));
        done(&res);
}

Test(recording, rate_from_timestamps_without_header)
{
        struct read_result res;
        read_text(
                "# gaitmon-recording 1\ntime_s,pelvis_acc_x,pelvis_acc_y,pelvis_acc_z\n"
                "0,1,2,3\n0.005,1,2,3\n0.010,1,2,3\n",
                &res);
        cr_assert_eq(res.r, 0, "%s", res.err);
        cr_assert_float_eq(res.rec->rate_hz, 200, 1e-6);
        done(&res);
}

Test(recording, missing_acc_column)
{
        expect_error(HDR "time_s,pelvis_acc_x,pelvis_acc_y\n0,1,2\n0.01,1,2\n", ":3:", "missing column pelvis_acc_z");
}

Test(recording, partial_gyro_columns)
{
        expect_error(HDR "time_s,pelvis_acc_x,pelvis_acc_y,pelvis_acc_z,pelvis_gyr_x\n0,1,2,3,4\n0.01,1,2,3,4\n",
                     ":3:", "missing column pelvis_gyr_y");
}

Test(recording, missing_time_column)
{
        expect_error(HDR "pelvis_acc_x,pelvis_acc_y,pelvis_acc_z\n1,2,3\n1,2,3\n", ":3:", "time_s");
}

Test(recording, unknown_column)
{
        expect_error(HDR "time_s,pelvis_acc_x,pelvis_acc_y,pelvis_acc_z,pelvis_temp\n0,1,2,3,4\n",
                     ":3:", "unknown column 'pelvis_temp'");
        expect_error(HDR "time_s,knee_acc_x,knee_acc_y,knee_acc_z\n0,1,2,3\n", ":3:", "unknown column 'knee_acc_x'");
}

Test(recording, duplicate_column)
{
        expect_error(HDR "time_s,pelvis_acc_x,pelvis_acc_y,pelvis_acc_z,pelvis_acc_x\n0,1,2,3,4\n", ":3:", "twice");
}

Test(recording, text_in_a_number)
{
        size_t len;
        /* Row 4 of the data is line 3 (header) + 5 = line 7. */
        char *text = walk_text(10, 3, "0.03,1.0,2.0,abc,0,0,0\n", &len);
        expect_error(text, ":7:", "'abc' in column 4 is not a number");
        free(text);
        text = walk_text(10, 0, "0.00,1.0,2.0x,3,0,0,0\n", &len);
        expect_error(text, ":4:", "not a number");
        free(text);
        text = walk_text(10, 9, "0.09,1,2,3,0,0,1,5e\n", &len);
        expect_error(text, ":13:", NULL);
        free(text);
}

Test(recording, empty_field)
{
        size_t len;
        char *text = walk_text(10, 5, "0.05,1,,3,0,0,0\n", &len);
        expect_error(text, ":9:", "empty value in column 3");
        free(text);
        text = walk_text(10, 5, "0.05,1, ,3,0,0,0\n", &len);
        expect_error(text, ":9:", "empty");
        free(text);
}

Test(recording, too_few_and_too_many_fields)
{
        size_t len;
        char *text = walk_text(10, 2, "0.02,1,2,3,0,0\n", &len);
        expect_error(text, ":6:", "6 fields, the header has 7");
        free(text);
        text = walk_text(10, 2, "0.02,1,2,3,0,0,0,9\n", &len);
        expect_error(text, ":6:", "more fields");
        free(text);
        text = walk_text(10, 2, "0.02,1,2,3,0,0,0,\n", &len);
        expect_error(text, ":6:", "more fields");
        free(text);
}

Test(recording, time_backwards_or_repeated)
{
        size_t len;
        char *text = walk_text(10, 6, "0.04,1,2,3,0,0,0\n", &len);
        expect_error(text, ":10:", "backwards");
        free(text);
        text = walk_text(10, 6, "0.05,1,2,3,0,0,0\n", &len);
        expect_error(text, ":10:", "repeats");
        free(text);
}

Test(recording, time_not_finite)
{
        size_t len;
        char *text = walk_text(10, 4, "nan,1,2,3,0,0,0\n", &len);
        expect_error(text, ":8:", "time_s");
        free(text);
}

Test(recording, missing_magic_line)
{
        expect_error("# rate_hz: 100\n" COLS "0,1,2,3,0,0,0\n0.01,1,2,3,0,0,0\n", "not a gaitmon recording",
                     "# gaitmon-recording 1");
        expect_error(COLS "0,1,2,3,0,0,0\n0.01,1,2,3,0,0,0\n", "not a gaitmon recording", NULL);
}

Test(recording, unsupported_version)
{
        expect_error("# gaitmon-recording 2\n" COLS "0,1,2,3,0,0,0\n0.01,1,2,3,0,0,0\n", ":1:", "unsupported");
        expect_error("# rate_hz: 100\n# gaitmon-recording 1.5\n" COLS "0,1,2,3,0,0,0\n", ":2:", "'1.5'");
}

Test(recording, bad_rate_header)
{
        expect_error("# gaitmon-recording 1\n# rate_hz: fast\n" COLS "0,1,2,3,0,0,0\n", ":2:", "rate_hz");
}

Test(recording, short_files)
{
        expect_error("", "no header", NULL);
        expect_error(HDR, "no header", NULL);
        expect_error(HDR COLS, "0 sample rows", NULL);
        expect_error(HDR COLS "0,1,2,3,0,0,0\n", "1 sample rows", NULL);
        expect_error(HDR COLS "0,1,2,3,0,0,0\n\n  \n", "1 sample rows", NULL);
}

Test(recording, missing_file)
{
        struct gm_recording *rec = NULL;
        char err[256];
        int r = gm_recording_read("/nonexistent/gm-rec.csv", &rec, err, sizeof(err), NULL, NULL);
        cr_assert_eq(r, -ENOENT);
        cr_assert_null(rec);
        cr_assert(strstr(err, "/nonexistent/gm-rec.csv"), "%s", err);
}

Test(recording, crlf_line_endings)
{
        struct read_result res;
        read_text(
                "# gaitmon-recording 1\r\n# rate_hz: 100\r\n# activity: running\r\n"
                "time_s,pelvis_acc_x,pelvis_acc_y,pelvis_acc_z\r\n"
                "0,1,2,3\r\n0.01,4,5,6\r\n0.02,7,8,9\r\n",
                &res);
        cr_assert_eq(res.r, 0, "%s", res.err);
        cr_assert_eq(res.rec->n, 3);
        cr_assert_str_eq(res.rec->activity, "running");
        cr_assert_float_eq(res.rec->data[GM_LOC_PELVIS][2 * 6 + 2], 9, 1e-12);
        done(&res);
}

Test(recording, crlf_error_names_the_line)
{
        expect_error("# gaitmon-recording 1\r\n" COLS "0,1,2,3,0,0,0\r\n0.01,1,2,3,0,zz,0\r\n", ":4:", "'zz'");
}

/* Rows 100, 200, 300 … replaced by garbage: the reader keeps them, the pipeline skips them. */
static void bad_values_flagged(const char *const *bad, size_t nbad)
{
        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);
        cr_assert(f);
        fputs(HDR COLS, f);
        size_t n = 3000, k = 0;
        for (size_t i = 0; i < n; i++) {
                if (i % 100 == 50 && k < nbad) {
                        fprintf(f, "%.4f,", i / 100.0);
                        fputs(bad[k++], f);
                } else {
                        walk_row(f, i / 100.0);
                }
        }
        fclose(f);
        struct read_result res;
        read_text(buf, &res);
        free(buf);
        cr_assert_eq(res.r, 0, "the reader must accept NaN/Inf/huge values: %s", res.err);
        cr_assert_eq(res.rec->n, n);

        struct gm_replay rp;
        cr_assert_eq(gm_replay_run(res.rec, NULL, &rp, NULL, NULL), 0);
        cr_assert_eq(rp.final.bad_samples, nbad, "bad_samples %llu, expected %zu",
                     (unsigned long long)rp.final.bad_samples, nbad);
        for (size_t i = 0; i < rp.events.n; i++)
                cr_assert(isfinite(rp.events.ev[i].t));
        for (size_t i = 0; i < rp.strides.n; i++)
                cr_assert(!isinf(rp.strides.st[i].stride_s) && !isinf(rp.strides.st[i].impact_g));
        gm_replay_clear(&rp);
        done(&res);
}

Test(recording, nan_and_inf_flagged_by_the_pipeline)
{
        static const char *const bad[] = {
                "nan,2,3,0,0,0\n",  "1,NaN,3,0,0,0\n",      "1,2,inf,0,0,0\n",
                "1,2,3,-inf,0,0\n", "1,2,3,0,Infinity,0\n", "1,2,3,0,0,-nan\n",
        };
        bad_values_flagged(bad, sizeof(bad) / sizeof(bad[0]));
}

Test(recording, huge_values_flagged)
{
        static const char *const bad[] = {
                "1e300,2,3,0,0,0\n", "1,-1e300,3,0,0,0\n", "1,2,3,0,1e300,0\n",
                "1,2,1e400,0,0,0\n", "1,2,3,0,0,-1e308\n",
        };
        bad_values_flagged(bad, sizeof(bad) / sizeof(bad[0]));
}

Test(recording, tiny_values_accepted)
{
        struct read_result res;
        read_text(HDR "time_s,pelvis_acc_x,pelvis_acc_y,pelvis_acc_z\n0,1e-310,0,1e-400\n0.01,1,2,3\n", &res);
        cr_assert_eq(res.r, 0, "%s", res.err);
        cr_assert(res.rec->data[GM_LOC_PELVIS][0] > 0 && res.rec->data[GM_LOC_PELVIS][0] < 1e-300);
        done(&res);
}

Test(recording, time_gaps_counted)
{
        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);
        cr_assert(f);
        fputs(HDR COLS, f);
        /* 10 s of walking, a 2 s hole, 10 s more, a 0.5 s hole, 5 s more. */
        for (size_t i = 0; i < 1000; i++)
                walk_row(f, i / 100.0);
        for (size_t i = 1200; i < 2200; i++)
                walk_row(f, i / 100.0);
        for (size_t i = 2250; i < 2750; i++)
                walk_row(f, i / 100.0);
        fclose(f);
        struct read_result res;
        read_text(buf, &res);
        free(buf);
        cr_assert_eq(res.r, 0, "%s", res.err);
        cr_assert_eq(res.rec->n, 2500);
        cr_assert_float_eq(res.rec->rate_hz, 100, 1e-9);
        cr_assert_eq(res.rec->gaps, 2);

        struct gm_replay rp;
        cr_assert_eq(gm_replay_run(res.rec, NULL, &rp, NULL, NULL), 0);
        cr_assert_eq(rp.final.gaps, 2);
        cr_assert_eq(rp.final.bad_samples, 0);
        gm_replay_clear(&rp);
        done(&res);
}

Test(recording, small_jitter_is_not_a_gap)
{
        struct read_result res;
        read_text(HDR
                  "time_s,pelvis_acc_x,pelvis_acc_y,pelvis_acc_z\n"
                  "0,1,2,3\n0.011,1,2,3\n0.02,1,2,3\n0.034,1,2,3\n0.04,1,2,3\n",
                  &res);
        cr_assert_eq(res.r, 0, "%s", res.err);
        cr_assert_eq(res.rec->gaps, 0);
        done(&res);
}

Test(recording, write_then_read_round_trip)
{
        unsigned locs = PELVIS | (1u << GM_LOC_LEFT_SHANK) | (1u << GM_LOC_RIGHT_FOOT);
        unsigned gyr = PELVIS | (1u << GM_LOC_RIGHT_FOOT);
        size_t n = 500;
        struct gm_recording *rec = gm_recording_new(128, n, locs, gyr);
        cr_assert(rec);
        snprintf(rec->activity, sizeof(rec->activity), "running");
        for (size_t i = 0; i < n; i++)
                for (int l = 0; l < GM_LOC_COUNT; l++) {
                        if (!(locs & (1u << l)))
                                continue;
                        struct gm_sample s = { .t = 3.5 + i / 128.0 };
                        for (int k = 0; k < 3; k++) {
                                s.acc[k] = 9.80665 * sin(0.01 * i + k + l) + (k == 2 ? 9.80665 : 0);
                                s.gyr[k] = (gyr & (1u << l)) ? 2.5 * cos(0.02 * i - k) : NAN;
                        }
                        gm_recording_set(rec, l, i, &s);
                }

        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);
        cr_assert(f);
        cr_assert_eq(gm_recording_write(f, rec), 0);
        fclose(f);
        struct read_result res;
        read_text(buf, &res);
        free(buf);
        cr_assert_eq(res.r, 0, "%s", res.err);

        struct gm_recording *back = res.rec;
        cr_assert_eq(back->n, n);
        cr_assert_float_eq(back->rate_hz, 128, 1e-9);
        cr_assert_eq(back->loc_mask, locs);
        cr_assert_eq(back->gyr_mask, gyr);
        cr_assert_str_eq(back->activity, "running");
        for (size_t i = 0; i < n; i++) {
                cr_assert_float_eq(back->t[i], rec->t[i], 1e-8);
                for (int l = 0; l < GM_LOC_COUNT; l++) {
                        if (!(locs & (1u << l)))
                                continue;
                        for (int k = 0; k < 6; k++) {
                                double a = rec->data[l][i * 6 + k], b = back->data[l][i * 6 + k];
                                if (isnan(a))
                                        cr_assert(isnan(b), "row %zu %s slot %d", i, gm_loc_name(l), k);
                                else
                                        cr_assert(fabs(a - b) <= 1e-6 * fmax(1, fabs(a)),
                                                  "row %zu %s slot %d: %.17g became %.17g", i, gm_loc_name(l), k, a, b);
                        }
                }
        }
        gm_recording_free(rec);
        done(&res);
}

struct progress_seen {
        size_t done, total, calls;
};

static void progress_cb(size_t done_bytes, size_t total, void *ud)
{
        struct progress_seen *p = ud;
        cr_assert(done_bytes <= total);
        p->done = done_bytes;
        p->total = total;
        p->calls++;
}

Test(recording, progress_reaches_the_end)
{
        size_t len;
        char *text = walk_text(200, 200, "", &len);
        char *path = tmp_file(text, len);
        free(text);
        struct progress_seen seen = { 0 };
        struct gm_recording *rec = NULL;
        char err[256];
        cr_assert_eq(gm_recording_read(path, &rec, err, sizeof(err), progress_cb, &seen), 0, "%s", err);
        cr_assert(seen.calls >= 1);
        cr_assert_eq(seen.done, seen.total);
        cr_assert_eq(seen.total, len);
        gm_recording_free(rec);
        unlink(path);
        free(path);
}

/* ---- events and bouts ---- */

Test(events, write_then_read_round_trip)
{
        struct gm_event_list list = { 0 };
        for (int i = 0; i < 40; i++) {
                struct gm_event ev = {
                        .t = 0.5 + 0.55 * i + (i % 2 ? 0.123456 : 0),
                        .side = i % 3 == 2 ? GM_SIDE_UNKNOWN : (enum gm_side)(i % 2),
                        .kind = (enum gm_event_kind)(i % 2),
                };
                cr_assert_eq(gm_event_list_add(&list, &ev), 0);
        }
        char *buf = NULL;
        size_t len;
        FILE *f = open_memstream(&buf, &len);
        cr_assert(f);
        cr_assert_eq(gm_events_write(f, &list), 0);
        fclose(f);
        cr_assert(strncmp(buf, "time_s,side,event\n", 18) == 0);
        char *path = tmp_file(buf, len);
        free(buf);

        struct gm_event_list back = { 0 };
        char err[256];
        cr_assert_eq(gm_events_read(path, &back, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(back.n, list.n);
        for (size_t i = 0; i < list.n; i++) {
                cr_assert_float_eq(back.ev[i].t, list.ev[i].t, 1e-6);
                cr_assert_eq(back.ev[i].side, list.ev[i].side);
                cr_assert_eq(back.ev[i].kind, list.ev[i].kind);
        }
        gm_event_list_clear(&list);
        gm_event_list_clear(&back);
        unlink(path);
        free(path);
}

static void events_error(const char *text, const char *needle)
{
        char *path = tmp_file(text, strlen(text));
        struct gm_event_list list = { 0 };
        char err[256] = "";
        cr_assert_eq(gm_events_read(path, &list, err, sizeof(err)), -EINVAL, "%s", err);
        cr_assert(strstr(err, path), "message does not name the file: %s", err);
        cr_assert(strstr(err, needle), "message lacks '%s': %s", needle, err);
        gm_event_list_clear(&list);
        unlink(path);
        free(path);
}

Test(events, read_sorts_and_accepts_crlf)
{
        const char *text = "# comment\r\ntime_s,side,event\r\n2.5,right,fc\r\n1.0,left,ic\r\n\r\n3.0,unknown,ic\r\n";
        char *path = tmp_file(text, strlen(text));
        struct gm_event_list list = { 0 };
        char err[256];
        cr_assert_eq(gm_events_read(path, &list, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(list.n, 3);
        cr_assert_float_eq(list.ev[0].t, 1.0, 1e-12);
        cr_assert_eq(list.ev[0].side, GM_SIDE_LEFT);
        cr_assert_eq(list.ev[1].kind, GM_EVENT_FC);
        cr_assert_eq(list.ev[2].side, GM_SIDE_UNKNOWN);
        gm_event_list_clear(&list);
        unlink(path);
        free(path);
}

Test(events, bad_input_names_the_line)
{
        events_error("time_s,side,event\n1.0,left,ic\n1.5,middle,fc\n", ":3:");
        events_error("time_s,side,event\n1.0,left,ic\n1.5,left,heel\n", ":3:");
        events_error("time_s,side,event\nsoon,left,ic\n", ":2:");
        events_error("time_s,side,event\n1.0,left\n", ":2:");
        events_error("time_s,side,event\n1.0,left,ic,extra\n", ":2:");
        events_error("time_s,side,event\ninf,left,ic\n", ":2:");
        events_error("time,side,event\n1.0,left,ic\n", ":1:");
        events_error("", "empty");
}

Test(bouts, read)
{
        const char *text = "start_s,end_s\n1.5,12.25\n20,31.0\n";
        char *path = tmp_file(text, strlen(text));
        struct gm_bout_list list = { 0 };
        char err[256];
        cr_assert_eq(gm_bouts_read(path, &list, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(list.n, 2);
        cr_assert_float_eq(list.b[0].start, 1.5, 1e-12);
        cr_assert_float_eq(list.b[0].end, 12.25, 1e-12);
        cr_assert_float_eq(list.b[1].start, 20, 1e-12);
        cr_assert_float_eq(list.b[1].end, 31, 1e-12);
        gm_bout_list_clear(&list);
        unlink(path);
        free(path);
}

Test(bouts, bad_input_names_the_line)
{
        const char *text = "start_s,end_s\n1.5,12.25\n20,10\n";
        char *path = tmp_file(text, strlen(text));
        struct gm_bout_list list = { 0 };
        char err[256];
        cr_assert_eq(gm_bouts_read(path, &list, err, sizeof(err)), -EINVAL);
        cr_assert(strstr(err, ":3:"), "%s", err);
        gm_bout_list_clear(&list);
        unlink(path);
        free(path);
}

/* A rate header that the timestamps contradict would make every sample a gap (or halve the
 * cadence): refused with both rates. Gaps alone do not make it disagree. */
Test(recording, rate_header_must_match_the_timestamps)
{
        size_t len;
        char *text = walk_text(300, 300, NULL, &len); /* 100 Hz rows */
        char *wrong = NULL;
        cr_assert(asprintf(&wrong, "# gaitmon-recording 1\n# rate_hz: 1000\n%s", strstr(text, "time_s")) > 0);
        expect_error(wrong, "rate_hz 1000", "100 Hz");
        free(wrong);
        cr_assert(asprintf(&wrong, "# gaitmon-recording 1\n# rate_hz: 100\n# rate_hz: 50\n%s", strstr(text, "time_s")) >
                  0);
        expect_error(wrong, ":3:", "twice");
        free(wrong);
        /* 100 Hz with a 2 s hole: still 100 Hz. */
        char *buf = NULL;
        size_t blen;
        FILE *f = open_memstream(&buf, &blen);
        fputs(HDR COLS, f);
        for (int i = 0; i < 300; i++)
                walk_row(f, i < 150 ? i / 100.0 : i / 100.0 + 2);
        fclose(f);
        struct read_result res;
        read_text(buf, &res);
        cr_assert_eq(res.r, 0, "%s", res.err);
        cr_expect_eq(res.rec->gaps, 1);
        done(&res);
        free(buf);
        free(text);
}

/* A NUL byte would end the text early and quietly: refused with its line. */
Test(recording, nul_byte_names_the_line)
{
        size_t len;
        char *text = walk_text(50, 50, NULL, &len);
        char *row = strstr(text, "\n0.2000,");
        cr_assert_not_null(row);
        row[3] = '\0';
        struct read_result res;
        res.path = tmp_file(text, len);
        res.rec = NULL;
        res.r = gm_recording_read(res.path, &res.rec, res.err, sizeof(res.err), NULL, NULL);
        cr_assert_eq(res.r, -EINVAL);
        cr_assert(strstr(res.err, "NUL"), "%s", res.err);
        cr_assert(strstr(res.err, ":24:"), "names the line: %s", res.err); /* row 20 */
        done(&res);
        free(text);
}

/* ---- the streaming reader ---- */

/* A file whose last row stops short (a copy cut off, a disk full) is refused with that
 * row's line, not read as if the row were complete. */
Test(recording, cut_mid_line_names_the_line)
{
        size_t len;
        char *text = walk_text(50, 50, NULL, &len);
        text[len - 4] = 0; /* row 49 (line 53) loses its last digits and newline */
        expect_error(text, ":53:", "ends inside");
        free(text);
        /* Blank text after the last newline is no row. */
        text = walk_text(50, 50, NULL, &len);
        char *more = NULL;
        cr_assert(asprintf(&more, "%s  ", text) > 0);
        struct read_result res;
        read_text(more, &res);
        cr_assert_eq(res.r, 0, "%s", res.err);
        cr_assert_eq(res.rec->n, 50);
        done(&res);
        free(more);
        free(text);
}

Test(recording, a_line_over_a_mebibyte_is_refused)
{
        size_t n = (1u << 20) + 100;
        char *text = malloc(n + 256);
        cr_assert_not_null(text);
        strcpy(text, HDR "# note: ");
        size_t l = strlen(text);
        memset(text + l, 'x', n);
        strcpy(text + l + n, "\n" COLS "0,1,2,3,0,0,0\n0.01,1,2,3,0,0,0\n");
        expect_error(text, ":3:", "longer than");
        free(text);
}

/* Without rate_hz the rate is 1 / the median interval, exactly as a sort of all of them
 * would give it (odd and even counts; jitter; a gap that must not move it). */
static void check_headerless_median(size_t rows)
{
        char *buf = NULL;
        size_t blen;
        FILE *f = open_memstream(&buf, &blen);
        fputs("# gaitmon-recording 1\ntime_s,pelvis_acc_x,pelvis_acc_y,pelvis_acc_z\n", f);
        double *t = malloc(rows * sizeof(double));
        unsigned seed = 7;
        double now = 12.5;
        for (size_t i = 0; i < rows; i++) {
                seed = seed * 1103515245u + 12345u;
                now += 0.004 + 0.002 * ((seed >> 16) % 1000) / 1000.0 + (rows > 10 && i == rows / 3 ? 3.0 : 0);
                char num[64];
                snprintf(num, sizeof(num), "%.6f", now);
                t[i] = strtod(num, NULL);
                fprintf(f, "%s,1,2,9.8\n", num);
        }
        fclose(f);
        double *dt = malloc(rows * sizeof(double));
        for (size_t i = 1; i < rows; i++)
                dt[i - 1] = t[i] - t[i - 1];
        double want = 1.0 / gm_median(dt, rows - 1);
        struct read_result res;
        read_text(buf, &res);
        cr_assert_eq(res.r, 0, "%s", res.err);
        cr_assert_eq(res.rec->rate_hz, want, "%zu rows: %.17g, the median says %.17g", rows, res.rec->rate_hz, want);
        cr_assert_eq(res.rec->gaps, rows > 10);
        done(&res);
        free(dt);
        free(t);
        free(buf);
}

Test(recording, rate_without_header_is_the_exact_median)
{
        check_headerless_median(2);
        check_headerless_median(3);
        check_headerless_median(1001);
        check_headerless_median(5000);
}

/* rate_hz against the timestamps near the 5 % bound, on both sides. */
Test(recording, rate_header_bound)
{
        static const struct {
                double data_hz;
                bool ok;
        } cases[] = { { 95.3, true }, { 94.7, false }, { 104.7, true }, { 105.3, false } };
        for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
                char *buf = NULL;
                size_t blen;
                FILE *f = open_memstream(&buf, &blen);
                fputs(HDR COLS, f);
                for (int i = 0; i < 200; i++)
                        fprintf(f, "%.9f,1,2,9.8,0,0,0\n", i / cases[c].data_hz);
                fclose(f);
                struct read_result res;
                read_text(buf, &res);
                cr_assert_eq(res.r == 0, cases[c].ok, "%.1f Hz: %s", cases[c].data_hz, res.err);
                done(&res);
                free(buf);
        }
}

/* Through the pipeline block by block, or read whole first: the same events, strides and
 * final metrics, on a recording long enough for many blocks and read chunks. */
Test(recording, streaming_matches_the_whole_file, .timeout = 120)
{
        struct gm_model_cfg mc;
        gm_model_cfg_default(&mc);
        mc.rate_hz = 200;
        struct gm_recording *model;
        struct gm_event_list truth = { 0 };
        cr_assert_eq(gm_model_generate(&mc, 120, &model, &truth), 0);
        char *buf = NULL;
        size_t blen;
        FILE *f = open_memstream(&buf, &blen);
        cr_assert_eq(gm_recording_write(f, model), 0);
        fclose(f);
        cr_assert(blen > (1u << 20), "%zu bytes", blen);
        char *path = tmp_file(buf, blen);
        free(buf);

        struct gm_recording *rec = NULL;
        char err[512];
        cr_assert_eq(gm_recording_read(path, &rec, err, sizeof(err), NULL, NULL), 0, "%s", err);
        struct gm_replay whole, stream;
        cr_assert_eq(gm_replay_run(rec, NULL, &whole, NULL, NULL), 0);

        struct gm_reader *rd = NULL;
        cr_assert_eq(gm_reader_open(path, &rd, err, sizeof(err)), 0, "%s", err);
        cr_assert_eq(gm_replay_stream(rd, NULL, &stream, err, sizeof(err), NULL, NULL), 0, "%s", err);
        const struct gm_recording_info *in = gm_reader_info(rd);
        cr_assert_eq(in->n, rec->n);
        cr_assert_eq(in->rate_hz, rec->rate_hz);
        cr_assert_eq(in->t_first, rec->t[0]);
        cr_assert_eq(in->t_last, rec->t[rec->n - 1]);
        cr_assert_eq(in->gaps, rec->gaps);
        cr_assert_eq(in->bytes_done, blen);

        cr_assert(whole.events.n > 100);
        cr_assert_eq(stream.events.n, whole.events.n);
        for (size_t i = 0; i < whole.events.n; i++) {
                cr_assert_eq(stream.events.ev[i].t, whole.events.ev[i].t);
                cr_assert_eq(stream.events.ev[i].side, whole.events.ev[i].side);
                cr_assert_eq(stream.events.ev[i].kind, whole.events.ev[i].kind);
        }
        cr_assert_eq(stream.strides.n, whole.strides.n);
        for (size_t i = 0; i < whole.strides.n; i++) {
                const struct gm_stride *a = &stream.strides.st[i], *b = &whole.strides.st[i];
                cr_assert_eq(a->side, b->side);
                cr_assert_eq(memcmp(&a->t_ic, &b->t_ic, sizeof(double)), 0);
                for (int m = 0; m < GM_METRIC_COUNT; m++) {
                        double x = gm_stride_metric(a, m), y = gm_stride_metric(b, m);
                        cr_assert_eq(memcmp(&x, &y, sizeof(double)), 0, "stride %zu metric %d", i, m);
                }
        }
        cr_assert_eq(stream.spikes.n, whole.spikes.n);
        cr_assert_eq(stream.final.steps, whole.final.steps);
        cr_assert_eq(memcmp(&stream.cadence_fft_spm, &whole.cadence_fft_spm, sizeof(double)), 0);

        gm_replay_clear(&whole);
        gm_replay_clear(&stream);
        gm_reader_free(rd);
        gm_recording_free(rec);
        gm_recording_free(model);
        gm_event_list_clear(&truth);
        unlink(path);
        free(path);
}
