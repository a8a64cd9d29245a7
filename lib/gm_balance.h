/* Left/right balance and the words for a side, shared by every program that speaks to runners. */
#pragma once

#include <stddef.h>

#include "gm_types.h"

/* The left side's share of left + right, %, from a signed SI (positive: left larger):
 * SI = 100 (L - R) / ((L + R) / 2) gives L / (L + R) = 50 + SI / 4. 49.2 is "49.2 % L / 50.8 % R",
 * what a running watch shows as ground-contact balance. NaN when the SI is not a valid one. */
double gm_balance_left_pct(double si);

/* "49.2 % L / 50.8 % R", or "n/a". */
const char *gm_balance_format(char *buf, size_t size, double si);

/* How far an SI shift moves the balance, in points of the left share (SI / 4), sign kept. */
double gm_balance_shift_points(double si_shift);

/* The name of a metric as people read it in a sentence ("hip extension", "pelvic drop"): the
 * metric table's label; the metric's key with spaces for one this version does not know. */
const char *gm_balance_metric_noun(const char *metric, char *buf, size_t size);

/* The side that a signed SI (or SI shift) points to as of concern: for stance time and hip
 * or thigh motion the lower side (a weak or guarded side shortens stance and extends less),
 * for the rest the higher one (a longer swing, a deeper pelvic drop, a harder landing).
 * GM_SIDE_UNKNOWN when the SI is 0 or not finite. */
enum gm_side gm_balance_concern_side(const char *metric, double si);

/* What that side does, from the runner's point of view: "the left hip extends less",
 * "the pelvis drops more while on the left leg" (pelvic drop is measured during each leg's
 * stance: the opposite side of the pelvis sags while standing on a leg whose hip is weak). */
const char *gm_balance_side_phrase(const char *metric, enum gm_side side, char *buf, size_t size);
