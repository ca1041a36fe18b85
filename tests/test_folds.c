/* test_folds.c — cross-validation folds equal scikit-learn's KFold / StratifiedKFold (tests/fixtures/cv/folds.txt,
 * from tools/ref_cv.py), the rows cv uses, and the training data built from chosen rows. */
#include <criterion/criterion.h>
#include <math.h>

#include "fitbench/folds.h"
#include "fitbench/prep.h"
#include "fixture_read.h"
#include "harness.h"

static const char *const cases[] = {"kfold_10_3",       "kfold_150_5",      "kfold_7_7",       "kfold_101_4",
                                    "strat_sorted",     "strat_unequal",    "strat_first_seen", "strat_exactly_k",
                                    "strat_binary_odd", NULL};

Test(folds, equal_sklearn_kfold_and_stratified_kfold)
{
    Fx fx;
    cr_assert_eq(fx_load(&fx, "tests/fixtures/cv/folds.txt"), 0);
    for (int c = 0; cases[c]; c++) {
        char name[160];
        snprintf(name, sizeof name, "%s_k", cases[c]);
        const FxArr *k = fx_get(&fx, name);
        snprintf(name, sizeof name, "%s_fold", cases[c]);
        const FxArr *want = fx_get(&fx, name);
        snprintf(name, sizeof name, "%s_y", cases[c]);
        const FxArr *y = fx_get(&fx, name);
        cr_assert(k && want, "case %s missing", cases[c]);
        size_t n = want->cols, ncl = 0;
        int *labels = NULL, got[200];
        cr_assert(n <= 200);
        if (y) {
            labels = malloc(n * sizeof *labels);
            for (size_t i = 0; i < n; i++) {
                labels[i] = (int)y->v[i];
                if ((size_t)labels[i] + 1 > ncl)
                    ncl = (size_t)labels[i] + 1;
            }
        }
        FbErr e;
        cr_assert_eq(folds_assign(n, (int)k->v[0], labels, ncl, got, &e), 0, "%s: %s", cases[c], e.msg);
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(got[i], (int)want->v[i], "%s: row %zu in fold %d, sklearn %d", cases[c], i, got[i],
                         (int)want->v[i]);
        free(labels);
    }
    fx_free(&fx);
}

Test(folds, refuse_what_cannot_be_split)
{
    int f[10], lab[10] = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
    FbErr e;
    cr_assert_eq(folds_assign(10, 1, NULL, 0, f, &e), -1);
    cr_assert(strstr(e.msg, "k must be between 2"));
    cr_assert_eq(folds_assign(10, 11, NULL, 0, f, &e), -1);
    cr_assert(strstr(e.msg, "need at least 11 rows; there are 10"), "%s", e.msg);
    cr_assert_eq(folds_assign(10, 4, lab, 2, f, &e), -1);
    cr_assert(strstr(e.msg, "one class has 3"), "%s", e.msg);
    lab[2] = 5;
    cr_assert_eq(folds_assign(10, 2, lab, 2, f, &e), -1);
    cr_assert(strstr(e.msg, "outside"), "%s", e.msg);
    cr_assert_eq(folds_assign(10, 3, NULL, 0, f, &e), 0); /* a class-free KFold needs only k <= n */
}

static Dataset *ten_rows(void)
{
    FbErr e;
    Dataset *ds = dataset_new(10, 1, 1, &e);
    cr_assert(ds);
    for (int i = 0; i < 10; i++)
        ds->X[i] = ds->y[i] = i;
    return ds;
}

Test(folds, cv_rows_are_the_non_test_rows_in_split_order)
{
    Dataset *ds = ten_rows();
    PrepSpec sp;
    prep_spec_default(&sp);
    FbErr e;
    size_t n, *rows = prep_cv_rows(ds, &sp, &n, &e);
    cr_assert(rows);
    cr_assert_eq(n, 10);
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(rows[i], i, "no split: the file's order");
    free(rows);
    sp.test = 0.3;
    sp.val = 0.2;
    sp.seed = 4;
    Prepared *p;
    cr_assert_eq(prep_build(ds, &sp, &p, &e), 0);
    rows = prep_cv_rows(ds, &sp, &n, &e);
    cr_assert(rows);
    cr_assert_eq(n, 7, "the 3 test rows are left out");
    for (size_t i = 0; i < p->test.n; i++)
        for (size_t j = 0; j < n; j++)
            cr_assert_neq((double)rows[j], p->test.X[i], "test row %g is cross-validated", p->test.X[i]);
    for (size_t i = 0; i < p->train.n; i++)
        cr_assert_eq((double)rows[i], p->train.X[i], "the split's order");
    prep_unref(p);
    free(rows);
    sp.test = 1;
    cr_assert_null(prep_cv_rows(ds, &sp, &n, &e));
    dataset_unref(ds);
}

Test(folds, build_rows_scales_on_its_training_rows)
{
    Dataset *ds = ten_rows();
    PrepSpec sp;
    prep_spec_default(&sp);
    sp.scale = SCALE_STANDARD;
    size_t rows[10] = {2, 3, 4, 5, 6, 7, 8, 9, 0, 1};
    Prepared *p;
    FbErr e;
    cr_assert_eq(prep_build_rows(ds, &sp, rows, 8, 2, &p, &e), 0, "%s", e.msg); /* train 2..9, val 0..1 */
    cr_assert_eq(p->train.n, 8);
    cr_assert_eq(p->val.n, 2);
    cr_assert_eq(p->test.n, 0);
    cr_assert(fabs(p->shift[0] - 5.5) < 1e-15, "mean of 2..9: %g", p->shift[0]);
    cr_assert(fabs(p->val.X[0] - (0 - 5.5) / p->scale[0]) < 1e-15);
    cr_assert_eq(p->val.Y[1], 1);
    prep_unref(p);
    cr_assert_eq(prep_build_rows(ds, &sp, rows, 0, 2, &p, &e), -1);
    dataset_unref(ds);
}
