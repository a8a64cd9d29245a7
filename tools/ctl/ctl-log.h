/* gaitmonctl's messages to people: "gaitmonctl: ..." on stderr. */
#pragma once

void ctl_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
