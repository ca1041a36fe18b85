/* test_model.c — model build/init/clone, forward against torch, backward against torch and finite differences. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "fitbench/loss.h"
#include "fitbench/model.h"
#include "fitbench/rng.h"
#include "fixture_read.h"

/* ---------- forward and backward against torch (tools/ref_loss.py) ---------- */

static void check_torch(const char *name, ModelKind kind, Act act, LossKind lk)
{
    char rel[256];
    snprintf(rel, sizeof rel, "tests/fixtures/model/%s.txt", name);
    Fx fx;
    cr_assert_eq(fx_load(&fx, rel), 0, "cannot read %s", rel);
    const FxArr *X = fx_get(&fx, "X"), *Y = fx_get(&fx, "Y"), *S = fx_get(&fx, "sizes"), *P = fx_get(&fx, "params"),
                *Zr = fx_get(&fx, "Z"), *Lr = fx_get(&fx, "loss"), *Gr = fx_get(&fx, "grads");
    cr_assert(X && Y && S && P && Zr && Lr && Gr);
    size_t nl = S->cols - 1, hidden[MODEL_MAX_LAYERS];
    for (size_t l = 1; l < nl; l++)
        hidden[l - 1] = (size_t)S->v[l];
    Model m;
    FbErr err;
    cr_assert_eq(model_build(&m, kind, act, hidden, nl - 1, (size_t)S->v[0], (size_t)S->v[nl], &err), 0, "%s", err.msg);
    cr_assert_eq(m.nparams, P->cols);
    memcpy(m.params, P->v, m.nparams * sizeof(double));
    size_t n = X->rows, k = Zr->cols;
    ModelWork w;
    cr_assert_eq(model_work_init(&w, &m, n + 3, &err), 0);
    double *Z = malloc(n * k * sizeof *Z), *dZ = malloc(n * k * sizeof *dZ);
    cr_assert(Z && dZ);
    model_forward(&m, &w, X->v, n, Z);
    /* Forward: every output to 1e-12 relative to max(|torch value|, 1). */
    for (size_t i = 0; i < n * k; i++)
        cr_assert(fabs(Z[i] - Zr->v[i]) <= 1e-12 * fmax(fabs(Zr->v[i]), 1.0), "%s: Z[%zu] = %.17g, torch %.17g", name,
                  i, Z[i], Zr->v[i]);
    LossCfg cfg = {.kind = lk, .delta = 1.0};
    double L = loss_eval(&cfg, Z, Y->v, n, k, dZ);
    cr_assert(fabs(L - Lr->v[0]) <= 1e-12 * fabs(Lr->v[0]), "%s: loss %.17g, torch %.17g", name, L, Lr->v[0]);
    model_backward(&m, &w, X->v, n, dZ);
    /* Backward vs torch autograd: each gradient to 1e-12 of the largest gradient. */
    double gmax = 0;
    for (size_t i = 0; i < m.nparams; i++)
        gmax = fmax(gmax, fabs(Gr->v[i]));
    for (size_t i = 0; i < m.nparams; i++)
        cr_assert(fabs(m.grads[i] - Gr->v[i]) <= 1e-12 * gmax, "%s: grad[%zu] = %.17g, torch %.17g", name, i,
                  m.grads[i], Gr->v[i]);
    free(Z);
    free(dZ);
    model_work_free(&w);
    model_free(&m);
    fx_free(&fx);
}

Test(model_torch, mlp_relu_two_hidden) { check_torch("mlp_relu_3_4_5_2", MODEL_MLP, ACT_RELU, LOSS_MSE); }
Test(model_torch, mlp_tanh_one_output) { check_torch("mlp_tanh_3_6_1", MODEL_MLP, ACT_TANH, LOSS_MSE); }
Test(model_torch, mlp_sigmoid_three_hidden_ce) { check_torch("mlp_sigmoid_4_4_3_2_3", MODEL_MLP, ACT_SIGMOID, LOSS_CE); }
Test(model_torch, mlp_linear_act) { check_torch("mlp_linear_2_3_2", MODEL_MLP, ACT_LINEAR, LOSS_MSE); }
Test(model_torch, linear) { check_torch("linear_4_3", MODEL_LINEAR, ACT_RELU, LOSS_MSE); }
Test(model_torch, logistic_bce) { check_torch("logistic_3_1", MODEL_LOGISTIC, ACT_RELU, LOSS_BCE); }
Test(model_torch, softmax_ce) { check_torch("softmax_3_4", MODEL_SOFTMAX, ACT_RELU, LOSS_CE); }

