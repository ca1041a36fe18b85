/* test_linalg.c — solve against scikit-learn on datasets and generated designs (fixtures from tools/ref_solve.py),
 * ridge against its fixed point and sklearn's Ridge, the rank-deficiency report. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "fitbench/linalg.h"
#include "fitbench/npy.h"
#include "fixture_read.h"
#include "fixture_close.h"
#include "harness.h"

typedef struct Ref {
    size_t n, d;
    double mse, b, w[64], wd, rb, rw[64];
} Ref;

static void read_ref(const char *name, Ref *r)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/tests/fixtures/solve/%s.txt", FITBENCH_SRCDIR, name);
    FILE *fp = fopen(path, "r");
    cr_assert(fp, "cannot open %s", path);
    cr_assert_eq(fscanf(fp, "%zu %zu %lf %lf", &r->n, &r->d, &r->mse, &r->b), 4);
    for (size_t j = 0; j < r->d; j++)
        cr_assert_eq(fscanf(fp, "%lf", &r->w[j]), 1);
    cr_assert_eq(fscanf(fp, "%lf %lf", &r->wd, &r->rb), 2);
    for (size_t j = 0; j < r->d; j++)
        cr_assert_eq(fscanf(fp, "%lf", &r->rw[j]), 1);
    fclose(fp);
}

static void close_rel(double a, double b, double tol, const char *what)
{
    cr_assert(fabs(a - b) <= tol * fabs(b), "%s: %.17g vs %.17g (rel %.3g)", what, a, b, fabs(a - b) / fabs(b));
}

/* The check: save weights after solve equals LinearRegression to 1e-9 relative. */
static void solve_matches_sklearn(const char *name)
{
    Ref r;
    read_ref(name, &r);
    char dir[] = "/tmp/fbsolveXXXXXX", cmd[512];
    cr_assert(mkdtemp(dir));
    H h;
    h_init(&h);
    snprintf(cmd, sizeof cmd, "load %s; model linear; loss mse; solve; save weights %s/OUT", name, dir);
    cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
    double *W, *b;
    size_t nd, shape[2];
    FbErr e;
    char p[600];
    snprintf(p, sizeof p, "%s/OUT/W.npy", dir);
    cr_assert_eq(npy_read(p, &W, &nd, shape, &e), 0, "%s", e.msg);
    cr_assert(nd == 2 && shape[0] == 1 && shape[1] == r.d);
    snprintf(p, sizeof p, "%s/OUT/b.npy", dir);
    cr_assert_eq(npy_read(p, &b, &nd, shape, &e), 0, "%s", e.msg);
    cr_assert(nd == 1 && shape[0] == 1);
    for (size_t j = 0; j < r.d; j++)
        close_rel(W[j], r.w[j], 1e-9, "coefficient");
    close_rel(b[0], r.b, 1e-9, "intercept");
    cr_assert_float_eq(h.s.optimum, r.mse, 1e-9 * r.mse);
    free(W);
    free(b);
    h_free(&h);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(solve, boston_matches_sklearn) { solve_matches_sklearn("boston"); }
Test(solve, diabetes_matches_sklearn) { solve_matches_sklearn("diabetes"); }

Test(solve, ridge_is_the_weight_decay_fixed_point)
{
    Ref r;
    read_ref("diabetes", &r);
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load diabetes; model linear; optim sgd weight_decay=0.1; solve"), 0, "%s", h_err(&h));
    const Model *m = &h.s.ts.model;
    for (size_t j = 0; j < r.d; j++)
        close_rel(m->params[j], r.rw[j], 1e-9, "ridge coefficient");
    close_rel(m->params[r.d], r.rb, 1e-9, "ridge intercept");
    /* At that point the update of sgd with weight decay is zero: grad + wd * theta = 0. */
    TrainData d;
    session_train_data(&h.s, &d);
    double loss;
    FbErr e;
    cr_assert_eq(train_eval(&h.s.ts.model, &h.s.setup.loss, d.X, d.Y, d.n, d.ky, &h.s.work, &loss, true, &e), 0);
    double big = 0;
    for (size_t i = 0; i < m->nparams; i++)
        big = fmax(big, fabs(m->grads[i]));
    for (size_t i = 0; i < m->nparams; i++)
        cr_assert(fabs(m->grads[i] + 0.1 * m->params[i]) <= 1e-9 * big, "param %zu not stationary", i);
    h_free(&h);
}

Test(solve, gradient_descent_reaches_the_closed_form)
{
    /* The check: from zero on standardized Boston, sgd lr=0.1 full batch, 1000 epochs. */
    Ref r;
    read_ref("boston", &r);
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load boston; scale standard; model linear; loss mse; optim sgd lr=0.1; batch full; "
                           "train 1000"),
                 0, "%s", h_err(&h));
    const HistRow *last = history_last(&h.s.ts.hist);
    cr_assert_eq(last->epoch, 1000);
    close_rel(last->train_loss, r.mse, 1e-9, "train_loss after 1000 epochs");
    h_free(&h);
}

