/* Replay source: a recording CSV v1 served as it was recorded, once or looped. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim-source.h"
#include "gm_events.h"

#define REPLAY_GAP_MAX_S 3600.0

struct replay_source {
        struct sim_source base;
        struct gm_recording *rec;
        struct gm_event_list truth; /* times relative to the first row */
        bool loop;
        size_t row;
        size_t next_event;
        double base_idx; /* grid index of row 0 in this pass */
        double still_acc[GM_LOC_COUNT][3];
        uint64_t still_n; /* frames served after the end */
};

/* Row time on the recording's own grid: written times carry a few decimals only,
 * and a replay should hit its samples exactly, so times within 1 % of a sample
 * slot are put on it; real gaps stay gaps. */
static double row_index(const struct gm_recording *rec, size_t i)
{
        double x = (rec->t[i] - rec->t[0]) * rec->rate_hz;
        double k = nearbyint(x);
        return fabs(x - k) < 0.01 ? k : x;
}

static int replay_step(struct sim_source *src, struct sim_frame *frame, struct gm_event_list *events)
{
        struct replay_source *r = (struct replay_source *)src;
        const struct gm_recording *rec = r->rec;

        if (r->row >= rec->n && r->loop) {
                r->base_idx += row_index(rec, rec->n - 1) + 1;
                r->row = 0;
                r->next_event = 0;
        }
        if (r->row >= rec->n) {
                /* the recording is over: the wearer stands still */
                frame->t = (r->base_idx + row_index(rec, rec->n - 1) + 1 + (double)r->still_n++) / rec->rate_hz;
                for (int l = 0; l < GM_LOC_COUNT; l++) {
                        frame->s[l].t = frame->t;
                        memcpy(frame->s[l].acc, r->still_acc[l], sizeof(frame->s[l].acc));
                        frame->s[l].gyr[0] = frame->s[l].gyr[1] = frame->s[l].gyr[2] = 0;
                }
                return 0;
        }

        double idx = row_index(rec, r->row);
        frame->t = (r->base_idx + idx) / rec->rate_hz;
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                if (rec->loc_mask & 1u << l)
                        gm_recording_get(rec, l, r->row, &frame->s[l]);
                frame->s[l].t = frame->t;
        }
        double pass_t0 = r->base_idx / rec->rate_hz;
        while (events && r->next_event < r->truth.n && pass_t0 + r->truth.ev[r->next_event].t <= frame->t) {
                struct gm_event e = r->truth.ev[r->next_event++];
                e.t += pass_t0;
                int ret = gm_event_list_add(events, &e);
                if (ret < 0)
                        return ret;
        }
        r->row++;
        return 0;
}

static void replay_free(struct sim_source *src)
{
        struct replay_source *r = (struct replay_source *)src;
        if (!r)
                return;
        gm_recording_free(r->rec);
        gm_event_list_clear(&r->truth);
        free(r);
}

static int load_truth(struct replay_source *r, const char *path, char *err, size_t errlen)
{
        size_t len = strlen(path);
        if (len < 4 || strcmp(path + len - 4, ".csv") != 0)
                return 0;
        char *events_path;
        if (asprintf(&events_path, "%.*s.events.csv", (int)(len - 4), path) < 0)
                return -ENOMEM;
        int ret = 0;
        if (access(events_path, F_OK) == 0) {
                ret = gm_events_read(events_path, &r->truth, err, errlen);
                for (size_t i = 0; ret >= 0 && i < r->truth.n; i++)
                        r->truth.ev[i].t -= r->rec->t[0];
        }
        free(events_path);
        return ret < 0 ? ret : 0;
}

int sim_replay_new(const char *path, bool loop, struct sim_source **out, char *err, size_t errlen)
{
        struct replay_source *r = calloc(1, sizeof(*r));
        if (!r) {
                snprintf(err, errlen, "%s: out of memory", path);
                return -ENOMEM;
        }
        int ret = gm_recording_read(path, &r->rec, err, errlen, NULL, NULL);
        if (ret < 0)
                goto fail;
        if (r->rec->n == 0) {
                snprintf(err, errlen, "%s: the recording has no samples", path);
                ret = -EINVAL;
                goto fail;
        }
        /* The emulator serves every sample slot of a time gap (the sensor stands still there):
         * a gap longer than anything worth replaying is refused, not served for days. */
        for (size_t i = 1; i < r->rec->n; i++)
                if (!(r->rec->t[i] - r->rec->t[i - 1] <= REPLAY_GAP_MAX_S)) {
                        snprintf(err, errlen,
                                 "%s: a time gap of %.3g s before row %zu of the samples; "
                                 "gaps over %.0f s are not replayed",
                                 path, r->rec->t[i] - r->rec->t[i - 1], i + 1, REPLAY_GAP_MAX_S);
                        ret = -EINVAL;
                        goto fail;
                }
        ret = load_truth(r, path, err, errlen);
        if (ret < 0)
                goto fail;

        /* standing after the end: gravity where the last second says it is */
        size_t n_tail = (size_t)fmin((double)r->rec->n, fmax(1, r->rec->rate_hz));
        for (int l = 0; l < GM_LOC_COUNT; l++) {
                if (!(r->rec->loc_mask & 1u << l))
                        continue;
                size_t used = 0;
                for (size_t i = r->rec->n - n_tail; i < r->rec->n; i++) {
                        struct gm_sample s;
                        gm_recording_get(r->rec, l, i, &s);
                        if (!isfinite(s.acc[0]) || !isfinite(s.acc[1]) || !isfinite(s.acc[2]))
                                continue;
                        for (int a = 0; a < 3; a++)
                                r->still_acc[l][a] += s.acc[a];
                        used++;
                }
                for (int a = 0; used && a < 3; a++)
                        r->still_acc[l][a] /= (double)used;
        }

        r->loop = loop;
        r->base.rate_hz = r->rec->rate_hz;
        r->base.native_hz = r->rec->rate_hz;
        r->base.loc_mask = r->rec->loc_mask;
        r->base.gyr_mask = r->rec->gyr_mask; /* a recording without rates: accelerometers alone */
        r->base.step = replay_step;
        r->base.free = replay_free;
        *out = &r->base;
        return 0;

fail:
        replay_free(&r->base);
        return ret;
}
