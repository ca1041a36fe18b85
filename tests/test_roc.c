/* test_roc.c — per-class precision, recall, F1 and their averages, the ROC curve and its area, against
 * scikit-learn (tests/fixtures/report/cases.txt, from tools/ref_report.py). */
#include <criterion/criterion.h>
#include <math.h>

#include "fitbench/roc.h"
#include "fixture_read.h"
#include "harness.h"

static const FxArr *get(const Fx *fx, const char *name, const char *what)
{
    char key[128];
    snprintf(key, sizeof key, "%s_%s", name, what);
    const FxArr *a = fx_get(fx, key);
    cr_assert(a, "fixture %s missing", key);
    return a;
}

static void near(double got, double want, const char *what)
{
    cr_assert(fabs(got - want) <= 1e-15 * fmax(1, fabs(want)), "%s: %.17g, sklearn %.17g", what, got, want);
}

Test(report, per_class_and_averages_equal_sklearn)
{
    static const char *const cases[] = {"three", "never_predicted", "absent_class", "perfect", NULL};
    Fx fx;
    cr_assert_eq(fx_load(&fx, "tests/fixtures/report/cases.txt"), 0);
    for (int c = 0; cases[c]; c++) {
        const FxArr *t = get(&fx, cases[c], "truth"), *p = get(&fx, cases[c], "pred");
        const FxArr *prf = get(&fx, cases[c], "prf"), *avg = get(&fx, cases[c], "avg");
        size_t K = prf->cols, n = t->cols;
        size_t conf[25] = {0}, support[5];
        cr_assert(K <= 5);
        for (size_t i = 0; i < n; i++)
            conf[(size_t)t->v[i] * K + (size_t)p->v[i]]++;
        double pr[5], re[5], f1[5], a[2][3];
        report_scores(conf, K, pr, re, f1, support, a);
        for (size_t k = 0; k < K; k++) {
            near(pr[k], prf->v[k], "precision");
            near(re[k], prf->v[K + k], "recall");
            near(f1[k], prf->v[2 * K + k], "f1");
            cr_assert_eq((double)support[k], prf->v[3 * K + k], "%s: support of class %zu", cases[c], k);
        }
        for (int w = 0; w < 2; w++)
            for (int q = 0; q < 3; q++)
                near(a[w][q], avg->v[w * 3 + q], w ? "weighted average" : "macro average");
    }
    fx_free(&fx);
}

Test(report, roc_curve_and_auc_equal_sklearn)
{
    static const char *const cases[] = {"distinct", "ties", "all_tied", "separable", NULL};
    Fx fx;
    cr_assert_eq(fx_load(&fx, "tests/fixtures/report/cases.txt"), 0);
    for (int c = 0; cases[c]; c++) {
        const FxArr *y = get(&fx, cases[c], "y"), *s = get(&fx, cases[c], "s");
        const FxArr *roc = get(&fx, cases[c], "roc"), *auc = get(&fx, cases[c], "auc");
        size_t n = y->cols, m;
        int yi[100];
        cr_assert(n <= 100);
        for (size_t i = 0; i < n; i++)
            yi[i] = (int)y->v[i];
        double *fpr, *tpr, *thr, a;
        FbErr e;
        cr_assert_eq(roc_curve(s->v, yi, n, &fpr, &tpr, &thr, &m, &e), 0, "%s", e.msg);
        cr_assert_eq(m, roc->cols, "%s: %zu points, sklearn %zu", cases[c], m, roc->cols);
        for (size_t i = 0; i < m; i++) {
            near(fpr[i], roc->v[i], "fpr");
            near(tpr[i], roc->v[m + i], "tpr");
            if (i > 0) /* the first threshold: +inf here, max + 1 in scikit-learn 1.2 (inf from 1.3) */
                near(thr[i], roc->v[2 * m + i], "threshold");
        }
        cr_assert(isinf(thr[0]));
        free(fpr), free(tpr), free(thr);
        cr_assert_eq(roc_auc(s->v, yi, n, &a, &e), 0);
        near(a, auc->v[0], cases[c]);
    }
    fx_free(&fx);
}

Test(report, roc_refuses_one_class_and_nan)
{
    double s[3] = {0.1, 0.2, NAN}, a;
    int y1[3] = {1, 1, 1}, y2[3] = {0, 1, 1};
    FbErr e;
    cr_assert_eq(roc_auc(s, y1, 2, &a, &e), -1);
    cr_assert(strstr(e.msg, "both classes"), "%s", e.msg);
    cr_assert_eq(roc_auc(s, y2, 3, &a, &e), -1);
    cr_assert(strstr(e.msg, "NaN"), "%s", e.msg);
}

/* show confusion prints the report: f1 and support per class, the two averages, and roc_auc for two classes
 * (the numbers are report_scores' and roc_auc's, checked above against scikit-learn). */
Test(report, show_confusion_prints_the_report)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "gen blobs n=60 classes=2 noise=2 seed=3; split val=0.5; model logistic; train 5"), 0, "%s",
                 h_err(&h));
    h_clear(&h);
    cr_assert_eq(h_run(&h, "show confusion"), 0, "%s", h_err(&h));
    const char *o = h_out(&h);
    cr_assert(strstr(o, "precision     recall         f1  support"), "%s", o);
    cr_assert(strstr(o, "macro avg") && strstr(o, "weighted avg"), "%s", o);
    cr_assert(strstr(o, "roc_auc "), "%s", o);
    h_free(&h);
    h_init(&h);
    cr_assert_eq(h_run(&h, "gen blobs n=60 classes=3 seed=3; model softmax; train 5"), 0, "%s", h_err(&h));
    h_clear(&h);
    cr_assert_eq(h_run(&h, "show confusion"), 0, "%s", h_err(&h));
    cr_assert(strstr(h_out(&h), "macro avg"), "%s", h_out(&h));
    cr_assert_null(strstr(h_out(&h), "roc_auc"), "three classes have no single ROC curve: %s", h_out(&h));
    h_free(&h);
}
