/* team.h — a persistent team of threads that runs one short job after another, for work split too finely to start threads per job. */
#ifndef FITBENCH_TEAM_H
#define FITBENCH_TEAM_H

#include <stddef.h>

#include "fitbench/err.h"

#define TEAM_MAX 16

/* Member 0 is the thread that calls team_run; members 1..k-1 are workers
 * that wait for the next job spinning for a while (a training step hands
 * out a job every ~0.1 ms, and waking a sleeping thread costs more than
 * that in a VM), then asleep.  Owned by the caller of team_start. */
typedef struct Team Team;

/* A job: member i of k does its share. */
typedef void (*TeamJob)(void *ctx, size_t i, size_t k);

/* Start a team of k members (1 <= k <= TEAM_MAX): k - 1 new threads.
 * Fails on out of memory or when a thread cannot be started (then nothing
 * is left running and *out is NULL). */
int team_start(Team **out, size_t k, FbErr *err);

size_t team_size(const Team *t);

/* CPUs this process may run on (its affinity mask; 1 if that cannot be
 * read).  Members spin while they wait, so a team larger than this would
 * have them spin on each other's CPUs: 7x slower at 4 members on 2 CPUs. */
size_t team_cpus(void);

/* Run job(ctx, i, k) for every member i, member 0 on the calling thread;
 * returns when all are done, with their writes visible.  Only one thread
 * may call it at a time.  Never fails. */
void team_run(Team *t, TeamJob job, void *ctx);

/* Stop and join the workers, free the team.  NULL-safe. */
void team_stop(Team *t);

#endif
