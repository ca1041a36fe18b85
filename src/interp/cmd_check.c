/* cmd_check.c — check grad: backpropagation's gradient against centred finite differences, per layer. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fitbench/command.h"
#include "fitbench/gradcheck.h"

/* Multiply-adds one check may cost by default: the rows and the parameters per layer shrink to fit. */
#define CHECK_BUDGET 4e8
#define CHECK_ROWS 1000   /* default rows: the first 1000 training rows at most */
#define CHECK_MIN_PER_LAYER 20

static size_t macs_per_row(const Model *m)
{
    size_t s = 0;
    for (size_t l = 0; l < m->nlayers; l++)
        s += m->sizes[l] * m->sizes[l + 1];
    return s ? s : 1;
}

/* The default rows: at most CHECK_ROWS, and fewer (not below 32) when even CHECK_MIN_PER_LAYER parameters per
 * layer would cost more than the budget over them (a 784-input model: about 50 rows). */
static size_t default_rows(const Model *m, size_t n)
{
    double most = CHECK_BUDGET / (2.0 * (double)m->nlayers * CHECK_MIN_PER_LAYER * (double)macs_per_row(m));
    size_t rows = n < CHECK_ROWS ? n : CHECK_ROWS;
    if ((double)rows > most)
        rows = most < 32 ? 32 : (size_t)most;
    return rows < n ? rows : n;
}

/* The default limit on parameters per layer: every parameter when the whole check fits the budget. */
static size_t default_per_layer(const Model *m, size_t rows)
{
    double per_pass = (double)rows * (double)macs_per_row(m);
    double passes = CHECK_BUDGET / per_pass / 2 / (double)m->nlayers; /* two passes per parameter */
    if (passes >= (double)m->nparams)
        return 0;
    return passes < CHECK_MIN_PER_LAYER ? CHECK_MIN_PER_LAYER : (size_t)passes;
}

static void print_report(Interp *it, const Model *m, const GradReport *r, size_t ntrain)
{
    char e[16];
    snprintf(e, sizeof e, "%g", r->eps);
    sink_printf(it->out,
                "check grad: backpropagation against centred differences (L(p+eps) - L(p-eps)) / 2eps, eps=%s,\n"
                "on the loss over %s%zu training rows (%s)\n",
                e, r->rows < ntrain ? "the first " : "the ", r->rows, NUM(it, r->loss));
    sink_printf(it->out, "%-6s %9s %9s %12s  %-38s %s\n", "layer", "params", "checked", "rel. error", "band",
                "worst parameter: analytic vs numerical");
    for (size_t l = 0; l < r->nlayers; l++) {
        const GradLayer *g = &r->layer[l];
        char name[48], rel[24], a[40], n[40];
        model_param_name(m, g->worst_q, name, sizeof name);
        snprintf(rel, sizeof rel, "%.2e", g->rel);
        snprintf(a, sizeof a, "%.10g", g->worst_a);
        snprintf(n, sizeof n, "%.10g", g->worst_n);
        sink_printf(it->out, "%-6zu %9zu %9zu %12s  %-38s %s: %s vs %s\n", l + 1, g->total, g->checked, rel,
                    gradcheck_band(g->rel), name, a, n);
    }
    sink_printf(it->out, "relative error |a - n| / max(|a|, |n|) over each layer's gradient vector (cs231n): "
                         "< 1e-7 fine; < 1e-4 ok only\nwhere the loss has kinks (relu, mae, hinge); < 1e-2 "
                         "uncomfortable; above: probably wrong\n");
}

int cmd_check(Interp *it, const Command *row, Args *a, FbErr *err)
{
    Session *s = it->s;
    if (session_need_model(s, err))
        return -1;
    TrainData d;
    session_train_data(s, &d);
    double eps = 1e-5;
    Model *m = &s->ts.model;
    long rows = (long)default_rows(m, d.n), per = -1;
    args_num(a, "eps", &eps);
    args_long(a, "rows", &rows);
    args_long(a, "max", &per);
    if ((size_t)rows > d.n)
        rows = (long)d.n;
    size_t per_layer = per >= 0 ? (size_t)per : default_per_layer(m, (size_t)rows);
    GradReport r;
    if (gradcheck_run(m, &s->setup.loss, d.X, d.Y, (size_t)rows, d.ky, &s->work, eps, per_layer, NULL, &r, err))
        return -1;
    print_report(it, m, &r, d.n);
    (void)row;
    return 0;
}
