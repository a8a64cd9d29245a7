/* One client connection: executes its commands until it leaves. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "sim-engine.h"

struct sim_context_desc {
        const char *xml;
        size_t xml_len;
};

/* Serves fd until the client closes it, sends EXIT, or the engine stops. Closes nothing. */
void sim_client_serve(int fd, struct sim_engine *e, const struct sim_context_desc *ctx);

/* A connection's bytes: recv as recv(2) gives them (0 at the end, negative errno), send takes
 * them all (0 or a negative errno). */
struct sim_client_io {
        ssize_t (*recv)(void *userdata, void *buf, size_t len);
        int (*send)(void *userdata, const void *buf, size_t len);
        void *userdata;
};

/* The same over any byte stream. */
void sim_client_serve_io(const struct sim_client_io *io, struct sim_engine *e, const struct sim_context_desc *ctx);
