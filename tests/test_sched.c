/* test_sched.c — lr schedules against PyTorch 1.13 sequences (tools/ref_sched.py). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fitbench/sched.h"
#include "fitbench/strutil.h"

#ifndef FITBENCH_SRCDIR
#define FITBENCH_SRCDIR "."
#endif

#define FIX FITBENCH_SRCDIR "/tests/fixtures/sched/"

static bool rel_close(double a, double b)
{
    if (isnan(b)) return isnan(a);
    return fabs(a - b) <= 1e-12 * fabs(b); /* relative, also for tiny lrs */
}

static double num(FILE *f, const char *what)
{
    char buf[256];
    double x = 0;
    cr_assert(fscanf(f, "%255s", buf) == 1, "fixture ended while reading %s", what);
    cr_assert(fb_parse_double(buf, strlen(buf), &x), "bad number '%s' for %s", buf, what);
    return x;
}

static bool sched_kind_from(const char *s, SchedKind *k)
{
    for (int i = SCHED_CONSTANT; i <= SCHED_PLATEAU; i++)
        if (!strcmp(s, sched_name((SchedKind)i))) {
            *k = (SchedKind)i;
            return true;
        }
    return false;
}

static bool opt_kind_from(const char *s, OptKind *k)
{
    for (int i = OPT_SGD; i <= OPT_ADAGRAD; i++)
        if (!strcmp(s, optim_name((OptKind)i))) {
            *k = (OptKind)i;
            return true;
        }
    return false;
}

static bool set_field(SchedCfg *c, const char *key, double v)
{
#define L(name) else if (!strcmp(key, #name)) c->name = (long)v
#define D(name) else if (!strcmp(key, #name)) c->name = v
#define B(name) else if (!strcmp(key, #name)) c->name = v != 0
    if (0) {}
    L(step_size); D(gamma); L(t_max); D(eta_min); D(max_lr); L(total_steps); D(pct_start); B(anneal_linear);
    D(div_factor); D(final_div_factor); B(three_phase); B(cycle_momentum); D(base_momentum); D(max_momentum);
    B(mode_max); D(factor); L(patience); D(threshold); B(threshold_abs); L(cooldown); D(min_lr); D(eps);
    else return false;
    return true;
#undef L
#undef D
#undef B
}

static double get_field(const SchedCfg *c, const char *key)
{
#define G(name) if (!strcmp(key, #name)) return (double)c->name
    G(step_size); G(gamma); G(t_max); G(eta_min); G(max_lr); G(total_steps); G(pct_start); G(anneal_linear);
    G(div_factor); G(final_div_factor); G(three_phase); G(cycle_momentum); G(base_momentum); G(max_momentum);
    G(mode_max); G(factor); G(patience); G(threshold); G(threshold_abs); G(cooldown); G(min_lr); G(eps);
#undef G
    cr_assert_fail("unknown field %s", key);
    return NAN;
}

/* Load a sequence file's configuration; leaves f at the first record. */
static long load_cfg(FILE *f, const char *name, SchedCfg *cfg, OptCfg *opt)
{
    char tok[256], key[256];
    cr_assert(fscanf(f, "%255s", tok) == 1 && !strcmp(tok, "fitbench-sched-fixture"), "%s: bad magic", name);
    cr_assert(num(f, "version") == 1.0);
    SchedKind sk = SCHED_CONSTANT;
    OptKind ok = OPT_SGD;
    cr_assert(fscanf(f, " kind %255s", tok) == 1 && sched_kind_from(tok, &sk), "%s: bad kind", name);
    sched_defaults(cfg, sk);
    cr_assert(fscanf(f, " opt %255s", tok) == 1 && opt_kind_from(tok, &ok), "%s: bad opt", name);
    optim_defaults(opt, ok);
    for (;;) {
        cr_assert(fscanf(f, "%255s", key) == 1, "%s: truncated header", name);
        if (!strcmp(key, "opt_lr")) {
            opt->lr = num(f, "opt_lr");
        } else if (!strcmp(key, "milestones")) {
            cfg->nmilestones = (size_t)num(f, "milestones");
            cr_assert_leq(cfg->nmilestones, SCHED_MAX_MILESTONES);
            for (size_t i = 0; i < cfg->nmilestones; i++) cfg->milestones[i] = (long)num(f, "milestone");
        } else if (!strcmp(key, "records")) {
            return (long)num(f, "records");
        } else {
            cr_assert(set_field(cfg, key, num(f, key)), "%s: unknown key %s", name, key);
        }
    }
}