Test(solve, rank_deficient_gives_minimum_norm)
{
    /* Two identical columns: lstsq splits the weight equally. */
    double X[8] = {1, 1, 2, 2, 3, 3, 4, 4}, Y[4] = {2, 4, 6, 8}, W[2], b;
    FbErr e;
    cr_assert_eq(linalg_lstsq(X, Y, 4, 2, 1, 0, W, &b, &e), 0, "%s", e.msg);
    cr_assert_float_eq(W[0], 1.0, 1e-12);
    cr_assert_float_eq(W[1], 1.0, 1e-12);
    cr_assert_float_eq(b, 0.0, 1e-12);
}

Test(solve, refuses_what_has_no_closed_form)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load iris; model softmax; solve"), -1);
    cr_assert(strstr(h_err(&h), "solve is the closed form of least squares: it needs model linear and loss mse"),
              "%s", h_err(&h));
    h_free(&h);
}

/* ------------------------------------------------------------------ generated designs (tools/ref_solve.py) */

/* P = X W^T + b: X (n, d), W (k, d), P (n, k). */
static void predict_rows(const double *X, const double *W, const double *b, size_t n, size_t d, size_t k, double *P)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) {
            double z = b[j];
            for (size_t c = 0; c < d; c++)
                z += X[i * d + c] * W[j * d + c];
            P[i * k + j] = z;
        }
}

static void check_design(const char *name)
{
    char rel[512];
    snprintf(rel, sizeof rel, "tests/fixtures/solve/designs/%s.txt", name);
    Fx fx;
    cr_assert_eq(fx_load(&fx, rel), 0, "cannot read %s", rel);
    const FxArr *X = need(&fx, name, "X"), *Y = need(&fx, name, "Y");
    size_t n = X->rows, d = X->cols, k = Y->cols;
    double *W = calloc(k * d, sizeof *W), *b = calloc(k, sizeof *b), *P = calloc(n * k, sizeof *P);
    cr_assert(W && b && P);
    LinalgInfo info;
    FbErr e;
    cr_assert_eq(linalg_lstsq_info(X->v, Y->v, n, d, k, 0, W, b, &info, &e), 0, "%s: %s", name, e.msg);
    size_t rank = (size_t)need(&fx, name, "rank")->v[0];
    cr_assert_eq(info.rank, rank, "%s: rank %zu, scikit-learn's %zu", name, info.rank, rank);
    cr_assert_eq(info.ndep, d - rank, "%s", name);
    for (size_t i = 0; i < info.ndep; i++)
        cr_assert(info.dep[i] < d && (i == 0 || info.dep[i] > info.dep[i - 1]), "%s: dependent columns", name);
    predict_rows(X->v, W, b, n, d, k, P);
    check_close(name, "predictions", P, need(&fx, name, "P")->v, need(&fx, name, "EP")->v, n * k);
    /* The minimum-norm coefficients are unique also when X is rank-deficient. */
    check_close(name, "coefficients", W, need(&fx, name, "W")->v, need(&fx, name, "EW")->v, k * d);
    linalg_info_free(&info);

    double lam = need(&fx, name, "lam")->v[0];
    cr_assert_eq(linalg_lstsq_info(X->v, Y->v, n, d, k, lam, W, b, &info, &e), 0, "%s: %s", name, e.msg);
    cr_assert_eq(info.rank, d);
    check_close(name, "ridge coefficients", W, need(&fx, name, "RW")->v, need(&fx, name, "ERW")->v, k * d);
    check_close(name, "ridge intercepts", b, need(&fx, name, "Rb")->v, need(&fx, name, "ERb")->v, k);
    predict_rows(X->v, W, b, n, d, k, P);
    check_close(name, "ridge predictions", P, need(&fx, name, "RP")->v, need(&fx, name, "ERP")->v, n * k);
    linalg_info_free(&info);
    free(W);
    free(b);
    free(P);
    fx_free(&fx);
}

Test(solve, generated_designs_match_sklearn)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/tests/fixtures/solve/designs/LIST", FITBENCH_SRCDIR);
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    char name[256];
    int count = 0;
    while (fscanf(f, "%255s", name) == 1) {
        check_design(name);
        count++;
    }
    fclose(f);
    cr_assert_geq(count, 30, "only %d designs", count);
}

