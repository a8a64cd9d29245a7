/* Vertical oscillation: how far the pelvis rises and falls in each step, from its vertical
 * acceleration over a stride. */
#pragma once

#include "gm_filter.h"

/* Strides whose values make the recent one (some 5-8 s of gait). */
#define GM_VOSC_RECENT 8

struct gm_vosc {
        double rate_hz;
        struct gm_hist acc; /* vertical acceleration, gravity removed, m/s²; times are the caller's */
        double recent[GM_VOSC_RECENT], recent_t[GM_VOSC_RECENT];
        unsigned n_recent;
        double sum_cm; /* over every measured stride */
        unsigned long strides;
};

void gm_vosc_init(struct gm_vosc *v, double rate_hz);
/* One sample of vertical acceleration, pushed with its time into the caller's history t, so
 * that both hold the same samples. */
void gm_vosc_push(struct gm_vosc *v, double vertical_acc);
/* A stride from one contact of a foot to its next, [t_ic, t_next_ic], measured from the
 * samples whose times t holds: the mean rise and fall of its two steps, in cm. NaN when it
 * cannot be one: too short or long, a hole in the samples, samples no longer held, or more
 * than a body moves. */
double gm_vosc_stride(struct gm_vosc *v, const struct gm_hist *t, double t_ic, double t_next_ic);
/* Median of the strides that ended in the last max_age_s before now, NaN when none. */
double gm_vosc_recent_cm(const struct gm_vosc *v, double now, double max_age_s);
/* Mean of every stride measured so far, NaN when none. */
double gm_vosc_mean_cm(const struct gm_vosc *v);
