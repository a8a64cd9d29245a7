/* gaitmond's live state as gaitmonctl shows it (status and watch). */
#pragma once

#include <dbus/dbus.h>
#include <stdio.h>

#include "ctl-json.h"
#include "ctl-props.h"

/* GetAll of the Monitor1 interface into props. Errors are logged. */
int ctl_status_fetch(DBusConnection *bus, struct ctl_props *props);
/* Every property, one aligned "Label: value" line each (sensors one line per sensor). */
void ctl_status_print(FILE *f, const struct ctl_props *props);
/* The SI of metric in an a{sd} property (Asymmetry, AsymmetryBaseline); NaN when absent. */
double ctl_status_si(const struct ctl_props *props, const char *name, const char *metric);
/* Every property under its D-Bus name; sensors as objects. */
void ctl_status_json(struct ctl_json *j, const struct ctl_props *props);
