/* cvfold.h — cross-validation's folds and the training of one fold (cvfold.c), shared by `cv` and `compare cv=K`.
 * Private to src/interp. */
#ifndef FITBENCH_CVFOLD_H
#define FITBENCH_CVFOLD_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/err.h"
#include "fitbench/session.h"

/* One fold's outcome: losses and the task's score (accuracy or r2) on its training and validation rows. */
typedef struct FoldResult {
    size_t ntrain, nval;
    double train_loss, val_loss, train_score, val_score;
    TrainEnd end;
} FoldResult;

/* The rows cross-validated (the split's non-test rows, n of them), shuffled by the seed when asked, and the
 * test fold of each (fold_of, n).  Owns both: cv_folds_free. */
typedef struct CvFolds {
    size_t *rows;
    size_t n;
    int *fold_of;
    int k;
} CvFolds;

/* The folds of s's data as scikit-learn's KFold / StratifiedKFold (folds.h).  Fails (-1, cf empty) on k out of
 * range, too few rows, a class with fewer than k rows under stratify, or out of memory. */
int cv_make_folds(Session *s, int k, bool stratify, bool shuffle, unsigned long long seed, CvFolds *cf, FbErr *err);
void cv_folds_free(CvFolds *cf); /* leaves cf zeroed */

/* c = a copy of s for fold f: trained on every fold but f (rows > 0: on the first `rows` of them only, in order,
 * as scikit-learn's learning_curve), validated on fold f, prepared as s's spec says (the
 * scaler fitted on the training rows), from s's parameters with a fresh optimizer.  order is scratch for
 * cf->n row indices.  Takes references (data, prepared data): call it on one thread at a time.  Fails (-1, c
 * empty) on out of memory. */
int cv_fold_copy(const Session *s, const CvFolds *cf, int f, size_t rows, size_t *order, Session *c, FbErr *err);

/* Train fold copy c for `epochs` (hooks may be NULL) and score it on its training and validation rows.  Touches
 * only c (copies may train on several threads at once).  Fails on out of memory or a failed training. */
int cv_fold_score(Session *c, long epochs, const TrainHooks *hooks, FoldResult *r, FbErr *err);

/* The training rows of fold 0 (scikit-learn's learning_curve sizes every fold's subset from it). */
size_t cv_first_train(const CvFolds *cf);

/* Mean and population standard deviation (numpy's std, ddof=0) of x (n > 0). */
void cv_mean_std(const double *x, size_t n, double *mean, double *sd);

#endif
