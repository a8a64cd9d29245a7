/* The records a run is kept as (its summary, its advice, its minutes, its strides), each
 * described once: the store's columns, the D-Bus dictionaries, the CLI's JSON and the exports
 * are made from these tables. Adding a field to a run is one line here plus its computation. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "gm_metric.h"
#include "gm_run.h"

enum gm_field_type {
        GM_FIELD_DOUBLE,   /* double; NaN = unknown (SQL NULL); D-Bus "d" */
        GM_FIELD_U64,      /* uint64_t; D-Bus "t" */
        GM_FIELD_I64,      /* int64_t, e.g. µs since the epoch; D-Bus "x" */
        GM_FIELD_U32,      /* unsigned; D-Bus "u" */
        GM_FIELD_TEXT,     /* char[size], NUL-terminated; D-Bus "s" */
        GM_FIELD_ACTIVITY, /* enum gm_activity, by name ("idle", "walking", "running"); D-Bus "s" */
        GM_FIELD_SIDE,     /* enum gm_side, by name ("left", "right"); D-Bus "s" */
};

enum gm_field_flags {
        GM_FIELD_ROWID = 1 << 0,  /* assigned by the store (the record's id), never written */
        GM_FIELD_ONCE = 1 << 1,   /* written when the record is made, never changed */
        GM_FIELD_METRIC = 1 << 2, /* a metric's value, described by the metric table */
};

struct gm_field {
        const char *key;    /* stable name: D-Bus dictionary key, JSON key, CSV column */
        const char *column; /* SQL column */
        enum gm_field_type type;
        size_t offset;     /* in the record's struct */
        size_t size;       /* of the member (the buffer for GM_FIELD_TEXT) */
        const char *unit;  /* "steps/min", "% points", ... or ""; NULL for a metric's: gm_field_unit() */
        const char *label; /* for people; NULL for a metric's: gm_field_label() */
        unsigned flags;
        enum gm_metric metric; /* with GM_FIELD_METRIC: the metric, in its unit */
        enum gm_side side;     /* and its side (GM_SIDE_UNKNOWN: the record's own, as a stride's) */
};

struct gm_record_desc {
        const char *name; /* "run", "advice", "minute", "stride" */
        const struct gm_field *fields;
        size_t n_fields;
};

/* One stride of a run, as kept in the history. */
struct gm_stride_record {
        double t_s; /* initial contact, seconds since the run started */
        enum gm_side side;
        double stride_ms; /* to the next initial contact of the same side */
        double stance_ms;
        double swing_ms;
        double hip_ext_deg; /* NaN without a pelvis sensor */
        double pelvic_drop_deg;
        double impact_g;
        double vertical_osc_cm; /* the pelvis' rise and fall, mean of the stride's two steps */
        enum gm_activity activity;
};

extern const struct gm_record_desc gm_run_record;    /* struct gm_run_summary */
extern const struct gm_record_desc gm_advice_record; /* struct gm_advice, without its actions */
extern const struct gm_record_desc gm_minute_record; /* struct gm_run_minute */
extern const struct gm_record_desc gm_stride_record; /* struct gm_stride_record */

/* The field called key, NULL if none. */
const struct gm_field *gm_record_field(const struct gm_record_desc *d, const char *key);

/* A field's unit ("ms", "deg", "steps/min", ... or ""). */
const char *gm_field_unit(const struct gm_field *f);
/* A field's label for people ("Hip extension, left"), in buf when made from the metric table. */
const char *gm_field_label(const struct gm_field *f, char *buf, size_t size);

/* The D-Bus type character of a field ('d', 't', 'x', 'u', 's'). */
char gm_field_dbus_type(const struct gm_field *f);

/* Reads a numeric field as a double (NaN for text and unknown). */
double gm_field_get_double(const struct gm_field *f, const void *record);

/* Sets every field to "unknown": NaN, 0, "" (what a reader sees of a key it did not get). */
void gm_record_clear(const struct gm_record_desc *d, void *record);
