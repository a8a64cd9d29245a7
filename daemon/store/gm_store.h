/* Run history: every run's summary, per-minute metrics, strides and advice in <state dir>/history.db.
 * Its columns are the fields of the record tables (gm_record.h); a history of an older gaitmond
 * gets the tables and columns it lacks when opened (NULL: not measured then). */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "gm_record.h"
#include "gm_run.h"

#define GM_STORE_FILE "history.db"
#define GM_STORE_SCHEMA_VERSION 3

struct gm_store;

enum gm_store_run_state {
        GM_STORE_RUN_ACTIVE,      /* begun and still being written */
        GM_STORE_RUN_ENDED,       /* ended with gm_store_run_end() */
        GM_STORE_RUN_INTERRUPTED, /* never ended (gaitmond was killed or lost power); kept up to its last minute */
};

const char *gm_store_run_state_name(enum gm_store_run_state state);

/* Opens (or creates) <dir>/history.db. A corrupt database, one with a newer schema or one that
 * is not ours is renamed aside (history.db.corrupt-<unix time>, history.db.newer-<unix time>,
 * with its -wal and -shm), reported once on stderr, and a fresh one is created. Runs left
 * active by a previous process are closed as interrupted (and reported). Returns 0 or a
 * negative errno for the caller to report: -ENOENT no such dir, -EISDIR, -EACCES, ...; a file
 * that cannot be moved aside is left as it is (and reported). */
int gm_store_open(const char *dir, struct gm_store **ret);
struct gm_store *gm_store_free(struct gm_store *s); /* NULL-safe; returns NULL */

/* Starts a run from run->start_us and run->activity (the other fields are stored as given,
 * normally empty). Its id is written to *ret_id. */
int gm_store_run_begin(struct gm_store *s, const struct gm_run_summary *run, uint64_t *ret_id);

/* Appends one minute in its own durable transaction and refreshes the run's running summary
 * (duration to the end of this minute, m->length_s long, a whole minute when 0; steps, mean cadence/stance/hip/drop, max asymmetry and
 * fatigue). -ENOENT unknown run, -ESTALE run no longer active, -EEXIST a minute at that t_s. */
int gm_store_run_minute(struct gm_store *s, uint64_t id, const struct gm_run_minute *m);

/* How far the active run has come between its minutes, so that a crash loses seconds, not a
 * minute: its duration and steps grow to these (never shrink). -ENOENT, -ESTALE as above. */
int gm_store_run_progress(struct gm_store *s, uint64_t id, double duration_s, uint64_t steps);

/* Ends run->id with its final summary and advice (advice may be NULL).
 * -ENOENT unknown run, -ESTALE already ended or interrupted. */
int gm_store_run_end(struct gm_store *s, const struct gm_run_summary *run, const struct gm_advice *advice);

/* Runs that started at or after since_us, oldest first, including an active one with its
 * running summary. *ret_runs is malloc()ed (NULL when *ret_n is 0); free() it. */
int gm_store_runs_since(struct gm_store *s, int64_t since_us, struct gm_run_summary **ret_runs, size_t *ret_n);

/* One run. Any of run, advice, ret_state may be NULL. advice is zeroed (acwr NaN) for a run
 * without advice. -ENOENT unknown id. */
int gm_store_run_get(struct gm_store *s, uint64_t id, struct gm_run_summary *run, struct gm_advice *advice,
                     enum gm_store_run_state *ret_state);

/* A run's minutes in time order. *ret_minutes is malloc()ed; free() it. -ENOENT unknown id. */
int gm_store_run_minutes(struct gm_store *s, uint64_t id, struct gm_run_minute **ret_minutes, size_t *ret_n);

/* Appends strides of the active run in one transaction (a stride given again replaces itself).
 * -EINVAL a stride without a side or time, -ENOENT, -ESTALE as above. */
int gm_store_run_strides(struct gm_store *s, uint64_t id, const struct gm_stride_record *strides, size_t n);

/* The strides of a run with from_s <= t_s < to_s (infinities allowed), in time order.
 * *ret_strides is malloc()ed; free() it. -ENOENT unknown id, -EINVAL NaN or to_s < from_s. */
int gm_store_run_strides_get(struct gm_store *s, uint64_t id, double from_s, double to_s,
                             struct gm_stride_record **ret_strides, size_t *ret_n);

/* Deletes a run with its minutes, strides and advice, overwriting what it was (secure_delete, WAL
 * checkpointed and truncated). -ENOENT unknown id, -EBUSY the run is in progress. */
int gm_store_run_delete(struct gm_store *s, uint64_t id);

/* Drops the strides of the runs that started before before_us (their summaries and minutes stay).
 * Returns how many strides went, or a negative errno. */
int gm_store_prune_strides(struct gm_store *s, int64_t before_us);
