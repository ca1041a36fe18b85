/* train.c — epochs, minibatches, evaluation in chunks, history rows and the guards. */
#include "fitbench/train.h"

#include "fitbench/blas.h"
#include "fitbench/fused.h"
#include "fitbench/penalty.h"
#include "train_crew.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

double train_norm(const double *v, size_t n) { return n ? cblas_dnrm2((int)n, v, 1) : 0.0; }

static size_t out_size(const Model *m) { return m->sizes[m->nlayers]; }

int batch_work_init(BatchWork *b, const Model *m, size_t ky, size_t cap, FbErr *err)
{
    memset(b, 0, sizeof *b);
    size_t d = m->sizes[0], k = out_size(m);
    if (model_work_init(&b->mw, m, cap, err))
        return -1;
    b->Xb = fb_malloc(cap * d, sizeof(double), "a minibatch", err);
    b->Yb = b->Xb ? fb_malloc(cap * ky, sizeof(double), "a minibatch", err) : NULL;
    b->Z = b->Yb ? fb_malloc(cap * k, sizeof(double), "the model outputs", err) : NULL;
    b->dZ = b->Z ? fb_malloc(cap * k, sizeof(double), "the output gradients", err) : NULL;
    if (!b->dZ) {
        batch_work_free(b);
        return -1;
    }
    return 0;
}

void batch_work_free(BatchWork *b)
{
    if (!b)
        return;
    model_work_free(&b->mw);
    free(b->Xb);
    free(b->Yb);
    free(b->Z);
    free(b->dZ);
    memset(b, 0, sizeof *b);
}

void train_work_free(TrainWork *w)
{
    if (!w)
        return;
    batch_work_free(&w->bw);
    free(w->gacc);
    free(w->snap);
    free(w->best);
    free(w->fused);
    free(w->msum);
    free(w->prev);
    free(w->lsort);
    crew_free(w->crew);
    memset(w, 0, sizeof *w);
}

/* (Re)size the scratch for this model, target width and row count. */
static int work_fit(TrainWork *w, const Model *m, size_t ky, size_t cap, FbErr *err)
{
    bool same = w->nparams == m->nparams && w->nlayers == m->nlayers && w->ky == ky && w->cap >= cap &&
                memcmp(w->sizes, m->sizes, (m->nlayers + 1) * sizeof(size_t)) == 0;
    if (same)
        return 0;
    if (w->cap > cap && w->nparams == m->nparams)
        cap = w->cap;
    bool one = w->one_thread; /* the caller's choice, not scratch */
    train_work_free(w);
    w->one_thread = one;
    size_t d = m->sizes[0], np = m->nparams;
    if (batch_work_init(&w->bw, m, ky, cap, err))
        return -1;
    w->gacc = fb_malloc(np, sizeof(double), "the gradient", err);
    w->snap = w->gacc ? fb_malloc(5 * np, sizeof(double), "a parameter snapshot", err) : NULL;
    w->best = w->snap ? fb_malloc(np, sizeof(double), "the best parameters", err) : NULL;
    w->fused = w->best ? fb_malloc(fused_scratch_size(d), sizeof(double), "the gradient", err) : NULL;
    w->msum = w->fused ? fb_malloc(metric_sums_len(MTASK_CLS, out_size(m)), sizeof(double), "metric sums", err)
                       : NULL;
    w->prev = w->msum ? fb_malloc(np, sizeof(double), "a parameter snapshot", err) : NULL;
    w->lsort = w->prev ? fb_malloc(LAYERLOG_SAMPLE, sizeof(double), "the layer statistics", err) : NULL;
    if (!w->lsort) {
        train_work_free(w);
        return -1;
    }
    w->cap = cap;
    w->nparams = np;
    w->nlayers = m->nlayers;
    memcpy(w->sizes, m->sizes, sizeof w->sizes);
    w->ky = ky;
    return 0;
}

static size_t chunk_rows(size_t n) { return n < TRAIN_CHUNK ? (n ? n : 1) : TRAIN_CHUNK; }

