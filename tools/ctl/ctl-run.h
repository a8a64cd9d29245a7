/* One run as gaitmond's GetRun and GetStrides give it, for show and export. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "ctl.h"
#include "gm_record.h"

struct ctl_run {
        struct gm_run_summary s;
        struct gm_advice a;
        char state[16]; /* active, ended, interrupted */
        struct gm_run_minute *minutes;
        size_t n_minutes;
};

/* GetRun; errors are logged. Free with ctl_run_clear(). */
int ctl_run_get(struct ctl_context *c, uint64_t id, struct ctl_run *run);
void ctl_run_clear(struct ctl_run *run);
