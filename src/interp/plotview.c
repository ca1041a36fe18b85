/* plotview.c — what the plot pane shows: training curves, compare and lrfind curves, the fit, the
 * decision boundary and the loss surface. */
#include "fitbench/plotview.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/strutil.h"

#define HEAT_NX 96 /* default heat-map resolution (SVG, plotview_build) */
#define HEAT_NY 64
#define FIT_POINTS 200 /* samples of the prediction curve */
#define SURFACE_BUDGET 3e8 /* multiply-adds one surface may cost: fewer samples on big data */
#define PATH_DRAW_MAX 600 /* path points drawn per path */

/* Colours of the heat-map points: class c, and the paths. */
static const uint8_t class_color[] = {GC_SERIES1 + 5, GC_SERIES1 + 3, GC_SERIES1 + 2, GC_SERIES1 + 4,
                                      GC_SERIES1 + 1, GC_SERIES1,     GC_SERIES1 + 6, GC_SERIES1 + 7};
static const char class_char[] = "ox+#*%@&";
/* Compare runs' paths: the series colours but red, which is the session's own path. */
static const uint8_t path_color[] = {GC_SERIES1, GC_SERIES1 + 1, GC_SERIES1 + 2, GC_SERIES1 + 4,
                                     GC_SERIES1 + 5, GC_SERIES1 + 6, GC_SERIES1 + 7};

void plotview_free(PlotView *pv)
{
    if (!pv)
        return;
    free(pv->x);
    free(pv->y1);
    free(pv->y2);
    free(pv->samples);
    free(pv->px);
    free(pv->py);
    free(pv->pcolor);
    free(pv->pglyph);
    free(pv->buf);
    free(pv->nbuf);
    memset(pv, 0, sizeof *pv);
}

bool plotview_is_heat(const Session *s)
{
    return !strcmp(s->plot, "boundary") || !strcmp(s->plot, "surface") || !strcmp(s->plot, "neuron");
}

/* ---- loss, lr, grad: the history ------------------------------------------------ */

/* The closed-form optimum (from solve) as a horizontal reference line. */
static void optimum_line(const Session *s, PlotView *pv)
{
    if (!isfinite(s->optimum))
        return;
    char v[32];
    pv->chart.has_ref = true;
    pv->chart.ref_y = s->optimum;
    snprintf(pv->reflabel, sizeof pv->reflabel, "closed form %s", fb_fmt(v, sizeof v, s->optimum, 5));
    pv->chart.ref_label = pv->reflabel;
}

/* A metric of the history (accuracy, f1, r2, rmse): train and val curves like the loss's; rows of the
 * other task (the loss changed) are gaps.  Fails when the model's task has no such metric. */
static int build_metric(const Session *s, PlotView *pv, MetricTask mt, int mi, FbErr *err)
{
    Chart *c = &pv->chart;
    const History *h = &s->ts.hist;
    size_t n = s->built ? h->n : 0;
    MetricTask now = metric_task(s->setup.loss.kind);
    if (s->built && now != mt)
        return fb_fail(err, "plot %s: %s is a %s metric and this model's loss %s is for %s (try plot %s)", s->plot,
                       s->plot, mt == MTASK_CLS ? "classification" : "regression", loss_name(s->setup.loss.kind),
                       now == MTASK_CLS ? "classification" : "regression", metric_name(now, mi));
    bool has_val = false;
    for (size_t i = 0; i < n; i++) {
        const HistRow *r = &h->rows[i];
        bool mine = r->task == mt;
        pv->x[i] = (double)r->epoch;
        pv->y1[i] = mine ? r->train_metric[mi] : NAN;
        pv->y2[i] = mine ? r->val_metric[mi] : NAN;
        has_val = has_val || !isnan(pv->y2[i]);
    }
    static const char *const what[][2] = {{"", ""}, {"r2 (coefficient of determination)", "rmse"},
                                          {"accuracy", "macro F1"}};
    c->logy = s->plot_logy;
    c->xlabel = "epoch";
    c->ylabel = s->plot;
    snprintf(pv->title, sizeof pv->title, "%s per epoch%s", what[mt][mi], c->logy ? " (log scale)" : "");
    if (chart_add_series(c, "train", pv->x, pv->y1, n, SERIES_LINE, err) < 0 ||
        (has_val && chart_add_series(c, "val", pv->x, pv->y2, n, SERIES_LINE, err) < 0))
        return -1;
    return 0;
}

static int build_history(const Session *s, PlotView *pv, FbErr *err)
{
    Chart *c = &pv->chart;
    const History *h = &s->ts.hist;
    size_t n = s->built ? h->n : 0;
    pv->x = fb_malloc(n ? n : 1, sizeof(double), "the plot", err);
    pv->y1 = pv->x ? fb_malloc(n ? n : 1, sizeof(double), "the plot", err) : NULL;
    pv->y2 = pv->y1 ? fb_malloc(n ? n : 1, sizeof(double), "the plot", err) : NULL;
    if (!pv->y2)
        return -1;
    bool has_val = false;
    MetricTask mt;
    int mi;
    if (metric_from_name(s->plot, &mt, &mi) == 0)
        return build_metric(s, pv, mt, mi, err);
    for (size_t i = 0; i < n; i++) {
        const HistRow *r = &h->rows[i];
        pv->x[i] = (double)r->epoch;
        has_val = has_val || !isnan(r->val_loss);
        if (strcmp(s->plot, "lr") == 0)
            pv->y1[i] = r->lr;
        else if (strcmp(s->plot, "grad") == 0)
            pv->y1[i] = r->grad_norm;
        else {
            pv->y1[i] = r->train_loss;
            pv->y2[i] = r->val_loss;
        }
    }
    c->logy = s->plot_logy;
    c->xlabel = "epoch";
    if (n > 0 && pv->x[n - 1] == pv->x[0]) {
        /* One epoch so far (epoch 0 before training): an axis from it onwards, not -1..1 around it. */
        c->fixed_x = true;
        c->xmin = pv->x[0];
        c->xmax = pv->x[0] + 10;
    }
    const char *what = strcmp(s->plot, "lr") == 0 ? "learning rate" : strcmp(s->plot, "grad") == 0 ? "gradient norm"
                                                                                                   : "loss";
    c->ylabel = what;
    if (strcmp(s->plot, "loss") == 0) {
        snprintf(pv->title, sizeof pv->title, "%s loss%s", s->built ? loss_name(s->setup.loss.kind) : "",
                 c->logy ? " (log scale)" : "");
        if (chart_add_series(c, "train", pv->x, pv->y1, n, SERIES_LINE, err) < 0)
            return -1;
        if (has_val && chart_add_series(c, "val", pv->x, pv->y2, n, SERIES_DASHED, err) < 0)
            return -1;
        optimum_line(s, pv);
        /* Mark where the lr changed (a new optim, the TUI's +/- keys). */
        for (size_t i = 2; i < n && c->nmarkers < CHART_MAX_MARKERS; i++)
            if (h->rows[i].lr != h->rows[i - 1].lr && s->setup.sched.kind == SCHED_CONSTANT) {
                char v[16];
                snprintf(pv->marks[c->nmarkers], sizeof pv->marks[0], "lr=%s", fb_fmt(v, sizeof v, h->rows[i].lr, 3));
                chart_add_marker(c, pv->x[i - 1], pv->marks[c->nmarkers], err);
            }
    } else {
        snprintf(pv->title, sizeof pv->title, "%s per epoch%s", what, c->logy ? " (log scale)" : "");
        if (chart_add_series(c, s->plot, pv->x, pv->y1, n, SERIES_LINE, err) < 0)
            return -1;
    }
    return 0;
}

/* ---- compare and lrfind: curves kept in the session ------------------------------- */

/* A run that blew up would flatten every other curve into the bottom row: when some loss passes 10 times the
 * largest starting loss, the y range stops there (the diverged run leaves through the top).  Returns whether it
 * did. */
static bool compare_clip(const Curves *cv, Chart *c)
{
    double start = -INFINITY, lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < cv->ncurves; i++) {
        const Curve *k = &cv->c[i];
        if (k->n && isfinite(k->y[0]))
            start = fmax(start, k->y[0]);
        for (size_t j = 0; j < k->n; j++)
            if (isfinite(k->y[j]) && (!c->logy || k->y[j] > 0)) {
                lo = fmin(lo, k->y[j]);
                hi = fmax(hi, k->y[j]);
            }
    }
    if (!(start > 0) || !(hi > 10 * start) || !(lo < 10 * start))
        return false;
    c->fixed_y = true;
    c->ymin = c->logy ? lo / 1.2 : fmin(0, lo);
    c->ymax = 10 * start;
    return true;
}