int train_eval(Model *m, const LossCfg *loss, const double *X, const double *Y, size_t n, size_t ky, TrainWork *w,
               double *out_loss, bool want_grad, FbErr *err)
{
    return train_eval_metrics(m, loss, X, Y, n, ky, w, out_loss, want_grad, NULL, err);
}

/* Chunks of w->cap rows on this thread: the loss, the gradient (want_grad)
 * and the metric sums of task t (t != MTASK_NONE) from each chunk's logits. */
static double eval_chunks(Model *m, const LossCfg *loss, const double *X, const double *Y, size_t n, size_t ky,
                          TrainWork *w, bool want_grad, MetricTask t)
{
    size_t d = m->sizes[0], k = out_size(m), np = m->nparams;
    if (n <= w->cap) {
        /* One pass: the same arithmetic as a full-batch step in PyTorch. */
        model_forward(m, &w->bw.mw, X, n, w->bw.Z);
        double l = loss_eval(loss, w->bw.Z, Y, n, k, want_grad ? w->bw.dZ : NULL);
        metric_sums_add(t, k, w->bw.Z, Y, n, ky, w->msum);
        if (want_grad)
            model_backward(m, &w->bw.mw, X, n, w->bw.dZ);
        return l;
    }
    double total = 0;
    if (want_grad)
        memset(w->gacc, 0, np * sizeof(double));
    for (size_t r0 = 0; r0 < n; r0 += w->cap) {
        size_t nc = n - r0 < w->cap ? n - r0 : w->cap;
        model_forward(m, &w->bw.mw, X + r0 * d, nc, w->bw.Z);
        /* Loss terms summed, dZ already normalised by the whole n: each chunk's part of the mean. */
        total += loss_sum(loss, w->bw.Z, Y + r0 * ky, nc, k, n, want_grad ? w->bw.dZ : NULL);
        metric_sums_add(t, k, w->bw.Z, Y + r0 * ky, nc, ky, w->msum);
        if (want_grad) {
            model_backward(m, &w->bw.mw, X + r0 * d, nc, w->bw.dZ);
            cblas_daxpy((int)np, 1.0, m->grads, 1, w->gacc, 1);
        }
    }
    if (want_grad)
        memcpy(m->grads, w->gacc, np * sizeof(double));
    return total / (double)loss_count(loss, n, k);
}

int train_eval_metrics(Model *m, const LossCfg *loss, const double *X, const double *Y, size_t n, size_t ky,
                       TrainWork *w, double *out_loss, bool want_grad, double met[2], FbErr *err)
{
    if (work_fit(w, m, ky, chunk_rows(n), err))
        return -1;
    size_t k = out_size(m), np = m->nparams;
    MetricTask t = met ? metric_task(loss->kind) : MTASK_NONE;
    if (met)
        met[0] = met[1] = NAN;
    if (n == 0) {
        *out_loss = NAN;
        if (want_grad)
            memset(m->grads, 0, np * sizeof(double));
        return 0;
    }
    memset(w->msum, 0, metric_sums_len(t, k) * sizeof(double));
    if (fused_applies(m, loss))
        /* One read of X for loss and gradient; threads as BLAS's (set threads=N), same bits for any count. */
        *out_loss = fused_eval(m, loss, X, Y, n, want_grad ? m->grads : NULL, w->fused,
                               w->one_thread ? 1 : blas_threads(), t, met ? w->msum : NULL);
    else if (w->crew_on)
        *out_loss = crew_eval(w->crew, m, loss, X, Y, n, want_grad, t, met ? w->msum : NULL);
    else
        *out_loss = eval_chunks(m, loss, X, Y, n, ky, w, want_grad, t);
    if (penalty_on(loss)) { /* the loss's penalty terms: after the data term, as `loss + penalty` in torch */
        *out_loss += penalty_value(loss, m);
        if (want_grad)
            penalty_grad_add(loss, m, m->grads);
    }
    if (met)
        metric_finish(t, k, w->msum, Y, n, ky, met);
    return 0;
}

