/* FIT encoding of a run: see ctl-fit.h. Little endian throughout. */
#include "ctl-fit.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gm_metric.h"

#define FIT_EPOCH_UNIX 631065600  /* 1989-12-31T00:00:00Z */
#define FIT_PROTOCOL_VERSION 0x20 /* 2.0: developer fields */
#define FIT_PROFILE_VERSION 2132  /* 21.32 */

/* Base types. */
#define T_ENUM 0x00
#define T_UINT8 0x02
#define T_STRING 0x07
#define T_BYTE 0x0d
#define T_UINT16 0x84
#define T_UINT32 0x86
#define T_FLOAT32 0x88
#define T_UINT32Z 0x8c

/* Global message numbers. */
#define MESG_FILE_ID 0
#define MESG_SESSION 18
#define MESG_LAP 19
#define MESG_RECORD 20
#define MESG_EVENT 21
#define MESG_ACTIVITY 34
#define MESG_FIELD_DESCRIPTION 206
#define MESG_DEVELOPER_DATA_ID 207

#define MANUFACTURER_DEVELOPMENT 255
#define SPORT_RUNNING 1
#define SPORT_WALKING 11
#define EVENT_TIMER 0
#define EVENT_SESSION 8
#define EVENT_LAP 9
#define EVENT_ACTIVITY 26
#define EVENT_TYPE_START 0
#define EVENT_TYPE_STOP 1
#define EVENT_TYPE_STOP_ALL 4

#define NAME_SIZE 24
#define UNIT_SIZE 8

struct buf {
        uint8_t *data;
        size_t len, allocated;
        bool failed;
};

static void put(struct buf *b, const void *p, size_t n)
{
        if (b->failed)
                return;
        if (b->len + n > b->allocated) {
                size_t k = b->allocated ? b->allocated * 2 : 65536;
                while (k < b->len + n)
                        k *= 2;
                uint8_t *q = realloc(b->data, k);
                if (!q) {
                        b->failed = true;
                        return;
                }
                b->data = q;
                b->allocated = k;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
}

static void put_u8(struct buf *b, uint8_t v)
{
        put(b, &v, 1);
}

static void put_u16(struct buf *b, uint16_t v)
{
        uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
        put(b, x, 2);
}

static void put_u32(struct buf *b, uint32_t v)
{
        uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
        put(b, x, 4);
}

static void put_f32(struct buf *b, double v)
{
        if (!isfinite(v)) {
                put_u32(b, 0xffffffffu); /* invalid */
                return;
        }
        float f = (float)v;
        uint32_t x;
        memcpy(&x, &f, 4);
        put_u32(b, x);
}

static void put_string(struct buf *b, const char *s, size_t size)
{
        char x[64] = {};
        snprintf(x, size < sizeof x ? size : sizeof x, "%s", s);
        put(b, x, size);
}

/* A value scaled into an unsigned field; invalid (all ones) when unknown or out of range. */
static uint32_t scaled(double v, double scale, uint32_t invalid)
{
        double x = round(v * scale);
        if (!isfinite(x) || x < 0 || x >= invalid)
                return invalid;
        return (uint32_t)x;
}

/* CRC-16 of the FIT protocol (polynomial 0x8005 reflected, as 0xA001, initial 0). */
static uint16_t crc16(uint16_t crc, const uint8_t *p, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                crc ^= p[i];
                for (int k = 0; k < 8; k++)
                        crc = crc & 1 ? (uint16_t)((crc >> 1) ^ 0xa001) : (uint16_t)(crc >> 1);
        }
        return crc;
}

struct field_def {
        uint8_t num, size, type;
};

static void define(struct buf *b, uint8_t local, uint16_t global, const struct field_def *f, size_t n,
                   const struct field_def *dev, size_t n_dev)
{
        put_u8(b, (uint8_t)(0x40 | (n_dev ? 0x20 : 0) | local));
        put_u8(b, 0); /* reserved */
        put_u8(b, 0); /* little endian */
        put_u16(b, global);
        put_u8(b, (uint8_t)n);
        for (size_t i = 0; i < n; i++) {
                put_u8(b, f[i].num);
                put_u8(b, f[i].size);
                put_u8(b, f[i].type);
        }
        if (n_dev) {
                put_u8(b, (uint8_t)n_dev);
                for (size_t i = 0; i < n_dev; i++) {
                        put_u8(b, dev[i].num);
                        put_u8(b, dev[i].size);
                        put_u8(b, 0); /* developer_data_index */
                }
        }
}

/* The developer fields of a record, in this order: sides of metrics ("hip_extension_left",
 * in the metric table's unit), then the fatigue score. */
