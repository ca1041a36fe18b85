/* cmd_show.c — show and plot: looking at the state. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/command.h"
#include "fitbench/metrics.h"
#include "fitbench/plotview.h"
#include "fitbench/roc.h"
#include "fitbench/strutil.h"

static void show_data(Interp *it)
{
    const Session *s = it->s;
    const Dataset *ds = s->data;
    const Prepared *p = s->prep;
    /* Names come from the file: a header with an ESC in it must not reach the terminal raw. */
    sink_printf(it->out, "data: %s\n", ds->source ? FB_SHOWN(ds->source) : "(unnamed)");
    sink_printf(it->out, "shape: %zu rows x %zu features; target %s: %s", ds->n, ds->d, FB_SHOWN(ds->ynames[0]),
                task_name(ds->task));
    if (ds->nclasses) {
        sink_printf(it->out, " (");
        for (size_t c = 0; c < ds->nclasses && c < 12; c++)
            sink_printf(it->out, "%s%s", c ? ", " : "", FB_SHOWN(ds->class_names[c]));
        sink_printf(it->out, "%s)", ds->nclasses > 12 ? ", ..." : "");
    }
    sink_printf(it->out, "\nsplit: %zu train, %zu val, %zu test; scale %s; features %zu", p->train.n, p->val.n,
                p->test.n, scale_name(p->spec.scale), p->d);
    if (p->spec.degree >= 1)
        sink_printf(it->out, " (degree %d)\n", p->spec.degree);
    else
        sink_printf(it->out, " (terms: show features)\n");
    /* Summary of the raw columns: what a learner checks before scaling. */
    size_t ncols = ds->d + 1;
    int w = 16; /* the name column: the longest shown name, at most 40 */
    for (size_t j = 0; j < ncols; j++) {
        size_t l = strlen(FB_SHOWN(j == ds->d ? ds->ynames[0] : ds->names[j])) + (j == ds->d ? 9 : 0);
        w = l > (size_t)w ? (l < 40 ? (int)l : 40) : w;
    }
    sink_printf(it->out, "%-*s %12s %12s %12s %12s\n", w, "column", "mean", "std", "min", "max");
    for (size_t j = 0; j < ncols && j < 40; j++) {
        bool tgt = j == ds->d;
        double sum = 0, sq = 0, lo = INFINITY, hi = -INFINITY;
        for (size_t i = 0; i < ds->n; i++) {
            double v = tgt ? ds->y[i * ds->ny] : ds->X[i * ds->d + j];
            sum += v;
            lo = fmin(lo, v);
            hi = fmax(hi, v);
        }
        double mean = sum / (double)ds->n;
        for (size_t i = 0; i < ds->n; i++) {
            double v = (tgt ? ds->y[i * ds->ny] : ds->X[i * ds->d + j]) - mean;
            sq += v * v;
        }
        char name[64];
        snprintf(name, sizeof name, "%s%s", FB_SHOWN(tgt ? ds->ynames[0] : ds->names[j]), tgt ? " (target)" : "");
        sink_printf(it->out, "%-*s %12s %12s %12s %12s\n", w, name, NUM(it, mean), NUM(it, sqrt(sq / (double)ds->n)),
                    NUM(it, lo), NUM(it, hi));
        if (j == 29 && ncols > 40) {
            sink_printf(it->out, "... %zu more columns\n", ncols - 31);
            j = ncols - 2;
        }
    }
}

static void show_params(Interp *it, const double *v, const char *what)
{
    const Session *s = it->s;
    const Model *m = &s->ts.model;
    const Prepared *p = s->prep;
    for (size_t l = 0; l < m->nlayers; l++) {
        size_t out = m->sizes[l + 1], in = m->sizes[l];
        char wn[32] = "W", bn[32] = "b";
        if (m->nlayers > 1) {
            snprintf(wn, sizeof wn, "W%zu", l + 1);
            snprintf(bn, sizeof bn, "b%zu", l + 1);
        }
        const double *W = v + m->woff[l], *b = v + m->boff[l];
        if (out * in > 400) {
            double nw = 0, nb = 0;
            for (size_t i = 0; i < out * in; i++)
                nw += W[i] * W[i];
            for (size_t i = 0; i < out; i++)
                nb += b[i] * b[i];
            sink_printf(it->out, "%s%s (%zu, %zu): norm %s   %s (%zu): norm %s\n", what, wn, out, in, NUM(it, sqrt(nw)),
                        bn, out, NUM(it, sqrt(nb)));
            continue;
        }
        sink_printf(it->out, "%s%s (%zu, %zu):\n", what, wn, out, in);
        for (size_t i = 0; i < out; i++)
            for (size_t j = 0; j < in; j++) {
                const char *nm = l == 0 && p ? FB_SHOWN(p->names[j]) : "";
                sink_printf(it->out, "  %s[%zu,%zu] %-14s %s\n", wn, i, j, nm, NUM(it, W[i * in + j]));
            }
        sink_printf(it->out, "%s%s (%zu):\n", what, bn, out);
        for (size_t i = 0; i < out; i++)
            sink_printf(it->out, "  %s[%zu] %s\n", bn, i, NUM(it, b[i]));
    }
}

