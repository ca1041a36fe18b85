/* cmd_train.c — step, train, reset, undo, solve, eval (predict is cmd_predict.c), and the names expect/until can read. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fitbench/command.h"
#include "fitbench/evaluate.h"
#include "fitbench/expr.h"
#include "fitbench/fileio.h"
#include "fitbench/linalg.h"
#include "fitbench/metrics.h"
#include "fitbench/strutil.h"

/* ---- metrics on a split ---- */

static const Part *part_named(const Session *s, const char *name)
{
    if (!s->prep)
        return NULL;
    if (strcmp(name, "val") == 0)
        return &s->prep->val;
    if (strcmp(name, "test") == 0)
        return &s->prep->test;
    return &s->prep->train;
}

/* ---- names for expect and until ---- */

static int param_lookup(Session *s, const char *name, const double *idx, int nidx, double *out, FbErr *err)
{
    const Model *m = &s->ts.model;
    bool isW = name[0] == 'W';
    size_t layer = 0;
    if (name[1]) {
        long l;
        if (!fb_parse_long(name + 1, &l) || l < 1 || (size_t)l > m->nlayers)
            return fb_fail(err, "there is no layer %s in this model (it has %zu)", name + 1, m->nlayers);
        layer = (size_t)l - 1;
    }
    size_t out_n = m->sizes[layer + 1], in_n = m->sizes[layer];
    if (nidx != (isW ? 2 : 1))
        return fb_fail(err, "%s needs %s", name, isW ? "two indices: W[i,j]" : "one index: b[i]");
    for (int i = 0; i < nidx; i++)
        if (idx[i] < 0 || idx[i] != floor(idx[i]))
            return fb_fail(err, "indices of %s must be whole numbers >= 0", name);
    size_t i = (size_t)idx[0];
    if (isW) {
        size_t j = (size_t)idx[1];
        size_t q;
        if (model_param_index(m, true, layer, i, j, &q))
            return fb_fail(err, "%s[%zu,%zu] is outside its shape (%zu, %zu)", name, i, j, out_n, in_n);
        *out = m->params[q];
    } else {
        size_t q;
        if (model_param_index(m, false, layer, i, 0, &q))
            return fb_fail(err, "%s[%zu] is outside its length %zu", name, i, out_n);
        *out = m->params[q];
    }
    return 0;
}

/* Names metric_lookup knows, after the split prefix; classification from index 5 on. */
static const char *const metric_words[] = {"loss", "mse", "rmse", "mae", "r2", "accuracy", "logloss", "f1", NULL};

static int unknown_name(const char *name, const char *prefix, const char *metric, FbErr *err)
{
    static const char *const all[] = {"epoch", "step", "lr", "grad_norm", "loss", "train_loss", "val_loss",
                                      "test_loss", "mse", "rmse", "mae", "r2", "accuracy", "logloss", "f1",
                                      "optimum", "n", "d", "W", "b", NULL};
    const char *sug = prefix ? fb_suggest(metric, metric_words) : fb_suggest(name, all);
    if (sug)
        return fb_fail(err, "unknown name '%s' (did you mean '%s%s'?)", name, prefix ? prefix : "", sug);
    return fb_fail(err, "unknown name '%s' (try: help expect)", name);
}

/* The loss or a history metric (accuracy, f1, r2, rmse) on the training or validation split: the values the
 * training loop noted for the current parameters (one pass when they are not current).  Fails on out of
 * memory. */
static int noted_lookup(Session *s, bool val, const char *metric, double *out, FbErr *err)
{
    if (session_refresh(s, err))
        return -1;
    const TrainNow *nw = &s->ts.now;
    MetricTask t;
    int i;
    if (metric_from_name(metric, &t, &i))
        *out = val ? nw->val_loss : nw->train_loss;
    else
        *out = val ? nw->val_metric[i] : nw->train_metric[i];
    return 0;
}

/* A metric by name: "loss", "r2", "accuracy", ... on the training split, or with a split prefix ("val_r2",
 * "test_accuracy").  Fails on an unknown name (with a suggestion), a split without rows, a metric of the other
 * kind of task, or out of memory. */
