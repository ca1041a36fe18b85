/* compare.h — what compare's files share (cmd_compare.c: the command, its copies and its table; compare_pool.c: a
 * run's training and the runs one after another; compare_proc.c: the runs side by side in child processes;
 * cmd_compare_cv.c: cv=K).  Private to src/interp. */
#ifndef FITBENCH_INTERP_COMPARE_H
#define FITBENCH_INTERP_COMPARE_H

#include <stdatomic.h>

#include "fitbench/command.h"
#include "cvfold.h"
#include "fitbench/variant.h"

/* What `compare` was asked: the setting varied (its row), its values (pointers into vals, which the caller
 * frees) and the epochs per run. */
typedef struct CompareArgs {
    const Tok *kv;
    const VariantKey *vk;
    const Tok *metric; /* metric=NAME, or NULL: the loss */
    const Tok *cvt;    /* cv=K, or NULL */
    long epochs, folds; /* folds: cv=K's K, 0 without */
    char *vals;
    char *v[CURVES_MAX];
    size_t nv;
} CompareArgs;

/* One value's copy and what its training left.  Its points go past k->n only, with how many are written published
 * (by the calling thread as it trains, or as it copies them from the run's process); the calling thread alone sets
 * k->n (which the plot reads). */
typedef struct Run {
    Session c;
    Curve *k;
    size_t cap;                /* points k's arrays hold */
    size_t published;          /* points of k written */
    long epochs;               /* epochs done */
    bool done;                 /* its training returned */
    TrainOutcome out;
    bool fold;                 /* a fold of cv=: c is the fold's copy, k is NULL, fr its scores */
    FoldResult fr;
    HistRow last;              /* the history's last row when done (not for a fold) */
    int rc;
    FbErr err;
} Run;

/* What a run trained in a child process (compare_proc.c) shares with the parent, at the head of a shared
 * region: its progress and points while it trains, its results once done is set.  The region goes on with the
 * points (3 * cap doubles: epochs, then train values, then validation values), the final parameters (np
 * doubles) and the parameter path's points (path.n * path.dim doubles; path.p is not used). */
typedef struct RunShared {
    atomic_size_t published;   /* points written */
    atomic_long epochs;        /* epochs done */
    atomic_bool done;          /* the results below are written */
    atomic_int owner;          /* the pid of the process that took the run (0: none yet) */
    int rc;
    FbErr err;
    TrainOutcome out;
    FoldResult fr;
    HistRow last;
    size_t np;
    ParamPath path;
} RunShared;

/* The parts of a run's region after its head: its points (3 * cap doubles: epochs, train values, validation
 * values), its final parameters (np doubles), its parameter path's points. */
static inline double *run_points(RunShared *sh)
{
    return (double *)(sh + 1);
}
static inline double *run_params(RunShared *sh, size_t cap)
{
    return run_points(sh) + 3 * cap;
}
static inline double *run_path(RunShared *sh, size_t cap, size_t np)
{
    return run_params(sh, cap) + np;
}

/* What compare's child processes share with the calling process (compare_proc.c): the stop they watch, the
 * pause (hold: the front end's space key, through Interp.hold) and the pace: after an epoch a child waits while
 * the runs' epochs (done, this pool's; a run that ended early counts all its epochs) have reached allowed, which
 * the caller moves on as the front end's pace allows (FrontEnd.work_allowed). */
typedef struct PoolShared {
    atomic_int halt, hold;
    atomic_long allowed, done;
} PoolShared;

/* The runs and the workers that take them in turn. */
typedef struct Pool {
    Interp *it;
    int mi;                    /* the curves' metric: -1 the loss, else metric mi of the history row */
    long epochs;
    Run *runs;
    size_t nv, workers;
    int stop;                  /* a run failed, or the user stopped the command */
    struct PoolShared *shared; /* runs in child processes: what they share with the caller (compare_proc.c), else NULL */
    long done0;                /* cv=: epochs of the folds run in earlier waves */
} Pool;

/* ---- compare_pool.c ---- */

/* Row r's value for a compare curve: the loss (mi < 0) or metric mi, on the training or the validation split. */
double curve_value(const HistRow *r, int mi, bool val);

/* Train run i: on the calling thread, which also draws and reads keys (sh NULL), or in a child process, whose
 * progress and results go to sh. */
void run_one(Pool *p, size_t i, RunShared *sh);

/* On the calling thread: draw, read keys; a stop asked for (a key, Ctrl-C) stops every run.  Returns the stop. */
int pool_tick(Pool *p, bool epoch);

/* How many runs train at once: one per core this process may use, no more than runs, nor than BLAS's thread
 * count before the command (blas_count: set threads=1 runs them one after another). */
size_t pool_workers(size_t nv, int blas_count);

/* Train p's runs one after another on the calling thread, which also draws and reads keys between batches.
 * Returns when all have ended; each run's rc, err and outcome are in it.  Never fails itself. */
void pool_run_here(Pool *p);

/* A compare's training starts / ends (work: epochs in all, for the pace): BLAS held at one thread, the front
 * end's live drawing.  begin returns BLAS's count before, which end gives back. */
int compare_begin(Interp *it, long work);
void compare_end(Interp *it, int before);

/* The first failed run's error into err (-1), or 0. */
int runs_failed(const Pool *p, FbErr *err);

/* ---- compare_proc.c ---- */

/* Train p's runs: with one worker on the calling thread (pool_run_here), with more in child processes, p->workers
 * at a time, while the calling thread draws and reads keys; each run's rc, err, outcome, last history row, final
 * parameters and parameter path come back into it.  Each run's shared region holds its points (3 * (epochs + 1)
 * doubles, beside the curve's own); when the regions cannot be mapped (a memory limit) or no process can be
 * started, the runs train one after another on the calling thread.  Returns when all have ended.  Never fails itself (a run's process that dies is that run's failure). */
void pool_run(Pool *p);

/* ---- cmd_compare.c ---- */

/* Run one command line on the copy c, its output discarded (variant.h's VariantRunFn). */
int on_copy(Interp *it, Session *c, const char *line, FbErr *err);

/* Every option a run used, into buf. */
void run_opts(const CompareArgs *ca, const Session *c, char *buf, size_t size);

/* ---- cmd_compare_cv.c ---- */

/* compare ... cv=K into cv (the session's compare curves then, and its plot validation or learning).  Fails on
 * a value the setting refuses, on folds cv refuses (err at cv=) or when a fold's training fails. */
int compare_cv(Interp *it, const CompareArgs *ca, Curves *cv, FbErr *err);

#endif
