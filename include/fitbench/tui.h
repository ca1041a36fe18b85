/* tui.h — the full-screen workbench: plot, status and output panes, Readline inside ncurses. */
#ifndef FITBENCH_TUI_H
#define FITBENCH_TUI_H

#include <stdbool.h>

#include "fitbench/command.h"

/* Can the full-screen view run here?  stdin and stdout are terminals and
 * TERM is set and not "dumb". */
bool tui_available(void);

/* Run the workbench on the terminal: first replay `scripts` (n of them) live,
 * with the plot animating, pause/sleep honoured; then, when `interactive`,
 * the prompt until quit or Ctrl-D.  The terminal is restored on every way
 * out (quit, error, SIGTERM, SIGHUP, fatal signals).  Returns 0, or -1 when
 * the screen could not be set up (err filled; the caller falls back to plain
 * mode). */
int tui_run(Interp *it, const char *const *scripts, int n, bool interactive, FbErr *err);

#endif
