/* test_train.c — the training loop: SGD by hand, gradients by finite differences, batches, guards. */
#include <cblas.h>
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/team.h"
#include "fitbench/train.h"
#include "harness.h"

/* A tiny linear problem written out: y = 2x + 1 at x = 0, 1, 2. */
static const double X3[3] = {0, 1, 2}, Y3[3] = {1, 3, 5};

static void setup_linear(TrainState *st, TrainSetup *su, double lr, double momentum)
{
    memset(su, 0, sizeof *su);
    su->loss.kind = LOSS_MSE;
    su->loss.delta = 1;
    optim_defaults(&su->opt, OPT_SGD);
    su->opt.lr = lr;
    su->opt.momentum = momentum;
    sched_defaults(&su->sched, SCHED_CONSTANT);
    Model m;
    FbErr e;
    cr_assert_eq(model_build(&m, MODEL_LINEAR, ACT_RELU, NULL, 0, 1, 1, &e), 0);
    cr_assert_eq(train_state_init(st, &m, su, 0, &e), 0);
}

Test(train, sgd_step_by_hand)
{
    TrainState st;
    TrainSetup su;
    TrainWork w = {0};
    setup_linear(&st, &su, 0.1, 0);
    TrainData d = {.X = X3, .Y = Y3, .n = 3, .d = 1, .ky = 1};
    TrainOutcome out;
    FbErr e;
    cr_assert_eq(train_run(&st, &su, &d, &w, 1, 0, 0, NULL, &out, &e), 0, "%s", e.msg);
    /* From w = b = 0: residuals r = -y = (-1,-3,-5); dL/dw = 2/3 * sum(r x) = 2/3 * -13,
     * dL/db = 2/3 * sum(r) = 2/3 * -9.  One step of lr 0.1: */
    double w1 = 0.1 * 26.0 / 3, b1 = 0.1 * 6.0;
    cr_assert_float_eq(st.model.params[0], w1, 1e-15);
    cr_assert_float_eq(st.model.params[1], b1, 1e-15);
    /* History: row 0 is the start (loss mean(1,9,25)), row 1 after the step. */
    cr_assert_eq(st.hist.n, 2);
    cr_assert_float_eq(st.hist.rows[0].train_loss, 35.0 / 3, 1e-14);
    double l1 = 0;
    for (int i = 0; i < 3; i++)
        l1 += pow(w1 * X3[i] + b1 - Y3[i], 2) / 3;
    cr_assert_float_eq(st.hist.rows[1].train_loss, l1, 1e-14);
    cr_assert_eq(st.hist.rows[1].steps, 1);
    cr_assert_float_eq(st.hist.rows[1].lr, 0.1, 0);
    train_state_free(&st);
    train_work_free(&w);
}

Test(train, sgd_momentum_two_steps_by_hand)
{
    TrainState st;
    TrainSetup su;
    TrainWork w = {0};
    setup_linear(&st, &su, 0.1, 0.9);
    TrainData d = {.X = X3, .Y = Y3, .n = 3, .d = 1, .ky = 1};
    TrainOutcome out;
    FbErr e;
    cr_assert_eq(train_run(&st, &su, &d, &w, 2, 0, 0, NULL, &out, &e), 0);
    /* torch: buf = g1; p -= lr buf; then buf = 0.9 buf + g2; p -= lr buf. */
    double g1w = -26.0 / 3, g1b = -6.0;
    double p1w = -0.1 * g1w, p1b = -0.1 * g1b;
    double g2w = 0, g2b = 0;
    for (int i = 0; i < 3; i++) {
        double r = p1w * X3[i] + p1b - Y3[i];
        g2w += 2.0 / 3 * r * X3[i];
        g2b += 2.0 / 3 * r;
    }
    double bw = 0.9 * g1w + g2w, bb = 0.9 * g1b + g2b;
    cr_assert_float_eq(st.model.params[0], p1w - 0.1 * bw, 1e-14);
    cr_assert_float_eq(st.model.params[1], p1b - 0.1 * bb, 1e-14);
    train_state_free(&st);
    train_work_free(&w);
}