/* ---------- backward against central finite differences ---------- */

static double fd_loss(const Model *m, ModelWork *w, const LossCfg *cfg, const double *X, const double *Y, size_t n,
                      double *Z)
{
    model_forward(m, w, X, n, Z);
    return loss_eval(cfg, Z, Y, n, m->sizes[m->nlayers], NULL);
}

/* Every parameter's analytic gradient against the fourth-order central
 * difference  fd = [8 (L(p+h) - L(p-h)) - (L(p+2h) - L(p-2h))] / (12 h)
 * with h = 1e-4 * max(1, |p|).  Its truncation error is O(h^4) ~ 1e-16 and
 * its rounding error about eps |L| / h ~ 1e-12 (the plain two-point
 * difference needs h ~ 1e-6 for a small truncation error and then carries
 * ~1e-10 of rounding noise).  The check is relative,
 *   |fd - g| <= 1e-6 * max(|fd|, |g|, 1e-4),
 * the floor 1e-4 keeping that ~1e-12 noise well below the bound for
 * gradients that happen to be tiny.  Piecewise-linear pieces (relu, mae,
 * hinge) are differentiated exactly by the stencil; the inputs are random so
 * no kink sits within 2h of a sample (the worst error seen over all cases
 * is ~4e-8).  Returns the worst relative error. */
static double grad_check(ModelKind kind, Act act, const size_t *hidden, size_t nhidden, size_t d, size_t k,
                         LossKind lk, uint64_t seed)
{
    Model m;
    FbErr err;
    cr_assert_eq(model_build(&m, kind, act, hidden, nhidden, d, k, &err), 0, "%s", err.msg);
    Rng rng;
    rng_seed(&rng, seed);
    model_init_params(&m, INIT_UNIFORM, 0.9, &rng);
    for (size_t l = 0; l < m.nlayers; l++) /* non-zero biases so their gradients are exercised generically */
        for (size_t j = 0; j < m.sizes[l + 1]; j++)
            m.params[m.boff[l] + j] = rng_uniform(&rng) - 0.5;
    size_t n = 9;
    double X[9 * 8], Y[9 * 8], Z[9 * 8], dZ[9 * 8];
    cr_assert(d <= 8 && k <= 8);
    for (size_t i = 0; i < n * d; i++)
        X[i] = 2.0 * rng_normal(&rng);
    for (size_t i = 0; i < n * k; i++) {
        if (lk == LOSS_BCE || lk == LOSS_HINGE)
            Y[i] = (double)rng_below(&rng, 2);
        else
            Y[i] = 1.5 * rng_normal(&rng);
    }
    if (lk == LOSS_CE)
        for (size_t i = 0; i < n; i++)
            Y[i] = (double)rng_below(&rng, k);
    LossCfg cfg = {.kind = lk, .delta = 1.0};
    ModelWork w;
    cr_assert_eq(model_work_init(&w, &m, n, &err), 0);
    model_forward(&m, &w, X, n, Z);
    loss_eval(&cfg, Z, Y, n, k, dZ);
    for (size_t i = 0; i < m.nparams; i++) /* backward must overwrite, not accumulate */
        m.grads[i] = 1e9;
    model_backward(&m, &w, X, n, dZ);
    double worst = 0;
    size_t big = 0; /* gradients above the floor, where the check is fully relative */
    for (size_t i = 0; i < m.nparams; i++) {
        double p = m.params[i], h = 1e-4 * fmax(1.0, fabs(p)), L[4];
        const double off[4] = {h, -h, 2 * h, -2 * h};
        for (int j = 0; j < 4; j++) {
            m.params[i] = p + off[j];
            L[j] = fd_loss(&m, &w, &cfg, X, Y, n, Z);
        }
        m.params[i] = p;
        double fd = (8.0 * (L[0] - L[1]) - (L[2] - L[3])) / (12.0 * h), g = m.grads[i];
        double r = fabs(fd - g) / fmax(fmax(fabs(fd), fabs(g)), 1e-4);
        cr_assert(r <= 1e-6, "%s/%s/%s hidden=%zu: param %zu: analytic %.12g, finite difference %.12g",
                  model_kind_name(kind), act_name(act), loss_name(lk), nhidden, i, g, fd);
        if (r > worst)
            worst = r;
        big += fabs(g) > 1e-4;
    }
    cr_assert(big >= m.nparams / 3, "%s/%s/%s: only %zu of %zu gradients above 1e-4", model_kind_name(kind),
              act_name(act), loss_name(lk), big, m.nparams);
    model_work_free(&w);
    model_free(&m);
    return worst;
}