int train_predict(const Model *m, const double *X, size_t n, double *Z, TrainWork *w, FbErr *err)
{
    if (work_fit(w, m, w->ky ? w->ky : 1, chunk_rows(n), err))
        return -1;
    size_t d = m->sizes[0], k = out_size(m);
    for (size_t r0 = 0; r0 < n; r0 += w->cap) {
        size_t nc = n - r0 < w->cap ? n - r0 : w->cap;
        model_forward(m, &w->bw.mw, X + r0 * d, nc, Z + r0 * k);
    }
    return 0;
}

int train_state_init(TrainState *st, Model *m, const TrainSetup *setup, unsigned long long seed, FbErr *err)
{
    memset(st, 0, sizeof *st);
    if (optim_state_init(&st->opt, &setup->opt, m->nparams, err))
        return -1;
    st->model = *m;
    memset(m, 0, sizeof *m);
    sched_start(&setup->sched, &st->sched, &setup->opt);
    rng_seed(&st->rng, seed ^ 0x5eedda7aULL);
    return 0;
}

void train_state_free(TrainState *st)
{
    if (!st)
        return;
    model_free(&st->model);
    optim_state_free(&st->opt);
    free(st->perm);
    history_free(&st->hist);
    train_now_free(&st->now);
    layerlog_free(&st->llog);
    memset(st, 0, sizeof *st);
}

void train_now_free(TrainNow *n)
{
    if (!n)
        return;
    free(n->params);
    memset(n, 0, sizeof *n);
}

int train_now_clone(TrainNow *dst, const TrainNow *src, FbErr *err)
{
    *dst = *src;
    dst->params = NULL;
    if (!src->params)
        return 0;
    dst->params = fb_malloc(src->nparams, sizeof(double), "the current parameters' losses", err);
    if (!dst->params) {
        memset(dst, 0, sizeof *dst);
        return -1;
    }
    memcpy(dst->params, src->params, src->nparams * sizeof(double));
    return 0;
}

/* Remember that the current parameters give the losses and metrics of row r on this data. */
static void now_note(TrainState *st, const TrainSetup *setup, const TrainData *data, const HistRow *r)
{
    TrainNow *nw = &st->now;
    size_t np = st->model.nparams;
    if (nw->nparams != np || !nw->params) {
        free(nw->params);
        nw->params = malloc((np ? np : 1) * sizeof(double));
        nw->nparams = nw->params ? np : 0;
    }
    nw->valid = nw->params != NULL;
    if (!nw->valid)
        return; /* out of memory: train_refresh will try again */
    memcpy(nw->params, st->model.params, np * sizeof(double));
    nw->train_loss = r->train_loss;
    nw->val_loss = r->val_loss;
    nw->grad_norm = r->grad_norm;
    nw->task = r->task;
    memcpy(nw->train_metric, r->train_metric, sizeof nw->train_metric);
    memcpy(nw->val_metric, r->val_metric, sizeof nw->val_metric);
    nw->loss = setup->loss;
    nw->X = data->X;
    nw->Xv = data->nv ? data->Xv : NULL;
    nw->n = data->n;
    nw->nv = data->nv;
}

/* Losses, gradient norm and metrics of the current parameters on both
 * splits into r (the loss gradient left in m->grads): the passes of a
 * history row.  Fails on out of memory. */
static int eval_row(TrainState *st, const TrainSetup *setup, const TrainData *data, TrainWork *w, HistRow *r,
                    FbErr *err)
{
    Model *m = &st->model;
    r->val_loss = NAN;
    r->task = metric_task(setup->loss.kind);
    r->val_metric[0] = r->val_metric[1] = NAN;
    if (train_eval_metrics(m, &setup->loss, data->X, data->Y, data->n, data->ky, w, &r->train_loss, true,
                           r->train_metric, err))
        return -1;
    r->grad_norm = train_norm(m->grads, m->nparams);
    if (data->nv && train_eval_metrics(m, &setup->loss, data->Xv, data->Yv, data->nv, data->ky, w, &r->val_loss,
                                       false, r->val_metric, err))
        return -1;
    return 0;
}

static bool now_fresh(const TrainState *st, const TrainSetup *setup, const TrainData *data)
{
    const TrainNow *nw = &st->now;
    return nw->valid && nw->nparams == st->model.nparams && nw->loss.kind == setup->loss.kind &&
           nw->loss.delta == setup->loss.delta && nw->loss.l1 == setup->loss.l1 &&
           nw->loss.l2 == setup->loss.l2 && nw->X == data->X && nw->n == data->n &&
           nw->Xv == (data->nv ? data->Xv : NULL) && nw->nv == data->nv &&
           memcmp(nw->params, st->model.params, st->model.nparams * sizeof(double)) == 0;
}

