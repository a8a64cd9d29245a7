/* U-turns added to a recording's pelvis: a probe of how turns move what the pelvis finds. */
#include <math.h>

#include "u-turns.h"

/* A U-turn is about as fast as a stride's own yaw swing is slow: ten times its rate, at
 * about its pace. The body turning with the sensor leaves the acceleration in the sensor
 * frame as it was (the centripetal part at a turning walk's speed aside). */
static void add_turn(struct gm_recording *rec, const double up[3], double mid, double sign)
{
        double *d = rec->data[GM_LOC_PELVIS];
        for (size_t i = 0; i < rec->n; i++) {
                double u = (rec->t[i] - mid) / GM_U_TURN_S + 0.5; /* 0 to 1 through the turn */
                if (!(u > 0 && u < 1))
                        continue;
                double rate = sign * M_PI / GM_U_TURN_S * (1 - cos(2 * M_PI * u));
                for (int a = 0; a < 3; a++)
                        d[6 * i + 3 + a] += rate * up[a];
        }
}

unsigned gm_add_u_turns(struct gm_recording *rec, const struct gm_bout_list *bouts)
{
        unsigned pelvis = 1u << GM_LOC_PELVIS;
        if (!(rec->loc_mask & pelvis) || !(rec->gyr_mask & pelvis) || !rec->n)
                return 0;
        double up[3] = { 0 };
        for (size_t i = 0; i < rec->n; i++)
                for (int a = 0; a < 3; a++)
                        up[a] += rec->data[GM_LOC_PELVIS][6 * i + a];
        double norm = sqrt(up[0] * up[0] + up[1] * up[1] + up[2] * up[2]);
        if (!(norm > 0))
                return 0;
        for (int a = 0; a < 3; a++)
                up[a] /= norm;
        unsigned turns = 0;
        for (size_t b = 0; b < bouts->n; b++) {
                double start = bouts->b[b].start, end = bouts->b[b].end, len = end - start;
                double sign = b % 2 ? -1 : 1;
                if (len < 8) {
                        add_turn(rec, up, start + len / 2, sign);
                        turns++;
                        continue;
                }
                for (double mid = start + 3; mid < end - 2; mid += 6) {
                        add_turn(rec, up, mid, sign);
                        turns++;
                }
        }
        return turns;
}