Test(model_grad, linear_regression_losses)
{
    const LossKind losses[] = {LOSS_MSE, LOSS_MAE, LOSS_HUBER};
    for (size_t i = 0; i < 3; i++) {
        grad_check(MODEL_LINEAR, ACT_RELU, NULL, 0, 4, 1, losses[i], 11 + i); /* k == 1: dgemv path */
        grad_check(MODEL_LINEAR, ACT_RELU, NULL, 0, 4, 3, losses[i], 21 + i);
    }
}

Test(model_grad, logistic_bce_hinge)
{
    grad_check(MODEL_LOGISTIC, ACT_RELU, NULL, 0, 5, 1, LOSS_BCE, 31);
    grad_check(MODEL_LOGISTIC, ACT_RELU, NULL, 0, 5, 1, LOSS_HINGE, 32);
}

Test(model_grad, softmax_ce)
{
    grad_check(MODEL_SOFTMAX, ACT_RELU, NULL, 0, 3, 4, LOSS_CE, 41);
    grad_check(MODEL_SOFTMAX, ACT_RELU, NULL, 0, 6, 2, LOSS_CE, 42);
}

/* Every activation x depth 1..3 x loss, each loss with its output size. */
Test(model_grad, mlp_every_activation_depth_and_loss)
{
    const size_t hid[3][3] = {{5}, {5, 4}, {4, 3, 5}};
    const Act acts[] = {ACT_RELU, ACT_TANH, ACT_SIGMOID, ACT_LINEAR};
    const struct { LossKind lk; size_t k; } losses[] = {
        {LOSS_MSE, 2}, {LOSS_MAE, 2}, {LOSS_HUBER, 2}, {LOSS_MSE, 1}, {LOSS_BCE, 1}, {LOSS_HINGE, 1}, {LOSS_CE, 3}};
    uint64_t seed = 100;
    for (size_t depth = 1; depth <= 3; depth++)
        for (size_t a = 0; a < 4; a++)
            for (size_t l = 0; l < sizeof losses / sizeof losses[0]; l++)
                grad_check(MODEL_MLP, acts[a], hid[depth - 1], depth, 3, losses[l].k, losses[l].lk, seed++);
}

Test(model_grad, batch_smaller_than_capacity)
{
    /* The same rows give the same outputs and gradients whatever the work capacity. */
    size_t hidden[2] = {6, 4};
    Model m;
    FbErr err;
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_TANH, hidden, 2, 3, 2, &err), 0);
    Rng rng;
    rng_seed(&rng, 5);
    model_init_params(&m, INIT_TORCH, 0, &rng);
    double X[4 * 3], Z1[8], Z2[8], dZ[8] = {0.1, -0.2, 0.3, 0.05, -0.4, 0.2, 0.7, -0.1}, g1[64];
    for (size_t i = 0; i < 12; i++)
        X[i] = rng_normal(&rng);
    ModelWork small, big;
    cr_assert_eq(model_work_init(&small, &m, 4, &err), 0);
    cr_assert_eq(model_work_init(&big, &m, 100, &err), 0);
    cr_assert(m.nparams <= 64);
    model_forward(&m, &small, X, 4, Z1);
    model_backward(&m, &small, X, 4, dZ);
    memcpy(g1, m.grads, m.nparams * sizeof(double));
    model_forward(&m, &big, X, 4, Z2);
    model_backward(&m, &big, X, 4, dZ);
    cr_assert_eq(memcmp(Z1, Z2, sizeof Z1), 0);
    cr_assert_eq(memcmp(g1, m.grads, m.nparams * sizeof(double)), 0);
    model_work_free(&small);
    model_work_free(&big);
    model_free(&m);
}

