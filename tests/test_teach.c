/* test_teach.c — compare, lrfind, explain, the fit/boundary/surface pictures and record/replay. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fitbench/plotview.h"
#include "compare_check.h"

/* ---- helpers ---- */

static void run_ok(H *h, const char *line)
{
    int rc = h_run(h, line);
    cr_assert_eq(rc, 0, "'%s' failed: %s", line, h_err(h));
}

/* Is everything training can change bit-identical between a and b? */
static void assert_same_state(const Session *a, const Session *b)
{
    const TrainState *x = &a->ts, *y = &b->ts;
    size_t np = x->model.nparams;
    cr_assert_eq(np, y->model.nparams);
    cr_assert(memcmp(x->model.params, y->model.params, np * sizeof(double)) == 0, "parameters differ");
    cr_assert(memcmp(x->opt.m, y->opt.m, np * sizeof(double)) == 0, "optimizer m differs");
    cr_assert(memcmp(x->opt.v, y->opt.v, np * sizeof(double)) == 0, "optimizer v differs");
    cr_assert(memcmp(x->opt.vmax, y->opt.vmax, np * sizeof(double)) == 0, "optimizer vmax differs");
    cr_assert(memcmp(x->opt.g, y->opt.g, np * sizeof(double)) == 0, "optimizer g differs");
    cr_assert_eq(x->opt.step, y->opt.step);
    cr_assert_eq(x->opt.has_buf, y->opt.has_buf);
    cr_assert(memcmp(&x->sched, &y->sched, sizeof x->sched) == 0, "schedule state differs");
    cr_assert(memcmp(&x->rng, &y->rng, sizeof x->rng) == 0, "data-order rng differs");
    cr_assert_eq(x->epoch, y->epoch);
    cr_assert_eq(x->steps, y->steps);
    cr_assert_eq(x->cursor, y->cursor);
    cr_assert_eq(x->nperm, y->nperm);
    if (x->nperm)
        cr_assert(memcmp(x->perm, y->perm, x->nperm * sizeof(size_t)) == 0, "row order differs");
    cr_assert_eq(x->hist.n, y->hist.n);
    for (size_t i = 0; i < x->hist.n; i++) {
        /* Everything but the wall time. */
        const HistRow *r = &x->hist.rows[i], *q = &y->hist.rows[i];
        cr_assert(r->epoch == q->epoch && r->steps == q->steps && r->lr == q->lr, "history row %zu differs", i);
        cr_assert(memcmp(&r->train_loss, &q->train_loss, sizeof(double)) == 0, "history row %zu differs", i);
        cr_assert(memcmp(&r->val_loss, &q->val_loss, sizeof(double)) == 0, "history row %zu differs", i);
        cr_assert(memcmp(&r->grad_norm, &q->grad_norm, sizeof(double)) == 0, "history row %zu differs", i);
    }
    cr_assert(memcmp(&a->setup, &b->setup, sizeof a->setup) == 0, "training setup differs");
}

/* The largest eigenvalue of 2 A^T A / n, A = [X 1] (the Hessian of the mse of a linear
 * model), by power iteration: the divergence threshold of full-batch gradient descent is
 * lr = 2 / lambda_max. */
static double mse_lambda_max(const Part *p, size_t d)
{
    size_t q = d + 1;
    double *Hm = calloc(q * q, sizeof(double)), *v = malloc(q * sizeof(double)), *w = malloc(q * sizeof(double));
    cr_assert(Hm && v && w);
    for (size_t i = 0; i < p->n; i++)
        for (size_t a = 0; a < q; a++)
            for (size_t b = 0; b < q; b++) {
                double xa = a < d ? p->X[i * d + a] : 1, xb = b < d ? p->X[i * d + b] : 1;
                Hm[a * q + b] += 2 * xa * xb / (double)p->n;
            }
    for (size_t a = 0; a < q; a++)
        v[a] = 1;
    double lam = 0;
    for (int it = 0; it < 2000; it++) {
        double nw = 0;
        for (size_t a = 0; a < q; a++) {
            w[a] = 0;
            for (size_t b = 0; b < q; b++)
                w[a] += Hm[a * q + b] * v[b];
            nw += w[a] * w[a];
        }
        nw = sqrt(nw);
        lam = nw;
        for (size_t a = 0; a < q; a++)
            v[a] = w[a] / nw;
    }
    free(Hm);
    free(v);
    free(w);
    return lam;
}

/* ---- lrfind ---- */

