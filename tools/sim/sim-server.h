/* Server loop: the listening socket, one thread per client connection. */
#pragma once

#include <stddef.h>

#include "sim-client.h"
#include "sim-engine.h"

struct sim_server;

/* Binds and listens. port 0 picks a free port; a client silent for idle_timeout_s (0: never)
 * is disconnected. 0 or negative errno (logged). */
int sim_server_new(const char *bind_addr, unsigned port, unsigned idle_timeout_s, struct sim_engine *e,
                   const struct sim_context_desc *ctx, struct sim_server **out);
/* "ADDR:PORT" as clients write it after ip: */
void sim_server_address(const struct sim_server *s, char *buf, size_t len);
/* Accepts clients until stop_fd or the engine's done fd becomes readable. */
int sim_server_run(struct sim_server *s, int stop_fd);
/* Disconnects every client and waits for their threads; stop the engine first. */
void sim_server_free(struct sim_server *s);
