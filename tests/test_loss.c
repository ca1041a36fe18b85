/* test_loss.c — every loss and its gradient against PyTorch float64 (fixtures from tools/ref_loss.py). */
#include <criterion/criterion.h>
#include <math.h>

#include "fitbench/loss.h"
#include "fixture_read.h"

/* Relative agreement: |a - b| <= tol * max(|a|, |b|); exact zeros must match exactly. */
static int close_rel(double a, double b, double tol)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b);
    return fabs(a - b) <= tol * fmax(fabs(a), fabs(b));
}

static void check_case(const char *name, LossKind kind)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/loss/%s.txt", name);
    Fx fx;
    cr_assert_eq(fx_load(&fx, rel), 0, "cannot read %s", rel);
    const FxArr *Z = fx_get(&fx, "Z"), *Y = fx_get(&fx, "Y"), *L = fx_get(&fx, "loss"), *G = fx_get(&fx, "dZ"),
                *D = fx_get(&fx, "delta");
    cr_assert(Z && Y && L && G && D, "%s: missing arrays", name);
    LossCfg cfg = {.kind = kind, .delta = D->v[0]};
    size_t n = Z->rows, k = Z->cols;
    double *dZ = malloc(n * k * sizeof *dZ);
    cr_assert(dZ);
    double loss = loss_eval(&cfg, Z->v, Y->v, n, k, dZ);
    cr_assert(close_rel(loss, L->v[0], 1e-12), "%s: loss %.17g, torch %.17g", name, loss, L->v[0]);
    for (size_t i = 0; i < n * k; i++)
        cr_assert(close_rel(dZ[i], G->v[i], 1e-12), "%s: dZ[%zu] = %.17g, torch %.17g", name, i, dZ[i], G->v[i]);
    /* Without a gradient buffer the loss is the same number. */
    cr_assert_eq(loss_eval(&cfg, Z->v, Y->v, n, k, NULL), loss, "%s: loss without dZ differs", name);
    free(dZ);
    fx_free(&fx);
}

Test(loss, mse) { check_case("mse_5x3", LOSS_MSE); check_case("mse_1x1", LOSS_MSE); }
Test(loss, mae_with_exact_zeros) { check_case("mae_6x2_zeros", LOSS_MAE); check_case("mae_5x3", LOSS_MAE); }
Test(loss, huber_boundary_and_deltas)
{
    check_case("huber_d1_boundary", LOSS_HUBER);
    check_case("huber_d0.5", LOSS_HUBER);
    check_case("huber_d2.5", LOSS_HUBER);
}
Test(loss, bce_with_logits)
{
    check_case("bce_extremes", LOSS_BCE);
    check_case("bce_moderate", LOSS_BCE);
    check_case("bce_soft", LOSS_BCE);
}
Test(loss, hinge_kink_subgradient_zero) { check_case("hinge_kink", LOSS_HINGE); check_case("hinge_random", LOSS_HINGE); }
Test(loss, cross_entropy)
{
    check_case("ce_6x4", LOSS_CE);
    check_case("ce_extremes", LOSS_CE);
    check_case("ce_2class", LOSS_CE);
}

/* Per-sample BCE where torch's own float64 formula rounds log(1 + tiny) to 0:
 * fitbench's log1p form must match the exact value (400-digit mpmath) to a few ulps. */
Test(loss, bce_matches_exact_values_where_torch_rounds)
{
    Fx fx;
    cr_assert_eq(fx_load(&fx, "tests/fixtures/loss/bce_exact.txt"), 0);
    const FxArr *Z = fx_get(&fx, "Z"), *Y = fx_get(&fx, "Y"), *L = fx_get(&fx, "L");
    cr_assert(Z && Y && L);
    LossCfg cfg = {.kind = LOSS_BCE};
    for (size_t i = 0; i < Z->rows; i++) {
        double l = loss_eval(&cfg, &Z->v[i], &Y->v[i], 1, 1, NULL);
        cr_assert(close_rel(l, L->v[i], 4e-16), "z=%g y=%g: %.17g, exact %.17g", Z->v[i], Y->v[i], l, L->v[i]);
    }
    fx_free(&fx);
}

Test(loss, non_finite_logits_give_non_finite_loss)
{
    const LossKind kinds[] = {LOSS_MSE, LOSS_MAE, LOSS_HUBER, LOSS_BCE, LOSS_HINGE};
    double Z[3] = {0.5, NAN, -1.0}, Y[3] = {1, 0, 1};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        LossCfg cfg = {.kind = kinds[i], .delta = 1.0};
        cr_assert(!isfinite(loss_eval(&cfg, Z, Y, 3, 1, NULL)), "%s", loss_name(kinds[i]));
    }
    LossCfg ce = {.kind = LOSS_CE};
    double Zc[4] = {0.0, 1.0, INFINITY, 2.0}, Yc[2] = {1, 0};
    cr_assert(!isfinite(loss_eval(&ce, Zc, Yc, 2, 2, NULL)));
    double Zn[4] = {0.0, NAN, 1.0, 2.0};
    cr_assert(!isfinite(loss_eval(&ce, Zn, Yc, 2, 2, NULL)));
}

Test(loss, ce_bad_class_index_is_nan)
{
    LossCfg ce = {.kind = LOSS_CE};
    double Z[4] = {0.0, 1.0, 2.0, 3.0}, dZ[4];
    double bad[3][2] = {{0, 2}, {-1, 0}, {0.5, 1}};
    for (int t = 0; t < 3; t++) {
        cr_assert(isnan(loss_eval(&ce, Z, bad[t], 2, 2, dZ)));
    }
}

Test(loss, names)
{
    cr_assert_str_eq(loss_name(LOSS_MSE), "mse");
    cr_assert_str_eq(loss_name(LOSS_MAE), "mae");
    cr_assert_str_eq(loss_name(LOSS_HUBER), "huber");
    cr_assert_str_eq(loss_name(LOSS_BCE), "bce");
    cr_assert_str_eq(loss_name(LOSS_CE), "ce");
    cr_assert_str_eq(loss_name(LOSS_HINGE), "hinge");
}
