/* compare_proc.c — compare's runs in child processes (compare.h): p->workers processes take the runs in turn,
 * each run with a shared region for its points and results, while the calling thread draws and reads keys.
 * Why processes, not threads: OpenBLAS 0.3.21 takes one process-wide lock and hands out its work buffers from
 * one table in every dgemm call, so runs of small layers on threads of one process wait on each other and
 * trade buffers between cores (1.28x on 2 cores, bench/compare_parallel.sh); processes share neither. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "compare.h"
#include "fitbench/par.h"
#include "fitbench/proc.h"

typedef struct ChildArg {
    Pool *p;
    PoolShared *ctl;
    RunShared **sh;            /* (nv) each run's region */
} ChildArg;

static size_t path_dim(const Run *r)
{
    const Model *m = &r->c.ts.model;
    return r->fold || m->nparams > PATH_MAX_PARAMS ? 0 : m->nparams;
}

/* The region for run r: the header, 3 * cap points, the parameters, a path of PATH_CAP points. */
static size_t region_bytes(const Run *r)
{
    size_t nd = 3 * r->cap + r->c.ts.model.nparams + (size_t)PATH_CAP * path_dim(r);
    return sizeof(RunShared) + nd * sizeof(double);
}

/* In the child, after training: what the parent keeps of the run, into the region. */
static void child_results(const Run *r, RunShared *sh)
{
    sh->rc = r->rc;
    sh->err = r->err;
    sh->out = r->out;
    sh->fr = r->fr;
    sh->last = r->last;
    const Model *m = &r->c.ts.model;
    sh->np = m->params ? m->nparams : 0;
    if (sh->np)
        memcpy(run_params(sh, r->cap), m->params, sh->np * sizeof(double));
    const ParamPath *pp = &r->c.path;
    sh->path = *pp;
    sh->path.p = NULL;
    if (pp->p && pp->dim == path_dim(r) && pp->n <= PATH_CAP)
        memcpy(run_path(sh, r->cap, sh->np), pp->p, pp->n * pp->dim * sizeof(double));
    else
        sh->path.n = sh->path.dim = 0;
}

/* A child: each run no process has claimed yet, in order, until none is left or the command is stopped.  The
 * claim (the run's owner, from 0 to this pid) is one atomic step, so a process that dies has either claimed a
 * run (which then fails) or left it to the others. */
static int child_main(void *arg)
{
    ChildArg *a = arg;
    int me = (int)getpid();
    for (size_t i = 0; i < a->p->nv; i++) {
        if (atomic_load(&a->ctl->halt))
            return 0;
        int none = 0;
        if (!atomic_compare_exchange_strong(&a->sh[i]->owner, &none, me))
            continue;
        run_one(a->p, i, a->sh[i]);
        child_results(&a->p->runs[i], a->sh[i]);
        atomic_store_explicit(&a->sh[i]->done, true, memory_order_release);
    }
    return 0;
}

/* In the parent: the run's new points, into its curve. */
static void child_points(Run *r, RunShared *sh)
{
    size_t n = atomic_load_explicit(&sh->published, memory_order_acquire);
    size_t j = r->published;
    const double *px = run_points(sh);
    if (r->k && n <= r->cap && n > j) {
        memcpy(r->k->x + j, px + j, (n - j) * sizeof(double));
        memcpy(r->k->y + j, px + r->cap + j, (n - j) * sizeof(double));
        memcpy(r->k->y2 + j, px + 2 * r->cap + j, (n - j) * sizeof(double));
        r->published = n;
    }
    r->epochs = atomic_load(&sh->epochs);
}

/* The path the child recorded, into the run's copy (left without one when memory runs out). */
static void path_import(Run *r, RunShared *sh)
{
    ParamPath *pp = &r->c.path;
    free(pp->p);
    *pp = sh->path;
    pp->p = NULL;
    size_t nd = pp->n * pp->dim;
    pp->p = nd ? malloc(nd * sizeof(double)) : NULL;
    if (!pp->p) {
        memset(pp, 0, sizeof *pp);
        return;
    }
    memcpy(pp->p, run_path(sh, r->cap, sh->np), nd * sizeof(double));
    pp->cap = pp->n;
}

/* How a process ended, for a message: "signal 9", "exit status 3". */
static void how_ended(int status, char *buf, size_t size)
{
    if (status == PROC_STATUS_UNKNOWN)
        snprintf(buf, size, "its exit status unknown");
    else
        snprintf(buf, size, "%s %d", status < 0 ? "signal" : "exit status", status < 0 ? -status : status);
}

/* Run r failed with no results: the process training it ended first (status: how). */
static void run_lost(Pool *p, Run *r, RunShared *sh, int status)
{
    char how[48];
    child_points(r, sh);
    how_ended(status, how, sizeof how);
    r->rc = fb_fail(&r->err, "the process training %s ended before the run did (%s)", r->k ? r->k->label : "a fold",
                    how);
    p->stop = 1;
    r->done = true;
}

/* In the parent, once run r's child has written its results: they go into r.  A run that ended early (diverged)
 * counts all its epochs for the pace, as pool_sync counts it. */
