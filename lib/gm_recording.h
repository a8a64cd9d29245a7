/* Recording CSV v1: reading and writing. */
#pragma once

#include <stdio.h>

#include "gm_types.h"

/* A recording held in memory. Per present location, 6 doubles a row:
 * acc x/y/z then gyr x/y/z (gyr NaN when the file has no gyro columns). */
struct gm_recording {
        double rate_hz;
        size_t n;
        double *t;
        unsigned loc_mask; /* 1u << enum gm_loc for each present location */
        unsigned gyr_mask; /* locations that have gyro columns */
        double *data[GM_LOC_COUNT];
        char activity[32]; /* "# activity:" header, "" when absent */
        size_t gaps;       /* rows more than 1.5 sample periods after the previous */
};

/* progress(done_bytes, total_bytes, userdata) is called now and then when not NULL. */
typedef void (*gm_progress_fn)(size_t done, size_t total, void *userdata);

/* What a recording's header says, and what its rows said so far. */
struct gm_recording_info {
        double rate_hz; /* the header's; without one the timestamps' (median interval) */
        unsigned loc_mask, gyr_mask;
        char activity[32];
        size_t n; /* rows read so far */
        double t_first, t_last;
        size_t gaps; /* rows more than 1.5 sample periods after the previous */
        size_t bytes_done, bytes_total;
};

/* Rows as the streaming reader hands them out, at most GM_READER_BLOCK at a time;
 * per present location 6 doubles a row as in struct gm_recording. */
#define GM_READER_BLOCK 1024
struct gm_rows {
        size_t n;
        const double *t;
        const double *data[GM_LOC_COUNT];
};

/* Reads a recording in fixed-size blocks: memory depends on the longest line, not on
 * the length. Every check of gm_recording_read is made; the ones about the whole file
 * (enough rows, rate_hz against the timestamps) when the last row has been read. */
struct gm_reader;
int gm_reader_open(const char *path, struct gm_reader **out, char *err, size_t errlen);
const struct gm_recording_info *gm_reader_info(const struct gm_reader *r);
/* The next rows: their count, 0 once the file ended and passed the checks, or a
 * negative errno with a message naming file and line in err. */
int gm_reader_next(struct gm_reader *r, struct gm_rows *rows, char *err, size_t errlen);
void gm_reader_free(struct gm_reader *r);

/* The whole recording in memory.
 * Returns 0, or a negative errno with a message naming file and line in err. */
int gm_recording_read(const char *path, struct gm_recording **out, char *err, size_t errlen, gm_progress_fn progress,
                      void *userdata);
struct gm_recording *gm_recording_new(double rate_hz, size_t n, unsigned loc_mask, unsigned gyr_mask);
void gm_recording_free(struct gm_recording *rec);
void gm_recording_get(const struct gm_recording *rec, enum gm_loc loc, size_t i, struct gm_sample *s);
void gm_recording_set(struct gm_recording *rec, enum gm_loc loc, size_t i, const struct gm_sample *s);
int gm_recording_write(FILE *f, const struct gm_recording *rec);