static int build_compare(const Session *s, PlotView *pv, FbErr *err)
{
    Chart *c = &pv->chart;
    const Curves *cv = s->compare;
    c->xlabel = "epoch";
    c->ylabel = "train loss";
    c->logy = s->plot_logy;
    if (!cv) {
        snprintf(pv->title, sizeof pv->title, "compare: nothing compared yet (compare lr=0.01,0.1, say)");
        return 0;
    }
    snprintf(pv->ylabel, sizeof pv->ylabel, "train %s", cv->what[0] ? cv->what : "loss");
    c->ylabel = pv->ylabel;
    bool cut = (!cv->what[0] || !strcmp(cv->what, "loss")) && compare_clip(cv, c);
    snprintf(pv->title, sizeof pv->title, "compare %s: %s%s%s", cv->key, pv->ylabel,
             cut ? ", cut off at 10x the start" : " from the same start",
             c->logy ? " (log scale)" : "");
    /* Solid, dashed, dotted, long dashes in turn, so the runs stay apart without colour. */
    /* More runs than styles: each run's number at its curve's end and before its legend entry. */
    static const SeriesStyle st[4] = {SERIES_LINE, SERIES_DASHED, SERIES_DOTTED, SERIES_LONGDASH};
    for (size_t i = 0; i < cv->ncurves && (int)i < CHART_MAX_SERIES; i++) {
        int k = chart_add_series(c, cv->c[i].label, cv->c[i].x, cv->c[i].y, cv->c[i].n, st[i % 4], err);
        if (k < 0)
            return -1;
        if (cv->ncurves > 4)
            c->series[k].tag = i < 9 ? (uint32_t)('1' + i) : (uint32_t)('a' + i - 9);
    }
    if (!cv->what[0] || !strcmp(cv->what, "loss"))
        optimum_line(s, pv);
    return 0;
}

static int build_lrfind(const Session *s, PlotView *pv, FbErr *err)
{
    Chart *c = &pv->chart;
    const Curves *cv = s->lrfind;
    c->xlabel = "learning rate (log scale)";
    c->ylabel = "loss";
    c->logx = true;
    c->logy = s->plot_logy;
    if (!cv || cv->ncurves == 0) {
        snprintf(pv->title, sizeof pv->title, "lrfind: no range test yet (run lrfind)");
        return 0;
    }
    const Curve *k = &cv->c[0];
    snprintf(pv->title, sizeof pv->title, "lrfind: loss against the learning rate%s", c->logy ? " (log y)" : "");
    if (chart_add_series(c, "batch loss", k->x, k->y2, k->n, SERIES_POINTS, err) < 0 ||
        chart_add_series(c, "smoothed", k->x, k->y, k->n, SERIES_LINE, err) < 0)
        return -1;
    /* The y range of the smoothed curve: the raw loss of the last updates explodes and
     * would flatten everything else. */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < k->n; i++)
        if (isfinite(k->y[i]) && (!c->logy || k->y[i] > 0)) {
            lo = fmin(lo, k->y[i]);
            hi = fmax(hi, k->y[i]);
        }
    bool cut = hi > 4 * lo;
    hi = fmin(hi, 4 * lo); /* lrfind stops past 4x the best: that last jump is off the chart */
    if (cut)
        snprintf(pv->title, sizeof pv->title, "lrfind: loss against the learning rate%s; cut off above 4x the lowest",
                 c->logy ? " (log y)" : "");
    if (lo < hi) {
        double pad = c->logy ? 0 : 0.05 * (hi - lo);
        c->fixed_y = true;
        c->ymin = c->logy ? lo / 1.1 : lo - pad;
        c->ymax = c->logy ? hi * 1.1 : hi + pad;
    }
    if (isfinite(cv->suggest)) {
        char v[16];
        snprintf(pv->marks[0], sizeof pv->marks[0], "lr=%s", fb_fmt(v, sizeof v, cv->suggest, 2));
        chart_add_marker(c, cv->suggest, pv->marks[0], err);
    }
    return 0;
}

/* ---- helpers for the pictures of the data ------------------------------------------- */

static bool is_classifier(const Session *s)
{
    LossKind lk = s->setup.loss.kind;
    return lk == LOSS_BCE || lk == LOSS_CE || lk == LOSS_HINGE;
}

/* Class (or, for one logit, the probability of class 1 in *prob) from logits z (k). */
static size_t class_of(const double *z, size_t k, double *prob)
{
    if (k == 1) {
        *prob = 1.0 / (1.0 + exp(-z[0]));
        return z[0] > 0;
    }
    size_t best = 0;
    for (size_t c = 1; c < k; c++)
        if (z[c] > z[best])
            best = c;
    *prob = NAN;
    return best;
}

/* Whether logits z (k) leave the class undecided (P = 0.5 for one output, a tie for the top class): such a
 * point is not marked as misclassified (at epoch 0 every point is undecided). */
static bool undecided(const double *z, size_t k)
{
    if (k == 1)
        return z[0] == 0;
    size_t best = 0, ties = 0;
    for (size_t c = 1; c < k; c++)
        if (z[c] > z[best])
            best = c, ties = 0;
        else if (z[c] == z[best])
            ties++;
    return ties > 0;
}

/* Predict logits Z (n, k) for raw input rows R (n, ds->d).  Fails on out of memory. */
static int predict_raw(const Session *s, const double *R, size_t n, double *Z, FbErr *err)
{
    const Prepared *p = s->prep;
    double *X = fb_malloc(n * p->d, sizeof *X, "the plot", err);
    if (!X)
        return -1;
    TrainWork w;
    memset(&w, 0, sizeof w);
    int rc = prep_transform(p, R, n, X, err) ? -1 : train_predict(&s->ts.model, X, n, Z, &w, err);
    train_work_free(&w);
    free(X);
    return rc;
}

static int need_model(const Session *s, const char *what, FbErr *err)
{
    if (!s->data || !s->prep)
        return fb_fail(err, "plot %s needs data: load a CSV or gen one first", what);
    if (!s->built)
        return fb_fail(err, "plot %s needs a model: choose one with 'model linear' (or logistic, mlp)", what);
    return 0;
}

/* ---- plot fit ---------------------------------------------------------------------- */

/* The input column x= names (a column name or its number), or -1 with err filled. */
static long fit_column(const Dataset *ds, const char *name, FbErr *err)
{
    long col = dataset_column(ds, name), v;
    if (col < 0 && fb_parse_long(name, &v) && v >= 0 && (size_t)v < ds->d)
        col = v;
    if (col >= 0)
        return col;
    const char *names[64];
    size_t nn = ds->d < 63 ? ds->d : 63;
    for (size_t j = 0; j < nn; j++)
        names[j] = ds->names[j];
    names[nn] = NULL;
    const char *sug = fb_suggest(name, names);
    if (sug)
        return fb_fail(err, "plot fit: no input column '%s' (did you mean '%s'?)", name, sug);
    return fb_fail(err, "plot fit: no input column '%s' (show data lists them)", name);
}

