/* Runs: the session tracker fed by the analysis, the history store and the recovery advice. */
#pragma once

#include "gaitmond.h"

int gaitmond_runs_init(struct gaitmond *d);
void gaitmond_runs_free(struct gaitmond *d);
void gaitmond_runs_stride(struct gaitmond *d, const struct gm_stride *st);
void gaitmond_runs_spike(struct gaitmond *d, const struct gm_spike *sp);
/* After every drain: feeds the session a snapshot once per second of sample time. */
void gaitmond_runs_update(struct gaitmond *d);
/* EndSession: 1 when a run ended, 0 when none was on, negative errno. */
int gaitmond_runs_end(struct gaitmond *d);
