/* test_session.c — the session's change functions keep the invariants their header comments state. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "harness.h"

/* A session with data, a linear model trained a little and solved (optimum known). */
static void solved(H *h)
{
    h_init(h);
    cr_assert_eq(h_run(h, "load boston; model linear; optim sgd lr=0.1 momentum=0.9; train 3; solve apply=no"), 0,
                 "%s", h_err(h));
    cr_assert(isfinite(h->s.optimum));
}

Test(session, changing_the_model_forgets_optimum_init_and_natural_loss)
{
    H h;
    solved(&h);
    cr_assert_eq(h_run(&h, "init normal std=0.5"), 0);
    cr_assert(h.s.init.set);
    ModelSpec ms = h.s.mspec;
    FbErr e;
    cr_assert_eq(session_set_model(&h.s, &ms, &e), 0, "%s", e.msg);
    cr_assert(isnan(h.s.optimum), "a new model: the optimum is unknown");
    cr_assert(!h.s.init.set, "a new model forgets the init choice");
    cr_assert_eq(h.s.ts.epoch, 0);
    cr_assert_eq(h.s.ts.hist.n, 1, "history starts again");
    h_free(&h);
}

Test(session, a_loss_with_the_same_outputs_keeps_the_parameters)
{
    H h;
    solved(&h);
    double p0 = h.s.ts.model.params[0];
    long epoch = h.s.ts.epoch;
    bool rebuilt = true;
    FbErr e;
    LossCfg mae = {.kind = LOSS_MAE, .delta = 1.0};
    cr_assert_eq(session_set_loss(&h.s, &mae, &rebuilt, &e), 0, "%s", e.msg);
    cr_assert(!rebuilt);
    cr_assert_eq(h.s.ts.model.params[0], p0);
    cr_assert_eq(h.s.ts.epoch, epoch);
    cr_assert(isnan(h.s.optimum), "another loss, another optimum");
    cr_assert(h.s.loss_set);
    h_free(&h);
}

Test(session, another_optimizer_starts_fresh_the_same_one_keeps_its_state)
{
    H h;
    solved(&h);
    FbErr e;
    cr_assert_gt(h.s.ts.opt.step, 0);
    long steps = h.s.ts.opt.step;
    OptCfg c = h.s.setup.opt;
    c.momentum = 0.5;
    cr_assert_eq(session_set_optim(&h.s, &c, &e), 0);
    cr_assert_eq(h.s.ts.opt.step, steps, "same optimizer: state kept");
    optim_defaults(&c, OPT_ADAM);
    cr_assert_eq(session_set_optim(&h.s, &c, &e), 0);
    cr_assert_eq(h.s.ts.opt.step, 0, "another optimizer: fresh state");
    cr_assert_eq(h.s.ts.sched.lr, c.lr, "the schedule restarts from the new lr");
    h_free(&h);
}

Test(session, rescaling_that_fails_changes_nothing)
{
    H h;
    solved(&h);
    FbErr e;
    OptCfg before = h.s.setup.opt, c = before;
    c.lr = -1;
    c.momentum = 0.1;
    cr_assert_eq(session_rescale_optim(&h.s, &c, &e), -1);
    cr_assert_eq(memcmp(&before, &h.s.setup.opt, sizeof before), 0);
    h_free(&h);
}

Test(session, new_prep_and_new_run_reset_what_they_say)
{
    H h;
    solved(&h);
    FbErr e;
    PrepSpec ps = h.s.prep_spec;
    ps.val = 0.2;
    cr_assert_eq(session_set_prep(&h.s, &ps, &e), 0, "%s", e.msg);
    cr_assert(isnan(h.s.optimum), "other training rows, another optimum");
    cr_assert_gt(h.s.prep->val.n, 0);
    cr_assert_eq(h_run(&h, "train 2; solve"), 0, "%s", h_err(&h));
    cr_assert_eq(session_new_run(&h.s, &e), 0);
    cr_assert_eq(h.s.ts.epoch, 0);
    cr_assert_eq(h.s.ts.steps, 0);
    cr_assert_eq(h.s.ts.hist.n, 1);
    cr_assert(isfinite(h.s.optimum), "a new run from the same rows keeps the optimum");
    h_free(&h);
}
