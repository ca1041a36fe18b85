/* test_metrics.c — metrics against scikit-learn and torch.argmax (fixtures from tools/ref_metrics.py). */
#include <criterion/criterion.h>
#include <math.h>

#include "fitbench/metrics.h"
#include "fixture_read.h"

static int close_rel(double a, double b, double tol)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

static void check_reg(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/metrics/%s.txt", name);
    Fx fx;
    cr_assert_eq(fx_load(&fx, rel), 0, "cannot read %s", rel);
    const FxArr *P = fx_get(&fx, "P"), *Y = fx_get(&fx, "Y");
    cr_assert(P && Y && fx_get(&fx, "r2"));
    RegMetrics m;
    metrics_regression(P->v, Y->v, Y->rows, Y->cols, &m);
    struct { const char *key; double got; } v[] = {{"mse", m.mse}, {"rmse", m.rmse}, {"mae", m.mae}, {"r2", m.r2}};
    for (size_t i = 0; i < 4; i++) {
        double want = fx_get(&fx, v[i].key)->v[0];
        cr_assert(close_rel(v[i].got, want, 1e-12), "%s: %s = %.17g, sklearn %.17g", name, v[i].key, v[i].got, want);
    }
    fx_free(&fx);
}

Test(metrics, regression_single_output) { check_reg("reg_9x1"); }
Test(metrics, regression_multioutput_uniform_average) { check_reg("reg_8x3"); }
Test(metrics, r2_constant_columns_as_sklearn) { check_reg("reg_constant_cols"); }
Test(metrics, r2_perfect_and_worse_than_mean) { check_reg("reg_perfect"); check_reg("reg_worse_than_mean"); }
Test(metrics, r2_undefined_for_one_sample) { check_reg("reg_one_sample"); }

static void check_cls(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/metrics/%s.txt", name);
    Fx fx;
    cr_assert_eq(fx_load(&fx, rel), 0, "cannot read %s", rel);
    const FxArr *Ka = fx_get(&fx, "K"), *pa = fx_get(&fx, "pred"), *ta = fx_get(&fx, "truth"),
                *acc = fx_get(&fx, "accuracy"), *cm = fx_get(&fx, "confusion"), *pr = fx_get(&fx, "precision"),
                *rc = fx_get(&fx, "recall");
    cr_assert(Ka && pa && ta && acc && cm && pr && rc);
    size_t K = (size_t)Ka->v[0], n = pa->cols;
    int *pred = malloc(n * sizeof *pred), *truth = malloc(n * sizeof *truth);
    size_t *conf = malloc(K * K * sizeof *conf);
    double *prec = malloc(K * sizeof *prec), *recall = malloc(K * sizeof *recall);
    cr_assert(pred && truth && conf && prec && recall);
    for (size_t i = 0; i < n; i++) {
        pred[i] = (int)pa->v[i];
        truth[i] = (int)ta->v[i];
    }
    ClsMetrics m = {.logloss = 42.0};
    metrics_classification(pred, truth, n, K, conf, prec, recall, &m);
    cr_assert(close_rel(m.accuracy, acc->v[0], 1e-15), "%s: accuracy %.17g, sklearn %.17g", name, m.accuracy,
              acc->v[0]);
    cr_assert_eq(m.logloss, 42.0, "logloss belongs to the caller");
    for (size_t i = 0; i < K * K; i++)
        cr_assert_eq((double)conf[i], cm->v[i], "%s: confusion[%zu][%zu]", name, i / K, i % K);
    for (size_t c = 0; c < K; c++) {
        cr_assert(close_rel(prec[c], pr->v[c], 1e-15), "%s: precision[%zu] %.17g vs %.17g", name, c, prec[c], pr->v[c]);
        cr_assert(close_rel(recall[c], rc->v[c], 1e-15), "%s: recall[%zu] %.17g vs %.17g", name, c, recall[c], rc->v[c]);
    }
    free(pred);
    free(truth);
    free(conf);
    free(prec);
    free(recall);
    fx_free(&fx);
}

Test(metrics, classification_zero_division) { check_cls("cls_5"); }
Test(metrics, classification_random) { check_cls("cls_3_random"); }
Test(metrics, classification_perfect) { check_cls("cls_2_perfect"); }

static void check_argmax(const char *name)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/metrics/%s.txt", name);
    Fx fx;
    cr_assert_eq(fx_load(&fx, rel), 0, "cannot read %s", rel);
    const FxArr *Z = fx_get(&fx, "Z"), *P = fx_get(&fx, "pred");
    cr_assert(Z && P);
    int pred[16];
    cr_assert(Z->rows <= 16);
    metrics_argmax(Z->v, Z->rows, Z->cols, pred);
    for (size_t i = 0; i < Z->rows; i++)
        cr_assert_eq(pred[i], (int)P->v[i], "%s: row %zu: %d, reference %d", name, i, pred[i], (int)P->v[i]);
    fx_free(&fx);
}

Test(metrics, argmax_first_maximum_as_torch) { check_argmax("argmax_4"); }
Test(metrics, argmax_one_logit_is_sign) { check_argmax("argmax_1"); }

Test(metrics, argmax_nan_is_maximum_as_torch)
{
    double Z[6] = {1.0, NAN, 5.0, 3.0, 2.0, NAN};
    int pred[2];
    metrics_argmax(Z, 2, 3, pred);
    cr_assert_eq(pred[0], 1);
    cr_assert_eq(pred[1], 2);
}
