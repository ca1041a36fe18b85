/* roc.h — per-class F1 with macro and weighted averages, and the ROC curve and its area, as scikit-learn. */
#ifndef FITBENCH_ROC_H
#define FITBENCH_ROC_H

#include <stddef.h>

#include "fitbench/err.h"

/* From a confusion matrix conf (K, K) (row = true class, column = predicted): per class precision, recall and F1
 * (each (K), caller-owned; 0 where undefined, sklearn's zero_division=0) and the support (true rows of each
 * class); then their averages as sklearn's precision_recall_fscore_support: macro = the plain mean and weighted
 * = the mean weighted by support, both over the classes that occur in the truth or the predictions (sklearn's
 * unique_labels).  avg is (2, 3): macro then weighted, each precision, recall, F1.  Never fails. */
void report_scores(const size_t *conf, size_t K, double *precision, double *recall, double *f1, size_t *support,
                   double avg[2][3]);

/* The ROC curve of scores s (n) for truth y (n, 0 or 1): sklearn.metrics.roc_curve(y, s, drop_intermediate=False)
 * with its first point (0, 0) at threshold +inf: one point per distinct score, from the highest.  fpr, tpr and
 * thr are malloc'd (*m points each, the caller frees).  Fails (-1, err) on out of memory, a NaN score, or when y
 * holds only one class (sklearn: the curve is undefined). */
int roc_curve(const double *s, const int *y, size_t n, double **fpr, double **tpr, double **thr, size_t *m,
              FbErr *err);

/* The area under that curve by the trapezoid rule (sklearn's roc_auc_score for a binary target; ties count
 * half).  Fails as roc_curve. */
int roc_auc(const double *s, const int *y, size_t n, double *auc, FbErr *err);

#endif
