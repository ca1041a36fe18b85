/* roc.c — per-class F1 and its averages, the ROC curve and its area, as scikit-learn (roc.h). */
#include "fitbench/roc.h"

#include <math.h>
#include <stdlib.h>

static double ratio(double a, double b) { return b > 0 ? a / b : 0; }

void report_scores(const size_t *conf, size_t K, double *precision, double *recall, double *f1, size_t *support,
                   double avg[2][3])
{
    double used = 0, total = 0, sum[2][3] = {{0}};
    for (size_t c = 0; c < K; c++) {
        size_t tp = conf[c * K + c], predicted = 0, actual = 0;
        for (size_t j = 0; j < K; j++) {
            predicted += conf[j * K + c];
            actual += conf[c * K + j];
        }
        precision[c] = ratio((double)tp, (double)predicted);
        recall[c] = ratio((double)tp, (double)actual);
        f1[c] = ratio(2.0 * (double)tp, (double)(predicted + actual)); /* 2 tp / (2 tp + fp + fn) */
        support[c] = actual;
        if (predicted + actual == 0)
            continue; /* a class neither true nor predicted is not one of sklearn's labels */
        double v[3] = {precision[c], recall[c], f1[c]};
        for (int q = 0; q < 3; q++) {
            sum[0][q] += v[q];
            sum[1][q] += v[q] * (double)actual;
        }
        used++;
        total += (double)actual;
    }
    for (int q = 0; q < 3; q++) {
        avg[0][q] = ratio(sum[0][q], used);
        avg[1][q] = ratio(sum[1][q], total);
    }
}

/* A row's score and index, sorted by descending score (ties by row: a total order, so the sort is stable). */
typedef struct {
    double s;
    size_t i;
} Scored;

static int by_score_desc(const void *pa, const void *pb)
{
    const Scored *a = pa, *b = pb;
    if (a->s != b->s)
        return a->s > b->s ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

int roc_curve(const double *s, const int *y, size_t n, double **fpr, double **tpr, double **thr, size_t *m,
              FbErr *err)
{
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(s[i]))
            return fb_fail(err, "the ROC curve needs numbers as scores (row %zu has NaN: the model diverged?)", i + 1);
        pos += y[i] == 1;
    }
    if (pos == 0 || pos == n)
        return fb_fail(err, "the ROC curve needs both classes among the rows (there %s only class %d)",
                       n == 1 ? "is" : "are", n && pos ? 1 : 0);
    Scored *ord = malloc(n * sizeof *ord);
    *fpr = malloc((n + 1) * sizeof **fpr);
    *tpr = malloc((n + 1) * sizeof **tpr);
    *thr = malloc((n + 1) * sizeof **thr);
    if (!ord || !*fpr || !*tpr || !*thr) {
        free(ord), free(*fpr), free(*tpr), free(*thr);
        *fpr = *tpr = *thr = NULL;
        return fb_fail(err, "out of memory for the ROC curve");
    }
    for (size_t i = 0; i < n; i++)
        ord[i] = (Scored){s[i], i};
    qsort(ord, n, sizeof *ord, by_score_desc);
    size_t k = 0, tp = 0, fp = 0;
    (*fpr)[k] = 0, (*tpr)[k] = 0, (*thr)[k++] = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (y[ord[i].i] == 1)
            tp++;
        else
            fp++;
        if (i + 1 < n && ord[i + 1].s == ord[i].s)
            continue; /* one point per distinct score */
        (*fpr)[k] = (double)fp / (double)(n - pos);
        (*tpr)[k] = (double)tp / (double)pos;
        (*thr)[k++] = ord[i].s;
    }
    free(ord);
    *m = k;
    return 0;
}

int roc_auc(const double *s, const int *y, size_t n, double *auc, FbErr *err)
{
    double *fpr, *tpr, *thr;
    size_t m;
    if (roc_curve(s, y, n, &fpr, &tpr, &thr, &m, err))
        return -1;
    double a = 0;
    for (size_t i = 1; i < m; i++)
        a += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2;
    free(fpr), free(tpr), free(thr);
    *auc = a;
    return 0;
}