static void lrfind_case(const char *batch)
{
    H h, ref;
    h_init(&h);
    h_init(&ref);
    char line[256];
    snprintf(line, sizeof line, "load boston; scale standard; model linear; optim sgd lr=0.01 momentum=0.5; %s; "
                                "train 3",
             batch);
    run_ok(&h, line);
    run_ok(&ref, line);
    run_ok(&h, "step batch");
    run_ok(&ref, "step batch");
    run_ok(&h, "optim sgd lr=0.01 momentum=0");
    run_ok(&ref, "optim sgd lr=0.01 momentum=0");
    run_ok(&h, "lrfind");
    assert_same_state(&h.s, &ref.s);
    cr_assert_not_null(h.s.lrfind);
    double sug = h.s.lrfind->suggest;
    double lam = mse_lambda_max(&h.s.prep->train, h.s.prep->d);
    cr_assert(sug > 0 && isfinite(sug), "no suggestion");
    /* Below the divergence threshold of gradient descent on this problem (about 0.16). */
    cr_assert(sug * lam < 2, "suggested lr %g is past the divergence threshold %g", sug, 2 / lam);
    cr_assert(sug < 0.16, "suggested lr %g", sug);
    /* And the session still trains exactly as the untouched copy does. */
    run_ok(&h, "train 2");
    run_ok(&ref, "train 2");
    assert_same_state(&h.s, &ref.s);
    h_free(&h);
    h_free(&ref);
}

Test(teach, lrfind_restores_state_full_batch) { lrfind_case("batch full"); }
Test(teach, lrfind_restores_state_minibatch) { lrfind_case("batch 32"); }

Test(teach, lrfind_curve_grows_exponentially_and_stops_at_4x)
{
    H h;
    h_init(&h);
    run_ok(&h, "load boston; scale standard; model linear; lrfind start=1e-6 end=10 iters=50");
    const Curves *cv = h.s.lrfind;
    cr_assert_not_null(cv);
    const Curve *k = &cv->c[0];
    cr_assert(k->n >= 10 && k->n <= 50);
    cr_assert_float_eq(k->x[0], 1e-6, 1e-20);
    for (size_t i = 1; i < k->n; i++)
        cr_assert_float_eq(k->x[i] / k->x[i - 1], pow(10.0 / 1e-6, 1.0 / 49), 1e-9);
    /* Smoothed with beta 0.98 and bias correction: the first value is the first loss. */
    cr_assert_float_eq(k->y[0], k->y2[0], 1e-12 * k->y2[0]);
    double best = INFINITY;
    for (size_t i = 0; i + 1 < k->n; i++) {
        best = fmin(best, k->y[i]);
        cr_assert(k->y[i] <= 4 * best);
    }
    h_free(&h);
}

/* ---- compare ---- */

Test(teach, compare_leaves_session_and_matches_separate_runs)
{
    H h, ref;
    h_init(&h);
    h_init(&ref);
    const char *setup = "load boston; split val=0.2 seed=3; scale standard; model linear; optim sgd lr=0.01; "
                        "batch 32; train 2";
    run_ok(&h, setup);
    run_ok(&ref, setup);
    run_ok(&h, "compare lr=0.003,0.03 epochs=4");
    assert_same_state(&h.s, &ref.s);
    const Curves *cv = h.s.compare;
    cr_assert_not_null(cv);
    cr_assert_eq(cv->ncurves, 2);
    static const char *const vals[] = {"0.003", "0.03"};
    for (size_t i = 0; i < 2; i++) {
        char line[128];
        snprintf(line, sizeof line, "optim sgd lr=%s; train 4", vals[i]);
        cr_assert_eq(cv->c[i].n, 5, "a curve has the start and four epochs");
        curve_is_run(&cv->c[i], setup, line, 2);
    }
    cr_assert(strstr(h_out(&h), "lr=0.003") && strstr(h_out(&h), "lr=0.03"), "%s", h_out(&h));
    /* A bad value is an error naming it, and changes nothing. */
    cr_assert_neq(h_run(&h, "compare momentum=0.5,-1 epochs=2"), 0);
    cr_assert(strstr(h_err(&h), "momentum"), "%s", h_err(&h));
    cr_assert_eq(h.s.compare, cv);
    cr_assert_neq(h_run(&h, "compare lr=0.1 momentum=0.2"), 0);
    cr_assert_neq(h_run(&h, "compare lrr=0.1"), 0);
    cr_assert(strstr(h_err(&h), "did you mean 'lr'"), "%s", h_err(&h));
    h_free(&h);
    h_free(&ref);
}

