/* One client connection: executes its commands until it leaves. */
#pragma once

#include <stddef.h>

#include "sim-engine.h"

struct sim_context_desc {
        const char *xml;
        size_t xml_len;
};

/* Serves fd until the client closes it, sends EXIT, or the engine stops. Closes nothing. */
void sim_client_serve(int fd, struct sim_engine *e, const struct sim_context_desc *ctx);
