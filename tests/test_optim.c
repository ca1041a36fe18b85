/* test_optim.c — optimizer updates replayed against PyTorch 1.13 trajectories (tools/ref_optim.py). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fitbench/optim.h"
#include "fitbench/strutil.h"

#ifndef FITBENCH_SRCDIR
#define FITBENCH_SRCDIR "."
#endif

/* compute the test gradient rounded as Python does (see src/learn/optim.c) */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

#define FIX FITBENCH_SRCDIR "/tests/fixtures/optim/"
#define NP 5

/* The problem of tools/ref_optim.py, computed with the same operations. */
static const double A[NP] = { 0.5, 1.0, 2.0, 0.25, 3.0 };
static const double C[NP] = { 1.0, -2.0, 0.5, 3.0, -0.75 };
static const double D[4][NP] = { { 0.3, -0.2, 0.5, -0.1, 0.05 },
                                 { -0.4, 0.1, -0.3, 0.2, -0.25 },
                                 { 0.15, 0.35, -0.05, -0.3, 0.4 },
                                 { -0.05, -0.25, -0.15, 0.25, -0.2 } };

static void problem_grad(const double *p, long k, bool mb, double *g)
{
    for (int i = 0; i < NP; i++) {
        double v = 2.0 * A[i] * (p[i] - C[i]) + cos(p[i]);
        if (mb) v = v + D[k % 4][i];
        g[i] = v;
    }
}

static bool close_rel(double a, double b, double tol)
{
    return fabs(a - b) <= tol * fmax(1.0, fabs(b));
}

static bool next_tok(FILE *f, char *buf)
{
    return fscanf(f, "%255s", buf) == 1;
}

static double next_num(FILE *f, const char *what)
{
    char buf[256];
    double x = 0;
    cr_assert(next_tok(f, buf), "fixture ended while reading %s", what);
    cr_assert(fb_parse_double(buf, strlen(buf), &x), "bad number '%s' for %s", buf, what);
    return x;
}

static bool kind_from(const char *s, OptKind *k)
{
    static const OptKind all[] = { OPT_SGD, OPT_ADAM, OPT_ADAMW, OPT_RMSPROP, OPT_ADAGRAD };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, optim_name(all[i])) == 0) {
            *k = all[i];
            return true;
        }
    return false;
}

/* Set one hyperparameter by its torch name; false if unknown. */
static bool set_key(OptCfg *c, const char *key, double v)
{
    if (!strcmp(key, "lr")) c->lr = v;
    else if (!strcmp(key, "momentum")) c->momentum = v;
    else if (!strcmp(key, "dampening")) c->dampening = v;
    else if (!strcmp(key, "nesterov")) c->nesterov = v != 0;
    else if (!strcmp(key, "weight_decay")) c->weight_decay = v;
    else if (!strcmp(key, "beta1")) c->beta1 = v;
    else if (!strcmp(key, "beta2")) c->beta2 = v;
    else if (!strcmp(key, "eps")) c->eps = v;
    else if (!strcmp(key, "amsgrad")) c->amsgrad = v != 0;
    else if (!strcmp(key, "alpha")) c->alpha = v;
    else if (!strcmp(key, "centered")) c->centered = v != 0;
    else if (!strcmp(key, "lr_decay")) c->lr_decay = v;
    else if (!strcmp(key, "initial_accumulator_value")) c->initial_accumulator_value = v;
    else return false;
    return true;
}

static double get_key(const OptCfg *c, const char *key)
{
    if (!strcmp(key, "lr")) return c->lr;
    if (!strcmp(key, "momentum")) return c->momentum;
    if (!strcmp(key, "dampening")) return c->dampening;
    if (!strcmp(key, "nesterov")) return c->nesterov;
    if (!strcmp(key, "weight_decay")) return c->weight_decay;
    if (!strcmp(key, "beta1")) return c->beta1;
    if (!strcmp(key, "beta2")) return c->beta2;
    if (!strcmp(key, "eps")) return c->eps;
    if (!strcmp(key, "amsgrad")) return c->amsgrad;
    if (!strcmp(key, "alpha")) return c->alpha;
    if (!strcmp(key, "centered")) return c->centered;
    if (!strcmp(key, "lr_decay")) return c->lr_decay;
    if (!strcmp(key, "initial_accumulator_value")) return c->initial_accumulator_value;
    cr_assert_fail("unknown key %s", key);
    return NAN;
}

