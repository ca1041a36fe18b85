/* repl.h — the plain interactive front end: GNU Readline prompt, history, completion, Ctrl-C. */
#ifndef FITBENCH_REPL_H
#define FITBENCH_REPL_H

#include <signal.h>

#include "fitbench/command.h"

/* The one global besides the session's own state: set by SIGINT, read by
 * the training loop (stop after the current batch) and the prompt (clear
 * the line). */
extern volatile sig_atomic_t fb_interrupted;

/* Install the SIGINT handler that sets fb_interrupted (no SA_RESTART, so a
 * blocking read sees EINTR). */
void repl_install_sigint(void);

/* The history file: $XDG_STATE_HOME/fitbench/history or
 * ~/.local/state/fitbench/history (directories created).  Writes the path
 * into buf; returns buf, or NULL when there is no home to put it in. */
char *repl_history_path(char *buf, size_t size);

/* Write Readline's history (the last 1000 lines) to path atomically: a temporary file beside it, every write
 * checked, fsync, rename.  On any failure (disk full, file size limit, read-only folder) path keeps its old
 * contents, no temporary file is left, and err says why; returns -1.  Returns 0 when written.  Both front ends
 * save through this. */
int repl_save_history(const char *path, FbErr *err);

/* Readline's attempted-completion step for both front ends: the
 * interpreter's candidates for `text` (which starts at `start` in
 * rl_line_buffer), or NULL with file-name completion allowed after the
 * commands that take a path.  Returns readline's match array (it frees it). */
char **repl_attempt_completion(Interp *it, const char *text, int start);

/* Prompt-read-run until quit or Ctrl-D on a terminal.  History is loaded
 * at start and saved (atomically) after every command.  Returns 0. */
int repl_run(Interp *it);

#endif