static int build_fit(const Session *s, PlotView *pv, FbErr *err)
{
    if (need_model(s, "fit", err) || prep_need_inputs(s->prep, "plot fit", err))
        return -1;
    const Prepared *p = s->prep;
    const Dataset *ds = s->data;
    const Model *m = &s->ts.model;
    size_t k = m->sizes[m->nlayers];
    if (s->setup.loss.kind == LOSS_CE)
        return fb_fail(err, "plot fit draws one output against one input; for %zu classes use plot boundary "
                            "(two inputs) or show confusion",
                       ds->nclasses);
    /* x= was checked when it was given; a name the data loaded since does not have is not an error (the
     * plot pane would show nothing but it): the first input is drawn, and the title says why. */
    FbErr stale = {{0}, 0};
    long col = s->plot_x[0] ? fit_column(ds, s->plot_x, &stale) : 0;
    if (col < 0)
        col = 0;
    size_t j = (size_t)col, d0 = ds->d, n = p->train.n, nv = p->val.n;
    size_t ntot = n + nv;
    pv->x = fb_malloc(ntot + FIT_POINTS, sizeof(double), "the plot", err);
    pv->y1 = pv->x ? fb_malloc(ntot + FIT_POINTS, sizeof(double), "the plot", err) : NULL;
    pv->buf = pv->y1 ? fb_malloc(FIT_POINTS * (d0 + k), sizeof(double), "the plot", err) : NULL;
    double *mean = pv->buf ? fb_calloc(d0, sizeof *mean, "the plot", err) : NULL;
    if (!mean)
        return -1;
    /* The data: train rows then validation rows, x raw, y the target (class 0/1 for bce). */
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < ntot; i++) {
        const Part *pt = i < n ? &p->train : &p->val;
        size_t r = i < n ? i : i - n;
        const double *x = pt->X + r * p->d;
        pv->x[i] = plotview_raw_input(p, x, j);
        pv->y1[i] = is_classifier(s) ? pt->L[r] : pt->Y[r * p->ny];
        lo = fmin(lo, pv->x[i]);
        hi = fmax(hi, pv->x[i]);
        if (i < n)
            for (size_t q = 0; q < d0; q++)
                mean[q] += plotview_raw_input(p, x, q) / (double)n;
    }
    if (!(lo < hi)) {
        lo = lo - 1;
        hi = hi + 1;
    }
    /* The model along x_j from the smallest to the largest value, other inputs at their training means. */
    double *R = pv->buf, *Z = pv->buf + FIT_POINTS * d0;
    double *gx = pv->x + ntot, *gy = pv->y1 + ntot;
    for (size_t t = 0; t < FIT_POINTS; t++) {
        gx[t] = lo + (hi - lo) * (double)t / (FIT_POINTS - 1);
        memcpy(R + t * d0, mean, d0 * sizeof(double));
        R[t * d0 + j] = gx[t];
    }
    free(mean);
    if (predict_raw(s, R, FIT_POINTS, Z, err))
        return -1;
    for (size_t t = 0; t < FIT_POINTS; t++) {
        double pr;
        if (is_classifier(s)) {
            class_of(Z + t * k, k, &pr);
            gy[t] = s->setup.loss.kind == LOSS_HINGE ? (Z[t * k] > 0) : pr;
        } else {
            gy[t] = Z[t * k];
        }
    }
    Chart *c = &pv->chart;
    /* Names from the file are shown with their control characters escaped, as everywhere. */
    snprintf(pv->xlabel, sizeof pv->xlabel, "%s", FB_SHOWN(ds->names[j]));
    snprintf(pv->ylabel, sizeof pv->ylabel, "%s%s", FB_SHOWN(ds->ynames[0]), is_classifier(s) ? " (class 1)" : "");
    c->xlabel = pv->xlabel;
    c->ylabel = pv->ylabel;
    int tl = snprintf(pv->title, sizeof pv->title, "fit: %s against %s%s", pv->ylabel, FB_SHOWN(ds->names[j]),
                      d0 > 1 ? " (other inputs at their mean)" : "");
    if (stale.msg[0] && tl >= 0 && (size_t)tl < sizeof pv->title)
        snprintf(pv->title + tl, sizeof pv->title - (size_t)tl, "; x=%s is not in this data", FB_SHOWN(s->plot_x));
    if (chart_add_series(c, "train", pv->x, pv->y1, n, SERIES_POINTS, err) < 0 ||
        (nv && chart_add_series(c, "val", pv->x + n, pv->y1 + n, nv, SERIES_CROSSES, err) < 0) ||
        chart_add_series(c, is_classifier(s) ? "P(class 1)" : "model", gx, gy, FIT_POINTS, SERIES_LINE, err) < 0)
        return -1;
    return 0;
}

/* ---- heat maps ------------------------------------------------------------------------ */

static int heat_alloc(PlotView *pv, int nx, int ny, size_t npoints, FbErr *err)
{
    pv->heat = true;
    pv->samples = fb_malloc((size_t)nx * (size_t)ny, 1, "the picture", err);
    pv->px = pv->samples ? fb_malloc(npoints ? npoints : 1, sizeof(double), "the picture", err) : NULL;
    pv->py = pv->px ? fb_malloc(npoints ? npoints : 1, sizeof(double), "the picture", err) : NULL;
    pv->pcolor = pv->py ? fb_malloc(npoints ? npoints : 1, 1, "the picture", err) : NULL;
    pv->pglyph = pv->pcolor ? fb_malloc(npoints ? npoints : 1, sizeof(uint32_t), "the picture", err) : NULL;
    if (!pv->pglyph)
        return -1;
    pv->hc.samples = pv->samples;
    pv->hc.nx = nx;
    pv->hc.ny = ny;
    pv->hc.px = pv->px;
    pv->hc.py = pv->py;
    pv->hc.pcolor = pv->pcolor;
    pv->hc.pglyph = pv->pglyph;
    pv->hc.npoints = 0;
    return 0;
}

static void add_point(PlotView *pv, double x, double y, uint8_t color, char text)
{
    size_t i = pv->hc.npoints++;
    pv->px[i] = x;
    pv->py[i] = y;
    pv->pcolor[i] = color;
    pv->pglyph[i] = (uint32_t)(unsigned char)text;
}

/* ---- plot boundary --------------------------------------------------------------------- */

/* Can plot boundary draw this session?  0, or -1 with err saying what is missing. */
static int boundary_check(const Session *s, FbErr *err)
{
    if (!s->data || !s->prep)
        return fb_fail(err, "plot boundary needs data: gen moons, say");
    const Dataset *ds = s->data;
    /* Before a model is chosen: the points alone, if they are two-input classes. */
    bool nomodel = !s->built;
    if (nomodel && ds->nclasses < 2)
        return fb_fail(err, "plot boundary is for classes and '%s' is a regression target: try plot fit",
                       ds->ynames[0]);
    if (!nomodel && is_classifier(s) && ds->nclasses < 2)
        return fb_fail(err, "plot boundary is for classifiers (this model uses loss %s): try plot fit",
                       loss_name(s->setup.loss.kind));
    if (!nomodel && !is_classifier(s) && (ds->nclasses >= 2 || s->ts.model.sizes[s->ts.model.nlayers] != 1))
        return fb_fail(err, "plot boundary of a regression needs one output (this model has %zu)",
                       s->ts.model.sizes[s->ts.model.nlayers]);
    if (ds->d != 2)
        return fb_fail(err, "plot boundary needs exactly two inputs and the data has %zu (gen moons, say, "
                            "or load with drop= to keep two columns; one input: plot fit)",
                       ds->d);
    return prep_need_inputs(s->prep, "plot boundary", err);
}

/* The model's logits Z (nx * ny, k) at the map's samples, row by row from the bottom.  Fails on out of
 * memory or a failed prediction. */
static int boundary_predict(const Session *s, const HeatChart *hc, int nx, int ny, double *Z, FbErr *err)
{
    size_t ns = (size_t)nx * (size_t)ny;
    double *R = fb_malloc(ns * 2 + (size_t)nx + (size_t)ny, sizeof *R, "the picture", err);
    if (!R)
        return -1;
    double *xs = R + ns * 2, *ys = xs + nx;
    chart_heat_coords(hc, nx, ny, xs, ys);
    for (int jy = 0; jy < ny; jy++)
        for (int ix = 0; ix < nx; ix++) {
            R[((size_t)jy * nx + ix) * 2] = xs[ix];
            R[((size_t)jy * nx + ix) * 2 + 1] = ys[jy];
        }
    int rc = predict_raw(s, R, ns, Z, err);
    free(R);
    return rc;
}

/* Shade the samples from logits Z (ns, k): two classes, the probability of class 1 in eight shades (the
 * boundary is where the shade turns); more classes, one shade per class. */
static void boundary_shade(const Session *s, PlotView *pv, const double *Z, size_t ns, size_t k)
{
    size_t K = s->data->nclasses;
    for (size_t i = 0; i < ns; i++) {
        double pr;
        size_t c = class_of(Z + i * k, k, &pr);
        if (k == 1 && s->setup.loss.kind == LOSS_BCE && !s->plot_hard)
            pv->samples[i] = chart_heat_level(pr, 0, 1);
        else
            pv->samples[i] = (uint8_t)(GC_HEAT0 + (K > 1 ? (c * (GC_NHEAT - 1) + (K - 1) / 2) / (K - 1) : 0));
    }
}

/* Which splits plot boundary draws (s->plot_points): bit 0 train, 1 val, 2 test. */
static unsigned boundary_splits(const Session *s)
{
    const char *p = s->plot_points;
    return !p[0] || !strcmp(p, "train") ? 1u : !strcmp(p, "val") ? 2u : !strcmp(p, "test") ? 4u : 7u;
}

