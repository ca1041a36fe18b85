/* test_gradcheck.c — check grad: backpropagation agrees with centred differences on every model × loss pair,
 * and the check catches a gradient that is deliberately wrong (passed in perturbed: no test-only code path). */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/gradcheck.h"
#include "fitbench/rng.h"

typedef struct GcCase {
    Model m;
    TrainWork w;
    LossCfg loss;
    double *X, *Y;
    size_t n, d, ky;
} GcCase;

/* A model of `kind` (mlp: hidden 5,4 with act) for d = 3 inputs, random N(0, 0.5²) parameters, 40 random rows
 * with targets in the loss's form: values (k outputs), 0/1, or class indices of 3 classes. */
static void gc_init(GcCase *c, ModelKind kind, Act act, LossKind lk, size_t k_reg, unsigned seed)
{
    FbErr e;
    memset(c, 0, sizeof *c);
    c->n = 40, c->d = 3;
    c->loss = (LossCfg){.kind = lk, .delta = 0.7};
    bool cls = lk == LOSS_BCE || lk == LOSS_HINGE || lk == LOSS_CE;
    size_t k = lk == LOSS_CE ? 3 : cls ? 1 : k_reg;
    size_t hidden[] = {5, 4};
    cr_assert_eq(model_build(&c->m, kind, act, hidden, 2, c->d, k, &e), 0, "%s", e.msg);
    Rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < c->m.nparams; i++)
        c->m.params[i] = 0.5 * rng_normal(&r);
    c->ky = cls ? 1 : k;
    c->X = malloc(c->n * c->d * sizeof(double));
    c->Y = malloc(c->n * c->ky * sizeof(double));
    for (size_t i = 0; i < c->n * c->d; i++)
        c->X[i] = rng_normal(&r);
    for (size_t i = 0; i < c->n * c->ky; i++)
        c->Y[i] = lk == LOSS_CE ? (double)(i % 3) : cls ? (double)(rng_uniform(&r) < 0.5) : 2 * rng_normal(&r);
}

static void gc_free(GcCase *c)
{
    model_free(&c->m);
    train_work_free(&c->w);
    free(c->X);
    free(c->Y);
}