/* Replay one trajectory file; returns the number of steps checked. */
static int replay(const char *name)
{
    char path[512], tok[256], key[256];
    snprintf(path, sizeof path, FIX "%s.txt", name);
    FILE *f = fopen(path, "r");
    cr_assert(f, "cannot open %s", path);
    cr_assert(next_tok(f, tok) && !strcmp(tok, "fitbench-optim-fixture"), "%s: bad magic", name);
    cr_assert(next_num(f, "version") == 1.0);

    OptCfg cfg;
    OptKind kind = OPT_SGD;
    bool mb = false;
    double p[NP], g[NP], mine[NP];
    long steps = 0;
    cr_assert(next_tok(f, tok) && !strcmp(tok, "kind"));
    cr_assert(next_tok(f, tok) && kind_from(tok, &kind), "%s: bad kind", name);
    optim_defaults(&cfg, kind);
    for (;;) {
        cr_assert(next_tok(f, key), "%s: truncated header", name);
        if (!strcmp(key, "mode")) {
            cr_assert(next_tok(f, tok));
            mb = !strcmp(tok, "mb");
        } else if (!strcmp(key, "n")) {
            cr_assert(next_num(f, "n") == NP);
        } else if (!strcmp(key, "p0")) {
            for (int i = 0; i < NP; i++) p[i] = next_num(f, "p0");
        } else if (!strcmp(key, "steps")) {
            steps = (long)next_num(f, "steps");
            break;
        } else {
            cr_assert(set_key(&cfg, key, next_num(f, key)), "%s: unknown key %s", name, key);
        }
    }
    cr_assert_null(optim_check(&cfg), "%s: torch accepted this configuration", name);

    OptState st;
    FbErr err;
    cr_assert_eq(optim_state_init(&st, &cfg, NP, &err), 0);
    int checked = 0;
    for (;;) {
        cr_assert(next_tok(f, tok), "%s: missing end", name);
        if (!strcmp(tok, "end")) break;
        if (!strcmp(tok, "C")) {
            cr_assert(next_tok(f, key));
            cr_assert(set_key(&cfg, key, next_num(f, key)), "%s: unknown key %s", name, key);
            cr_assert_null(optim_check(&cfg), "%s: change of %s rejected", name, key);
            continue;
        }
        cr_assert_str_eq(tok, "S", "%s: unexpected token %s", name, tok);
        long k = (long)next_num(f, "k");
        cr_assert_eq(k, checked, "%s: steps out of order", name);
        double lr = next_num(f, "lr");
        for (int i = 0; i < NP; i++) g[i] = next_num(f, "g");
        /* The gradient is reproducible in C from the replayed parameters... */
        problem_grad(p, k, mb, mine);
        for (int i = 0; i < NP; i++)
            cr_assert(close_rel(mine[i], g[i], 1e-10), "%s step %ld: grad[%d] %.17g vs torch's %.17g", name, k,
                      i, mine[i], g[i]);
        /* ...and the update is torch's, fed the very same gradient. */
        optim_step(&cfg, lr, &st, p, g, NP);
        for (int i = 0; i < NP; i++) {
            double want = next_num(f, "p");
            cr_assert(close_rel(p[i], want, 1e-10), "%s step %ld: p[%d] = %.17g, torch %.17g (diff %.3g)", name,
                      k, i, p[i], want, p[i] - want);
        }
        checked++;
    }
    cr_assert_eq(checked, steps, "%s: %d steps, header says %ld", name, checked, steps);
    cr_assert_eq(st.step, steps);
    optim_state_free(&st);
    fclose(f);
    return checked;
}