int train_refresh(TrainState *st, const TrainSetup *setup, const TrainData *data, TrainWork *w, bool *computed,
                  FbErr *err)
{
    if (computed)
        *computed = false;
    if (now_fresh(st, setup, data))
        return 0;
    st->now.valid = false;
    HistRow r = {0};
    if (eval_row(st, setup, data, w, &r, err))
        return -1;
    now_note(st, setup, data, &r);
    if (computed)
        *computed = true;
    return 0;
}

int train_state_clone(TrainState *dst, const TrainState *src, FbErr *err)
{
    *dst = *src;
    dst->perm = NULL;
    memset(&dst->model, 0, sizeof dst->model);
    memset(&dst->opt, 0, sizeof dst->opt);
    memset(&dst->hist, 0, sizeof dst->hist);
    memset(&dst->now, 0, sizeof dst->now);
    memset(&dst->llog, 0, sizeof dst->llog);
    if (model_clone(&dst->model, &src->model, err) || optim_state_clone(&dst->opt, &src->opt, err) ||
        history_clone(&dst->hist, &src->hist, err) || train_now_clone(&dst->now, &src->now, err) ||
        layerlog_clone(&dst->llog, &src->llog, err))
        goto fail;
    if (src->perm) {
        dst->perm = fb_malloc(src->nperm, sizeof *dst->perm, "the row order", err);
        if (!dst->perm)
            goto fail;
        memcpy(dst->perm, src->perm, src->nperm * sizeof *dst->perm);
    }
    return 0;
fail:
    train_state_free(dst);
    return -1;
}

int train_begin(TrainState *st, const TrainSetup *setup, const TrainData *data, TrainWork *w, FbErr *err)
{
    if (st->hist.n)
        return 0;
    HistRow row = {.epoch = st->epoch, .steps = st->steps, .lr = st->sched.lr};
    if (eval_row(st, setup, data, w, &row, err) || history_push(&st->hist, &row, err) ||
        layerlog_add(&st->llog, st->epoch, &st->model, NULL, w->lsort, err))
        return -1;
    now_note(st, setup, data, &row);
    return 0;
}

/* The optimizer settings for this epoch: OneCycleLR's cycle_momentum
 * replaces the momentum (sgd, rmsprop) or beta1 (adam, adamw). */
static OptCfg effective_opt(const TrainSetup *setup, const TrainState *st)
{
    OptCfg eff = setup->opt;
    if (st->sched.has_momentum) {
        if (eff.kind == OPT_ADAM || eff.kind == OPT_ADAMW)
            eff.beta1 = st->sched.momentum;
        else
            eff.momentum = st->sched.momentum;
    }
    return eff;
}

/* Where a blow-up goes back to: the parameters and optimizer state at the
 * start of the epoch, or at the start of this call when it began inside an
 * epoch (step batch, an interrupted train), with the counters and the row. */
typedef struct Snap {
    long steps, ostep;
    bool has_buf;
    size_t cursor;
} Snap;

static void snapshot(const TrainState *st, TrainWork *w, Snap *sn)
{
    size_t np = st->model.nparams;
    memcpy(w->snap, st->model.params, np * sizeof(double));
    memcpy(w->snap + np, st->opt.m, np * sizeof(double));
    memcpy(w->snap + 2 * np, st->opt.v, np * sizeof(double));
    memcpy(w->snap + 3 * np, st->opt.vmax, np * sizeof(double));
    memcpy(w->snap + 4 * np, st->opt.g, np * sizeof(double));
    *sn = (Snap){.steps = st->steps, .ostep = st->opt.step, .has_buf = st->opt.has_buf, .cursor = st->cursor};
}

