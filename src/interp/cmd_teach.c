/* cmd_teach.c — lrfind, explain: instruments for teaching and exploring (compare: cmd_compare.c). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/command.h"
#include "fitbench/strutil.h"

/* ---- lrfind ----------------------------------------------------------------------------- */

/* The range test on a copy of the session (its parameters, optimizer state, schedule, data order and
 * history stay exactly as they were): one update per lr from start to end, geometrically, into curve k
 * (x the lr, y the smoothed loss, y2 the raw loss).  *why says why it ended.  Fails only on an error of the
 * training (out of memory); a blow-up ends the test. */
static int lrfind_run(Interp *it, double start, double end, long iters, Curve *k, const char **why, FbErr *err)
{
    Session c;
    if (session_clone(&c, it->s, err))
        return -1;
    TrainData data;
    session_train_data(&c, &data);
    TrainHooks hooks = {.stop = it->interrupt};
    if (it->interrupt)
        *it->interrupt = 0;
    double avg = 0, best = INFINITY, beta = 0.98;
    int rc = 0;
    *why = "reached the end of the range";
    for (long i = 0; i < iters; i++) {
        /* lr_i = start·(end/start)^(i/(iters−1)): from start to end exactly. */
        double lr = start * pow(end / start, (double)i / (double)(iters - 1));
        c.ts.sched.lr = lr;            /* the lr train_run uses for this update */
        c.ts.sched.has_momentum = false;
        TrainOutcome out;
        if ((rc = train_run(&c.ts, &c.setup, &data, &c.work, 0, 1, 0, &hooks, &out, err)))
            break;
        double loss = NAN;
        if (out.end != TRAIN_DIVERGED &&
            (rc = train_eval(&c.ts.model, &c.setup.loss, data.X, data.Y, data.n, data.ky, &c.work, &loss, false, err)))
            break;
        if (out.end == TRAIN_INTERRUPTED) {
            *why = "interrupted";
            break;
        }
        if (!isfinite(loss)) {
            *why = "the loss became infinite or NaN";
            break;
        }
        /* fastai: exponential moving average with bias correction. */
        avg = beta * avg + (1 - beta) * loss;
        double smooth = avg / (1 - pow(beta, (double)(i + 1)));
        k->x[k->n] = lr;
        k->y[k->n] = smooth;
        k->y2[k->n] = loss;
        k->n++;
        it->work_done = i + 1;
        if (it->fe && it->fe->train_epoch && it->fe->train_epoch(it->fe->ctx, it)) {
            *why = "interrupted";
            break;
        }
        if (smooth < best)
            best = smooth;
        if (smooth > 4 * best) {
            *why = "the smoothed loss passed 4x its best";
            break;
        }
    }
    session_free(&c);
    if (it->interrupt)
        *it->interrupt = 0;
    return rc;
}

