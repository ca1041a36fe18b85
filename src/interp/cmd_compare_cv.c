/* cmd_compare_cv.c — compare ... cv=K (compare.h): every value through the K folds of `cv` (cvfold.h), the
 * (value, fold) pairs trained side by side in waves, each value's mean and standard deviation tabled. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "fitbench/folds.h"
#include "fitbench/par.h"
#include "fitbench/strutil.h"

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
        if (!r->done || r->fr.end == TRAIN_INTERRUPTED || r->fr.end == TRAIN_STOPPED)
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
int compare_cv(Interp *it, const CompareArgs *ca, Curves *cv, FbErr *err)
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

