/* One client connection: executes its commands until it leaves. */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sim-client.h"
#include "sim-protocol.h"
#include "sim-xml.h"

#define MAX_CHUNK 8192        /* samples sent per chunk of a READBUF answer */
#define MAX_WRITE (64 * 1024) /* larger attribute writes are refused */
#define MASK_WORDS ((SIM_CHAN_COUNT + 31) / 32)

struct open_buffer {
        bool open;
        struct sim_stream st;
        size_t samples;     /* samples per chunk, from OPEN */
        uint32_t mask;      /* enum sim_chan bits */
        uint32_t wire_mask; /* the same as the client numbers the channels */
        size_t sample_size;
        size_t offset[SIM_CHAN_COUNT];
};

struct conn {
        const struct sim_client_io *io;
        struct sim_engine *e;
        const struct sim_context_desc *ctx;
        char rbuf[SIM_MAX_LINE];
        size_t rlen;
        char line[SIM_MAX_LINE + 1];
        size_t line_len;
        struct open_buffer buf[SIM_MAX_DEVICES];
        struct sim_raw_sample *raw; /* chunk_cap samples each: the largest chunk read so far */
        uint8_t *out;
        size_t chunk_cap;
};

static int send_all(struct conn *c, const void *data, size_t len)
{
        return c->io->send(c->io->userdata, data, len);
}

static int reply(struct conn *c, long value)
{
        char text[32];
        int n = snprintf(text, sizeof(text), "%ld\n", value);
        return send_all(c, text, (size_t)n);
}

static ssize_t fill(struct conn *c)
{
        ssize_t n = c->io->recv(c->io->userdata, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen);
        if (n > 0)
                c->rlen += (size_t)n;
        return n;
}

/* Next line into c->line: 1, 0 at the end of the stream (a partial line is dropped),
 * -E2BIG for a line too long (skipped up to its newline), or a negative errno. */
static int read_line(struct conn *c)
{
        bool overlong = false;
        for (;;) {
                char *nl = memchr(c->rbuf, '\n', c->rlen);
                if (nl) {
                        size_t len = (size_t)(nl - c->rbuf);
                        if (!overlong) {
                                memcpy(c->line, c->rbuf, len);
                                c->line[len] = '\0';
                                c->line_len = len;
                        }
                        c->rlen -= len + 1;
                        memmove(c->rbuf, nl + 1, c->rlen);
                        return overlong ? -E2BIG : 1;
                }
                if (c->rlen == sizeof(c->rbuf)) {
                        overlong = true;
                        c->rlen = 0;
                }
                ssize_t n = fill(c);
                if (n <= 0)
                        return (int)n;
        }
}

/* Attribute payload after WRITE: buffered bytes first. dst NULL discards. */
static int read_payload(struct conn *c, char *dst, size_t len)
{
        while (len) {
                if (c->rlen == 0) {
                        ssize_t n = fill(c);
                        if (n <= 0)
                                return n == 0 ? -EPIPE : (int)n;
                }
                size_t take = c->rlen < len ? c->rlen : len;
                if (dst) {
                        memcpy(dst, c->rbuf, take);
                        dst += take;
                }
                c->rlen -= take;
                memmove(c->rbuf, c->rbuf + take, c->rlen);
                len -= take;
        }
        return 0;
}

/* A channel of the device (an accelerometer alone has no anglvel): enum sim_chan or -ENXIO. */
static int find_channel(const struct conn *c, size_t dev, const struct sim_cmd *cmd)
{
        if (cmd->output)
                return -ENXIO; /* these sensors have input channels only */
        int chan = sim_chan_from_name(cmd->chn);
        int chans[SIM_CHAN_COUNT];
        unsigned n = sim_engine_device_channels(c->e, dev, chans);
        for (unsigned i = 0; chan >= 0 && i < n; i++)
                if (chans[i] == chan)
                        return chan;
        return -ENXIO;
}

/* Every attribute at once, as libiio packs them: per attribute a big-endian length
 * (or negative errno), the value with its NUL, padded to 4 bytes. */
