/* optim.c — torch.optim's single-tensor (foreach=False) updates over flat arrays.
 *
 * Every expression keeps torch's operation order so results agree with
 * PyTorch 1.13 to the last bits: torch's CPU kernels compute
 *   add(a, b, alpha)        a + alpha * b
 *   addcmul(s, t1, t2, v)   s + v * t1 * t2      ((v * t1) * t2)
 *   addcdiv(s, t1, t2, v)   s + v * t1 / t2      ((v * t1) / t2)
 * and the scalars (1 - beta, lr / bias_correction, ...) in double, as Python
 * does.  The loops are elementwise with divisions and square roots (no BLAS
 * routine expresses them without changing the rounding); on CPUs with AVX
 * they run four elements at a time with the same operations in the same
 * order, which gives the same bits. */
#include "fitbench/optim.h"
#include "fitbench/strutil.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Keep every operation rounded as written (no fused multiply-add), which is
 * how the reference numbers were computed.  GCC does this in ISO C mode
 * (-std=c17, -ffp-contract=off); clang needs the pragma. */
#ifdef __clang__
#pragma STDC FP_CONTRACT OFF
#endif

const char *const optim_names[] = {"sgd", "adam", "adamw", "rmsprop", "adagrad", NULL};

const char *optim_name(OptKind k)
{
    return (unsigned)k <= OPT_ADAGRAD ? optim_names[k] : "?";
}

int optim_from_name(const char *name, OptKind *k)
{
    int i = fb_name_index(optim_names, name);
    return i < 0 ? -1 : (*k = (OptKind)i, 0);
}

/* Each option once (compare's keys), and in the same order where it lives in OptCfg and whether it is
 * yes/no. */
static const char *const all_options[] = {"lr", "momentum", "dampening", "nesterov", "weight_decay", "beta1",
                                          "beta2", "eps", "alpha", "centered", "amsgrad", "lr_decay",
                                          "initial_accumulator_value", NULL};
typedef struct OptField {
    size_t off;
    bool is_bool;
} OptField;
static const OptField opt_fields[] = {
    {offsetof(OptCfg, lr), false},       {offsetof(OptCfg, momentum), false},
    {offsetof(OptCfg, dampening), false}, {offsetof(OptCfg, nesterov), true},
    {offsetof(OptCfg, weight_decay), false}, {offsetof(OptCfg, beta1), false},
    {offsetof(OptCfg, beta2), false},    {offsetof(OptCfg, eps), false},
    {offsetof(OptCfg, alpha), false},    {offsetof(OptCfg, centered), true},
    {offsetof(OptCfg, amsgrad), true},   {offsetof(OptCfg, lr_decay), false},
    {offsetof(OptCfg, initial_accumulator_value), false},
};
_Static_assert(sizeof opt_fields / sizeof opt_fields[0] + 1 == sizeof all_options / sizeof all_options[0],
               "one field per option name");

/* Per optimizer, in the order of torch's constructor. */
static const char *const opt_options[][8] = {
    [OPT_SGD] = {"lr", "momentum", "dampening", "nesterov", "weight_decay", NULL},
    [OPT_ADAM] = {"lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad", NULL},
    [OPT_ADAMW] = {"lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad", NULL},
    [OPT_RMSPROP] = {"lr", "alpha", "eps", "weight_decay", "momentum", "centered", NULL},
    [OPT_ADAGRAD] = {"lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps", NULL},
};

const char *const *optim_options(OptKind k)
{
    static const char *const none[] = {NULL};
    return (unsigned)k <= OPT_ADAGRAD ? opt_options[k] : none;
}

const char *const *optim_all_options(void)
{
    return all_options;
}

bool optim_takes(OptKind k, const char *key)
{
    return fb_name_index(optim_options(k), key) >= 0;
}

static const OptField *opt_field(const char *key)
{
    int i = fb_name_index(all_options, key);
    return i < 0 ? NULL : &opt_fields[i];
}

bool optim_option_is_bool(const char *key)
{
    const OptField *f = opt_field(key);
    return f && f->is_bool;
}

int optim_set(OptCfg *cfg, const char *key, double value)
{
    const OptField *f = opt_field(key);
    if (!f)
        return -1;
    if (f->is_bool)
        *(bool *)((char *)cfg + f->off) = value != 0;
    else
        *(double *)((char *)cfg + f->off) = value;
    return 0;
}

