/* test_compare.c — compare's table of keys (variant.h) and its runs: each curve is, bit for bit, the history of
 * the same settings trained alone, whatever the thread count; bad values change nothing; a stop keeps the runs
 * that finished. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/variant.h"
#include "compare_check.h"

static void run_ok(H *h, const char *line)
{
    int rc = h_run(h, line);
    cr_assert_eq(rc, 0, "'%s' failed: %s", line, h_err(h));
}

static void curves_equal(const Curves *a, const Curves *b)
{
    cr_assert_eq(a->ncurves, b->ncurves);
    for (size_t i = 0; i < a->ncurves; i++) {
        const Curve *p = &a->c[i], *q = &b->c[i];
        cr_assert_eq(p->n, q->n);
        cr_assert(memcmp(p->x, q->x, p->n * sizeof(double)) == 0);
        cr_assert(memcmp(p->y, q->y, p->n * sizeof(double)) == 0, "curve %zu: train differs", i);
        cr_assert(memcmp(p->y2, q->y2, p->n * sizeof(double)) == 0, "curve %zu: val differs", i);
    }
}

Test(compare, table_keys)
{
    const char *keys[VARIANT_KEYS_MAX + 1];
    size_t n = variant_keys(keys, VARIANT_KEYS_MAX + 1);
    cr_assert_gt(n, 20);
    cr_assert_null(keys[n]);
    for (size_t i = 0; i < n; i++)
        cr_assert_not_null(variant_find(keys[i]), "%s", keys[i]);
    static const char *const fresh[] = {"hidden", "act", "degree", "scale", "seed", NULL};
    static const char *const same[] = {"lr", "momentum", "optim", "batch", "l1", "l2", "train_size", NULL};
    for (int i = 0; fresh[i]; i++)
        cr_assert(variant_find(fresh[i])->fresh, "%s", fresh[i]);
    for (int i = 0; same[i]; i++)
        cr_assert(!variant_find(same[i])->fresh, "%s", same[i]);
    cr_assert_null(variant_find("colour"));
    cr_assert_null(variant_find("epochs"));
    cr_assert_eq(variant_find("lr"), variant_find("weight_decay"), "every optimizer option has the one row");
    for (const VariantKey *v = variant_table(); v->apply; v++)
        cr_assert(v->applies && v->applies[0]);
    char list[600];
    variant_key_list(list, sizeof list);
    cr_assert(strstr(list, "lr, ") && strstr(list, "train_size"), "%s", list);
}

/* Keys that change the model start each run from a fresh init with the session's seed: the curve is the run of
 * `model mlp hidden=V` then train, from row 0. */
Test(compare, hidden_act_runs_from_fresh_init)
{
    H h;
    h_init(&h);
    const char *setup = "gen moons n=120 seed=2; split val=0.25 seed=1; model mlp hidden=8 act=tanh; "
                        "optim adam lr=0.02; train 3";
    run_ok(&h, setup);
    run_ok(&h, "compare hidden=4,6x3 epochs=5");
    const Curves *cv = h.s.compare;
    cr_assert_eq(cv->ncurves, 2);
    curve_is_run(&cv->c[0], setup, "model mlp hidden=4 act=tanh; train 5", 0);
    curve_is_run(&cv->c[1], setup, "model mlp hidden=6,3 act=tanh; train 5", 0);
    cr_assert(strstr(h_out(&h), "each run from a fresh init"), "%s", h_out(&h));
    cr_assert_eq(h.s.ts.epoch, 3, "the session is unchanged");
    run_ok(&h, "compare act=relu,sigmoid epochs=4");
    curve_is_run(&h.s.compare->c[1], setup, "model mlp hidden=8 act=sigmoid; train 4", 0);
    h_free(&h);
}

Test(compare, degree_scale_seed)
{
    H h;
    h_init(&h);
    const char *setup = "gen poly n=80 seed=5; split val=0.25 seed=2; scale standard; model linear; "
                        "optim sgd lr=0.05; batch 16";
    run_ok(&h, setup);
    run_ok(&h, "compare degree=1,3 epochs=4");
    curve_is_run(&h.s.compare->c[1], setup, "features poly degree=3; train 4", 0);
    run_ok(&h, "compare scale=minmax,none epochs=3");
    curve_is_run(&h.s.compare->c[0], setup, "scale minmax; train 3", 0);
    run_ok(&h, "compare seed=7,8 epochs=3");
    curve_is_run(&h.s.compare->c[1], setup, "set seed=8; reset; train 3", 0);
    cr_assert(memcmp(h.s.compare->c[0].y, h.s.compare->c[1].y, 4 * sizeof(double)) != 0,
              "two seeds, two data orders");
    h_free(&h);
}

/* l1= and l2= change only that penalty (loss NAME KEY=V keeps the loss's other options: delta and the other
 * penalty), from the current parameters: the curve is the session's run after `loss huber l1=V`. */
Test(compare, penalties_from_the_same_start)
{
    H h;
    h_init(&h);
    const char *setup = "gen linear n=60 d=3 seed=2; split val=0.25 seed=1; model mlp hidden=4; "
                        "loss huber delta=0.5 l2=0.01; optim adam lr=0.05; train 3";
    run_ok(&h, setup);
    run_ok(&h, "compare l1=0.001,0.1 epochs=4");
    curve_is_run(&h.s.compare->c[1], setup, "loss huber l1=0.1; train 4", 3);
    run_ok(&h, "compare l2=0,1 epochs=4");
    curve_is_run(&h.s.compare->c[0], setup, "loss huber l2=0; train 4", 3);
    curve_is_run(&h.s.compare->c[1], setup, "loss huber l2=1; train 4", 3);
    cr_assert(h.s.compare->c[0].y[4] != h.s.compare->c[1].y[4], "two penalties, two curves");
    cr_assert_eq(h.s.setup.loss.l2, 0.01, "the session's own penalty is unchanged");
    h_free(&h);
}

