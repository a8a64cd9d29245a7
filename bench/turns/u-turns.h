/* U-turns added to a recording's pelvis: a probe of how turns move what the pelvis finds. */
#pragma once

#include "gm_events.h"
#include "gm_recording.h"

/* How long one U-turn lasts, s: half a turn about "up" at up to pi rad/s (2 s). */
#define GM_U_TURN_S 2.0

/* Adds a U-turn to the pelvis' gyro in the middle of each bout shorter than 8 s and one
 * every 6 s of a longer one (from 3 s after its start to 2 s before its end), left and
 * right by turns from bout to bout, and its centripetal acceleration at 1 m/s along the
 * body's side axis (found from the reference contacts in truth; none without them). "Up"
 * is the recording's mean acceleration. Returns the number of turns, 0 when the recording
 * has no pelvis gyro. */
unsigned gm_add_u_turns(struct gm_recording *rec, const struct gm_bout_list *bouts, const struct gm_event_list *truth);
