/* test_layerlog.c — the per-layer record behind plot weights/grads/updates: numpy's linear quantiles, the
 * update ratio of a known step, the gradient quantiles at the epoch's parameters, and the thinning. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/layerlog.h"
#include "fitbench/train.h"

Test(layerlog, quantiles_are_numpys_linear_ones)
{
    /* One layer 1 -> 5: W = (5, 1) = 5,1,4,2,3 (unsorted); numpy.quantile([1..5], [.05,.25,.5,.75,.95]) =
     * 1.2, 2, 3, 4, 4.8.  The gradient magnitudes |-10, 20, -30, 40, -50|: 12, 20, 30, 40, 48. */
    Model m;
    FbErr e;
    cr_assert_eq(model_build(&m, MODEL_LINEAR, ACT_RELU, NULL, 0, 1, 5, &e), 0);
    double w[5] = {5, 1, 4, 2, 3}, g[5] = {-10, 20, -30, 40, -50};
    memcpy(m.params + m.woff[0], w, sizeof w);
    memcpy(m.grads + m.woff[0], g, sizeof g);
    LayerLog lg = {0};
    double scratch[LAYERLOG_SAMPLE];
    cr_assert_eq(layerlog_add(&lg, 0, &m, NULL, scratch, &e), 0);
    const double want_w[5] = {1.2, 2, 3, 4, 4.8}, want_g[5] = {12, 20, 30, 40, 48};
    for (int q = 0; q < LAYERLOG_Q; q++) {
        cr_expect_float_eq(lg.s[0].wq[q], want_w[q], 1e-12, "w q%d: %g", q, lg.s[0].wq[q]);
        cr_expect_float_eq(lg.s[0].gq[q], want_g[q], 1e-12, "g q%d: %g", q, lg.s[0].gq[q]);
    }
    cr_expect(isnan(lg.s[0].ratio), "no update before epoch 0");
    layerlog_free(&lg);
    model_free(&m);
}

Test(layerlog, training_records_ratio_and_gradient_of_each_epoch)
{
    /* Full-batch SGD on a small MLP: the last update of epoch 1 is the only one, so the ratio of layer l is
     * ||theta_1 - theta_0|| / ||theta_0|| over W_l and b_l; gq are quantiles of |dL/dW_l| at theta_1. */
    FbErr e;
    Model m;
    size_t hid[1] = {4};
    cr_assert_eq(model_build(&m, MODEL_MLP, ACT_TANH, hid, 1, 2, 1, &e), 0);
    Rng r;
    rng_seed(&r, 3);
    model_init_params(&m, INIT_TORCH, 0, &r);
    double X[40], Y[20];
    for (int i = 0; i < 40; i++)
        X[i] = rng_normal(&r);
    for (int i = 0; i < 20; i++)
        Y[i] = X[2 * i] - X[2 * i + 1];
    double *p0 = malloc(m.nparams * sizeof(double));
    memcpy(p0, m.params, m.nparams * sizeof(double));
    TrainSetup setup = {.loss = {.kind = LOSS_MSE}};
    optim_defaults(&setup.opt, OPT_SGD);
    setup.opt.lr = 0.1;
    sched_defaults(&setup.sched, SCHED_CONSTANT);
    TrainState st;
    TrainWork w = {0};
    cr_assert_eq(train_state_init(&st, &m, &setup, 1, &e), 0);
    TrainData d = {.X = X, .Y = Y, .n = 20, .d = 2, .ky = 1};
    TrainOutcome out;
    cr_assert_eq(train_run(&st, &setup, &d, &w, 1, 0, 0, NULL, &out, &e), 0, "%s", e.msg);
    cr_assert_eq(st.llog.n, 2);
    cr_expect_eq(st.llog.epoch[1], 1);
    const Model *mm = &st.model;
    for (size_t l = 0; l < mm->nlayers; l++) {
        double dd = 0, pp = 0;
        for (size_t q = mm->woff[l]; q < mm->boff[l] + mm->sizes[l + 1]; q++)
            dd += (mm->params[q] - p0[q]) * (mm->params[q] - p0[q]), pp += p0[q] * p0[q];
        cr_expect_float_eq(st.llog.s[1 * 2 + l].ratio, sqrt(dd / pp), 1e-12, "layer %zu", l);
    }
    /* the gradient at theta_1: the output layer's |dW| largest value is the 100 % point, at least q95 */
    double loss, gmax = 0;
    cr_assert_eq(train_eval(&st.model, &setup.loss, X, Y, 20, 1, &w, &loss, true, &e), 0);
    for (size_t q = mm->woff[1]; q < mm->boff[1]; q++)
        gmax = fmax(gmax, fabs(mm->grads[q]));
    cr_expect(st.llog.s[1 * 2 + 1].gq[LAYERLOG_Q - 1] <= gmax + 1e-15 && st.llog.s[1 * 2 + 1].gq[LAYERLOG_Q - 1] > 0);
    free(p0);
    train_state_free(&st);
    train_work_free(&w);
}

Test(layerlog, thinning_keeps_multiples_of_the_spacing)
{
    Model m;
    FbErr e;
    cr_assert_eq(model_build(&m, MODEL_LINEAR, ACT_RELU, NULL, 0, 3, 1, &e), 0);
    LayerLog lg = {0};
    double scratch[LAYERLOG_SAMPLE];
    for (long ep = 0; ep <= 5000; ep++)
        cr_assert_eq(layerlog_add(&lg, ep, &m, NULL, scratch, &e), 0);
    cr_expect(lg.n <= LAYERLOG_ROWS && lg.n > LAYERLOG_ROWS / 2, "%zu rows", lg.n);
    cr_expect_eq(lg.every, 16);
    for (size_t r = 0; r < lg.n; r++)
        cr_expect_eq(lg.epoch[r], (long)r * lg.every);
    LayerLog c;
    cr_assert_eq(layerlog_clone(&c, &lg, &e), 0);
    cr_expect_eq(c.n, lg.n);
    cr_expect(memcmp(c.epoch, lg.epoch, lg.n * sizeof *lg.epoch) == 0);
    layerlog_free(&c);
    layerlog_free(&lg);
    model_free(&m);
}
