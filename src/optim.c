/* optim.c — torch.optim's single-tensor (foreach=False) updates over flat arrays.
 *
 * Every expression keeps torch's operation order so results agree with
 * PyTorch 1.13 to the last bits: torch's CPU kernels compute
 *   add(a, b, alpha)        a + alpha * b
 *   addcmul(s, t1, t2, v)   s + v * t1 * t2      ((v * t1) * t2)
 *   addcdiv(s, t1, t2, v)   s + v * t1 / t2      ((v * t1) / t2)
 * and the scalars (1 - beta, lr / bias_correction, ...) in double, as Python
 * does.  The loops are elementwise with divisions and square roots, so they
 * stay plain loops (no BLAS routine expresses them without changing the
 * rounding). */
#include "fitbench/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Keep every operation rounded as written (no fused multiply-add), which is
 * how the reference numbers were computed.  GCC does this in ISO C mode
 * (-std=c17, -ffp-contract=off); clang needs the pragma. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

const char *optim_name(OptKind k)
{
    switch (k) {
    case OPT_SGD: return "sgd";
    case OPT_ADAM: return "adam";
    case OPT_ADAMW: return "adamw";
    case OPT_RMSPROP: return "rmsprop";
    case OPT_ADAGRAD: return "adagrad";
    }
    return "?";
}

void optim_defaults(OptCfg *cfg, OptKind kind)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->kind = kind;
    cfg->beta1 = 0.9;
    cfg->beta2 = 0.999;
    cfg->eps = 1e-8;
    cfg->alpha = 0.99;
    switch (kind) {
    case OPT_SGD: cfg->lr = 0.01; break;
    case OPT_ADAM: cfg->lr = 1e-3; break;
    case OPT_ADAMW: cfg->lr = 1e-3; cfg->weight_decay = 1e-2; break;
    case OPT_RMSPROP: cfg->lr = 1e-2; break;
    case OPT_ADAGRAD: cfg->lr = 1e-2; cfg->eps = 1e-10; break;
    }
}

/* x >= 0 and not NaN (torch's `not 0.0 <= x` test). */
static bool nonneg(double x) { return x >= 0.0; }

const char *optim_check(const OptCfg *cfg)
{
    /* torch accepts lr == 0 (and SGD even NaN); a zero lr is never what a
     * user of a workbench means, so fitbench asks for a finite lr > 0. */
    if (!(cfg->lr > 0.0) || !isfinite(cfg->lr)) return "invalid lr: must be a finite number > 0";
    if (!nonneg(cfg->weight_decay) || !isfinite(cfg->weight_decay))
        return "invalid weight_decay: must be >= 0";
    switch (cfg->kind) {
    case OPT_SGD:
        if (!nonneg(cfg->momentum) || !isfinite(cfg->momentum)) return "invalid momentum: must be >= 0";
        if (!isfinite(cfg->dampening)) return "invalid dampening: must be a finite number";
        if (cfg->nesterov && (cfg->momentum <= 0.0 || cfg->dampening != 0.0))
            return "nesterov momentum requires momentum > 0 and dampening = 0";
        return NULL;
    case OPT_ADAM:
    case OPT_ADAMW:
        if (!nonneg(cfg->eps) || !isfinite(cfg->eps)) return "invalid eps: must be >= 0";
        if (!(cfg->beta1 >= 0.0 && cfg->beta1 < 1.0)) return "invalid beta1: must be in [0, 1)";
        if (!(cfg->beta2 >= 0.0 && cfg->beta2 < 1.0)) return "invalid beta2: must be in [0, 1)";
        return NULL;
    case OPT_RMSPROP:
        if (!nonneg(cfg->eps) || !isfinite(cfg->eps)) return "invalid eps: must be >= 0";
        if (!nonneg(cfg->momentum) || !isfinite(cfg->momentum)) return "invalid momentum: must be >= 0";
        if (!nonneg(cfg->alpha) || !isfinite(cfg->alpha)) return "invalid alpha: must be >= 0";
        return NULL;
    case OPT_ADAGRAD:
        if (!nonneg(cfg->lr_decay) || !isfinite(cfg->lr_decay)) return "invalid lr_decay: must be >= 0";
        if (!nonneg(cfg->initial_accumulator_value) || !isfinite(cfg->initial_accumulator_value))
            return "invalid initial_accumulator_value: must be >= 0";
        if (!nonneg(cfg->eps) || !isfinite(cfg->eps)) return "invalid eps: must be >= 0";
        return NULL;
    }
    return "unknown optimizer";
}