Test(optim, torch_trajectories)
{
    FILE *idx = fopen(FIX "index.txt", "r");
    cr_assert(idx, "cannot open " FIX "index.txt");
    char name[256];
    int files = 0, steps = 0;
    bool seen[5] = { false };
    while (fscanf(idx, "%255s", name) == 1) {
        steps += replay(name);
        files++;
        for (int k = 0; k < 5; k++)
            if (!strncmp(name, optim_name((OptKind)k), strlen(optim_name((OptKind)k)))) seen[k] = true;
    }
    fclose(idx);
    cr_assert_geq(files, 25, "only %d trajectories", files);
    cr_assert_eq(steps, files * 60);
    for (int k = 0; k < 5; k++) cr_assert(seen[k], "no trajectory for %s", optim_name((OptKind)k));
}

Test(optim, defaults_match_torch)
{
    FILE *f = fopen(FIX "defaults.txt", "r");
    cr_assert(f);
    char kname[64], key[64], val[64];
    int rows = 0;
    while (fscanf(f, "%63s %63s %63s", kname, key, val) == 3) {
        OptKind k;
        double want;
        cr_assert(kind_from(kname, &k));
        cr_assert(fb_parse_double(val, strlen(val), &want));
        OptCfg c;
        optim_defaults(&c, k);
        cr_assert_eq(c.kind, k);
        cr_assert_eq(get_key(&c, key), want, "%s %s: %.17g, torch %.17g", kname, key, get_key(&c, key), want);
        cr_assert_null(optim_check(&c), "defaults of %s rejected", kname);
        rows++;
    }
    fclose(f);
    cr_assert_geq(rows, 25);
}

Test(optim, check_matches_torch_constructors)
{
    FILE *f = fopen(FIX "check.txt", "r");
    cr_assert(f);
    char kname[64], key[64], tok[64];
    int rows = 0, m;
    while (fscanf(f, "%63s %d", kname, &m) == 2) {
        OptKind k;
        cr_assert(kind_from(kname, &k));
        OptCfg c;
        optim_defaults(&c, k);
        char desc[256] = "";
        for (int j = 0; j < m; j++) {
            cr_assert(fscanf(f, "%63s %63s", key, tok) == 2);
            double v;
            cr_assert(fb_parse_double(tok, strlen(tok), &v));
            cr_assert(set_key(&c, key, v));
            strncat(desc, key, sizeof desc - strlen(desc) - 1);
            strncat(desc, "=", sizeof desc - strlen(desc) - 1);
            strncat(desc, tok, sizeof desc - strlen(desc) - 1);
            strncat(desc, " ", sizeof desc - strlen(desc) - 1);
        }
        cr_assert(fscanf(f, "%63s", tok) == 1);
        const char *msg = optim_check(&c);
        if (!strcmp(tok, "ok")) cr_assert_null(msg, "%s %s: torch accepts, fitbench says %s", kname, desc, msg);
        else cr_assert_not_null(msg, "%s %s: torch rejects, fitbench accepts", kname, desc);
        rows++;
    }
    fclose(f);
    cr_assert_geq(rows, 50);
}

Test(optim, check_fitbench_rules)
{
    /* Where fitbench is stricter than torch: lr must be > 0 and finite, no NaN. */
    for (int k = 0; k < 5; k++) {
        OptCfg c;
        optim_defaults(&c, (OptKind)k);
        c.lr = 0.0;
        cr_assert_not_null(optim_check(&c), "%s accepts lr=0", optim_name((OptKind)k));
        cr_assert(strstr(optim_check(&c), "lr") != NULL);
        c.lr = NAN;
        cr_assert_not_null(optim_check(&c));
        c.lr = INFINITY;
        cr_assert_not_null(optim_check(&c));
        optim_defaults(&c, (OptKind)k);
        c.weight_decay = NAN;
        cr_assert_not_null(optim_check(&c));
    }
    OptCfg c;
    optim_defaults(&c, OPT_SGD);
    c.momentum = NAN;
    cr_assert_not_null(optim_check(&c));
    optim_defaults(&c, OPT_ADAM);
    c.beta1 = NAN;
    cr_assert(strstr(optim_check(&c), "beta1") != NULL);
    optim_defaults(&c, OPT_RMSPROP);
    c.alpha = -1;
    cr_assert(strstr(optim_check(&c), "alpha") != NULL);
    /* fields of other kinds are ignored */
    optim_defaults(&c, OPT_SGD);
    c.beta1 = 5.0;
    c.alpha = -3.0;
    cr_assert_null(optim_check(&c));
}