/* The marker of a point of class c in split q (0 train, 1 val, 2 test): train o x + #..., val O X + #...,
 * test the class's digit; '!' when the model puts it in another class (pred != c). */
static char point_char(size_t c, int q, long pred)
{
    static const char val_char[] = "OX+#*%@&";
    if (pred >= 0 && (size_t)pred != c)
        return '!';
    return q == 0 ? class_char[c % 8] : q == 1 ? val_char[c % 8] : (char)('0' + c % 10);
}

/* The points of the chosen splits over the map, each marked by class and split ('!' when misclassified).
 * Fails on out of memory or a failed prediction. */
static int boundary_add_points(const Session *s, PlotView *pv, bool nomodel, FbErr *err)
{
    const Prepared *p = s->prep;
    const Part *parts[3] = {&p->train, &p->val, &p->test};
    unsigned splits = boundary_splits(s);
    for (int q = 0; q < 3; q++) {
        const Part *pt = parts[q];
        if (!(splits & (1u << q)) || pt->n == 0)
            continue;
        size_t k = nomodel ? 1 : s->ts.model.sizes[s->ts.model.nlayers];
        double *R = fb_malloc(pt->n * 2 + pt->n * k, sizeof *R, "the picture", err), *Z = R ? R + pt->n * 2 : NULL;
        if (!R)
            return -1;
        for (size_t i = 0; i < pt->n; i++) {
            R[i * 2] = plotview_raw_input(p, pt->X + i * p->d, 0);
            R[i * 2 + 1] = plotview_raw_input(p, pt->X + i * p->d, 1);
        }
        if (!nomodel && predict_raw(s, R, pt->n, Z, err)) {
            free(R);
            return -1;
        }
        for (size_t i = 0; i < pt->n; i++) {
            size_t c = (size_t)pt->L[i];
            double pr;
            long pred = nomodel || undecided(Z + i * k, k) ? -1 : (long)class_of(Z + i * k, k, &pr);
            add_point(pv, R[i * 2], R[i * 2 + 1], class_color[c % 8], point_char(c, q, pred));
        }
        free(R);
    }
    return 0;
}

/* The text chart's region characters and the keys under the map. */
static void boundary_keys(const Session *s, PlotView *pv, size_t k, bool nomodel)
{
    const Dataset *ds = s->data;
    /* Plain text: regions as light marks, darker for class 1 (two classes) or per class. */
    bool bce = k == 1 && s->setup.loss.kind == LOSS_BCE && !s->plot_hard;
    /* The workbench without colour: P(class 1) below 0.25 blank, below 0.5 '·', above it ░ ░ ▒ ▓ (the
     * boundary is where '·' turns to '░'); with more classes the classes' levels land on distinct ones. */
    static const uint32_t shade[GC_NHEAT] = {' ', ' ', 0xB7, 0xB7, 0x2591, 0x2591, 0x2592, 0x2593};
    memcpy(pv->shade, shade, sizeof shade);
    if (bce)
        memcpy(pv->rtext, "  ..::--", GC_NHEAT);
    else
        for (int l = 0; l < GC_NHEAT; l++)
            pv->rtext[l] = " .:-=~^'"[l];
    unsigned splits = boundary_splits(s);
    int len = snprintf(pv->note, sizeof pv->note, "points:"), kl = 0;
    for (int q = 0; q < 3; q++)
        for (size_t c = 0; (splits & (1u << q)) && c < ds->nclasses && c < 8; c++) {
            char m = point_char(c, q, -1);
            const char *name = FB_SHOWN(ds->class_names[c]);
            const char *tag = c + 1 == ds->nclasses || c == 7 ? (q == 0 ? " (train)" : q == 1 ? " (val)" : " (test)") : "";
            if (splits == 1)
                tag = "";
            if (len < (int)sizeof pv->note)
                len += snprintf(pv->note + len, sizeof pv->note - (size_t)len, " %c %s%s", m, name, tag);
            if (kl < (int)sizeof pv->key)
                kl += snprintf(pv->key + kl, sizeof pv->key - (size_t)kl, "%s%c %s%s", kl ? "  " : "", m, name, tag);
        }
    bool wrong = false;
    for (size_t i = 0; i < pv->hc.npoints; i++)
        wrong = wrong || pv->pglyph[i] == '!';
    if (wrong && len < (int)sizeof pv->note)
        len += snprintf(pv->note + len, sizeof pv->note - (size_t)len, "; ! misclassified");
    if (wrong && kl < (int)sizeof pv->key)
        snprintf(pv->key + kl, sizeof pv->key - (size_t)kl, "  ! wrong");
    if (len < (int)sizeof pv->note && !nomodel)
        snprintf(pv->note + len, sizeof pv->note - (size_t)len, "%s",
                 bce ? "; shading: P(class 1) below 0.5 blank and '.', above ':' and '-'"
                     : "; shading: the predicted class");
    if (!nomodel) {
        snprintf(pv->ramp_lo, sizeof pv->ramp_lo, bce ? "P(class 1): 0" : "class: %s", FB_SHOWN(ds->class_names[0]));
        snprintf(pv->ramp_hi, sizeof pv->ramp_hi, bce ? "1" : "%s", FB_SHOWN(ds->class_names[ds->nclasses - 1]));
    }
}

/* A two-input regression: the model's prediction shaded in eight levels over the plane (from the lowest to the
 * highest of the predictions and the targets), the training points on top as the digit of their target's level
 * (a point whose digit matches the shading around it is fitted well).  Fails on out of memory. */
static int build_regression_map(const Session *s, PlotView *pv, int nx, int ny, FbErr *err)
{
    const Prepared *p = s->prep;
    const Dataset *ds = s->data;
    size_t ns = (size_t)nx * (size_t)ny, n = p->train.n;
    HeatChart *hc = &pv->hc;
    plotview_input_box(p, hc);
    if (heat_alloc(pv, nx, ny, n, err))
        return -1;
    double *Z = fb_malloc(ns, sizeof *Z, "the picture", err);
    if (!Z || boundary_predict(s, hc, nx, ny, Z, err)) {
        free(Z);
        return -1;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < ns; i++)
        if (isfinite(Z[i]))
            lo = fmin(lo, Z[i]), hi = fmax(hi, Z[i]);
    for (size_t i = 0; i < n; i++) {
        double y = p->train.Y[i * p->ny];
        lo = fmin(lo, y), hi = fmax(hi, y);
    }
    for (size_t i = 0; i < ns; i++)
        pv->samples[i] = chart_heat_level(Z[i], lo, hi);
    free(Z);
    for (size_t i = 0; i < n; i++) {
        const double *x = p->train.X + i * p->d;
        double y = p->train.Y[i * p->ny];
        add_point(pv, plotview_raw_input(p, x, 0), plotview_raw_input(p, x, 1), class_color[0],
                  (char)('0' + chart_heat_level(y, lo, hi) - GC_HEAT0));
    }
    static const uint32_t shade[GC_NHEAT] = {' ', 0xB7, ':', 0x2591, 0x2591, 0x2592, 0x2593, 0x2588};
    memcpy(pv->shade, shade, sizeof shade);
    memcpy(pv->rtext, " .:-=+#%", GC_NHEAT);
    char a[24], b[24];
    snprintf(pv->key, sizeof pv->key, "0-7 the points' %s level", FB_SHOWN(ds->ynames[0]));
    snprintf(pv->ramp_lo, sizeof pv->ramp_lo, "prediction %s", fb_fmt(a, sizeof a, lo, 3));
    snprintf(pv->ramp_hi, sizeof pv->ramp_hi, "%s", fb_fmt(b, sizeof b, hi, 3));
    snprintf(pv->note, sizeof pv->note, "shading: the prediction from %s (blank) to %s ('%%') in 8 levels; points: "
                                        "the digit of their target's level",
             a, b);
    snprintf(pv->xlabel, sizeof pv->xlabel, "%s", FB_SHOWN(ds->names[0]));
    snprintf(pv->ylabel, sizeof pv->ylabel, "%s", FB_SHOWN(ds->names[1]));
    hc->xlabel = pv->xlabel;
    hc->ylabel = pv->ylabel;
    snprintf(pv->title, sizeof pv->title, "prediction of %s, epoch %ld", FB_SHOWN(ds->ynames[0]), s->ts.epoch);
    hc->title = pv->title;
    return 0;
}

