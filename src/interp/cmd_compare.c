/* cmd_compare.c — compare: one copy of the session per value of a setting (variant.h), trained side by side on
 * the machine's cores, their curves overlaid and their final losses and metric tabled (docs/commands.md,
 * docs/teaching.md). */
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fitbench/blas.h"
#include "fitbench/command.h"
#include "fitbench/cvfold.h"
#include "fitbench/folds.h"
#include "fitbench/par.h"
#include "fitbench/strutil.h"
#include "fitbench/team.h"
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

/* One value's copy and what its training left.  Its thread writes the curve's points past k->n only and
 * publishes how many it wrote; the calling thread alone sets k->n (which the plot reads). */
typedef struct Run {
    Session c;
    Curve *k;
    size_t cap;                /* points k's arrays hold */
    atomic_size_t published;   /* points of k written */
    atomic_long epochs;        /* epochs done */
    atomic_bool done;          /* its training returned */
    TrainOutcome out;
    bool fold;                 /* a fold of cv=: c is the fold's copy, k is NULL, fr its scores */
    FoldResult fr;
    int rc;
    FbErr err;
} Run;

/* The runs and the threads that take them in turn. */
typedef struct Pool {
    Interp *it;
    int mi;                    /* the curves' metric: -1 the loss, else metric mi of the history row */
    long epochs;
    Run *runs;
    size_t nv, workers;
    atomic_size_t next;        /* the next run to take */
    atomic_size_t finished;    /* runs taken and ended (or skipped after a stop) */
    atomic_int stop;           /* a run failed, or the user stopped the command */
    long done0;                /* cv=: epochs of the folds run in earlier waves */
} Pool;

typedef struct Job {
    Pool *p;
    size_t w;                  /* 0: the calling thread, which also draws and reads keys */
} Job;

typedef struct RunCtx {
    Pool *p;
    Run *r;
    bool main;                 /* on the calling thread */
} RunCtx;

/* ---- parsing ---------------------------------------------------------------------- */

static int compare_bad_key(const Tok *t, FbErr *err)
{
    const char *keys[VARIANT_KEYS_MAX + 3];
    size_t n = variant_keys(keys, VARIANT_KEYS_MAX + 1);
    keys[n] = "epochs", keys[n + 1] = "metric", keys[n + 2] = NULL;
    char list[600];
    variant_key_list(list, sizeof list);
    const char *sug = fb_suggest(t->key, keys);
    if (sug)
        return fb_fail_at(err, t->col, "compare cannot vary '%s' (did you mean '%s'?); it varies %s", t->key, sug,
                          list);
    return fb_fail_at(err, t->col, "compare cannot vary '%s'; it varies %s", t->key, list);
}

/* The values of KEY=V1,V2,... into ca->v (pointers into ca->vals). */
static int compare_values(CompareArgs *ca, FbErr *err)
{
    ca->vals = fb_strdup(ca->kv->val, err);
    if (!ca->vals)
        return -1;
    for (char *p = ca->vals, *save = NULL, *tok; (tok = strtok_r(p, ",", &save)); p = NULL) {
        while (*tok == ' ')
            tok++;
        for (size_t l = strlen(tok); l > 0 && tok[l - 1] == ' '; l--)
            tok[l - 1] = '\0';
        if (ca->nv == CURVES_MAX) {
            free(ca->vals), ca->vals = NULL;
            return fb_fail_at(err, ca->kv->vcol, "compare takes at most %d values", CURVES_MAX);
        }
        ca->v[ca->nv++] = tok;
    }
    if (ca->nv == 0) {
        free(ca->vals), ca->vals = NULL;
        return fb_fail_at(err, ca->kv->vcol, "compare %s= needs values: %s=V1,V2,...", ca->kv->key, ca->kv->key);
    }
    return 0;
}

/* Fails (-1, err at the offending word) on a missing or second KEY=, a key compare cannot vary, bad epochs,
 * no values or more than CURVES_MAX; ca->vals is then NULL. */
