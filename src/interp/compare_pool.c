/* compare_pool.c — compare's runs on the machine's threads (compare.h): each run trains on one thread of its own
 * with BLAS held at one thread, the threads take the runs in turn, and the calling thread, which trains too,
 * draws the curves and reads keys; a stop (Ctrl-C, Esc, a failed run) stops every run after its batch. */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compare.h"
#include "fitbench/blas.h"
#include "fitbench/par.h"
#include "fitbench/team.h"

typedef struct Job {
    Pool *p;
    size_t w;                  /* 0: the calling thread, which also draws and reads keys */
} Job;

typedef struct RunCtx {
    Pool *p;
    Run *r;
    bool main;                 /* on the calling thread */
} RunCtx;

/* Row r's value for a compare curve: the loss or metric mi, on the training or the validation split. */
double curve_value(const HistRow *r, int mi, bool val)
{
    if (mi < 0)
        return val ? r->val_loss : r->train_loss;
    return val ? r->val_metric[mi] : r->train_metric[mi];
}

/* On the calling thread: the points every run has published become visible to the plot, and the work done
 * to the pace. */
static void pool_sync(Pool *p)
{
    long done = p->done0;
    for (size_t i = 0; i < p->nv; i++) {
        Run *r = &p->runs[i];
        if (r->k)
            r->k->n = atomic_load_explicit(&r->published, memory_order_acquire);
        done += atomic_load_explicit(&r->done, memory_order_relaxed) ? p->epochs : atomic_load(&r->epochs);
    }
    p->it->work_done = done;
}

/* On the calling thread: draw, read keys; a stop asked for (a key, Ctrl-C) stops every run. */
static int pool_tick(Pool *p, bool epoch)
{
    Interp *it = p->it;
    pool_sync(p);
    int (*hook)(void *, Interp *) = !it->fe ? NULL : epoch ? it->fe->train_epoch : it->fe->train_batch;
    if ((hook && hook(it->fe->ctx, it)) || (it->interrupt && *it->interrupt))
        atomic_store(&p->stop, 1);
    return atomic_load(&p->stop);
}

static int run_epoch(void *ctx, const TrainState *st)
{
    RunCtx *x = ctx;
    Run *r = x->r;
    const HistRow *h = history_last(&st->hist);
    size_t j = atomic_load_explicit(&r->published, memory_order_relaxed);
    if (r->k && j < r->cap) {
        r->k->x[j] = (double)h->epoch;
        r->k->y[j] = curve_value(h, x->p->mi, false);
        r->k->y2[j] = curve_value(h, x->p->mi, true);
        atomic_store_explicit(&r->published, j + 1, memory_order_release);
    }
    atomic_fetch_add(&r->epochs, 1);
    return x->main ? pool_tick(x->p, true) : atomic_load(&x->p->stop);
}

static int run_batch(void *ctx, const TrainState *st)
{
    (void)st;
    RunCtx *x = ctx;
    if (!x->r->fold)
        session_path_step(&x->r->c);
    return x->main ? pool_tick(x->p, false) : atomic_load(&x->p->stop);
}

/* Train run i on this thread: one thread of its own (TrainWork.one_thread), BLAS held at one thread by the
 * caller, so its bits do not depend on how many runs share the machine. */
static void run_one(Pool *p, size_t i, bool main)
{
    Run *r = &p->runs[i];
    RunCtx x = {p, r, main};
    TrainHooks hooks = {.stop = p->it->interrupt, .on_epoch = run_epoch, .on_batch = run_batch, .ctx = &x};
    TrainData data;
    session_train_data(&r->c, &data);
    r->c.work.one_thread = true;
    if (r->fold) {
        r->rc = cv_fold_score(&r->c, p->epochs, &hooks, &r->fr, &r->err);
        r->out.end = r->rc ? TRAIN_DONE : r->fr.end;
        if (r->rc)
            atomic_store(&p->stop, 1);
        atomic_store(&r->done, true);
        return;
    }
    r->rc = session_path_mark(&r->c, &r->err);
    if (!r->rc)
        r->rc = train_run(&r->c.ts, &r->c.setup, &data, &r->c.work, p->epochs, 0, 0, &hooks, &r->out, &r->err);
    if (r->rc)
        atomic_store(&p->stop, 1);
    atomic_store(&r->done, true);
}

/* The calling thread, once no run is left to take: draw and read keys until the other threads' runs end. */
static void pool_wait(Pool *p)
{
    while (atomic_load(&p->finished) < p->nv) {
        struct timespec ts = {0, 20 * 1000 * 1000};
        nanosleep(&ts, NULL);
        pool_tick(p, false);
    }
    pool_sync(p);
}

static void *pool_job(void *arg)
{
    Job *j = arg;
    Pool *p = j->p;
    for (;;) {
        size_t i = atomic_fetch_add(&p->next, 1);
        if (i >= p->nv)
            break;
        if (!atomic_load(&p->stop))
            run_one(p, i, j->w == 0);
        atomic_fetch_add(&p->finished, 1);
    }
    if (j->w == 0)
        pool_wait(p);
    return NULL;
}

/* How many threads train the runs: one per core this process may use, no more than runs, nor than the
 * session's thread setting (set threads=1: one after another), nor than a memory limit leaves BLAS buffers
 * for.  blas_count is BLAS's thread count before the command held it at one. */
size_t pool_workers(size_t nv, int blas_count)
{
    size_t w = team_cpus();
    if (blas_count >= 1 && (size_t)blas_count < w)
        w = (size_t)blas_count;
    if (w > nv)
        w = nv;
    if (w > PAR_MAX_JOBS)
        w = PAR_MAX_JOBS;
    if (w < 1)
        w = 1;
    return w > 1 && !blas_callers_fit((int)w - 1) ? 1 : w;
}

/* Train p's runs on p->workers threads; the calling thread also draws.  Returns when all have ended. */
void pool_run(Pool *p)
{
    Job jobs[PAR_MAX_JOBS];
    for (size_t w = 0; w < p->workers; w++)
        jobs[w] = (Job){p, w};
    atomic_store(&p->next, 0);
    atomic_store(&p->finished, 0);
    par_run(jobs, sizeof jobs[0], p->workers, pool_job);
}

/* A compare's training starts / ends: BLAS held at one thread (each run calls it from its own), the front
 * end's live drawing.  begin returns BLAS's count before, which end gives back. */
int compare_begin(Interp *it, long work)
{
    if (it->interrupt)
        *it->interrupt = 0;
    it->work_done = 0;
    it->work_total = work;
    int before = blas_single_begin();
    if (it->fe && it->fe->train_begin)
        it->fe->train_begin(it->fe->ctx, it);
    return before;
}

void compare_end(Interp *it, int before)
{
    if (it->fe && it->fe->train_end)
        it->fe->train_end(it->fe->ctx, it);
    blas_single_end(before);
    it->work_done = it->work_total = 0;
    if (it->interrupt)
        *it->interrupt = 0;
}

/* The first run's error, if a run failed (out of memory, a setup train_run refuses). */
int runs_failed(const Pool *p, FbErr *err)
{
    for (size_t i = 0; i < p->nv; i++)
        if (atomic_load(&p->runs[i].done) && p->runs[i].rc)
            return fb_fail(err, "compare: %s", p->runs[i].err.msg);
    return 0;
}