static int metric_lookup(Session *s, const char *name, double *out, FbErr *err)
{
    const char *split = "train", *metric = name, *prefix = NULL;
    static const char *const pre[] = {"train_", "val_", "test_"};
    for (int i = 0; i < 3; i++)
        if (strncmp(name, pre[i], strlen(pre[i])) == 0) {
            split = i == 0 ? "train" : i == 1 ? "val" : "test";
            metric = name + strlen(pre[i]);
            prefix = pre[i];
        }
    int which = fb_name_index(metric_words, metric);
    if (which < 0)
        return unknown_name(name, prefix, metric, err);
    bool wants_cls = which >= 5, wants_reg = which >= 1 && which <= 4, cls = metric_task(s->setup.loss.kind) == MTASK_CLS;
    if ((wants_cls && !cls) || (wants_reg && cls))
        return fb_fail(err, "%s is a %s metric and this is a %s task", metric,
                       wants_cls ? "classification" : "regression", cls ? "classification" : "regression");
    const Part *p = part_named(s, split);
    if (p->n == 0)
        return fb_fail(err, "%s: there are no %s rows (split val=0.2 test=0.2, say)", name, split);
    MetricTask t;
    int i;
    if (strcmp(split, "test") != 0 && (which == 0 || metric_from_name(metric, &t, &i) == 0))
        return noted_lookup(s, strcmp(split, "val") == 0, metric, out, err);
    Eval ev;
    if (evaluate(s, p, &ev, err))
        return -1;
    const double v[] = {ev.loss, ev.reg.mse, ev.reg.rmse, ev.reg.mae, ev.reg.r2, ev.c.accuracy, ev.c.logloss, ev.f1};
    *out = v[which];
    return 0;
}

/* The counters and state without an index: epoch, step(s), lr, grad_norm, n, d.  Returns 1 when name is none
 * of them, 0 when *out is set, -1 when grad_norm's refresh failed (out of memory). */
static int state_lookup(Session *s, const char *name, double *out, FbErr *err)
{
    const TrainState *ts = &s->ts;
    if (strcmp(name, "epoch") == 0)
        *out = (double)ts->epoch;
    else if (strcmp(name, "step") == 0 || strcmp(name, "steps") == 0)
        *out = (double)ts->steps;
    else if (strcmp(name, "lr") == 0)
        *out = ts->sched.lr;
    else if (strcmp(name, "grad_norm") == 0) {
        if (session_refresh(s, err))
            return -1;
        *out = ts->now.grad_norm;
    } else if (strcmp(name, "n") == 0)
        *out = (double)s->prep->train.n;
    else if (strcmp(name, "d") == 0)
        *out = (double)s->prep->d;
    else
        return 1;
    return 0;
}

int interp_lookup(void *ctx, const char *name, const double *idx, int nidx, double *out, FbErr *err)
{
    Interp *it = ctx;
    Session *s = it->s;
    if (strcmp(name, "optimum") == 0) {
        *out = s->optimum;
        return 0;
    }
    if (strcmp(name, "seed") == 0) {
        *out = (double)s->set.seed;
        return 0;
    }
    if (session_need_model(s, err))
        return -1;
    if ((name[0] == 'W' || name[0] == 'b') && (!name[1] || (name[1] >= '0' && name[1] <= '9')))
        return param_lookup(s, name, idx, nidx, out, err);
    if (nidx)
        return fb_fail(err, "%s takes no index", name);
    int rc = state_lookup(s, name, out, err);
    return rc <= 0 ? rc : metric_lookup(s, name, out, err);
}

/* ---- training ---- */

typedef struct TrainCtx {
    Interp *it;
    long total;       /* epochs asked for, for "epoch k/N" */
    long first_epoch; /* st->epoch when the command started */
    bool per_batch;   /* step batch N: the pace counts updates, not epochs */
    const char *until;
    int until_col;
    bool until_hit;
    FbErr until_err;
    bool until_failed;
} TrainCtx;

static bool show_epoch(long k, long total)
{
    if (total <= 20 || k <= 10 || k == total)
        return true;
    long p = 1;
    while (p * 10 <= k)
        p *= 10;
    return k % p == 0;
}