int cmd_lrfind(Interp *it, const Command *row, Args *a, FbErr *err)
{
    Session *s = it->s;
    double start = 1e-7, end = 10;
    long iters = 100;
    args_num(a, "start", &start);
    args_num(a, "end", &end);
    args_long(a, "iters", &iters);
    if (!(start < end))
        return fb_fail(err, "lrfind: start (%g) must be below end (%g)", start, end);
    if (session_need_model(s, err))
        return -1;
    Curves *cv = curves_new(err);
    if (!cv)
        return -1;
    snprintf(cv->key, sizeof cv->key, "lr");
    cv->lo = start;
    cv->hi = end;
    cv->ncurves = 1;
    Curve *k = &cv->c[0];
    snprintf(k->label, sizeof k->label, "lrfind");
    k->x = fb_malloc((size_t)iters, sizeof(double), "the lrfind curve", err);
    k->y = k->x ? fb_malloc((size_t)iters, sizeof(double), "the lrfind curve", err) : NULL;
    k->y2 = k->y ? fb_malloc((size_t)iters, sizeof(double), "the lrfind curve", err) : NULL;
    const char *why;
    if (!k->y2) {
        curves_unref(cv);
        return -1;
    }
    /* The session shows the curve as it grows; a failure puts the old one back. */
    Curves *old = s->lrfind;
    char old_plot[16];
    memcpy(old_plot, s->plot, sizeof old_plot);
    if (old)
        old->refs++;
    cv->refs++;
    session_set_lrfind(s, cv);
    it->work_done = 0;
    it->work_total = iters;
    if (it->fe && it->fe->train_begin)
        it->fe->train_begin(it->fe->ctx, it);
    int rc = lrfind_run(it, start, end, iters, k, &why, err);
    if (it->fe && it->fe->train_end)
        it->fe->train_end(it->fe->ctx, it);
    it->work_done = it->work_total = 0;
    curves_unref(cv);
    if (rc) {
        session_set_lrfind(s, old);
        memcpy(s->plot, old_plot, sizeof old_plot);
        return -1;
    }
    curves_unref(old);
    /* The suggestion: a tenth of the lr at the lowest smoothed loss (fastai v1's rule,
     * "min/10").  The minimum itself sits where the loss is about to blow up (the smoothed
     * curve lags), so a tenth of it is a fast lr that is still safely stable. */
    size_t n = k->n, imin = 0;
    for (size_t i = 1; i < n; i++)
        if (k->y[i] < k->y[imin])
            imin = i;
    if (n)
        cv->suggest = k->x[imin] / 10;
    sink_printf(it->out, "lrfind: %zu updates with lr from %s to %s (%s, batch %s); %s\n", n, NUM(it, start),
                NUM(it, n ? k->x[n - 1] : start), optim_name(s->setup.opt.kind),
                s->setup.batch ? "minibatches" : "full", why);
    if (n) {
        sink_printf(it->out, "lowest smoothed loss %s at lr %s\n", NUM(it, k->y[imin]), NUM(it, k->x[imin]));
        sink_printf(it->out, "suggested lr %s (a tenth of the lr at the lowest smoothed loss)\n", NUM(it, cv->suggest));
    }
    sink_printf(it->out, "parameters and optimizer state are as before; plot lrfind shows the curve\n");
    if (it->fe && it->fe->redraw)
        it->fe->redraw(it->fe->ctx, it);
    return 0;
}

/* ---- explain ------------------------------------------------------------------------------ */

typedef struct ExplainCtx {
    double *g;     /* (nparams) the gradient the update used */
    size_t n;
} ExplainCtx;

static int explain_batch(void *ctx, const TrainState *st)
{
    ExplainCtx *ec = ctx;
    memcpy(ec->g, st->model.grads, ec->n * sizeof(double));
    return 0;
}

/* The optimizer settings of this update (OneCycleLR's momentum cycling, as train.c). */
static OptCfg effective_cfg(const Session *s)
{
    OptCfg eff = s->setup.opt;
    if (s->ts.sched.has_momentum) {
        if (eff.kind == OPT_ADAM || eff.kind == OPT_ADAMW)
            eff.beta1 = s->ts.sched.momentum;
        else
            eff.momentum = s->ts.sched.momentum;
    }
    return eff;
}

static void param_label(const Model *m, const Prepared *p, size_t q, char *buf, size_t size)
{
    size_t cols = m->sizes[0];
    if (q < m->boff[0]) {
        size_t i = q / cols, j = q % cols;
        snprintf(buf, size, "W[%zu,%zu] %.10s", i, j, p && j < p->d ? FB_SHOWN(p->names[j]) : "");
    } else {
        snprintf(buf, size, "b[%zu]", q - m->boff[0]);
    }
}

/* One row of the table: name then the values, in the session's precision. */
static void row(Interp *it, const char *name, const double *v, int nv)
{
    sink_printf(it->out, "  %-18s", name);
    for (int i = 0; i < nv; i++)
        sink_printf(it->out, " %13s", NUM(it, v[i]));
    sink_printf(it->out, "\n");
}

static void header(Interp *it, const char *const *cols, int nc)
{
    sink_printf(it->out, "  %-18s", "parameter");
    for (int i = 0; i < nc; i++)
        sink_printf(it->out, " %13s", cols[i]);
    sink_printf(it->out, "\n");
}

/* Print the per-parameter terms of the update from old state (p0, m0, v0, vmax0, ga0) and
 * gradient g to the new parameters p1 (the ones the update really produced). */
/* One update of a linear model, written out per parameter: the optimizer's settings, the update's before
 * and after, its gradient and lr. */
typedef struct Upd {
    Interp *it;
    const OptCfg *c;
    double lr;
    long t;                 /* the optimizer's step count after the update */
    const Model *m;         /* before the update */
    const double *p0, *p1;  /* (nparams) the parameters before and after */
    const OptState *o0, *o1;
    const double *g;        /* (nparams) the gradient */
} Upd;