Test(model, sigmoid_stays_finite_for_huge_inputs)
{
    size_t hidden[1] = {3};
    Model m;
    FbErr err;
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_SIGMOID, hidden, 1, 2, 1, &err), 0);
    Rng rng;
    rng_seed(&rng, 9);
    model_init_params(&m, INIT_NORMAL, 1.0, &rng);
    ModelWork w;
    cr_assert_eq(model_work_init(&w, &m, 2, &err), 0);
    double X[4] = {1e6, -1e6, -1e300, 1e300}, Z[2], dZ[2] = {1.0, -1.0};
    model_forward(&m, &w, X, 2, Z);
    model_backward(&m, &w, X, 2, dZ);
    cr_assert(isfinite(Z[0]) && isfinite(Z[1]));
    for (size_t l = 0; l < m.sizes[1] * 2; l++) /* hidden activations saturate at exactly 0 or 1 */
        cr_assert(w.act[l] == 0.0 || w.act[l] == 1.0, "act %g", w.act[l]);
    for (size_t i = m.woff[1]; i < m.nparams; i++)
        cr_assert(isfinite(m.grads[i]));
    model_work_free(&w);
    model_free(&m);
}

/* ---------- build, layout, clone ---------- */

Test(model, build_layout_like_torch)
{
    size_t hidden[2] = {5, 4};
    Model m;
    FbErr err;
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_RELU, hidden, 2, 3, 2, &err), 0);
    cr_assert_eq(m.nlayers, 3);
    cr_assert_eq(m.sizes[0], 3);
    cr_assert_eq(m.sizes[1], 5);
    cr_assert_eq(m.sizes[2], 4);
    cr_assert_eq(m.sizes[3], 2);
    cr_assert_eq(m.woff[0], 0);
    cr_assert_eq(m.boff[0], 15);
    cr_assert_eq(m.woff[1], 20);
    cr_assert_eq(m.boff[1], 40);
    cr_assert_eq(m.woff[2], 44);
    cr_assert_eq(m.boff[2], 52);
    cr_assert_eq(m.nparams, 54);
    for (size_t i = 0; i < m.nparams; i++)
        cr_assert(m.params[i] == 0.0 && m.grads[i] == 0.0);
    model_free(&m);
    cr_assert_null(m.params);
    model_free(NULL);

    cr_assert_eq(model_build(&m, MODEL_LINEAR, ACT_TANH, NULL, 0, 7, 3, &err), 0);
    cr_assert_eq(m.nlayers, 1);
    cr_assert_eq(m.nparams, 24);
    cr_assert_eq(m.boff[0], 21);
    model_free(&m);
}

Test(model, build_refuses_bad_sizes)
{
    Model m;
    FbErr err;
    size_t h[MODEL_MAX_LAYERS] = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
    size_t zero[2] = {4, 0};
    cr_assert_eq(model_build(&m, MODEL_LINEAR, ACT_RELU, NULL, 0, 0, 1, &err), -1);
    cr_assert_eq(model_build(&m, MODEL_LINEAR, ACT_RELU, NULL, 0, 3, 0, &err), -1);
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_RELU, NULL, 0, 3, 1, &err), -1);
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_RELU, h, MODEL_MAX_LAYERS, 3, 1, &err), -1);
    cr_assert(strstr(err.msg, "too many"), "%s", err.msg);
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_RELU, h, MODEL_MAX_LAYERS - 1, 3, 1, &err), 0);
    model_free(&m);
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_RELU, zero, 2, 3, 1, &err), -1);
    cr_assert_eq(model_build(&m, MODEL_LOGISTIC, ACT_RELU, NULL, 0, 3, 2, &err), -1);
    cr_assert_eq(model_build(&m, MODEL_SOFTMAX, ACT_RELU, NULL, 0, 3, 1, &err), -1);
    size_t huge[2] = {(size_t)1 << 20, (size_t)1 << 20};
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_RELU, huge, 2, 1000, 10, &err), -1);
    cr_assert(strstr(err.msg, "bytes"), "%s", err.msg);
    size_t overflow[2] = {SIZE_MAX / 2, SIZE_MAX / 2};
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_RELU, overflow, 2, 3, 1, &err), -1);
    cr_assert(strstr(err.msg, "bytes"), "%s", err.msg);
    cr_assert_null(m.params);
}