/* The linear/MSE gradient of train_eval against central differences, several outputs, on real data. */
Test(train, linear_mse_gradient_matches_finite_differences)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load boston; scale standard; model linear; init normal std=0.5 seed=3"), 0, "%s",
                 h_err(&h));
    Model *m = &h.s.ts.model;
    TrainData d;
    session_train_data(&h.s, &d);
    FbErr e;
    double l0;
    cr_assert_eq(train_eval(m, &h.s.setup.loss, d.X, d.Y, d.n, d.ky, &h.s.work, &l0, true, &e), 0);
    double g[64];
    memcpy(g, m->grads, m->nparams * sizeof *g);
    for (size_t i = 0; i < m->nparams; i++) {
        double keep = m->params[i], hstep = 1e-5 * fmax(1, fabs(keep)), lp, lm;
        m->params[i] = keep + hstep;
        train_eval(m, &h.s.setup.loss, d.X, d.Y, d.n, d.ky, &h.s.work, &lp, false, &e);
        m->params[i] = keep - hstep;
        train_eval(m, &h.s.setup.loss, d.X, d.Y, d.n, d.ky, &h.s.work, &lm, false, &e);
        m->params[i] = keep;
        double fd = (lp - lm) / (2 * hstep);
        cr_assert(fabs(fd - g[i]) <= 1e-6 * fmax(fabs(fd), fabs(g[i])), "param %zu: fd %.10g grad %.10g", i, fd,
                  g[i]);
    }
    h_free(&h);
}

/* Chunked evaluation (more rows than one chunk) equals the one-pass mean. */
Test(train, chunked_eval_equals_one_pass)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "gen linear n=10000 d=3 seed=1; model linear; init normal seed=2"), 0, "%s", h_err(&h));
    Model *m = &h.s.ts.model;
    TrainData d;
    session_train_data(&h.s, &d);
    FbErr e;
    double l;
    cr_assert_eq(train_eval(m, &h.s.setup.loss, d.X, d.Y, d.n, d.ky, &h.s.work, &l, true, &e), 0);
    double ref = 0, gb = 0;
    for (size_t i = 0; i < d.n; i++) {
        double z = m->params[3];
        for (int j = 0; j < 3; j++)
            z += m->params[j] * d.X[i * 3 + j];
        ref += (z - d.Y[i]) * (z - d.Y[i]);
        gb += 2 * (z - d.Y[i]);
    }
    cr_assert_float_eq(l, ref / (double)d.n, 1e-12 * l);
    cr_assert_float_eq(m->grads[3], gb / (double)d.n, 1e-10 * fabs(gb / (double)d.n) + 1e-14);
    h_free(&h);
}

/* batch 2 shuffle=no over 3 rows: two updates per epoch, rows (0,1) then (2), the last batch kept. */
Test(train, minibatches_in_row_order_keep_the_last)
{
    TrainState st;
    TrainSetup su;
    TrainWork w = {0};
    setup_linear(&st, &su, 0.1, 0);
    su.batch = 2;
    su.shuffle = false;
    TrainData d = {.X = X3, .Y = Y3, .n = 3, .d = 1, .ky = 1};
    TrainOutcome out;
    FbErr e;
    cr_assert_eq(train_run(&st, &su, &d, &w, 1, 0, 0, NULL, &out, &e), 0);
    cr_assert_eq(st.steps, 2);
    /* By hand: first batch rows 0,1 from zero: g_w = mean(2 r x) = (2*-1*0 + 2*-3*1)/2 = -3; g_b = -4. */
    double pw = 0.3, pb = 0.4;
    /* second batch row 2: r = 2 pw + pb - 5 */
    double r = 2 * pw + pb - 5;
    cr_assert_float_eq(st.model.params[0], pw - 0.1 * 2 * r * 2, 1e-15);
    cr_assert_float_eq(st.model.params[1], pb - 0.1 * 2 * r, 1e-15);
    train_state_free(&st);
    train_work_free(&w);
}

Test(train, step_batch_walks_through_an_epoch)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "gen linear n=10 seed=1; model linear; batch 4 shuffle=no; step batch 2"), 0);
    cr_assert_eq(h.s.ts.epoch, 0);
    cr_assert_eq(h.s.ts.cursor, 8);
    cr_assert_eq(h.s.ts.hist.n, 1);
    cr_assert_eq(h_run(&h, "step batch"), 0);
    cr_assert_eq(h.s.ts.epoch, 1);
    cr_assert_eq(h.s.ts.cursor, 0);
    cr_assert_eq(h.s.ts.hist.n, 2);
    cr_assert_eq(h.s.ts.steps, 3);
    h_free(&h);
}

Test(train, shuffled_order_is_reproducible)
{
    double a[8], b[8];
    for (int run = 0; run < 2; run++) {
        H h;
        h_init(&h);
        cr_assert_eq(h_run(&h, "gen linear n=100 d=3 seed=4; model linear; batch 7; optim sgd lr=0.05; train 5"),
                     0);
        memcpy(run ? b : a, h.s.ts.model.params, 4 * sizeof(double));
        h_free(&h);
    }
    cr_assert_eq(memcmp(a, b, 4 * sizeof(double)), 0);
}