/* One parameter's row of the table: its name, then n values. */
static void upd_row(const Upd *u, size_t q, const double *v, int n)
{
    char name[48];
    param_label(u->m, u->it->s->prep, q, name, sizeof name);
    row(u->it, name, v, n);
}

/* g plus the L2 weight decay term, as sgd, rmsprop and adagrad add it. */
static double upd_gd(const Upd *u, size_t q)
{
    double gd = u->g[q];
    if (u->c->weight_decay != 0)
        gd = gd + u->c->weight_decay * u->p0[q];
    return gd;
}

/* sgd, with momentum, dampening, nesterov. */
static void explain_sgd(const Upd *u)
{
    Interp *it = u->it;
    const OptCfg *c = u->c;
    double wd = c->weight_decay;
    bool mom = c->momentum != 0;
    sink_printf(it->out, "sgd: %s%s%s\n", wd != 0 ? "d = g + wd*p;  " : "d = g;  ",
                !mom ? ""
                : c->nesterov ? (u->o0->has_buf ? "m = m*mom + (1 - damp)*d;  d = d + mom*m;  "
                                                : "m = d (first step: the buffer starts as d);  d = d + mom*m;  ")
                : (u->o0->has_buf ? "m = m*mom + (1 - damp)*d;  d = m;  " : "m = d (first step);  d = m;  "),
                "p = p - lr*d");
    sink_printf(it->out, "     lr = %s%s%s%s%s\n", NUM(it, u->lr), mom ? ", mom = " : "", mom ? NUM(it, c->momentum) : "",
                wd != 0 ? ", wd = " : "", wd != 0 ? NUM(it, wd) : "");
    const char *cols[] = {"p", "g", "m (new)", "d", "lr*d", "p (new)"};
    if (mom) {
        header(it, cols, 6);
    } else {
        const char *c2[] = {"p", "g", "d", "lr*d", "p (new)"};
        header(it, c2, 5);
    }
    for (size_t q = 0; q < u->m->nparams; q++) {
        double d = upd_gd(u, q);
        double mm = 0;
        if (mom) {
            mm = u->o1->m[q];
            d = c->nesterov ? d + c->momentum * mm : mm;
        }
        double v6[] = {u->p0[q], u->g[q], mm, d, u->lr * d, u->p1[q]};
        double v5[] = {u->p0[q], u->g[q], d, u->lr * d, u->p1[q]};
        upd_row(u, q, mom ? v6 : v5, mom ? 6 : 5);
    }
}

/* adam and adamw (decoupled decay), with amsgrad. */
static void explain_adam(const Upd *u)
{
    Interp *it = u->it;
    const OptCfg *c = u->c;
    double wd = c->weight_decay, lr = u->lr;
    double bc1 = 1.0 - pow(c->beta1, (double)u->t), bc2 = 1.0 - pow(c->beta2, (double)u->t);
    bool dec = c->kind == OPT_ADAMW;
    sink_printf(it->out, "%s: %sm = m*b1 + (1 - b1)*gd;  v = v*b2 + (1 - b2)*gd*gd;  bc1 = 1 - b1^t;  bc2 = 1 - b2^t\n"
                         "      %s = sqrt(%s)/sqrt(bc2) + eps;  step = (m/bc1)/denom;  p = p%s - lr*step\n",
                optim_name(c->kind),
                dec ? "gd = g (decay applied to p);  " : wd != 0 ? "gd = g + wd*p;  " : "gd = g;  ", "denom",
                c->amsgrad ? "vmax = max(vmax, v)" : "v", dec ? "*(1 - lr*wd)" : "");
    sink_printf(it->out, "      lr = %s, t = %ld, b1 = %s, b2 = %s, bc1 = %s, bc2 = %s, eps = %s\n", NUM(it, lr), u->t,
                NUM(it, c->beta1), NUM(it, c->beta2), NUM(it, bc1), NUM(it, bc2), NUM(it, c->eps));
    const char *cols[] = {"p", "g", "m (new)", "v (new)", "m/bc1", "v/bc2", "lr*step", "p (new)"};
    header(it, cols, 8);
    const OptState *o1 = u->o1;
    for (size_t q = 0; q < u->m->nparams; q++) {
        double vv = c->amsgrad ? o1->vmax[q] : o1->v[q];
        double denom = sqrt(vv) / sqrt(bc2) + c->eps;
        double step = o1->m[q] / bc1 / denom;
        double v8[] = {u->p0[q], u->g[q], o1->m[q], o1->v[q], o1->m[q] / bc1, vv / bc2, lr * step, u->p1[q]};
        upd_row(u, q, v8, 8);
    }
}

