/* script.h — the one input loop: lines from a file, stdin, -c or the terminal, with locations and bail. */
#ifndef FITBENCH_SCRIPT_H
#define FITBENCH_SCRIPT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>

#include "fitbench/command.h"

#define SCRIPT_MAX_LINE (1 << 20) /* longer lines are refused, not read into memory whole */

/* Report an error through it->err as "FILE:LINE:COL: error: MSG" (or
 * "error: MSG" when file is NULL) and count it in it->failed.  An empty
 * message means it was reported already (a nested script) and prints nothing. */
void script_report(Interp *it, const char *file, long line, const FbErr *e);

/* Run the commands of one line: split on ';' outside quotes, '#' starts a
 * comment.  Reports errors itself.  Returns 0 when every command succeeded,
 * -1 when one failed (the rest of the line is skipped). */
int script_line(Interp *it, const char *line, size_t len, const char *file, long lineno);

/* Is the file st describes (st_dev, st_ino) one that a script_stream is reading now (a script being run,
 * or stdin when commands come from a file)?  `record` refuses to append to it: the reader would read its
 * own new lines forever. */
bool script_is_being_read(const Interp *it, const struct stat *st);

/* Run lines from fp named `name` until EOF, `quit`, or (when bail is on and
 * keep_going off) the first failing line.  Returns 0, or -1 if a command
 * failed. */
int script_stream(Interp *it, FILE *fp, const char *name);

/* Run a script file, guarding against cycles and runaway nesting.  Fails with
 * err filled (and nothing run) when the file cannot be opened, is a
 * directory, runs itself, or nests too deep; returns -1 with an empty message
 * when a command inside failed (already reported). */
int script_file(Interp *it, const char *path, FbErr *err);

#endif
