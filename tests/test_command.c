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

/* Whether completing `word` after `line` offers `want` (a candidate starting with it). */
static bool offers(H *h, const char *line, const char *word, const char *want)
{
    char **v = command_complete(&h->it, line, word);
    bool found = false;
    for (size_t i = 0; v && v[i]; i++) {
        found = found || strncmp(v[i], want, strlen(want)) == 0;
        free(v[i]);
    }
    free(v);
    return found;
}

/* The commands and options of regularisation, features and validation complete like the rest. */
Test(command, completion_of_cv_features_and_the_curves)
{
    H h;
    h_init(&h);
    cr_expect(offers(&h, "", "c", "cv "));
    cr_expect(offers(&h, "cv ", "str", "stratify="));
    cr_expect(offers(&h, "cv ", "k", "k="));
    cr_expect(offers(&h, "features ", "ad", "add"));
    cr_expect(offers(&h, "features ", "dr", "drop"));
    cr_expect(offers(&h, "plot ", "ro", "roc"));
    cr_expect(offers(&h, "plot ", "valid", "validation"));
    cr_expect(offers(&h, "plot ", "lear", "learning"));
    cr_expect(offers(&h, "plot ", "pa", "path"));
    cr_expect(offers(&h, "compare ", "c", "cv="));
    h_free(&h);
}

/* Column names with a blank or a quote complete quoted, as the parser reads them back; the quote the user opened
 * is matched too. */
Test(command, completion_quotes_column_names)
{
    char dir[] = "/tmp/fb-complete-XXXXXX", path[64];
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sp.csv", dir);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fputs("sale price,say \"hi\",sales\n1,2,3\n4,5,6\n", f);
    fclose(f);
    H h;
    h_init(&h);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "load %s target=sales", path);
    cr_assert_eq(h_run(&h, cmd), 0);
    const char *typed[3] = {"drop=sal", "drop=\"sal", "drop='sal"};
    for (int k = 0; k < 3; k++) {
        char **v = command_complete(&h.it, "load x.csv ", typed[k]);
        cr_assert(v && v[0] && v[1] && !v[2], "%s: two candidates", typed[k]);
        cr_assert_str_eq(v[0], "drop=\"sale price\" ");
        cr_assert_str_eq(v[1], "drop=sales ");
        free(v[0]), free(v[1]), free(v);
    }
    char **v = command_complete(&h.it, "load x.csv ", "drop=say");
    cr_assert(v && v[0] && !v[1]);
    cr_assert_str_eq(v[0], "drop='say \"hi\"' ");
    free(v[0]), free(v);
    /* What completion wrote reads back as the column. */
    snprintf(cmd, sizeof cmd, "load %s target=\"sale price\" drop='say \"hi\"'", path);
    cr_assert_eq(h_run(&h, cmd), 0);
    cr_assert_str_eq(h.s.data->ynames[0], "sale price");
    cr_assert_eq(h.s.data->d, 1);
    h_free(&h);
    remove(path);
    rmdir(dir);
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
    cr_assert(strstr(h_err(&h), "W1.npy has shape (5, 4) (2 dimensions), the model needs (6, 4)"), "%s", h_err(&h));
    h_free(&h);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

/* ---- lr changes during training (the workbench's + and - keys) replay bit for bit ---- */

/* A stand-in for the workbench: lr changes at chosen epochs (made between
 * epochs, as the keys are), one when training ends, and an interrupt (Esc,
 * Ctrl-C) after a chosen number of updates. */
static struct {
    long epoch[4];
    double factor[4];
    int n, next;
    double end_factor; /* != 0: a change when the command's training stops */
    long stop_steps;   /* > 0: interrupt once ts.steps reaches it */
    volatile sig_atomic_t flag;
    int refused;       /* session_lr_mark failures, with the last message */
    char why[1024];
} keys;

static void key_mark(Session *s, double f)
{
    FbErr e;
    if (session_lr_mark(s, s->setup.opt.lr * f, &e)) {
        keys.refused++;
        memcpy(keys.why, e.msg, sizeof keys.why);
    }
}

static int keys_epoch(void *ctx, Interp *it)
{
    (void)ctx;
    while (keys.next < keys.n && it->s->ts.epoch >= keys.epoch[keys.next])
        key_mark(it->s, keys.factor[keys.next++]);
    return 0;
}