static void restore(TrainState *st, const TrainWork *w, const Snap *sn)
{
    size_t np = st->model.nparams;
    memcpy(st->model.params, w->snap, np * sizeof(double));
    memcpy(st->opt.m, w->snap + np, np * sizeof(double));
    memcpy(st->opt.v, w->snap + 2 * np, np * sizeof(double));
    memcpy(st->opt.vmax, w->snap + 3 * np, np * sizeof(double));
    memcpy(st->opt.g, w->snap + 4 * np, np * sizeof(double));
    st->steps = sn->steps;
    st->opt.has_buf = sn->has_buf;
    st->opt.step = sn->ostep;
    st->cursor = sn->cursor;
}

static void diverged(TrainOutcome *out, long epoch, double lr, const Snap *sn)
{
    char lrs[32], sug[32], back[96];
    snprintf(lrs, sizeof lrs, "%g", lr);
    snprintf(sug, sizeof sug, "%g", lr / 10);
    if (sn->cursor)
        snprintf(back, sizeof back, "back to where this command started (row %zu of epoch %ld)", sn->cursor, epoch);
    else
        snprintf(back, sizeof back, "back to the end of epoch %ld", epoch - 1);
    out->end = TRAIN_DIVERGED;
    out->bad_lr = lr;
    snprintf(out->msg, sizeof out->msg,
             "the loss blew up (became NaN, infinite, or 1e10 times its starting value) in epoch %ld with lr=%s: "
             "training stopped and the parameters are %s. The learning rate is too large "
             "for this problem: try a smaller one (lr=%s, say)",
             epoch, lrs, back, sug);
}

/* Start fetching the next batch's scattered rows now: reading them is
 * otherwise one cache miss after another, most of a small step's time. */
static void prefetch_next(const TrainState *st, const TrainData *data, size_t b)
{
    if (!st->perm)
        return;
    size_t d = data->d, ky = data->ky;
    size_t next = st->cursor + b, end = next + b < st->nperm ? next + b : st->nperm;
    for (size_t i = next; i < end; i++) {
        const char *row = (const char *)(data->X + st->perm[i] * d);
        for (size_t o = 0; o < d * sizeof(double); o += 64)
            __builtin_prefetch(row + o);
        __builtin_prefetch(data->Y + st->perm[i] * ky);
    }
}

/* Rows [cursor, cursor + b) of this epoch: pointers straight into the data
 * when rows go in order, else gathered through perm into the batch buffers. */
static void batch_rows(const TrainState *st, const TrainData *data, TrainWork *w, size_t b, const double **Xb,
                       const double **Yb)
{
    size_t d = data->d, ky = data->ky;
    if (!st->perm) {
        *Xb = data->X + st->cursor * d;
        *Yb = data->Y + st->cursor * ky;
        return;
    }
    for (size_t i = 0; i < b; i++) {
        size_t r = st->perm[st->cursor + i];
        memcpy(w->bw.Xb + i * d, data->X + r * d, d * sizeof(double));
        memcpy(w->bw.Yb + i * ky, data->Y + r * ky, ky * sizeof(double));
    }
    prefetch_next(st, data, b);
    *Xb = w->bw.Xb;
    *Yb = w->bw.Yb;
}

/* One minibatch's gradient into m->grads.  Returns a value that is finite
 * exactly when the batch's loss is (loss_grad): the value itself is not
 * needed, and for bce it would cost more than the gradient. */
static double batch_grad(TrainState *st, const TrainSetup *setup, const TrainData *data, TrainWork *w, size_t b)
{
    Model *m = &st->model;
    if (fused_applies(m, &setup->loss)) {
        /* Single-output linear models: rows read in place, once. */
        double c = fused_batch_grad(m, &setup->loss, data->X, data->Y, st->perm, st->cursor, b, m->grads);
        prefetch_next(st, data, b);
        return c;
    }
    const double *Xb, *Yb;
    batch_rows(st, data, w, b, &Xb, &Yb);
    model_forward(m, &w->bw.mw, Xb, b, w->bw.Z);
    double c = loss_grad(&setup->loss, w->bw.Z, Yb, b, out_size(m), b, w->bw.dZ);
    if (isfinite(c))
        model_backward(m, &w->bw.mw, Xb, b, w->bw.dZ);
    return c;
}

