/* plotcurves.c — plot validation, learning and path: the outcome of the last `compare` against the knob it
 * turned.  validation: the final score (accuracy or r2) on the training and validation rows against the
 * values, with the folds' spread (mean ± std) after cv=; learning: the same against the training rows
 * (compare train_size=...); path: each weight's final value against the values (the regularisation path of
 * weight_decay=, l1=, l2=).  Log x when the values are positive and span two decades or more. */
#include "fitbench/plotview.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool plotcurves_is(const char *plot)
{
    return !strcmp(plot, "validation") || !strcmp(plot, "learning") || !strcmp(plot, "path");
}

/* The x of curve k: the training rows (learning), else the value as a number. */
static double knob_x(const Curve *k, bool learning) { return learning ? k->rows : k->xval; }

/* The order of the n curves by x (insertion sort; n <= CURVES_MAX), into ord. */
static void by_x(const Curves *cv, bool learning, size_t *ord)
{
    size_t n = cv->ncurves;
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        for (; j > 0 && knob_x(&cv->c[ord[j - 1]], learning) > knob_x(&cv->c[i], learning); j--)
            ord[j] = ord[j - 1];
        ord[j] = i;
    }
}

/* Do the xs allow a chart (all numbers), and do they span decades (all > 0, max/min >= 100)? */
static bool xs_ok(const Curves *cv, bool learning, bool *logx)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < cv->ncurves; i++) {
        double x = knob_x(&cv->c[i], learning);
        if (!isfinite(x))
            return false;
        lo = fmin(lo, x), hi = fmax(hi, x);
    }
    *logx = lo > 0 && hi / lo >= 100;
    return true;
}

/* Add series name from column j of every curve's final (mean) value, in x order; with spread, the mean ± std as
 * two more series (one named) in style sst.  xs, y and the band arrays lie in buf. */
static int add_score(Chart *c, const Curves *cv, const size_t *ord, const double *xs, double *buf, int j,
                     const char *name, SeriesStyle st, const char *bname, SeriesStyle sst, FbErr *err)
{
    size_t n = cv->ncurves;
    double *y = buf, *lo = buf + n, *hi = buf + 2 * n;
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        const Curve *k = &cv->c[ord[i]];
        y[i] = k->final[j];
        lo[i] = k->final[j] - k->spread[j];
        hi[i] = k->final[j] + k->spread[j];
        any = any || isfinite(y[i]);
    }
    if (!any)
        return 0;
    if (chart_add_series(c, name, xs, y, n, st, err) < 0)
        return -1;
    if (cv->folds && (chart_add_series(c, bname, xs, hi, n, sst, err) < 0 ||
                      chart_add_series(c, NULL, xs, lo, n, sst, err) < 0))
        return -1;
    return 0;
}

/* plot validation / learning: train and val score against the values or the training rows. */
static int build_scores(const Session *s, PlotView *pv, bool learning, FbErr *err)
{
    const Curves *cv = s->compare;
    Chart *c = &pv->chart;
    size_t n = cv->ncurves, ord[CURVES_MAX];
    bool logx;
    if (!xs_ok(cv, learning, &logx)) {
        snprintf(pv->title, sizeof pv->title, "validation: the values of %s are not numbers (compare lr=0.01,0.1, "
                 "degree=1,2,3, say)", cv->key);
        return 0;
    }
    by_x(cv, learning, ord);
    pv->buf = malloc(7 * n * sizeof(double));
    if (!pv->buf)
        return fb_fail(err, "out of memory for the plot");
    double *xs = pv->buf;
    for (size_t i = 0; i < n; i++)
        xs[i] = knob_x(&cv->c[ord[i]], learning);
    c->logx = logx;
    snprintf(pv->xlabel, sizeof pv->xlabel, "%s%s", learning ? "training rows" : cv->key, logx ? " (log scale)" : "");
    snprintf(pv->ylabel, sizeof pv->ylabel, "%s", cv->score);
    c->xlabel = pv->xlabel, c->ylabel = pv->ylabel;
    snprintf(pv->title, sizeof pv->title, "%s curve: %s against %s%s", learning ? "learning" : "validation",
             cv->score, learning ? "training rows" : cv->key, cv->folds ? " (folds' mean ± std)" : "");
    snprintf(pv->names[0], sizeof pv->names[0], "train ± std");
    snprintf(pv->names[1], sizeof pv->names[1], "val ± std");
    if (add_score(c, cv, ord, xs, pv->buf + n, 2, "train", SERIES_LINE, pv->names[0], SERIES_DOTTED, err) ||
        add_score(c, cv, ord, xs, pv->buf + 4 * n, 3, "val", SERIES_DASHED, pv->names[1], SERIES_LONGDASH, err))
        return -1;
    snprintf(pv->note, sizeof pv->note, "%s after compare %s%s%s", cv->score, cv->key, cv->folds ? " cv=" : "",
             cv->folds ? "K: the folds' mean, and mean ± std" : ": each run's final value");
    return 0;
}