Test(teach, compare_optim_values_with_options)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen linear n=100 d=2 seed=4; model linear");
    run_ok(&h, "compare optim=\"sgd lr=0.1,sgd lr=0.1 momentum=0.9,adam lr=0.1\" epochs=3");
    cr_assert_eq(h.s.compare->ncurves, 3);
    cr_assert_str_eq(h.s.compare->c[2].label, "optim=adam lr=0.1");
    cr_assert_eq(h.s.setup.opt.kind, OPT_SGD, "the session's optimizer is unchanged");
    /* Each run's parameter path is kept for plot surface. */
    cr_assert_eq(h.s.compare->c[1].path.n, 4);
    h_free(&h);
}

/* compare optim="sgd lr=X" starts from sgd's defaults, not from the session's momentum; compare lr=X keeps the
 * session's other settings.  Each curve equals a separate run with exactly those options, and the output names them. */
Test(teach, compare_optim_values_start_from_defaults)
{
    H h;
    h_init(&h);
    const char *setup = "gen linear n=100 d=2 seed=4; model linear; batch full; optim sgd lr=0.05 momentum=0.9";
    run_ok(&h, setup);
    run_ok(&h, "compare optim=\"sgd lr=0.05,sgd lr=0.05 momentum=0.9\" epochs=5");
    run_ok(&h, "plot loss");
    const Curves *cv = h.s.compare;
    cr_assert_eq(cv->ncurves, 2);
    static const char *const same[] = {"optim sgd lr=0.05 momentum=0; train 5", "train 5"};
    for (size_t i = 0; i < 2; i++)
        curve_is_run(&cv->c[i], setup, same[i], 0);
    cr_assert(cv->c[0].y[5] != cv->c[1].y[5], "plain sgd and momentum gave the same loss");
    cr_assert(strstr(h_out(&h), "optim=sgd lr=0.05: sgd lr=0.05 momentum=0 "), "%s", h_out(&h));
    cr_assert_eq(h.s.setup.opt.momentum, 0.9, "the session keeps its momentum");
    /* lr= changes only the lr: the session's momentum stays in the run. */
    run_ok(&h, "compare lr=0.01 epochs=1");
    cr_assert(strstr(h_out(&h), "lr=0.01: sgd lr=0.01 momentum=0.9 "), "%s", h_out(&h));
    h_free(&h);
}

/* ---- explain ---- */

/* The numbers of the last column of every parameter row ("p (new)") in out. */
static size_t parse_new_values(const char *out, double *v, size_t cap)
{
    size_t n = 0;
    const char *p = out;
    while ((p = strstr(p, "\n  ")) && n < cap) {
        p += 3;
        if (!(p[0] == 'W' || p[0] == 'b') || p[1] != '[')
            continue;
        const char *eol = strchr(p, '\n');
        const char *last = eol - 1;
        while (last > p && *last != ' ')
            last--;
        v[n++] = strtod(last + 1, NULL);
    }
    return n;
}

static void explain_case(const char *setup)
{
    H h, ref;
    h_init(&h);
    h_init(&ref);
    run_ok(&h, setup);
    run_ok(&ref, setup);
    run_ok(&h, "set precision=17");
    h_clear(&h);
    run_ok(&h, "explain dry=yes");
    assert_same_state(&h.s, &ref.s);
    double dry[64];
    size_t nd = parse_new_values(h_out(&h), dry, 64);
    h_clear(&h);
    run_ok(&h, "explain");
    double got[64];
    size_t n = parse_new_values(h_out(&h), got, 64);
    run_ok(&ref, "step batch");
    size_t np = ref.s.ts.model.nparams;
    cr_assert_eq(n, np, "%zu printed for %zu parameters:\n%s", n, np, h_out(&h));
    cr_assert_eq(nd, np);
    for (size_t q = 0; q < np; q++) {
        cr_assert(got[q] == ref.s.ts.model.params[q], "parameter %zu: explain says %.17g, step batch gives %.17g", q,
                  got[q], ref.s.ts.model.params[q]);
        cr_assert(dry[q] == got[q]);
    }
    /* explain made exactly that update, state and all. */
    assert_same_state(&h.s, &ref.s);
    h_free(&h);
    h_free(&ref);
}

Test(teach, explain_sgd_full_batch) { explain_case("load boston; scale standard; model linear; optim sgd lr=0.05; train 2"); }
Test(teach, explain_sgd_momentum_weight_decay_minibatch)
{
    explain_case("load boston; scale standard; model linear; optim sgd lr=0.01 momentum=0.9 weight_decay=0.01; "
                 "batch 50; step batch 3");
}
Test(teach, explain_adam_logistic_minibatch)
{
    explain_case("gen moons seed=5; model logistic; optim adam lr=0.05; batch 16; step batch 5");
}
Test(teach, explain_rmsprop_and_adagrad)
{
    explain_case("gen linear d=3 seed=6; model linear; optim rmsprop lr=0.01 centered=yes momentum=0.5; train 2");
    explain_case("gen linear d=3 seed=6; model linear; optim adagrad lr=0.1 lr_decay=0.01; train 2");
}