static int compare_parse(const Command *row, const Args *a, CompareArgs *ca, FbErr *err)
{
    *ca = (CompareArgs){.epochs = 50};
    for (int i = 1; i < a->n; i++) {
        const Tok *t = &a->t[i];
        if (!t->key)
            return command_usage_error(err, row, t->col, "compare takes KEY=V1,V2,... (lr=0.01,0.1, say), not '%s'",
                                       t->text);
        if (strcmp(t->key, "epochs") == 0) {
            if (!fb_parse_long(t->val, &ca->epochs) || ca->epochs < 1 || ca->epochs > TRAIN_MAX_COUNT)
                return fb_fail_at(err, t->vcol, "epochs must be a whole number from 1 to %ld (got '%s')",
                                  TRAIN_MAX_COUNT, t->val);
            continue;
        }
        if (strcmp(t->key, "metric") == 0) {
            ca->metric = t; /* its value was checked against the option's choices */
            continue;
        }
        if (strcmp(t->key, "cv") == 0) {
            if (!fb_parse_long(t->val, &ca->folds) || ca->folds < 2 || ca->folds > FOLDS_MAX)
                return fb_fail_at(err, t->vcol, "cv= takes the number of folds, 2 to %d (got '%s')", FOLDS_MAX, t->val);
            ca->cvt = t;
            continue;
        }
        if (ca->kv)
            return fb_fail_at(err, t->col, "compare varies one setting at a time ('%s' and '%s')", ca->kv->key, t->key);
        if (!(ca->vk = variant_find(t->key)))
            return compare_bad_key(t, err);
        ca->kv = t;
    }
    if (!ca->kv)
        return command_usage_error(err, row, 0, "compare needs KEY=V1,V2,... (lr=0.01,0.1, say)");
    return compare_values(ca, err);
}

/* metric=NAME: which history metric the curves follow (*mi; -1 and cv->what "loss" without it).  Fails when the
 * model's task has no such metric. */
static int compare_metric(const Session *s, const CompareArgs *ca, Curves *cv, int *mi, FbErr *err)
{
    snprintf(cv->what, sizeof cv->what, "%s", ca->metric ? ca->metric->val : "loss");
    MetricTask t, now = metric_task(s->setup.loss.kind);
    if (!ca->metric || metric_from_name(ca->metric->val, &t, mi))
        return 0;
    if (t != now)
        return fb_fail_at(err, ca->metric->vcol, "metric=%s is for %s and this model's loss %s is for %s (try metric=%s)",
                          ca->metric->val, t == MTASK_CLS ? "classification" : "regression",
                          loss_name(s->setup.loss.kind), now == MTASK_CLS ? "classification" : "regression",
                          metric_name(now, *mi));
    return 0;
}

/* ---- the runs ------------------------------------------------------------------------ */

/* Row r's value for a compare curve: the loss or metric mi, on the training or the validation split. */
static double curve_value(const HistRow *r, int mi, bool val)
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
static size_t pool_workers(size_t nv, int blas_count)
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
static void pool_run(Pool *p)
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
static int compare_begin(Interp *it, long work)
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

static void compare_end(Interp *it, int before)
{
    if (it->fe && it->fe->train_end)
        it->fe->train_end(it->fe->ctx, it);
    blas_single_end(before);
    it->work_done = it->work_total = 0;
    if (it->interrupt)
        *it->interrupt = 0;
}

/* ---- making the copies ------------------------------------------------------------------ */

static void discard(void *ctx, const char *s, size_t n)
{
    (void)ctx, (void)s, (void)n;
}

/* Run one command line on the copy c, its output discarded.  Fails with the command's own message. */
static int on_copy(Interp *it, Session *c, const char *line, FbErr *err)
{
    SinkBuffer eb = {0};
    Sink none = {discard, NULL}, es = sink_buffer(&eb);
    Interp sub;
    interp_init(&sub, c, &none, &es);
    sub.data_dirs = it->data_dirs;
    sub.quiet = true;
    int rc = command_run(&sub, line, strlen(line), 1, err);
    interp_free(&sub);
    sink_buffer_free(&eb);
    return rc;
}


