/* Protocol parsing: one command line of libiio's network protocol into a struct. */
#pragma once

#include <stdbool.h>

#include "sim-device.h"

#define SIM_MAX_LINE 4096 /* longer lines are refused with -EINVAL */

enum sim_op {
        SIM_OP_EXIT,
        SIM_OP_PRINT,
        SIM_OP_ZPRINT,
        SIM_OP_VERSION,
        SIM_OP_TIMEOUT,
        SIM_OP_OPEN,
        SIM_OP_CLOSE,
        SIM_OP_READBUF,
        SIM_OP_WRITEBUF,
        SIM_OP_READ,
        SIM_OP_WRITE,
        SIM_OP_GETTRIG,
        SIM_OP_SETTRIG,
        SIM_OP_SET_BUFFERS_COUNT,
};

struct sim_cmd {
        enum sim_op op;
        const char *dev;
        enum sim_attr_kind kind; /* READ and WRITE */
        bool output;             /* OUTPUT channel rather than INPUT */
        const char *chn;
        const char *attr; /* NULL: every attribute at once */
        unsigned long n;  /* samples, bytes, milliseconds or buffers */
        const char *mask; /* OPEN: hex words, most significant first */
        bool cyclic;
        const char *trigger; /* SETTRIG: NULL to detach */
};

/* Splits line in place; the struct points into it. 0 or -EINVAL. */
int sim_cmd_parse(char *line, struct sim_cmd *cmd);