static int start_epoch(TrainState *st, const TrainSetup *setup, size_t n, FbErr *err)
{
    if (!setup->batch || !setup->shuffle) {
        free(st->perm);
        st->perm = NULL;
        st->nperm = 0;
        return 0;
    }
    if (st->nperm != n) {
        free(st->perm);
        st->perm = fb_malloc(n, sizeof *st->perm, "the row order", err);
        if (!st->perm) {
            st->nperm = 0;
            return -1;
        }
        st->nperm = n;
    }
    for (size_t i = 0; i < n; i++)
        st->perm[i] = i;
    rng_shuffle(&st->rng, st->perm, n);
    return 0;
}

/* Keras' EarlyStopping(monitor='val_loss', min_delta=0,
 * restore_best_weights=True) for one call of train_run (keras/src/callbacks/
 * early_stopping.py): best starts at +inf with no weights kept. */
typedef struct Patience {
    long patience; /* 0: off */
    bool have;     /* weights kept in w->best */
    double best;   /* the lowest val_loss of this call */
    long wait;     /* epochs since the last improvement */
    HistRow row;   /* the row of the epoch whose weights are kept */
} Patience;

/* After an epoch's history row: keep the weights when they are the best so
 * far; true when training should stop.  call_epoch counts this call's
 * epochs from 0 (Keras' `epoch > 0`). */
static bool patience_epoch(Patience *pt, const TrainState *st, TrainWork *w, const HistRow *row, long call_epoch)
{
    if (pt->patience <= 0)
        return false;
    size_t np = st->model.nparams;
    if (!pt->have) { /* Keras: "if best weights were never set, the current weights are the best" */
        memcpy(w->best, st->model.params, np * sizeof(double));
        pt->row = *row;
        pt->have = true;
    }
    pt->wait++;
    if (row->val_loss < pt->best) { /* min_delta = 0: strictly lower; a tie is no improvement */
        pt->best = row->val_loss;
        pt->row = *row;
        memcpy(w->best, st->model.params, np * sizeof(double));
        pt->wait = 0;
        return false;
    }
    return pt->wait >= pt->patience && call_epoch > 0;
}

/* The call ends at an epoch end (not diverged, not interrupted): put the
 * best epoch's weights back, as Keras' on_train_end; its losses become the
 * current ones. */
static void patience_restore(const Patience *pt, TrainState *st, const TrainSetup *setup, const TrainData *data,
                             const TrainWork *w, TrainOutcome *out)
{
    if (pt->patience <= 0 || !pt->have)
        return;
    out->best_epoch = pt->row.epoch;
    if (pt->row.epoch == st->epoch)
        return; /* the last epoch is the best: these are its weights */
    memcpy(st->model.params, w->best, st->model.nparams * sizeof(double));
    out->restored = true;
    now_note(st, setup, data, &pt->row);
}

/* One epoch's history row at the current parameters: losses, gradient norm, metrics. */
static int epoch_row(TrainState *st, const TrainSetup *setup, const TrainData *data, TrainWork *w, double lr,
                     HistRow *row, FbErr *err)
{
    *row = (HistRow){.epoch = st->epoch + 1, .steps = st->steps, .lr = lr};
    return eval_row(st, setup, data, w, row, err);
}

/* The parameters before an epoch's last update, for the layers' update ratios. */
static void keep_prev(const Model *m, TrainWork *w)
{
    memcpy(w->prev, m->params, m->nparams * sizeof(double));
    w->prev_ok = true;
}

/* One update: a full-batch step or the next minibatch.  false when the
 * minibatch's loss was not finite (nothing updated). */
