/* test_export.c — save torch / save sklearn (export.h, cmd_export.c): what the replay finds as the run's start,
 * the commands written after it, Python literals, completion.  The scripts themselves are run against
 * fitbench's own numbers by tests/cli/export_torch.sh (it needs python3-torch). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fitbench/export.h"
#include "fitbench/npy.h"
#include "harness.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p++)
        n++;
    return n;
}

Test(export, the_run_starts_at_the_last_reinitialisation_and_its_commands_follow)
{
    char dir[] = "/tmp/fbexportXXXXXX", cmd[512], file[600];
    cr_assert(mkdtemp(dir));
    H a, b;
    h_init(&a);
    h_init(&b);
    const char *start = "gen linear n=60 d=2; model linear; init normal seed=3; optim sgd lr=0.1; train 3; "
                        "init normal std=0.2 seed=4; batch 8";
    cr_assert_eq(h_run(&a, start), 0, "%s", h_err(&a));
    cr_assert_eq(h_run(&b, start), 0, "%s", h_err(&b)); /* b stays at the run's start */
    snprintf(cmd, sizeof cmd, "optim adam lr=0.01; train 2; schedule exp gamma=0.9; train 1; save torch %s/x.py", dir);
    cr_assert_eq(h_run(&a, cmd), 0, "%s", h_err(&a));
    /* The starting parameters are those after the last init, not the first. */
    double *W, *bias;
    size_t nd, sh[2];
    FbErr err;
    snprintf(file, sizeof file, "%s/x_start/W.npy", dir);
    cr_assert_eq(npy_read(file, &W, &nd, sh, &err), 0, "%s", err.msg);
    snprintf(file, sizeof file, "%s/x_start/b.npy", dir);
    cr_assert_eq(npy_read(file, &bias, &nd, sh, &err), 0, "%s", err.msg);
    const Model *m = &b.s.ts.model;
    cr_assert_eq(memcmp(W, m->params + m->woff[0], 2 * sizeof *W), 0);
    cr_assert_eq(memcmp(bias, m->params + m->boff[0], sizeof *bias), 0);
    free(W);
    free(bias);
    snprintf(file, sizeof file, "%s/x.py", dir);
    const char *py = slurp(file);
    /* The setup at the start: batch 8 and optim adam came before any update of this run, so they are part of
     * it, not events; then the three commands. */
    cr_assert(strstr(py, "    run.set_optimizer(\"adam\", lr=0.01, betas=(0.9, 0.999)"), "%s", py);
    cr_assert(strstr(py, "    run.set_batch(8, shuffle=True)\n"));
    cr_assert(!strstr(py, "set_optimizer(\"sgd\""));
    cr_assert(strstr(py, "    # train 2\n    run.train(2)\n"));
    cr_assert(strstr(py, "    # schedule exp gamma=0.9\n    run.set_schedule(\"exp\", gamma=0.9)\n"));
    cr_assert(strstr(py, "    # train 1\n    run.train(1)\n"));
    cr_assert_eq(count(py, "run.train("), 2, "the first run's train 3 is not replayed");
    /* The data-order generator's state at the start. */
    char state[200];
    const Rng *r = &b.s.ts.rng;
    snprintf(state, sizeof state, "DATA_ORDER_STATE = (%llu, %llu, %llu, %llu)", (unsigned long long)r->s[0],
             (unsigned long long)r->s[1], (unsigned long long)r->s[2], (unsigned long long)r->s[3]);
    cr_assert(strstr(py, state), "%s", state);
    cr_assert(strstr(py, "GEN_KIND = \"linear\"\nGEN_N = 60\nGEN_D = 2\n"));
    h_free(&a);
    h_free(&b);
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(export, a_refused_export_changes_nothing_and_writes_nothing)
{
    char dir[] = "/tmp/fbexportXXXXXX", cmd[512];
    cr_assert(mkdtemp(dir));
    H h;
    h_init(&h);
    cr_assert_eq(h_run(&h, "gen linear n=40; model linear; train 2; solve; train 1"), 0, "%s", h_err(&h));
    size_t nlog = h.s.nlog, rows = h.s.ts.hist.n;
    snprintf(cmd, sizeof cmd, "save torch %s/y.py", dir);
    cr_assert_eq(h_run(&h, cmd), -1);
    cr_assert(strstr(h_err(&h), "line 4 (`solve`)"), "%s", h_err(&h));
    cr_assert_eq(h.s.nlog, nlog);
    cr_assert_eq(h.s.ts.hist.n, rows);
    cr_assert_eq(rmdir(dir), 0, "the folder is empty");
    h_free(&h);
}

Test(export, python_literals_read_back_exactly)
{
    char buf[40];
    cr_assert_str_eq(export_float(buf, sizeof buf, 0.1), "0.1");
    cr_assert_str_eq(export_float(buf, sizeof buf, 3), "3.0");
    cr_assert_str_eq(export_float(buf, sizeof buf, -2.5e-300), "-2.5e-300");
    cr_assert_str_eq(export_float(buf, sizeof buf, 1e22), "1e+22");
    cr_assert_str_eq(export_float(buf, sizeof buf, NAN), "math.nan");
    cr_assert_str_eq(export_float(buf, sizeof buf, -INFINITY), "-math.inf");
    double third = 1.0 / 3;
    cr_assert_eq(strtod(export_float(buf, sizeof buf, third), NULL), third);
    StrBuf sb = {0};
    export_pystr(&sb, "a \"b\" \\c\nd");
    cr_assert_str_eq(sb.buf, "\"a \\\"b\\\" \\\\c\\x0ad\"");
    free(sb.buf);
}

Test(export, completion_offers_torch_and_sklearn)
{
    H h;
    h_init(&h);
    char **v = command_complete(&h.it, "save ", "to");
    cr_assert(v && v[0] && !v[1]);
    cr_assert_str_eq(v[0], "torch ");
    free(v[0]);
    free(v);
    v = command_complete(&h.it, "save ", "sk");
    cr_assert(v && v[0] && !v[1]);
    cr_assert_str_eq(v[0], "sklearn ");
    free(v[0]);
    free(v);
    h_free(&h);
}