static int replay(const char *name)
{
    char path[512], tok[64];
    snprintf(path, sizeof path, FIX "%s.txt", name);
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    SchedCfg cfg;
    OptCfg opt;
    long records = load_cfg(f, name, &cfg, &opt);
    cr_assert_null(sched_check_with(&cfg, &opt), "%s: torch accepted this configuration: %s", name,
                   sched_check_with(&cfg, &opt));
    SchedState st;
    int n = 0;
    for (long k = 0;; k++) {
        cr_assert(fscanf(f, "%63s", tok) == 1, "%s: missing end", name);
        if (!strcmp(tok, "end")) break;
        cr_assert_str_eq(tok, "E");
        cr_assert_eq((long)num(f, "k"), k, "%s: records out of order", name);
        double metric = num(f, "metric"), lr = num(f, "lr"), mom = num(f, "momentum");
        if (k == 0) sched_start(&cfg, &st, &opt);
        else sched_step(&cfg, &st, metric);
        cr_assert_eq(st.epoch, k);
        cr_assert(rel_close(st.lr, lr), "%s epoch %ld: lr %.17g, torch %.17g", name, k + 1, st.lr, lr);
        cr_assert_eq(st.has_momentum, !isnan(mom), "%s: has_momentum", name);
        if (st.has_momentum)
            cr_assert(rel_close(st.momentum, mom), "%s epoch %ld: momentum %.17g, torch %.17g", name, k + 1,
                      st.momentum, mom);
        n++;
    }
    cr_assert_eq(n, records, "%s: %d records, header says %ld", name, n, records);
    fclose(f);
    return n;
}

Test(sched, torch_sequences)
{
    FILE *idx = fopen(FIX "index.txt", "r");
    cr_assert(idx, "cannot open " FIX "index.txt");
    char name[256];
    int files = 0;
    bool seen[SCHED_PLATEAU + 1] = { false };
    while (fscanf(idx, "%255s", name) == 1) {
        replay(name);
        files++;
        for (int k = 0; k <= SCHED_PLATEAU; k++)
            if (!strncmp(name, sched_name((SchedKind)k), strlen(sched_name((SchedKind)k)))) seen[k] = true;
    }
    fclose(idx);
    cr_assert_geq(files, 30);
    for (int k = 0; k <= SCHED_PLATEAU; k++) cr_assert(seen[k], "no sequence for %s", sched_name((SchedKind)k));
}

Test(sched, defaults_match_torch)
{
    FILE *f = fopen(FIX "defaults.txt", "r");
    cr_assert(f);
    char kname[64], key[64], val[64];
    int rows = 0;
    while (fscanf(f, "%63s %63s %63s", kname, key, val) == 3) {
        SchedKind k;
        double want;
        cr_assert(sched_kind_from(kname, &k));
        cr_assert(fb_parse_double(val, strlen(val), &want));
        SchedCfg c;
        sched_defaults(&c, k);
        cr_assert_eq(c.kind, k);
        cr_assert_eq(get_field(&c, key), want, "%s %s: %.17g, torch %.17g", kname, key, get_field(&c, key), want);
        rows++;
    }
    fclose(f);
    cr_assert_geq(rows, 15);
    /* the options torch requires: fitbench's documented defaults are valid */
    for (int k = 0; k <= SCHED_PLATEAU; k++) {
        SchedCfg c;
        sched_defaults(&c, (SchedKind)k);
        cr_assert_null(sched_check(&c), "defaults of %s rejected", sched_name((SchedKind)k));
    }
    SchedCfg c;
    sched_defaults(&c, SCHED_EXP);
    cr_assert_eq(c.gamma, 0.95);
    sched_defaults(&c, SCHED_STEP);
    cr_assert_eq(c.step_size, 10);
    sched_defaults(&c, SCHED_COSINE);
    cr_assert_eq(c.t_max, 100);
    sched_defaults(&c, SCHED_ONECYCLE);
    cr_assert_eq(c.total_steps, 100);
    cr_assert_eq(c.max_lr, 0.0);
}

/* Where torch raises (stepping OneCycleLR past total_steps) fitbench holds
 * the values of the last scheduled epoch. */
