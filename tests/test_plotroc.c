/* test_plotroc.c — `plot roc`: the plotted points are scikit-learn's roc_curve(drop_intermediate=False) and the
 * key's AUC its roc_auc_score, for a saved model on a CSV with tied scores (tests/fixtures/roc/, from
 * tools/ref_roc.py); the split it uses is the one its title names. */
#include <criterion/criterion.h>
#include <math.h>

#include "fitbench/plotview.h"
#include "fitbench/roc.h"
#include "fixture_read.h"
#include "harness.h"

static void load_case(H *h)
{
    char run[1024];
    h_init(h);
    snprintf(run, sizeof run, "load %s/tests/fixtures/roc/data.csv; load model %s/tests/fixtures/roc/model.fbm; plot roc",
             FITBENCH_SRCDIR, FITBENCH_SRCDIR);
    cr_assert_eq(h_run(h, run), 0, "%s", h_err(h));
}

Test(plotroc, points_and_auc_equal_sklearn)
{
    Fx fx;
    cr_assert_eq(fx_load(&fx, "tests/fixtures/roc/roc.txt"), 0);
    const FxArr *roc = fx_get(&fx, "roc"), *auc = fx_get(&fx, "auc"), *y = fx_get(&fx, "y"), *z = fx_get(&fx, "z");
    cr_assert(roc && auc && y && z);
    H h;
    load_case(&h);
    /* the scores: the logits of the model, as numpy computes them (the same products, maybe another order) */
    double *s;
    int *t;
    size_t n;
    bool val;
    FbErr e;
    cr_assert_eq(plotroc_scores(&h.s, &s, &t, &n, &val, &e), 0, "%s", e.msg);
    cr_assert(!val);
    cr_assert_eq(n, y->cols);
    for (size_t i = 0; i < n; i++) {
        cr_assert_eq(t[i], (int)y->v[i], "row %zu's class", i);
        cr_assert(fabs(s[i] - z->v[i]) <= 1e-14 * fmax(1, fabs(z->v[i])), "row %zu: %.17g numpy %.17g", i, s[i],
                  z->v[i]);
    }
    double a;
    cr_assert_eq(roc_auc(s, t, n, &a, &e), 0);
    cr_assert(fabs(a - auc->v[0]) <= 1e-15, "AUC %.17g, sklearn %.17g", a, auc->v[0]);
    free(s);
    free(t);
    /* the picture: its first series is the curve, point for point sklearn's */
    PlotView pv;
    cr_assert_eq(plotview_build(&h.s, &pv, &e), 0, "%s", e.msg);
    const Series *c = &pv.chart.series[0];
    size_t m = roc->cols;
    cr_assert_eq(c->n, m, "%zu points, sklearn %zu", c->n, m);
    for (size_t i = 0; i < m; i++) {
        cr_assert_eq(c->x[i], roc->v[i], "fpr[%zu] %.17g, sklearn %.17g", i, c->x[i], roc->v[i]);
        cr_assert_eq(c->y[i], roc->v[m + i], "tpr[%zu] %.17g, sklearn %.17g", i, c->y[i], roc->v[m + i]);
    }
    char want[64], num[40];
    snprintf(want, sizeof want, "ROC, AUC %s", fb_fmt(num, sizeof num, auc->v[0], 4));
    cr_assert_str_eq(c->name, want);
    cr_assert_str_eq(pv.chart.series[1].name, "chance");
    cr_assert(strstr(pv.title, "train split (no val), 45 rows"), "%s", pv.title);
    cr_assert(strstr(pv.chart.ylabel, "class yes"), "%s", pv.chart.ylabel);
    plotview_free(&pv);
    fx_free(&fx);
    h_free(&h);
}

Test(plotroc, uses_the_validation_split_when_there_is_one)
{
    H h;
    load_case(&h);
    cr_assert_eq(h_run(&h, "split val=0.4 seed=2; plot roc"), 0, "%s", h_err(&h));
    PlotView pv;
    FbErr e;
    cr_assert_eq(plotview_build(&h.s, &pv, &e), 0, "%s", e.msg);
    cr_assert(strstr(pv.title, "val split, 18 rows"), "%s", pv.title);
    /* the points are roc_curve's of the validation rows' scores */
    double *s, *fpr, *tpr, *thr;
    int *t;
    size_t n, m;
    bool val;
    cr_assert_eq(plotroc_scores(&h.s, &s, &t, &n, &val, &e), 0);
    cr_assert(val && n == h.s.prep->val.n);
    cr_assert_eq(roc_curve(s, t, n, &fpr, &tpr, &thr, &m, &e), 0);
    cr_assert_eq(pv.chart.series[0].n, m);
    cr_assert(memcmp(pv.chart.series[0].x, fpr, m * sizeof *fpr) == 0);
    cr_assert(memcmp(pv.chart.series[0].y, tpr, m * sizeof *tpr) == 0);
    free(s), free(t), free(fpr), free(tpr), free(thr);
    plotview_free(&pv);
    h_free(&h);
}