static void show_history(Interp *it)
{
    const History *h = &it->s->ts.hist;
    sink_printf(it->out, "%6s %8s %14s %14s %10s %12s\n", "epoch", "step", "train_loss", "val_loss", "lr", "grad_norm");
    for (size_t i = 0; i < h->n; i++) {
        if (h->n > 40 && i >= 10 && i + 10 < h->n) {
            if (i == 10)
                sink_printf(it->out, "%6s (%zu rows not shown; save history FILE.csv has them all)\n", "...",
                            h->n - 20);
            continue;
        }
        const HistRow *r = &h->rows[i];
        sink_printf(it->out, "%6ld %8ld %14s %14s %10s %12s\n", r->epoch, r->steps, NUM(it, r->train_loss),
                    isnan(r->val_loss) ? "-" : NUM(it, r->val_loss), NUM(it, r->lr), NUM(it, r->grad_norm));
    }
}

/* More classes than this and `show confusion` prints only the classes with the most true rows (a matrix of
 * thousands of classes printed millions of cells, and asked for K*K counts of memory). */
#define SHOW_CONFUSION_MAX 20

/* The SHOW_CONFUSION_MAX classes with the most rows in truth (n labels in [0, K)), ties to the lower index,
 * written to shown[] in class order.  count is (3, K) scratch: true rows, predictions, hits per class. */
static void confusion_pick(const int *pred, const int *truth, size_t n, size_t K, size_t *count, size_t *shown)
{
    size_t *actual = count, *predicted = count + K, *hit = count + 2 * K;
    for (size_t i = 0; i < n; i++) {
        if (truth[i] < 0 || (size_t)truth[i] >= K || pred[i] < 0 || (size_t)pred[i] >= K)
            continue; /* (no such labels: the model has K outputs) */
        actual[truth[i]]++;
        predicted[pred[i]]++;
        hit[truth[i]] += pred[i] == truth[i];
    }
    bool taken[SHOW_CONFUSION_MAX] = {false};
    size_t top[SHOW_CONFUSION_MAX];
    for (size_t t = 0; t < SHOW_CONFUSION_MAX; t++) { /* selection: K * 20 steps */
        size_t best = K;
        for (size_t c = 0; c < K; c++) {
            bool used = false;
            for (size_t u = 0; u < t && !used; u++)
                used = top[u] == c;
            if (!used && (best == K || actual[c] > actual[best]))
                best = c;
        }
        top[t] = best;
    }
    for (size_t t = 0; t < SHOW_CONFUSION_MAX; t++) { /* class order */
        size_t low = SHOW_CONFUSION_MAX;
        for (size_t u = 0; u < SHOW_CONFUSION_MAX; u++)
            if (!taken[u] && (low == SHOW_CONFUSION_MAX || top[u] < top[low]))
                low = u;
        taken[low] = true;
        shown[t] = top[low];
    }
}

/* show confusion when there are more than SHOW_CONFUSION_MAX classes: the classes with the most rows, a column
 * for predictions of the classes not shown, a line saying what was left out; memory O(K), not O(K*K). */