static int read_all_attrs(struct conn *c, size_t dev, enum sim_attr_kind kind, int chan)
{
        char packed[8192];
        size_t n = 0;
        for (const char *const *a = sim_device_attr_names(kind, chan); *a; a++) {
                char value[1024];
                int r = sim_engine_attr_read(c->e, dev, kind, chan, *a, value, sizeof(value));
                int32_t len = r < 0 ? r : r + 1;
                size_t padded = r < 0 ? 0 : ((size_t)len + 3) & ~(size_t)3;
                if (n + 4 + padded > sizeof(packed))
                        return reply(c, -ENOSPC);
                uint32_t be = htobe32((uint32_t)len);
                memcpy(packed + n, &be, 4);
                n += 4;
                if (r >= 0) {
                        memset(packed + n, 0, padded);
                        memcpy(packed + n, value, (size_t)len);
                        n += padded;
                }
        }
        int r = reply(c, (long)n);
        if (r >= 0)
                r = send_all(c, packed, n);
        return r >= 0 ? send_all(c, "\n", 1) : r;
}

static int do_read(struct conn *c, const struct sim_cmd *cmd)
{
        int dev = sim_engine_find_device(c->e, cmd->dev);
        if (dev < 0)
                return reply(c, dev);
        int chan = -1;
        if (cmd->kind == SIM_ATTR_CHANNEL && (chan = find_channel(c, (size_t)dev, cmd)) < 0)
                return reply(c, chan);
        if (!cmd->attr)
                return read_all_attrs(c, (size_t)dev, cmd->kind, chan);

        char value[1024];
        int r = sim_engine_attr_read(c->e, (size_t)dev, cmd->kind, chan, cmd->attr, value, sizeof(value) - 1);
        if (r < 0)
                return reply(c, r);
        value[r] = '\n';
        int s = reply(c, r);
        return s < 0 ? s : send_all(c, value, (size_t)r + 1);
}

static int do_write(struct conn *c, const struct sim_cmd *cmd)
{
        /* the payload follows whatever we think of the command: take it off the stream */
        if (cmd->n > MAX_WRITE) {
                int r = read_payload(c, NULL, cmd->n);
                return r < 0 ? r : reply(c, -EINVAL);
        }
        char *data = malloc(cmd->n ? cmd->n : 1);
        if (!data)
                return -ENOMEM;
        int r = read_payload(c, data, cmd->n);
        if (r < 0)
                goto out;

        int dev = sim_engine_find_device(c->e, cmd->dev);
        int chan = -1;
        if (dev < 0)
                r = dev;
        else if (cmd->kind == SIM_ATTR_CHANNEL && (chan = find_channel(c, (size_t)dev, cmd)) < 0)
                r = chan;
        else if (!cmd->attr)
                r = -EINVAL; /* writing every attribute at once: nothing here takes it */
        else
                r = sim_engine_attr_write(c->e, (size_t)dev, cmd->kind, chan, cmd->attr, data, cmd->n);
        r = reply(c, r);
out:
        free(data);
        return r;
}

/* A mask of the device's n channels, bit i for its i-th. */
static int parse_mask(const char *text, unsigned n, uint32_t *mask)
{
        if (strlen(text) != MASK_WORDS * 8)
                return -EINVAL;
        uint32_t m = 0;
        for (const char *p = text; *p; p++) {
                int v = *p >= '0' && *p <= '9'   ? *p - '0'
                        : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
                        : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
                                                 : -1;
                if (v < 0)
                        return -EINVAL;
                m = m << 4 | (uint32_t)v;
        }
        if (m == 0 || m >> n)
                return -EINVAL;
        *mask = m;
        return 0;
}

/* libiio's scan layout: each enabled channel aligned to its own size, the sample to the largest. */
static void layout(struct open_buffer *b)
{
        size_t size = 0, largest = 1;
        for (int ch = 0; ch < SIM_CHAN_COUNT; ch++) {
                if (!(b->mask & 1u << ch))
                        continue;
                size_t len = sim_chans[ch].bytes;
                if (size % len)
                        size += len - size % len;
                b->offset[ch] = size;
                size += len;
                if (len > largest)
                        largest = len;
        }
        if (size % largest)
                size += largest - size % largest;
        b->sample_size = size;
}

