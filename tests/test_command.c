/* test_command.c — the interpreter: errors with locations, suggestions, atomic failure, undo, record, expect. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static void expect_error(const char *line, const char *msg)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, line), -1, "'%s' should fail", line);
    cr_assert_str_eq(h_err(&h), msg);
    cr_assert_eq(h.it.failed, 1);
    h_free(&h);
}

Test(command, errors_name_file_line_and_column)
{
    expect_error("optim adma", "t.fit:1:7: error: unknown optimizer 'adma' (did you mean 'adam'?)\n");
    expect_error("optim sgd lr=-1", "t.fit:1:14: error: lr must be > 0 (got -1)\n");
    expect_error("optim sgd lrr=0.1", "t.fit:1:11: error: unknown option 'lrr' for optim (did you mean 'lr'?)\n");
    expect_error("trian 10", "t.fit:1:1: error: unknown command 'trian' (did you mean 'train'?)\n");
    expect_error("train 10", "t.fit:1:1: error: no data yet: load a CSV first (load boston, say) or make some "
                             "(gen moons)\n");
    expect_error("load boston; train", "t.fit:1:14: error: no model yet: choose one with 'model linear' (or "
                                       "logistic, softmax, mlp)\n");
    expect_error("batch 0", "t.fit:1:7: error: batch must be 'full' or a whole number >= 1 (got '0')\n");
    expect_error("load boston; model mlp hidden=0", "t.fit:1:31: error: hidden= takes layer widths from 1 to 100000 "
                                                    "separated by commas, e.g. 16,8 (got '0')\n");
    expect_error("load boston; features poly degree=100",
                 "t.fit:1:35: error: degree must be between 1 and 10 (got 100)\n");
    expect_error("optim sgd beta1=0.9", "t.fit:1:11: error: option 'beta1' does not apply to sgd (it is for adam, "
                                        "adamw)\n");
    expect_error("echo \"unterminated", "t.fit:1:6: error: unterminated quote \"\n");
    expect_error("load nosuchfile.csv", "t.fit:1:6: error: cannot open nosuchfile.csv: No such file or directory\n");
}

Test(command, wrong_loss_for_the_target_is_refused_at_the_command)
{
    expect_error("load boston; model linear; loss ce",
                 "t.fit:1:33: error: loss ce needs a class target, and 'MEDV' is a regression target: use loss mse\n");
    expect_error("load iris; model logistic",
                 "t.fit:1:12: error: model logistic needs a two-class target; 'species' has more classes: use model "
                 "softmax\n");
    expect_error("load iris; model softmax; loss mse",
                 "t.fit:1:32: error: model softmax outputs one logit per class: use loss ce, not mse\n");
}

Test(command, a_failed_command_changes_nothing)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load boston; model linear; optim sgd lr=0.1 momentum=0.5; train 3"), 0);
    size_t nlog = h.s.nlog;
    double p0 = h.s.ts.model.params[0];
    cr_assert_eq(h_run(&h, "optim sgd lr=0.2 momentum=-1"), -1);
    cr_assert_eq(h.s.setup.opt.lr, 0.1);
    cr_assert_eq(h.s.setup.opt.momentum, 0.5);
    /* A command that fails half-way (the loss is wrong for the data) rolls back too. */
    cr_assert_eq(h_run(&h, "gen moons; model linear; loss mse"), 0);
    cr_assert_eq(h_run(&h, "load boston; loss hinge"), -1);
    cr_assert_eq(h.s.data->n, 506);
    cr_assert_eq(h.s.setup.loss.kind, LOSS_MSE);
    cr_assert_eq(h.s.nlog, nlog + 4);
    (void)p0;
    h_free(&h);
}

Test(command, undo_returns_to_the_previous_state)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load boston; scale standard; model linear; optim sgd lr=0.1; train 10"), 0);
    double p[14];
    memcpy(p, h.s.ts.model.params, sizeof p);
    cr_assert_eq(h_run(&h, "optim sgd lr=0.3; train 20"), 0);
    cr_assert_eq(h.s.ts.epoch, 30);
    cr_assert_eq(h_run(&h, "undo; undo"), 0);
    cr_assert_eq(h.s.ts.epoch, 10);
    cr_assert_eq(h.s.setup.opt.lr, 0.1);
    cr_assert_eq(memcmp(p, h.s.ts.model.params, sizeof p), 0);
    cr_assert_eq(h.s.ts.hist.n, 11);
    cr_assert_eq(h_run(&h, "undo; undo; undo; undo; undo"), 0);
    cr_assert_null(h.s.data);
    cr_assert_eq(h_run(&h, "undo"), -1);
    cr_assert(strstr(h_err(&h), "nothing to undo"));
    h_free(&h);
}