static int show_confusion_top(Interp *it, const int *pred, const int *truth, size_t n, size_t K, FbErr *err)
{
    const Session *s = it->s;
    size_t *count = fb_calloc(3 * K, sizeof *count, "class counts", err);
    if (!count)
        return -1;
    size_t shown[SHOW_CONFUSION_MAX], cell[SHOW_CONFUSION_MAX + 1], col_of_rest = SHOW_CONFUSION_MAX;
    confusion_pick(pred, truth, n, K, count, shown);
    size_t rows_shown = 0, hits = 0;
    sink_printf(it->out, "%-14s", "");
    for (size_t c = 0; c < SHOW_CONFUSION_MAX; c++)
        sink_printf(it->out, " %8.8s", FB_SHOWN(s->data->class_names[shown[c]]));
    sink_printf(it->out, " %8s %10s %10s\n", "other", "precision", "recall");
    for (size_t r = 0; r < SHOW_CONFUSION_MAX; r++) {
        size_t tc = shown[r];
        memset(cell, 0, sizeof cell);
        for (size_t i = 0; i < n; i++) {
            if ((size_t)truth[i] != tc)
                continue;
            size_t c = 0;
            while (c < SHOW_CONFUSION_MAX && shown[c] != (size_t)pred[i])
                c++;
            cell[c < SHOW_CONFUSION_MAX ? c : col_of_rest]++;
        }
        sink_printf(it->out, "%-14.14s", FB_SHOWN(s->data->class_names[tc]));
        for (size_t c = 0; c <= SHOW_CONFUSION_MAX; c++)
            sink_printf(it->out, " %8zu", cell[c]);
        double prec = count[K + tc] ? (double)count[2 * K + tc] / (double)count[K + tc] : 0.0;
        double rec = count[tc] ? (double)count[2 * K + tc] / (double)count[tc] : 0.0;
        sink_printf(it->out, " %10s %10s\n", NUM(it, prec), NUM(it, rec));
        rows_shown += count[tc];
    }
    for (size_t c = 0; c < K; c++)
        hits += count[2 * K + c];
    sink_printf(it->out, "(%zu classes: the %d with the most rows are shown; the other %zu classes hold %zu of the %zu rows; "
                "'other' counts predictions of classes not shown)\n",
                K, SHOW_CONFUSION_MAX, K - SHOW_CONFUSION_MAX, n - rows_shown, n);
    sink_printf(it->out, "accuracy %s\n", NUM(it, n ? (double)hits / (double)n : NAN));
    free(count);
    return 0;
}

/* The confusion matrix conf (K, K) with each class's precision, recall, F1 and support, then the macro and
 * weighted averages (scikit-learn's classification_report; roc.h). */
static void show_confusion_table(Interp *it, const size_t *conf, size_t K)
{
    const Dataset *ds = it->s->data;
    double *v = malloc(3 * K * sizeof *v), avg[2][3];
    size_t *support = malloc(K * sizeof *support);
    if (!v || !support) { /* the table without the scores */
        free(v), free(support);
        v = NULL, support = NULL;
    } else {
        report_scores(conf, K, v, v + K, v + 2 * K, support, avg);
    }
    sink_printf(it->out, "%-14s", "");
    for (size_t c = 0; c < K; c++)
        sink_printf(it->out, " %8.8s", FB_SHOWN(ds->class_names[c]));
    sink_printf(it->out, v ? " %10s %10s %10s %8s\n" : "\n", "precision", "recall", "f1", "support");
    for (size_t r = 0; r < K; r++) {
        sink_printf(it->out, "%-14.14s", FB_SHOWN(ds->class_names[r]));
        for (size_t c = 0; c < K; c++)
            sink_printf(it->out, " %8zu", conf[r * K + c]);
        if (v)
            sink_printf(it->out, " %10s %10s %10s %8zu", NUM(it, v[r]), NUM(it, v[K + r]), NUM(it, v[2 * K + r]),
                        support[r]);
        sink_printf(it->out, "\n");
    }
    for (int w = 0; v && w < 2; w++)
        sink_printf(it->out, "%-*s %10s %10s %10s\n", 14 + 9 * (int)K, w ? "weighted avg" : "macro avg",
                    NUM(it, avg[w][0]), NUM(it, avg[w][1]), NUM(it, avg[w][2]));
    free(v);
    free(support);
}

/* Two classes: the area under the ROC curve of the class-1 score (the logit, or z1 - z0 for two outputs) from Z
 * (n, k).  Fails on out of memory; a split with one class only, or NaN scores, print why instead. */