static int do_open(struct conn *c, const struct sim_cmd *cmd)
{
        int dev = sim_engine_find_device(c->e, cmd->dev);
        if (dev < 0)
                return reply(c, dev);
        struct open_buffer *b = &c->buf[dev];
        int chans[SIM_CHAN_COUNT];
        unsigned n = sim_engine_device_channels(c->e, (size_t)dev, chans);
        uint32_t wire;
        if (cmd->n == 0 || cmd->cyclic || parse_mask(cmd->mask, n, &wire) < 0)
                return reply(c, -EINVAL); /* cyclic buffers are for output devices */
        uint32_t mask = 0;
        for (unsigned i = 0; i < n; i++)
                if (wire & 1u << i)
                        mask |= 1u << chans[i];
        if (b->open)
                return reply(c, -EBUSY);
        int r = sim_engine_stream_open(c->e, (size_t)dev, &b->st);
        if (r < 0)
                return reply(c, r);
        b->open = true;
        b->mask = mask;
        b->wire_mask = wire;
        b->samples = cmd->n < MAX_CHUNK ? cmd->n : MAX_CHUNK;
        layout(b);
        return reply(c, 0);
}

static void close_buffer(struct conn *c, size_t dev)
{
        struct open_buffer *b = &c->buf[dev];
        if (!b->open)
                return;
        sim_engine_stream_close(c->e, &b->st);
        if (b->st.lost)
                fprintf(stderr, "gaitmon-sim: %s: a client read too slowly and lost %llu samples\n",
                        sim_engine_device_id(c->e, dev), (unsigned long long)b->st.lost);
        b->open = false;
}

static int do_close(struct conn *c, const struct sim_cmd *cmd)
{
        int dev = sim_engine_find_device(c->e, cmd->dev);
        if (dev < 0)
                return reply(c, dev);
        if (!c->buf[dev].open)
                return reply(c, -EBADF);
        close_buffer(c, (size_t)dev);
        return reply(c, 0);
}

static void pack(const struct open_buffer *b, const struct sim_raw_sample *raw, size_t n, uint8_t *out)
{
        for (size_t i = 0; i < n; i++) {
                uint8_t *s = out + i * b->sample_size;
                memset(s, 0, b->sample_size);
                for (int ch = 0; ch < SIM_AXES; ch++)
                        if (b->mask & 1u << ch) {
                                uint16_t v = htole16((uint16_t)raw[i].v[ch]);
                                memcpy(s + b->offset[ch], &v, 2);
                        }
                if (b->mask & 1u << SIM_CHAN_TIMESTAMP) {
                        uint64_t ts = htole64((uint64_t)raw[i].ts);
                        memcpy(s + b->offset[SIM_CHAN_TIMESTAMP], &ts, 8);
                }
        }
}

/* Answer: per chunk "<bytes>\n", the mask line before the first chunk's data, the data;
 * "0\n" ends a request that was not a whole number of samples. */
static int do_readbuf(struct conn *c, const struct sim_cmd *cmd)
{
        int dev = sim_engine_find_device(c->e, cmd->dev);
        if (dev < 0)
                return reply(c, dev);
        struct open_buffer *b = &c->buf[dev];
        if (!b->open)
                return reply(c, -EBADF);
        if (cmd->n < b->sample_size)
                return reply(c, 0);
        if (c->chunk_cap < b->samples) {
                struct sim_raw_sample *raw = realloc(c->raw, b->samples * sizeof(*raw));
                if (raw)
                        c->raw = raw;
                uint8_t *out = realloc(c->out, b->samples * sizeof(struct sim_raw_sample));
                if (out)
                        c->out = out;
                if (!raw || !out)
                        return reply(c, -ENOMEM);
                c->chunk_cap = b->samples;
        }

        size_t total = cmd->n / b->sample_size;
        bool first = true;
        while (total) {
                size_t chunk = total < b->samples ? total : b->samples;
                ssize_t r = sim_engine_stream_read(c->e, &b->st, c->raw, chunk);
                if (r == -ESHUTDOWN)
                        return (int)r;
                if (r < 0)
                        return reply(c, (long)r);
                pack(b, c->raw, chunk, c->out);
                size_t bytes = chunk * b->sample_size;
                int s = reply(c, (long)bytes);
                if (s >= 0 && first) {
                        char mask_line[MASK_WORDS * 8 + 2];
                        snprintf(mask_line, sizeof(mask_line), "%08x\n", b->wire_mask);
                        s = send_all(c, mask_line, MASK_WORDS * 8 + 1);
                }
                if (s >= 0)
                        s = send_all(c, c->out, bytes);
                if (s < 0)
                        return s;
                first = false;
                total -= chunk;
        }
        return cmd->n % b->sample_size ? reply(c, 0) : 0;
}

static int do_print(struct conn *c)
{
        int r = reply(c, (long)c->ctx->xml_len);
        if (r >= 0)
                r = send_all(c, c->ctx->xml, c->ctx->xml_len);
        return r >= 0 ? send_all(c, "\n", 1) : r;
}

