/* The journal as a consumer: what the daemon finds, said as it happens. */
#pragma once

#include "sink.h"

/* Registered first, with no userdata: each finding is logged before the others hear of it. */
extern const struct gm_sink gm_log_sink;
