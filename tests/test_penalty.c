/* test_penalty.c — `loss ... l1= l2=`: the penalty's value and gradient (weights only, sign(0) = 0), training
 * and `check grad` with it, the model file, solve's ridge against scikit-learn (tools/ref_ridge.py) and the
 * training fixed point, and where the penalty and the optimizer's weight_decay agree and where they do not.
 * (The PyTorch training references are tests/cli/penalty.sh.) */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fitbench/gradcheck.h"
#include "fitbench/linalg.h"
#include "fitbench/modelfile.h"
#include "fitbench/penalty.h"
#include "fitbench/rng.h"
#include "fixture_close.h"
#include "fixture_read.h"
#include "harness.h"

/* An mlp 3 -> 4 -> 2 with N(0, 0.5^2) parameters, 30 rows of mse targets. */
typedef struct Pc {
    Model m;
    TrainWork w;
    double X[30 * 3], Y[30 * 2];
} Pc;

static void pc_init(Pc *c, unsigned seed)
{
    memset(c, 0, sizeof *c);
    FbErr e;
    size_t hidden[] = {4};
    cr_assert_eq(model_build(&c->m, MODEL_MLP, ACT_TANH, hidden, 1, 3, 2, &e), 0, "%s", e.msg);
    Rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < c->m.nparams; i++)
        c->m.params[i] = 0.5 * rng_normal(&r);
    for (size_t i = 0; i < 90; i++)
        c->X[i] = rng_normal(&r);
    for (size_t i = 0; i < 60; i++)
        c->Y[i] = rng_normal(&r);
}

static void pc_free(Pc *c)
{
    model_free(&c->m);
    train_work_free(&c->w);
}

/* The loss without a penalty and a copy of its gradient (the caller frees it). */
static double *plain_grad(Pc *c, double *loss)
{
    LossCfg plain = {.kind = LOSS_MSE, .delta = 1};
    FbErr e;
    cr_assert_eq(train_eval(&c->m, &plain, c->X, c->Y, 30, 2, &c->w, loss, true, &e), 0, "%s", e.msg);
    double *g = malloc(c->m.nparams * sizeof *g);
    cr_assert(g);
    memcpy(g, c->m.grads, c->m.nparams * sizeof *g);
    return g;
}

static bool is_weight(const Model *m, size_t q)
{
    for (size_t l = 0; l < m->nlayers; l++)
        if (q >= m->woff[l] && q < m->woff[l] + m->sizes[l] * m->sizes[l + 1])
            return true;
    return false;
}

Test(penalty, value_and_gradient_by_hand)
{
    Pc c;
    pc_init(&c, 1);
    Model *m = &c.m;
    m->params[m->woff[1]] = 0.0; /* a weight at exactly 0 */
    LossCfg lc = {.kind = LOSS_MSE, .delta = 1, .l1 = 0.3, .l2 = 0.7};
    double s1 = 0, s2 = 0;
    for (size_t q = 0; q < m->nparams; q++)
        if (is_weight(m, q))
            s1 += fabs(m->params[q]), s2 += m->params[q] * m->params[q];
    cr_assert(fabs(penalty_value(&lc, m) - (0.3 * s1 + 0.7 * s2)) <= 1e-15 * (0.3 * s1 + 0.7 * s2));
    double *g = calloc(m->nparams, sizeof *g);
    penalty_grad_add(&lc, m, g);
    for (size_t q = 0; q < m->nparams; q++) {
        double p = m->params[q];
        double want = !is_weight(m, q) ? 0.0 : 0.3 * (p > 0 ? 1 : p < 0 ? -1 : 0) + 2 * 0.7 * p;
        cr_assert_eq(g[q], want, "parameter %zu: %.17g, want %.17g", q, g[q], want);
    }
    cr_assert_eq(g[m->woff[1]], 0.0, "sign(0) = 0: no l1 push on a weight at 0");
    LossCfg off = {.kind = LOSS_MSE, .delta = 1};
    memset(g, 0, m->nparams * sizeof *g);
    penalty_grad_add(&off, m, g);
    for (size_t q = 0; q < m->nparams; q++)
        cr_assert_eq(g[q], 0.0);
    cr_assert_eq(penalty_value(&off, m), 0.0);
    free(g);
    pc_free(&c);
}