Test(model, clone_is_independent)
{
    size_t hidden[1] = {4};
    Model a, b;
    FbErr err;
    cr_assert_eq(model_build(&a, MODEL_MLP, ACT_SIGMOID, hidden, 1, 3, 2, &err), 0);
    Rng rng;
    rng_seed(&rng, 3);
    model_init_params(&a, INIT_XAVIER, 0, &rng);
    for (size_t i = 0; i < a.nparams; i++)
        a.grads[i] = (double)i;
    cr_assert_eq(model_clone(&b, &a, &err), 0);
    cr_assert_eq(b.nparams, a.nparams);
    cr_assert_eq(b.kind, a.kind);
    cr_assert_eq(b.act, a.act);
    cr_assert_eq(memcmp(b.sizes, a.sizes, sizeof a.sizes), 0);
    cr_assert_eq(memcmp(b.woff, a.woff, sizeof a.woff), 0);
    cr_assert_neq(b.params, a.params);
    cr_assert_neq(b.grads, a.grads);
    cr_assert_eq(memcmp(b.params, a.params, a.nparams * sizeof(double)), 0);
    cr_assert_eq(memcmp(b.grads, a.grads, a.nparams * sizeof(double)), 0);
    double p0 = b.params[0], g0 = b.grads[1];
    a.params[0] += 1.0;
    a.grads[1] = -7.0;
    cr_assert_eq(b.params[0], p0);
    cr_assert_eq(b.grads[1], g0);
    b.params[2] = 99.0;
    cr_assert_neq(a.params[2], 99.0);
    model_free(&a);
    cr_assert_eq(b.params[2], 99.0); /* b survives a's release */
    model_free(&b);
}

Test(model, names)
{
    cr_assert_str_eq(model_kind_name(MODEL_LINEAR), "linear");
    cr_assert_str_eq(model_kind_name(MODEL_LOGISTIC), "logistic");
    cr_assert_str_eq(model_kind_name(MODEL_SOFTMAX), "softmax");
    cr_assert_str_eq(model_kind_name(MODEL_MLP), "mlp");
    cr_assert_str_eq(act_name(ACT_RELU), "relu");
    cr_assert_str_eq(act_name(ACT_TANH), "tanh");
    cr_assert_str_eq(act_name(ACT_SIGMOID), "sigmoid");
    cr_assert_str_eq(act_name(ACT_LINEAR), "linear");
}

/* ---------- init distributions ---------- */

typedef struct Moments {
    double mean, var, absmax, min, max;
    double frac_1sd; /* fraction within one (given) std of 0 */
} Moments;

static Moments moments(const double *v, size_t n, double sd)
{
    Moments m = {.min = INFINITY, .max = -INFINITY};
    double s = 0, s2 = 0;
    size_t in1 = 0;
    for (size_t i = 0; i < n; i++) {
        s += v[i];
        s2 += v[i] * v[i];
        m.absmax = fmax(m.absmax, fabs(v[i]));
        m.min = fmin(m.min, v[i]);
        m.max = fmax(m.max, v[i]);
        in1 += fabs(v[i]) <= sd;
    }
    m.mean = s / (double)n;
    m.var = s2 / (double)n; /* about the true mean 0 */
    m.frac_1sd = (double)in1 / (double)n;
    return m;
}

/* U(-a, a): bounds hold strictly, extremes come close, and mean and E[x^2]
 * are within 5 standard errors (Var x = a^2/3, Var x^2 = 4 a^4 / 45). */
static void check_uniform(const double *v, size_t n, double a, const char *what)
{
    Moments m = moments(v, n, a);
    cr_assert(m.min >= -a && m.max < a, "%s: outside [-%g, %g): %g %g", what, a, a, m.min, m.max);
    if (n >= 1000) {
        cr_assert(m.max > 0.99 * a && m.min < -0.99 * a, "%s: extremes %g %g for bound %g", what, m.min, m.max, a);
        cr_assert(fabs(m.mean) <= 5.0 * a / sqrt(3.0 * (double)n), "%s: mean %g", what, m.mean);
        cr_assert(fabs(m.var - a * a / 3.0) <= 5.0 * a * a * sqrt(4.0 / 45.0 / (double)n), "%s: E[x^2] %g vs %g", what,
                  m.var, a * a / 3.0);
    }
}

/* N(0, sd): mean and E[x^2] within 5 standard errors (Var x^2 = 2 sd^4), and
 * the fraction inside one sd near 0.6827 (binomial standard error). */
static void check_normal(const double *v, size_t n, double sd, const char *what)
{
    Moments m = moments(v, n, sd);
    cr_assert(fabs(m.mean) <= 5.0 * sd / sqrt((double)n), "%s: mean %g", what, m.mean);
    cr_assert(fabs(m.var - sd * sd) <= 5.0 * sd * sd * sqrt(2.0 / (double)n), "%s: E[x^2] %g vs %g", what, m.var,
              sd * sd);
    double p = 0.682689492137086;
    cr_assert(fabs(m.frac_1sd - p) <= 5.0 * sqrt(p * (1 - p) / (double)n), "%s: P(|x| <= sd) = %g", what, m.frac_1sd);
}