Test(teach, explain_gradient_is_the_full_batch_gradient)
{
    H h;
    h_init(&h);
    run_ok(&h, "load boston; scale standard; model linear; optim sgd lr=0.05; train 1; set precision=17");
    /* The gradient from the loss directly, for the table's g column. */
    TrainData d;
    session_train_data(&h.s, &d);
    double loss;
    FbErr e;
    cr_assert_eq(train_eval(&h.s.ts.model, &h.s.setup.loss, d.X, d.Y, d.n, d.ky, &h.s.work, &loss, true, &e), 0);
    size_t np = h.s.ts.model.nparams;
    double g[64];
    memcpy(g, h.s.ts.model.grads, np * sizeof(double));
    h_clear(&h);
    run_ok(&h, "explain dry=yes");
    /* Column 3 of each row: name, p, g, ... */
    const char *p = h_out(&h);
    size_t q = 0;
    while ((p = strstr(p, "\n  ")) && q < np) {
        p += 3;
        if (!(p[0] == 'W' || p[0] == 'b') || p[1] != '[')
            continue;
        char nm[32], col[32];
        double pv, gv;
        if (p[0] == 'W')
            cr_assert_eq(sscanf(p, "%31s %31s %lf %lf", nm, col, &pv, &gv), 4);
        else
            cr_assert_eq(sscanf(p, "%31s %lf %lf", nm, &pv, &gv), 3);
        cr_assert(gv == g[q], "g of %s: %.17g vs %.17g", nm, gv, g[q]);
        cr_assert(pv == h.s.ts.model.params[q]);
        q++;
    }
    cr_assert_eq(q, np);
    h_free(&h);
}

Test(teach, explain_mlp_prints_layer_norms)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen xor seed=2; model mlp hidden=8; optim sgd lr=0.1");
    H ref;
    h_init(&ref);
    run_ok(&ref, "gen xor seed=2; model mlp hidden=8; optim sgd lr=0.1; step batch");
    run_ok(&h, "explain");
    cr_assert(strstr(h_out(&h), "W1,b1") && strstr(h_out(&h), "W2,b2"), "%s", h_out(&h));
    assert_same_state(&h.s, &ref.s);
    h_free(&h);
    h_free(&ref);
}

/* ---- pictures ---- */

Test(teach, plot_fit_curve_goes_through_noise_free_data)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen linear n=60 d=2 noise=0 seed=7; scale standard; model linear; solve; plot fit x=x1");
    PlotView pv;
    FbErr e;
    cr_assert_eq(plotview_build(&h.s, &pv, &e), 0, "%s", e.msg);
    cr_assert(!pv.heat);
    cr_assert_eq(pv.chart.nseries, 2);
    const Series *data = &pv.chart.series[0], *curve = &pv.chart.series[1];
    cr_assert_eq(data->n, 60);
    cr_assert_eq(data->style, SERIES_POINTS);
    cr_assert_eq(curve->style, SERIES_LINE);
    /* The curve is the model with x0 at its mean: y = w1*x1 + (b + w0*mean(x0)) in raw units.
     * Check it against the dataset's own numbers: a least-squares line through the raw
     * (x1, y - w0 * x0) pairs, which for noise-free data is exact. */
    const Dataset *ds = h.s.data;
    double mx0 = 0;
    for (size_t i = 0; i < ds->n; i++)
        mx0 += ds->X[i * 2] / (double)ds->n;
    /* Fit y = a0*x0 + a1*x1 + c from three rows (noise-free: exact). */
    double A[3][4];
    for (int r = 0; r < 3; r++) {
        A[r][0] = ds->X[r * 2];
        A[r][1] = ds->X[r * 2 + 1];
        A[r][2] = 1;
        A[r][3] = ds->y[r];
    }
    for (int c = 0; c < 3; c++)
        for (int r = 0; r < 3; r++)
            if (r != c) {
                double f = A[r][c] / A[c][c];
                for (int k = 0; k < 4; k++)
                    A[r][k] -= f * A[c][k];
            }
    double a0 = A[0][3] / A[0][0], a1 = A[1][3] / A[1][1], c0 = A[2][3] / A[2][2];
    for (size_t t = 0; t < curve->n; t += 17) {
        double x = curve->x[t];
        cr_assert_float_eq(curve->y[t], a0 * mx0 + a1 * x + c0, 1e-9);
    }
    /* The data points are the raw x1 and y. */
    cr_assert_float_eq(data->x[0], ds->X[1], 1e-12);
    plotview_free(&pv);
    char *text = plotview_text(&h.s, 78, 20, &e);
    cr_assert_not_null(text);
    cr_assert(strstr(text, "fit: y against x1"), "%s", text);
    free(text);
    h_free(&h);
}