Test(penalty, training_loss_and_gradient_add_it)
{
    Pc c;
    pc_init(&c, 2);
    Model *m = &c.m;
    FbErr e;
    LossCfg pen = {.kind = LOSS_MSE, .delta = 1, .l1 = 0.05, .l2 = 0.2};
    double l0, l1;
    double *g0 = plain_grad(&c, &l0);
    cr_assert_eq(train_eval(m, &pen, c.X, c.Y, 30, 2, &c.w, &l1, true, &e), 0, "%s", e.msg);
    cr_assert_eq(l1, l0 + penalty_value(&pen, m));
    penalty_grad_add(&pen, m, g0);
    for (size_t q = 0; q < m->nparams; q++)
        cr_assert_eq(m->grads[q], g0[q], "parameter %zu", q);
    free(g0);
    pc_free(&c);
}

Test(penalty, check_grad_includes_it)
{
    Pc c;
    pc_init(&c, 3);
    Model *m = &c.m;
    FbErr e;
    GradReport r;
    LossCfg pen = {.kind = LOSS_MSE, .delta = 1, .l1 = 0.1, .l2 = 0.3};
    cr_assert_eq(gradcheck_run(m, &pen, c.X, c.Y, 30, 2, &c.w, 1e-5, 0, NULL, &r, &e), 0, "%s", e.msg);
    for (size_t l = 0; l < r.nlayers; l++)
        cr_assert(r.layer[l].rel < 1e-7, "layer %zu: relative error %g", l + 1, r.layer[l].rel);
    /* The gradient without the penalty, checked against differences of the penalised loss: caught. */
    double l0;
    double *g = plain_grad(&c, &l0);
    cr_assert_eq(gradcheck_run(m, &pen, c.X, c.Y, 30, 2, &c.w, 1e-5, 0, g, &r, &e), 0, "%s", e.msg);
    cr_assert(r.layer[0].rel > 1e-3, "the missing penalty goes unnoticed: %g", r.layer[0].rel);
    free(g);
    pc_free(&c);
}

