/* proc.h — run a job in a child process and share memory with it: work that must not share a process's locks and caches with its siblings. */
#ifndef FITBENCH_PROC_H
#define FITBENCH_PROC_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "fitbench/err.h"

/* bytes of zeroed memory that a child started later sees and writes as its parent does (an anonymous shared
 * mapping).  Fails on out of memory (NULL, err filled).  Freed by proc_shared_free(p, bytes) in the process
 * that made it (a child's copy goes with the child). */
void *proc_shared(size_t bytes, const char *what, FbErr *err);
void proc_shared_free(void *p, size_t bytes); /* NULL-safe */

/* Start a child process that runs fn(arg) and ends with _exit(fn's return value): no atexit handler and no
 * stdio flush runs in it.  In the child, SIGINT is ignored (the parent decides when its children stop: tell
 * them through shared memory), every other signal the parent handles takes its default action (a handler of
 * the parent's, such as one that restores the terminal or ncurses' SIGTSTP handler, never runs in a child; a
 * signal the parent ignores stays ignored), and on Linux the child is killed when the parent ends.  fn must not touch
 * the terminal.  Fails when the process cannot be made (-1, err says why; nothing started). */
int proc_start(int (*fn)(void *), void *arg, pid_t *pid, FbErr *err);

/* Has child pid ended?  wait: block until it has.  Returns true once it has ended (it is then reaped and *status
 * is its exit code, minus the signal that ended it, or PROC_STATUS_UNKNOWN when it could not be read), false while
 * it runs. */
#define PROC_STATUS_UNKNOWN INT_MIN
bool proc_ended(pid_t pid, bool wait, int *status);

#endif