static int build_boundary(const Session *s, PlotView *pv, int nx, int ny, FbErr *err)
{
    if (boundary_check(s, err))
        return -1;
    if (s->built && !is_classifier(s))
        return build_regression_map(s, pv, nx, ny, err);
    const Dataset *ds = s->data;
    const Model *m = &s->ts.model;
    bool nomodel = !s->built;
    size_t k = nomodel ? 1 : m->sizes[m->nlayers], ns = (size_t)nx * (size_t)ny;
    HeatChart *hc = &pv->hc;
    plotview_input_box(s->prep, hc);
    if (heat_alloc(pv, nx, ny, s->prep->train.n + s->prep->val.n + s->prep->test.n, err))
        return -1;
    if (nomodel)
        memset(pv->samples, GC_DEFAULT, ns);
    else {
        double *Z = fb_malloc(ns * k, sizeof *Z, "the picture", err);
        int rc = Z ? boundary_predict(s, hc, nx, ny, Z, err) : -1;
        if (rc == 0)
            boundary_shade(s, pv, Z, ns, k);
        free(Z);
        if (rc)
            return -1;
    }
    if (boundary_add_points(s, pv, nomodel, err))
        return -1;
    boundary_keys(s, pv, k, nomodel);
    snprintf(pv->xlabel, sizeof pv->xlabel, "%s", FB_SHOWN(ds->names[0]));
    snprintf(pv->ylabel, sizeof pv->ylabel, "%s", FB_SHOWN(ds->names[1]));
    hc->xlabel = pv->xlabel;
    hc->ylabel = pv->ylabel;
    if (nomodel)
        snprintf(pv->title, sizeof pv->title, "the training data (no model yet)");
    else
        snprintf(pv->title, sizeof pv->title, "decision boundary, epoch %ld", s->ts.epoch);
    hc->title = pv->title;
    return 0;
}

/* ---- plot neuron L,J -------------------------------------------------------------------- */

/* One neuron's output over the input plane (plot network's map, enlarged), with the training points. */
static int build_neuron(const Session *s, PlotView *pv, int nx, int ny, FbErr *err)
{
    if (need_model(s, "neuron", err))
        return -1;
    const Model *m = &s->ts.model;
    size_t L = (size_t)s->plot_neuron[0], J = (size_t)s->plot_neuron[1];
    if (s->data->d != 2)
        return fb_fail(err, "plot neuron needs exactly two inputs and the data has %zu (gen spiral, say); "
                            "plot network summarises bigger models", s->data->d);
    if (L < 1 || L > m->nlayers)
        return fb_fail(err, "plot neuron %zu,%zu: this model has layers 1 to %zu (the last is the output)", L, J,
                       m->nlayers);
    if (J >= m->sizes[L])
        return fb_fail(err, "plot neuron %zu,%zu: layer %zu has neurons 0 to %zu", L, J, L, m->sizes[L] - 1);
    if (prep_need_inputs(s->prep, "plot neuron", err))
        return -1;
    HeatChart *hc = &pv->hc;
    plotview_input_box(s->prep, hc);
    size_t ns = (size_t)nx * (size_t)ny, nv = plotnet_values_len(m, ns);
    if (heat_alloc(pv, nx, ny, s->prep->train.n, err))
        return -1;
    double *R = fb_malloc(ns * 2 + nv + (size_t)nx + (size_t)ny, sizeof *R, "the picture", err);
    if (!R)
        return -1;
    double *A = R + ns * 2, *xs = A + nv, *ys = xs + nx;
    chart_heat_coords(hc, nx, ny, xs, ys);
    for (size_t p = 0; p < ns; p++)
        R[p * 2] = xs[p % (size_t)nx], R[p * 2 + 1] = ys[p / (size_t)nx];
    if (plotnet_forward(s, R, ns, A, err)) {
        free(R);
        return -1;
    }
    size_t off = 0, k = m->sizes[L];
    for (size_t l = 1; l < L; l++)
        off += m->sizes[l] * ns;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t p = 0; p < ns; p++)
        lo = fmin(lo, A[off + p * k + J]), hi = fmax(hi, A[off + p * k + J]);
    for (size_t p = 0; p < ns; p++)
        pv->samples[p] = chart_heat_level(A[off + p * k + J], lo, hi > lo ? hi : lo + 1);
    free(R);
    if (s->data->nclasses >= 2) {
        if (boundary_add_points(s, pv, true, err))
            return -1;
        boundary_keys(s, pv, 1, true);
    }
    memcpy(pv->rtext, " .:-=+*#", GC_NHEAT);
    char a[24], b[24], bias[24];
    size_t len = strlen(pv->note);
    snprintf(pv->note + len, sizeof pv->note - len, "%sshading: the neuron's output from %s (blank) to %s (#)",
             len ? "; " : "", fb_fmt(a, sizeof a, lo, 3), fb_fmt(b, sizeof b, hi, 3));
    snprintf(pv->xlabel, sizeof pv->xlabel, "%s", FB_SHOWN(s->data->names[0]));
    snprintf(pv->ylabel, sizeof pv->ylabel, "%s", FB_SHOWN(s->data->names[1]));
    hc->xlabel = pv->xlabel;
    hc->ylabel = pv->ylabel;
    snprintf(pv->title, sizeof pv->title, "layer %zu neuron %zu (%s), bias %s, epoch %ld", L, J,
             L == m->nlayers ? "output" : act_name(m->act), fb_fmt(bias, sizeof bias, m->params[m->boff[L - 1] + J], 3),
             s->ts.epoch);
    hc->title = pv->title;
    return 0;
}

/* ---- plot surface ----------------------------------------------------------------------- */

/* Flat index of a parameter named as expect names it: W[i,j], b[i], W2[i,j], b2[i]. */
static int param_index(const Model *m, const char *name, size_t *out, FbErr *err)
{
    char nm[8];
    long i = -1, j = -1, layer = 1;
    int used = 0;
    if (sscanf(name, "%7[Wb]%n", nm, &used) != 1)
        return fb_fail(err, "plot surface: '%s' is not a parameter name (W[i,j] or b[i], W2[i,j] for layer 2)",
                       name);
    const char *r = name + used;
    if (*r >= '0' && *r <= '9') {
        char *e;
        layer = strtol(r, &e, 10);
        r = e;
    }
    bool isW = nm[0] == 'W';
    int got = isW ? sscanf(r, "[%ld,%ld]%n", &i, &j, &used) : sscanf(r, "[%ld]%n", &i, &used);
    if (got != (isW ? 2 : 1) || r[used] != '\0')
        return fb_fail(err, "plot surface: write the parameter as %s (got '%s')", isW ? "W[i,j]" : "b[i]", name);
    if (layer < 1 || (size_t)layer > m->nlayers)
        return fb_fail(err, "plot surface: there is no layer %ld in this model (it has %zu)", layer, m->nlayers);
    size_t l = (size_t)layer - 1, rows = m->sizes[l + 1], cols = m->sizes[l];
    if (i < 0 || (size_t)i >= rows || (isW && (j < 0 || (size_t)j >= cols)))
        return fb_fail(err, "plot surface: %s is outside the parameter's shape (%zu, %zu)", name, rows, cols);
    model_param_index(m, isW, l, (size_t)i, (size_t)j, out);
    return 0;
}

typedef struct Surf {
    const Session *s;
    Model m;        /* a copy whose two parameters are moved */
    TrainWork w;
    TrainData d;
    size_t q1, q2;
    FbErr stale;    /* p1=/p2= did not fit the model: the first two parameters (msg set) */
    double cur1, cur2; /* the two parameters' current values */
    const ParamPath *paths[CURVES_MAX + 1]; /* the session's path, then compare runs' (those of this model) */
    int npaths;
    double x0, x1, y0, y1; /* the box the map covers */
    /* Linear model, mse: the loss over two parameters is exactly the quadratic
     * q[0] + q[1]·da + q[2]·db + q[3]·da² + q[4]·db² + q[5]·da·db (da = a − cur1, db = b − cur2),
     * fitted once from six passes over the data; then a grid point costs nothing, whatever n is. */
    bool quad;
    double q[6];
} Surf;

static int surf_loss(Surf *sf, double a, double b, double *out, FbErr *err)
{
    if (sf->quad) {
        double da = a - sf->cur1, db = b - sf->cur2;
        *out = sf->q[0] + sf->q[1] * da + sf->q[2] * db + sf->q[3] * da * da + sf->q[4] * db * db + sf->q[5] * da * db;
        return 0;
    }
    sf->m.params[sf->q1] = a;
    sf->m.params[sf->q2] = b;
    return train_eval(&sf->m, &sf->s->setup.loss, sf->d.X, sf->d.Y, sf->d.n, sf->d.ky, &sf->w, out, false, err);
}

