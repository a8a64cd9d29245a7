/* Numbers, times and durations as people read them. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* "Sat 2026-11-21 14:40:39 UTC" in local time; "n/a" for 0. */
const char *ctl_format_timestamp(char *buf, size_t size, uint64_t usec);
/* "1 h 02 min", "42 min 10 s", "35 s"; "n/a" when not finite. */
const char *ctl_format_duration(char *buf, size_t size, double seconds);
/* One number and its unit, which carries its own spacing (" steps/min", "°"); "n/a" when not finite. */
const char *ctl_format_number(char *buf, size_t size, double v, int decimals, const char *unit);
/* The terminal's columns when stdout is one (or the pager's terminal), else fallback. */
unsigned ctl_output_width(unsigned fallback);
/* s cut to at most columns characters (UTF-8), ending in "…" when cut. */
const char *ctl_format_fit(char *buf, size_t size, const char *s, unsigned columns);
/* s wrapped at width columns, continuation lines indented by indent; the first
 * line starts at column first (text already printed before it). Ends the line. */
void ctl_print_wrapped(FILE *f, const char *s, unsigned indent, unsigned first, unsigned width);