Test(train, divergence_stops_and_restores_finite_parameters)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load boston; scale standard; model linear; optim sgd lr=10; train 100"), 0, "%s",
                 h_err(&h));
    cr_assert(strstr(h_err(&h), "warning: the loss blew up (became NaN, infinite, or 1e10 times its starting value) in epoch"), "%s", h_err(&h));
    cr_assert(strstr(h_err(&h), "lr=10"), "%s", h_err(&h));
    const Model *m = &h.s.ts.model;
    for (size_t i = 0; i < m->nparams; i++)
        cr_assert(isfinite(m->params[i]));
    cr_assert(h.s.ts.epoch < 100);
    const HistRow *last = history_last(&h.s.ts.hist);
    cr_assert(isfinite(last->train_loss));
    cr_assert_eq(last->epoch, h.s.ts.epoch);
    h_free(&h);
}

Test(train, patience_restores_the_best_weights)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "gen poly n=40 noise=0.3 seed=2; split val=0.5 seed=1; features poly degree=9; "
                           "scale standard; model linear; optim adam lr=0.05; train 3000 patience=20"),
                 0, "%s", h_err(&h));
    cr_assert(strstr(h_err(&h), "early stop"), "%s", h_err(&h));
    /* The parameters are those of the best epoch: their val loss is the minimum of the history. */
    double best = INFINITY;
    for (size_t i = 0; i < h.s.ts.hist.n; i++)
        best = fmin(best, h.s.ts.hist.rows[i].val_loss);
    double v;
    FbErr e;
    cr_assert_eq(interp_lookup(&h.it, "val_loss", NULL, 0, &v, &e), 0);
    cr_assert_float_eq(v, best, 1e-12 * best);
    h_free(&h);
}

Test(train, interrupt_stops_after_the_current_batch)
{
    H h;
    h_init(&h);
    volatile sig_atomic_t flag = 1; /* as if Ctrl-C came at once */
    h.it.interrupt = &flag;
    cr_assert_eq(h_run(&h, "gen linear n=100 seed=1; model linear; batch 10"), 0);
    flag = 1;
    /* run_training clears a stale flag first, so set it from the batch hook instead: */
    h.it.interrupt = NULL;
    TrainData d;
    session_train_data(&h.s, &d);
    TrainHooks hooks = {.stop = &flag};
    TrainOutcome out;
    FbErr e;
    cr_assert_eq(train_run(&h.s.ts, &h.s.setup, &d, &h.s.work, 1000, 0, 0, &hooks, &out, &e), 0);
    cr_assert_eq(out.end, TRAIN_INTERRUPTED);
    cr_assert_eq(out.batches, 1);
    cr_assert_eq(h.s.ts.cursor, 10);
    h_free(&h);
}

Test(train, until_stops_when_the_expression_holds)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load boston; scale standard; model linear; optim sgd lr=0.1; train 1000 until=\"train_loss < 30\""),
                 0, "%s", h_err(&h));
    cr_assert_eq(h.s.ts.epoch, 10);
    cr_assert(strstr(h_out(&h), "until train_loss < 30: holds after epoch 10"), "%s", h_out(&h));
    h_free(&h);
}

/* DESIGN.md's promise: the same script, seed and thread count give the same
 * bits.  Minibatch MLP steps (BLAS's threads on the larger products) and
 * full-batch evaluation, run twice at 2 threads; the fused linear path also
 * keeps its bits across thread counts (fused.h: fixed slabs). */
static void train_at(const char *script, int threads, double **params, size_t *np, double **hist, size_t *nh)
{
    H h;
    h_init(&h);
    char line[512];
    snprintf(line, sizeof line, "set threads=%d; %s", threads, script);
    cr_assert_eq(h_run(&h, line), 0, "%s: %s", line, h_err(&h));
    *np = h.s.ts.model.nparams;
    *params = malloc(*np * sizeof(double));
    memcpy(*params, h.s.ts.model.params, *np * sizeof(double));
    const History *hs = &h.s.ts.hist;
    *nh = hs->n;
    *hist = malloc(2 * hs->n * sizeof(double));
    for (size_t i = 0; i < hs->n; i++)
        (*hist)[2 * i] = hs->rows[i].train_loss, (*hist)[2 * i + 1] = hs->rows[i].grad_norm;
    h_free(&h);
}