static int show_auc(Interp *it, const double *Z, size_t k, const int *truth, size_t n, FbErr *err)
{
    double *sc = fb_malloc(n ? n : 1, sizeof *sc, "the scores", err), auc;
    if (!sc)
        return -1;
    for (size_t i = 0; i < n; i++)
        sc[i] = k == 1 ? Z[i] : Z[i * k + 1] - Z[i * k];
    FbErr e2;
    if (roc_auc(sc, truth, n, &auc, &e2) == 0)
        sink_printf(it->out, "roc_auc %s\n", NUM(it, auc));
    else
        sink_printf(it->out, "roc_auc undefined: %s\n", e2.msg);
    free(sc);
    return 0;
}

static int show_confusion(Interp *it, FbErr *err)
{
    Session *s = it->s;
    LossKind lk = s->setup.loss.kind;
    if (lk != LOSS_CE && lk != LOSS_BCE && lk != LOSS_HINGE)
        return fb_fail(err, "show confusion is for classification (this model uses loss %s)", loss_name(lk));
    const Part *p = s->prep->val.n ? &s->prep->val : &s->prep->train;
    Model *m = &s->ts.model;
    size_t K = s->data->nclasses, k = m->sizes[m->nlayers];
    double *Z = fb_malloc(p->n * k, sizeof *Z, "predictions", err);
    int *pred = Z ? fb_malloc(p->n, sizeof *pred, "predictions", err) : NULL;
    int *truth = pred ? fb_malloc(p->n, sizeof *truth, "labels", err) : NULL;
    bool top = K > SHOW_CONFUSION_MAX;
    size_t *conf = truth && !top ? fb_calloc(K * K, sizeof *conf, "the confusion matrix", err) : NULL;
    double *pr = conf ? fb_malloc(2 * K, sizeof *pr, "precision and recall", err) : NULL;
    int rc = -1;
    if (!truth || (!top && !pr) || train_predict(m, p->X, p->n, Z, &s->work, err))
        goto out;
    metrics_argmax(Z, p->n, k, pred);
    for (size_t i = 0; i < p->n; i++)
        truth[i] = (int)p->L[i];
    if (top) {
        sink_printf(it->out, "confusion on the %s split (rows: true class, columns: predicted)\n",
                    p == &s->prep->val ? "val" : "train");
        rc = show_confusion_top(it, pred, truth, p->n, K, err);
        goto out;
    }
    ClsMetrics cm;
    metrics_classification(pred, truth, p->n, K, conf, pr, pr + K, &cm);
    sink_printf(it->out, "confusion on the %s split (rows: true class, columns: predicted)\n",
                p == &s->prep->val ? "val" : "train");
    show_confusion_table(it, conf, K);
    sink_printf(it->out, "accuracy %s\n", NUM(it, cm.accuracy));
    rc = K == 2 ? show_auc(it, Z, k, truth, p->n, err) : 0;
out:
    free(Z);
    free(pred);
    free(truth);
    free(conf);
    free(pr);
    return rc;
}

static void show_config(Interp *it)
{
    const Session *s = it->s;
    if (s->data)
        sink_printf(it->out, "data      %s\n", s->data->source ? FB_SHOWN(s->data->source) : "(unnamed)");
    const PrepSpec *ps = &s->prep_spec;
    sink_printf(it->out, "split     val=%s test=%s seed=%llu\n", NUM(it, ps->val), NUM(it, ps->test),
                (unsigned long long)ps->seed);
    sink_printf(it->out, "scale     %s\n", scale_name(ps->scale));
    if (ps->degree >= 1)
        sink_printf(it->out, "features  degree %d\n", ps->degree);
    else
        sink_printf(it->out, "features  %zu terms (show features)\n", ps->terms ? ps->terms->n : 0);
    if (s->mspec.set)
        sink_printf(it->out, "model     %s\n", model_kind_name(s->mspec.kind));
    char lt[160];
    sink_printf(it->out, "loss      %s\n", loss_text(&s->setup.loss, s->set.precision, lt, sizeof lt));
    char ob[512]; /* every option, as optim takes them back */
    sink_printf(it->out, "optim     %s\n", optim_text(&s->setup.opt, s->set.precision, ob, sizeof ob));
    sink_printf(it->out, "schedule  %s\n", sched_text(&s->setup.sched, s->set.precision, ob, sizeof ob));
    if (s->setup.batch)
        sink_printf(it->out, "batch     %zu shuffle=%s\n", s->setup.batch, s->setup.shuffle ? "yes" : "no");
    else
        sink_printf(it->out, "batch     full\n");
    sink_printf(it->out, "set       seed=%llu precision=%d bail=%s echo=%s timing=%s threads=%d\n",
                (unsigned long long)s->set.seed, s->set.precision, s->set.bail ? "yes" : "no",
                s->set.echo ? "yes" : "no", s->set.timing ? "yes" : "no", s->set.threads);
}