Test(sched, onecycle_holds_after_total_steps)
{
    const char *names[] = { "onecycle_default", "onecycle_linear", "onecycle_three_phase", "onecycle_adam",
                            "onecycle_pct1", "onecycle_1" };
    for (size_t t = 0; t < sizeof names / sizeof names[0]; t++) {
        char path[512];
        snprintf(path, sizeof path, FIX "%s.txt", names[t]);
        FILE *f = fopen(path, "r");
        cr_assert(f);
        SchedCfg cfg;
        OptCfg opt;
        long records = load_cfg(f, names[t], &cfg, &opt);
        cr_assert_eq(records, cfg.total_steps);
        /* torch's lr and momentum for the last scheduled epoch */
        char tok[64];
        double want_lr = NAN, want_m = NAN;
        while (fscanf(f, "%63s", tok) == 1 && !strcmp(tok, "E")) {
            (void)num(f, "k");
            (void)num(f, "metric");
            want_lr = num(f, "lr");
            want_m = num(f, "momentum");
        }
        fclose(f);
        SchedState st;
        sched_start(&cfg, &st, &opt);
        for (long k = 1; k < records; k++) sched_step(&cfg, &st, NAN);
        double last_lr = st.lr, last_m = st.momentum;
        cr_assert(rel_close(last_lr, want_lr), "%s: final lr %.17g, torch %.17g", names[t], last_lr, want_lr);
        if (st.has_momentum) cr_assert(rel_close(last_m, want_m));
        /* ... which is torch's min_lr = initial_lr / final_div_factor (with
         * pct_start = 1 the whole cycle is warm-up and ends at max_lr) */
        if (cfg.pct_start < 1.0)
            cr_assert(fabs(last_lr - st.max_lr / cfg.div_factor / cfg.final_div_factor) <= 1e-9 * last_lr);
        for (int k = 0; k < 25; k++) {
            sched_step(&cfg, &st, NAN);
            cr_assert_eq(st.lr, last_lr, "%s: lr moved past total_steps", names[t]);
            cr_assert_eq(st.momentum, last_m);
            cr_assert(st.lr > 0.0);
        }
    }
}

Test(sched, check)
{
    SchedCfg c;
    OptCfg o;
    sched_defaults(&c, SCHED_STEP);
    c.step_size = 0;
    cr_assert_not_null(sched_check(&c));
    sched_defaults(&c, SCHED_STEP);
    c.gamma = 0.0;
    cr_assert_not_null(sched_check(&c));
    sched_defaults(&c, SCHED_EXP);
    c.gamma = NAN;
    cr_assert_not_null(sched_check(&c));
    sched_defaults(&c, SCHED_MULTISTEP);
    c.nmilestones = 2;
    c.milestones[0] = 5;
    c.milestones[1] = -1;
    cr_assert_not_null(sched_check(&c));
    c.milestones[1] = 0;
    cr_assert_null(sched_check(&c));
    c.nmilestones = SCHED_MAX_MILESTONES + 1;
    cr_assert_not_null(sched_check(&c));
    sched_defaults(&c, SCHED_COSINE);
    c.t_max = 0;
    cr_assert_not_null(sched_check(&c));
    sched_defaults(&c, SCHED_COSINE);
    c.eta_min = -1e-3;
    cr_assert_not_null(sched_check(&c));
    sched_defaults(&c, SCHED_ONECYCLE);
    c.pct_start = 1.5;
    cr_assert_not_null(sched_check(&c));
    c.pct_start = 0.1;
    c.total_steps = 10; /* phase 1 would end at step 0: ZeroDivisionError in torch */
    cr_assert_not_null(sched_check(&c));
    c.total_steps = 0;
    cr_assert_not_null(sched_check(&c));
    sched_defaults(&c, SCHED_ONECYCLE);
    c.div_factor = 0.0;
    cr_assert_not_null(sched_check(&c));
    sched_defaults(&c, SCHED_ONECYCLE);
    c.max_lr = -1.0;
    cr_assert_not_null(sched_check(&c));
    sched_defaults(&c, SCHED_PLATEAU);
    c.factor = 1.0; /* torch: 'Factor should be < 1.0.' */
    cr_assert_not_null(sched_check(&c));
    c.factor = 0.0;
    cr_assert_not_null(sched_check(&c));
    sched_defaults(&c, SCHED_PLATEAU);
    c.patience = -1;
    cr_assert_not_null(sched_check(&c));
    sched_defaults(&c, SCHED_PLATEAU);
    c.cooldown = -2;
    cr_assert_not_null(sched_check(&c));

    /* OneCycleLR needs a momentum or beta1 to cycle (torch raises for Adagrad) */
    sched_defaults(&c, SCHED_ONECYCLE);
    optim_defaults(&o, OPT_ADAGRAD);
    cr_assert_null(sched_check(&c));
    cr_assert_not_null(sched_check_with(&c, &o));
    cr_assert(strstr(sched_check_with(&c, &o), "cycle_momentum") != NULL);
    c.cycle_momentum = false;
    cr_assert_null(sched_check_with(&c, &o));
    sched_defaults(&c, SCHED_ONECYCLE);
    for (int k = OPT_SGD; k <= OPT_RMSPROP; k++) {
        optim_defaults(&o, (OptKind)k);
        cr_assert_null(sched_check_with(&c, &o), "%s rejected", optim_name((OptKind)k));
    }
    c.max_momentum = 1.0; /* would be beta1 = 1 */
    optim_defaults(&o, OPT_ADAM);
    cr_assert_not_null(sched_check_with(&c, &o));
    optim_defaults(&o, OPT_SGD);
    cr_assert_null(sched_check_with(&c, &o));
    /* other schedules do not care about the optimizer */
    sched_defaults(&c, SCHED_COSINE);
    optim_defaults(&o, OPT_ADAGRAD);
    cr_assert_null(sched_check_with(&c, &o));
}

