/* metrics.h — regression and classification metrics over predictions. */
#ifndef FITBENCH_METRICS_H
#define FITBENCH_METRICS_H

#include <stddef.h>

#include "fitbench/err.h"
#include "fitbench/loss.h"

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

/* ---- per-epoch metrics from a pass that already computes the logits ----
 * The training loop computes the loss of each epoch on the whole training and
 * validation splits; the same logits give the task's two metrics (history.h):
 *   classification (bce, hinge, ce): accuracy and macro F1;
 *   regression (mse, mae, huber):    r2 and rmse.
 * A pass adds sufficient statistics per chunk of rows into a buffer of
 * doubles (counts are exact in a double), parts are added in a fixed order,
 * and metric_finish turns the sums into the two numbers. */
typedef enum { MTASK_NONE, MTASK_REG, MTASK_CLS } MetricTask;

MetricTask metric_task(LossKind k); /* the task a loss trains for */

/* The names of the two metrics of a task ("accuracy", "f1" / "r2", "rmse"),
 * as history columns, plots and expressions spell them; NULL for MTASK_NONE
 * or i outside 0..1. */
const char *metric_name(MetricTask t, int i);

/* Which task and metric a name is: 0 with *t, *i set, or -1. */
int metric_from_name(const char *name, MetricTask *t, int *i);

/* Doubles of sums for k model outputs.  Classification with K classes
 * (K = 2 when k == 1): K true positives, K predicted, K actual counts.
 * Regression: k sums of squared errors. */
size_t metric_sums_len(MetricTask t, size_t k);

/* Add n rows: logits Z (n, k), targets Y (n, ky) in the loss's form (class
 * index or 0/1 for classification; values, ky == k, for regression) into s
 * (metric_sums_len).  The predicted class is metrics_argmax's. */
void metric_sums_add(MetricTask t, size_t k, const double *Z, const double *Y, size_t n, size_t ky, double *s);

/* The two metrics from the sums of a pass over all n rows of Y (n, ky):
 * out[0] accuracy (sklearn accuracy_score), out[1] macro F1 (sklearn
 * f1_score(average='macro'): the mean over the classes that are true or
 * predicted at least once of 2 tp / (predicted + actual)); or out[0] r2
 * (metrics_regression's, the denominator from Y in two passes), out[1] rmse
 * (sqrt of the mean squared error over all n*k values).  NaN when n == 0 or
 * the task is MTASK_NONE. */
void metric_finish(MetricTask t, size_t k, const double *s, const double *Y, size_t n, size_t ky, double out[2]);

#endif