/* A linear model under mse (no penalty): fit the quadratic from the losses at the current point and five around
 * it (a step h of the parameters' scale), and keep it only if it gives a seventh loss back to 1e-9 of the loss's
 * scale (else every grid point is evaluated on the data, as for other models).  Fails on out of memory. */
static int surf_fit_quad(Surf *sf, FbErr *err)
{
    const Session *s = sf->s;
    if (s->ts.model.kind != MODEL_LINEAR || s->setup.loss.kind != LOSS_MSE)
        return 0;
    double c1 = sf->cur1, c2 = sf->cur2, h = fmax(1.0, fmax(fabs(c1), fabs(c2)));
    double f0, fxp, fxm, fyp, fym, fxy, check;
    if (surf_loss(sf, c1, c2, &f0, err) || surf_loss(sf, c1 + h, c2, &fxp, err) || surf_loss(sf, c1 - h, c2, &fxm, err) ||
        surf_loss(sf, c1, c2 + h, &fyp, err) || surf_loss(sf, c1, c2 - h, &fym, err) ||
        surf_loss(sf, c1 + h, c2 + h, &fxy, err) || surf_loss(sf, c1 - 0.5 * h, c2 + 0.75 * h, &check, err))
        return -1;
    double *q = sf->q;
    q[0] = f0;
    q[1] = (fxp - fxm) / (2 * h);
    q[2] = (fyp - fym) / (2 * h);
    q[3] = (fxp + fxm - 2 * f0) / (2 * h * h);
    q[4] = (fyp + fym - 2 * f0) / (2 * h * h);
    q[5] = (fxy - fxp - fyp + f0) / (h * h);
    sf->quad = true;
    double back;
    surf_loss(sf, c1 - 0.5 * h, c2 + 0.75 * h, &back, err);
    double scale = fmax(fabs(check), fmax(fabs(f0), fmax(fabs(fxp), fabs(fyp))));
    sf->quad = isfinite(back) && fabs(back - check) <= 1e-9 * scale;
    return 0;
}

/* Widen the box to hold the point (a, b). */
static void surf_include(Surf *sf, double a, double b)
{
    sf->x0 = fmin(sf->x0, a);
    sf->x1 = fmax(sf->x1, a);
    sf->y0 = fmin(sf->y0, b);
    sf->y1 = fmax(sf->y1, b);
}

/* Adds path pp's points (projected on q1, q2) to the points to draw, at most PATH_DRAW_MAX of them. */
static void add_path(PlotView *pv, const ParamPath *pp, size_t q1, size_t q2, uint8_t color, char text)
{
    if (!pp->p || pp->n == 0)
        return;
    size_t stride = (pp->n + PATH_DRAW_MAX - 1) / PATH_DRAW_MAX;
    for (size_t i = 0; i < pp->n; i += stride)
        add_point(pv, pp->p[i * pp->dim + q1], pp->p[i * pp->dim + q2], color, text);
}

static bool path_usable(const ParamPath *pp, size_t dim) { return pp->p && pp->n && pp->dim == dim; }

/* The two parameters (p1=, p2=, else the first two), the training data and a copy of the model to move.
 * Fails on out of memory (sf->m is then empty: model_free and train_work_free are still safe). */
static int surf_open(const Session *s, Surf *sf, FbErr *err)
{
    const Model *m0 = &s->ts.model;
    memset(sf, 0, sizeof *sf);
    sf->s = s;
    sf->q1 = 0;
    sf->q2 = 1;
    /* p1= and p2= were checked when given; names the model built since does not have (or that became one
     * parameter) fall back to the first two parameters, and the title says so. */
    if ((s->plot_p1[0] && param_index(m0, s->plot_p1, &sf->q1, &sf->stale)) ||
        (s->plot_p2[0] && param_index(m0, s->plot_p2, &sf->q2, &sf->stale)) || sf->q1 == sf->q2) {
        sf->q1 = 0;
        sf->q2 = 1;
        sf->stale.msg[0] = sf->stale.msg[0] ? sf->stale.msg[0] : '!';
    }
    session_train_data(s, &sf->d);
    return model_clone(&sf->m, m0, err);
}

/* The paths to draw: the session's own, then the compare runs', those over this model's parameters.
 * Returns how many points they add, with room for the lowest and the current point. */
/* The compare runs whose paths belong on this surface: those of the model as it is now (not of one before a
 * scale, features or model command started it over); NULL for none. */
static const Curves *surf_compare(const Session *s)
{
    return s->compare && s->compare->build_gen == s->build_gen ? s->compare : NULL;
}

static size_t surf_paths(const Session *s, Surf *sf)
{
    size_t dim = s->ts.model.nparams;
    if (path_usable(&s->path, dim))
        sf->paths[sf->npaths++] = &s->path;
    const Curves *cmp = surf_compare(s);
    if (cmp)
        for (size_t c = 0; c < cmp->ncurves; c++)
            if (path_usable(&cmp->c[c].path, dim))
                sf->paths[sf->npaths++] = &cmp->c[c].path;
    size_t npts = 3;
    for (int i = 0; i < sf->npaths; i++)
        npts += sf->paths[i]->n < PATH_DRAW_MAX ? sf->paths[i]->n : PATH_DRAW_MAX;
    return npts;
}

/* The range: the current point and every path point whose loss is not far above the
 * start's or the current one's (a diverged run would otherwise stretch the map). */
static int surf_path_box(Surf *sf, double lcur, FbErr *err)
{
    sf->x0 = sf->x1 = sf->cur1;
    sf->y0 = sf->y1 = sf->cur2;
    double lref = lcur;
    for (int i = 0; i < sf->npaths; i++) {
        const ParamPath *pp = sf->paths[i];
        double l;
        if (surf_loss(sf, pp->p[sf->q1], pp->p[sf->q2], &l, err))
            return -1;
        if (isfinite(l) && l > lref)
            lref = l;
    }
    for (int i = 0; i < sf->npaths; i++) {
        const ParamPath *pp = sf->paths[i];
        size_t stride = (pp->n + 199) / 200;
        for (size_t t = 0; t < pp->n; t += stride) {
            double a = pp->p[t * pp->dim + sf->q1], b = pp->p[t * pp->dim + sf->q2], l;
            if (!isfinite(a) || !isfinite(b) || surf_loss(sf, a, b, &l, err))
                continue;
            if (!(l <= 10 * lref))
                continue;
            surf_include(sf, a, b);
        }
    }
    return 0;
}

/* A linear model under mse is a quadratic bowl in any two parameters: its lowest
 * point follows from six losses (finite differences are exact for a quadratic up
 * to rounding), and the map must show it. */
static int surf_bowl_min(Surf *sf, FbErr *err)
{
    double cur1 = sf->cur1, cur2 = sf->cur2;
    double h = fmax(fmax(sf->x1 - sf->x0, sf->y1 - sf->y0), fmax(1.0, fmax(fabs(cur1), fabs(cur2))));
    double f0, fxp, fxm, fyp, fym, fxy;
    if (surf_loss(sf, cur1, cur2, &f0, err) || surf_loss(sf, cur1 + h, cur2, &fxp, err) ||
        surf_loss(sf, cur1 - h, cur2, &fxm, err) || surf_loss(sf, cur1, cur2 + h, &fyp, err) ||
        surf_loss(sf, cur1, cur2 - h, &fym, err) || surf_loss(sf, cur1 + h, cur2 + h, &fxy, err))
        return -1;
    double A = (fxp + fxm - 2 * f0) / (h * h), B = (fyp + fym - 2 * f0) / (h * h);
    double C = (fxy - fxp - fyp + f0) / (h * h), D = (fxp - fxm) / (2 * h), E = (fyp - fym) / (2 * h);
    double det = A * B - C * C; /* Hessian [[A, C], [C, B]] */
    if (A > 0 && det > 0) {
        double oa = cur1 + (-B * D + C * E) / det, ob = cur2 + (C * D - A * E) / det;
        if (isfinite(oa) && isfinite(ob))
            surf_include(sf, oa, ob);
    }
    return 0;
}

/* Make the box at least a fifth as wide as it is tall (and vice versa) and pad it. */
static void surf_pad_box(Surf *sf)
{
    double sx = sf->x1 - sf->x0, sy = sf->y1 - sf->y0;
    double base = fmax(fmax(sx, sy), 0.1 * fmax(fabs(sf->cur1), fabs(sf->cur2)));
    if (!(base > 0))
        base = 1;
    sx = fmax(sx, 0.2 * base);
    sy = fmax(sy, 0.2 * base);
    double cx = 0.5 * (sf->x0 + sf->x1), cy = 0.5 * (sf->y0 + sf->y1);
    sf->x0 = cx - 0.65 * sx;
    sf->x1 = cx + 0.65 * sx;
    sf->y0 = cy - 0.65 * sy;
    sf->y1 = cy + 0.65 * sy;
}

