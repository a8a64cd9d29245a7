/* Fuzz target: a client's bytes through gaitmon-sim's command reader and dispatcher, against
 * a running emulator of five sensors (one is unplugged a second into the run). The samples
 * come from a plain sawtooth source at the scenario's rate: the gait model at its own rate
 * would cost more than the protocol under test. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fuzz-input.h"
#include "sim-client.h"
#include "sim-engine.h"
#include "sim-scenario.h"
#include "sim-source.h"
#include "sim-xml.h"

#define MAX_ANSWER (1 << 16) /* then the harness hangs up, as a client that has enough */

static const char scenario_text[] =
        "[sim]\nrate = 104\n"
        "[phase run]\nactivity = running\nduration = 600\n"
        "[fault cable]\ntype = unplug\nlocation = left_shank\nfrom = 1\nto = 2\n";

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
static struct sim_context_desc context;

static void start_emulator(void)
{
        signal(SIGPIPE, SIG_IGN);
        int fd = memfd_create("scenario.ini", 0);
        if (fd < 0 || write(fd, scenario_text, sizeof(scenario_text) - 1) != (ssize_t)(sizeof(scenario_text) - 1))
                abort();
        char path[64], err[512];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        static struct sim_scenario sc;
        if (sim_scenario_load(path, &sc, err, sizeof(err)) < 0) {
                fprintf(stderr, "fuzz-sim-protocol: %s\n", err);
                abort();
        }
        struct saw_source *saw = calloc(1, sizeof(*saw));
        if (!saw)
                abort();
        saw->base = (struct sim_source){ .rate_hz = 104, .loc_mask = sc.loc_mask, .step = saw_step, .free = saw_free };
        struct sim_source *src = &saw->base;
        close(fd);
        /* speed 0: the clock follows the reader, so a READBUF is answered at once */
        struct sim_engine_cfg cfg = { .speed = 0, .rate_hz = sc.rate_hz, .faults = sc.faults, .n_faults = sc.n_faults };
        char *xml;
        if (sim_engine_new(src, &cfg, &engine) < 0 || sim_xml_context(engine, "fuzz", &xml, &context.xml_len) < 0 ||
            sim_engine_start(engine) < 0)
                abort();
        context.xml = xml;
}

static void *drain(void *userdata)
{
        int fd = *(int *)userdata;
        char buf[65536];
        size_t total = 0;
        ssize_t n;
        while (total < MAX_ANSWER && (n = read(fd, buf, sizeof(buf))) > 0)
                total += (size_t)n;
        shutdown(fd, SHUT_RD); /* the emulator's next send fails: the connection ends */
        return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > 100000)
                return 0; /* more than a socket buffer: the writer below would block */
        if (!engine)
                start_emulator();
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                abort();
        int sndbuf = 1 << 18;
        setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
        if (size && write(sv[1], data, size) != (ssize_t)size)
                abort();
        shutdown(sv[1], SHUT_WR); /* the client has said everything */
        pthread_t t;
        if (pthread_create(&t, NULL, drain, &sv[1]) != 0)
                abort();
        sim_client_serve(sv[0], engine, &context);
        shutdown(sv[0], SHUT_RDWR);
        pthread_join(t, NULL);
        close(sv[0]);
        close(sv[1]);
        return 0;
}