Test(optim, names)
{
    cr_assert_str_eq(optim_name(OPT_SGD), "sgd");
    cr_assert_str_eq(optim_name(OPT_ADAM), "adam");
    cr_assert_str_eq(optim_name(OPT_ADAMW), "adamw");
    cr_assert_str_eq(optim_name(OPT_RMSPROP), "rmsprop");
    cr_assert_str_eq(optim_name(OPT_ADAGRAD), "adagrad");
}

Test(optim, state_init_and_free)
{
    OptCfg c;
    OptState st;
    FbErr err;
    optim_defaults(&c, OPT_ADAGRAD);
    c.initial_accumulator_value = 0.25;
    cr_assert_eq(optim_state_init(&st, &c, 7, &err), 0);
    cr_assert_eq(st.n, 7);
    cr_assert_eq(st.step, 0);
    cr_assert(!st.has_buf);
    for (int i = 0; i < 7; i++) {
        cr_assert_eq(st.v[i], 0.25);
        cr_assert_eq(st.m[i], 0.0);
        cr_assert_eq(st.vmax[i], 0.0);
        cr_assert_eq(st.g[i], 0.0);
    }
    optim_state_free(&st);
    optim_state_free(&st); /* idempotent */
    optim_state_free(NULL);
    /* n == 0 works and a step is a no-op on the arrays */
    optim_defaults(&c, OPT_ADAM);
    cr_assert_eq(optim_state_init(&st, &c, 0, &err), 0);
    optim_step(&c, c.lr, &st, NULL, NULL, 0);
    cr_assert_eq(st.step, 1);
    optim_state_free(&st);
}

Test(optim, clone_continues_identically)
{
    const OptKind kinds[] = { OPT_SGD, OPT_ADAM, OPT_ADAMW, OPT_RMSPROP, OPT_ADAGRAD };
    for (size_t t = 0; t < 5; t++) {
        OptCfg c;
        optim_defaults(&c, kinds[t]);
        c.momentum = kinds[t] == OPT_ADAM || kinds[t] == OPT_ADAMW || kinds[t] == OPT_ADAGRAD ? 0.0 : 0.9;
        c.centered = true;
        c.amsgrad = true;
        OptState a, b;
        FbErr err;
        double p[NP] = { 0.0, 0.5, -1.0, 2.0, 1.5 }, q[NP], g[NP];
        cr_assert_eq(optim_state_init(&a, &c, NP, &err), 0);
        for (long k = 0; k < 10; k++) {
            problem_grad(p, k, true, g);
            optim_step(&c, c.lr, &a, p, g, NP);
        }
        cr_assert_eq(optim_state_clone(&b, &a, &err), 0);
        cr_assert_eq(b.step, a.step);
        cr_assert_eq(b.has_buf, a.has_buf);
        cr_assert_neq(b.m, a.m);
        memcpy(q, p, sizeof p);
        for (long k = 10; k < 20; k++) {
            problem_grad(p, k, true, g);
            optim_step(&c, c.lr, &a, p, g, NP);
            problem_grad(q, k, true, g);
            optim_step(&c, c.lr, &b, q, g, NP);
        }
        for (int i = 0; i < NP; i++) cr_assert_eq(p[i], q[i], "%s: clone diverged", optim_name(kinds[t]));
        optim_state_free(&a);
        optim_state_free(&b);
    }
}