static int keys_batch(void *ctx, Interp *it)
{
    (void)ctx;
    if (keys.stop_steps > 0 && it->s->ts.steps >= keys.stop_steps) {
        keys.flag = 1; /* as the workbench's Esc: stop after this batch */
        return 1;
    }
    return 0;
}

static void keys_end(void *ctx, Interp *it)
{
    (void)ctx;
    if (keys.end_factor != 0)
        key_mark(it->s, keys.end_factor);
    keys.end_factor = 0;
}

static const FrontEnd keys_fe = {.train_epoch = keys_epoch, .train_batch = keys_batch, .train_end = keys_end};

static void keys_reset(void)
{
    memset((void *)&keys, 0, sizeof keys);
}

/* Everything training depends on and the history shows, compared bit for bit
 * (all but the wall time of each epoch). */
static void same_training(const Session *a, const Session *b)
{
    const History *ha = &a->ts.hist, *hb = &b->ts.hist;
    cr_assert_eq(ha->n, hb->n, "history rows: live %zu, replay %zu", ha->n, hb->n);
    for (size_t i = 0; i < ha->n; i++) {
        const HistRow *x = &ha->rows[i], *y = &hb->rows[i];
        cr_assert(x->epoch == y->epoch && x->steps == y->steps, "row %zu: epoch/steps differ", i);
        cr_assert_eq(memcmp(&x->train_loss, &y->train_loss, sizeof(double)), 0, "row %zu: train_loss %.17g vs %.17g",
                     i, x->train_loss, y->train_loss);
        cr_assert_eq(memcmp(&x->val_loss, &y->val_loss, sizeof(double)), 0, "row %zu: val_loss", i);
        cr_assert_eq(memcmp(&x->lr, &y->lr, sizeof(double)), 0, "row %zu: lr %.17g vs %.17g", i, x->lr, y->lr);
        cr_assert_eq(memcmp(&x->grad_norm, &y->grad_norm, sizeof(double)), 0, "row %zu: grad_norm", i);
    }
    cr_assert_eq(a->ts.model.nparams, b->ts.model.nparams);
    cr_assert_eq(memcmp(a->ts.model.params, b->ts.model.params, a->ts.model.nparams * sizeof(double)), 0);
    cr_assert(a->ts.steps == b->ts.steps && a->ts.epoch == b->ts.epoch && a->ts.cursor == b->ts.cursor);
    cr_assert_eq(memcmp(&a->setup.opt.lr, &b->setup.opt.lr, sizeof(double)), 0);
    const SchedState *sa = &a->ts.sched, *sb = &b->ts.sched;
    cr_assert(memcmp(&sa->lr, &sb->lr, sizeof(double)) == 0, "scheduled lr %.17g vs %.17g", sa->lr, sb->lr);
    cr_assert(memcmp(&sa->base_lr, &sb->base_lr, sizeof(double)) == 0);
    cr_assert(sa->epoch == sb->epoch && sa->bad_epochs == sb->bad_epochs && sa->cooldown_left == sb->cooldown_left);
}

/* The lines of the session log, one string. */
static void log_text(const Session *s, char *buf, size_t size)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < s->nlog && k < size; i++)
        k += (size_t)snprintf(buf + k, size - k, "%s\n", s->log[i]);
}

/* Run `setup`, then `train` with the planned keys; save the session and
 * replay it in a fresh interpreter; the two must agree bit for bit. */
static void replay_check(const char *setup, const char *train, const char *want_tail)
{
    char path[] = "/tmp/fbsessXXXXXX", cmd[256], log[4096];
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    close(fd);
    H live, rep;
    h_init(&live);
    cr_assert_eq(h_run(&live, setup), 0, "%s", h_err(&live));
    live.it.fe = &keys_fe;
    live.it.interrupt = &keys.flag;
    cr_assert_eq(h_run(&live, train), 0, "%s: %s", train, h_err(&live));
    keys.flag = 0;
    log_text(&live.s, log, sizeof log);
    if (want_tail) {
        size_t lw = strlen(want_tail), ll = strlen(log);
        cr_assert(ll >= lw && strcmp(log + ll - lw, want_tail) == 0, "the log ends\n%s\nnot\n%s", log, want_tail);
    }
    snprintf(cmd, sizeof cmd, "save session %s", path);
    cr_assert_eq(h_run(&live, cmd), 0, "%s", h_err(&live));
    h_init(&rep);
    snprintf(cmd, sizeof cmd, "run %s", path);
    cr_assert_eq(h_run(&rep, cmd), 0, "%s\n%s", log, h_err(&rep));
    same_training(&live.s, &rep.s);
    /* And training on from there stays the same. */
    live.it.fe = NULL;
    cr_assert_eq(h_run(&live, "train 7"), 0);
    cr_assert_eq(h_run(&rep, "train 7"), 0);
    same_training(&live.s, &rep.s);
    h_free(&live);
    h_free(&rep);
    unlink(path);
}