static void same_bits(const char *script, int t1, int t2)
{
    double *p1, *p2, *h1, *h2;
    size_t n1, n2, k1, k2;
    train_at(script, t1, &p1, &n1, &h1, &k1);
    train_at(script, t2, &p2, &n2, &h2, &k2);
    cr_assert(n1 == n2 && k1 == k2 && k1 > 1);
    cr_assert_eq(memcmp(p1, p2, n1 * sizeof(double)), 0, "parameters differ (%d/%d threads): %s", t1, t2, script);
    cr_assert_eq(memcmp(h1, h2, 2 * k1 * sizeof(double)), 0, "history differs (%d/%d threads): %s", t1, t2, script);
    free(p1), free(p2), free(h1), free(h2);
}

Test(train, same_bits_at_the_same_thread_count)
{
    same_bits("gen blobs n=6000 d=64 classes=10 seed=3; model mlp hidden=128,64; loss ce; optim adam lr=0.001; "
              "batch 64; train 2",
              2, 2);
    same_bits("gen blobs n=6000 d=64 classes=10 seed=3; model mlp hidden=128,64; loss ce; optim adam lr=0.001; "
              "batch 1024; train 2",
              2, 2);
    same_bits("gen spiral n=400 seed=2; model mlp hidden=64,64 act=tanh; loss bce; optim sgd lr=0.1 momentum=0.9; "
              "batch 16; train 3",
              2, 2);
}

/* At 2 threads an MLP's steps and passes are split by rows (a crew: each
 * thread runs its rows on one BLAS thread, the parts summed in a fixed
 * order).  The arithmetic differs from one thread's only in the order of
 * sums: the history and the parameters agree to rounding.  Batch 64 over
 * 6000 rows ends each epoch with a batch of 48; batch 33 splits 16/17. */
static void crew_agrees(const char *script)
{
    double *p1, *p2, *h1, *h2;
    size_t n1, n2, k1, k2;
    train_at(script, 1, &p1, &n1, &h1, &k1);
    train_at(script, 2, &p2, &n2, &h2, &k2);
    cr_assert(n1 == n2 && k1 == k2 && k1 > 1);
    double worst = 0;
    for (size_t i = 0; i < 2 * k1; i++)
        worst = fmax(worst, fabs(h1[i] - h2[i]) / fabs(h1[i]));
    cr_assert(worst < 1e-10, "history: relative difference %g: %s", worst, script);
    double scale = 0, diff = 0;
    for (size_t i = 0; i < n1; i++)
        scale = fmax(scale, fabs(p1[i])), diff = fmax(diff, fabs(p1[i] - p2[i]));
    cr_assert(diff < 1e-10 * scale, "parameters: max difference %g (scale %g): %s", diff, scale, script);
    free(p1), free(p2), free(h1), free(h2);
}

Test(train, crew_agrees_with_one_thread)
{
    crew_agrees("gen blobs n=6000 d=64 classes=10 seed=3; model mlp hidden=128,64; loss ce; optim adam lr=0.001; "
                "batch 64; train 3");
    crew_agrees("gen blobs n=3000 d=64 classes=10 seed=4; model mlp hidden=96 act=tanh; loss ce; "
                "optim sgd lr=0.05 momentum=0.9; batch 33 shuffle=no; train 2; split val=0.2; train 1");
    crew_agrees("gen blobs n=4000 d=32 classes=3 seed=5; model softmax; loss ce; optim rmsprop lr=0.01; "
                "batch full; train 4");
}

/* The crew has at most one member per CPU (members spin while they wait):
 * asking for two threads more than there are CPUs gives the same crew, and
 * the same bits, as asking for one per CPU. */
Test(train, crew_is_capped_at_the_cpus)
{
    int cpus = (int)team_cpus();
    if (cpus < 2)
        return; /* no crew on one CPU: nothing to cap */
    same_bits("gen blobs n=3000 d=64 classes=10 seed=3; model mlp hidden=128,64; loss ce; optim adam lr=0.001; "
              "batch 64; train 2",
              cpus, cpus + 2);
}

/* The crew is there at 2 threads (given 2 CPUs) and not at 1, and the run
 * leaves BLAS's thread setting as it found it. */
Test(train, crew_runs_at_two_threads_only)
{
    for (int t = 1; t <= 2; t++) {
        H h;
        h_init(&h);
        char line[256];
        snprintf(line, sizeof line, "set threads=%d; gen blobs n=2000 d=64 classes=10 seed=3; "
                 "model mlp hidden=128,64; loss ce; batch 64; train 1", t);
        cr_assert_eq(h_run(&h, line), 0, "%s", h_err(&h));
        cr_assert_eq(h.s.work.crew != NULL, t == 2 && team_cpus() >= 2, "threads=%d", t);
        cr_assert(!h.s.work.crew_on);
        cr_assert_eq(openblas_get_num_threads(), t);
        h_free(&h);
    }
}

