/* penalty.c — L1 and L2 penalty terms on the weights: their value and their gradient (penalty.h). */
#include "fitbench/penalty.h"

#include <math.h>

double penalty_value(const LossCfg *cfg, const Model *m)
{
    if (!penalty_on(cfg))
        return 0.0;
    double s1 = 0, s2 = 0;
    for (size_t l = 0; l < m->nlayers; l++) {
        const double *W = m->params + m->woff[l]; /* (sizes[l+1], sizes[l]) */
        size_t nw = m->sizes[l + 1] * m->sizes[l];
        for (size_t i = 0; i < nw; i++) {
            s1 += fabs(W[i]);
            s2 += W[i] * W[i];
        }
    }
    return cfg->l1 * s1 + cfg->l2 * s2;
}

void penalty_grad_range(const LossCfg *cfg, const Model *m, double *grads, size_t lo, size_t hi)
{
    if (!penalty_on(cfg))
        return;
    double l1 = cfg->l1, l2x2 = 2.0 * cfg->l2;
    for (size_t l = 0; l < m->nlayers; l++) {
        size_t a = m->woff[l], z = a + m->sizes[l + 1] * m->sizes[l]; /* W_l is params[a, z) */
        a = a > lo ? a : lo;
        z = z < hi ? z : hi;
        for (size_t q = a; q < z; q++) {
            double w = m->params[q];
            double sg = w > 0 ? 1.0 : w < 0 ? -1.0 : w; /* torch.sign: 0 at 0, NaN stays NaN */
            grads[q] += l1 * sg + l2x2 * w;
        }
    }
}

void penalty_grad_add(const LossCfg *cfg, const Model *m, double *grads)
{
    penalty_grad_range(cfg, m, grads, 0, m->nparams);
}

int penalty_check(const char *key, double v, FbErr *err)
{
    if (!isfinite(v) || v < 0)
        return fb_fail(err, "%s= must be a finite number >= 0 (the penalty's strength; 0 turns it off), not %g", key,
                       v);
    return 0;
}