static void run_import(Pool *p, Run *r, RunShared *sh)
{
    child_points(r, sh);
    r->rc = sh->rc;
    r->err = sh->err;
    r->out = sh->out;
    r->fr = sh->fr;
    r->last = sh->last;
    if (sh->np == r->c.ts.model.nparams && r->c.ts.model.params)
        memcpy(r->c.ts.model.params, run_params(sh, r->cap), sh->np * sizeof(double));
    if (!r->fold)
        path_import(r, sh);
    if (r->rc)
        p->stop = 1;
    long skipped = p->epochs - atomic_load(&sh->epochs);
    if (skipped > 0)
        atomic_fetch_add(&p->shared->done, skipped);
    r->done = true;
}

/* Every run's region (NULL when out of memory: nothing to free). */
static RunShared **regions_new(Pool *p)
{
    FbErr e;
    RunShared **sh = calloc(p->nv, sizeof *sh);
    for (size_t i = 0; sh && i < p->nv; i++)
        if (!(sh[i] = proc_shared(region_bytes(&p->runs[i]), "a compare run's shared memory", &e))) {
            for (size_t j = 0; j < i; j++)
                proc_shared_free(sh[j], region_bytes(&p->runs[j]));
            free(sh);
            return NULL;
        } else { /* the points run_make put in the curve come first */
            atomic_store(&sh[i]->published, p->runs[i].published);
        }
    return sh;
}

static void regions_free(Pool *p, RunShared **sh)
{
    for (size_t i = 0; i < p->nv; i++)
        proc_shared_free(sh[i], region_bytes(&p->runs[i]));
    free(sh);
}

/* The epochs this pool's runs may have done by now: what the front end's pace allows of the command's work,
 * less the work of earlier pools (cv's waves); LONG_MAX when nothing holds them back. */
static long work_allowed(Pool *p)
{
    Interp *it = p->it;
    if (!it->fe || !it->fe->work_allowed || it->work_total <= 0)
        return LONG_MAX;
    long a = it->fe->work_allowed(it->fe->ctx, it);
    return a >= it->work_total ? LONG_MAX : a - p->done0;
}

/* Start up to p->workers children, no more than runs; returns how many started (their pids in pid). */
static size_t children_start(Pool *p, ChildArg *a, pid_t *pid)
{
    FbErr e;
    size_t n = 0;
    while (n < p->workers && n < p->nv && proc_start(child_main, a, &pid[n], &e) == 0)
        n++;
    return n;
}

/* The runs whose results came in, into theirs; every other claimed run's new points. */
static void runs_poll(Pool *p, RunShared **sh)
{
    for (size_t i = 0; i < p->nv; i++) {
        Run *r = &p->runs[i];
        if (r->done || !atomic_load(&sh[i]->owner))
            continue;
        if (atomic_load_explicit(&sh[i]->done, memory_order_acquire))
            run_import(p, r, sh[i]);
        else
            child_points(r, sh[i]);
    }
}

/* One look: the runs (runs_poll), then the children that ended (reaped; the run one of them had claimed and not
 * finished fails; *lost: how the last one that did not end cleanly ended).  Returns how many children still run. */
static size_t children_poll(Pool *p, RunShared **sh, pid_t *pid, size_t nc, int *lost)
{
    runs_poll(p, sh);
    size_t live = 0;
    for (size_t c = 0; c < nc; c++) {
        int status;
        if (pid[c] > 0 && proc_ended(pid[c], false, &status)) {
            runs_poll(p, sh); /* results written just before it ended */
            for (size_t i = 0; i < p->nv; i++)
                if (!p->runs[i].done && atomic_load(&sh[i]->owner) == (int)pid[c])
                    run_lost(p, &p->runs[i], sh[i], status);
            if (status != 0)
                *lost = status;
            pid[c] = 0;
        }
        live += pid[c] > 0;
    }
    return live;
}

/* Once every child has ended: with no stop asked for, a run none of them trained (they all died) fails. */
static void runs_orphaned(Pool *p, RunShared **sh, int lost)
{
    for (size_t i = 0; i < p->nv && !p->stop; i++)
        if (!p->runs[i].done)
            run_lost(p, &p->runs[i], sh[i], lost);
}

static void pool_run_procs(Pool *p)
{
    FbErr e;
    RunShared **sh = regions_new(p);
    PoolShared *ctl = sh ? proc_shared(sizeof *ctl, "compare's shared state", &e) : NULL;
    ChildArg a = {p, ctl, sh};
    pid_t pid[PAR_MAX_JOBS];
    p->shared = ctl; /* before the children copy p */
    if (ctl)
        atomic_store(&ctl->allowed, work_allowed(p));
    size_t nc = ctl ? children_start(p, &a, pid) : 0;
    if (nc == 0) { /* no process could be made: one run after another here */
        p->shared = NULL;
        pool_run_here(p);
    }
    p->it->hold = ctl ? &ctl->hold : NULL; /* the front end's pause holds the children */
    int lost = PROC_STATUS_UNKNOWN;
    while (nc > 0) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        size_t live = children_poll(p, sh, pid, nc, &lost);
        if (pool_tick(p, false))
            atomic_store(&ctl->halt, 1);
        atomic_store(&ctl->allowed, work_allowed(p));
        if (live == 0) {
            runs_orphaned(p, sh, lost);
            break;
        }
    }
    p->it->hold = NULL;
    p->shared = NULL;
    proc_shared_free(ctl, sizeof *ctl);
    if (sh)
        regions_free(p, sh);
}

void pool_run(Pool *p)
{
    if (p->workers > 1 && p->nv > 1)
        pool_run_procs(p);
    else
        pool_run_here(p);
}
