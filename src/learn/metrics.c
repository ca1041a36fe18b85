/* metrics.c — scikit-learn's regression metrics and classification counts. */
#include "fitbench/metrics.h"
#include "fitbench/vmath.h"

#include <math.h>
#include <stdint.h>
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

/* The predicted class of one row of logits z (k): z > 0 for k == 1, else
 * torch.argmax (NaN counts as the maximum; ties keep the first). */
static int argmax_row(const double *z, size_t k)
{
    if (k == 1)
        return z[0] > 0;
    size_t best = 0;
    for (size_t j = 1; j < k && !isnan(z[best]); j++)
        if (z[j] > z[best] || isnan(z[j]))
            best = j;
    return (int)best;
}

void metrics_argmax(const double *Z, size_t n, size_t k, int *pred)
{
    for (size_t i = 0; i < n; i++)
        pred[i] = argmax_row(Z + i * k, k);
}

/* ---- per-epoch metrics ---- */

static const char *const task_metrics[][2] = {{NULL, NULL}, {"r2", "rmse"}, {"accuracy", "f1"}};

MetricTask metric_task(LossKind k)
{
    return k == LOSS_BCE || k == LOSS_CE || k == LOSS_HINGE ? MTASK_CLS : MTASK_REG;
}

const char *metric_name(MetricTask t, int i)
{
    return (t == MTASK_REG || t == MTASK_CLS) && i >= 0 && i < 2 ? task_metrics[t][i] : NULL;
}

int metric_from_name(const char *name, MetricTask *t, int *i)
{
    for (int a = MTASK_REG; a <= MTASK_CLS; a++)
        for (int b = 0; b < 2; b++)
            if (strcmp(name, task_metrics[a][b]) == 0) {
                *t = (MetricTask)a;
                *i = b;
                return 0;
            }
    return -1;
}

static size_t classes_of(size_t k) { return k == 1 ? 2 : k; }

size_t metric_sums_len(MetricTask t, size_t k)
{
    return t == MTASK_CLS ? 3 * classes_of(k) : t == MTASK_REG ? k : 0;
}

/* Two classes from one logit, contiguous labels: counts c[] = {predicted 1, label 1, label 0, tp of class 1,
 * tp of class 0}, branch-free so that the compiler vectorises the loop (this runs over every row of every
 * epoch's passes; callgrind: 28 instructions per row as a plain loop with a strided label). */
static inline __attribute__((always_inline)) void binary_counts(const double *Z, const double *Y, size_t n,
                                                                int64_t c[5])
{
    int64_t cp = 0, c1 = 0, c0 = 0, t1 = 0, t0 = 0;
    for (size_t i = 0; i < n; i++) {
        int64_t p = Z[i] > 0, y1 = Y[i] == 1.0, y0 = Y[i] == 0.0;
        cp += p, c1 += y1, c0 += y0, t1 += p * y1, t0 += (1 - p) * y0;
    }
    c[0] = cp, c[1] = c1, c[2] = c0, c[3] = t1, c[4] = t0;
}

#if defined(__x86_64__) && defined(__GNUC__)
__attribute__((target("avx2"))) static void binary_counts_avx2(const double *Z, const double *Y, size_t n,
                                                                int64_t c[5])
{
    binary_counts(Z, Y, n, c);
}
#endif

static void sums_binary(const double *Z, const double *Y, size_t n, size_t ky, double *s)
{
    int64_t c[5] = {0};
    if (ky == 1) {
#if defined(__x86_64__) && defined(__GNUC__)
        if (vm_cpu_avx2_fma())
            binary_counts_avx2(Z, Y, n, c);
        else
#endif
            binary_counts(Z, Y, n, c);
    } else
        for (size_t i = 0; i < n; i++) {
            int64_t p = Z[i] > 0, y1 = Y[i * ky] == 1.0, y0 = Y[i * ky] == 0.0;
            c[0] += p, c[1] += y1, c[2] += y0, c[3] += p * y1, c[4] += (1 - p) * y0;
        }
    s[0] += (double)c[4], s[1] += (double)c[3];
    s[2] += (double)((int64_t)n - c[0]), s[3] += (double)c[0];
    s[4] += (double)c[2], s[5] += (double)c[1];
}

void metric_sums_add(MetricTask t, size_t k, const double *Z, const double *Y, size_t n, size_t ky, double *s)
{
    if (t == MTASK_REG) {
        /* Y is (n, k) values: the squared errors per column. */
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < k; j++) {
                double d = Y[i * ky + j] - Z[i * k + j];
                s[j] += d * d;
            }
        return;
    }
    if (t != MTASK_CLS)
        return;
    if (k == 1) {
        sums_binary(Z, Y, n, ky, s);
        return;
    }
    size_t K = k;
    for (size_t i = 0; i < n; i++) {
        size_t p = (size_t)argmax_row(Z + i * k, k);
        double y = Y[i * ky];
        s[K + p] += 1;
        if (y >= 0 && y < (double)K && (double)(size_t)y == y) { /* a class index (else: counts against accuracy) */
            s[2 * K + (size_t)y] += 1;
            s[p] += (size_t)y == p;
        }
    }
}

static double r2_from(const double *sse, const double *Y, size_t n, size_t k, size_t ky)
{
    if (n < 2 || k == 0)
        return NAN;
    double r2sum = 0;
    for (size_t j = 0; j < k; j++) {
        double mean = 0, den = 0;
        for (size_t i = 0; i < n; i++)
            mean += Y[i * ky + j];
        mean /= (double)n;
        for (size_t i = 0; i < n; i++) {
            double c = Y[i * ky + j] - mean;
            den += c * c;
        }
        /* as metrics_regression (sklearn's force_finite) */
        r2sum += sse[j] == 0 ? 1.0 : den == 0 ? 0.0 : 1.0 - sse[j] / den;
    }
    return r2sum / (double)k;
}

void metric_finish(MetricTask t, size_t k, const double *s, const double *Y, size_t n, size_t ky, double out[2])
{
    out[0] = out[1] = NAN;
    if (n == 0 || k == 0)
        return;
    if (t == MTASK_REG) {
        double se = 0;
        for (size_t j = 0; j < k; j++)
            se += s[j];
        out[0] = r2_from(s, Y, n, k, ky);
        out[1] = sqrt(se / (double)(n * k));
        return;
    }
    if (t != MTASK_CLS)
        return;
    size_t K = classes_of(k);
    double tp = 0, f1 = 0;
    size_t seen = 0;
    for (size_t c = 0; c < K; c++) {
        tp += s[c];
        double pa = s[K + c] + s[2 * K + c];
        if (pa > 0) {
            f1 += 2 * s[c] / pa;
            seen++;
        }
    }
    out[0] = tp / (double)n;
    out[1] = seen ? f1 / (double)seen : NAN;
}
