/* gradcheck.c — centred finite differences against the analytic gradient, per layer (gradcheck.h). */
#include "fitbench/gradcheck.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *gradcheck_band(double rel)
{
    if (!(rel < 1e-2))
        return "probably wrong";
    if (rel >= 1e-4)
        return "uncomfortable";
    if (rel >= 1e-7)
        return "ok only with kinks (relu, mae, hinge)";
    return "fine";
}

/* The mean loss over the rows at the current parameters. */
static int loss_at(Model *m, const LossCfg *loss, const double *X, const double *Y, size_t rows, size_t ky,
                   TrainWork *w, double *out, FbErr *err)
{
    return train_eval(m, loss, X, Y, rows, ky, w, out, false, err);
}

/* Layer l's parameters [lo, hi) in the flat buffer: W_l then b_l, adjacent (model.h). */
static void layer_range(const Model *m, size_t l, size_t *lo, size_t *hi)
{
    *lo = m->woff[l];
    *hi = m->boff[l] + m->sizes[l + 1];
}

/* One layer: numerical derivatives of the parameters chosen, compared with a (nparams). */
static int check_layer(Model *m, const LossCfg *loss, const double *X, const double *Y, size_t rows, size_t ky,
                       TrainWork *w, double eps, size_t max_per_layer, const double *a, size_t l, GradLayer *gl,
                       FbErr *err)
{
    size_t lo, hi;
    layer_range(m, l, &lo, &hi);
    size_t total = hi - lo, take = max_per_layer && total > max_per_layer ? max_per_layer : total;
    double dd = 0, aa = 0, nn = 0, amax = 0;
    double *num = fb_malloc(take, sizeof *num, "the numerical gradient", err);
    if (!num)
        return -1;
    for (size_t c = 0; c < take; c++) {
        size_t q = lo + (take == total ? c : c * total / take);
        double keep = m->params[q], lp, lm;
        m->params[q] = keep + eps;
        int rc = loss_at(m, loss, X, Y, rows, ky, w, &lp, err);
        m->params[q] = keep - eps;
        rc = rc ? rc : loss_at(m, loss, X, Y, rows, ky, w, &lm, err);
        m->params[q] = keep;
        if (rc) {
            free(num);
            return -1;
        }
        num[c] = (lp - lm) / (2 * eps);
        double d = a[q] - num[c];
        dd += d * d, aa += a[q] * a[q], nn += num[c] * num[c];
        amax = fmax(amax, fmax(fabs(a[q]), fabs(num[c])));
    }
    *gl = (GradLayer){.checked = take, .total = total, .worst_q = lo, .worst = 0};
    double den = fmax(sqrt(aa), sqrt(nn));
    gl->rel = den == 0 ? (dd == 0 ? 0 : NAN) : sqrt(dd) / den;
    if (!isfinite(dd) || !isfinite(den))
        gl->rel = NAN;
    for (size_t c = 0; c < take; c++) {
        size_t q = lo + (take == total ? c : c * total / take);
        double e = fmax(fabs(a[q]), fabs(num[c]));
        double r = e > 1e-6 * amax ? fabs(a[q] - num[c]) / e : 0;
        if (r > gl->worst || c == 0 || isnan(r)) {
            gl->worst = r, gl->worst_q = q, gl->worst_a = a[q], gl->worst_n = num[c];
            if (isnan(r))
                break;
        }
    }
    free(num);
    return 0;
}

int gradcheck_run(Model *m, const LossCfg *loss, const double *X, const double *Y, size_t rows, size_t ky,
                  TrainWork *w, double eps, size_t max_per_layer, const double *analytic, GradReport *out,
                  FbErr *err)
{
    memset(out, 0, sizeof *out);
    if (!(eps > 0) || !isfinite(eps))
        return fb_fail(err, "eps must be a positive number (1e-6, say)");
    if (rows == 0)
        return fb_fail(err, "no training rows to take the loss over");
    size_t np = m->nparams;
    double *a = fb_malloc(np, sizeof *a, "the analytic gradient", err);
    if (!a)
        return -1;
    if (train_eval(m, loss, X, Y, rows, ky, w, &out->loss, true, err)) {
        free(a);
        return -1;
    }
    memcpy(a, analytic ? analytic : m->grads, np * sizeof *a);
    out->rows = rows;
    out->eps = eps;
    out->nlayers = m->nlayers;
    for (size_t l = 0; l < m->nlayers; l++)
        if (check_layer(m, loss, X, Y, rows, ky, w, eps, max_per_layer, a, l, &out->layer[l], err)) {
            free(a);
            return -1;
        }
    free(a);
    return 0;
}