Test(train, fused_linear_path_same_bits_at_any_thread_count)
{
    const char *s = "gen linear n=50000 d=40 seed=5; model linear; optim sgd lr=0.05; batch 32; train 2; "
                    "batch full; train 3";
    same_bits(s, 1, 2);
    same_bits("gen moons n=150000 seed=5; model logistic; loss bce; optim adam lr=0.01; batch 100; train 2; "
              "batch full; train 3",
              1, 2);
}

/* A minibatch run that blows up stops with the parameters of the last whole
 * epoch: the same bits as the run that stops before it (same_as).  mse (value
 * and gradient per step) and bce (gradient only, checked through the finite
 * part of its loss: loss.h loss_grad). */
static void diverges_in_epoch(const char *prefix, const char *blowup, long want_epoch, const char *same_as)
{
    H h;
    h_init(&h);
    char line[512];
    snprintf(line, sizeof line, "%s; %s", prefix, blowup);
    cr_assert_eq(h_run(&h, line), 0, "%s", h_err(&h));
    char want[128];
    snprintf(want, sizeof want, "blew up (became NaN, infinite, or 1e10 times its starting value) in epoch %ld ",
             want_epoch);
    cr_assert(strstr(h_err(&h), want), "%s: %s", line, h_err(&h));
    size_t np = h.s.ts.model.nparams;
    double *p = malloc(np * sizeof(double));
    cr_assert(p && h.s.ts.epoch == want_epoch - 1);
    memcpy(p, h.s.ts.model.params, np * sizeof(double));
    for (size_t i = 0; i < np; i++)
        cr_assert(isfinite(p[i]));
    h_free(&h);
    h_init(&h);
    cr_assert_eq(h_run(&h, same_as), 0, "%s", h_err(&h));
    cr_assert_eq(memcmp(p, h.s.ts.model.params, np * sizeof(double)), 0, "%s", line);
    free(p);
    h_free(&h);
}

Test(train, minibatch_divergence_restores_the_last_whole_epoch)
{
    /* Each blows up in epoch 7 / 4; at these learning rates the logits overflow within a few steps, so it is
     * the step's check that fires (seen by instrumenting train.c when this test was written). */
    const char *mse = "load boston; scale standard; model linear; batch 16; optim sgd lr=0.01; train 6";
    const char *bce = "gen moons n=200 seed=1; model logistic; loss bce; batch 8; optim sgd lr=0.1; train 3";
    diverges_in_epoch(mse, "optim sgd lr=1e150; train 5", 7, mse);
    diverges_in_epoch(bce, "optim sgd lr=1.7e308; train 5", 4, bce);
}

/* The same with the steps split across two threads (a training crew:
 * src/learn/train_crew.h): the blow-up is seen in a member's part. */
Test(train, crew_divergence_restores_the_last_whole_epoch)
{
    const char *mlp = "set threads=2; gen blobs n=2000 d=64 classes=10 seed=3; model mlp hidden=128,64; loss ce; "
                      "batch 64; optim sgd lr=0.01; train 2";
    diverges_in_epoch(mlp, "optim sgd lr=1e200; train 3", 3, mlp);
    cr_assert_eq(openblas_get_num_threads(), 2, "the BLAS thread setting is back after the run");
}

/* A call that starts inside an epoch (after step batch) and blows up goes back
 * to where it started: parameters, update count and row, not to a stale
 * snapshot of an earlier call. */
Test(train, divergence_after_a_mid_epoch_start_restores_that_start)
{
    const char *prefix = "gen linear n=100 seed=1; model linear; batch 10; optim sgd lr=0.01; train 2; "
                         "step batch 3; step batch 2; undo";
    H ref;
    h_init(&ref);
    cr_assert_eq(h_run(&ref, prefix), 0, "%s", h_err(&ref));
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, prefix), 0, "%s", h_err(&h));
    cr_assert_eq(h_run(&h, "optim sgd lr=1e99; train 1"), 0, "%s", h_err(&h));
    cr_assert(strstr(h_err(&h), "back to where this command started (row 30 of epoch 3)"), "%s", h_err(&h));
    cr_assert_eq(h.s.ts.steps, ref.s.ts.steps);
    cr_assert_eq(h.s.ts.opt.step, ref.s.ts.opt.step);
    cr_assert_eq(h.s.ts.cursor, (size_t)30);
    cr_assert_eq(h.s.ts.epoch, 2);
    cr_assert_eq(memcmp(h.s.ts.model.params, ref.s.ts.model.params, 2 * sizeof(double)), 0);
    h_free(&h);
    h_free(&ref);
}