static const struct {
        enum gm_metric metric;
        enum gm_side side;
} dev_metrics[] = {
        { GM_METRIC_HIP_EXT, GM_SIDE_LEFT },
        { GM_METRIC_HIP_EXT, GM_SIDE_RIGHT },
        { GM_METRIC_PELVIC_DROP, GM_SIDE_LEFT },
        { GM_METRIC_PELVIC_DROP, GM_SIDE_RIGHT },
};
#define N_DEV_METRICS (sizeof dev_metrics / sizeof dev_metrics[0])
#define N_DEV (N_DEV_METRICS + 1)

static void dev_field(size_t i, char *name, size_t size, const char **unit)
{
        if (i < N_DEV_METRICS) {
                snprintf(name, size, "%s_%s", gm_metric_name(dev_metrics[i].metric), gm_side_name(dev_metrics[i].side));
                *unit = gm_metric_info(dev_metrics[i].metric)->unit;
        } else {
                snprintf(name, size, "fatigue_score");
                *unit = "0-1";
        }
}

/* gaitmon's developer id: any 16 bytes, the same in every file. */
static const uint8_t application_id[16] = { 0x67, 0x61, 0x69, 0x74, 0x6d, 0x6f, 0x6e, 0x2d,
                                            0x67, 0x61, 0x69, 0x74, 0x2d, 0x76, 0x31, 0x00 };

static uint32_t fit_time(int64_t unix_s)
{
        int64_t t = unix_s - FIT_EPOCH_UNIX;
        return t < 0 ? 0 : t > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)t;
}

/* The wall-clock second of a stride (floor of start + t_s, in µs arithmetic). */
static int64_t stride_second(int64_t start_us, double t_s)
{
        int64_t us = start_us + llround(t_s * 1e6);
        return us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
}

static double mean_add(double *sum, unsigned *n, double v)
{
        if (isfinite(v)) {
                *sum += v;
                (*n)++;
        }
        return *n ? *sum / *n : NAN;
}

/* The fatigue score of the minute holding t_s, NaN if none. */
static double minute_fatigue(const struct ctl_run *run, double t_s)
{
        for (size_t i = 0; i < run->n_minutes; i++) {
                const struct gm_run_minute *m = &run->minutes[i];
                if (t_s >= m->t_s && t_s < m->t_s + m->length_s)
                        return m->fatigue;
        }
        return NAN;
}

struct second {
        int64_t unix_s;
        double first_t_s;
        double stride_sum, stance_sum, side_stance_sum[2], hip_sum[2], drop_sum[2], vosc_sum;
        unsigned stride_n, stance_n, side_stance_n[2], hip_n[2], drop_n[2], vosc_n;
};

static void write_record(struct buf *b, const struct ctl_run *run, const struct second *sec)
{
        double stride_ms = sec->stride_n ? sec->stride_sum / sec->stride_n : NAN;
        double stance_ms = sec->stance_n ? sec->stance_sum / sec->stance_n : NAN;
        double left = sec->side_stance_n[0] ? sec->side_stance_sum[0] / sec->side_stance_n[0] : NAN;
        double right = sec->side_stance_n[1] ? sec->side_stance_sum[1] / sec->side_stance_n[1] : NAN;
        double cadence = stride_ms > 0 ? 60000.0 / stride_ms : NAN; /* strides/min */
        uint32_t whole = isfinite(cadence) && cadence < 255 ? (uint32_t)floor(cadence) : 0xff;

        put_u8(b, 1); /* local message 1: record */
        put_u32(b, fit_time(sec->unix_s));
        put_u8(b, (uint8_t)whole);
        put_u8(b, whole == 0xff ? 0xff : (uint8_t)scaled(cadence - whole, 128, 0xff));
        put_u16(b, (uint16_t)scaled(stance_ms, 10, 0xffff));
        put_u16(b, (uint16_t)scaled(100 * left / (left + right), 100, 0xffff));
        /* vertical_oscillation: mm, scale 10 */
        put_u16(b, (uint16_t)scaled(sec->vosc_n ? 10 * sec->vosc_sum / sec->vosc_n : NAN, 10, 0xffff));
        put_f32(b, sec->hip_n[0] ? sec->hip_sum[0] / sec->hip_n[0] : NAN);
        put_f32(b, sec->hip_n[1] ? sec->hip_sum[1] / sec->hip_n[1] : NAN);
        put_f32(b, sec->drop_n[0] ? sec->drop_sum[0] / sec->drop_n[0] : NAN);
        put_f32(b, sec->drop_n[1] ? sec->drop_sum[1] / sec->drop_n[1] : NAN);
        put_f32(b, minute_fatigue(run, sec->first_t_s));
}