Test(command, same_optimizer_keeps_its_state)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load boston; scale standard; model linear; optim sgd lr=0.01 momentum=0.9; train 3"), 0);
    cr_assert(h.s.ts.opt.has_buf);
    double m0 = h.s.ts.opt.m[0];
    cr_assert_eq(h_run(&h, "optim sgd lr=0.02"), 0);
    cr_assert_eq(h.s.setup.opt.momentum, 0.9); /* options not given are kept */
    cr_assert_eq(h.s.ts.opt.m[0], m0);
    cr_assert_eq(h_run(&h, "optim adam"), 0);
    cr_assert_eq(h.s.ts.opt.step, 0);
    cr_assert_eq(h.s.setup.opt.lr, 0.001);
    h_free(&h);
}

Test(command, expect_passes_and_fails_with_values)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load boston; model linear; solve; expect r2 >= 0.7; expect epoch == 0"), 0, "%s",
                 h_err(&h));
    cr_assert_eq(h_run(&h, "expect train_loss < 20"), -1);
    cr_assert(strstr(h_err(&h), "t.fit:1:8: error: expect failed: train_loss < 20 (train_loss = 21.89483118)"), "%s",
              h_err(&h));
    h_clear(&h);
    cr_assert_eq(h_run(&h, "expect W[0,5] > 3.8 and b[0] > 36"), 0, "%s", h_err(&h));
    cr_assert_eq(h_run(&h, "expect accuracy > 0.5"), -1);
    cr_assert(strstr(h_err(&h), "accuracy is a classification metric and this is a regression task"), "%s",
              h_err(&h));
    h_clear(&h);
    cr_assert_eq(h_run(&h, "expect W[3,0] > 1"), -1);
    cr_assert(strstr(h_err(&h), "W[3,0] is outside its shape (1, 13)"), "%s", h_err(&h));
    h_clear(&h);
    cr_assert_eq(h_run(&h, "expect val_loss < 1"), -1);
    cr_assert(strstr(h_err(&h), "there are no val rows"), "%s", h_err(&h));
    h_clear(&h);
    cr_assert_eq(h_run(&h, "expect tran_loss < 1"), -1);
    cr_assert(strstr(h_err(&h), "t.fit:1:8: error: unknown name 'tran_loss' (did you mean 'train_loss'?)"), "%s",
              h_err(&h));
    h_free(&h);
}

Test(command, record_writes_successful_commands)
{
    char path[] = "/tmp/fbrecXXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    unlink(path);
    H h;
    h_init(&h);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "record %s", path);
    cr_assert_eq(h_run(&h, cmd), 0);
    h_run(&h, "load boston; model linear; optim bogus");
    h_run(&h, "optim sgd lr=0.1; train 2; undo; record off; train 5");
    FILE *fp = fopen(path, "r");
    cr_assert(fp);
    char buf[512] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    cr_assert_str_eq(buf, "load boston\nmodel linear\noptim sgd lr=0.1\ntrain 2\nundo\n");
    unlink(path);
    h_free(&h);
}

Test(command, help_lists_and_explains)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "help"), 0);
    for (const Command *c = commands; c->name; c++)
        cr_assert(strstr(h_out(&h), c->name), "help does not list %s", c->name);
    h_clear(&h);
    cr_assert_eq(h_run(&h, "help optim"), 0);
    cr_assert(strstr(h_out(&h), "usage: optim sgd|adam|adamw|rmsprop|adagrad"));
    cr_assert(strstr(h_out(&h), "weight_decay"));
    cr_assert_eq(h_run(&h, "help optimm"), -1);
    cr_assert(strstr(h_err(&h), "no command 'optimm' (did you mean 'optim'?)"), "%s", h_err(&h));
    /* every command has usage and a summary */
    for (const Command *c = commands; c->name; c++)
        cr_assert(c->usage && c->summary && c->run);
    h_free(&h);
}