Test(command, lr_changes_while_training_are_logged_and_replay_bit_for_bit)
{
    /* Full batch, constant lr: ×2 after epoch 40, ÷2 after 70. */
    keys_reset();
    keys.n = 2;
    keys.epoch[0] = 40, keys.factor[0] = 2;
    keys.epoch[1] = 70, keys.factor[1] = 0.5;
    replay_check("load boston; scale standard; model linear; optim sgd lr=0.001", "train 100",
                 "train 40\noptim sgd lr=0.002 schedule=scale\ntrain 30\noptim sgd lr=0.001 schedule=scale\n"
                 "train 30\n");
    cr_assert_eq(keys.refused, 0, "%s", keys.why);

    /* A cosine schedule with eta_min, where scaling before or after the
     * schedule's step would differ, and a key read in the last epoch. */
    keys_reset();
    keys.n = 1;
    keys.epoch[0] = 13, keys.factor[0] = 2;
    keys.end_factor = 0.5;
    replay_check("load boston; scale standard; model linear; optim sgd lr=0.01 momentum=0.9; "
                 "schedule cosine t_max=20 eta_min=0.0005",
                 "train 50",
                 "train 13\noptim sgd lr=0.02 schedule=scale\ntrain 37\noptim sgd lr=0.01 schedule=scale\n");

    /* Minibatches with a validation split and a plateau schedule, training
     * started in the middle of an epoch and interrupted in the middle of
     * another (405 training rows: 13 batches an epoch). */
    keys_reset();
    keys.n = 2;
    keys.epoch[0] = 5, keys.factor[0] = 0.5;
    keys.epoch[1] = 9, keys.factor[1] = 2;
    keys.stop_steps = 15 * 13 + 5;
    replay_check("load boston; split val=0.2 seed=3; scale standard; model mlp hidden=8; optim adam lr=0.01; "
                 "schedule plateau patience=1 factor=0.5; batch 32; step batch 3",
                 "train 1000",
                 "step batch 3\ntrain 5\noptim adam lr=0.005 schedule=scale\ntrain 4\n"
                 "optim adam lr=0.01 schedule=scale\ntrain 6\nstep batch 5\n");

    /* step batch N: the parts are counted in updates (150 rows: 10 batches an epoch). */
    keys_reset();
    keys.n = 1;
    keys.epoch[0] = 2, keys.factor[0] = 2;
    replay_check("load iris; scale standard; model softmax; optim sgd lr=0.05; batch 16 shuffle=no",
                 "step batch 30", "step batch 20\noptim sgd lr=0.1 schedule=scale\nstep batch 10\n");

    /* Interrupted without a key: the epochs that ran, not the ones asked for. */
    keys_reset();
    keys.stop_steps = 37;
    replay_check("load boston; scale standard; model linear; optim sgd lr=0.01", "train 100000", "train 37\n");
    keys_reset();
    keys.stop_steps = 37;
    replay_check("load boston; scale standard; model linear; optim sgd lr=0.01", "step 100000", "step 37\n");

    /* The loss blows up after doubling the lr every epoch: the last part is
     * the rest of the command, and blows up the same way. */
    keys_reset();
    keys.n = 4;
    for (int i = 0; i < 4; i++)
        keys.epoch[i] = 2 + i, keys.factor[i] = 8;
    replay_check("load boston; scale standard; model linear; optim sgd lr=0.01", "train 60",
                 "optim sgd lr=40.96 schedule=scale\ntrain 55\n");
}

Test(command, lr_keys_are_refused_where_a_replay_could_not_follow)
{
    keys_reset();
    keys.n = 1;
    keys.epoch[0] = 3, keys.factor[0] = 2;
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "load boston; split val=0.2; scale standard; model linear; optim sgd lr=0.01"), 0);
    h.it.fe = &keys_fe;
    cr_assert_eq(h_run(&h, "train 10 patience=50"), 0, "%s", h_err(&h));
    cr_assert_eq(keys.refused, 1);
    cr_assert(strstr(keys.why, "off during train patience="), "%s", keys.why);
    cr_assert_eq(h.s.setup.opt.lr, 0.01);
    cr_assert_str_eq(h.s.log[h.s.nlog - 1], "train 10 patience=50");
    /* Outside train and step (compare trains copies) there is nothing to change. */
    FbErr e;
    cr_assert_eq(session_lr_mark(&h.s, 0.02, &e), -1);
    cr_assert(strstr(e.msg, "train and step only"), "%s", e.msg);
    h_free(&h);
}