static void expect_fine(ModelKind kind, Act act, LossKind lk, size_t k_reg)
{
    GcCase c;
    gc_init(&c, kind, act, lk, k_reg, 11);
    double *before = malloc(c.m.nparams * sizeof(double));
    memcpy(before, c.m.params, c.m.nparams * sizeof(double));
    GradReport r;
    FbErr e;
    cr_assert_eq(gradcheck_run(&c.m, &c.loss, c.X, c.Y, c.n, c.ky, &c.w, 1e-5, 0, NULL, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.nlayers, c.m.nlayers);
    for (size_t l = 0; l < r.nlayers; l++) {
        cr_assert_eq(r.layer[l].checked, r.layer[l].total);
        cr_expect(r.layer[l].rel < 1e-7, "%s %s %s layer %zu: relative error %g", model_kind_name(kind),
                  act_name(act), loss_name(lk), l + 1, r.layer[l].rel);
        cr_expect_str_eq(gradcheck_band(r.layer[l].rel), "fine");
    }
    cr_expect(memcmp(before, c.m.params, c.m.nparams * sizeof(double)) == 0, "the parameters are restored bit for bit");
    free(before);
    gc_free(&c);
}

Test(gradcheck, every_model_and_loss_below_1e7)
{
    static const LossKind reg[] = {LOSS_MSE, LOSS_MAE, LOSS_HUBER};
    for (int i = 0; i < 3; i++) {
        expect_fine(MODEL_LINEAR, ACT_RELU, reg[i], 1);
        expect_fine(MODEL_LINEAR, ACT_RELU, reg[i], 2);
    }
    expect_fine(MODEL_LOGISTIC, ACT_RELU, LOSS_BCE, 1);
    expect_fine(MODEL_LOGISTIC, ACT_RELU, LOSS_HINGE, 1);
    expect_fine(MODEL_SOFTMAX, ACT_RELU, LOSS_CE, 1);
    static const LossKind all[] = {LOSS_MSE, LOSS_MAE, LOSS_HUBER, LOSS_BCE, LOSS_HINGE, LOSS_CE};
    static const Act acts[] = {ACT_RELU, ACT_TANH, ACT_SIGMOID, ACT_LINEAR};
    for (int a = 0; a < 4; a++)
        for (int i = 0; i < 6; i++)
            expect_fine(MODEL_MLP, acts[a], all[i], 2);
}

/* The analytic gradient with one layer's part changed by f(g): the check must flag that layer only. */
static void expect_caught(LossKind lk, size_t layer, double scale, double shift, const char *band)
{
    GcCase c;
    gc_init(&c, MODEL_MLP, ACT_TANH, lk, 1, 5);
    FbErr e;
    double loss;
    cr_assert_eq(train_eval(&c.m, &c.loss, c.X, c.Y, c.n, c.ky, &c.w, &loss, true, &e), 0);
    double *bad = malloc(c.m.nparams * sizeof(double));
    memcpy(bad, c.m.grads, c.m.nparams * sizeof(double));
    size_t lo = c.m.woff[layer], hi = c.m.boff[layer] + c.m.sizes[layer + 1];
    for (size_t q = lo; q < hi; q++)
        bad[q] = scale * bad[q] + (q == hi - 1 ? shift : 0);
    GradReport r;
    cr_assert_eq(gradcheck_run(&c.m, &c.loss, c.X, c.Y, c.n, c.ky, &c.w, 1e-5, 0, bad, &r, &e), 0, "%s", e.msg);
    for (size_t l = 0; l < r.nlayers; l++) {
        if (l == layer) {
            cr_expect_str_eq(gradcheck_band(r.layer[l].rel), band, "layer %zu: relative error %g", l + 1,
                             r.layer[l].rel);
            cr_expect(r.layer[l].worst_q >= lo && r.layer[l].worst_q < hi);
        } else
            cr_expect(r.layer[l].rel < 1e-7, "layer %zu untouched: %g", l + 1, r.layer[l].rel);
    }
    free(bad);
    gc_free(&c);
}

Test(gradcheck, catches_a_wrong_gradient)
{
    expect_caught(LOSS_MSE, 0, 0.5, 0, "probably wrong");  /* mse's factor 2 forgotten */
    expect_caught(LOSS_CE, 1, -1, 0, "probably wrong");    /* a sign flipped in a hidden layer */
    expect_caught(LOSS_BCE, 2, 1, 0.05, "probably wrong"); /* the output bias off by a constant */
    expect_caught(LOSS_HUBER, 0, 1.001, 0, "uncomfortable"); /* 0.1 % off: still seen */
}

Test(gradcheck, bands_and_bad_input)
{
    cr_expect_str_eq(gradcheck_band(1e-9), "fine");
    cr_expect_str_eq(gradcheck_band(1e-5), "ok only with kinks (relu, mae, hinge)");
    cr_expect_str_eq(gradcheck_band(1e-3), "uncomfortable");
    cr_expect_str_eq(gradcheck_band(0.5), "probably wrong");
    cr_expect_str_eq(gradcheck_band(NAN), "probably wrong");
    GcCase c;
    gc_init(&c, MODEL_LINEAR, ACT_RELU, LOSS_MSE, 1, 3);
    GradReport r;
    FbErr e;
    cr_expect_eq(gradcheck_run(&c.m, &c.loss, c.X, c.Y, c.n, c.ky, &c.w, 0, 0, NULL, &r, &e), -1);
    cr_expect_eq(gradcheck_run(&c.m, &c.loss, c.X, c.Y, c.n, c.ky, &c.w, NAN, 0, NULL, &r, &e), -1);
    cr_expect_eq(gradcheck_run(&c.m, &c.loss, c.X, c.Y, 0, c.ky, &c.w, 1e-5, 0, NULL, &r, &e), -1);
    /* a subset: max_per_layer spreads the checks evenly and says so */
    cr_assert_eq(gradcheck_run(&c.m, &c.loss, c.X, c.Y, c.n, c.ky, &c.w, 1e-5, 2, NULL, &r, &e), 0);
    cr_expect_eq(r.layer[0].checked, 2);
    cr_expect_eq(r.layer[0].total, 4);
    gc_free(&c);
}