/* Widen towards the minimum while a coarse look puts it on the border. */
static int surf_widen_to_min(Surf *sf, FbErr *err)
{
    for (int round = 0; round < 6; round++) {
        enum { C = 9 };
        double best = INFINITY;
        int bi = C / 2, bj = C / 2;
        for (int i = 0; i < C; i++)
            for (int j = 0; j < C; j++) {
                double l;
                if (surf_loss(sf, sf->x0 + (sf->x1 - sf->x0) * i / (C - 1), sf->y0 + (sf->y1 - sf->y0) * j / (C - 1),
                              &l, err))
                    return -1;
                if (l < best) {
                    best = l;
                    bi = i;
                    bj = j;
                }
            }
        double wx = sf->x1 - sf->x0, wy = sf->y1 - sf->y0;
        bool grew = false;
        if (bi == 0) { sf->x0 -= 0.5 * wx; grew = true; }
        if (bi == C - 1) { sf->x1 += 0.5 * wx; grew = true; }
        if (bj == 0) { sf->y0 -= 0.5 * wy; grew = true; }
        if (bj == C - 1) { sf->y1 += 0.5 * wy; grew = true; }
        if (!grew)
            break;
    }
    return 0;
}

/* The heat map: the loss at each of nx × ny samples over the box, shaded; *lo and *hi receive the finite
 * range, (*min1, *min2) the lowest sample.  Fails on out of memory or a failed evaluation. */
static int surf_shade(Surf *sf, PlotView *pv, int nx, int ny, double *lo_out, double *hi_out, double *min1,
                      double *min2, FbErr *err)
{
    HeatChart *hc = &pv->hc;
    hc->xmin = sf->x0;
    hc->xmax = sf->x1;
    hc->ymin = sf->y0;
    hc->ymax = sf->y1;
    size_t ns = (size_t)nx * (size_t)ny;
    double *L = fb_malloc(ns + (size_t)nx + (size_t)ny, sizeof *L, "the picture", err);
    if (!L)
        return -1;
    double *xs = L + ns, *ys = xs + nx;
    chart_heat_coords(hc, nx, ny, xs, ys);
    double lo = INFINITY, hi = -INFINITY;
    size_t imin = 0;
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            size_t q = (size_t)j * nx + i;
            if (surf_loss(sf, xs[i], ys[j], &L[q], err)) {
                free(L);
                return -1;
            }
            if (isfinite(L[q])) {
                if (L[q] < lo) {
                    lo = L[q];
                    imin = q;
                }
                hi = fmax(hi, L[q]);
            }
        }
    /* Shade log(L - min + δ) with δ a hundredth of the range: bands are then contour rings
     * that get closer together towards the minimum, as on a map. */
    double span = hi > lo ? hi - lo : 1, delta = 0.01 * span;
    for (size_t q = 0; q < ns; q++)
        pv->samples[q] = chart_heat_level(log(L[q] - lo + delta), log(delta), log(span + delta));
    *min1 = xs[imin % (size_t)nx];
    *min2 = ys[imin / (size_t)nx];
    *lo_out = lo;
    *hi_out = hi;
    free(L);
    return 0;
}

/* The workbench's key of the surface: the points, then the shading's ends. */
static void surf_key(const Surf *sf, PlotView *pv, double lo, double hi)
{
    const Session *s = sf->s;
    const Curves *cmp = surf_compare(s);
    int len = snprintf(pv->key, sizeof pv->key, "X now  * lowest");
    if (path_usable(&s->path, s->ts.model.nparams))
        len += snprintf(pv->key + len, sizeof pv->key - (size_t)len, "  o path");
    for (size_t c = 0; cmp && c < cmp->ncurves && len < (int)sizeof pv->key - 1; c++)
        if (path_usable(&cmp->c[c].path, s->ts.model.nparams))
            len += snprintf(pv->key + len, sizeof pv->key - (size_t)len, "  %zu %s", c + 1,
                            cmp->c[c].label + (strncmp(cmp->c[c].label, "optim=", 6) ? 0 : 6));
    char a[24], b[24];
    snprintf(pv->ramp_lo, sizeof pv->ramp_lo, "loss %s", fb_fmt(a, sizeof a, lo, 3));
    snprintf(pv->ramp_hi, sizeof pv->ramp_hi, "%s (log)", fb_fmt(b, sizeof b, hi, 3));
}

/* The points over the map (the paths, the lowest and the current point), the labels, the title and the key
 * under the text chart. */
static void surf_finish(const Surf *sf, PlotView *pv, double lo, double hi, double min1, double min2)
{
    const Session *s = sf->s;
    const Model *m0 = &s->ts.model;
    const Curves *cmp = surf_compare(s);
    for (int i = 0; i < sf->npaths; i++) {
        bool own = sf->paths[i] == &s->path;
        int c = own ? 0 : i - (path_usable(&s->path, m0->nparams) ? 1 : 0);
        add_path(pv, sf->paths[i], sf->q1, sf->q2, own ? GC_SERIES1 + 3 : path_color[c % 7],
                 own ? 'o' : (char)('1' + c % 9));
    }
    add_point(pv, min1, min2, GC_REF, '*');
    add_point(pv, sf->cur1, sf->cur2, GC_MARKER, 'X');
    memcpy(pv->rtext, " .:-=+#%", GC_NHEAT);
    static const uint32_t shade[GC_NHEAT] = {' ', 0xB7, ':', 0x2591, 0x2591, 0x2592, 0x2593, 0x2588};
    memcpy(pv->shade, shade, sizeof shade);
    surf_key(sf, pv, lo, hi);
    HeatChart *hc = &pv->hc;
    model_param_name(m0, sf->q1, pv->xlabel, sizeof pv->xlabel);
    model_param_name(m0, sf->q2, pv->ylabel, sizeof pv->ylabel);
    hc->xlabel = pv->xlabel;
    hc->ylabel = pv->ylabel;
    int tl = snprintf(pv->title, sizeof pv->title, "%s loss over %s and %s, epoch %ld", loss_name(s->setup.loss.kind),
                      pv->xlabel, pv->ylabel, s->ts.epoch);
    if (sf->stale.msg[0] && tl >= 0 && (size_t)tl < sizeof pv->title)
        snprintf(pv->title + tl, sizeof pv->title - (size_t)tl, "; p1=/p2= not in this model");
    hc->title = pv->title;
    char a[24], b[24];
    int len = snprintf(pv->note, sizeof pv->note, "shading: loss from %s (blank) to %s ('%%'), log-spaced; "
                                                   "X now, * lowest",
                       fb_fmt(a, sizeof a, lo, 4), fb_fmt(b, sizeof b, hi, 4));
    if (path_usable(&s->path, m0->nparams) && len < (int)sizeof pv->note)
        len += snprintf(pv->note + len, sizeof pv->note - (size_t)len, "; o the path");
    for (size_t c = 0; cmp && c < cmp->ncurves && len < (int)sizeof pv->note; c++)
        if (path_usable(&cmp->c[c].path, m0->nparams))
            len += snprintf(pv->note + len, sizeof pv->note - (size_t)len, "; %zu %s", c + 1, cmp->c[c].label);
}

/* The box the map covers: the current point, the paths, a linear model's lowest point, padded, then widened
 * towards the minimum. */
static int surf_box(Surf *sf, FbErr *err)
{
    double lcur;
    if (surf_loss(sf, sf->cur1, sf->cur2, &lcur, err) || surf_path_box(sf, lcur, err))
        return -1;
    const Model *m0 = &sf->s->ts.model;
    if (m0->kind == MODEL_LINEAR && sf->s->setup.loss.kind == LOSS_MSE && surf_bowl_min(sf, err))
        return -1;
    surf_pad_box(sf);
    return surf_widen_to_min(sf, err);
}