Test(command, record_replays_lr_changes_and_their_undo)
{
    char rec[] = "/tmp/fbrecXXXXXX", cmd[256];
    int fd = mkstemp(rec);
    cr_assert(fd >= 0);
    close(fd);
    keys_reset();
    keys.n = 1;
    keys.epoch[0] = 4, keys.factor[0] = 0.5;
    H live, rep;
    h_init(&live);
    snprintf(cmd, sizeof cmd, "record %s", rec);
    cr_assert_eq(h_run(&live, cmd), 0);
    live.it.fe = &keys_fe;
    cr_assert_eq(h_run(&live, "load boston; scale standard; model linear; optim sgd lr=0.02; train 10"), 0);
    keys.next = 0; /* halve it again after epoch 14 */
    keys.epoch[0] = 14;
    cr_assert_eq(h_run(&live, "train 10; undo; train 5; record off"), 0, "%s", h_err(&live));
    FILE *fp = fopen(rec, "r");
    cr_assert(fp);
    char buf[1024] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    /* The second train 10 is three lines: its undo is three undos. */
    cr_assert_str_eq(buf, "load boston\nscale standard\nmodel linear\noptim sgd lr=0.02\ntrain 4\n"
                          "optim sgd lr=0.01 schedule=scale\ntrain 6\ntrain 4\noptim sgd lr=0.005 schedule=scale\n"
                          "train 6\nundo\nundo\nundo\ntrain 5\n");
    h_init(&rep);
    snprintf(cmd, sizeof cmd, "run %s", rec);
    cr_assert_eq(h_run(&rep, cmd), 0, "%s", h_err(&rep));
    same_training(&live.s, &rep.s);
    h_free(&live);
    h_free(&rep);
    unlink(rec);
}

/* ---- names from a file never reach the terminal raw ---- */

static void no_raw_controls(const char *what, const char *text)
{
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        cr_assert(*p == '\n' || (*p >= 0x20 && *p != 0x7f), "%s prints a raw control byte 0x%02x:\n%s", what, *p,
                  text);
}