/* Every option a run used: "sgd lr=0.02 momentum=0 ...; batch full", and for the keys that change the data or the
 * model its training rows and parameters. */
static void run_opts(const CompareArgs *ca, const Session *c, char *buf, size_t size)
{
    char ot[128];
    snprintf(buf, size, "%s; batch %s", optim_text(&c->setup.opt, 6, ot, sizeof ot), c->setup.batch ? "" : "full");
    if (c->setup.batch)
        snprintf(buf + strlen(buf), size - strlen(buf), "%zu", c->setup.batch);
    if (ca->vk->fresh || (strcmp(ca->kv->key, "train_size") == 0 && !ca->folds))
        snprintf(buf + strlen(buf), size - strlen(buf), "; %zu training rows, %zu parameters", c->prep->train.n,
                 c->ts.model.nparams);
}

/* Run i's copy (value i applied) and its curve k, whose first point is the copy's starting row.  The copy's
 * history gets rows of its own, so that runs on different threads never write a shared buffer.  Fails (-1,
 * err at the value) on a value the setting refuses or out of memory; r->c is then empty. */
static int run_make(Interp *it, const CompareArgs *ca, int mi, size_t i, Run *r, Curve *k, FbErr *err)
{
    FbErr e2;
    memset(&e2, 0, sizeof e2);
    if (variant_make(&(VariantCtx){it, on_copy}, ca->vk, ca->kv->key, ca->v[i], &r->c, &e2))
        return fb_fail_at(err, ca->kv->vcol, "compare %s=%s: %s", ca->kv->key, ca->v[i], e2.msg);
    r->k = k;
    r->cap = (size_t)ca->epochs + 1;
    snprintf(k->label, sizeof k->label, "%s=%s", ca->kv->key, ca->v[i]);
    if (!fb_parse_double(ca->v[i], strlen(ca->v[i]), &k->xval))
        k->xval = NAN;
    run_opts(ca, &r->c, k->opts, sizeof k->opts);
    k->x = fb_malloc(r->cap, sizeof(double), "a compare curve", err);
    k->y = k->x ? fb_malloc(r->cap, sizeof(double), "a compare curve", err) : NULL;
    k->y2 = k->y ? fb_malloc(r->cap, sizeof(double), "a compare curve", err) : NULL;
    const HistRow *r0 = history_last(&r->c.ts.hist);
    if (!k->y2 || !r0 || !history_edit(&r->c.ts.hist, r->c.ts.hist.n - 1, err)) {
        session_free(&r->c);
        return r0 || !k->y2 ? -1 : fb_fail(err, "compare: the copy has no history row");
    }
    r0 = history_last(&r->c.ts.hist);
    k->x[0] = (double)r0->epoch;
    k->y[0] = curve_value(r0, mi, false);
    k->y2[0] = curve_value(r0, mi, true);
    k->n = 1;
    atomic_init(&r->published, 1);
    return 0;
}

/* Every run's copy, before any trains: a bad value fails the command before anything ran. */
static int runs_make(Interp *it, const CompareArgs *ca, int mi, Run *runs, Curves *cv, FbErr *err)
{
    for (size_t i = 0; i < ca->nv; i++) {
        cv->ncurves = i + 1; /* the curves' arrays so far are cv's to free */
        if (run_make(it, ca, mi, i, &runs[i], &cv->c[i], err)) {
            for (size_t j = 0; j < i; j++)
                session_free(&runs[j].c);
            return -1;
        }
    }
    return 0;
}

/* ---- the outcome --------------------------------------------------------------------- */

static bool run_kept(const Run *r)
{
    return atomic_load(&r->done) && r->out.end != TRAIN_INTERRUPTED && r->out.end != TRAIN_STOPPED;
}