static int one_update(TrainState *st, const TrainSetup *setup, const TrainData *data, TrainWork *w, bool *grads_fresh,
                      bool *finite, FbErr *err)
{
    Model *m = &st->model;
    size_t np = m->nparams, n = data->n;
    OptCfg eff = effective_opt(setup, st);
    double lr = st->sched.lr;
    *finite = true;
    if (!setup->batch || setup->batch >= n) {
        double l;
        if (!*grads_fresh && train_eval(m, &setup->loss, data->X, data->Y, n, data->ky, w, &l, true, err))
            return -1;
        keep_prev(m, w);
        optim_step(&eff, lr, &st->opt, m->params, m->grads, np);
        st->cursor = n;
    } else {
        size_t b = n - st->cursor < setup->batch ? n - st->cursor : setup->batch;
        bool crew = w->crew_on && crew_takes_steps(w->crew, m, b);
        double c = crew ? crew_batch_grad(w->crew, m, &setup->loss, data, st->perm, st->cursor, b)
                        : batch_grad(st, setup, data, w, b);
        if (!isfinite(c)) {
            *finite = false;
            return 0;
        }
        if (!crew && penalty_on(&setup->loss)) /* the gradient of loss + penalty (the crew adds it in its step) */
            penalty_grad_add(&setup->loss, m, m->grads);
        if (st->cursor + b >= n)
            keep_prev(m, w); /* the epoch's last update: its size against the weights (layerlog.h) */
        if (crew)
            crew_step(w->crew, m, &eff, lr, &st->opt);
        else
            optim_step(&eff, lr, &st->opt, m->params, m->grads, np);
        st->cursor += b;
    }
    *grads_fresh = false;
    return 0;
}

/* The end of an epoch: its history row, the divergence guard, the
 * schedule, patience and the epoch hook.  1 when training ends here (out
 * says why), 0 to go on, -1 on out of memory. */
static int end_epoch(TrainState *st, TrainSetup *setup, const TrainData *data, TrainWork *w, double lr, double t0,
                     double start_loss, const Snap *snap, Patience *pt, bool stop, long epochs, long batches,
                     const TrainHooks *hooks, TrainOutcome *out, FbErr *err)
{
    HistRow row;
    if (epoch_row(st, setup, data, w, lr, &row, err))
        return -1;
    /* Blown up: non-finite, or so far above where this run started that
     * nothing useful can follow (the parameters would be ~1e150 before
     * overflow; a learner should see them while they still mean something). */
    if (!isfinite(row.train_loss) || !isfinite(row.grad_norm) ||
        (start_loss > 0 && row.train_loss > 1e10 * start_loss)) {
        restore(st, w, snap);
        diverged(out, st->epoch + 1, lr, snap);
        return 1;
    }
    st->cursor = 0;
    st->epoch++;
    row.seconds = now_seconds() - t0;
    sched_step(&setup->sched, &st->sched, data->nv ? row.val_loss : row.train_loss);
    if (history_push(&st->hist, &row, err) ||
        layerlog_add(&st->llog, st->epoch, &st->model, w->prev_ok ? w->prev : NULL, w->lsort, err))
        return -1;
    w->prev_ok = false;
    now_note(st, setup, data, &row);
    out->epochs++;
    bool early = patience_epoch(pt, st, w, &row, out->epochs - 1);
    bool hooked = hooks && hooks->on_epoch && hooks->on_epoch(hooks->ctx, st);
    bool interrupted = stop && hooks->stop && *hooks->stop;
    bool last = epochs ? out->epochs >= epochs : out->batches >= batches;
    if (!(early || hooked || (stop && !interrupted) || last))
        return 0;
    patience_restore(pt, st, setup, data, w, out); /* the run ends here, not by Ctrl-C: the best weights back */
    if (early) {
        out->end = TRAIN_EARLY_STOP;
        snprintf(out->msg, sizeof out->msg,
                 "early stop: val_loss has not improved for %ld epoch%s; restored the weights of epoch %ld "
                 "(val_loss %.6g)",
                 pt->wait, pt->wait == 1 ? "" : "s", pt->row.epoch, pt->row.val_loss);
        return 1;
    }
    if (hooked) {
        out->end = TRAIN_STOPPED;
        return 1;
    }
    return 0;
}

/* The loop.  Threads (set threads=N): the fused path splits its own work;
 * other models run on the crew when train_run made one (w->crew_on: W3b's
 * epoch 198 ms against 281 ms with OpenBLAS's threads on each product,
 * 2 cores, bench/fb_bench mb), else every BLAS call runs at the setting. */
