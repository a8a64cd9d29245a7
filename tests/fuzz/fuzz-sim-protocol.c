/* Fuzz target: a client's bytes through gaitmon-sim's command reader and dispatcher, against
 * an emulator of five sensors (one is unplugged half a second into the run), in one thread: the
 * reader steps the emulator's clock itself, and every input starts from time 0. The samples
 * come from a plain sawtooth source at the scenario's rate: the gait model at its own rate
 * would cost more than the protocol under test. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz-input.h"
#include "sim-client.h"
#include "sim-engine.h"
#include "sim-scenario.h"
#include "sim-source.h"
#include "sim-xml.h"
#include "gm_events.h"

#define MAX_ANSWER (1 << 16) /* then the client hangs up, as one that has enough */
/* The run ends (as with --duration) after the unplug and the replug: longer reads, at the
 * lowest rates, would only step the clock. */
#define RUN_S 1.5

static const char scenario_text[] =
        "[sim]\nrate = 104\n"
        "[phase run]\nactivity = running\nduration = 600\n"
        "[fault cable]\ntype = unplug\nlocation = left_shank\nfrom = 0.5\nto = 1\n";

static struct sim_scenario scenario;
static struct sim_context_desc context;
static struct sim_engine *engine;

struct saw_source {
        struct sim_source base;
        uint64_t n;
};

static int saw_step(struct sim_source *src, struct sim_frame *frame, struct gm_event_list *events)
{
        (void)events;
        struct saw_source *s = (struct saw_source *)src;
        frame->t = (double)s->n++ / src->rate_hz;
        for (int l = 0; l < GM_LOC_COUNT; l++)
                for (int a = 0; a < 3; a++) {
                        frame->s[l].acc[a] = (float)((s->n + a) % 97) - 48;
                        frame->s[l].gyr[a] = (float)((s->n + l) % 31) - 15;
                }
        return 0;
}

static void saw_free(struct sim_source *src)
{
        free(src);
}

static struct saw_source *saw;

/* Made once and rewound for every input. The clock is not started: a READBUF steps it as
 * far as it needs, at once. */
static void start_emulator(void)
{
        int fd = memfd_create("scenario.ini", 0);
        if (fd < 0 || write(fd, scenario_text, sizeof(scenario_text) - 1) != (ssize_t)(sizeof(scenario_text) - 1))
                abort();
        char path[64], err[512];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        if (sim_scenario_load(path, &scenario, err, sizeof(err)) < 0) {
                fprintf(stderr, "fuzz-sim-protocol: %s\n", err);
                abort();
        }
        close(fd);
        saw = calloc(1, sizeof(*saw));
        if (!saw)
                abort();
        saw->base = (struct sim_source){
                .rate_hz = 104, .loc_mask = scenario.loc_mask, .step = saw_step, .free = saw_free
        };
        struct sim_engine_cfg cfg = { .speed = 0,
                                      .duration_s = RUN_S,
                                      .rate_hz = scenario.rate_hz,
                                      .faults = scenario.faults,
                                      .n_faults = scenario.n_faults };
        char *xml;
        if (sim_engine_new(&saw->base, &cfg, &engine) < 0 ||
            sim_xml_context(engine, "fuzz", &xml, &context.xml_len) < 0)
                abort();
        context.xml = xml;
}

struct stream {
        const uint8_t *data;
        size_t size, read, written;
};

static ssize_t stream_recv(void *userdata, void *buf, size_t len)
{
        struct stream *s = userdata;
        size_t n = s->size - s->read < len ? s->size - s->read : len;
        if (n)
                memcpy(buf, s->data + s->read, n);
        s->read += n;
        return (ssize_t)n;
}

static int stream_send(void *userdata, const void *buf, size_t len)
{
        struct stream *s = userdata;
        (void)buf;
        if (s->written >= MAX_ANSWER)
                return -EPIPE;
        s->written += len;
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (!engine)
                start_emulator();
        saw->n = 0;
        sim_engine_rewind(engine);
        struct stream s = { .data = data, .size = size };
        struct sim_client_io io = { .recv = stream_recv, .send = stream_send, .userdata = &s };
        sim_client_serve_io(&io, engine, &context);
        return 0;
}