/* The run's final losses and score, training rows and weights (biases left out) into its curve. */
static void run_outcome(const Pool *p, Run *r, const HistRow *last, Curve *k)
{
    int si = p->mi >= 0 ? p->mi : 0;
    double f[4] = {last->train_loss, last->val_loss, last->train_metric[si], last->val_metric[si]};
    for (int j = 0; j < 4; j++)
        k->final[j] = f[j], k->spread[j] = NAN;
    k->rows = (double)r->c.prep->train.n;
    const Model *m = &r->c.ts.model;
    size_t nw = 0;
    for (size_t l = 0; l < m->nlayers; l++)
        nw += m->boff[l] - m->woff[l];
    k->w = malloc((nw ? nw : 1) * sizeof *k->w); /* NULL (out of memory): plot path says there is nothing */
    for (size_t l = 0, q = 0; k->w && l < m->nlayers; l++)
        for (size_t j = m->woff[l]; j < m->boff[l]; j++)
            k->w[q++] = m->params[j];
    k->nw = k->w ? nw : 0;
}

/* Keep the runs that ended (all epochs, or diverged): their curves move to the front of cv with their
 * parameter paths (for plot surface) and final history rows (into last); the curves of runs stopped part-way
 * or never started are dropped.  Frees every copy.  Returns how many are kept. */
static size_t runs_keep(Pool *p, Curves *cv, HistRow *last, TrainOutcome *outs)
{
    size_t w = 0;
    for (size_t i = 0; i < p->nv; i++) {
        Run *r = &p->runs[i];
        Curve *k = &cv->c[i];
        if (run_kept(r)) {
            k->path = r->c.path;
            memset(&r->c.path, 0, sizeof r->c.path);
            last[w] = *history_last(&r->c.ts.hist);
            outs[w] = r->out;
            run_outcome(p, r, &last[w], k);
            if (w != i) {
                cv->c[w] = *k;
                memset(k, 0, sizeof *k);
            }
            w++;
        } else {
            free(k->x), free(k->y), free(k->y2);
            memset(k, 0, sizeof *k);
        }
        session_free(&r->c);
    }
    cv->ncurves = w;
    return w;
}

/* Is a better than b for the curves' quantity (lower loss or rmse, higher accuracy, f1, r2)?  NaN never is. */
static bool better(const Curves *cv, double a, double b)
{
    bool higher = strcmp(cv->what, "loss") && strcmp(cv->what, "rmse");
    return higher ? a > b || (isnan(b) && !isnan(a)) : a < b || (isnan(b) && !isnan(a));
}

/* The table's head: the runs' options, then the column names. */
static void report_head(Interp *it, const CompareArgs *ca, const Curves *cv, int lw, bool has_val, const char *sc)
{
    bool loss = strcmp(cv->what, "loss") == 0;
    sink_printf(it->out, "compare %s from epoch %ld, %ld epochs each%s%s%s; %s:\n", cv->key, (long)cv->c[0].x[0],
                ca->epochs, loss ? "" : " (", loss ? "" : cv->what, loss ? "" : ")",
                ca->vk->fresh ? "each run from a fresh init (the session's seed)"
                              : "each run from the current parameters");
    for (size_t i = 0; i < cv->ncurves; i++)
        sink_printf(it->out, "  %s: %s\n", cv->c[i].label, cv->c[i].opts);
    char tm[32], vm[32];
    snprintf(tm, sizeof tm, "train_%s", sc);
    snprintf(vm, sizeof vm, "val_%s", sc);
    sink_printf(it->out, "%-*s %14s %14s %7s", lw, "", "final train", "best train", "(epoch)");
    if (has_val)
        sink_printf(it->out, " %14s %14s %7s", "final val", "best val", "(epoch)");
    /* The other quantity at the end: the score when the curves follow the loss, else the loss. */
    sink_printf(it->out, " %11s", loss ? tm : "train_loss");
    if (has_val)
        sink_printf(it->out, " %11s", loss ? vm : "val_loss");
    sink_printf(it->out, "\n");
}