static int build_surface(const Session *s, PlotView *pv, int nx, int ny, FbErr *err)
{
    if (need_model(s, "surface", err))
        return -1;
    const Model *m0 = &s->ts.model;
    if (m0->nparams < 2)
        return fb_fail(err, "plot surface needs two parameters and this model has %zu", m0->nparams);
    Surf sf;
    int rc = -1;
    if (surf_open(s, &sf, err))
        goto out;
    sf.cur1 = m0->params[sf.q1];
    sf.cur2 = m0->params[sf.q2];
    if (surf_fit_quad(&sf, err))
        goto out;
    /* Fewer samples when one loss evaluation is expensive; the renderer resamples. */
    double cost = sf.quad ? 6 : (double)sf.d.n * (double)(m0->nparams + m0->sizes[m0->nlayers]);
    while ((double)nx * ny * cost > SURFACE_BUDGET && nx > 8 && ny > 8) {
        nx = nx * 3 / 4;
        ny = ny * 3 / 4;
    }
    size_t npts = surf_paths(s, &sf);
    if (heat_alloc(pv, nx, ny, npts, err))
        goto out;
    double lo, hi, min1, min2;
    if (surf_box(&sf, err) || surf_shade(&sf, pv, nx, ny, &lo, &hi, &min1, &min2, err))
        goto out;
    surf_finish(&sf, pv, lo, hi, min1, min2);
    rc = 0;
out:
    model_free(&sf.m);
    train_work_free(&sf.w);
    return rc;
}

/* ---- the dispatcher ----------------------------------------------------------------------- */

int plotview_build_sized(const Session *s, PlotView *pv, int nx, int ny, FbErr *err)
{
    memset(pv, 0, sizeof *pv);
    chart_init(&pv->chart);
    if (nx <= 0 || ny <= 0) {
        nx = HEAT_NX;
        ny = HEAT_NY;
    }
    int rc;
    if (!strcmp(s->plot, "fit"))
        rc = build_fit(s, pv, err);
    else if (!strcmp(s->plot, "boundary"))
        rc = build_boundary(s, pv, nx, ny, err);
    else if (!strcmp(s->plot, "surface"))
        rc = build_surface(s, pv, nx, ny, err);
    else if (!strcmp(s->plot, "compare"))
        rc = build_compare(s, pv, err);
    else if (!strcmp(s->plot, "lrfind"))
        rc = build_lrfind(s, pv, err);
    else if (!strcmp(s->plot, "roc"))
        rc = plotroc_build(s, pv, err);
    else if (!strcmp(s->plot, "network"))
        rc = plotnet_build(s, pv, err);
    else if (plotlayers_is(s->plot))
        rc = plotlayers_build(s, pv, err);
    else if (plotcurves_is(s->plot))
        rc = plotcurves_build(s, pv, err);
    else if (!strcmp(s->plot, "neuron"))
        rc = build_neuron(s, pv, nx, ny, err);
    else
        rc = build_history(s, pv, err);
    if (rc) {
        plotview_free(pv);
        return -1;
    }
    pv->chart.title = pv->title;
    return 0;
}

int plotview_check_names(const Session *s, bool x, bool p, FbErr *err)
{
    if (x && s->plot_x[0] && !strcmp(s->plot, "fit") && s->data && fit_column(s->data, s->plot_x, err) < 0)
        return -1;
    if (!p || strcmp(s->plot, "surface") != 0 || !s->ts.model.nparams)
        return 0;
    const Model *m = &s->ts.model;
    size_t q1 = 0, q2 = 1;
    if ((s->plot_p1[0] && param_index(m, s->plot_p1, &q1, err)) || (s->plot_p2[0] && param_index(m, s->plot_p2, &q2, err)))
        return -1;
    if (q1 == q2)
        return fb_fail(err, "plot surface needs two different parameters (p1= and p2=)");
    return 0;
}

int plotview_build(const Session *s, PlotView *pv, FbErr *err) { return plotview_build_sized(s, pv, 0, 0, err); }

/* Build for grid g: heat maps sampled one-to-one with its half cells. */
static int build_for_grid(const Session *s, const Grid *g, PlotView *pv, FbErr *err)
{
    int nx = 0, ny = 0;
    if (plotview_is_heat(s)) {
        /* The frame depends only on the labels being there and the ranges' tick labels;
         * a first build at a small size finds them. */
        if (plotview_build_sized(s, pv, 8, 8, err))
            return -1;
        chart_heat_size(&pv->hc, g, &nx, &ny);
        plotview_free(pv);
        if (nx <= 0 || ny <= 0)
            nx = ny = 8;
    }
    return plotview_build_sized(s, pv, nx, ny, err);
}

/* The key on row y of g: pv->key, then the shading's ramp (GC_NHEAT cells, as the map draws them) between its
 * two ends. */
static void heat_key(const PlotView *pv, Grid *g, int y, bool shade_glyphs)
{
    int x = 1 + grid_text(g, 1, y, pv->key, GC_LABEL);
    int need = 3 + grid_text_cols(pv->ramp_lo) + 1 + GC_NHEAT + 1 + grid_text_cols(pv->ramp_hi);
    if (!pv->ramp_lo[0] || x + need >= g->w)
        return; /* no room for the ramp: better none than a cut one */
    x += 1 + grid_text(g, x + 1, y, "\u2502", GC_AXIS);
    x += 1 + grid_text(g, x + 1, y, pv->ramp_lo, GC_LABEL);
    x++;
    for (int l = 0; l < GC_NHEAT; l++, x++) {
        GridCell *c = &g->cells[(size_t)y * g->w + x];
        c->ch = shade_glyphs ? pv->shade[l] : 0x2580;
        c->fg = (uint8_t)(GC_HEAT0 + l);
        c->bg = shade_glyphs ? GC_DEFAULT : (uint8_t)(GC_HEAT0 + l);
    }
    grid_text(g, x + 1, y, pv->ramp_hi, GC_LABEL);
}

int plotview_render(const Session *s, Grid *g, bool shade_glyphs, FbErr *err)
{
    PlotView pv;
    bool key = plotview_is_heat(s) && g->h > CHART_MIN_H + 2;
    /* A heat map leaves its last row to the key: the rows above are a grid of their own. */
    Grid top = *g;
    if (key)
        top.h--;
    if (build_for_grid(s, &top, &pv, err))
        return -1;
    if (pv.heat && shade_glyphs)
        pv.hc.shade = pv.shade;
    int rc = pv.net ? netplot_render(&pv.np, g, err)
                    : pv.heat ? chart_heat_render(&pv.hc, &top, err) : chart_render(&pv.chart, g, err);
    if (rc == 0 && key && pv.heat) {
        for (int x = 0; x < g->w; x++)
            g->cells[(size_t)(g->h - 1) * g->w + x] = (GridCell){' ', 0, 0};
        heat_key(&pv, g, g->h - 1, shade_glyphs);
    }
    plotview_free(&pv);
    return rc;
}

/* Heat-map cells as characters: the level's ramp character, points as their letter. */
static void heat_to_text(const PlotView *pv, Grid *g)
{
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++) {
            GridCell *c = &g->cells[(size_t)y * g->w + x];
            if (c->ch == 0x2580) {
                /* Two samples per cell: show the upper one, the lower one if it is higher. */
                int a = c->fg - GC_HEAT0, b = c->bg - GC_HEAT0;
                int l = a > b ? a : b;
                c->ch = (l >= 0 && l < GC_NHEAT) ? (uint32_t)(unsigned char)pv->rtext[l] : ' ';
            }
        }
}

char *plotview_text(const Session *s, int w, int h, FbErr *err)
{
    Grid *g = grid_new(w, h, err);
    char *text = NULL;
    PlotView pv;
    if (!g || build_for_grid(s, g, &pv, err)) {
        grid_free(g);
        return NULL;
    }
    int rc = pv.net ? netplot_render(&pv.np, g, err)
                    : pv.heat ? chart_heat_render(&pv.hc, g, err) : chart_render(&pv.chart, g, err);
    if (rc == 0 && pv.heat)
        heat_to_text(&pv, g); /* the points are already their characters */
    if (rc == 0)
        text = grid_to_utf8(g, err);
    for (size_t n = text && pv.net ? strlen(text) : 0; n && text[n - 1] == '\n'; n--)
        text[n - 1] = '\0'; /* a short network summary: no empty rows under it */
    if (text && pv.heat && pv.note[0]) {
        size_t lt = strlen(text), ln = strlen(pv.note);
        char *t2 = realloc(text, lt + ln + 2);
        if (!t2) {
            free(text);
            text = NULL;
            fb_oom(err, "the plot", lt + ln + 2);
        } else {
            text = t2;
            text[lt] = '\n';
            memcpy(text + lt + 1, pv.note, ln + 1);
        }
    }
    plotview_free(&pv);
    grid_free(g);
    return text;
}
