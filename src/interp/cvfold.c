/* cvfold.c — cross-validation's folds and the training of one fold (cvfold.h), for `cv` and `compare cv=K`. */
#include "cvfold.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/evaluate.h"
#include "fitbench/folds.h"
#include "fitbench/rng.h"

static double score_of(const Eval *ev) { return ev->cls ? ev->c.accuracy : ev->reg.r2; }

int cv_make_folds(Session *s, int k, bool stratify, bool shuffle, unsigned long long seed, CvFolds *cf, FbErr *err)
{
    *cf = (CvFolds){.k = k};
    if (!(cf->rows = prep_cv_rows(s->data, &s->prep_spec, &cf->n, err)))
        return -1;
    if (shuffle) {
        Rng r;
        rng_seed(&r, seed);
        rng_shuffle(&r, cf->rows, cf->n);
    }
    int *labels = NULL;
    if (stratify) {
        labels = fb_malloc(cf->n, sizeof *labels, "the fold labels", err);
        for (size_t i = 0; labels && i < cf->n; i++)
            labels[i] = (int)s->data->label[cf->rows[i]];
    }
    cf->fold_of = (!stratify || labels) ? fb_malloc(cf->n, sizeof *cf->fold_of, "the folds", err) : NULL;
    int rc = cf->fold_of ? folds_assign(cf->n, k, labels, s->data->nclasses, cf->fold_of, err) : -1;
    free(labels);
    if (rc)
        cv_folds_free(cf);
    return rc;
}

void cv_folds_free(CvFolds *cf)
{
    free(cf->rows);
    free(cf->fold_of);
    memset(cf, 0, sizeof *cf);
}

int cv_fold_copy(const Session *s, const CvFolds *cf, int f, size_t rows, size_t *order, Session *c, FbErr *err)
{
    size_t ntr = 0, nv = 0, n = cf->n;
    for (size_t i = 0; i < n; i++)
        if (cf->fold_of[i] != f)
            order[ntr++] = cf->rows[i];
    size_t use = rows && rows < ntr ? rows : ntr; /* learning_curve: train[:rows] */
    for (size_t i = 0; i < n; i++)
        if (cf->fold_of[i] == f)
            order[use + nv++] = cf->rows[i];
    Prepared *p;
    if (prep_build_rows(s->data, &s->prep_spec, order, use, nv, &p, err))
        return -1;
    if (session_clone(c, s, err)) {
        prep_unref(p);
        return -1;
    }
    int rc = session_use_prepared(c, p, err);
    prep_unref(p);
    if (rc)
        session_free(c);
    return rc;
}

size_t cv_first_train(const CvFolds *cf)
{
    size_t m = 0;
    for (size_t i = 0; i < cf->n; i++)
        m += cf->fold_of[i] != 0;
    return m;
}

int cv_fold_score(Session *c, long epochs, const TrainHooks *hooks, FoldResult *r, FbErr *err)
{
    TrainData data;
    session_train_data(c, &data);
    TrainOutcome out = {0};
    Eval tr, va;
    if (train_run(&c->ts, &c->setup, &data, &c->work, epochs, 0, 0, hooks, &out, err) ||
        evaluate(c, &c->prep->train, &tr, err) || evaluate(c, &c->prep->val, &va, err))
        return -1;
    *r = (FoldResult){c->prep->train.n, c->prep->val.n, tr.loss, va.loss, score_of(&tr), score_of(&va), out.end};
    return 0;
}

void cv_mean_std(const double *x, size_t n, double *mean, double *sd)
{
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m);
    *mean = m;
    *sd = sqrt(v / (double)n);
}