/* One run's row: final and best of the curves' quantity, then its final score (or loss). */
static void report_row(Interp *it, const Curves *cv, const Curve *k, int lw, bool has_val, const HistRow *last,
                       int si)
{
    size_t bt = 0, bv = 0;
    for (size_t j = 1; j < k->n; j++) {
        if (better(cv, k->y[j], k->y[bt]))
            bt = j;
        if (better(cv, k->y2[j], k->y2[bv]))
            bv = j;
    }
    sink_printf(it->out, "%-*s %14s %14s %7ld", lw, k->label, NUM(it, k->y[k->n - 1]), NUM(it, k->y[bt]),
                (long)k->x[bt]);
    if (has_val)
        sink_printf(it->out, " %14s %14s %7ld", NUM(it, k->y2[k->n - 1]), NUM(it, k->y2[bv]), (long)k->x[bv]);
    bool loss = strcmp(cv->what, "loss") == 0;
    sink_printf(it->out, " %11s", NUM(it, loss ? last->train_metric[si] : last->train_loss));
    if (has_val)
        sink_printf(it->out, " %11s", NUM(it, loss ? last->val_metric[si] : last->val_loss));
    sink_printf(it->out, "\n");
}

/* The table: per kept run, the curves' final and best values and its final losses and score (metric= when it
 * names one, else the task's first: accuracy or r2). */
static void compare_report(Interp *it, const CompareArgs *ca, const Curves *cv, const HistRow *last,
                           const TrainOutcome *outs, bool has_val, int mi)
{
    MetricTask task = metric_task(it->s->setup.loss.kind);
    int si = mi >= 0 ? mi : 0;
    int lw = 8;
    for (size_t i = 0; i < cv->ncurves; i++)
        if ((int)strlen(cv->c[i].label) > lw)
            lw = (int)strlen(cv->c[i].label);
    report_head(it, ca, cv, lw, has_val, metric_name(task, si));
    for (size_t i = 0; i < cv->ncurves; i++)
        report_row(it, cv, &cv->c[i], lw, has_val, &last[i], si);
    for (size_t i = 0; i < cv->ncurves; i++) /* under the table, so that a narrow screen shows it */
        if (outs[i].end == TRAIN_DIVERGED)
            sink_printf(it->out, "%s diverged in epoch %ld (its curve ends there)\n", cv->c[i].label,
                        (long)cv->c[i].x[cv->c[i].n - 1] + 1);
    if (cv->ncurves < ca->nv)
        sink_printf(it->out, "(interrupted: %zu of %zu runs finished and are kept; runs stopped part-way are "
                             "dropped)\n", cv->ncurves, ca->nv);
    sink_printf(it->out, "the session's own model is unchanged; the plot shows the curves (plot compare)\n");
}

/* The first run's error, if a run failed (out of memory, a setup train_run refuses). */
static int runs_failed(const Pool *p, FbErr *err)
{
    for (size_t i = 0; i < p->nv; i++)
        if (atomic_load(&p->runs[i].done) && p->runs[i].rc)
            return fb_fail(err, "compare: %s", p->runs[i].err.msg);
    return 0;
}

/* ---- cv=K: every value through K folds ------------------------------------------------------- */

/* The base of value i for its folds: the copy with the value applied, or for train_size=F a plain copy and
 * the rows each fold trains on (*rows; 0, all, for other keys): as scikit-learn's learning_curve, int(F m) of
 * the m training rows of the first fold, at least 1, for every fold. */
static int cv_base(Interp *it, const CompareArgs *ca, size_t i, const CvFolds *cf, Session *c, size_t *rows,
                   FbErr *err)
{
    FbErr e2;
    memset(&e2, 0, sizeof e2);
    double f;
    *rows = 0;
    int rc = strcmp(ca->kv->key, "train_size") == 0
                 ? (variant_fraction(ca->v[i], &f, &e2) || session_clone(c, it->s, &e2) ? -1 : 0)
                 : variant_make(&(VariantCtx){it, on_copy}, ca->vk, ca->kv->key, ca->v[i], c, &e2);
    if (rc)
        return fb_fail_at(err, ca->kv->vcol, "compare %s=%s: %s", ca->kv->key, ca->v[i], e2.msg);
    if (strcmp(ca->kv->key, "train_size") == 0) {
        *rows = (size_t)(f * (double)cv_first_train(cf));
        *rows = *rows < 1 ? 1 : *rows;
    }
    return 0;
}

