/* test_prep.c — split sizes, scaling from the training rows only, polynomial features in sklearn's order. */
#include <criterion/criterion.h>
#include <math.h>

#include "fitbench/prep.h"
#include "fixture_read.h"
#include "harness.h"

static Dataset *small(void)
{
    FbErr e;
    Dataset *ds = dataset_new(10, 2, 1, &e);
    cr_assert(ds);
    for (int i = 0; i < 10; i++) {
        ds->X[i * 2] = i;
        ds->X[i * 2 + 1] = 2 * i + 1;
        ds->y[i] = i * i;
    }
    return ds;
}

Test(prep, split_sizes_and_disjoint_rows)
{
    Dataset *ds = small();
    PrepSpec sp;
    prep_spec_default(&sp);
    sp.val = 0.2;
    sp.test = 0.3;
    sp.seed = 9;
    Prepared *p;
    FbErr e;
    cr_assert_eq(prep_build(ds, &sp, &p, &e), 0, "%s", e.msg);
    cr_assert_eq(p->test.n, 3);
    cr_assert_eq(p->val.n, 2);
    cr_assert_eq(p->train.n, 5);
    int seen[10] = {0};
    const Part *parts[3] = {&p->train, &p->val, &p->test};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < parts[k]->n; i++)
            seen[(int)parts[k]->X[i * 2]]++;
    for (int i = 0; i < 10; i++)
        cr_assert_eq(seen[i], 1, "row %d used %d times", i, seen[i]);
    prep_unref(p);
    sp.val = 0.6;
    sp.test = 0.5;
    cr_assert_eq(prep_build(ds, &sp, &p, &e), -1);
    cr_assert(strstr(e.msg, "split leaves no training rows"));
    dataset_unref(ds);
}

Test(prep, standard_scaler_uses_training_rows_only)
{
    Dataset *ds = small();
    PrepSpec sp;
    prep_spec_default(&sp);
    sp.test = 0.5;
    sp.scale = SCALE_STANDARD;
    Prepared *p;
    FbErr e;
    cr_assert_eq(prep_build(ds, &sp, &p, &e), 0);
    for (int j = 0; j < 2; j++) {
        double m = 0, v = 0;
        for (size_t i = 0; i < p->train.n; i++)
            m += p->train.X[i * 2 + j];
        m /= (double)p->train.n;
        for (size_t i = 0; i < p->train.n; i++)
            v += pow(p->train.X[i * 2 + j] - m, 2);
        v /= (double)p->train.n; /* population variance, as StandardScaler */
        cr_assert_float_eq(m, 0, 1e-12);
        cr_assert_float_eq(v, 1, 1e-12);
    }
    /* the test rows use the training statistics: their mean is not 0 in general */
    double raw = ds->X[0];
    (void)raw;
    prep_unref(p);
    dataset_unref(ds);
}

Test(prep, poly_features_in_sklearn_order)
{
    FbErr e;
    Dataset *ds = dataset_new(1, 2, 1, &e);
    ds->X[0] = 2;
    ds->X[1] = 3;
    PrepSpec sp;
    prep_spec_default(&sp);
    sp.terms = terms_poly(2, 3, &e);
    sp.degree = 3;
    Prepared *p;
    cr_assert_eq(prep_build(ds, &sp, &p, &e), 0);
    /* PolynomialFeatures(3, include_bias=False) on (a, b): a b a^2 ab b^2 a^3 a^2b ab^2 b^3 */
    double want[9] = {2, 3, 4, 6, 9, 8, 12, 18, 27};
    cr_assert_eq(p->d, 9);
    for (int j = 0; j < 9; j++)
        cr_assert_eq(p->train.X[j], want[j], "feature %d", j);
    cr_assert_str_eq(p->names[4], "x1^2");
    cr_assert_str_eq(p->names[6], "x0^2*x1");
    cr_assert_eq(prep_poly_count(13, 2), 104);
    cr_assert_eq(prep_poly_count(1000, 10), 0); /* too many: refused */
    prep_unref(p);
    prep_spec_release(&sp);
    dataset_unref(ds);
}

Test(prep, minmax_and_constant_columns)
{
    FbErr e;
    Dataset *ds = dataset_new(4, 2, 1, &e);
    double x[8] = {1, 5, 2, 5, 3, 5, 5, 5};
    memcpy(ds->X, x, sizeof x);
    PrepSpec sp;
    prep_spec_default(&sp);
    sp.scale = SCALE_MINMAX;
    Prepared *p;
    cr_assert_eq(prep_build(ds, &sp, &p, &e), 0);
    cr_assert_float_eq(p->train.X[0], 0, 0);
    cr_assert_float_eq(p->train.X[6], 1, 0);
    cr_assert_float_eq(p->train.X[2], 0.25, 1e-15);
    cr_assert_float_eq(p->train.X[1], 0, 0); /* constant: shifted, not divided by zero */
    prep_unref(p);
    dataset_unref(ds);
}

/* Constant and near-constant columns as scikit-learn's scalers treat them (tests/fixtures/scale, from
 * tools/ref_scale.py): statistics and transformed values. */
static void scaler_matches_sklearn(ScaleKind kind)
{
    Fx fx;
    cr_assert_eq(fx_load(&fx, "tests/fixtures/scale/columns.txt"), 0);
    const FxArr *X = fx_get(&fx, "X");
    const FxArr *shift = fx_get(&fx, kind == SCALE_STANDARD ? "mean" : "lo");
    const FxArr *scale = fx_get(&fx, kind == SCALE_STANDARD ? "scale" : "range");
    /* minmax: (x - min) / range, the transform without sklearn's cancellation (see tools/ref_scale.py). */
    const FxArr *T = fx_get(&fx, kind == SCALE_STANDARD ? "S" : "ME");
    cr_assert(X && shift && scale && T);
    size_t n = X->rows, d = X->cols;
    FbErr e;
    Dataset *ds = dataset_new(n, d, 1, &e);
    cr_assert(ds);
    memcpy(ds->X, X->v, n * d * sizeof(double));
    PrepSpec sp;
    prep_spec_default(&sp);
    sp.scale = kind;
    Prepared *p;
    cr_assert_eq(prep_build(ds, &sp, &p, &e), 0, "%s", e.msg);
    for (size_t j = 0; j < d; j++) {
        cr_assert(fabs(p->shift[j] - shift->v[j]) <= 1e-15 * fabs(shift->v[j]), "column %zu: shift %.17g, sklearn %.17g",
                  j, p->shift[j], shift->v[j]);
        cr_assert(fabs(p->scale[j] - scale->v[j]) <= 1e-12 * scale->v[j], "column %zu: scale %.17g, sklearn %.17g", j,
                  p->scale[j], scale->v[j]);
        for (size_t i = 0; i < n; i++) {
            double got = p->train.X[i * d + j], want = T->v[i * d + j];
            cr_assert(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want)), "column %zu row %zu: %.17g, sklearn %.17g", j,
                      i, got, want);
        }
    }
    prep_unref(p);
    dataset_unref(ds);
    fx_free(&fx);
}

Test(prep, standard_scaler_constant_columns_as_sklearn) { scaler_matches_sklearn(SCALE_STANDARD); }
Test(prep, minmax_scaler_constant_columns_as_sklearn) { scaler_matches_sklearn(SCALE_MINMAX); }
