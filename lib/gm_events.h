/* Events CSV and bouts CSV (design.md): reading and writing, and the lists they hold. */
#pragma once

#include <stdio.h>

#include "gm_types.h"

struct gm_event_list {
        size_t n, cap;
        struct gm_event *ev;
};

/* A span where the reference is complete. */
struct gm_bout {
        double start, end;
};

struct gm_bout_list {
        size_t n, cap;
        struct gm_bout *b;
};

/* Sorted by time. Returns 0, or a negative errno with a message naming file and line in err. */
int gm_events_read(const char *path, struct gm_event_list *out, char *err, size_t errlen);
int gm_events_write(FILE *f, const struct gm_event_list *list);
int gm_event_list_add(struct gm_event_list *list, const struct gm_event *ev);
void gm_event_list_sort(struct gm_event_list *list);
void gm_event_list_clear(struct gm_event_list *list);

int gm_bouts_read(const char *path, struct gm_bout_list *out, char *err, size_t errlen);
void gm_bout_list_clear(struct gm_bout_list *list);