/* The folds (value, fold) = (j / K, j % K) from j0 on, as many as there are workers, trained side by side;
 * their scores into res.  *stopped when a stop came (their folds then count as not run). */
static int cv_wave(Pool *p, Session *base, const size_t *nrows, const CvFolds *cf, size_t j0, size_t total,
                   size_t *order, FoldResult *res, bool *stopped, FbErr *err)
{
    size_t nw = total - j0 < p->workers ? total - j0 : p->workers, made = 0;
    int rc = 0;
    memset(p->runs, 0, p->workers * sizeof *p->runs);
    for (; made < nw && !rc; made++) {
        size_t j = j0 + made, i = j / (size_t)cf->k;
        p->runs[made].fold = true;
        rc = cv_fold_copy(&base[i], cf, (int)(j % (size_t)cf->k), nrows[i], order, &p->runs[made].c, err);
    }
    if (!rc) {
        p->nv = nw;
        p->done0 = (long)j0 * p->epochs;
        pool_run(p);
        rc = runs_failed(p, err);
    }
    for (size_t w = 0; w < made; w++) {
        Run *r = &p->runs[w];
        res[j0 + w] = r->fr;
        if (!atomic_load(&r->done) || r->fr.end == TRAIN_INTERRUPTED || r->fr.end == TRAIN_STOPPED)
            *stopped = true, res[j0 + w].end = TRAIN_STOPPED;
        session_free(&r->c); /* a copy that failed was left empty */
    }
    return rc;
}

/* Value i's fold scores (K of them, res) into its curve: the means and standard deviations. */
static void cv_outcome(const FoldResult *res, int K, Curve *k)
{
    double v[4][FOLDS_MAX], rows = 0;
    for (int f = 0; f < K; f++) {
        v[0][f] = res[f].train_loss, v[1][f] = res[f].val_loss;
        v[2][f] = res[f].train_score, v[3][f] = res[f].val_score;
        rows += (double)res[f].ntrain;
    }
    for (int j = 0; j < 4; j++)
        cv_mean_std(v[j], (size_t)K, &k->final[j], &k->spread[j]);
    k->rows = rows / K;
}

/* The table of cv=: per value, the training rows (the folds' mean), and the mean and standard deviation over
 * the folds of each loss and score. */
static void cv_report(Interp *it, const CompareArgs *ca, const Curves *cv, bool strat, size_t nrows)
{
    sink_printf(it->out, "compare %s, cv k=%ld on %zu rows (%s), %ld epochs per fold; %s:\n", cv->key, ca->folds,
                nrows, strat ? "stratified" : "not stratified", ca->epochs,
                ca->vk->fresh ? "each run from a fresh init (the session's seed)" : "each run from the current parameters");
    int lw = 8;
    for (size_t i = 0; i < cv->ncurves; i++) {
        sink_printf(it->out, "  %s: %s\n", cv->c[i].label, cv->c[i].opts);
        lw = (int)strlen(cv->c[i].label) > lw ? (int)strlen(cv->c[i].label) : lw;
    }
    char h[4][32];
    snprintf(h[0], sizeof h[0], "train_loss"), snprintf(h[1], sizeof h[1], "val_loss");
    snprintf(h[2], sizeof h[2], "train_%s", cv->score), snprintf(h[3], sizeof h[3], "val_%s", cv->score);
    sink_printf(it->out, "%-*s %10s", lw, "", "train rows");
    for (int j = 0; j < 4; j++)
        sink_printf(it->out, " %14s %10s", h[j], "std");
    sink_printf(it->out, "\n");
    for (size_t i = 0; i < cv->ncurves; i++) {
        sink_printf(it->out, "%-*s %10s", lw, cv->c[i].label, NUM(it, cv->c[i].rows));
        for (int j = 0; j < 4; j++)
            sink_printf(it->out, " %14s %10s", NUM(it, cv->c[i].final[j]), NUM(it, cv->c[i].spread[j]));
        sink_printf(it->out, "\n");
    }
    if (cv->ncurves < ca->nv)
        sink_printf(it->out, "(interrupted: %zu of %zu values ran every fold and are kept)\n", cv->ncurves, ca->nv);
    sink_printf(it->out, "the session's own model is unchanged; plot %s shows the scores\n",
                strcmp(cv->key, "train_size") ? "validation" : "learning");
}