Test(command, column_and_class_names_are_shown_with_controls_escaped)
{
    char dir[] = "/tmp/fbctlXXXXXX", path[256], cmd[512];
    cr_assert(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/ctl.csv", dir);
    FILE *fp = fopen(path, "w");
    cr_assert(fp);
    /* An ESC sequence that would clear the screen, a carriage return and a
     * backspace in the header; an OSC title sequence ending in BEL and a
     * DEL in the class names. */
    fprintf(fp, "a\x1b[2Jb,\"c\rd\bx\",\"kind\x7f\"\n");
    for (int i = 0; i < 40; i++)
        fprintf(fp, "%d,%d,%s\n", i % 7, (i * 3) % 5, i % 2 ? "p\x1b]0;pwned\x07" : "q");
    fclose(fp);
    H h;
    h_init(&h);
    snprintf(cmd, sizeof cmd, "load %s; model logistic; train 3", path);
    cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
    no_raw_controls("load", h_out(&h));
    static const char *const shows[] = {"show data", "show params", "show grads", "show config", "show confusion",
                                        "predict n=5", "predict 1,2", "plot boundary", "plot fit", "explain dry=yes",
                                        NULL};
    for (int i = 0; shows[i]; i++) {
        h_clear(&h);
        cr_assert_eq(h_run(&h, shows[i]), 0, "%s: %s", shows[i], h_err(&h));
        no_raw_controls(shows[i], h_out(&h));
        no_raw_controls(shows[i], h_err(&h));
    }
    /* The names are still there to read, escaped as error messages escape text. */
    h_clear(&h);
    cr_assert_eq(h_run(&h, "show data"), 0);
    cr_assert(strstr(h_out(&h), "a\\x1b[2Jb "), "%s", h_out(&h));
    cr_assert(strstr(h_out(&h), "c\\rd\\x08x "), "%s", h_out(&h));
    cr_assert(strstr(h_out(&h), "target kind\\x7f: "), "%s", h_out(&h));
    cr_assert(strstr(h_out(&h), "p\\x1b]0;pwned\\x07"), "%s", h_out(&h));
    /* A saved SVG holds no control characters either (XML forbids them). */
    snprintf(cmd, sizeof cmd, "plot boundary; save plot %s/b.svg", dir);
    cr_assert_eq(h_run(&h, cmd), 0, "%s", h_err(&h));
    snprintf(path, sizeof path, "%s/b.svg", dir);
    fp = fopen(path, "r");
    cr_assert(fp);
    static char svg[1 << 20];
    size_t n = fread(svg, 1, sizeof svg - 1, fp);
    fclose(fp);
    svg[n] = '\0';
    cr_assert(strstr(svg, "a\\x1b[2Jb"), "the svg does not name the first input");
    for (size_t i = 0; i < n; i++)
        cr_assert((unsigned char)svg[i] >= 0x20 || svg[i] == '\n' || svg[i] == '\t', "svg byte 0x%02x",
                  (unsigned char)svg[i]);
    h_free(&h);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(command, show_config_prints_the_whole_optimizer_as_optim_takes_it)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "optim adam lr=0.003 beta2=0.99 amsgrad=yes; show config"), 0, "%s", h_err(&h));
    cr_assert(strstr(h_out(&h), "\noptim     adam lr=0.003 beta1=0.9 beta2=0.99 eps=1e-08 weight_decay=0 "
                                "amsgrad=yes\n"),
              "%s", h_out(&h));
    /* Each optimizer's own options, all of them, with the names optim takes. */
    static const char *const want[][2] = {
        {"optim sgd lr=0.1 momentum=0.9 nesterov=yes",
         "optim     sgd lr=0.1 momentum=0.9 dampening=0 nesterov=yes weight_decay=0\n"},
        {"optim adamw", "optim     adamw lr=0.001 beta1=0.9 beta2=0.999 eps=1e-08 weight_decay=0.01 amsgrad=no\n"},
        {"optim rmsprop centered=yes",
         "optim     rmsprop lr=0.01 alpha=0.99 eps=1e-08 weight_decay=0 momentum=0 centered=yes\n"},
        {"optim adagrad lr_decay=0.5",
         "optim     adagrad lr=0.01 lr_decay=0.5 weight_decay=0 initial_accumulator_value=0 eps=1e-10\n"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        h_clear(&h);
        char line[256];
        snprintf(line, sizeof line, "%s; show config", want[i][0]);
        cr_assert_eq(h_run(&h, line), 0, "%s", h_err(&h));
        cr_assert(strstr(h_out(&h), want[i][1]), "%s:\n%s", want[i][0], h_out(&h));
        /* ... and optim takes that line back to the same settings. */
        OptCfg before = h.s.setup.opt;
        const char *o = strstr(h_out(&h), "\noptim     ") + 11;
        snprintf(line, sizeof line, "optim %.*s", (int)(strchr(o, '\n') - o), o);
        cr_assert_eq(h_run(&h, line), 0, "%s: %s", line, h_err(&h));
        cr_assert_eq(memcmp(&before, &h.s.setup.opt, sizeof before), 0, "%s changed the settings", line);
    }
    h_free(&h);
}

/* ---- the losses and counters shown agree with the parameters (issue 12, item 5) ---- */

/* ts.now (what status lines, the status pane and grad_norm show) is what the
 * parameters give now, the history ends at the current epoch, and before any
 * training row 0 is the current state. */
