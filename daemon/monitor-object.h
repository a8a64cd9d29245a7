/* The org.gaitmon.Monitor1 object: properties, signals and methods on the system bus. */
#pragma once

#include <stdio.h>

#include "gaitmond.h"

#define GM_MONITOR_BUS_NAME "org.gaitmon.Monitor1"
#define GM_MONITOR_PATH "/org/gaitmon/Monitor1"

/* Connects to the system bus, serves the object and owns the name; registers the D-Bus sink. */
int gaitmond_monitor_start(struct gaitmond *d);
void gaitmond_monitor_stop(struct gaitmond *d);
/* The interface XML (gaitmond --print-introspection). */
int gaitmond_monitor_write_xml(FILE *f);
