/* U-turns added to a recording's pelvis: a probe of how turns move what the pelvis finds. */
#include <math.h>

#include "gm_vec.h"
#include "u-turns.h"

/* The walking speed through a turn (m/s): the centripetal acceleration is its product with
 * the turning rate (up to 3 m/s² at pi rad/s). */
#define TURN_SPEED 1.0

/* Mean of the pelvis' horizontal acceleration over [t + from, t + to]. */
static void horizontal_mean(const struct gm_recording *rec, const double up[3], double t, double from, double to,
                            double out[3])
{
        const double *d = rec->data[GM_LOC_PELVIS];
        double sum[3] = { 0 };
        unsigned n = 0;
        for (size_t i = 0; i < rec->n; i++) {
                if (rec->t[i] < t + from || rec->t[i] > t + to)
                        continue;
                double along = gm_dot3(d + 6 * i, up);
                for (int a = 0; a < 3; a++)
                        sum[a] += d[6 * i + a] - along * up[a];
                n++;
        }
        for (int a = 0; a < 3; a++)
                out[a] = n ? sum[a] / n : 0;
}

/* The body's right in the sensor frame from the reference's contacts: the trunk is braked at
 * each, so its horizontal acceleration before minus after them, summed, points ahead, and
 * that crossed with up points right. Zero when there are no contacts. */
static void right_from_contacts(const struct gm_recording *rec, const double up[3], const struct gm_event_list *truth,
                                double right[3])
{
        double ahead[3] = { 0 };
        for (size_t k = 0; truth && k < truth->n; k++) {
                if (truth->ev[k].kind != GM_EVENT_IC)
                        continue;
                double pre[3], post[3];
                horizontal_mean(rec, up, truth->ev[k].t, -0.15, -0.05, pre);
                horizontal_mean(rec, up, truth->ev[k].t, 0.15, 0.25, post);
                for (int a = 0; a < 3; a++)
                        ahead[a] += pre[a] - post[a];
        }
        gm_cross3(ahead, up, right);
        double n = gm_norm3(right);
        for (int a = 0; a < 3; a++)
                right[a] = n > 0 ? right[a] / n : 0;
}

/* A U-turn is about as fast as a stride's own yaw swing is slow: ten times its rate, at
 * about its pace. The body turns with the sensor, so the acceleration in the sensor frame
 * keeps its stride pattern and gains the centripetal part, towards the side turned to. */
static void add_turn(struct gm_recording *rec, const double up[3], const double right[3], double mid, double sign)
{
        double *d = rec->data[GM_LOC_PELVIS];
        for (size_t i = 0; i < rec->n; i++) {
                double u = (rec->t[i] - mid) / GM_U_TURN_S + 0.5; /* 0 to 1 through the turn */
                if (!(u > 0 && u < 1))
                        continue;
                double rate = sign * M_PI / GM_U_TURN_S * (1 - cos(2 * M_PI * u));
                for (int a = 0; a < 3; a++) {
                        d[6 * i + 3 + a] += rate * up[a];
                        /* Counter-clockwise (rate > 0) turns left: the centre is to the left. */
                        d[6 * i + a] -= TURN_SPEED * rate * right[a];
                }
        }
}

unsigned gm_add_u_turns(struct gm_recording *rec, const struct gm_bout_list *bouts, const struct gm_event_list *truth)
{
        unsigned pelvis = 1u << GM_LOC_PELVIS;
        if (!(rec->loc_mask & pelvis) || !(rec->gyr_mask & pelvis) || !rec->n)
                return 0;
        double up[3] = { 0 };
        for (size_t i = 0; i < rec->n; i++)
                for (int a = 0; a < 3; a++)
                        up[a] += rec->data[GM_LOC_PELVIS][6 * i + a];
        double norm = gm_norm3(up);
        if (!(norm > 0))
                return 0;
        for (int a = 0; a < 3; a++)
                up[a] /= norm;
        double right[3];
        right_from_contacts(rec, up, truth, right);
        unsigned turns = 0;
        for (size_t b = 0; b < bouts->n; b++) {
                double start = bouts->b[b].start, end = bouts->b[b].end, len = end - start;
                double sign = b % 2 ? -1 : 1;
                if (len < 8) {
                        add_turn(rec, up, right, start + len / 2, sign);
                        turns++;
                        continue;
                }
                for (double mid = start + 3; mid < end - 2; mid += 6) {
                        add_turn(rec, up, right, mid, sign);
                        turns++;
                }
        }
        return turns;
}
