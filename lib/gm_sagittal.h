/* Sagittal angles of body segments and the evidence that decides their sign. */
#pragma once

/* The sign of a segment's axis, decided by votes of physical evidence (one a stride) and
 * kept: it turns only when the evidence has pointed the other way for many strides in a
 * row (the sensor was mounted again). */
struct gm_sign_vote {
        int sign;         /* 0 while unknown, else +1 or -1 */
        int score;        /* evidence so far while unknown */
        unsigned against; /* consecutive votes against the decided sign */
        unsigned reversals;
};

void gm_sign_vote_init(struct gm_sign_vote *v);
/* evidence > 0 votes for +1, < 0 for -1; 0 or NaN does not vote. */
void gm_sign_vote_add(struct gm_sign_vote *v, double evidence);

/* Rotation (rad) about axis that takes ref to up, both projected on the plane normal to the
 * axis, negated: the segment's own rotation about the axis since it held "up" at ref. NaN
 * when either projection vanishes. axis is a unit vector. */
double gm_sagittal_angle(const double up[3], const double ref[3], const double axis[3]);