int cmd_show(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[1];
    args_positional(a, pos, 1); /* one show_w word: command_run checked */
    const char *w = pos[0]->text;
    Session *s = it->s;
    if (strcmp(w, "config") == 0) {
        show_config(it);
        return 0;
    }
    if (strcmp(w, "features") == 0)
        return cmd_show_features(it, err);
    if (strcmp(w, "data") == 0) {
        if (session_need_data(s, err))
            return -1;
        show_data(it);
        return 0;
    }
    if (session_need_model(s, err))
        return -1;
    const Model *m = &s->ts.model;
    if (strcmp(w, "model") == 0) {
        sink_printf(it->out, "model %s: ", model_kind_name(m->kind));
        for (size_t l = 0; l <= m->nlayers; l++)
            sink_printf(it->out, "%zu%s", m->sizes[l], l < m->nlayers ? " -> " : "\n");
        for (size_t l = 0; l < m->nlayers; l++)
            sink_printf(it->out, "  layer %zu: Linear(%zu, %zu)%s%s\n", l + 1, m->sizes[l], m->sizes[l + 1],
                        l + 1 < m->nlayers ? " then " : "", l + 1 < m->nlayers ? act_name(m->act) : "");
        sink_printf(it->out, "parameters %zu; loss %s; epoch %ld, %ld updates\n", m->nparams,
                    loss_name(s->setup.loss.kind), s->ts.epoch, s->ts.steps);
    } else if (strcmp(w, "params") == 0) {
        show_params(it, m->params, "");
    } else if (strcmp(w, "grads") == 0) {
        TrainData d;
        session_train_data(s, &d);
        double loss;
        if (train_eval(&s->ts.model, &s->setup.loss, d.X, d.Y, d.n, d.ky, &s->work, &loss, true, err))
            return -1;
        sink_printf(it->out, "gradient of the training loss (%s) at the current parameters; norm %s\n",
                    NUM(it, loss), NUM(it, train_norm(m->grads, m->nparams)));
        show_params(it, m->grads, "d");
    } else if (strcmp(w, "optim") == 0) {
        const OptCfg *c = &s->setup.opt;
        sink_printf(it->out, "optim %s: lr %s (scheduled: %s), %ld steps taken\n", optim_name(c->kind), NUM(it, c->lr),
                    NUM(it, s->ts.sched.lr), s->ts.opt.step);
        char sb[512];
        sink_printf(it->out, "schedule %s, epoch %ld of the schedule\n",
                    sched_text(&s->setup.sched, s->set.precision, sb, sizeof sb), s->ts.sched.epoch);
    } else if (strcmp(w, "history") == 0) {
        show_history(it);
    } else {
        return show_confusion(it, err);
    }
    return 0;
}

/* The name `plot` stores for its words: `metric NAME` is NAME, one word itself; `neuron L,J` is "neuron" with L, J
 * in lj.  Fails with the usage on a second word after anything else, a metric name it does not know, or L,J that
 * are not two whole numbers. */
static int plot_name(const Command *row, const Tok *const *pos, int np, char *name, size_t size, long lj[2],
                     FbErr *err)
{
    static const char *const metric_w[] = {"accuracy", "f1", "r2", "rmse", NULL}; /* for the suggestion */
    MetricTask mt;
    int mi;
    bool metric = np && strcmp(pos[0]->text, "metric") == 0, neuron = np && strcmp(pos[0]->text, "neuron") == 0;
    if (np == 2 && !metric && !neuron)
        return command_usage_error(err, row, pos[1]->col, "plot %s takes no second word", pos[0]->text);
    if ((metric || neuron) && np < 2)
        return command_usage_error(err, row, pos[0]->col, metric ? "plot metric needs a name: accuracy, f1, r2 or rmse"
                                                                 : "plot neuron needs L,J: layer L (1 = the first "
                                                                   "hidden), neuron J (from 0)");
    if (metric && metric_from_name(pos[1]->text, &mt, &mi) < 0) {
        const char *sug = fb_suggest(pos[1]->text, metric_w);
        if (sug)
            return fb_fail_at(err, pos[1]->col, "unknown metric '%s' (did you mean '%s'?)", pos[1]->text, sug);
        return fb_fail_at(err, pos[1]->col, "unknown metric '%s': the history has accuracy, f1, r2 and rmse",
                          pos[1]->text);
    }
    int used = 0;
    if (neuron && (sscanf(pos[1]->text, "%ld,%ld%n", &lj[0], &lj[1], &used) != 2 || pos[1]->text[used] ||
                   lj[0] < 0 || lj[1] < 0))
        return fb_fail_at(err, pos[1]->col, "plot neuron takes L,J as two whole numbers, e.g. 1,3 (got '%s')",
                          pos[1]->text);
    if (np)
        snprintf(name, size, "%s", pos[metric ? 1 : 0]->text);
    return 0;
}