Test(solve, onehot_csv_through_the_commands_matches_sklearn)
{
    /* Every level of a one-hot column plus the intercept: rank 4 of 5.  OneHotEncoder + StandardScaler +
     * LinearRegression in tools/ref_solve.py. */
    Fx fx;
    cr_assert_eq(fx_load(&fx, "tests/fixtures/solve/onehot_city.txt"), 0);
    const FxArr *W = fx_get(&fx, "W"), *b = fx_get(&fx, "b"), *P = fx_get(&fx, "P"), *mse = fx_get(&fx, "mse");
    cr_assert(W && b && P && mse);
    H h;
    h_init(&h);
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "load %s/tests/fixtures/solve/onehot_city.csv onehot=city; scale standard; "
             "model linear; loss mse; solve", FITBENCH_SRCDIR);
    cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
    const Model *m = &h.s.ts.model;
    cr_assert_eq(m->sizes[0], 5);
    cr_assert(rel_err(m->params + m->woff[0], W->v, 5) <= 1e-9, "coefficients off by %.3g",
              rel_err(m->params + m->woff[0], W->v, 5));
    cr_assert(rel_err(m->params + m->boff[0], b->v, 1) <= 1e-9);
    cr_assert(fabs(h.s.optimum - mse->v[0]) <= 1e-9 * mse->v[0], "train loss %.17g, sklearn's %.17g", h.s.optimum,
              mse->v[0]);
    /* Predictions on the training rows, as the model makes them. */
    const Part *tr = &h.s.prep->train;
    cr_assert_eq(tr->n, P->rows);
    double *Z = malloc(tr->n * sizeof *Z);
    cr_assert(Z);
    predict_rows(tr->X, m->params + m->woff[0], m->params + m->boff[0], tr->n, 5, 1, Z);
    cr_assert(rel_err(Z, P->v, tr->n) <= 1e-9, "predictions off by %.3g", rel_err(Z, P->v, tr->n));
    free(Z);
    /* The one line naming the dependent column: pivoted QR takes a city level last. */
    cr_assert(strstr(h_out(&h), "1 column is a linear combination of others (city="), "%s", h_out(&h));
    cr_assert(strstr(h_out(&h), "): minimum-norm solution\n"), "%s", h_out(&h));
    h_free(&h);
    fx_free(&fx);
}

Test(solve, names_every_dependent_column)
{
    /* x3 = x0 + x1 and x4 = 2 x2: two columns are combinations of the others. */
    double X[8 * 5], Y[8];
    for (int i = 0; i < 8; i++) {
        double a = sin(i + 1.0), c = cos(3.0 * i), e = (i * i) % 7;
        X[i * 5 + 0] = a, X[i * 5 + 1] = c, X[i * 5 + 2] = e, X[i * 5 + 3] = a + c, X[i * 5 + 4] = 2 * e;
        Y[i] = 1 + a - c + 0.5 * e;
    }
    double W[5], b;
    LinalgInfo info;
    FbErr e;
    cr_assert_eq(linalg_lstsq_info(X, Y, 8, 5, 1, 0, W, &b, &info, &e), 0, "%s", e.msg);
    cr_assert_eq(info.rank, 3);
    cr_assert_eq(info.ndep, 2);
    cr_assert_str_eq(info.path, "svd");
    /* Minimum norm: the weight of a sum is shared between the sum and its parts. */
    cr_assert_float_eq(W[2] * 1 + W[4] * 2, 0.5, 1e-12);
    cr_assert_float_eq(W[4], 2 * W[2], 1e-12);
    linalg_info_free(&info);
    cr_assert_null(info.dep);
}

Test(solve, refuses_bad_input_and_changes_nothing)
{
    double X[4] = {1, 2, 3, NAN}, Y[4] = {1, 2, 3, 4}, W[1] = {7}, b = 7;
    FbErr e;
    LinalgInfo info;
    cr_assert_eq(linalg_lstsq_info(X, Y, 4, 1, 1, 0, W, &b, &info, &e), -1);
    cr_assert(strstr(e.msg, "X contains NaN or Inf"), "%s", e.msg);
    cr_assert(W[0] == 7 && b == 7 && info.dep == NULL);
    X[3] = 4;
    cr_assert_eq(linalg_lstsq_info(X, Y, 4, 1, 1, -1, W, &b, &info, &e), -1);
    cr_assert(strstr(e.msg, "ridge penalty must be finite and >= 0"), "%s", e.msg);
    cr_assert_eq(linalg_lstsq_info(X, Y, 0, 1, 1, 0, W, &b, &info, &e), -1);
    cr_assert(strstr(e.msg, "no training rows"), "%s", e.msg);
}

Test(solve, well_conditioned_takes_the_normal_equations)
{
    /* The fast path W5 relies on: a well-conditioned tall design never goes to the SVD. */
    Fx fx;
    cr_assert_eq(fx_load(&fx, "tests/fixtures/solve/designs/tall_2000x10.txt"), 0);
    const FxArr *X = fx_get(&fx, "X"), *Y = fx_get(&fx, "Y");
    double W[10], b;
    LinalgInfo info;
    FbErr e;
    cr_assert_eq(linalg_lstsq_info(X->v, Y->v, X->rows, 10, 1, 0, W, &b, &info, &e), 0, "%s", e.msg);
    cr_assert_str_eq(info.path, "normal equations");
    cr_assert_eq(linalg_lstsq_info(X->v, Y->v, X->rows, 10, 1, 5.0, W, &b, &info, &e), 0, "%s", e.msg);
    cr_assert_str_eq(info.path, "normal equations");
    fx_free(&fx);
    cr_assert_eq(fx_load(&fx, "tests/fixtures/solve/designs/cond_1e6.txt"), 0);
    X = fx_get(&fx, "X"), Y = fx_get(&fx, "Y");
    cr_assert_eq(linalg_lstsq_info(X->v, Y->v, X->rows, 8, 1, 0, W, &b, &info, &e), 0, "%s", e.msg);
    cr_assert_str_eq(info.path, "svd");
    fx_free(&fx);
}