static void consistent(H *h, const char *after)
{
    Session *s = &h->s;
    cr_assert(s->ts.now.valid, "after %s: no current losses", after);
    TrainData d;
    session_train_data(s, &d);
    double tl, vl = NAN;
    FbErr e;
    cr_assert_eq(train_eval(&s->ts.model, &s->setup.loss, d.X, d.Y, d.n, d.ky, &s->work, &tl, true, &e), 0);
    double gn = train_norm(s->ts.model.grads, s->ts.model.nparams);
    if (d.nv)
        cr_assert_eq(train_eval(&s->ts.model, &s->setup.loss, d.Xv, d.Yv, d.nv, d.ky, &s->work, &vl, false, &e), 0);
    cr_assert_eq(s->ts.now.train_loss, tl, "after %s: train_loss shown %.17g, the parameters give %.17g", after,
                 s->ts.now.train_loss, tl);
    cr_assert(s->ts.now.val_loss == vl || (isnan(vl) && isnan(s->ts.now.val_loss)),
              "after %s: val_loss shown %.17g, the parameters give %.17g", after, s->ts.now.val_loss, vl);
    cr_assert_eq(s->ts.now.grad_norm, gn, "after %s: grad_norm shown %.17g, the parameters give %.17g", after,
                 s->ts.now.grad_norm, gn);
    double g;
    cr_assert_eq(interp_lookup(&h->it, "grad_norm", NULL, 0, &g, &e), 0);
    cr_assert_eq(g, gn, "after %s: expect's grad_norm %.17g, want %.17g", after, g, gn);
    const HistRow *last = history_last(&s->ts.hist);
    cr_assert_eq(last->epoch, s->ts.epoch, "after %s: history ends at epoch %ld, the state is at %ld", after,
                 last->epoch, s->ts.epoch);
    if (s->ts.epoch == 0 && s->ts.steps == 0) {
        cr_assert_eq(s->ts.hist.n, 1);
        cr_assert_eq(last->train_loss, tl, "after %s: row 0 train_loss %.17g, want %.17g", after, last->train_loss, tl);
        cr_assert_eq(last->lr, s->ts.sched.lr, "after %s: row 0 lr", after);
    }
}

/* The number after `key ` in the last line of out that has it. */
static double printed(const char *out, const char *key)
{
    const char *p = NULL, *q = out;
    char k[64];
    snprintf(k, sizeof k, "%s ", key);
    while ((q = strstr(q, k)))
        p = q++;
    cr_assert(p, "no '%s' in %s", key, out);
    return strtod(p + strlen(k), NULL);
}

Test(command, every_parameter_change_leaves_the_shown_losses_current)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "set precision=17; load boston; scale standard; split val=0.2 seed=1; model linear; "
                           "optim sgd lr=0.05 momentum=0.9; batch 32"),
                 0, "%s", h_err(&h));
    consistent(&h, "model");
    /* step batch prints the losses after its update, not before */
    h_clear(&h);
    cr_assert_eq(h_run(&h, "step batch"), 0, "%s", h_err(&h));
    consistent(&h, "step batch");
    cr_assert_eq(printed(h_out(&h), "train_loss"), h.s.ts.now.train_loss, "%s", h_out(&h));
    cr_assert_eq(printed(h_out(&h), "val_loss"), h.s.ts.now.val_loss, "%s", h_out(&h));
    h_clear(&h);
    cr_assert_eq(h_run(&h, "step batch 3"), 0, "%s", h_err(&h));
    consistent(&h, "step batch 3");
    cr_assert_eq(printed(h_out(&h), "train_loss"), h.s.ts.now.train_loss, "%s", h_out(&h));
    cr_assert_eq(h.s.ts.steps, 4);
    cr_assert_eq(h_run(&h, "explain"), 0, "%s", h_err(&h));
    consistent(&h, "explain");
    cr_assert_eq(h.s.ts.steps, 5);
    cr_assert_eq(h_run(&h, "step 2"), 0, "%s", h_err(&h));
    consistent(&h, "step 2");
    cr_assert_eq(h_run(&h, "solve"), 0, "%s", h_err(&h));
    consistent(&h, "solve");
    cr_assert_eq(h.s.ts.now.train_loss, h.s.optimum);
    cr_assert_eq(h_run(&h, "undo"), 0, "%s", h_err(&h));
    consistent(&h, "undo");
    cr_assert_eq(h_run(&h, "loss huber delta=2"), 0, "%s", h_err(&h)); /* same parameters, another loss */
    consistent(&h, "loss huber");
    char dir[] = "/tmp/fb-consistent-XXXXXX", line[256];
    cr_assert(mkdtemp(dir));
    snprintf(line, sizeof line, "save weights %s/w; loss mse; train 3; load weights %s/w", dir, dir);
    cr_assert_eq(h_run(&h, line), 0, "%s", h_err(&h));
    consistent(&h, "load weights");
    cr_assert_eq(h_run(&h, "undo"), 0, "%s", h_err(&h));
    consistent(&h, "undo of load weights");
    snprintf(line, sizeof line, "rm -rf %s", dir);
    cr_assert_eq(system(line), 0);
    /* Before any training: solve moves the parameters of row 0's state, so row 0 follows. */
    cr_assert_eq(h_run(&h, "reset"), 0, "%s", h_err(&h));
    consistent(&h, "reset");
    cr_assert_eq(h_run(&h, "solve"), 0, "%s", h_err(&h));
    consistent(&h, "solve before training");
    cr_assert_eq(h_run(&h, "optim sgd lr=0.01"), 0, "%s", h_err(&h));
    consistent(&h, "optim before training");
    /* restore after divergence: the parameters of the end of the last good epoch, and its losses */
    cr_assert_eq(h_run(&h, "reset; batch full; optim sgd lr=0.01; train 2; optim sgd lr=100; train 50"), 0, "%s",
                 h_err(&h));
    cr_assert(strstr(h_err(&h), "blew up"), "%s", h_err(&h));
    consistent(&h, "a divergence");
    h_free(&h);
}