int optim_state_init(OptState *st, const OptCfg *cfg, size_t n, FbErr *err)
{
    memset(st, 0, sizeof *st);
    size_t len = n ? n : 1; /* keep the pointers non-NULL for n == 0 */
    st->m = fb_calloc(len, sizeof(double), "optimizer state", err);
    st->v = fb_calloc(len, sizeof(double), "optimizer state", err);
    st->vmax = fb_calloc(len, sizeof(double), "optimizer state", err);
    st->g = fb_calloc(len, sizeof(double), "optimizer state", err);
    if (!st->m || !st->v || !st->vmax || !st->g) {
        optim_state_free(st);
        return -1;
    }
    st->n = n;
    /* Adagrad fills its sum at construction; every other buffer torch
     * creates as zeros (or, for SGD, as a clone of the first gradient). */
    if (cfg->kind == OPT_ADAGRAD)
        for (size_t i = 0; i < n; i++) st->v[i] = cfg->initial_accumulator_value;
    return 0;
}

void optim_state_free(OptState *st)
{
    if (!st) return;
    free(st->m);
    free(st->v);
    free(st->vmax);
    free(st->g);
    st->m = st->v = st->vmax = st->g = NULL;
    st->n = 0;
    st->step = 0;
    st->has_buf = false;
}

int optim_state_clone(OptState *dst, const OptState *src, FbErr *err)
{
    OptState tmp;
    memset(&tmp, 0, sizeof tmp);
    size_t len = src->n ? src->n : 1;
    double **dstb[4] = { &tmp.m, &tmp.v, &tmp.vmax, &tmp.g };
    const double *srcb[4] = { src->m, src->v, src->vmax, src->g };
    for (int b = 0; b < 4; b++) {
        *dstb[b] = fb_malloc(len, sizeof(double), "optimizer state", err);
        if (!*dstb[b]) {
            optim_state_free(&tmp);
            return -1;
        }
        if (srcb[b]) memcpy(*dstb[b], srcb[b], src->n * sizeof(double));
        else memset(*dstb[b], 0, len * sizeof(double));
    }
    tmp.n = src->n;
    tmp.step = src->step;
    tmp.has_buf = src->has_buf;
    *dst = tmp;
    return 0;
}

/* torch.optim.SGD, _single_tensor_sgd. */
static void step_sgd(const OptCfg *c, double lr, OptState *st, double *p, const double *g, size_t n)
{
    const double wd = c->weight_decay, mom = c->momentum, damp = c->dampening;
    const bool first = !st->has_buf;
    for (size_t i = 0; i < n; i++) {
        double d = g[i];
        if (wd != 0.0) d = d + wd * p[i];               /* d_p = d_p.add(param, alpha=wd) */
        if (mom != 0.0) {
            if (first) st->m[i] = d;                      /* buf = clone(d_p) */
            else st->m[i] = st->m[i] * mom + (1.0 - damp) * d;
            if (c->nesterov) d = d + mom * st->m[i];      /* d_p = d_p.add(buf, alpha=momentum) */
            else d = st->m[i];
        }
        p[i] = p[i] + (-lr) * d;                          /* param.add_(d_p, alpha=-lr) */
    }
    if (mom != 0.0) st->has_buf = true;
}