/* rmsprop, centered or not, with momentum. */
static void explain_rmsprop(const Upd *u)
{
    Interp *it = u->it;
    const OptCfg *c = u->c;
    bool mom = c->momentum > 0;
    sink_printf(it->out, "rmsprop: %sv = v*alpha + (1 - alpha)*gd*gd;  %savg = sqrt(%s) + eps;  %s\n",
                c->weight_decay != 0 ? "gd = g + wd*p;  " : "gd = g;  ",
                c->centered ? "ga = ga*alpha + (1 - alpha)*gd;  " : "", c->centered ? "v - ga*ga" : "v",
                mom ? "m = m*mom + gd/avg;  p = p - lr*m" : "p = p - lr*gd/avg");
    sink_printf(it->out, "      lr = %s, alpha = %s, eps = %s%s%s\n", NUM(it, u->lr), NUM(it, c->alpha), NUM(it, c->eps),
                mom ? ", mom = " : "", mom ? NUM(it, c->momentum) : "");
    const char *cols[] = {"p", "g", "v (new)", "avg", "step", "lr*step", "p (new)"};
    header(it, cols, 7);
    const OptState *o1 = u->o1;
    for (size_t q = 0; q < u->m->nparams; q++) {
        double gd = upd_gd(u, q);
        double avg = c->centered ? sqrt(o1->v[q] + (-1.0) * o1->g[q] * o1->g[q]) : sqrt(o1->v[q]);
        avg = avg + c->eps;
        double step = mom ? o1->m[q] : gd / avg;
        double v7[] = {u->p0[q], u->g[q], o1->v[q], avg, step, u->lr * step, u->p1[q]};
        upd_row(u, q, v7, 7);
    }
}

/* adagrad, with lr_decay. */
static void explain_adagrad(const Upd *u)
{
    Interp *it = u->it;
    const OptCfg *c = u->c;
    double clr = u->lr / (1.0 + ((double)u->t - 1.0) * c->lr_decay);
    sink_printf(it->out, "adagrad: %sclr = lr/(1 + (t - 1)*lr_decay);  v = v + gd*gd;  step = gd/(sqrt(v) + eps);  "
                         "p = p - clr*step\n",
                c->weight_decay != 0 ? "gd = g + wd*p;  " : "gd = g;  ");
    sink_printf(it->out, "      lr = %s, t = %ld, clr = %s, eps = %s\n", NUM(it, u->lr), u->t, NUM(it, clr),
                NUM(it, c->eps));
    const char *cols[] = {"p", "g", "v (new)", "step", "clr*step", "p (new)"};
    header(it, cols, 6);
    for (size_t q = 0; q < u->m->nparams; q++) {
        double step = upd_gd(u, q) / (sqrt(u->o1->v[q]) + c->eps);
        double v6[] = {u->p0[q], u->g[q], u->o1->v[q], step, clr * step, u->p1[q]};
        upd_row(u, q, v6, 6);
    }
}

/* The update of a one-layer model, per parameter, in the terms of its optimizer. */
static void explain_params(Interp *it, const OptCfg *c, double lr, long t, const TrainState *before,
                           const TrainState *after, const double *g)
{
    const Upd u = {it, c, lr, t, &before->model, before->model.params, after->model.params, &before->opt,
                   &after->opt, g};
    switch (c->kind) {
    case OPT_SGD: explain_sgd(&u); break;
    case OPT_ADAM:
    case OPT_ADAMW: explain_adam(&u); break;
    case OPT_RMSPROP: explain_rmsprop(&u); break;
    case OPT_ADAGRAD: explain_adagrad(&u); break;
    }
}

/* Per layer: norms of the weights, the gradient and the update, and their ratio. */
static void explain_layers(Interp *it, const TrainState *before, const TrainState *after, const double *g)
{
    const Model *m = &before->model;
    sink_printf(it->out, "  %-8s %10s %13s %13s %13s %13s\n", "layer", "shape", "|p|", "|g|", "|update|",
                "|update|/|p|");
    for (size_t l = 0; l < m->nlayers; l++) {
        size_t off = m->woff[l], len = m->boff[l] + m->sizes[l + 1] - off;
        double np = 0, ng = 0, nu = 0;
        for (size_t q = off; q < off + len; q++) {
            double u = after->model.params[q] - before->model.params[q];
            np += before->model.params[q] * before->model.params[q];
            ng += g[q] * g[q];
            nu += u * u;
        }
        char shape[80], lname[48];
        snprintf(shape, sizeof shape, "%zux%zu+%zu", m->sizes[l + 1], m->sizes[l], m->sizes[l + 1]);
        snprintf(lname, sizeof lname, "W%zu,b%zu", l + 1, l + 1);
        sink_printf(it->out, "  %-8s %10s %13s %13s %13s %13s\n", lname, shape, NUM(it, sqrt(np)), NUM(it, sqrt(ng)),
                    NUM(it, sqrt(nu)), np > 0 ? NUM(it, sqrt(nu / np)) : "-");
    }
}