const char *optim_text(const OptCfg *cfg, int digits, char *buf, size_t size)
{
    size_t len = (size_t)snprintf(buf, size, "%s", optim_name(cfg->kind));
    for (const char *const *o = optim_options(cfg->kind); *o && len < size; o++) {
        const OptField *f = opt_field(*o);
        const char *p = (const char *)cfg + f->off;
        char num[40];
        const char *v = f->is_bool ? (*(const bool *)p ? "yes" : "no") : fb_fmt(num, sizeof num, *(const double *)p, digits);
        len += (size_t)snprintf(buf + len, size - len, " %s=%s", *o, v);
    }
    return buf;
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

/* The loops below run from element i0: the AVX kernels further down do the
 * bulk four at a time and leave the tail (and CPUs without AVX) to these. */

/* torch.optim.SGD, _single_tensor_sgd. */
static void step_sgd(const OptCfg *c, double lr, OptState *st, double *p, const double *g, size_t i0, size_t n)
{
    const double wd = c->weight_decay, mom = c->momentum, damp = c->dampening;
    const bool first = !st->has_buf;
    for (size_t i = i0; i < n; i++) {
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
}

/* Adam's scalars for this step, computed once (in double, as Python does). */
typedef struct AdamK {
    double b1, b2, wd, eps, step_size, bc2_sqrt, decay;
} AdamK;

static AdamK adam_consts(const OptCfg *c, double lr, const OptState *st)
{
    const double step = (double)st->step;                /* already incremented */
    const double bc1 = 1.0 - pow(c->beta1, step);
    const double bc2 = 1.0 - pow(c->beta2, step);
    return (AdamK){.b1 = c->beta1, .b2 = c->beta2, .wd = c->weight_decay, .eps = c->eps,
                   .step_size = lr / bc1, .bc2_sqrt = sqrt(bc2),
                   .decay = 1.0 - lr * c->weight_decay}; /* AdamW: param.mul_(1 - lr * wd) */
}

/* torch.optim.Adam / AdamW, _single_tensor_adam(w), capturable=False. */
static void step_adam(const OptCfg *c, const AdamK *k, OptState *st, double *p, const double *g, size_t i0,
                      size_t n, bool decoupled)
{
    const double b1 = k->b1, b2 = k->b2, wd = k->wd, eps = k->eps;
    const double step_size = k->step_size, bc2_sqrt = k->bc2_sqrt, decay = k->decay;
    for (size_t i = i0; i < n; i++) {
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
static void step_rmsprop(const OptCfg *c, double lr, OptState *st, double *p, const double *g, size_t i0, size_t n)
{
    const double alpha = c->alpha, wd = c->weight_decay, eps = c->eps, mom = c->momentum;
    for (size_t i = i0; i < n; i++) {
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
static double adagrad_clr(const OptCfg *c, double lr, const OptState *st)
{
    return lr / (1.0 + ((double)st->step - 1.0) * c->lr_decay);
}

static void step_adagrad(const OptCfg *c, double clr, OptState *st, double *p, const double *g, size_t i0, size_t n)
{
    const double wd = c->weight_decay, eps = c->eps;
    for (size_t i = i0; i < n; i++) {
        double gi = g[i];
        if (wd != 0.0) gi = gi + wd * p[i];
        st->v[i] = st->v[i] + 1.0 * gi * gi;
        double std = sqrt(st->v[i]) + eps;
        p[i] = p[i] + (-clr) * gi / std;
    }
}

/* ---- SIMD: the same expressions four (AVX) or eight (AVX-512) elements at a time
 *
 * IEEE add, mul, div and sqrt are correctly rounded in every lane exactly as
 * in scalar code, so as long as each element sees the same operations in the
 * same order (and nothing is fused: no FMA, contraction off) the results are
 * bit-identical to the loops above, whichever width runs.  AVX-512 halves
 * Adam's time where the CPU has it (15 -> 7.4 us for W3b's 17k parameters,
 * AMD EPYC): its divides and square roots bound it. */
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define OPTIM_AVX 1
#if defined(__clang__)
#pragma clang fp contract(off)
#else
#pragma GCC optimize("fp-contract=off")
#endif

#define L_FN __attribute__((target("avx")))
#define L_NAME(x) avx_##x
#define L_W 4
#define VD __m256d
#define L_SET1 _mm256_set1_pd
#define L_LOAD _mm256_loadu_pd
#define L_STORE _mm256_storeu_pd
#define L_ADD _mm256_add_pd
#define L_MUL _mm256_mul_pd
#define L_DIV _mm256_div_pd
#define L_SQRT _mm256_sqrt_pd
/* vmaxpd returns its second operand on ties and NaN; the blend makes NaN win, as torch.maximum */
#define L_MAXNAN(a, b, nan) _mm256_blendv_pd(_mm256_max_pd(a, b), nan, _mm256_cmp_pd(a, b, _CMP_UNORD_Q))
#include "optim_lanes.h"
#undef L_FN
#undef L_NAME
#undef L_W
#undef VD
#undef L_SET1
#undef L_LOAD
#undef L_STORE
#undef L_ADD
#undef L_MUL
#undef L_DIV
#undef L_SQRT
#undef L_MAXNAN

#define L_FN __attribute__((target("avx512f")))
#define L_NAME(x) avx512_##x
#define L_W 8
#define VD __m512d
#define L_SET1 _mm512_set1_pd
#define L_LOAD _mm512_loadu_pd
#define L_STORE _mm512_storeu_pd
#define L_ADD _mm512_add_pd
#define L_MUL _mm512_mul_pd
#define L_DIV _mm512_div_pd
#define L_SQRT _mm512_sqrt_pd
#define L_MAXNAN(a, b, nan) _mm512_mask_blend_pd(_mm512_cmp_pd_mask(a, b, _CMP_UNORD_Q), _mm512_max_pd(a, b), nan)
#include "optim_lanes.h"

/* Atomics (relaxed): a training crew's threads read these at once. */
static atomic_int lanes_forced; /* optim_force_lanes: 0 = the widest the CPU has */
static atomic_int lanes_known = -1;

void optim_force_lanes(int lanes) { atomic_store_explicit(&lanes_forced, lanes, memory_order_relaxed); }

/* Doubles per vector for this CPU: 8, 4, or 1 (scalar loops only). */
static int lanes(void)
{
    int known = atomic_load_explicit(&lanes_known, memory_order_relaxed);
    if (known < 0) { /* every thread that gets here computes the same answer */
        known = __builtin_cpu_supports("avx512f") ? 8 : __builtin_cpu_supports("avx") ? 4 : 1;
        atomic_store_explicit(&lanes_known, known, memory_order_relaxed);
    }
    int forced = atomic_load_explicit(&lanes_forced, memory_order_relaxed);
    return forced && forced < known ? forced : known;
}
#else
#define OPTIM_AVX 0
void optim_force_lanes(int lanes) { (void)lanes; }
#endif

/* The widest kernel the CPU has for [lo, hi); returns where the scalar loop takes over (lo without one). */
#if OPTIM_AVX
#define SIMD(kernel, ...) (lanes() == 8 ? avx512_##kernel(__VA_ARGS__) : lanes() == 4 ? avx_##kernel(__VA_ARGS__) : lo)
#else
#define SIMD(kernel, ...) lo
#endif

void optim_step_begin(OptState *st) { st->step++; }

void optim_step_range(const OptCfg *cfg, double lr, OptState *st, double *params, const double *grads, size_t lo,
                      size_t hi)
{
    if (hi > st->n) hi = st->n; /* never touch past the state's buffers */
    if (lo >= hi) return;
    size_t i0 = lo;
    switch (cfg->kind) {
    case OPT_SGD:
        i0 = SIMD(sgd, cfg, lr, st, params, grads, lo, hi);
        step_sgd(cfg, lr, st, params, grads, i0, hi);
        break;
    case OPT_ADAM:
    case OPT_ADAMW: {
        const bool decoupled = cfg->kind == OPT_ADAMW;
        const AdamK k = adam_consts(cfg, lr, st);
        i0 = SIMD(adam, cfg, &k, st, params, grads, lo, hi, decoupled);
        step_adam(cfg, &k, st, params, grads, i0, hi, decoupled);
        break;
    }
    case OPT_RMSPROP:
        i0 = SIMD(rmsprop, cfg, lr, st, params, grads, lo, hi);
        step_rmsprop(cfg, lr, st, params, grads, i0, hi);
        break;
    case OPT_ADAGRAD: {
        const double clr = adagrad_clr(cfg, lr, st);
        i0 = SIMD(adagrad, cfg, clr, st, params, grads, lo, hi);
        step_adagrad(cfg, clr, st, params, grads, i0, hi);
        break;
    }
    }
}

void optim_step_end(const OptCfg *cfg, OptState *st)
{
    if (cfg->kind == OPT_SGD && cfg->momentum != 0.0)
        st->has_buf = true;
}

void optim_step(const OptCfg *cfg, double lr, OptState *st, double *params, const double *grads, size_t n)
{
    optim_step_begin(st);
    optim_step_range(cfg, lr, st, params, grads, 0, n);
    optim_step_end(cfg, st);
}
