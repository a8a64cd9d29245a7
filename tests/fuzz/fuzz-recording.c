/* Fuzz target: a recording CSV through the reader and, when it reads, the whole pipeline. */
#include <stdlib.h>

#include "fuzz-input.h"
#include "gm_replay.h"

#define MAX_ROWS 20000 /* longer inputs test the same code, only slower */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        const char *path = fuzz_input_path(data, size, ".csv");
        struct gm_recording *rec = NULL;
        char err[512];
        if (!path || gm_recording_read(path, &rec, err, sizeof(err), NULL, NULL) < 0)
                return 0;
        if (rec->n <= MAX_ROWS && rec->rate_hz >= 50 && rec->rate_hz <= 1000) {
                struct gm_replay rep;
                if (gm_replay_run(rec, NULL, &rep, NULL, NULL) == 0)
                        gm_replay_clear(&rep);
        }
        gm_recording_free(rec);
        return 0;
}
