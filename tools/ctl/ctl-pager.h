/* Long output through a pager on a terminal, as systemctl does. */
#pragma once

#include <stdbool.h>

/* When stdout is a terminal and paging is not turned off (no_pager, or $SYSTEMD_PAGER or $PAGER
 * set to "" or "cat"), stdout goes to $SYSTEMD_PAGER, else $PAGER, else less (with LESS=FRSX
 * unless LESS is set: it quits when the output fits the screen), else more. Nothing
 * otherwise. 0 or a negative errno (then stdout is unchanged). */
int ctl_pager_open(bool no_pager);
/* Ends the output and waits for the pager to quit. */
void ctl_pager_close(void);
/* The terminal's columns, measured before stdout went to the pager; 0 when not paging. */
unsigned ctl_pager_columns(void);
