/* plotroc.c — `plot roc`: a binary classifier's ROC curve (false against true positive rate) on the validation
 * split, or the training split when there is none, with its AUC in the key; the points are roc_curve's
 * (src/learn/roc.c: scikit-learn's roc_curve with drop_intermediate=False). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/plotview.h"
#include "fitbench/roc.h"
#include "fitbench/session.h"
#include "fitbench/strutil.h"
#include "fitbench/train.h"

/* Whether the session's model is a binary classifier, else why not (err). */
static int roc_check(const Session *s, FbErr *err)
{
    if (!s->data || !s->prep)
        return fb_fail(err, "plot roc needs data: load a CSV or gen one first");
    if (!s->built)
        return fb_fail(err, "plot roc needs a model: model logistic and loss bce, say");
    LossKind lk = s->setup.loss.kind;
    if (lk != LOSS_BCE && lk != LOSS_CE && lk != LOSS_HINGE)
        return fb_fail(err, "plot roc is for binary classifiers (this model uses loss %s, a regression): try plot fit",
                       loss_name(lk));
    if (s->data->nclasses != 2)
        return fb_fail(err, "plot roc is for two classes and '%s' has %zu: show confusion gives each class's "
                       "precision, recall and F1", FB_SHOWN(s->data->ynames[0]), s->data->nclasses);
    return 0;
}

int plotroc_scores(const Session *s, double **score, int **truth, size_t *n, bool *val, FbErr *err)
{
    *score = NULL;
    *truth = NULL;
    if (roc_check(s, err))
        return -1;
    const Part *p = s->prep->val.n ? &s->prep->val : &s->prep->train;
    const Model *m = &s->ts.model;
    size_t k = m->sizes[m->nlayers];
    *val = p == &s->prep->val;
    *n = p->n;
    double *Z = fb_malloc(p->n ? p->n : 1, k * sizeof *Z, "predictions", err);
    *score = Z ? fb_malloc(p->n ? p->n : 1, sizeof **score, "the scores", err) : NULL;
    *truth = *score ? fb_malloc(p->n ? p->n : 1, sizeof **truth, "the labels", err) : NULL;
    TrainWork w;
    memset(&w, 0, sizeof w);
    int rc = *truth ? train_predict(m, p->X, p->n, Z, &w, err) : -1;
    train_work_free(&w);
    for (size_t i = 0; rc == 0 && i < p->n; i++) {
        (*score)[i] = k == 1 ? Z[i] : Z[i * k + 1] - Z[i * k]; /* the class-1 score, as show confusion's AUC */
        (*truth)[i] = (int)p->L[i];
    }
    free(Z);
    if (rc) {
        free(*score), free(*truth);
        *score = NULL, *truth = NULL;
    }
    return rc;
}

/* The curve (fpr, tpr: m points) and the chance line into pv's buffer, and the chart's two series. */
static int roc_series(PlotView *pv, const double *fpr, const double *tpr, size_t m, double auc, FbErr *err)
{
    Chart *c = &pv->chart;
    pv->buf = fb_malloc(2 * m + 4, sizeof *pv->buf, "the plot", err);
    if (!pv->buf)
        return -1;
    memcpy(pv->buf, fpr, m * sizeof *fpr);
    memcpy(pv->buf + m, tpr, m * sizeof *tpr);
    double *diag = pv->buf + 2 * m;
    diag[0] = diag[2] = 0;
    diag[1] = diag[3] = 1;
    char a[40];
    snprintf(pv->names[0], sizeof pv->names[0], "ROC, AUC %s", fb_fmt(a, sizeof a, auc, 4));
    snprintf(pv->names[1], sizeof pv->names[1], "chance");
    if (chart_add_series(c, pv->names[0], pv->buf, pv->buf + m, m, SERIES_LINE, err) < 0 ||
        chart_add_series(c, pv->names[1], diag, diag + 2, 2, SERIES_DASHED, err) < 0)
        return -1;
    c->fixed_x = c->fixed_y = true;
    c->xmin = c->ymin = 0;
    c->xmax = c->ymax = 1;
    return 0;
}

int plotroc_build(const Session *s, PlotView *pv, FbErr *err)
{
    double *score, *fpr = NULL, *tpr = NULL, *thr = NULL, auc;
    int *truth;
    size_t n, m = 0;
    bool val;
    if (plotroc_scores(s, &score, &truth, &n, &val, err))
        return -1;
    int rc = roc_curve(score, truth, n, &fpr, &tpr, &thr, &m, err) || roc_auc(score, truth, n, &auc, err) ? -1 : 0;
    const Dataset *ds = s->data;
    if (rc == 0) {
        snprintf(pv->title, sizeof pv->title, "ROC on the %s, %zu rows", val ? "val split" : "train split (no val)", n);
        snprintf(pv->xlabel, sizeof pv->xlabel, "false positive rate");
        snprintf(pv->ylabel, sizeof pv->ylabel, "TPR (class %.40s)", FB_SHOWN(ds->class_names[1]));
        pv->chart.xlabel = pv->xlabel;
        pv->chart.ylabel = pv->ylabel;
        rc = roc_series(pv, fpr, tpr, m, auc, err);
    }
    free(score), free(truth), free(fpr), free(tpr), free(thr);
    return rc;
}