Test(sched, onecycle_adagrad_without_check_has_no_momentum)
{
    SchedCfg c;
    OptCfg o;
    SchedState st;
    sched_defaults(&c, SCHED_ONECYCLE);
    optim_defaults(&o, OPT_ADAGRAD);
    sched_start(&c, &st, &o);
    cr_assert(!st.has_momentum);
    cr_assert(rel_close(st.lr, o.lr / 25.0));
}

Test(sched, plateau_state)
{
    SchedCfg c;
    OptCfg o;
    SchedState st;
    sched_defaults(&c, SCHED_PLATEAU);
    c.patience = 1;
    c.cooldown = 2;
    optim_defaults(&o, OPT_SGD);
    o.lr = 1.0;
    sched_start(&c, &st, &o);
    cr_assert(isinf(st.best) && st.best > 0);
    sched_step(&c, &st, 5.0);
    cr_assert_eq(st.best, 5.0);
    cr_assert_eq(st.bad_epochs, 0);
    sched_step(&c, &st, 5.0);
    cr_assert_eq(st.bad_epochs, 1);
    cr_assert_eq(st.lr, 1.0);
    sched_step(&c, &st, 6.0); /* second bad epoch > patience: reduce, cool down */
    cr_assert_eq(st.lr, 0.1);
    cr_assert_eq(st.cooldown_left, 2);
    cr_assert_eq(st.bad_epochs, 0);
    sched_step(&c, &st, 7.0);
    sched_step(&c, &st, 7.0);
    cr_assert_eq(st.lr, 0.1, "no reduction in cooldown");
    cr_assert_eq(st.cooldown_left, 0);
    sched_step(&c, &st, 7.0);
    cr_assert_eq(st.lr, 0.1);
    sched_step(&c, &st, 7.0);
    cr_assert(rel_close(st.lr, 0.01));
    sched_defaults(&c, SCHED_PLATEAU);
    c.mode_max = true;
    sched_start(&c, &st, &o);
    cr_assert(isinf(st.best) && st.best < 0);
}

Test(sched, names)
{
    const char *want[] = { "constant", "step", "multistep", "exp", "cosine", "onecycle", "plateau" };
    for (int k = 0; k <= SCHED_PLATEAU; k++) cr_assert_str_eq(sched_name((SchedKind)k), want[k]);
}

/* The rule the training loop follows: each epoch uses st.lr, and when
 * st.has_momentum, a copy of the optimizer's configuration with momentum
 * (sgd, rmsprop) or beta1 (adam, adamw) replaced by st.momentum. */
static void apply_sched(const SchedState *st, OptCfg *c)
{
    if (!st->has_momentum) return;
    if (c->kind == OPT_ADAM || c->kind == OPT_ADAMW) c->beta1 = st->momentum;
    else c->momentum = st->momentum;
}

/* OneCycleLR driving an optimizer, one step per epoch, against torch's
 * trajectories in tests/fixtures/optim/ (written by tools/ref_optim.py). */
