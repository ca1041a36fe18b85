/* tui.h — the full-screen workbench: plot, status and output panes, Readline inside ncurses. */
#ifndef FITBENCH_TUI_H
#define FITBENCH_TUI_H

#include <stdbool.h>

#include "fitbench/command.h"
#include "fitbench/runargs.h"

/* Can the full-screen view run here?  stdin and stdout are terminals and
 * TERM is set and not "dumb". */
bool tui_available(void);

/* Open the workbench on the terminal and fill *f with its hooks for the driver (runargs_run): script files
 * replay live, with the plot animating, pause/sleep honoured; after the replays, when not `interactive`, the
 * final picture stays until a key; when `interactive`, the prompt runs until quit or Ctrl-D, even after a replay
 * stopped at an error.  The interpreter's sinks and front-end hooks point at the workbench until tui_close.
 * The terminal is restored on every way out (quit, error, SIGTERM, SIGHUP, fatal signals).  Returns 0, or -1
 * when the screen could not be set up (err filled; the caller falls back to plain mode; call no tui_close). */
int tui_open(Interp *it, bool interactive, RunFront *f, FbErr *err);

/* Leave the workbench tui_open opened: the interpreter gets its own sinks back, the terminal is restored, the
 * last error (when a command failed) is written to stderr, and f's context is freed. */
void tui_close(RunFront *f);

#endif