int ctl_fit_write(FILE *f, const struct ctl_run *run, const struct gm_stride_record *strides, size_t n,
                  size_t *ret_records)
{
        struct buf b = {};
        size_t records = 0;
        int64_t start_s = run->s.start_us / 1000000;
        int64_t end_s = (run->s.start_us + llround(run->s.duration_s * 1e6)) / 1000000;
        uint8_t sport = run->s.activity == GM_ACTIVITY_WALKING ? SPORT_WALKING : SPORT_RUNNING;
        uint32_t elapsed_ms = scaled(run->s.duration_s, 1000, 0xffffffffu);
        int r = 0;

        put(&b, (uint8_t[14]){}, 14); /* the header, filled in at the end */

        static const struct field_def file_id[] = {
                { 0, 1, T_ENUM },    { 1, 2, T_UINT16 }, { 2, 2, T_UINT16 },
                { 3, 4, T_UINT32Z }, { 4, 4, T_UINT32 }, { 8, 20, T_STRING },
        };
        define(&b, 0, MESG_FILE_ID, file_id, 6, NULL, 0);
        put_u8(&b, 0);
        put_u8(&b, 4); /* activity */
        put_u16(&b, MANUFACTURER_DEVELOPMENT);
        put_u16(&b, 1);
        put_u32(&b, run->s.id > 0 && run->s.id < UINT32_MAX ? (uint32_t)run->s.id : 1);
        put_u32(&b, fit_time(start_s));
        put_string(&b, "gaitmon", 20);

        static const struct field_def developer[] = { { 1, 16, T_BYTE }, { 3, 1, T_UINT8 } };
        define(&b, 0, MESG_DEVELOPER_DATA_ID, developer, 2, NULL, 0);
        put_u8(&b, 0);
        put(&b, application_id, 16);
        put_u8(&b, 0);

        static const struct field_def description[] = {
                { 0, 1, T_UINT8 },          { 1, 1, T_UINT8 },          { 2, 1, T_UINT8 },
                { 3, NAME_SIZE, T_STRING }, { 8, UNIT_SIZE, T_STRING }, { 14, 2, T_UINT16 },
        };
        define(&b, 0, MESG_FIELD_DESCRIPTION, description, 6, NULL, 0);
        for (size_t i = 0; i < N_DEV; i++) {
                put_u8(&b, 0);
                put_u8(&b, 0);          /* developer_data_index */
                put_u8(&b, (uint8_t)i); /* field_definition_number */
                put_u8(&b, T_FLOAT32);
                char name[NAME_SIZE];
                const char *unit;
                dev_field(i, name, sizeof name, &unit);
                put_string(&b, name, NAME_SIZE);
                put_string(&b, unit, UNIT_SIZE);
                put_u16(&b, MESG_RECORD);
        }

        static const struct field_def event[] = { { 253, 4, T_UINT32 }, { 0, 1, T_ENUM }, { 1, 1, T_ENUM } };
        define(&b, 2, MESG_EVENT, event, 3, NULL, 0);
        put_u8(&b, 2);
        put_u32(&b, fit_time(start_s));
        put_u8(&b, EVENT_TIMER);
        put_u8(&b, EVENT_TYPE_START);

        static const struct field_def record[] = {
                { 253, 4, T_UINT32 }, { 4, 1, T_UINT8 },   { 53, 1, T_UINT8 },
                { 41, 2, T_UINT16 },  { 84, 2, T_UINT16 }, { 39, 2, T_UINT16 },
        };
        struct field_def dev[N_DEV];
        for (size_t i = 0; i < N_DEV; i++)
                dev[i] = (struct field_def){ (uint8_t)i, 4, 0 };
        define(&b, 1, MESG_RECORD, record, 6, dev, N_DEV);

        struct second sec = { .unix_s = INT64_MIN };
        for (size_t i = 0; i < n; i++) {
                const struct gm_stride_record *st = &strides[i];
                int64_t s = stride_second(run->s.start_us, st->t_s);
                if (s != sec.unix_s) {
                        if (sec.unix_s != INT64_MIN) {
                                write_record(&b, run, &sec);
                                records++;
                        }
                        sec = (struct second){ .unix_s = s, .first_t_s = st->t_s };
                }
                int side = st->side == GM_SIDE_RIGHT ? 1 : 0;
                mean_add(&sec.stride_sum, &sec.stride_n, st->stride_ms);
                mean_add(&sec.stance_sum, &sec.stance_n, st->stance_ms);
                mean_add(&sec.side_stance_sum[side], &sec.side_stance_n[side], st->stance_ms);
                mean_add(&sec.hip_sum[side], &sec.hip_n[side], st->hip_ext_deg);
                mean_add(&sec.drop_sum[side], &sec.drop_n[side], st->pelvic_drop_deg);
                mean_add(&sec.vosc_sum, &sec.vosc_n, st->vertical_osc_cm);
        }
        if (sec.unix_s != INT64_MIN) {
                write_record(&b, run, &sec);
                records++;
        }

        put_u8(&b, 2);
        put_u32(&b, fit_time(end_s));
        put_u8(&b, EVENT_TIMER);
        put_u8(&b, EVENT_TYPE_STOP_ALL);

        /* One lap, the whole run. */
        double cadence = run->s.cadence_spm / 2; /* strides/min */
        static const struct field_def lap[] = {
                { 253, 4, T_UINT32 }, { 254, 2, T_UINT16 }, { 0, 1, T_ENUM },   { 1, 1, T_ENUM },    { 2, 4, T_UINT32 },
                { 7, 4, T_UINT32 },   { 8, 4, T_UINT32 },   { 17, 1, T_UINT8 }, { 77, 2, T_UINT16 },
        };
        define(&b, 3, MESG_LAP, lap, 9, NULL, 0);
        put_u8(&b, 3);
        put_u32(&b, fit_time(end_s));
        put_u16(&b, 0);
        put_u8(&b, EVENT_LAP);
        put_u8(&b, EVENT_TYPE_STOP);
        put_u32(&b, fit_time(start_s));
        put_u32(&b, elapsed_ms);
        put_u32(&b, elapsed_ms);
        put_u8(&b, (uint8_t)scaled(cadence, 1, 0xff));
        put_u16(&b, (uint16_t)scaled(10 * run->s.vertical_osc_cm, 10, 0xffff)); /* mm, scale 10 */

        static const struct field_def session[] = {
                { 253, 4, T_UINT32 }, { 254, 2, T_UINT16 }, { 0, 1, T_ENUM },    { 1, 1, T_ENUM },   { 2, 4, T_UINT32 },
                { 5, 1, T_ENUM },     { 6, 1, T_ENUM },     { 7, 4, T_UINT32 },  { 8, 4, T_UINT32 }, { 18, 1, T_UINT8 },
                { 25, 2, T_UINT16 },  { 26, 2, T_UINT16 },  { 89, 2, T_UINT16 },
        };
        define(&b, 4, MESG_SESSION, session, 13, NULL, 0);
        put_u8(&b, 4);
        put_u32(&b, fit_time(end_s));
        put_u16(&b, 0);
        put_u8(&b, EVENT_SESSION);
        put_u8(&b, EVENT_TYPE_STOP);
        put_u32(&b, fit_time(start_s));
        put_u8(&b, sport);
        put_u8(&b, 0); /* generic sub-sport */
        put_u32(&b, elapsed_ms);
        put_u32(&b, elapsed_ms);
        put_u8(&b, (uint8_t)scaled(cadence, 1, 0xff));
        put_u16(&b, 0);
        put_u16(&b, 1);
        put_u16(&b, (uint16_t)scaled(10 * run->s.vertical_osc_cm, 10, 0xffff));

        static const struct field_def activity[] = {
                { 253, 4, T_UINT32 }, { 0, 4, T_UINT32 }, { 1, 2, T_UINT16 },
                { 2, 1, T_ENUM },     { 3, 1, T_ENUM },   { 4, 1, T_ENUM },
        };
        define(&b, 5, MESG_ACTIVITY, activity, 6, NULL, 0);
        put_u8(&b, 5);
        put_u32(&b, fit_time(end_s));
        put_u32(&b, elapsed_ms);
        put_u16(&b, 1);
        put_u8(&b, 0); /* manual */
        put_u8(&b, EVENT_ACTIVITY);
        put_u8(&b, EVENT_TYPE_STOP);

        if (b.failed) {
                free(b.data);
                return -ENOMEM;
        }
        /* The header: its size, the versions, the size of the records, ".FIT" and its CRC. */
        uint32_t data_size = (uint32_t)(b.len - 14);
        uint8_t *h = b.data;
        h[0] = 14;
        h[1] = FIT_PROTOCOL_VERSION;
        h[2] = FIT_PROFILE_VERSION & 0xff;
        h[3] = FIT_PROFILE_VERSION >> 8;
        for (int i = 0; i < 4; i++)
                h[4 + i] = (uint8_t)(data_size >> (8 * i));
        memcpy(h + 8, ".FIT", 4);
        uint16_t hcrc = crc16(0, h, 12);
        h[12] = (uint8_t)hcrc;
        h[13] = (uint8_t)(hcrc >> 8);
        put_u16(&b, crc16(0, b.data, b.len));
        if (b.failed) {
                free(b.data);
                return -ENOMEM;
        }
        if (fwrite(b.data, 1, b.len, f) != b.len)
                r = -EIO;
        free(b.data);
        if (r >= 0 && ret_records)
                *ret_records = records;
        return r;
}
