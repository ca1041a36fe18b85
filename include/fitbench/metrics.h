/* metrics.h — regression and classification metrics over predictions. */
#ifndef FITBENCH_METRICS_H
#define FITBENCH_METRICS_H

#include <stddef.h>

#include "fitbench/err.h"

/* Regression metrics of predictions P against targets Y, both (n, k),
 * averaged over all n*k values; r2 as scikit-learn's r2_score with
 * multioutput='uniform_average' (mean of per-column R2; a constant column
 * gives 1.0 if predicted exactly, else 0.0 as sklearn). */
typedef struct RegMetrics {
    double mse, rmse, mae, r2;
} RegMetrics;
void metrics_regression(const double *P, const double *Y, size_t n, size_t k, RegMetrics *out);

/* Classification: pred and truth are class indices in [0, K).  confusion is
 * (K, K), row = true class, column = predicted (as sklearn), caller-owned
 * K*K array.  precision/recall are (K) arrays, caller-owned; a class never
 * predicted has precision 0, never present has recall 0 (sklearn's
 * zero_division=0). */
typedef struct ClsMetrics {
    double accuracy;
    double logloss;  /* filled by the caller, from the loss */
} ClsMetrics;
void metrics_classification(const int *pred, const int *truth, size_t n, size_t K, size_t *confusion,
                            double *precision, double *recall, ClsMetrics *out);

/* Predicted classes from logits Z (n, k): k == 1 → z > 0 (class 1), else
 * argmax (first maximum wins, as torch.argmax). */
void metrics_argmax(const double *Z, size_t n, size_t k, int *pred);

#endif