static int do_version(struct conn *c)
{
        char text[64];
        int n = snprintf(text, sizeof(text), "%u.%u.%-7.7s\n", SIM_VERSION_MAJOR, SIM_VERSION_MINOR, SIM_VERSION_GIT);
        return send_all(c, text, (size_t)n);
}

static int do_settrig(struct conn *c, const struct sim_cmd *cmd)
{
        int dev = sim_engine_find_device(c->e, cmd->dev);
        if (dev < 0)
                return reply(c, dev);
        if (!cmd->trigger)
                return reply(c, 0);
        /* no device here is a trigger: a known one is the wrong kind, others do not exist */
        return reply(c, sim_engine_find_device(c->e, cmd->trigger) >= 0 ? -EINVAL : -ENOENT);
}

static int dispatch(struct conn *c, const struct sim_cmd *cmd)
{
        int dev;
        switch (cmd->op) {
        case SIM_OP_PRINT:
                return do_print(c);
        case SIM_OP_ZPRINT:
                return reply(c, -EINVAL); /* no compressed context here */
        case SIM_OP_VERSION:
                return do_version(c);
        case SIM_OP_TIMEOUT:
                return reply(c, 0);
        case SIM_OP_OPEN:
                return do_open(c, cmd);
        case SIM_OP_CLOSE:
                return do_close(c, cmd);
        case SIM_OP_READBUF:
                return do_readbuf(c, cmd);
        case SIM_OP_WRITEBUF:
                dev = sim_engine_find_device(c->e, cmd->dev);
                if (dev < 0)
                        return reply(c, dev);
                return reply(c, c->buf[dev].open ? -EINVAL : -EBADF); /* input only */
        case SIM_OP_READ:
                return do_read(c, cmd);
        case SIM_OP_WRITE:
                return do_write(c, cmd);
        case SIM_OP_GETTRIG:
                dev = sim_engine_find_device(c->e, cmd->dev);
                return reply(c, dev < 0 ? dev : -ENOENT);
        case SIM_OP_SETTRIG:
                return do_settrig(c, cmd);
        case SIM_OP_SET_BUFFERS_COUNT:
                dev = sim_engine_find_device(c->e, cmd->dev);
                return reply(c, dev < 0 ? dev : cmd->n >= 1 ? 0 : -EINVAL);
        case SIM_OP_EXIT:
                break;
        }
        return -ECONNRESET;
}

static ssize_t fd_recv(void *userdata, void *buf, size_t len)
{
        int fd = *(const int *)userdata;
        for (;;) {
                ssize_t n = recv(fd, buf, len, 0);
                if (n >= 0)
                        return n;
                if (errno != EINTR)
                        return -errno;
        }
}

static int fd_send(void *userdata, const void *data, size_t len)
{
        int fd = *(const int *)userdata;
        const uint8_t *p = data;
        while (len) {
                ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                p += n;
                len -= (size_t)n;
        }
        return 0;
}

void sim_client_serve(int fd, struct sim_engine *e, const struct sim_context_desc *ctx)
{
        struct sim_client_io io = { .recv = fd_recv, .send = fd_send, .userdata = &fd };
        sim_client_serve_io(&io, e, ctx);
}

void sim_client_serve_io(const struct sim_client_io *io, struct sim_engine *e, const struct sim_context_desc *ctx)
{
        struct conn *c = calloc(1, sizeof(*c));
        if (!c)
                return;
        c->io = io;
        c->e = e;
        c->ctx = ctx;

        for (;;) {
                int n = read_line(c);
                int r;
                if (n == -E2BIG)
                        r = reply(c, -EINVAL);
                else if (n <= 0)
                        break;
                else if (memchr(c->line, '\0', c->line_len))
                        r = reply(c, -EINVAL); /* binary junk */
                else if (c->line[strspn(c->line, " \t\r")] == '\0')
                        r = 0; /* a blank line asks nothing */
                else {
                        struct sim_cmd cmd;
                        r = sim_cmd_parse(c->line, &cmd) < 0 ? reply(c, -EINVAL) : dispatch(c, &cmd);
                }
                if (r < 0)
                        break;
        }

        for (size_t d = 0; d < SIM_MAX_DEVICES; d++)
                close_buffer(c, d);
        free(c->raw);
        free(c->out);
        free(c);
}
