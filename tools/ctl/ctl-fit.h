/* A run as a FIT activity file (Garmin's Flexible and Interoperable Data Transfer protocol):
 * file_id, the developer fields' descriptions, a timer start event, one record per second with
 * strides, the stop event, one lap, one session and the activity, with both CRCs.
 *
 * A record's second holds the strides whose initial contact falls in it (wall clock, whole
 * seconds): cadence (strides/min, FIT's running cadence: half the steps/min) and
 * fractional_cadence from their mean stride time; stance_time (field 41) their mean stance;
 * stance_time_balance (84) the left share of the mean left and right stance, when both sides
 * stepped in that second; and developer fields: hip extension and pelvic drop of each side
 * (means of that side's strides), and the fatigue score of the minute. A value not measured is
 * FIT's invalid value. There is no position, distance or speed: gaitmon has no GPS. */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "ctl-run.h"

/* Writes the file to f; *ret_records the number of record messages. 0 or a negative errno. */
int ctl_fit_write(FILE *f, const struct ctl_run *run, const struct gm_stride_record *strides, size_t n,
                  size_t *ret_records);