Test(optim, grads_not_modified_and_scheduled_lr_used)
{
    OptCfg c;
    OptState st;
    FbErr err;
    optim_defaults(&c, OPT_SGD);
    c.lr = 123.0; /* the base lr must not be used by the update */
    c.weight_decay = 0.5;
    double p[2] = { 1.0, -2.0 };
    const double g[2] = { 0.5, 0.25 };
    cr_assert_eq(optim_state_init(&st, &c, 2, &err), 0);
    optim_step(&c, 0.1, &st, p, g, 2);
    /* p - 0.1 * (g + 0.5 p) */
    cr_assert_float_eq(p[0], 1.0 - 0.1 * (0.5 + 0.5), 1e-15);
    cr_assert_float_eq(p[1], -2.0 - 0.1 * (0.25 - 1.0), 1e-15);
    cr_assert_eq(g[0], 0.5);
    cr_assert_eq(g[1], 0.25);
    cr_assert(!st.has_buf, "no momentum buffer without momentum, as torch");
    optim_state_free(&st);
}

/* 12 updates of 37 parameters from a fixed start, with gradients that depend
 * on the parameters: whole (optim_step) or in the ranges a training crew's
 * members would take ([0,5) [5,13) [13,31) [31,37), last first), with the
 * update kernels at most `lanes` wide.  The final parameters go to out. */
enum { RN = 37 };
static void trajectory(OptKind kind, int variant, int lanes, bool ranges, double *out, long *step, bool *has_buf)
{
    static const size_t cut[] = { 0, 5, 13, 31, RN };
    OptCfg c;
    optim_defaults(&c, kind);
    c.lr = 0.05;
    if (variant) { /* the other branches: momentum (nesterov), amsgrad, centered, decays */
        c.momentum = kind == OPT_SGD || kind == OPT_RMSPROP ? 0.9 : 0.0;
        c.nesterov = kind == OPT_SGD;
        c.amsgrad = c.centered = true;
        c.weight_decay = 0.01;
        c.lr_decay = 0.1;
    }
    OptState st;
    FbErr err;
    cr_assert_eq(optim_state_init(&st, &c, RN, &err), 0);
    optim_force_lanes(lanes);
    double g[RN];
    for (int i = 0; i < RN; i++)
        out[i] = sin(1.0 + i);
    for (long k = 0; k < 12; k++) {
        for (int i = 0; i < RN; i++)
            g[i] = cos(out[i] * (double)(k + 1)) + 0.1 * (double)(i % 7);
        if (!ranges) {
            optim_step(&c, c.lr, &st, out, g, RN);
            continue;
        }
        optim_step_begin(&st);
        for (size_t r = 4; r-- > 0;)
            optim_step_range(&c, c.lr, &st, out, g, cut[r], cut[r + 1]);
        optim_step_end(&c, &st);
    }
    optim_force_lanes(0);
    *step = st.step;
    *has_buf = st.has_buf;
    optim_state_free(&st);
}

/* Every kernel width (scalar, AVX, AVX-512 where the CPU has them) and the
 * crew's ranges give the same bits as the scalar loops in one step. */
Test(optim, every_width_and_every_split_gives_the_same_bits)
{
    const OptKind kinds[] = { OPT_SGD, OPT_ADAM, OPT_ADAMW, OPT_RMSPROP, OPT_ADAGRAD };
    const int widths[] = { 1, 4, 8 };
    for (size_t t = 0; t < 5; t++)
        for (int variant = 0; variant < 2; variant++) {
            double ref[RN], p[RN];
            long step0, step;
            bool buf0, buf;
            trajectory(kinds[t], variant, 1, false, ref, &step0, &buf0);
            for (size_t w = 0; w < 3; w++)
                for (int ranges = 0; ranges < 2; ranges++) {
                    trajectory(kinds[t], variant, widths[w], ranges, p, &step, &buf);
                    cr_assert_eq(memcmp(p, ref, sizeof p), 0, "%s (variant %d), %d lanes%s: differs from scalar",
                                 optim_name(kinds[t]), variant, widths[w], ranges ? " in ranges" : "");
                    cr_assert_eq(step, step0);
                    cr_assert_eq(buf, buf0);
                }
        }
}
