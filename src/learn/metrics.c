/* metrics.c — scikit-learn's regression metrics and classification counts. */
#include "fitbench/metrics.h"

#include <math.h>
#include <string.h>

void metrics_regression(const double *P, const double *Y, size_t n, size_t k, RegMetrics *out)
{
    /* P and Y are (n, k).  Every column has n values, so sklearn's mean of
     * per-column means equals the mean over all n*k values. */
    double se = 0, ae = 0;
    for (size_t i = 0; i < n * k; i++) {
        double d = Y[i] - P[i];
        se += d * d;
        ae += fabs(d);
    }
    out->mse = se / (double)(n * k);
    out->rmse = sqrt(out->mse);
    out->mae = ae / (double)(n * k);

    /* r2_score: undefined (NaN) with fewer than two samples. */
    if (n < 2 || k == 0) {
        out->r2 = NAN;
        return;
    }
    double r2sum = 0;
    for (size_t j = 0; j < k; j++) {
        double mean = 0;
        for (size_t i = 0; i < n; i++)
            mean += Y[i * k + j];
        mean /= (double)n;
        double num = 0, den = 0;
        for (size_t i = 0; i < n; i++) {
            double d = Y[i * k + j] - P[i * k + j], c = Y[i * k + j] - mean;
            num += d * d;
            den += c * c;
        }
        /* sklearn (force_finite=True): perfect → 1, constant target with
         * errors → 0, otherwise 1 - num/den. */
        r2sum += num == 0 ? 1.0 : den == 0 ? 0.0 : 1.0 - num / den;
    }
    out->r2 = r2sum / (double)k;
}

void metrics_classification(const int *pred, const int *truth, size_t n, size_t K, size_t *confusion,
                            double *precision, double *recall, ClsMetrics *out)
{
    memset(confusion, 0, K * K * sizeof *confusion);
    size_t correct = 0;
    for (size_t i = 0; i < n; i++) {
        correct += pred[i] == truth[i];
        /* Labels outside [0, K) count against accuracy but have no cell. */
        if (pred[i] >= 0 && (size_t)pred[i] < K && truth[i] >= 0 && (size_t)truth[i] < K)
            confusion[(size_t)truth[i] * K + (size_t)pred[i]]++;
    }
    out->accuracy = n ? (double)correct / (double)n : NAN;
    for (size_t c = 0; c < K; c++) {
        size_t tp = confusion[c * K + c], predicted = 0, actual = 0;
        for (size_t j = 0; j < K; j++) {
            predicted += confusion[j * K + c]; /* column c */
            actual += confusion[c * K + j];    /* row c */
        }
        precision[c] = predicted ? (double)tp / (double)predicted : 0.0;
        recall[c] = actual ? (double)tp / (double)actual : 0.0;
    }
}

void metrics_argmax(const double *Z, size_t n, size_t k, int *pred)
{
    for (size_t i = 0; i < n; i++) {
        const double *z = Z + i * k;
        if (k == 1) {
            pred[i] = z[0] > 0;
            continue;
        }
        /* torch.argmax: NaN counts as the maximum; ties keep the first. */
        size_t best = 0;
        for (size_t j = 1; j < k && !isnan(z[best]); j++)
            if (z[j] > z[best] || isnan(z[j]))
                best = j;
        pred[i] = (int)best;
    }
}
