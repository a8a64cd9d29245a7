/* Context XML: the description libiio clients build their context from (PRINT). */
#pragma once

#include <stddef.h>

#include "sim-engine.h"

#define SIM_VERSION_MAJOR 0
#define SIM_VERSION_MINOR 24
#define SIM_VERSION_GIT "gm-sim0" /* 7 characters, as libiio expects of a git tag */

/* 0 or negative errno; *xml is malloc'ed. */
int sim_xml_context(const struct sim_engine *e, const char *description, char **xml, size_t *len);