Test(penalty, model_file_keeps_it)
{
    char dir[] = "/tmp/fb-penalty-XXXXXX", cmd[512], path[300];
    cr_assert(mkdtemp(dir));
    H h;
    h_init(&h);
    snprintf(cmd, sizeof cmd, "gen linear n=40; model linear; loss mse l1=0.25 l2=0.125; save model %s/m.fbm; "
             "loss mse l1=0 l2=0; save model %s/n.fbm", dir, dir);
    cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
    ModelFile mf;
    FbErr e;
    snprintf(path, sizeof path, "%s/m.fbm", dir);
    cr_assert_eq(modelfile_read(path, &mf, &e), 0, "%s", e.msg);
    cr_assert_eq(mf.loss.l1, 0.25);
    cr_assert_eq(mf.loss.l2, 0.125);
    modelfile_free(&mf);
    snprintf(path, sizeof path, "%s/n.fbm", dir);
    cr_assert_eq(modelfile_read(path, &mf, &e), 0, "%s", e.msg);
    cr_assert_eq(mf.loss.l1, 0.0);
    cr_assert_eq(mf.loss.l2, 0.0);
    modelfile_free(&mf);
    h_free(&h);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* ---- solve: ridge against scikit-learn */

static void ridge_design(const char *name)
{
    char rel[512];
    Fx d, r;
    snprintf(rel, sizeof rel, "tests/fixtures/solve/designs/%s.txt", name);
    cr_assert_eq(fx_load(&d, rel), 0, "cannot read %s", rel);
    snprintf(rel, sizeof rel, "tests/fixtures/penalty/ridge/%s.txt", name);
    cr_assert_eq(fx_load(&r, rel), 0, "cannot read %s", rel);
    const FxArr *X = need(&d, name, "X"), *Y = need(&d, name, "Y");
    size_t n = X->rows, dd = X->cols, k = Y->cols;
    double *W = calloc(k * dd + 1, sizeof *W), *b = calloc(k, sizeof *b);
    FbErr e;
    LinalgInfo info;
    double lw = need(&r, name, "lwF")->v[0];
    cr_assert_eq(linalg_ridge_info(X->v, Y->v, n, dd, k, lw, 0.0, W, b, &info, &e), 0, "%s: %s", name, e.msg);
    linalg_info_free(&info);
    check_close(name, "free-intercept weights", W, need(&r, name, "FW")->v, need(&r, name, "EFW")->v, k * dd);
    check_close(name, "free intercepts", b, need(&r, name, "Fb")->v, need(&r, name, "EFb")->v, k);
    lw = need(&r, name, "lwS")->v[0];
    double lb = need(&r, name, "lbS")->v[0];
    cr_assert_eq(linalg_ridge_info(X->v, Y->v, n, dd, k, lw, lb, W, b, NULL, &e), 0, "%s: %s", name, e.msg);
    check_close(name, "weights (l2 and weight decay)", W, need(&r, name, "SW")->v, need(&r, name, "ESW")->v, k * dd);
    check_close(name, "intercepts (l2 and weight decay)", b, need(&r, name, "Sb")->v, need(&r, name, "ESb")->v, k);
    free(W);
    free(b);
    fx_free(&d);
    fx_free(&r);
}

Test(ridge, every_awkward_design_matches_sklearn)
{
    char path[4200], name[256];
    snprintf(path, sizeof path, "%s/tests/fixtures/penalty/ridge/LIST", FITBENCH_SRCDIR);
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    int count = 0;
    while (fscanf(f, "%255s", name) == 1) {
        ridge_design(name);
        count++;
    }
    fclose(f);
    cr_assert_geq(count, 30, "only %d designs", count);
}

Test(ridge, equal_penalties_are_the_weight_decay_solve_bit_for_bit)
{
    Fx d;
    cr_assert_eq(fx_load(&d, "tests/fixtures/solve/designs/onehot_and_offset.txt"), 0);
    const FxArr *X = fx_get(&d, "X"), *Y = fx_get(&d, "Y");
    size_t n = X->rows, dd = X->cols, k = Y->cols;
    double W1[64], b1[4], W2[64], b2[4];
    FbErr e;
    cr_assert_eq(linalg_lstsq(X->v, Y->v, n, dd, k, 3.5, W1, b1, &e), 0);
    cr_assert_eq(linalg_ridge_info(X->v, Y->v, n, dd, k, 3.5, 3.5, W2, b2, NULL, &e), 0);
    cr_assert(memcmp(W1, W2, k * dd * sizeof *W1) == 0 && memcmp(b1, b2, k * sizeof *b1) == 0);
    cr_assert_eq(linalg_ridge_info(X->v, Y->v, n, dd, k, 0.0, 1.0, W2, b2, NULL, &e), -1);
    cr_assert_eq(linalg_ridge_info(X->v, Y->v, n, dd, k, -1.0, 0.0, W2, b2, NULL, &e), -1);
    cr_assert_eq(linalg_ridge_info(X->v, Y->v, n, dd, k, INFINITY, 0.0, W2, b2, NULL, &e), -1);
    fx_free(&d);
}

Test(ridge, solve_command_matches_sklearn_on_one_hot_data)
{
    Fx fx;
    cr_assert_eq(fx_load(&fx, "tests/fixtures/penalty/ridge/onehot_city_l2.txt"), 0);
    const FxArr *W = fx_get(&fx, "W"), *b = fx_get(&fx, "b"), *loss = fx_get(&fx, "loss");
    cr_assert(W && b && loss);
    H h;
    h_init(&h);
    char cmd[4400];
    snprintf(cmd, sizeof cmd, "load %s/tests/fixtures/solve/onehot_city.csv onehot=city; scale standard; "
             "model linear; loss mse l2=0.1; solve", FITBENCH_SRCDIR);
    cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
    const Model *m = &h.s.ts.model;
    cr_assert(rel_err(m->params + m->woff[0], W->v, 5) <= 1e-9, "%.3g", rel_err(m->params + m->woff[0], W->v, 5));
    cr_assert(rel_err(m->params + m->boff[0], b->v, 1) <= 1e-9);
    cr_assert(fabs(h.s.optimum - loss->v[0]) <= 1e-9 * loss->v[0], "%.17g vs %.17g", h.s.optimum, loss->v[0]);
    cr_assert(strstr(h_out(&h), "solved ridge (l2): train_loss"), "%s", h_out(&h));
    h_free(&h);
    fx_free(&fx);
}

/* Full-batch gradient descent on the penalised loss (with and without weight decay) ends where solve puts it. */
static void fixed_point(const char *setup)
{
    H h;
    h_init(&h);
    char cmd[512];
    snprintf(cmd, sizeof cmd, "load diabetes; scale standard; model linear; optim sgd lr=0.1; %s; train 6000", setup);
    cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
    size_t np = h.s.ts.model.nparams;
    double *trained = malloc(np * sizeof *trained);
    memcpy(trained, h.s.ts.model.params, np * sizeof *trained);
    cr_assert_eq(h_run(&h, "solve"), 0, "%s", h_err(&h));
    double e = rel_err(trained, h.s.ts.model.params, np);
    cr_assert(e < 1e-9, "%s: training ends %.3g from solve's point", setup, e);
    free(trained);
    h_free(&h);
}

Test(ridge, solve_is_where_training_stops)
{
    fixed_point("loss mse l2=0.05");
    fixed_point("loss mse l2=0.05; optim sgd weight_decay=0.02");
}

Test(ridge, solve_refuses_l1_and_changes_nothing)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load diabetes; model linear; loss mse l1=0.1; train 2"), 0, "%s", h_err(&h));
    size_t np = h.s.ts.model.nparams;
    double *before = malloc(np * sizeof *before);
    memcpy(before, h.s.ts.model.params, np * sizeof *before);
    cr_assert_neq(h_run(&h, "solve"), 0);
    cr_assert(strstr(h_err(&h), "solve has no closed form for the l1 penalty"), "%s", h_err(&h));
    cr_assert(memcmp(before, h.s.ts.model.params, np * sizeof *before) == 0);
    free(before);
    h_free(&h);
}