Test(command, early_stop_shows_the_restored_state)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "set precision=17; gen poly n=40 noise=0.3 seed=2; split val=0.5 seed=1; "
                           "features poly degree=9; scale standard; model linear; optim adam lr=0.05"),
                 0, "%s", h_err(&h));
    h_clear(&h);
    cr_assert_eq(h_run(&h, "train 3000 patience=20"), 0, "%s", h_err(&h));
    cr_assert(strstr(h_err(&h), "early stop"), "%s", h_err(&h));
    consistent(&h, "an early stop");
    /* The best epoch's row is what the status shows now; the history keeps every epoch run (as Keras'). */
    const History *hs = &h.s.ts.hist;
    size_t best = 0;
    for (size_t i = 1; i < hs->n; i++)
        if (hs->rows[i].val_loss < hs->rows[best].val_loss)
            best = i;
    cr_assert_eq(h.s.ts.now.val_loss, hs->rows[best].val_loss);
    cr_assert_eq(h.s.ts.now.train_loss, hs->rows[best].train_loss);
    cr_assert_eq(hs->n - 1, (size_t)h.s.ts.epoch);
    cr_assert_eq((long)best + 20, h.s.ts.epoch, "stopped at %ld, best %zu", h.s.ts.epoch, best);
    /* the summary line and eval say the same */
    cr_assert_eq(printed(h_out(&h), "val_loss"), hs->rows[best].val_loss, "%s", h_out(&h));
    h_clear(&h);
    cr_assert_eq(h_run(&h, "eval val"), 0, "%s", h_err(&h));
    const char *row = strstr(h_out(&h), "\nval ");
    double v = NAN;
    cr_assert(row && sscanf(row + 1, "val %*u %lf", &v) == 1, "%s", h_out(&h));
    cr_assert_eq(v,
                 hs->rows[best].val_loss, "%s", h_out(&h));
    h_free(&h);
}

/* ---- undo memory does not grow with the history (issue 13) ---- */

/* Bytes of history row storage held by the session and its undo snapshots,
 * each shared buffer counted once. */
static size_t undo_history_bytes(const H *h, int *nbuf)
{
    const History *seen[UNDO_MAX + 1];
    int n = 0;
    size_t bytes = 0;
    for (int i = -1; i < h->it.nundo; i++) {
        const History *hs = i < 0 ? &h->s.ts.hist : &h->it.undo[i]->ts.hist;
        bool dup = false;
        for (int j = 0; j < n; j++)
            dup = dup || history_shares(seen[j], hs);
        if (!dup && hs->buf) {
            seen[n++] = hs;
            bytes += history_bytes(hs);
        }
    }
    *nbuf = n;
    return bytes;
}

