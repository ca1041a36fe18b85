/* par.h — run a few jobs on threads: job 0 on the caller, the rest on new threads, joined before return. */
#ifndef FITBENCH_PAR_H
#define FITBENCH_PAR_H

#include <stddef.h>

#define PAR_MAX_JOBS 16

/* Run fn on each of the k jobs (k <= PAR_MAX_JOBS), which lie `stride`
 * bytes apart from `jobs`.  A thread that cannot be started is not an
 * error: its job runs on the caller instead, so every job always runs once.
 * Returns when all are done.  Never fails. */
void par_run(void *jobs, size_t stride, size_t k, void *(*fn)(void *));

#endif
