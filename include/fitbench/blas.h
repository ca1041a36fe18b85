/* blas.h — the one owner of OpenBLAS's process-wide state: its thread count, and room for its work buffers
 * under a memory limit.  No other file calls OpenBLAS's own thread functions (tools/check_layers checks it);
 * everything that reads or changes the thread count comes here.  For the main thread unless said otherwise. */
#ifndef FITBENCH_BLAS_H
#define FITBENCH_BLAS_H

#include <stdbool.h>

#include "fitbench/err.h"

/* The number of threads OpenBLAS's level-3 routines use now (>= 1).  Never fails; any thread may ask. */
int blas_threads(void);

/* Sets OpenBLAS's thread count to `threads`, or to one per processor when `threads` is 0 (`--threads`,
 * `set threads`).  Before raising the count it checks that a memory limit leaves room
 * for the workers OpenBLAS would start (each maps a stack and a 128 MiB buffer at once; see below).  Fails (-1, count
 * unchanged) when it does not, or when `threads` is negative. */
int blas_set_threads(int threads, FbErr *err);

/* For a run whose own threads each call BLAS on one thread (a training crew): sets OpenBLAS's count to 1 and
 * returns the count before, which the caller gives back to blas_single_end when the run ends.  Starts no
 * worker, so never fails. */
int blas_single_begin(void);
void blas_single_end(int threads);

/* OpenBLAS's work buffers under a memory limit.
 *
 * OpenBLAS gives each thread that runs a level-3 routine (also a LAPACK
 * factorisation, or level 2 on long vectors) a work buffer of 128 MiB,
 * mapped on first use and kept until exit; the worker threads it starts when
 * the library loads map theirs at once.  When the mapping fails it tries
 * again forever, so under a tight `ulimit -v` (RLIMIT_AS) or `ulimit -d`
 * (RLIMIT_DATA) the program would hang (in the first solve or training step,
 * or at exit, waiting for a worker that never got its buffer) instead of
 * failing.  With neither limit set (the usual case) each function below costs
 * two getrlimit calls and does nothing else.
 *
 * blas_reserve: at start-up, on the main thread, before any BLAS call:
 * checks that the limit leaves room for the buffers still to come for the
 * BLAS threads now running (the workers' not yet mapped, and the main
 * thread's).  Fails (-1) when it does not, naming the limit, the room left
 * and the limit that would do; workers that could not map their buffers
 * never finish then, so the caller should end the process with _exit, not
 * exit (OpenBLAS's exit handler waits for them).
 *
 * blas_ready: before the calling (main) thread's first BLAS call that may
 * need its buffer (building a model, whose first forward pass follows;
 * linalg_lstsq calls it itself): under a limit, checks that the buffer fits,
 * then has OpenBLAS map it at once (a 1 x 1 dsyrk), so that no later BLAS
 * call on that thread maps one.  Fails (-1, nothing mapped) when it does not
 * fit, e.g. because the data took the room; the message starts with `prefix`
 * (NULL for none: "solve: " from linalg_lstsq).  Later calls return 0 at once. */
int blas_reserve(FbErr *err);
int blas_ready(const char *prefix, FbErr *err);

/* blas_callers_fit: before `extra` threads besides the main one
 * start calling BLAS, each on one BLAS thread (a training team's workers):
 * each takes a buffer of its own on its first level-3 call, which OpenBLAS
 * then keeps for later callers.  True when no limit is set, when that many
 * were let in before, or when the limit leaves room for their buffers and
 * stacks (then it counts them as let in).  Maps nothing; never fails. */
bool blas_callers_fit(int extra);

#endif