/* torch.optim.Adam / AdamW, _single_tensor_adam(w), capturable=False. */
static void step_adam(const OptCfg *c, double lr, OptState *st, double *p, const double *g, size_t n,
                      bool decoupled)
{
    const double b1 = c->beta1, b2 = c->beta2, wd = c->weight_decay, eps = c->eps;
    const double step = (double)st->step;                /* already incremented */
    const double bc1 = 1.0 - pow(b1, step);
    const double bc2 = 1.0 - pow(b2, step);
    const double step_size = lr / bc1;
    const double bc2_sqrt = sqrt(bc2);
    const double decay = 1.0 - lr * wd;                  /* AdamW: param.mul_(1 - lr * wd) */
    for (size_t i = 0; i < n; i++) {
        double gi = g[i];
        if (decoupled) p[i] = p[i] * decay;
        else if (wd != 0.0) gi = gi + wd * p[i];
        st->m[i] = st->m[i] * b1 + (1.0 - b1) * gi;
        st->v[i] = st->v[i] * b2 + (1.0 - b2) * gi * gi;
        double denom;
        if (c->amsgrad) {
            /* torch.maximum propagates NaN */
            double a = st->vmax[i], b = st->v[i];
            st->vmax[i] = (isnan(a) || isnan(b)) ? NAN : (a > b ? a : b);
            denom = sqrt(st->vmax[i]) / bc2_sqrt + eps;
        } else {
            denom = sqrt(st->v[i]) / bc2_sqrt + eps;
        }
        p[i] = p[i] + (-step_size) * st->m[i] / denom;
    }
}

/* torch.optim.RMSprop, _single_tensor_rmsprop. */
static void step_rmsprop(const OptCfg *c, double lr, OptState *st, double *p, const double *g, size_t n)
{
    const double alpha = c->alpha, wd = c->weight_decay, eps = c->eps, mom = c->momentum;
    for (size_t i = 0; i < n; i++) {
        double gi = g[i];
        if (wd != 0.0) gi = gi + wd * p[i];
        st->v[i] = st->v[i] * alpha + (1.0 - alpha) * gi * gi;
        double avg;
        if (c->centered) {
            st->g[i] = st->g[i] * alpha + (1.0 - alpha) * gi;
            avg = sqrt(st->v[i] + (-1.0) * st->g[i] * st->g[i]);
        } else {
            avg = sqrt(st->v[i]);
        }
        avg = avg + eps;
        if (mom > 0.0) {
            st->m[i] = st->m[i] * mom + 1.0 * gi / avg;
            p[i] = p[i] + (-lr) * st->m[i];
        } else {
            p[i] = p[i] + (-lr) * gi / avg;
        }
    }
}

/* torch.optim.Adagrad, _single_tensor_adagrad (dense). */
static void step_adagrad(const OptCfg *c, double lr, OptState *st, double *p, const double *g, size_t n)
{
    const double wd = c->weight_decay, eps = c->eps;
    const double clr = lr / (1.0 + ((double)st->step - 1.0) * c->lr_decay);
    for (size_t i = 0; i < n; i++) {
        double gi = g[i];
        if (wd != 0.0) gi = gi + wd * p[i];
        st->v[i] = st->v[i] + 1.0 * gi * gi;
        double std = sqrt(st->v[i]) + eps;
        p[i] = p[i] + (-clr) * gi / std;
    }
}

void optim_step(const OptCfg *cfg, double lr, OptState *st, double *params, const double *grads, size_t n)
{
    if (n > st->n) n = st->n; /* never touch past the state's buffers */
    st->step++;
    switch (cfg->kind) {
    case OPT_SGD: step_sgd(cfg, lr, st, params, grads, n); break;
    case OPT_ADAM: step_adam(cfg, lr, st, params, grads, n, false); break;
    case OPT_ADAMW: step_adam(cfg, lr, st, params, grads, n, true); break;
    case OPT_RMSPROP: step_rmsprop(cfg, lr, st, params, grads, n); break;
    case OPT_ADAGRAD: step_adagrad(cfg, lr, st, params, grads, n); break;
    }
}