Test(command, completion_candidates)
{
    H h;
    h_init(&h);
    char **v = command_complete(&h.it, "", "op");
    cr_assert(v && v[0] && !v[1]);
    cr_assert_str_eq(v[0], "optim ");
    free(v[0]);
    free(v);
    v = command_complete(&h.it, "optim ", "ad");
    cr_assert(v);
    int n = 0;
    for (; v[n]; n++)
        free(v[n]);
    free(v);
    cr_assert_eq(n, 3); /* adam adamw adagrad */
    v = command_complete(&h.it, "optim sgd ", "nest");
    cr_assert(v && !strcmp(v[0], "nesterov=") && !v[1]);
    free(v[0]);
    free(v);
    v = command_complete(&h.it, "optim sgd ", "nesterov=");
    cr_assert(v && !strcmp(v[0], "nesterov=yes ") && !strcmp(v[1], "nesterov=no "));
    for (n = 0; v[n]; n++)
        free(v[n]);
    free(v);
    cr_assert_eq(h_run(&h, "load boston"), 0);
    v = command_complete(&h.it, "load boston ", "drop=C");
    cr_assert(v && !strcmp(v[0], "drop=CRIM ") && !strcmp(v[1], "drop=CHAS "));
    for (n = 0; v[n]; n++)
        free(v[n]);
    free(v);
    h_free(&h);
}

Test(command, save_and_load_model_predict_bit_identically)
{
    char dir[] = "/tmp/fbmodelXXXXXX", cmd[512];
    cr_assert(mkdtemp(dir));
    H a, b;
    h_init(&a);
    h_init(&b);
    snprintf(cmd, sizeof cmd,
             "load wine; split test=0.3 seed=5; scale standard; model mlp hidden=8,4 act=tanh; optim adam lr=0.01; "
             "train 20; save model %s/m.txt",
             dir);
    cr_assert_eq(h_run(&a, cmd), 0, "%s", h_err(&a));
    snprintf(cmd, sizeof cmd, "load wine; split test=0.3 seed=5; load model %s/m.txt", dir);
    cr_assert_eq(h_run(&b, cmd), 0, "%s", h_err(&b));
    cr_assert_eq(a.s.ts.model.nparams, b.s.ts.model.nparams);
    cr_assert_eq(memcmp(a.s.ts.model.params, b.s.ts.model.params, a.s.ts.model.nparams * sizeof(double)), 0);
    const Part *pa = &a.s.prep->test, *pb = &b.s.prep->test;
    size_t k = 3;
    double *za = malloc(pa->n * k * sizeof *za), *zb = malloc(pb->n * k * sizeof *zb);
    FbErr e;
    cr_assert_eq(train_predict(&a.s.ts.model, pa->X, pa->n, za, &a.s.work, &e), 0);
    cr_assert_eq(train_predict(&b.s.ts.model, pb->X, pb->n, zb, &b.s.work, &e), 0);
    cr_assert_eq(memcmp(za, zb, pa->n * k * sizeof *za), 0);
    free(za);
    free(zb);
    /* A hand-broken file is refused with its line. */
    snprintf(cmd, sizeof cmd, "sed -i 's/^params .*/params 3/' %s/m.txt", dir);
    cr_assert_eq(system(cmd), 0);
    snprintf(cmd, sizeof cmd, "load model %s/m.txt", dir);
    cr_assert_eq(h_run(&b, cmd), -1);
    cr_assert(strstr(h_err(&b), "the sizes make 163 parameters, but the file says 3"), "%s", h_err(&b));
    h_free(&a);
    h_free(&b);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(command, weights_round_trip_and_shape_errors)
{
    char dir[] = "/tmp/fbwXXXXXX", cmd[512];
    cr_assert(mkdtemp(dir));
    H h;
    h_init(&h);
    snprintf(cmd, sizeof cmd, "load iris; model mlp hidden=5; save weights %s/w", dir);
    cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
    double keep[64];
    memcpy(keep, h.s.ts.model.params, h.s.ts.model.nparams * sizeof(double));
    snprintf(cmd, sizeof cmd, "init zeros; load weights %s/w", dir);
    cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
    cr_assert_eq(memcmp(keep, h.s.ts.model.params, h.s.ts.model.nparams * sizeof(double)), 0);
    snprintf(cmd, sizeof cmd, "model mlp hidden=6; load weights %s/w", dir);
    cr_assert_eq(h_run(&h, cmd), -1);
    cr_assert(strstr(h_err(&h), "W1.npy has 2 dimensions of shape (5, 4), the model needs (6, 4)"), "%s", h_err(&h));
    h_free(&h);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}
