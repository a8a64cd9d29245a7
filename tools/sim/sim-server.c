/* Server loop: the listening socket, one thread per client connection. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "sim-server.h"

#define MAX_CLIENTS 256
/* One address cannot take every slot; a reader of five sensors needs five. */
#define MAX_CLIENTS_PER_ADDRESS 64

struct client {
        struct client *next;
        struct sim_server *server;
        pthread_t thread;
        int fd;
        struct sockaddr_storage peer;
        atomic_bool done;
};

struct sim_server {
        int fd;
        struct sim_engine *e;
        const struct sim_context_desc *ctx;
        char address[INET6_ADDRSTRLEN + 8];
        unsigned idle_timeout_s;
        struct client *clients;
        size_t n_clients;
};

int sim_server_new(const char *bind_addr, unsigned port, unsigned idle_timeout_s, struct sim_engine *e,
                   const struct sim_context_desc *ctx, struct sim_server **out)
{
        struct addrinfo hints = { .ai_family = AF_UNSPEC,
                                  .ai_socktype = SOCK_STREAM,
                                  .ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV };
        struct addrinfo *ai;
        char port_text[16];
        snprintf(port_text, sizeof(port_text), "%u", port);
        int r = getaddrinfo(bind_addr, port_text, &hints, &ai);
        if (r != 0) {
                fprintf(stderr, "gaitmon-sim: --bind %s: not a numeric IPv4 or IPv6 address\n", bind_addr);
                return -EINVAL;
        }

        struct sim_server *s = calloc(1, sizeof(*s));
        if (!s) {
                freeaddrinfo(ai);
                return -ENOMEM;
        }
        s->e = e;
        s->ctx = ctx;
        s->idle_timeout_s = idle_timeout_s;
        s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (s->fd < 0) {
                r = -errno;
                fprintf(stderr, "gaitmon-sim: socket: %s\n", strerror(errno));
                goto fail;
        }
        int one = 1;
        setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(s->fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(s->fd, 64) < 0) {
                r = -errno;
                fprintf(stderr, "gaitmon-sim: cannot listen on %s port %u: %s\n", bind_addr, port, strerror(errno));
                goto fail;
        }

        struct sockaddr_storage sa;
        socklen_t salen = sizeof(sa);
        if (getsockname(s->fd, (struct sockaddr *)&sa, &salen) < 0) {
                r = -errno;
                goto fail;
        }
        char host[INET6_ADDRSTRLEN];
        if (sa.ss_family == AF_INET6) {
                struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&sa;
                inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
                snprintf(s->address, sizeof(s->address), "[%s]:%u", host, ntohs(in6->sin6_port));
        } else {
                struct sockaddr_in *in4 = (struct sockaddr_in *)&sa;
                inet_ntop(AF_INET, &in4->sin_addr, host, sizeof(host));
                snprintf(s->address, sizeof(s->address), "%s:%u", host, ntohs(in4->sin_port));
        }
        freeaddrinfo(ai);
        *out = s;
        return 0;

fail:
        freeaddrinfo(ai);
        if (s->fd >= 0)
                close(s->fd);
        free(s);
        return r;
}

void sim_server_address(const struct sim_server *s, char *buf, size_t len)
{
        snprintf(buf, len, "%s", s->address);
}

static void *client_run(void *userdata)
{
        struct client *c = userdata;
        sim_client_serve(c->fd, c->server->e, c->server->ctx);
        atomic_store(&c->done, true);
        return NULL;
}

/* Joins the threads of clients that left; all of them when disconnecting everyone. */
static void reap(struct sim_server *s, bool all)
{
        for (struct client **p = &s->clients; *p;) {
                struct client *c = *p;
                if (all)
                        shutdown(c->fd, SHUT_RDWR);
                if (!all && !atomic_load(&c->done)) {
                        p = &c->next;
                        continue;
                }
                pthread_join(c->thread, NULL);
                close(c->fd);
                *p = c->next;
                s->n_clients--;
                free(c);
        }
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
        if (a->ss_family != b->ss_family)
                return false;
        if (a->ss_family == AF_INET)
                return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
                       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
        if (a->ss_family == AF_INET6)
                return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                              &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
        return false;
}

static void peer_name(const struct sockaddr_storage *sa, char *buf, size_t len)
{
        const void *addr = sa->ss_family == AF_INET6 ? (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr
                                                     : (const void *)&((const struct sockaddr_in *)sa)->sin_addr;
        if (!inet_ntop(sa->ss_family, addr, buf, (socklen_t)len))
                snprintf(buf, len, "?");
}

static void accept_client(struct sim_server *s)
{
        struct sockaddr_storage peer = { 0 };
        socklen_t peer_len = sizeof(peer);
        int fd = accept4(s->fd, (struct sockaddr *)&peer, &peer_len, SOCK_CLOEXEC);
        if (fd < 0)
                return; /* the client gave up before we got to it */
        if (s->n_clients >= MAX_CLIENTS) {
                fprintf(stderr, "gaitmon-sim: %d clients already, refusing another\n", MAX_CLIENTS);
                close(fd);
                return;
        }
        size_t same = 0;
        for (struct client *c = s->clients; c; c = c->next)
                same += !atomic_load(&c->done) && same_host(&c->peer, &peer);
        if (same >= MAX_CLIENTS_PER_ADDRESS) {
                char host[INET6_ADDRSTRLEN];
                peer_name(&peer, host, sizeof(host));
                fprintf(stderr, "gaitmon-sim: %s has %d connections already, refusing another\n", host,
                        MAX_CLIENTS_PER_ADDRESS);
                close(fd);
                return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        /* a client that says nothing for this long is gone (or hostile): its receive fails */
        if (s->idle_timeout_s) {
                struct timeval tv = { .tv_sec = s->idle_timeout_s };
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
        }
        struct client *c = calloc(1, sizeof(*c));
        if (!c) {
                close(fd);
                return;
        }
        c->fd = fd;
        c->peer = peer;
        c->server = s;
        atomic_init(&c->done, false);
        int r = pthread_create(&c->thread, NULL, client_run, c);
        if (r) {
                fprintf(stderr, "gaitmon-sim: cannot start a client thread: %s\n", strerror(r));
                close(fd);
                free(c);
                return;
        }
        c->next = s->clients;
        s->clients = c;
        s->n_clients++;
}

int sim_server_run(struct sim_server *s, int stop_fd)
{
        struct pollfd pfd[3] = {
                { .fd = s->fd, .events = POLLIN },
                { .fd = stop_fd, .events = POLLIN },
                { .fd = sim_engine_done_fd(s->e), .events = POLLIN },
        };
        for (;;) {
                int n = poll(pfd, 3, 1000);
                if (n < 0 && errno != EINTR)
                        return -errno;
                if (pfd[1].revents || pfd[2].revents)
                        return 0;
                if (pfd[0].revents & POLLIN)
                        accept_client(s);
                reap(s, false);
        }
}

void sim_server_free(struct sim_server *s)
{
        if (!s)
                return;
        reap(s, true);
        close(s->fd);
        free(s);
}