Test(teach, plot_boundary_regions_follow_the_model)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen moons n=150 seed=8; scale standard; model logistic; optim sgd lr=0.5; train 30; plot boundary");
    PlotView pv;
    FbErr e;
    cr_assert_eq(plotview_build_sized(&h.s, &pv, 40, 30, &e), 0, "%s", e.msg);
    cr_assert(pv.heat);
    cr_assert_eq(pv.hc.nx, 40);
    cr_assert_eq(pv.hc.ny, 30);
    cr_assert_eq(pv.hc.npoints, h.s.prep->train.n);
    double xs[40], ys[30];
    chart_heat_coords(&pv.hc, 40, 30, xs, ys);
    const Prepared *p = h.s.prep;
    const double *W = h.s.ts.model.params;
    int side[2] = {0, 0};
    for (int j = 0; j < 30; j++)
        for (int i = 0; i < 40; i++) {
            /* The logit at the sample, by hand: standardize, then W·x + b. */
            double z = W[0] * (xs[i] - p->shift[0]) / p->scale[0] + W[1] * (ys[j] - p->shift[1]) / p->scale[1] + W[2];
            double prob = 1 / (1 + exp(-z));
            uint8_t lv = pv.samples[j * 40 + i];
            cr_assert_eq(lv, chart_heat_level(prob, 0, 1), "sample (%d,%d)", i, j);
            side[prob > 0.5]++;
        }
    cr_assert(side[0] > 0 && side[1] > 0, "both classes have a region");
    /* Points are the training rows coloured by class: two colours. */
    uint8_t c0 = pv.pcolor[0];
    bool two = false;
    for (size_t k = 0; k < pv.hc.npoints; k++)
        two = two || pv.pcolor[k] != c0;
    cr_assert(two);
    plotview_free(&pv);
    char *text = plotview_text(&h.s, 78, 30, &e);
    cr_assert_not_null(text);
    cr_assert(strstr(text, "points: o 0 x 1"), "%s", text);
    cr_assert(strchr(text, ':') && strchr(text, 'x') && strchr(text, 'o'));
    free(text);
    /* Not two inputs (a one-input regression, three-input classes): a clear error and the plot choice kept. */
    h_free(&h);
    h_init(&h);
    run_ok(&h, "gen sine; model linear; plot loss");
    cr_assert_neq(h_run(&h, "plot boundary"), 0);
    cr_assert(strstr(h_err(&h), "two inputs") && strstr(h_err(&h), "plot fit"), "%s", h_err(&h));
    cr_assert_str_eq(h.s.plot, "loss");
    run_ok(&h, "gen blobs d=3 seed=1; model softmax");
    cr_assert_neq(h_run(&h, "plot boundary"), 0);
    cr_assert(strstr(h_err(&h), "two inputs"), "%s", h_err(&h));
    h_free(&h);
}