/* Keep the values whose folds all ran (their curves compacted to the front, with their labels and options);
 * returns how many. */
static size_t cv_keep(const CompareArgs *ca, const FoldResult *res, char (*opts)[160], Curves *cv)
{
    size_t w = 0;
    for (size_t i = 0; i < ca->nv; i++) {
        bool all = true;
        for (long f = 0; f < ca->folds; f++)
            all = all && res[i * (size_t)ca->folds + (size_t)f].end != TRAIN_STOPPED;
        if (!all)
            continue;
        Curve *k = &cv->c[w++];
        snprintf(k->label, sizeof k->label, "%s=%s", ca->kv->key, ca->v[i]);
        memcpy(k->opts, opts[i], sizeof k->opts); /* both 160 bytes, NUL-terminated */
        if (!fb_parse_double(ca->v[i], strlen(ca->v[i]), &k->xval))
            k->xval = NAN;
        cv_outcome(res + i * (size_t)ca->folds, (int)ca->folds, k);
    }
    cv->ncurves = w;
    return w;
}

/* Train every (value, fold) pair, side by side in waves of one per worker (the fold copies are made between
 * waves, on this thread), then summarise.  Fails as a fold's copy or training fails. */
static int cv_train(Interp *it, const CompareArgs *ca, Session *base, const size_t *nrows, const CvFolds *cf,
                    FoldResult *res, size_t *order, FbErr *err)
{
    size_t total = ca->nv * (size_t)ca->folds;
    Run runs[PAR_MAX_JOBS];
    Pool p = {.it = it, .mi = -1, .epochs = ca->epochs, .runs = runs};
    int before = compare_begin(it, (long)total * ca->epochs);
    p.workers = pool_workers(total, before);
    bool stopped = false;
    int rc = 0;
    for (size_t j0 = 0; j0 < total && !rc && !stopped; j0 += p.workers)
        rc = cv_wave(&p, base, nrows, cf, j0, total, order, res, &stopped, err);
    for (size_t j = 0; stopped && j < total; j++) /* folds never started count as not run */
        if (res[j].ntrain == 0)
            res[j].end = TRAIN_STOPPED;
    compare_end(it, before);
    return rc;
}

/* compare ... cv=K: the folds of `cv` (the same rows, stratified for a classifier), each value's copy trained
 * on every fold; the table of means and spreads; the plot switches to validation (learning for train_size). */
static int compare_cv(Interp *it, const CompareArgs *ca, Curves *cv, FbErr *err)
{
    Session *s = it->s, base[CURVES_MAX];
    size_t nrows[CURVES_MAX];
    bool strat = metric_task(s->setup.loss.kind) == MTASK_CLS && s->data->label;
    CvFolds cf;
    FbErr e2;
    if (cv_make_folds(s, (int)ca->folds, strat, false, 0, &cf, &e2))
        return fb_fail_at(err, ca->cvt->vcol, "%s", e2.msg);
    size_t nb = 0, total = ca->nv * (size_t)ca->folds;
    FoldResult *res = fb_calloc(total, sizeof *res, "the fold scores", err);
    size_t *order = res ? fb_malloc(cf.n, sizeof *order, "the fold rows", err) : NULL;
    int rc = order ? 0 : -1;
    for (; !rc && nb < ca->nv; nb++)
        if (cv_base(it, ca, nb, &cf, &base[nb], &nrows[nb], err))
            rc = -1;
    nb -= rc ? 1 : 0;
    if (!rc)
        rc = cv_train(it, ca, base, nrows, &cf, res, order, err);
    char opts[CURVES_MAX][160];
    for (size_t i = 0; i < nb; i++) {
        run_opts(ca, &base[i], opts[i], sizeof opts[i]);
        session_free(&base[i]);
    }
    size_t kept = rc ? 0 : cv_keep(ca, res, opts, cv);
    if (!rc && kept == 0)
        sink_printf(it->out, "compare: interrupted before any value ran every fold; nothing kept\n");
    if (!rc && kept > 0) {
        cv->refs++;
        curves_unref(session_swap_compare(s, cv));
        snprintf(s->plot, sizeof s->plot, "%s", strcmp(ca->kv->key, "train_size") ? "validation" : "learning");
        cv_report(it, ca, cv, strat, cf.n);
    }
    free(order);
    free(res);
    cv_folds_free(&cf);
    return rc;
}