static void print_row(Interp *it, const HistRow *r, long k, long total)
{
    sink_printf(it->out, "epoch %ld", r->epoch);
    if (total > 1)
        sink_printf(it->out, " (%ld/%ld)", k, total);
    sink_printf(it->out, "  train_loss %s", NUM(it, r->train_loss));
    if (!isnan(r->val_loss))
        sink_printf(it->out, "  val_loss %s", NUM(it, r->val_loss));
    sink_printf(it->out, "  lr %s  grad_norm %s\n", NUM(it, r->lr), NUM(it, r->grad_norm));
}

static int on_epoch(void *ctx, const TrainState *st)
{
    TrainCtx *tc = ctx;
    Interp *it = tc->it;
    long k = st->epoch - tc->first_epoch;
    if (!tc->per_batch)
        it->work_done = k;
    bool drawn = it->fe && it->fe->train_epoch; /* the workbench shows the epochs: no lines */
    if (!it->quiet && !drawn && show_epoch(k, tc->total))
        print_row(it, history_last(&st->hist), k, tc->total);
    if (it->fe && it->fe->train_epoch && it->fe->train_epoch(it->fe->ctx, it))
        return 1;
    if (tc->until) {
        double v;
        if (expr_eval(tc->until, interp_lookup, it, &v, NULL, 0, &tc->until_err)) {
            tc->until_failed = true;
            return 1;
        }
        if (v != 0) {
            tc->until_hit = true;
            return 1;
        }
    }
    return 0;
}

static int on_batch(void *ctx, const TrainState *st)
{
    TrainCtx *tc = ctx;
    Interp *it = tc->it;
    session_path_step(it->s); /* plot surface draws the way the parameters went */
    if (tc->per_batch)
        it->work_done++;
    return it->fe && it->fe->train_batch ? it->fe->train_batch(it->fe->ctx, it) : 0;
}