Test(sched, onecycle_drives_optimizer_like_torch)
{
    struct { const char *file; OptKind kind; double lr, momentum, max_lr; bool nesterov, three, linear; } cases[] = {
        { "sgd_onecycle_mb", OPT_SGD, 0.05, 0.0, 0.1, false, false, false },
        { "sgd_onecycle_nesterov_three_phase_mb", OPT_SGD, 0.05, 0.9, 0.1, true, true, true },
        { "adam_onecycle_mb", OPT_ADAM, 0.05, 0.0, 0.1, false, false, false },
        { "rmsprop_onecycle_mb", OPT_RMSPROP, 0.01, 0.5, 0.02, false, false, false },
    };
    for (size_t t = 0; t < sizeof cases / sizeof cases[0]; t++) {
        char path[512], tok[256];
        snprintf(path, sizeof path, FITBENCH_SRCDIR "/tests/fixtures/optim/%s.txt", cases[t].file);
        FILE *f = fopen(path, "r");
        cr_assert(f, "cannot open %s", path);
        OptCfg base;
        optim_defaults(&base, cases[t].kind);
        base.lr = cases[t].lr;
        base.momentum = cases[t].momentum;
        base.nesterov = cases[t].nesterov;
        SchedCfg sc;
        sched_defaults(&sc, SCHED_ONECYCLE);
        sc.max_lr = cases[t].max_lr;
        sc.total_steps = 60;
        sc.three_phase = cases[t].three;
        sc.anneal_linear = cases[t].linear;
        cr_assert_null(sched_check_with(&sc, &base));
        SchedState st;
        sched_start(&sc, &st, &base);
        OptState os;
        FbErr err;
        cr_assert_eq(optim_state_init(&os, &base, 5, &err), 0);
        double p[5], g[5];
        int steps = 0;
        while (fscanf(f, "%255s", tok) == 1) {
            if (!strcmp(tok, "p0")) {
                for (int i = 0; i < 5; i++) p[i] = num(f, "p0");
            } else if (!strcmp(tok, "S")) {
                (void)num(f, "k");
                double lr = num(f, "lr");
                cr_assert(rel_close(st.lr, lr), "%s step %d: lr %.17g, torch %.17g", cases[t].file, steps, st.lr,
                          lr);
                for (int i = 0; i < 5; i++) g[i] = num(f, "g");
                OptCfg now = base;
                apply_sched(&st, &now);
                cr_assert_null(optim_check(&now));
                optim_step(&now, st.lr, &os, p, g, 5);
                for (int i = 0; i < 5; i++) {
                    double want = num(f, "p");
                    cr_assert(fabs(p[i] - want) <= 1e-10 * fmax(1.0, fabs(want)), "%s step %d: p[%d] %.17g vs %.17g",
                              cases[t].file, steps, i, p[i], want);
                }
                sched_step(&sc, &st, NAN);
                steps++;
            }
        }
        fclose(f);
        cr_assert_eq(steps, 60);
        optim_state_free(&os);
    }
}

Test(sched, milestones_that_overflow_are_refused)
{
    SchedCfg c;
    sched_defaults(&c, SCHED_MULTISTEP);
    char buf[256];
    cr_assert_null(sched_parse_milestones("30,80", &c, buf, sizeof buf));
    cr_assert_eq(c.nmilestones, 2);
    cr_assert_eq(c.milestones[1], 80);
    cr_assert_null(sched_parse_milestones("0,1000000000", &c, buf, sizeof buf));
    cr_assert_eq(c.milestones[1], 1000000000L);
    /* strtol made these LONG_MAX (accepted silently), or read 1e30 as 1 then stopped */
    static const char *const big[] = {"99999999999999999999", "10,1000000001", "9223372036854775807",
                                      "5,18446744073709551617"};
    for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
        const char *m = sched_parse_milestones(big[i], &c, buf, sizeof buf);
        cr_assert(m && strstr(m, "milestones= takes epochs from 0 to 1000000000:") && strstr(m, "is too large"),
                  "%s: %s", big[i], m ? m : "accepted");
    }
    static const char *const bad[] = {"1e30", "-1", "5,,6", "3.5", "abc", " 4"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        const char *m = sched_parse_milestones(bad[i], &c, buf, sizeof buf);
        cr_assert(m && strstr(m, "written in digits"), "%s: %s", bad[i], m ? m : "accepted");
    }
    cr_assert_str_eq(sched_parse_milestones("10,5", &c, buf, sizeof buf),
                     "milestones must be in increasing order (5 comes after 10)");
    /* and sched_check refuses a milestone out of range however it got there */
    c.nmilestones = 1;
    c.milestones[0] = 1000000001L;
    cr_assert_str_eq(sched_check(&c), "milestones must be epochs from 0 to 1000000000");
}