#define EXPLAIN_MAX_ROWS 64 /* more parameters than this: per-layer norms */

int cmd_explain(Interp *it, const Command *row, Args *a, FbErr *err)
{
    Session *s = it->s;
    bool dry = false;
    args_bool(a, "dry", &dry);
    if (session_need_model(s, err))
        return -1;
    TrainData data;
    session_train_data(s, &data);
    size_t np = s->ts.model.nparams;
    /* Make the update on a copy of the state, exactly as `step batch` would (same batch,
     * lr and state change), catching the gradient it used. */
    TrainState after;
    if (train_state_clone(&after, &s->ts, err))
        return -1;
    ExplainCtx ec = {.n = np};
    ec.g = fb_malloc(np ? np : 1, sizeof(double), "the gradient", err);
    if (!ec.g) {
        train_state_free(&after);
        return -1;
    }
    TrainSetup setup = s->setup;
    TrainWork w;
    memset(&w, 0, sizeof w);
    TrainHooks hooks = {.on_batch = explain_batch, .ctx = &ec};
    TrainOutcome out;
    double lr = s->ts.sched.lr;
    OptCfg eff = effective_cfg(s);
    size_t cursor = s->ts.cursor, b = setup.batch && setup.batch < data.n ? setup.batch : data.n;
    if (b > data.n - cursor && cursor < data.n)
        b = data.n - cursor;
    long epoch = s->ts.epoch + 1;
    bool path = session_path_mark(s, err) == 0;
    int rc = path ? train_run(&after, &setup, &data, &w, 0, 1, 0, &hooks, &out, err) : -1;
    train_work_free(&w);
    if (rc) {
        free(ec.g);
        train_state_free(&after);
        return -1;
    }
    if (out.end == TRAIN_DIVERGED) {
        free(ec.g);
        train_state_free(&after);
        sink_printf(it->err, "warning: %s\n", out.msg);
        return 0;
    }
    const Model *m = &s->ts.model;
    if (b == data.n)
        sink_printf(it->out, "explain update %ld (epoch %ld): full batch, all %zu training rows; loss %s\n",
                    s->ts.steps + 1, epoch, data.n, loss_name(setup.loss.kind));
    else
        sink_printf(it->out, "explain update %ld (epoch %ld): minibatch of %zu rows (%zu..%zu of %zu in this epoch's "
                             "%s order); loss %s\n",
                    s->ts.steps + 1, epoch, b, cursor + 1, cursor + b, data.n, setup.shuffle ? "shuffled" : "row",
                    loss_name(setup.loss.kind));
    sink_printf(it->out, "g = dL/dp, the gradient of the mean loss over those rows (|g| = %s)\n",
                NUM(it, train_norm(ec.g, np)));
    if (m->nlayers == 1 && np <= EXPLAIN_MAX_ROWS)
        explain_params(it, &eff, lr, after.opt.step, &s->ts, &after, ec.g);
    else {
        sink_printf(it->out, "%s with lr = %s; per layer (W and b together):\n", optim_name(eff.kind), NUM(it, lr));
        explain_layers(it, &s->ts, &after, ec.g);
    }
    free(ec.g);
    if (dry) {
        train_state_free(&after);
        sink_printf(it->out, "dry run: the parameters are unchanged (explain without dry=yes makes the update)\n");
        return 0;
    }
    session_take_step(s, &after, &setup);
    const HistRow *last = history_last(&s->ts.hist);
    sink_printf(it->out, "updated: epoch %ld, row %zu of %zu", s->ts.epoch, s->ts.cursor, data.n);
    if (last && s->ts.cursor == 0)
        sink_printf(it->out, "  train_loss %s", NUM(it, last->train_loss));
    sink_printf(it->out, "\n");
    return 0;
}