static double wall(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- what train and step leave in the log ---- */

/* Where training stood. */
typedef struct Pos {
    long steps, epoch;
    size_t cursor;
} Pos;

/* The commands that make the updates from a to b: whole epochs as `train E`
 * (`step E` for step), a part of an epoch as `step batch K`.  row_steps is
 * the update count at the last epoch end before b (-1: unknown). */
static int log_segment(Session *s, bool batch_cmd, bool verbose, Pos a, Pos b, long row_steps, FbErr *err)
{
    char line[64];
    long k = b.steps - a.steps, e = b.epoch - a.epoch;
    if (k <= 0)
        return 0;
    const char *whole = verbose ? "train" : "step";
    if (batch_cmd || (b.cursor != 0 && (e == 0 || row_steps < 0))) {
        snprintf(line, sizeof line, "step batch %ld", k);
        return session_live_add_line(s, line, err);
    }
    snprintf(line, sizeof line, "%s %ld", whole, e);
    if (session_live_add_line(s, line, err))
        return -1;
    if (b.cursor == 0)
        return 0;
    snprintf(line, sizeof line, "step batch %ld", b.steps - row_steps);
    return session_live_add_line(s, line, err);
}

/* The log lines of a train or step whose text does not say what happened:
 * lr changes were made during it (the workbench's + and -), or it was
 * interrupted.  The updates are split at each change, and the change is
 * `optim NAME lr=X schedule=scale` with X exact (fb_fmt_exact), so the
 * replay makes the same updates with the same lr, bit for bit.  nrun marks were made while
 * training ran, the rest after it stopped (a key read in its last epoch).
 * A run that blew up keeps its last part as "the rest of the command", so the
 * replay blows up too.  Fails on out of memory. */
static int relog(Session *s, Pos start, long epochs, long batches, bool verbose, size_t nrun, const TrainOutcome *out,
                 FbErr *err)
{
    LiveLog *lv = &s->live;
    const TrainState *ts = &s->ts;
    const HistRow *last = history_last(&ts->hist);
    Pos at = start, end = {ts->steps, ts->epoch, ts->cursor};
    char line[128], num[40];
    const char *oname = optim_name(s->setup.opt.kind);
    for (size_t i = 0; i <= lv->nmark; i++) {
        if (i == nrun) {
            if (out->end == TRAIN_DIVERGED) {
                long rest = batches ? batches - (at.steps - start.steps) : epochs - (at.epoch - start.epoch);
                snprintf(line, sizeof line, "%s %ld", batches ? "step batch" : verbose ? "train" : "step", rest);
                if (session_live_add_line(s, line, err))
                    return -1;
            } else if (log_segment(s, batches > 0, verbose, at, end, last ? last->steps : -1, err)) {
                return -1;
            }
            at = end;
        }
        if (i == lv->nmark)
            break;
        const LrMark *m = &lv->mark[i];
        Pos b = {m->steps, m->epoch, m->cursor};
        if (i < nrun && log_segment(s, batches > 0, verbose, at, b, -1, err))
            return -1;
        if (i < nrun)
            at = b;
        snprintf(line, sizeof line, "optim %s lr=%s schedule=scale", oname, fb_fmt_exact(num, sizeof num, m->lr));
        if (session_live_add_line(s, line, err))
            return -1;
    }
    return 0;
}

/* until=: check it parses and its names exist before training starts, and keep it in tc for on_epoch.
 * Fails with err at the column in the expression. */
static int until_prepare(Interp *it, const Tok *until, TrainCtx *tc, FbErr *err)
{
    if (!until)
        return 0;
    tc->until = until->val;
    tc->until_col = until->vcol;
    double v;
    if (expr_eval(tc->until, interp_lookup, it, &v, NULL, 0, err)) {
        err->col = until->vcol + (err->col > 0 ? err->col - 1 : 0);
        return -1;
    }
    return 0;
}

/* What one run of train_run asked for and what came of it. */
typedef struct Run {
    long epochs, batches, patience;
    bool verbose;
    TrainOutcome out;
    double secs;        /* wall time of train_run */
    double start_loss;  /* the training loss before (NaN when unknown) */
} Run;

/* Run the training with the live log open and the front end told, then log the run as lines that replay it
 * when lr keys or an interrupt split it.  Returns train_run's status (err filled on failure). */
static int train_live(Interp *it, TrainCtx *tc, const TrainData *data, Run *r, FbErr *err)
{
    Session *s = it->s;
    TrainHooks hooks = {.stop = it->interrupt, .on_epoch = on_epoch, .on_batch = on_batch, .ctx = tc};
    if (it->interrupt)
        *it->interrupt = 0;
    /* Open the live log: lr changes made from here on are marked for the log. */
    session_live_open(s, r->patience > 0 ? "the lr keys are off during train patience=: "
                                           "a replay could not stop early at the same epoch"
                                         : NULL);
    Pos start = {s->ts.steps, s->ts.epoch, s->ts.cursor};
    tc->per_batch = r->batches > 0;
    it->work_done = 0;
    it->work_total = r->batches ? r->batches : r->epochs;
    if (it->fe && it->fe->train_begin)
        it->fe->train_begin(it->fe->ctx, it);
    r->start_loss = s->ts.now.valid ? s->ts.now.train_loss : NAN;
    double t0 = wall();
    int rc = train_run(&s->ts, &s->setup, data, &s->work, r->epochs, r->batches, r->patience, &hooks, &r->out, err);
    r->secs = wall() - t0;
    size_t nrun = s->live.nmark;
    if (it->fe && it->fe->train_end)
        it->fe->train_end(it->fe->ctx, it);
    it->work_done = it->work_total = 0;
    session_live_shut(s);
    if (!rc && (s->live.nmark || r->out.end == TRAIN_INTERRUPTED)) {
        FbErr lerr;
        if (relog(s, start, r->epochs, r->batches, r->verbose, nrun, &r->out, &lerr)) {
            session_live_clear(s);
            sink_printf(it->err, "warning: %s: the session log keeps the command as typed, so save session will "
                                 "not replay this run exactly\n",
                        lerr.msg);
        }
    }
    return rc;
}

/* The notes and the summary line after a run, describing the parameters as they are now (after a restore:
 * the best epoch's). */
static void train_report(Interp *it, const TrainCtx *tc, const Run *r, size_t nrows)
{
    Session *s = it->s;
    const TrainOutcome *out = &r->out;
    const TrainNow *now = &s->ts.now;
    if (out->end == TRAIN_DIVERGED || out->end == TRAIN_EARLY_STOP || out->end == TRAIN_INTERRUPTED)
        sink_printf(it->err, "%s: %s%s\n", out->end == TRAIN_DIVERGED ? "warning" : "note", out->msg,
                    out->end == TRAIN_DIVERGED && s->prep_spec.scale == SCALE_NONE
                        ? ", or scale the features (scale standard)"
                        : "");
    else if (out->restored)
        sink_printf(it->err, "note: restored the weights of epoch %ld, the lowest val_loss of this run (%s), as "
                             "patience= does whenever training ends\n",
                    out->best_epoch, NUM(it, now->val_loss));
    if (tc->until_hit)
        sink_printf(it->out, "until %s: holds after epoch %ld\n", tc->until, s->ts.epoch);
    if (out->end == TRAIN_DONE && !out->restored && now->train_loss > 1e3 * r->start_loss && r->start_loss > 0)
        sink_printf(it->err, "warning: the loss grew from %s to %s during this run: the learning rate (%s) is "
                             "probably too large\n",
                    NUM(it, r->start_loss), NUM(it, now->train_loss), NUM(it, history_last(&s->ts.hist)->lr));
    if (!r->verbose || it->quiet || (it->fe && it->fe->train_epoch) || out->end != TRAIN_DONE || out->restored) {
        if (r->batches)
            sink_printf(it->out, "%ld update%s: epoch %ld, row %zu of %zu", out->batches, out->batches == 1 ? "" : "s",
                        s->ts.epoch, s->ts.cursor, nrows);
        else
            sink_printf(it->out, "epoch %ld", s->ts.epoch);
        if (out->restored)
            sink_printf(it->out, " (weights of epoch %ld)", out->best_epoch);
        sink_printf(it->out, "  train_loss %s", NUM(it, now->train_loss));
        if (!isnan(now->val_loss))
            sink_printf(it->out, "  val_loss %s", NUM(it, now->val_loss));
        sink_printf(it->out, "\n");
    }
    if (r->verbose && s->set.timing && out->epochs > 0)
        sink_printf(it->out, "%ld epoch%s in %.4g s\n", out->epochs, out->epochs == 1 ? "" : "s", r->secs);
}

/* The shared body of step and train. */
static int run_training(Interp *it, long epochs, long batches, long patience, const Tok *until, bool verbose,
                        FbErr *err)
{
    Session *s = it->s;
    if (session_need_model(s, err))
        return -1;
    TrainData data;
    session_train_data(s, &data);
    TrainCtx tc = {.it = it, .total = epochs, .first_epoch = s->ts.epoch};
    if (until_prepare(it, until, &tc, err) || session_path_mark(s, err))
        return -1;
    if (!verbose)
        tc.total = 0;
    Run r = {.epochs = epochs, .batches = batches, .patience = patience, .verbose = verbose};
    int rc = train_live(it, &tc, &data, &r, err);
    /* At the prompt Ctrl-C ends only the training; in a script it also ends
     * the script, so the flag stays up for the script loop to see. */
    if (it->interrupt && it->interactive)
        *it->interrupt = 0;
    if (rc)
        return -1;
    if (tc.until_failed) {
        *err = tc.until_err;
        err->col = tc.until_col + (err->col > 0 ? err->col - 1 : 0);
        return -1;
    }
    if (session_refresh(s, err))
        return -1;
    train_report(it, &tc, &r, data.n);
    return 0;
}

int cmd_step(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[3];
    int np = args_positional(a, pos, 3);
    bool batch = np > 0 && strcmp(pos[0]->text, "batch") == 0;
    const Tok *nt = np > (batch ? 1 : 0) ? pos[batch ? 1 : 0] : NULL;
    if (np > (batch ? 2 : 1))
        return command_usage_error(err, row, pos[1]->col, NULL);
    long n = 1;
    if (nt && (!fb_parse_long(nt->text, &n) || n < 1 || n > TRAIN_MAX_COUNT))
        return fb_fail_at(err, nt->col, "%s takes a number of %s: a whole number from 1 to %ld, in digits (got '%s')",
                          batch ? "step batch" : "step", batch ? "updates" : "epochs", TRAIN_MAX_COUNT, nt->text);
    return run_training(it, batch ? 0 : n, batch ? n : 0, 0, NULL, false, err);
}

int cmd_train(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[1];
    int np = args_positional(a, pos, 1); /* 0 or 1: command_run checked */
    long n = 100, patience = 0;
    if (np && (!fb_parse_long(pos[0]->text, &n) || n < 1 || n > TRAIN_MAX_COUNT))
        return fb_fail_at(err, pos[0]->col, "train takes a number of epochs: a whole number from 1 to %ld, in digits "
                                            "(got '%s')",
                          TRAIN_MAX_COUNT, pos[0]->text);
    args_long(a, "patience", &patience);
    return run_training(it, n, 0, patience, args_opt(a, "until"), true, err);
}

int cmd_reset(Interp *it, const Command *row, Args *a, FbErr *err)
{
    if (session_need_model(it->s, err) || session_build(it->s, err))
        return -1;
    sink_printf(it->out, "reset: parameters re-initialised, history cleared\n");
    return 0;
}

int cmd_undo(Interp *it, const Command *row, Args *a, FbErr *err)
{
    if (it->nundo == 0)
        return fb_fail(err, "nothing to undo");
    Session *snap = it->undo[--it->nundo];
    session_free(it->s);
    *it->s = *snap;
    free(snap);
    /* The undone state is gone: history rows past the longest prefix still held (by this state and the
     * older snapshots sharing its rows) are nobody's, so training on writes them in place, not in a copy. */
    size_t keep = 0;
    for (int i = 0; i < it->nundo; i++)
        if (history_shares(&it->undo[i]->ts.hist, &it->s->ts.hist) && it->undo[i]->ts.hist.n > keep)
            keep = it->undo[i]->ts.hist.n;
    history_trim(&it->s->ts.hist, keep);
    const char *what = it->s->nlog ? it->s->log[it->s->nlog - 1] : "the start";
    sink_printf(it->out, "undone: back to the state after '%s'\n", what);
    return 0;
}

int cmd_solve(Interp *it, const Command *row, Args *a, FbErr *err)
{
    Session *s = it->s;
    if (session_need_model(s, err))
        return -1;
    if (s->mspec.kind != MODEL_LINEAR || s->setup.loss.kind != LOSS_MSE)
        return fb_fail(err, "solve is the closed form of least squares: it needs model linear and loss mse "
                            "(this is model %s with loss %s)",
                       model_kind_name(s->mspec.kind), loss_name(s->setup.loss.kind));
    const OptCfg *o = &s->setup.opt;
    if (o->kind == OPT_ADAMW && o->weight_decay > 0)
        return fb_fail(err, "adamw's decoupled weight decay has no closed-form optimum; use optim sgd "
                            "weight_decay=%g for ridge",
                       o->weight_decay);
    const LossCfg *lc = &s->setup.loss;
    if (lc->l1 > 0)
        return fb_fail(err, "solve has no closed form for the l1 penalty (|w| has a kink at 0): train with it "
                            "(train 500, say), or set loss mse l1=0");
    const Part *p = &s->prep->train;
    Model *m = &s->ts.model;
    size_t d = m->sizes[0], k = m->sizes[1];
    /* Gradient descent on mean((z - y)^2) over n*k values + l2 sum w^2, with weight decay wd on every
     * parameter, stops where the gradient times n k / 2 vanishes: (A^T A + diag(lw I, lb)) theta = A^T y
     * with lb = wd n k / 2 on the intercepts and lw = lb + l2 n k on the weights (docs/math.md). */
    double lambda = o->weight_decay * (double)p->n * (double)k / 2.0;
    double lw = lambda + lc->l2 * (double)p->n * (double)k;
    bool apply = true;
    args_bool(a, "apply", &apply);
    double *theta = fb_malloc(m->nparams, sizeof *theta, "the solution", err);
    if (!theta)
        return -1;
    LinalgInfo info;
    if (linalg_ridge_info(p->X, p->Y, p->n, d, k, lw, lambda, theta + m->woff[0], theta + m->boff[0], &info, err)) {
        free(theta);
        return -1;
    }
    if (info.ndep > 0) {
        /* One line naming the columns (the first few), before the result. */
        sink_printf(it->out, "%zu column%s %s linear combination%s of others (", info.ndep, info.ndep > 1 ? "s" : "",
                    info.ndep > 1 ? "are" : "is a", info.ndep > 1 ? "s" : "");
        for (size_t i = 0; i < info.ndep && i < 8; i++)
            sink_printf(it->out, "%s%s", i ? ", " : "", s->prep->names[info.dep[i]]);
        sink_printf(it->out, "%s): minimum-norm solution\n", info.ndep > 8 ? ", ..." : "");
    }
    linalg_info_free(&info);
    if (!apply) {
        /* Only the optimum's loss, for the reference line; the parameters stay. */
        double *keep = m->params, loss;
        TrainData td;
        session_train_data(s, &td);
        m->params = theta;
        int rc = train_eval(m, &s->setup.loss, td.X, td.Y, td.n, td.ky, &s->work, &loss, false, err);
        m->params = keep;
        free(theta);
        if (rc)
            return -1;
        session_set_optimum(s, loss);
        sink_printf(it->out, "closed-form optimum: train_loss %s (parameters unchanged)\n", NUM(it, loss));
        return 0;
    }
    memcpy(m->params, theta, m->nparams * sizeof *theta);
    free(theta);
    /* The parameters jumped: momentum and moment estimates no longer describe them. */
    if (session_fresh_optim(s, err))
        return -1;
    double loss;
    TrainData data;
    session_train_data(s, &data);
    if (train_eval(m, &s->setup.loss, data.X, data.Y, data.n, data.ky, &s->work, &loss, false, err))
        return -1;
    session_set_optimum(s, loss);
    sink_printf(it->out, "solved %s: train_loss %s (%zu parameters)\n",
                lw > lambda ? (lambda > 0 ? "ridge (l2 and weight_decay)" : "ridge (l2)")
                            : lambda > 0 ? "ridge (weight_decay)" : "least squares",
                NUM(it, loss), m->nparams);
    return 0;
}

static void print_eval(Interp *it, const char *name, const Eval *ev, bool header)
{
    if (header) {
        if (ev->cls)
            sink_printf(it->out, "%-6s %7s %12s %10s\n", "split", "rows", "loss", "accuracy");
        else
            sink_printf(it->out, "%-6s %7s %12s %12s %12s %12s %10s\n", "split", "rows", "loss", "mse", "rmse", "mae",
                        "r2");
    }
    if (ev->cls)
        sink_printf(it->out, "%-6s %7zu %12s %10s\n", name, ev->n, NUM(it, ev->loss), NUM(it, ev->c.accuracy));
    else
        sink_printf(it->out, "%-6s %7zu %12s %12s %12s %12s %10s\n", name, ev->n, NUM(it, ev->loss),
                    NUM(it, ev->reg.mse), NUM(it, ev->reg.rmse), NUM(it, ev->reg.mae), NUM(it, ev->reg.r2));
}

int cmd_eval(Interp *it, const Command *row, Args *a, FbErr *err)
{
    Session *s = it->s;
    if (session_need_model(s, err))
        return -1;
    const Tok *pos[2];
    int np = args_positional(a, pos, 2);
    const char *which = np ? pos[0]->text : "all";
    static const char *const names[] = {"train", "val", "test"};
    bool header = true;
    for (int i = 0; i < 3; i++) {
        if (strcmp(which, "all") != 0 && strcmp(which, names[i]) != 0)
            continue;
        const Part *p = part_named(s, names[i]);
        if (p->n == 0) {
            if (strcmp(which, "all") != 0)
                return fb_fail_at(err, pos[0]->col, "there are no %s rows: split val=0.2 test=0.2, say", which);
            continue;
        }
        Eval ev;
        if (evaluate(s, p, &ev, err))
            return -1;
        print_eval(it, names[i], &ev, header);
        header = false;
    }
    return 0;
}
