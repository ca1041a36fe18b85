/* runargs.h — the command line's one driver, in the manner of Lua's lua.c: collect the arguments, run the
 * startup scripts (-c commands, files, stdin), then the chosen front end's prompt.  Both front ends (the plain
 * prompt and the workbench) are driven by runargs_run; each supplies its hooks as a RunFront. */
#ifndef FITBENCH_RUNARGS_H
#define FITBENCH_RUNARGS_H

#include <stdbool.h>

#include "fitbench/command.h"

enum { RUNARGS_MAX = 256 }; /* -c strings and script files together */

/* What the command line asked for.  Filled by runargs_collect; the strings point into argv. */
typedef struct RunArgs {
    const char *work[RUNARGS_MAX]; /* -c strings and script files, in the order given */
    bool work_is_cmd[RUNARGS_MAX]; /* work[i] is a -c string (else a file) */
    int nwork, ncmds, nfiles;
    bool read_stdin;        /* "-": commands from standard input */
    bool interactive_after; /* -i */
    bool keep_going, quiet, live, plain;
    long seed, threads;     /* --seed, --threads; -1 when not given */
} RunArgs;

/* Which of the startup scripts a front end runs (RunFront.scripts). */
enum { RUN_CMDS = 1, RUN_FILES = 2 };

/* A front end as the driver sees it.  The driver runs the scripts the front end takes (calling file_begin and
 * file_end, when set, around each script file), then scripts_end (when set) with whether a failed script stopped
 * the rest, then — unless quit, or a script stopped and !prompt_after_error — prompt when want_prompt. */
typedef struct RunFront {
    void *ctx;
    unsigned scripts;        /* RUN_CMDS | RUN_FILES */
    bool want_prompt;        /* give the prompt after the scripts */
    bool prompt_after_error; /* the prompt comes even when a script stopped at an error */
    void (*file_begin)(void *ctx, const char *path);
    void (*file_end)(void *ctx);
    void (*scripts_end)(void *ctx, bool stopped);
    void (*prompt)(void *ctx);
} RunFront;

/* Read argv into *a.  Returns -1 when the program should go on to runargs_run; otherwise the exit status to end
 * with at once: 0 after printing --version or --help (1 when that output could not be written), 2 after a usage
 * error (the message is on stderr). */
int runargs_collect(RunArgs *a, int argc, char **argv);

/* Set up the session and the interpreter from a, choose the front end, run the scripts and the prompt
 * (runargs.c says which front end runs what), then flush stdout.  argv0 finds the shipped datasets.  Returns the
 * exit status: 0, or 1 when a command or an expect failed or the output could not be written. */
int runargs_run(const RunArgs *a, const char *argv0);

#endif
