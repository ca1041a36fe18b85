/* test_mathdoc.c — claims of docs/math.md that no other suite checks: init uniform's bound=, multistep's
 * milestones (order, repeats, what the command accepts), the divergence rule's 1e10 threshold. */
#include <criterion/criterion.h>
#include <math.h>

#include "fitbench/sched.h"
#include "harness.h"

/* "uniform bound=a | U(-a, a), a = 0.05 by default | 0 (bias)" */
static void uniform_bound(const char *cmd, double a)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
    const Model *m = &h.s.ts.model;
    double hi = 0;
    size_t nw = m->sizes[0] * m->sizes[1];
    for (size_t i = 0; i < nw; i++) {
        double v = m->params[m->woff[0] + i];
        cr_assert(v >= -a && v < a, "W[%zu] = %g outside [-%g, %g)", i, v, a, a);
        hi = fmax(hi, fabs(v));
    }
    cr_assert(hi > 0.9 * a, "the draws do not reach the bound: max |W| %g of %g", hi, a);
    for (size_t i = 0; i < m->sizes[1]; i++)
        cr_assert_eq(m->params[m->boff[0] + i], 0.0);
    h_free(&h);
}

Test(mathdoc, init_uniform_bound)
{
    uniform_bound("gen blobs n=50 d=40 classes=10 seed=1; model softmax; loss ce; init uniform bound=0.3 seed=4", 0.3);
    uniform_bound("gen blobs n=50 d=40 classes=10 seed=1; model softmax; loss ce; init uniform seed=4", 0.05);
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "gen blobs n=50 seed=1; model softmax; loss ce; init uniform std=0.3"), -1);
    cr_assert(strstr(h_err(&h), "std= is for init normal"), "%s", h_err(&h));
    h_free(&h);
}

/* "milestones may repeat (each repetition is one more factor of gamma); the command takes them in
 * increasing order; sched_step counts the milestones equal to e, so their order in SchedCfg does not matter;
 * a milestone 0 applies at once." */
static void multistep_lrs(const long *ms, size_t nm, double *lr, int epochs)
{
    SchedCfg c;
    memset(&c, 0, sizeof c);
    c.kind = SCHED_MULTISTEP;
    c.gamma = 0.1;
    c.nmilestones = nm;
    for (size_t i = 0; i < nm; i++)
        c.milestones[i] = ms[i];
    OptCfg o;
    memset(&o, 0, sizeof o);
    o.kind = OPT_SGD;
    o.lr = 1.0;
    SchedState st;
    sched_start(&c, &st, &o);
    lr[0] = st.lr;
    for (int e = 1; e < epochs; e++) {
        sched_step(&c, &st, NAN);
        lr[e] = st.lr;
    }
}

Test(mathdoc, multistep_milestones)
{
    double a[8], b[8], r[8], z[8];
    multistep_lrs((const long[]){2, 5}, 2, a, 8);
    multistep_lrs((const long[]){5, 2}, 2, b, 8);
    for (int e = 0; e < 8; e++)
        cr_assert_eq(a[e], b[e], "epoch %d: order changed the lr", e);
    cr_assert_eq(a[1], 1.0);
    cr_assert_float_eq(a[2], 0.1, 1e-15);
    cr_assert_float_eq(a[5], 0.01, 1e-15);
    multistep_lrs((const long[]){3, 3}, 2, r, 8);
    cr_assert_float_eq(r[3], 0.01, 1e-15);
    multistep_lrs((const long[]){0}, 1, z, 3);
    cr_assert_float_eq(z[0], 0.1, 1e-15);
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "schedule multistep milestones=3,3"), 0, "%s", h_err(&h));
    cr_assert_eq(h_run(&h, "schedule multistep milestones=5,2"), -1);
    cr_assert(strstr(h_err(&h), "milestones must be in increasing order"), "%s", h_err(&h));
    h_free(&h);
}

/* "If train_loss or grad_norm is NaN or +-Inf, or train_loss is above 1e10 times the train_loss of the last
 * history row when the command started, ... training stops (no history row for the bad epoch)". */
Test(mathdoc, divergence_rule_1e10_times_the_start)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "gen linear n=100 d=3 seed=1; scale standard; model linear; loss mse; optim sgd lr=1.2; "
                           "batch full shuffle=no; train 1000"),
                 0, "%s", h_err(&h));
    cr_assert(strstr(h_err(&h), "1e10 times its starting value"), "%s", h_err(&h));
    const History *hi = &h.s.ts.hist;
    size_t n = hi->n;
    cr_assert(n >= 3 && n < 1000);
    double start = hi->rows[0].train_loss, last = hi->rows[n - 1].train_loss, prev = hi->rows[n - 2].train_loss;
    for (size_t i = 0; i < n; i++)
        cr_assert(isfinite(hi->rows[i].train_loss) && hi->rows[i].train_loss <= 1e10 * start, "row %zu", i);
    /* Full-batch gradient descent past stability grows the loss geometrically: the next epoch (ratio
     * last / prev further) is the first above 1e10 times the start, long before any overflow. */
    double ratio = last / prev;
    cr_assert(ratio > 1.5, "not diverging geometrically: %g", ratio);
    cr_assert(last * ratio * 1.01 > 1e10 * start, "stopped early: %g of the threshold", last / (1e10 * start));
    h_free(&h);
}