static int run(TrainState *st, TrainSetup *setup, const TrainData *data, TrainWork *w, long epochs, long batches,
               long patience, const TrainHooks *hooks, TrainOutcome *out, FbErr *err)
{
    bool first = st->hist.n == 0; /* train_begin will evaluate the gradient at these params */
    if (train_begin(st, setup, data, w, err))
        return -1;
    bool computed;
    if (train_refresh(st, setup, data, w, &computed, err))
        return -1;
    double start_loss = st->now.train_loss; /* the divergence rule's reference */
    Patience pt = {.patience = patience, .best = INFINITY};
    bool grads_fresh = first || computed; /* m->grads holds the full gradient at the current params */
    Snap snap = {0};
    if (st->cursor) /* a call that starts inside an epoch goes back to here; else the loop takes it */
        snapshot(st, w, &snap);
    double t0 = now_seconds();
    size_t n = data->n;

    while (epochs ? out->epochs < epochs : out->batches < batches) {
        if (st->cursor == 0) {
            snapshot(st, w, &snap);
            t0 = now_seconds();
            if (start_epoch(st, setup, n, err))
                return -1;
        }
        double lr = st->sched.lr;
        bool finite;
        if (one_update(st, setup, data, w, &grads_fresh, &finite, err))
            return -1;
        if (!finite) {
            restore(st, w, &snap);
            diverged(out, st->epoch + 1, lr, &snap);
            return 0;
        }
        st->steps++;
        out->batches++;
        bool stop = (hooks && hooks->stop && *hooks->stop) ||
                    (hooks && hooks->on_batch && hooks->on_batch(hooks->ctx, st));

        if (st->cursor >= n) {
            int e = end_epoch(st, setup, data, w, lr, t0, start_loss, &snap, &pt, stop, epochs, batches, hooks, out,
                              err);
            if (e < 0)
                return -1;
            if (e > 0)
                return 0;
            grads_fresh = true; /* the validation pass is forward only: m->grads still holds the train gradient */
        }
        if (stop) {
            out->end = hooks->stop && *hooks->stop ? TRAIN_INTERRUPTED : TRAIN_STOPPED;
            if (out->end == TRAIN_INTERRUPTED)
                snprintf(out->msg, sizeof out->msg, "interrupted after %ld epoch%s%s; the state is kept",
                         out->epochs, out->epochs == 1 ? "" : "s", st->cursor ? " and part of the next" : "");
            return 0;
        }
    }
    return 0;
}

/* Rows the work buffers hold for this run: a minibatch, or a chunk of a
 * pass over the training or the validation rows (a smaller cap would make
 * the validation pass refit them, and drop the crew, in mid-run). */
static size_t run_cap(const TrainSetup *setup, size_t n, size_t nv)
{
    size_t cap = setup->batch > n ? (chunk_rows(n) > n ? chunk_rows(n) : n)
                                  : (setup->batch > chunk_rows(n) ? setup->batch : chunk_rows(n));
    return nv && chunk_rows(nv) > cap ? chunk_rows(nv) : cap;
}

int train_run(TrainState *st, TrainSetup *setup, const TrainData *data, TrainWork *w, long epochs, long batches,
              long patience, const TrainHooks *hooks, TrainOutcome *out, FbErr *err)
{
    memset(out, 0, sizeof *out);
    out->best_epoch = -1;
    if (patience > 0 && data->nv == 0)
        return fb_fail(err, "patience needs a validation split to watch: split val=0.2, say");
    if (data->n == 0)
        return fb_fail(err, "no training rows");
    Model *m = &st->model;
    if (work_fit(w, m, data->ky, run_cap(setup, data->n, data->nv), err))
        return -1;
    /* A crew splits rows across the threads, each calling BLAS on one
     * thread; BLAS's own threads stay out of it until the run ends. */
    int threads = w->one_thread ? 1 : blas_threads();
    size_t k = crew_members(m, &setup->loss, data->n, threads);
    if (k > 1)
        crew_fit(&w->crew, m, data->ky, w->cap, k);
    bool solo = k > 1 && w->crew;
    w->crew_on = solo;
    if (solo)
        blas_single_begin();
    int rc = run(st, setup, data, w, epochs, batches, patience, hooks, out, err);
    w->crew_on = false;
    if (solo)
        blas_single_end(threads);
    return rc;
}
