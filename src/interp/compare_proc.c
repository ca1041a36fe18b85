/* compare_proc.c — compare's runs in child processes (compare.h): p->workers processes take the runs in turn,
 * each run with a shared region for its points and results, while the calling thread draws and reads keys.
 * Why processes, not threads: OpenBLAS 0.3.21 takes one process-wide lock and hands out its work buffers from
 * one table in every dgemm call, so runs of small layers on threads of one process wait on each other and
 * trade buffers between cores (1.28x on 2 cores, bench/compare_parallel.sh); processes share neither. */
#include <limits.h>
#include <math.h>
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
    double *params = (double *)(sh + 1) + 3 * r->cap;
    sh->np = m->params ? m->nparams : 0;
    if (sh->np)
        memcpy(params, m->params, sh->np * sizeof(double));
    const ParamPath *pp = &r->c.path;
    sh->path = *pp;
    sh->path.p = NULL;
    if (pp->p && pp->dim == path_dim(r) && pp->n <= PATH_CAP)
        memcpy(params + sh->np, pp->p, pp->n * pp->dim * sizeof(double));
    else
        sh->path.n = sh->path.dim = 0;
}

/* A child: the runs not yet taken, one after another, until none is left or the command is stopped. */
static int child_main(void *arg)
{
    ChildArg *a = arg;
    for (;;) {
        if (atomic_load(&a->ctl->halt))
            return 0;
        size_t i = atomic_fetch_add(&a->ctl->next, 1);
        if (i >= a->p->nv)
            return 0;
        atomic_store(&a->sh[i]->owner, (int)getpid());
        run_one(a->p, i, false, a->sh[i]);
        child_results(&a->p->runs[i], a->sh[i]);
        atomic_store_explicit(&a->sh[i]->done, true, memory_order_release);
    }
}

/* In the parent: the run's new points, into its curve. */
static void child_points(Run *r, RunShared *sh)
{
    size_t n = atomic_load_explicit(&sh->published, memory_order_acquire);
    size_t j = atomic_load_explicit(&r->published, memory_order_relaxed);
    const double *px = (const double *)(sh + 1);
    if (r->k && n <= r->cap && n > j) {
        memcpy(r->k->x + j, px + j, (n - j) * sizeof(double));
        memcpy(r->k->y + j, px + r->cap + j, (n - j) * sizeof(double));
        memcpy(r->k->y2 + j, px + 2 * r->cap + j, (n - j) * sizeof(double));
        atomic_store_explicit(&r->published, n, memory_order_release);
    }
    atomic_store(&r->epochs, atomic_load(&sh->epochs));
}

/* The path the child recorded, into the run's copy (left without one when memory runs out). */
static void path_import(Run *r, const RunShared *sh)
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
    memcpy(pp->p, (const double *)(sh + 1) + 3 * r->cap + sh->np, nd * sizeof(double));
    pp->cap = pp->n;
}

/* In the parent, once run r's child has written its results (or, done false, ended without them, status:
 * how the last child to end did): they go into r. */
static void run_import(Pool *p, Run *r, RunShared *sh, bool done, int status)
{
    child_points(r, sh);
    if (!done) {
        r->rc = fb_fail(&r->err, "the process training %s ended before the run did (%s %d)",
                        r->k ? r->k->label : "a fold", status < 0 ? "signal" : "exit status",
                        status < 0 ? -status : status);
        atomic_store(&p->stop, 1);
    } else {
        r->rc = sh->rc;
        r->err = sh->err;
        r->out = sh->out;
        r->fr = sh->fr;
        r->last = sh->last;
        if (sh->np == r->c.ts.model.nparams && r->c.ts.model.params)
            memcpy(r->c.ts.model.params, (const double *)(sh + 1) + 3 * r->cap, sh->np * sizeof(double));
        if (!r->fold)
            path_import(r, sh);
        if (r->rc)
            atomic_store(&p->stop, 1);
    }
    atomic_store(&r->done, true);
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
            atomic_store(&sh[i]->published, atomic_load(&p->runs[i].published));
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

/* Start up to p->workers children; returns how many started (their pids in pid). */
static size_t children_start(Pool *p, ChildArg *a, pid_t *pid)
{
    FbErr e;
    size_t n = 0;
    while (n < p->workers && proc_start(child_main, a, &pid[n], &e) == 0)
        n++;
    return n;
}

/* A run taken by child pid that ended without its results: failed (status: how the child ended). */
static void child_lost(Pool *p, RunShared **sh, pid_t pid, int status)
{
    for (size_t i = 0; i < p->nv; i++)
        if (!atomic_load(&p->runs[i].done) && atomic_load(&sh[i]->owner) == (int)pid &&
            !atomic_load_explicit(&sh[i]->done, memory_order_acquire))
            run_import(p, &p->runs[i], sh[i], false, status);
}

/* One look: the runs whose results came in, every running run's new points, the children that ended (reaped; a
 * run one of them left unfinished fails).  Returns how many children still run. */
static size_t children_poll(Pool *p, RunShared **sh, pid_t *pid, size_t nc)
{
    for (size_t i = 0; i < p->nv; i++) {
        Run *r = &p->runs[i];
        if (atomic_load(&r->done) || !atomic_load(&sh[i]->owner))
            continue;
        if (atomic_load_explicit(&sh[i]->done, memory_order_acquire))
            run_import(p, r, sh[i], true, 0);
        else
            child_points(r, sh[i]);
    }
    size_t live = 0;
    for (size_t c = 0; c < nc; c++) {
        int status;
        if (pid[c] > 0 && proc_ended(pid[c], false, &status)) {
            for (size_t i = 0; i < p->nv; i++) /* results written just before it ended */
                if (!atomic_load(&p->runs[i].done) && atomic_load_explicit(&sh[i]->done, memory_order_acquire))
                    run_import(p, &p->runs[i], sh[i], true, 0);
            child_lost(p, sh, pid[c], status);
            pid[c] = 0;
        }
        live += pid[c] > 0;
    }
    return live;
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
    while (nc > 0) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
        size_t live = children_poll(p, sh, pid, nc);
        if (pool_tick(p, false))
            atomic_store(&ctl->halt, 1);
        atomic_store(&ctl->allowed, work_allowed(p));
        if (live == 0)
            break;
    }
    p->shared = NULL;
    proc_shared_free(ctl, sizeof *ctl);
    if (sh)
        regions_free(p, sh);
}

void pool_run(Pool *p)
{
    if (p->workers > 1)
        pool_run_procs(p);
    else
        pool_run_here(p);
}
