/* Names of locations, sides and event kinds as they appear in files and on the bus. */
#include <errno.h>
#include <string.h>

#include "gm_types.h"

static const char *const loc_names[GM_LOC_COUNT] = {
        [GM_LOC_PELVIS] = "pelvis",         [GM_LOC_LEFT_HIP] = "left_hip",       [GM_LOC_RIGHT_HIP] = "right_hip",
        [GM_LOC_LEFT_SHANK] = "left_shank", [GM_LOC_RIGHT_SHANK] = "right_shank", [GM_LOC_LEFT_FOOT] = "left_foot",
        [GM_LOC_RIGHT_FOOT] = "right_foot",
};

static const char *const side_names[] = { "left", "right", "unknown" };
static const char *const kind_names[] = { "ic", "fc" };
static const char *const activity_names[] = { "idle", "walking", "running" };

static int lookup(const char *const *names, int n, const char *name)
{
        for (int i = 0; i < n; i++)
                if (strcmp(names[i], name) == 0)
                        return i;
        return -EINVAL;
}

const char *gm_loc_name(enum gm_loc loc)
{
        return loc < GM_LOC_COUNT ? loc_names[loc] : "invalid";
}

int gm_loc_from_name(const char *name)
{
        return lookup(loc_names, GM_LOC_COUNT, name);
}

enum gm_side gm_loc_side(enum gm_loc loc)
{
        switch (loc) {
        case GM_LOC_LEFT_HIP:
        case GM_LOC_LEFT_SHANK:
        case GM_LOC_LEFT_FOOT:
                return GM_SIDE_LEFT;
        case GM_LOC_RIGHT_HIP:
        case GM_LOC_RIGHT_SHANK:
        case GM_LOC_RIGHT_FOOT:
                return GM_SIDE_RIGHT;
        default:
                return GM_SIDE_UNKNOWN;
        }
}

const char *gm_side_name(enum gm_side side)
{
        return side <= GM_SIDE_UNKNOWN ? side_names[side] : "invalid";
}

int gm_side_from_name(const char *name)
{
        return lookup(side_names, 3, name);
}

const char *gm_event_kind_name(enum gm_event_kind kind)
{
        return kind <= GM_EVENT_FC ? kind_names[kind] : "invalid";
}

int gm_event_kind_from_name(const char *name)
{
        return lookup(kind_names, 2, name);
}

const char *gm_activity_name(enum gm_activity a)
{
        return a <= GM_ACTIVITY_RUNNING ? activity_names[a] : "invalid";
}

int gm_activity_from_name(const char *name)
{
        return lookup(activity_names, 3, name);
}