Test(command, undo_snapshots_share_the_history)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "gen linear n=20 seed=1; model linear; optim sgd lr=0.01; train 20000"), 0, "%s",
                 h_err(&h));
    cr_assert_geq(history_bytes(&h.s.ts.hist), 20001 * sizeof(HistRow));
    /* The snapshots so far: before train (row 0 alone, in a buffer of its own since train outgrew it) and older. */
    int nbuf0, nbuf;
    size_t live = undo_history_bytes(&h, &nbuf0);
    cr_assert_leq(live, history_bytes(&h.s.ts.hist) + 1024 * sizeof(HistRow));
    /* Twenty state-changing commands: twenty more snapshots, not one more row stored. */
    for (int i = 0; i < 20; i++)
        cr_assert_eq(h_run(&h, i % 2 ? "optim sgd lr=0.02" : "optim sgd lr=0.01"), 0, "%s", h_err(&h));
    cr_assert_eq(h.it.nundo, 24);
    cr_assert_eq(undo_history_bytes(&h, &nbuf), live, "%d buffers", nbuf);
    cr_assert_eq(nbuf, nbuf0);
    /* Training on from a shared history appends in place; undo and training again reuses the rows past the
     * snapshots' (no copy per branch). */
    for (int i = 0; i < 10; i++)
        cr_assert_eq(h_run(&h, "optim sgd lr=0.01; train 1; undo; train 1"), 0, "%s", h_err(&h));
    cr_assert_eq(h.it.nundo, UNDO_MAX); /* the oldest snapshots (and the pre-train rows) dropped out */
    cr_assert_leq(undo_history_bytes(&h, &nbuf), live, "%d buffers", nbuf);
    cr_assert_eq(nbuf, 1);
    /* Each snapshot still sees its own rows: undo all the way back gives the histories they had. */
    long epoch = h.s.ts.epoch;
    cr_assert_eq(h.s.ts.hist.n, (size_t)epoch + 1);
    while (h.it.nundo) {
        cr_assert_eq(h_run(&h, "undo"), 0, "%s", h_err(&h));
        const History *hs = &h.s.ts.hist;
        if (h.s.built) {
            cr_assert_eq(hs->n, (size_t)h.s.ts.epoch + 1);
            for (size_t i = 0; i < hs->n; i++)
                cr_assert_eq(hs->rows[i].epoch, (long)i);
        }
    }
    h_free(&h);
}

Test(command, a_snapshot_keeps_its_rows_when_the_live_history_changes)
{
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "gen linear n=20 seed=1; model linear; optim sgd lr=0.01; train 5"), 0, "%s", h_err(&h));
    HistRow r5 = h.s.ts.hist.rows[5];
    /* reset clears and refills the live history; an lr change before training rewrites its row 0 */
    cr_assert_eq(h_run(&h, "reset; optim sgd lr=0.5; train 2"), 0, "%s", h_err(&h));
    cr_assert_eq(h.s.ts.hist.n, 3);
    cr_assert_eq(h.s.ts.hist.rows[0].lr, 0.5);
    cr_assert_eq(h_run(&h, "undo; undo"), 0, "%s", h_err(&h));
    cr_assert_eq(h.s.ts.hist.n, 1);
    cr_assert_eq(h.s.ts.hist.rows[0].lr, 0.01);
    cr_assert_eq(h_run(&h, "undo"), 0, "%s", h_err(&h));
    cr_assert_eq(h.s.ts.hist.n, 6);
    cr_assert_eq(memcmp(&h.s.ts.hist.rows[5], &r5, sizeof r5), 0);
    h_free(&h);
}

Test(command, counts_and_milestones_say_what_is_allowed)
{
    /* "train takes a number of epochs >= 1 (got '1e12')" was wrong about 1e12; overflowing milestones passed */
    expect_error("gen linear; model linear; train 1e12",
                 "t.fit:1:33: error: train takes a number of epochs: a whole number from 1 to 1000000000, in digits "
                 "(got '1e12')\n");
    expect_error("gen linear; model linear; train 99999999999999999999",
                 "t.fit:1:33: error: train takes a number of epochs: a whole number from 1 to 1000000000, in digits "
                 "(got '99999999999999999999')\n");
    expect_error("gen linear; model linear; train 0",
                 "t.fit:1:33: error: train takes a number of epochs: a whole number from 1 to 1000000000, in digits "
                 "(got '0')\n");
    expect_error("gen linear; model linear; train abc",
                 "t.fit:1:33: error: train takes a number of epochs: a whole number from 1 to 1000000000, in digits "
                 "(got 'abc')\n");
    expect_error("gen linear; model linear; step batch 0",
                 "t.fit:1:38: error: step batch takes a number of updates: a whole number from 1 to 1000000000, in "
                 "digits (got '0')\n");
    expect_error("gen linear; model linear; step 2000000000",
                 "t.fit:1:32: error: step takes a number of epochs: a whole number from 1 to 1000000000, in digits "
                 "(got '2000000000')\n");
    expect_error("schedule multistep milestones=99999999999999999999",
                 "t.fit:1:31: error: milestones= takes epochs from 0 to 1000000000: '99999999999999999999' is too "
                 "large\n");
    expect_error("schedule multistep milestones=10,1e30",
                 "t.fit:1:31: error: milestones= takes epochs (whole numbers from 0 to 1000000000, written in digits) "
                 "in increasing order separated by commas, e.g. 30,80 ('1e30' is not one)\n");
}