Test(teach, plot_surface_shows_path_and_the_optimum)
{
    H h;
    h_init(&h);
    run_ok(&h, "load boston drop=CRIM,ZN,INDUS,CHAS,NOX,AGE,DIS,RAD,TAX,PTRATIO,B,LSTAT; scale standard; "
               "model linear; optim sgd lr=0.05; train 20");
    cr_assert_eq(h.s.path.n, 21, "the start and one point per update");
    cr_assert(h.s.path.p[0] == 0 && h.s.path.p[1] == 0, "the path starts at the initial parameters");
    cr_assert(memcmp(h.s.path.p + 20 * 2, h.s.ts.model.params, 2 * sizeof(double)) == 0);
    run_ok(&h, "plot surface p1=W[0,0] p2=b[0]");
    PlotView pv;
    FbErr e;
    cr_assert_eq(plotview_build_sized(&h.s, &pv, 60, 40, &e), 0, "%s", e.msg);
    cr_assert(pv.heat);
    /* The closed-form optimum: standardized x, so b* = mean(y), W* = cov(x, y)/var(x). */
    const Part *tr = &h.s.prep->train;
    double my = 0, sxy = 0, sxx = 0;
    for (size_t i = 0; i < tr->n; i++)
        my += tr->Y[i] / (double)tr->n;
    for (size_t i = 0; i < tr->n; i++) {
        sxy += tr->X[i] * (tr->Y[i] - my);
        sxx += tr->X[i] * tr->X[i];
    }
    double wopt = sxy / sxx, bopt = my;
    const HeatChart *hc = &pv.hc;
    cr_assert(wopt > hc->xmin && wopt < hc->xmax && bopt > hc->ymin && bopt < hc->ymax,
              "the optimum (%g, %g) is on the map [%g,%g]x[%g,%g]", wopt, bopt, hc->xmin, hc->xmax, hc->ymin,
              hc->ymax);
    int i = (int)((wopt - hc->xmin) / (hc->xmax - hc->xmin) * hc->nx);
    int j = (int)((hc->ymax - bopt) / (hc->ymax - hc->ymin) * hc->ny);
    cr_assert_eq(pv.samples[j * hc->nx + i], GC_HEAT0, "the optimum is in the lowest band");
    /* Shading grows away from the optimum: the corners are higher than it. */
    cr_assert(pv.samples[0] > GC_HEAT0 && pv.samples[hc->nx * hc->ny - 1] > GC_HEAT0);
    /* The path is drawn: its points are the recorded parameters, then the lowest and current. */
    cr_assert_eq(hc->npoints, 21 + 2);
    cr_assert(hc->px[0] == 0 && hc->py[0] == 0);
    cr_assert(hc->px[22] == h.s.ts.model.params[0] && hc->py[22] == h.s.ts.model.params[1]);
    plotview_free(&pv);
    char *text = plotview_text(&h.s, 78, 30, &e);
    cr_assert_not_null(text);
    cr_assert(strchr(text, 'X') && strchr(text, '*') && strstr(text, "o the path"), "%s", text);
    free(text);
    cr_assert_neq(h_run(&h, "plot surface p1=W[0,7]"), 0);
    cr_assert(strstr(h_err(&h), "outside"), "%s", h_err(&h));
    /* reset starts a new path; undo brings the old one back. */
    run_ok(&h, "reset");
    cr_assert_eq(h.s.path.n, 0);
    run_ok(&h, "undo");
    cr_assert_eq(h.s.path.n, 21);
    h_free(&h);
}

Test(teach, save_plot_writes_svg_for_pictures)
{
    char dir[] = "/tmp/fbteachXXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    H h;
    h_init(&h);
    char line[512];
    snprintf(line, sizeof line, "gen circles n=100 seed=1; model mlp hidden=4; train 5; plot boundary; "
                                "save plot %s/b.svg",
             dir);
    run_ok(&h, line);
    snprintf(line, sizeof line, "%s/b.svg", dir);
    FILE *f = fopen(line, "r");
    cr_assert_not_null(f);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = 0;
    fclose(f);
    cr_assert(strstr(buf, "<svg") && strstr(buf, "<rect") && strstr(buf, "decision boundary"));
    unlink(line);
    rmdir(dir);
    h_free(&h);
}

/* ---- record and replay ---- */

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f, "%s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    b[n] = 0;
    fclose(f);
    return b;
}

/* Drop the last field (seconds) of every line. */
/* Remove the 7th column (seconds: wall time) of every line; the metric columns after it stay. */
static void drop_seconds(char *csv)
{
    char *r = csv, *w = csv;
    int field = 0;
    for (; *r; r++) {
        if (*r == '\n')
            field = 0;
        else if (*r == ',' && ++field == 6)
            continue; /* the comma before seconds */
        if (field != 6)
            *w++ = *r;
    }
    *w = 0;
}

Test(teach, recorded_session_replays_to_identical_history)
{
    char dir[] = "/tmp/fbteachXXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char rec[600], h1[600], h2[600], line[2048];
    snprintf(rec, sizeof rec, "%s/rec.fit", dir);
    snprintf(h1, sizeof h1, "%s/h1.csv", dir);
    snprintf(h2, sizeof h2, "%s/h2.csv", dir);
    H a;
    h_init(&a);
    snprintf(line, sizeof line, "record %s", rec);
    run_ok(&a, line);
    run_ok(&a, "gen spiral n=120 seed=9; split val=0.25; scale standard; model mlp hidden=8 act=tanh");
    run_ok(&a, "optim adam lr=0.02; batch 16; train 5; explain; optim sgd lr=0.1 momentum=0.9; train 3");
    run_ok(&a, "lrfind iters=20; compare lr=0.01,0.1 epochs=2; step batch 2; train 2");
    run_ok(&a, "record off");
    snprintf(line, sizeof line, "save history %s", h1);
    run_ok(&a, line);
    H b;
    h_init(&b);
    snprintf(line, sizeof line, "run %s", rec);
    run_ok(&b, line);
    snprintf(line, sizeof line, "save history %s", h2);
    run_ok(&b, line);
    char *x = slurp(h1), *y = slurp(h2);
    drop_seconds(x);
    drop_seconds(y);
    cr_assert(strlen(x) > 200);
    cr_assert_str_eq(x, y);
    free(x);
    free(y);
    unlink(rec);
    unlink(h1);
    unlink(h2);
    rmdir(dir);
    h_free(&a);
    h_free(&b);
}

