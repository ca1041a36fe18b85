/* compare_pool.c — compare's runs (compare.h): each trains with one thread of its own and BLAS held at one
 * thread, so its bits are the same wherever it runs; with one worker they train one after another on the calling
 * thread, with more in child processes (compare_proc.c); the calling thread draws the curves and reads keys, and
 * a stop (Ctrl-C, Esc, a failed run) stops every run after its batch. */
#include <stdatomic.h>
#include <time.h>

#include "compare.h"
#include "fitbench/blas.h"
#include "fitbench/par.h"
#include "fitbench/team.h"

typedef struct RunCtx {
    Pool *p;
    Run *r;
    RunShared *sh;             /* in a child process: where the points go (compare_proc.c); NULL on the calling thread */
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
            r->k->n = r->published;
        done += r->done ? p->epochs : r->epochs;
    }
    p->it->work_done = done;
}

int pool_tick(Pool *p, bool epoch)
{
    Interp *it = p->it;
    pool_sync(p);
    int (*hook)(void *, Interp *) = !it->fe ? NULL : epoch ? it->fe->train_epoch : it->fe->train_batch;
    if ((hook && hook(it->fe->ctx, it)) || (it->interrupt && *it->interrupt))
        p->stop = 1;
    return p->stop;
}

/* In a child process, after a batch or an epoch: wait while the front end's pause or (after an epoch) its pace
 * holds the runs back (PoolShared). */
static void child_wait(PoolShared *ps, bool epoch)
{
    if (epoch)
        atomic_fetch_add(&ps->done, 1);
    for (;;) {
        bool hold = atomic_load(&ps->hold);
        if (atomic_load(&ps->halt) || (!hold && !(epoch && atomic_load(&ps->done) >= atomic_load(&ps->allowed))))
            return;
        struct timespec ts = {0, (hold ? 20 : 2) * 1000 * 1000}; /* a pause may be long; a pace's step is short */
        nanosleep(&ts, NULL);
    }
}

/* Has the command been stopped?  The calling thread also draws and reads keys; a child process keeps the pace. */
static int run_stopped(RunCtx *x, bool epoch)
{
    if (!x->sh)
        return pool_tick(x->p, epoch);
    child_wait(x->p->shared, epoch);
    return atomic_load(&x->p->shared->halt);
}

static int run_epoch(void *ctx, const TrainState *st)
{
    RunCtx *x = ctx;
    Run *r = x->r;
    const HistRow *h = history_last(&st->hist);
    size_t j = x->sh ? atomic_load_explicit(&x->sh->published, memory_order_relaxed) : r->published;
    if (r->k && j < r->cap) {
        double *px = x->sh ? run_points(x->sh) : r->k->x, *py = x->sh ? px + r->cap : r->k->y,
               *py2 = x->sh ? px + 2 * r->cap : r->k->y2;
        px[j] = (double)h->epoch;
        py[j] = curve_value(h, x->p->mi, false);
        py2[j] = curve_value(h, x->p->mi, true);
        if (x->sh)
            atomic_store_explicit(&x->sh->published, j + 1, memory_order_release);
        else
            r->published = j + 1;
    }
    if (x->sh)
        atomic_fetch_add(&x->sh->epochs, 1);
    else
        r->epochs++;
    return run_stopped(x, true);
}

static int run_batch(void *ctx, const TrainState *st)
{
    (void)st;
    RunCtx *x = ctx;
    if (!x->r->fold)
        session_path_step(&x->r->c);
    return run_stopped(x, false);
}

/* Train run i on this thread: one thread of its own (TrainWork.one_thread), BLAS held at one thread by the
 * caller, so its bits do not depend on how many runs share the machine (or whether a child process trains it). */
void run_one(Pool *p, size_t i, RunShared *sh)
{
    Run *r = &p->runs[i];
    RunCtx x = {p, r, sh};
    TrainHooks hooks = {.stop = p->it->interrupt, .on_epoch = run_epoch, .on_batch = run_batch, .ctx = &x};
    TrainData data;
    session_train_data(&r->c, &data);
    r->c.work.one_thread = true;
    if (r->fold) {
        r->rc = cv_fold_score(&r->c, p->epochs, &hooks, &r->fr, &r->err);
        r->out.end = r->rc ? TRAIN_DONE : r->fr.end;
        if (r->rc)
            p->stop = 1;
        r->done = true;
        return;
    }
    r->rc = session_path_mark(&r->c, &r->err);
    if (!r->rc)
        r->rc = train_run(&r->c.ts, &r->c.setup, &data, &r->c.work, p->epochs, 0, 0, &hooks, &r->out, &r->err);
    if (!r->rc)
        r->last = *history_last(&r->c.ts.hist);
    if (r->rc)
        p->stop = 1;
    r->done = true;
}

/* How many runs train at once: one per core this process may use, no more than runs, nor than the session's
 * thread setting (set threads=1: one after another).  blas_count is BLAS's thread count before the command
 * held it at one.  Two or more train in child processes (compare_proc.c), each in an address space of its own,
 * so a memory limit does not have to leave room for their BLAS buffers in this one. */
size_t pool_workers(size_t nv, int blas_count)
{
    size_t w = team_cpus();
    if (blas_count >= 1 && (size_t)blas_count < w)
        w = (size_t)blas_count;
    if (w > nv)
        w = nv;
    if (w > PAR_MAX_JOBS)
        w = PAR_MAX_JOBS;
    return w < 1 ? 1 : w;
}

void pool_run_here(Pool *p)
{
    for (size_t i = 0; i < p->nv; i++)
        if (!p->stop)
            run_one(p, i, NULL);
    pool_sync(p);
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
        if (p->runs[i].done && p->runs[i].rc)
            return fb_fail(err, "compare: %s", p->runs[i].err.msg);
    return 0;
}