static void all_zero(const double *v, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(v[i], 0.0, "%s[%zu] = %g", what, i, v[i]);
}

Test(model_init, distributions_per_kind)
{
    /* A 3-layer MLP with different fan-ins: 300 -> 200 -> 50 -> 4. */
    size_t hidden[2] = {200, 50};
    Model m;
    FbErr err;
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_RELU, hidden, 2, 300, 4, &err), 0);
    Rng rng;
    rng_seed(&rng, 2024);
    for (int kind = INIT_ZEROS; kind <= INIT_TORCH; kind++) {
        for (size_t i = 0; i < m.nparams; i++)
            m.params[i] = NAN; /* every parameter must be written */
        model_init_params(&m, (InitKind)kind, 0, &rng);
        for (size_t l = 0; l < m.nlayers; l++) {
            double fin = (double)m.sizes[l], fout = (double)m.sizes[l + 1];
            size_t nw = m.sizes[l] * m.sizes[l + 1], nb = m.sizes[l + 1];
            const double *W = m.params + m.woff[l], *b = m.params + m.boff[l];
            char what[64];
            snprintf(what, sizeof what, "init %d layer %zu", kind, l);
            switch ((InitKind)kind) {
            case INIT_ZEROS: all_zero(W, nw, what); all_zero(b, nb, what); break;
            case INIT_NORMAL: if (nw >= 1000) check_normal(W, nw, 0.01, what); all_zero(b, nb, what); break;
            case INIT_UNIFORM: check_uniform(W, nw, 0.05, what); all_zero(b, nb, what); break;
            case INIT_XAVIER: check_uniform(W, nw, sqrt(6.0 / (fin + fout)), what); all_zero(b, nb, what); break;
            case INIT_HE: if (nw >= 1000) check_normal(W, nw, sqrt(2.0 / fin), what); all_zero(b, nb, what); break;
            case INIT_TORCH:
                check_uniform(W, nw, 1.0 / sqrt(fin), what);
                check_uniform(b, nb, 1.0 / sqrt(fin), what);
                if (nb >= 50) /* the bias is random too, not zero */
                    cr_assert(moments(b, nb, 1).absmax > 0.5 / sqrt(fin), "%s: bias too small", what);
                break;
            }
        }
    }
    /* Explicit scales: std for NORMAL, bound for UNIFORM. */
    model_init_params(&m, INIT_NORMAL, 0.3, &rng);
    check_normal(m.params + m.woff[0], 300 * 200, 0.3, "normal std=0.3");
    model_init_params(&m, INIT_UNIFORM, 0.2, &rng);
    check_uniform(m.params + m.woff[0], 300 * 200, 0.2, "uniform a=0.2");
    model_free(&m);
}

Test(model_init, fixed_draw_order_and_determinism)
{
    size_t hidden[1] = {3};
    Model a, b;
    FbErr err;
    cr_assert_eq(model_build(&a, MODEL_MLP, ACT_TANH, hidden, 1, 2, 2, &err), 0);
    cr_assert_eq(model_build(&b, MODEL_MLP, ACT_TANH, hidden, 1, 2, 2, &err), 0);
    Rng r1, r2, r3;
    rng_seed(&r1, 77);
    rng_seed(&r2, 77);
    model_init_params(&a, INIT_TORCH, 0, &r1);
    model_init_params(&b, INIT_TORCH, 0, &r2);
    cr_assert_eq(memcmp(a.params, b.params, a.nparams * sizeof(double)), 0);
    /* Layer by layer, W row-major then b: the flat order itself. */
    rng_seed(&r3, 77);
    for (size_t l = 0; l < a.nlayers; l++) {
        double bound = 1.0 / sqrt((double)a.sizes[l]);
        for (size_t i = a.woff[l]; i < a.woff[l] + a.sizes[l] * a.sizes[l + 1] + a.sizes[l + 1]; i++)
            cr_assert_eq(a.params[i], -bound + 2.0 * bound * rng_uniform(&r3), "param %zu", i);
    }
    model_free(&a);
    model_free(&b);
}