/* ---- the command ------------------------------------------------------------------------ */

/* Train the runs with the curves shown as they grow, then keep the finished ones.  Fails when a run did; the
 * session's curves are then as before. */
static int compare_train(Interp *it, const CompareArgs *ca, int mi, Run *runs, Curves *cv, FbErr *err)
{
    Session *s = it->s;
    char old_plot[16];
    memcpy(old_plot, s->plot, sizeof old_plot);
    cv->refs++;
    Curves *old = session_swap_compare(s, cv);
    Pool p = {.it = it, .mi = mi, .epochs = ca->epochs, .runs = runs, .nv = ca->nv};
    int before = compare_begin(it, (long)ca->nv * ca->epochs);
    p.workers = pool_workers(ca->nv, before);
    pool_run(&p);
    compare_end(it, before);
    int rc = runs_failed(&p, err);
    HistRow last[CURVES_MAX];
    TrainOutcome outs[CURVES_MAX];
    size_t kept = runs_keep(&p, cv, last, outs);
    if (rc || kept == 0) {
        curves_unref(session_swap_compare(s, old));
        memcpy(s->plot, old_plot, sizeof old_plot);
        if (!rc)
            sink_printf(it->out, "compare: interrupted before any run finished; nothing kept\n");
        return rc;
    }
    curves_unref(old);
    TrainData data;
    session_train_data(s, &data);
    compare_report(it, ca, cv, last, outs, data.nv > 0, mi);
    return 0;
}

/* cv= scores each fold as cv does: the loss, and accuracy or r2 (metric= may name only those). */
static int compare_cv_metric(const CompareArgs *ca, int mi, FbErr *err)
{
    if (ca->folds && mi > 0)
        return fb_fail_at(err, ca->metric->vcol, "with cv= the score is accuracy or r2, not %s", ca->metric->val);
    return 0;
}

int cmd_compare(Interp *it, const Command *row, Args *a, FbErr *err)
{
    Session *s = it->s;
    CompareArgs ca;
    if (compare_parse(row, a, &ca, err))
        return -1;
    int mi = -1;
    Curves *cv = session_need_model(s, err) ? NULL : curves_new(err);
    Run *runs = cv ? fb_calloc(ca.nv, sizeof *runs, "the compare runs", err) : NULL;
    int rc = runs ? 0 : -1;
    if (!rc) {
        snprintf(cv->key, sizeof cv->key, "%s", ca.kv->key);
        /* Paths of runs over another model or other features never belong on the session's surface. */
        cv->build_gen = ca.vk->fresh ? (unsigned long)-1 : s->build_gen;
        rc = compare_metric(s, &ca, cv, &mi, err) || compare_cv_metric(&ca, mi, err) ? -1 : 0;
        snprintf(cv->score, sizeof cv->score, "%s", metric_name(metric_task(s->setup.loss.kind), mi >= 0 ? mi : 0));
        cv->folds = (int)ca.folds;
    }
    if (!rc && ca.folds)
        rc = compare_cv(it, &ca, cv, err);
    else if (!rc)
        rc = runs_make(it, &ca, mi, runs, cv, err) || compare_train(it, &ca, mi, runs, cv, err) ? -1 : 0;
    free(runs);
    curves_unref(cv);
    free(ca.vals);
    if (!rc && it->fe && it->fe->redraw)
        it->fe->redraw(it->fe->ctx, it);
    return rc;
}