Test(teach, path_is_thinned_not_truncated)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen linear n=200 seed=3; model linear; optim sgd lr=0.01; batch 1; train 15");
    const ParamPath *pp = &h.s.path;
    /* 3000 updates: more than PATH_CAP points, so every other one was dropped once. */
    cr_assert(pp->n <= PATH_CAP && pp->n > PATH_CAP / 2, "%zu points", pp->n);
    cr_assert_eq(pp->every, 2);
    cr_assert(pp->p[0] == 0 && pp->p[1] == 0, "the start is kept");
    /* Point i is the parameters after 2i updates: replay 2*5 updates and compare point 5. */
    H r;
    h_init(&r);
    run_ok(&r, "gen linear n=200 seed=3; model linear; optim sgd lr=0.01; batch 1; step batch 10");
    cr_assert(memcmp(pp->p + 5 * pp->dim, r.s.ts.model.params, pp->dim * sizeof(double)) == 0);
    h_free(&r);
    h_free(&h);
}

/* compare's paths belong to the model they ran from: after scale standard starts the model over, plot surface no
 * longer draws (or lists) them on the new surface. */
Test(teach, surface_drops_compare_paths_of_an_older_model)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen linear n=60 seed=4; model linear; optim sgd lr=0.1; compare lr=0.01,0.05 epochs=5; plot surface");
    PlotView pv;
    FbErr e;
    cr_assert_eq(plotview_build_sized(&h.s, &pv, 20, 20, &e), 0, "%s", e.msg);
    cr_assert(strstr(pv.note, "1 lr=0.01") && strstr(pv.key, "2 lr=0.05"), "%s | %s", pv.note, pv.key);
    size_t with = pv.hc.npoints;
    plotview_free(&pv);
    run_ok(&h, "scale standard; plot surface");
    cr_assert_eq(plotview_build_sized(&h.s, &pv, 20, 20, &e), 0, "%s", e.msg);
    cr_assert(!strstr(pv.note, "lr=0.01") && !strstr(pv.key, "lr=0.05"), "%s | %s", pv.note, pv.key);
    cr_assert(pv.hc.npoints < with, "%zu points, %zu before", pv.hc.npoints, with);
    plotview_free(&pv);
    h_free(&h);
}

/* plot boundary points=all: every split's points with its own markers (train o x, val O X, test digits), a point
 * the model puts in the other class as '!' (checked against the logit by hand); hard=yes shades two levels only. */
Test(teach, plot_boundary_splits_misclassified_and_hard)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen moons n=200 noise=0.2 seed=5; split val=0.25 test=0.2 seed=1; scale standard; model logistic; "
               "optim sgd lr=0.5; train 50; plot boundary points=all hard=yes");
    PlotView pv;
    FbErr e;
    cr_assert_eq(plotview_build_sized(&h.s, &pv, 30, 20, &e), 0, "%s", e.msg);
    const Prepared *p = h.s.prep;
    const Part *parts[3] = {&p->train, &p->val, &p->test};
    const double *W = h.s.ts.model.params;
    size_t at = 0;
    static const char mk[3][2] = {{'o', 'x'}, {'O', 'X'}, {'0', '1'}};
    int wrong = 0;
    for (int q = 0; q < 3; q++)
        for (size_t i = 0; i < parts[q]->n; i++, at++) {
            const double *x = parts[q]->X + i * p->d;
            double z = W[0] * x[0] + W[1] * x[1] + W[2];
            int c = (int)parts[q]->L[i], pred = z > 0;
            uint32_t want = pred != c ? '!' : (uint32_t)mk[q][c];
            wrong += pred != c;
            cr_assert_eq(pv.pglyph[at], want, "split %d row %zu: '%c', want '%c'", q, i, (char)pv.pglyph[at],
                         (char)want);
        }
    cr_assert_eq(at, pv.hc.npoints);
    cr_assert(wrong > 0, "noise 0.2 leaves some points on the wrong side");
    for (int i = 0; i < 30 * 20; i++)
        cr_assert(pv.samples[i] == GC_HEAT0 || pv.samples[i] == GC_HEAT0 + GC_NHEAT - 1, "hard=yes: two levels");
    cr_assert(strstr(pv.note, "! misclassified"), "%s", pv.note);
    plotview_free(&pv);
    /* The default: the training points only. */
    run_ok(&h, "plot boundary");
    cr_assert_eq(plotview_build_sized(&h.s, &pv, 30, 20, &e), 0, "%s", e.msg);
    cr_assert_eq(pv.hc.npoints, p->train.n);
    plotview_free(&pv);
    cr_assert_neq(h_run(&h, "plot boundary points=everything"), 0);
    h_free(&h);
}

