/* Protocol parsing: one command line of libiio's network protocol into a struct. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sim-protocol.h"

#define MAX_TOKENS 8

static int parse_ulong(const char *s, unsigned long *out)
{
        if (!s || *s < '0' || *s > '9')
                return -EINVAL;
        char *end;
        errno = 0;
        unsigned long v = strtoul(s, &end, 10);
        if (errno || *end || v > 0xffffffffUL)
                return -EINVAL;
        *out = v;
        return 0;
}

static bool is(const char *tok, const char *keyword)
{
        return strcasecmp(tok, keyword) == 0;
}

/* [INPUT chn | OUTPUT chn | DEBUG | BUFFER] [attr] */
static int parse_attr_target(char **tok, int n, struct sim_cmd *cmd)
{
        int i = 0;
        cmd->kind = SIM_ATTR_DEVICE;
        if (n > 0 && (is(tok[0], "INPUT") || is(tok[0], "OUTPUT"))) {
                if (n < 2)
                        return -EINVAL;
                cmd->kind = SIM_ATTR_CHANNEL;
                cmd->output = is(tok[0], "OUTPUT");
                cmd->chn = tok[1];
                i = 2;
        } else if (n > 0 && is(tok[0], "DEBUG")) {
                cmd->kind = SIM_ATTR_DEBUG;
                i = 1;
        } else if (n > 0 && is(tok[0], "BUFFER")) {
                cmd->kind = SIM_ATTR_BUFFER;
                i = 1;
        }
        if (i < n)
                cmd->attr = tok[i++];
        return i == n ? 0 : -EINVAL;
}

int sim_cmd_parse(char *line, struct sim_cmd *cmd)
{
        char *tok[MAX_TOKENS];
        int n = 0;
        char *save = NULL;

        memset(cmd, 0, sizeof(*cmd));
        for (char *t = strtok_r(line, " \t\r\n", &save); t; t = strtok_r(NULL, " \t\r\n", &save)) {
                if (n == MAX_TOKENS)
                        return -EINVAL;
                tok[n++] = t;
        }
        if (n == 0)
                return -EINVAL;

        const char *op = tok[0];
        if (n == 1 && (is(op, "EXIT") || is(op, "QUIT")))
                cmd->op = SIM_OP_EXIT;
        else if (n == 1 && is(op, "PRINT"))
                cmd->op = SIM_OP_PRINT;
        else if (n == 1 && is(op, "ZPRINT"))
                cmd->op = SIM_OP_ZPRINT;
        else if (n == 1 && is(op, "VERSION"))
                cmd->op = SIM_OP_VERSION;
        else if (n == 2 && is(op, "TIMEOUT")) {
                cmd->op = SIM_OP_TIMEOUT;
                return parse_ulong(tok[1], &cmd->n);
        } else if ((n == 4 || n == 5) && is(op, "OPEN")) {
                cmd->op = SIM_OP_OPEN;
                cmd->dev = tok[1];
                cmd->mask = tok[3];
                if (n == 5) {
                        if (!is(tok[4], "CYCLIC"))
                                return -EINVAL;
                        cmd->cyclic = true;
                }
                return parse_ulong(tok[2], &cmd->n);
        } else if (n == 2 && is(op, "CLOSE")) {
                cmd->op = SIM_OP_CLOSE;
                cmd->dev = tok[1];
        } else if (n == 3 && (is(op, "READBUF") || is(op, "WRITEBUF"))) {
                cmd->op = is(op, "READBUF") ? SIM_OP_READBUF : SIM_OP_WRITEBUF;
                cmd->dev = tok[1];
                return parse_ulong(tok[2], &cmd->n);
        } else if (n >= 2 && is(op, "READ")) {
                cmd->op = SIM_OP_READ;
                cmd->dev = tok[1];
                return parse_attr_target(tok + 2, n - 2, cmd);
        } else if (n >= 3 && is(op, "WRITE")) {
                cmd->op = SIM_OP_WRITE;
                cmd->dev = tok[1];
                if (parse_ulong(tok[n - 1], &cmd->n) < 0)
                        return -EINVAL;
                return parse_attr_target(tok + 2, n - 3, cmd);
        } else if (n == 2 && is(op, "GETTRIG")) {
                cmd->op = SIM_OP_GETTRIG;
                cmd->dev = tok[1];
        } else if ((n == 2 || n == 3) && is(op, "SETTRIG")) {
                cmd->op = SIM_OP_SETTRIG;
                cmd->dev = tok[1];
                cmd->trigger = n == 3 ? tok[2] : NULL;
        } else if (n == 4 && is(op, "SET") && is(tok[2], "BUFFERS_COUNT")) {
                cmd->op = SIM_OP_SET_BUFFERS_COUNT;
                cmd->dev = tok[1];
                return parse_ulong(tok[3], &cmd->n);
        } else
                return -EINVAL;
        return 0;
}