/* Can the runs draw a path: one model (the same weights in each), numeric values? */
static const char *path_refused(const Curves *cv)
{
    if (cv->folds)
        return "after compare ... cv= there are no single runs' weights (compare without cv=)";
    for (size_t i = 0; i < cv->ncurves; i++)
        if (!cv->c[i].w || cv->c[i].nw != cv->c[0].nw || !cv->c[0].nw)
            return "the runs have different weights (compare a penalty or an optimizer option: weight_decay=...)";
    return NULL;
}

/* The session's name of weight number q (biases left out), when its model has the runs' shape. */
static void weight_name(const Model *m, size_t nw, size_t q, char *buf, size_t size)
{
    size_t have = 0;
    for (size_t l = 0; l < m->nlayers; l++)
        have += m->boff[l] - m->woff[l];
    snprintf(buf, size, "w%zu", q);
    for (size_t l = 0; have == nw && l < m->nlayers; l++) {
        size_t len = m->boff[l] - m->woff[l];
        if (q < len) {
            model_param_name(m, m->woff[l] + q, buf, size);
            return;
        }
        q -= len;
    }
}

/* Weights plot path draws: one per line style, so they stay apart without colour. */
#define PATH_MAX_WEIGHTS 6

/* plot path: each weight's final value against the values (the first PATH_MAX_WEIGHTS weights). */
static int build_path(const Session *s, PlotView *pv, FbErr *err)
{
    static const SeriesStyle st[PATH_MAX_WEIGHTS] = {SERIES_LINE,     SERIES_DASHED, SERIES_DOTTED,
                                                     SERIES_LONGDASH, SERIES_POINTS, SERIES_CROSSES};
    const Curves *cv = s->compare;
    Chart *c = &pv->chart;
    const char *why = path_refused(cv);
    bool logx;
    if (why || !xs_ok(cv, false, &logx)) {
        snprintf(pv->title, sizeof pv->title, "path: %s", why ? why : "the values are not numbers");
        return 0;
    }
    size_t n = cv->ncurves, nw = cv->c[0].nw, show = nw < PATH_MAX_WEIGHTS ? nw : PATH_MAX_WEIGHTS, ord[CURVES_MAX];
    by_x(cv, false, ord);
    pv->buf = malloc((1 + show) * n * sizeof(double));
    if (!pv->buf)
        return fb_fail(err, "out of memory for the plot");
    double *xs = pv->buf;
    for (size_t i = 0; i < n; i++)
        xs[i] = cv->c[ord[i]].xval;
    c->logx = logx;
    snprintf(pv->xlabel, sizeof pv->xlabel, "%s%s", cv->key, logx ? " (log scale)" : "");
    c->xlabel = pv->xlabel, c->ylabel = "final weight";
    snprintf(pv->title, sizeof pv->title, "path: final weights against %s%s", cv->key,
             show < nw ? " (the first 6)" : "");
    for (size_t q = 0; q < show; q++) {
        double *y = pv->buf + (1 + q) * n;
        for (size_t i = 0; i < n; i++)
            y[i] = cv->c[ord[i]].w[q];
        weight_name(&s->ts.model, nw, q, pv->names[q], sizeof pv->names[q]);
        if (chart_add_series(c, pv->names[q], xs, y, n, st[q], err) < 0)
            return -1;
    }
    snprintf(pv->note, sizeof pv->note, "each run's final weights (biases left out) after compare %s", cv->key);
    return 0;
}

int plotcurves_build(const Session *s, PlotView *pv, FbErr *err)
{
    const Curves *cv = s->compare;
    if (!cv || cv->ncurves == 0) {
        snprintf(pv->title, sizeof pv->title, "%s: nothing compared yet (compare %s, say)", s->plot,
                 !strcmp(s->plot, "learning") ? "train_size=0.1,0.5,1" : !strcmp(s->plot, "path")
                                                                             ? "weight_decay=0.001,0.01,0.1"
                                                                             : "degree=1,2,3");
        return 0;
    }
    if (!strcmp(s->plot, "path"))
        return build_path(s, pv, err);
    return build_scores(s, pv, !strcmp(s->plot, "learning"), err);
}
