/* folds.h — k-fold cross-validation folds, as scikit-learn's KFold and StratifiedKFold (shuffle=False). */
#ifndef FITBENCH_FOLDS_H
#define FITBENCH_FOLDS_H

#include <stddef.h>

#include "fitbench/err.h"

#define FOLDS_MAX 100

/* The test fold of each of n rows, fold_of (n), caller-owned.
 *
 * labels == NULL: KFold(n_splits=k, shuffle=False): contiguous folds, the first n % k of them one row longer.
 * labels (n) class indices in [0, nclasses): StratifiedKFold(n_splits=k, shuffle=False) of scikit-learn 1.x:
 * classes numbered in order of first appearance, the rows sorted by class dealt round-robin into the folds to
 * count how many of each class every fold gets, then each class's rows, in order, go to folds 0, 0, ..., 1, ...
 *
 * Fails (-1, err says why) when k < 2, k > FOLDS_MAX or k > n, and under stratification when a class present
 * has fewer than k rows (scikit-learn only warns there and leaves some folds without that class) or a label
 * is out of range. */
int folds_assign(size_t n, int k, const int *labels, size_t nclasses, int *fold_of, FbErr *err);

#endif