/* train_size=F: the first int(F n) training rows (scikit-learn's learning_curve), the validation rows kept; F=1
 * is the session's own training run. */
Test(compare, train_size)
{
    H h;
    h_init(&h);
    const char *setup = "load boston; split val=0.2 seed=3; scale standard; model linear; optim sgd lr=0.01";
    run_ok(&h, setup);
    run_ok(&h, "compare train_size=0.25,0.5,1 epochs=3");
    const char *o = h_out(&h);
    /* 404 training rows: int(0.25 * 404) = 101, int(0.5 * 404) = 202. */
    cr_assert(strstr(o, "; 101 training rows") && strstr(o, "; 202 training rows") && strstr(o, "; 404 training rows"),
              "%s", o);
    curve_is_run(&h.s.compare->c[2], setup, "train 3", 0);
    cr_assert(h.s.compare->c[0].y[3] != h.s.compare->c[2].y[3]);
    h_free(&h);
}

/* The runs train in parallel, each on one thread: the curves are the same bits at any thread count, and equal
 * the same run trained alone at threads=1 (an MLP big enough for the training crew). */
Test(compare, parallel_runs_bitwise_any_threads)
{
    H a, b;
    h_init(&a);
    h_init(&b);
    const char *setup = "gen spiral n=2000 seed=3; split val=0.2 seed=1; model mlp hidden=64; optim adam lr=0.01";
    run_ok(&a, setup);
    run_ok(&b, setup);
    run_ok(&a, "set threads=2; compare lr=0.01,0.02,0.005 epochs=3");
    run_ok(&b, "set threads=1; compare lr=0.01,0.02,0.005 epochs=3");
    curves_equal(a.s.compare, b.s.compare);
    curve_is_run(&a.s.compare->c[1], setup, "set threads=1; optim adam lr=0.02; train 3", 0);
    run_ok(&a, "set threads=0");
    h_free(&a);
    h_free(&b);
}

/* A bad value, or a key the model does not have, is an error naming it; nothing changes. */
Test(compare, bad_values_change_nothing)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen linear n=40 seed=1; model linear; train 2; compare lr=0.1,0.2 epochs=2");
    const Curves *cv = h.s.compare;
    static const char *const bad[][2] = {
        {"compare hidden=4,8", "hidden= varies an mlp's hidden layers; the model is linear"},
        {"compare act=relu", "act= varies an mlp's activation"},
        {"compare train_size=0.5,0", "train_size takes fractions of the training rows in (0, 1]"},
        {"compare train_size=1.5", "(got '1.5')"},
        {"compare degree=2,0", "compare degree=0"},
        {"compare scale=standard,zscore", "compare scale=zscore"},
        {"compare l1=0.1,-1", "compare l1=-1"},
        {"compare colour=1", "it varies lr, momentum"},
        {"compare hiden=3", "did you mean 'hidden'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        h_clear(&h);
        cr_assert_neq(h_run(&h, bad[i][0]), 0, "%s", bad[i][0]);
        cr_assert(strstr(h_err(&h), bad[i][1]), "%s: %s", bad[i][0], h_err(&h));
        cr_assert_eq(h.s.compare, cv, "%s changed the curves", bad[i][0]);
        cr_assert_eq(h.s.ts.epoch, 2);
    }
    h_free(&h);
}

/* A stop (Ctrl-C, Esc) during compare: the runs that finished are kept, the one stopped part-way is dropped. */
static int stop_calls;
static int stop_on_seventh(void *ctx, Interp *it)
{
    (void)ctx, (void)it;
    return ++stop_calls == 7;
}

Test(compare, stop_keeps_finished_runs)
{
    H h;
    h_init(&h);
    FrontEnd fe = {.train_epoch = stop_on_seventh};
    run_ok(&h, "gen linear n=40 seed=1; model linear; set threads=1");
    h.it.fe = &fe;
    stop_calls = 0;
    run_ok(&h, "compare lr=0.01,0.02,0.03 epochs=5");
    cr_assert_eq(h.s.compare->ncurves, 1, "%s", h_out(&h));
    cr_assert_str_eq(h.s.compare->c[0].label, "lr=0.01");
    cr_assert_eq(h.s.compare->c[0].n, 6);
    cr_assert(strstr(h_out(&h), "(interrupted: 1 of 3 runs finished and are kept"), "%s", h_out(&h));
    /* Stopped before any run finished: nothing kept, the old curves stay. */
    stop_calls = 3;
    const Curves *cv = h.s.compare;
    run_ok(&h, "compare lr=0.5,0.6 epochs=5");
    cr_assert_eq(h.s.compare, cv);
    cr_assert(strstr(h_out(&h), "nothing kept"), "%s", h_out(&h));
    h.it.fe = NULL;
    run_ok(&h, "set threads=0");
    h_free(&h);
}

/* Completion offers every key compare varies. */
Test(compare, completes_keys)
{
    H h;
    h_init(&h);
    static const char *const want[][2] = {{"hid", "hidden="}, {"train", "train_size="}, {"deg", "degree="},
                                          {"momen", "momentum="}, {"epo", "epochs="}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char **v = command_complete(&h.it, "compare ", want[i][0]);
        bool found = false;
        for (size_t j = 0; v && v[j]; j++) {
            found = found || strcmp(v[j], want[i][1]) == 0;
            free(v[j]);
        }
        free(v);
        cr_assert(found, "compare %s does not complete to %s", want[i][0], want[i][1]);
    }
    h_free(&h);
}
