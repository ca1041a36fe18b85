/* cmd_compare.c — compare: one copy of the session per value of a setting (variant.h), trained side by side on
 * the machine's cores, their curves overlaid and their final losses and metric tabled (docs/commands.md,
 * docs/teaching.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "compare.h"
#include "fitbench/folds.h"
#include "fitbench/strutil.h"

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

/* ---- making the copies ------------------------------------------------------------------ */

static void discard(void *ctx, const char *s, size_t n)
{
    (void)ctx, (void)s, (void)n;
}

/* Run one command line on the copy c, its output discarded.  Fails with the command's own message. */
int on_copy(Interp *it, Session *c, const char *line, FbErr *err)
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
void run_opts(const CompareArgs *ca, const Session *c, char *buf, size_t size)
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
 * history gets rows of its own, so that a run never writes a buffer another copy shares.  Fails (-1,
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
    r->published = 1;
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
    return r->done && r->out.end != TRAIN_INTERRUPTED && r->out.end != TRAIN_STOPPED;
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
            last[w] = r->last;
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