int cmd_plot(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[2];
    int np = args_positional(a, pos, 2); /* 0..2: command_run checked */
    Session *s = it->s;
    char name[sizeof s->plot];
    snprintf(name, sizeof name, "%s", s->plot);
    long lj[2] = {s->plot_neuron[0], s->plot_neuron[1]}, oldlj[2] = {s->plot_neuron[0], s->plot_neuron[1]};
    if (plot_name(row, pos, np, name, sizeof name, lj, err))
        return -1;
    s->plot_neuron[0] = lj[0], s->plot_neuron[1] = lj[1];
    /* plot is not undoable: remember the old choice and put it back if the new one cannot be drawn. */
    char old[16], oldx[64], old1[32], old2[32], oldpts[8];
    bool oldlog = s->plot_logy, oldhard = s->plot_hard;
    memcpy(oldpts, s->plot_points, sizeof oldpts);
    memcpy(old, s->plot, sizeof old);
    memcpy(oldx, s->plot_x, sizeof oldx);
    memcpy(old1, s->plot_p1, sizeof old1);
    memcpy(old2, s->plot_p2, sizeof old2);
    memcpy(s->plot, name, sizeof name);
    bool logy = false;
    s->plot_logy = args_bool(a, "log", &logy) ? logy : false;
    const char *v;
    if ((v = args_str(a, "x")))
        snprintf(s->plot_x, sizeof s->plot_x, "%s", v);
    if ((v = args_str(a, "p1")))
        snprintf(s->plot_p1, sizeof s->plot_p1, "%s", v);
    if ((v = args_str(a, "p2")))
        snprintf(s->plot_p2, sizeof s->plot_p2, "%s", v);
    if (np) { /* a new plot command: the boundary's options are its own */
        s->plot_points[0] = '\0';
        s->plot_hard = false;
    }
    if ((v = args_str(a, "points")))
        snprintf(s->plot_points, sizeof s->plot_points, "%s", v);
    args_bool(a, "hard", &s->plot_hard);
    /* Check that it can be drawn (data, model, names) before showing it. */
    PlotView pv;
    bool xgiven = args_str(a, "x") != NULL, pgiven = args_str(a, "p1") || args_str(a, "p2");
    if (plotview_build_sized(s, &pv, 8, 8, err) ||
        (plotview_free(&pv), plotview_check_names(s, xgiven, pgiven, err))) {
        memcpy(s->plot, old, sizeof old);
        memcpy(s->plot_x, oldx, sizeof oldx);
        memcpy(s->plot_p1, old1, sizeof old1);
        memcpy(s->plot_p2, old2, sizeof old2);
        memcpy(s->plot_points, oldpts, sizeof oldpts);
        s->plot_hard = oldhard;
        s->plot_logy = oldlog;
        s->plot_neuron[0] = oldlj[0], s->plot_neuron[1] = oldlj[1];
        return -1;
    }
    if (it->fe && it->fe->redraw) {
        it->fe->redraw(it->fe->ctx, it);
        return 0;
    }
    /* The network takes 100 columns: six hidden layers of 8 need them (docs/plots.md). */
    bool net = !strcmp(s->plot, "network");
    char *text = plotview_text(s, net ? 100 : 78, net ? 40 : plotview_is_heat(s) ? 30 : 20, err);
    if (!text)
        return -1;
    sink_printf(it->out, "%s\n", text);
    free(text);
    return 0;
}