/* ---- the penalty against the optimizer's weight_decay (docs/math.md, "Penalties") */

/* One step of `optim` from the same start, once with weight_decay=0.2, once with loss l2=0.1: the
 * parameters after it into a and b. */
static void one_step(const char *optim, double *a, double *b, size_t *np, size_t *nw)
{
    H h;
    char cmd[512];
    for (int i = 0; i < 2; i++) {
        h_init(&h);
        snprintf(cmd, sizeof cmd, "load diabetes; scale standard; model mlp hidden=4 act=tanh; init torch seed=3; "
                 "optim %s%s; loss mse%s; step", optim, i ? "" : " weight_decay=0.2", i ? " l2=0.1" : "");
        cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
        *np = h.s.ts.model.nparams;
        *nw = h.s.ts.model.boff[0];
        memcpy(i ? b : a, h.s.ts.model.params, *np * sizeof *a);
        h_free(&h);
    }
}

Test(penalty, weight_decay_is_l2_on_the_weights_for_coupled_optimizers_not_adamw)
{
    double a[128], b[128];
    size_t np, nw;
    /* torch's coupled weight_decay adds wd * p to the gradient: l2 = wd / 2 adds 2 (wd / 2) w, the same bits on
     * every weight, whatever the optimizer does with the gradient next (sgd, momentum, adam, rmsprop, adagrad).
     * The biases differ: weight_decay shrinks them, the penalty leaves them. */
    static const char *const coupled[] = {"sgd lr=0.1", "sgd lr=0.1 momentum=0.9", "adam lr=0.01", "rmsprop lr=0.01",
                                          "adagrad lr=0.1"};
    for (int i = 0; i < 5; i++) {
        one_step(coupled[i], a, b, &np, &nw);
        cr_assert(memcmp(a, b, nw * sizeof *a) == 0, "%s: the first layer's weights differ", coupled[i]);
        cr_assert(memcmp(a + nw, b + nw, 4 * sizeof *a) != 0, "%s: the biases should differ", coupled[i]);
    }
    /* adamw decays outside the adaptive step (p *= 1 - lr wd): not the gradient of any loss term. */
    one_step("adamw lr=0.01", a, b, &np, &nw);
    cr_assert(rel_err(a, b, nw) > 1e-4, "adamw's decoupled decay looks like an l2 penalty: %.3g", rel_err(a, b, nw));
}

Test(penalty, help_and_completion_offer_l1_and_l2)
{
    H h;
    h_init(&h);
    char **v = command_complete(&h.it, "loss mse ", "l");
    cr_assert(v);
    int n = 0, l1 = 0, l2 = 0;
    for (; v[n]; n++) {
        l1 += strcmp(v[n], "l1=") == 0;
        l2 += strcmp(v[n], "l2=") == 0;
        free(v[n]);
    }
    free(v);
    cr_assert(l1 == 1 && l2 == 1 && n == 2, "%d candidates", n);
    cr_assert_eq(h_run(&h, "help loss"), 0, "%s", h_err(&h));
    cr_assert(strstr(h_out(&h), "[l1=0] [l2=0]") && strstr(h_out(&h), "l1 * sum|w|"), "%s", h_out(&h));
    h_free(&h);
}