/* plot surface of a linear model under mse comes from the fitted quadratic, not from the data at every grid point:
 * its shading is the one the losses evaluated on the data give (at most 1% of the samples one level off, at a
 * level's edge). */
Test(teach, surface_quadratic_matches_the_data)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen linear n=300 d=3 noise=0.5 seed=7; model linear; optim sgd lr=0.05; train 5; plot surface p1=W[0,1] p2=W[0,0]");
    PlotView pv;
    FbErr e;
    int nx = 16, ny = 12;
    cr_assert_eq(plotview_build_sized(&h.s, &pv, nx, ny, &e), 0, "%s", e.msg);
    double xs[16], ys[12], L[16 * 12], lo = INFINITY, hi = -INFINITY;
    chart_heat_coords(&pv.hc, nx, ny, xs, ys);
    Model m;
    cr_assert_eq(model_clone(&m, &h.s.ts.model, &e), 0);
    TrainWork w;
    memset(&w, 0, sizeof w);
    TrainData d;
    session_train_data(&h.s, &d);
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++) {
            m.params[1] = xs[i]; /* W[0,1] */
            m.params[0] = ys[j]; /* W[0,0] */
            cr_assert_eq(train_eval(&m, &h.s.setup.loss, d.X, d.Y, d.n, d.ky, &w, &L[j * nx + i], false, &e), 0);
            lo = fmin(lo, L[j * nx + i]);
            hi = fmax(hi, L[j * nx + i]);
        }
    double span = hi - lo, delta = 0.01 * span;
    int off = 0;
    for (int q = 0; q < nx * ny; q++) {
        int want = chart_heat_level(log(L[q] - lo + delta), log(delta), log(span + delta));
        cr_assert(abs(want - pv.samples[q]) <= 1, "sample %d: level %d, the data say %d", q, pv.samples[q], want);
        off += want != pv.samples[q];
    }
    cr_assert(off <= nx * ny / 100, "%d samples off by a level", off);
    model_free(&m);
    train_work_free(&w);
    plotview_free(&pv);
    h_free(&h);
}

/* plot boundary of a two-input regression: the prediction shaded in eight levels (checked by hand for a linear
 * model), the training points as the digit of their target's level on the same scale. */
Test(teach, plot_boundary_regression_heat_map)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen linear n=120 d=2 noise=0.3 seed=2; model linear; solve; plot boundary");
    PlotView pv;
    FbErr e;
    cr_assert_eq(plotview_build_sized(&h.s, &pv, 20, 14, &e), 0, "%s", e.msg);
    cr_assert(strstr(pv.title, "prediction of"), "%s", pv.title);
    const Prepared *p = h.s.prep;
    const double *W = h.s.ts.model.params;
    double xs[20], ys[14], Z[20 * 14], lo = INFINITY, hi = -INFINITY;
    chart_heat_coords(&pv.hc, 20, 14, xs, ys);
    for (int j = 0; j < 14; j++)
        for (int i = 0; i < 20; i++) {
            Z[j * 20 + i] = W[0] * xs[i] + W[1] * ys[j] + W[2]; /* no scaling: raw inputs */
            lo = fmin(lo, Z[j * 20 + i]), hi = fmax(hi, Z[j * 20 + i]);
        }
    for (size_t i = 0; i < p->train.n; i++)
        lo = fmin(lo, p->train.Y[i]), hi = fmax(hi, p->train.Y[i]);
    int off = 0;
    for (int q = 0; q < 20 * 14; q++)
        off += pv.samples[q] != chart_heat_level(Z[q], lo, hi);
    cr_assert(off <= 2, "%d samples differ from the prediction's level", off);
    cr_assert_eq(pv.hc.npoints, p->train.n);
    for (size_t i = 0; i < p->train.n; i++)
        cr_assert_eq(pv.pglyph[i], (uint32_t)('0' + chart_heat_level(p->train.Y[i], lo, hi) - GC_HEAT0));
    plotview_free(&pv);
    h_free(&h);
}
