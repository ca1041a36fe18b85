/* model.c — stacks of torch.nn.Linear layers: build, init, forward and backward as BLAS calls. */
#include "fitbench/model.h"
#include "fitbench/strutil.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

/* Refuse models whose parameter array alone would exceed this: such a size is
 * a typo (hidden=100000000), not a model anyone trains here. */
#define MODEL_MAX_PARAMS ((size_t)1 << 31)

static int mul_ok(size_t a, size_t b, size_t *out)
{
    if (a != 0 && b > SIZE_MAX / a)
        return 0;
    *out = a * b;
    return 1;
}

static int add_ok(size_t a, size_t b, size_t *out)
{
    if (b > SIZE_MAX - a)
        return 0;
    *out = a + b;
    return 1;
}

int model_build(Model *m, ModelKind kind, Act act, const size_t *hidden, size_t nhidden,
                size_t d, size_t k, FbErr *err)
{
    memset(m, 0, sizeof *m);
    if (d == 0)
        return fb_fail(err, "the model needs at least one input feature (got 0)");
    if (k == 0)
        return fb_fail(err, "the model needs at least one output (got 0)");
    if ((int)kind < MODEL_LINEAR || kind > MODEL_MLP)
        return fb_fail(err, "unknown model kind %d", (int)kind);
    if ((int)act < ACT_RELU || act > ACT_LINEAR)
        return fb_fail(err, "unknown activation %d", (int)act);
    if (kind == MODEL_LOGISTIC && k != 1)
        return fb_fail(err, "logistic regression has one output (got %zu); use softmax for several classes", k);
    if (kind == MODEL_SOFTMAX && k < 2)
        return fb_fail(err, "softmax needs at least two classes (got %zu); use logistic for two", k);

    size_t nl = 1;
    if (kind == MODEL_MLP) {
        if (nhidden == 0 || hidden == NULL)
            return fb_fail(err, "an mlp needs at least one hidden layer (e.g. hidden=16)");
        if (nhidden + 1 > MODEL_MAX_LAYERS)
            return fb_fail(err, "too many hidden layers: %zu (at most %d)", nhidden, MODEL_MAX_LAYERS - 1);
        for (size_t i = 0; i < nhidden; i++)
            if (hidden[i] == 0)
                return fb_fail(err, "hidden layer %zu has width 0", i + 1);
        nl = nhidden + 1;
    }

    Model t = {.kind = kind, .act = act, .nlayers = nl};
    t.sizes[0] = d;
    for (size_t l = 1; l < nl; l++)
        t.sizes[l] = hidden[l - 1];
    t.sizes[nl] = k;

    /* Offsets, checked for overflow: W_l (out, in) then b_l (out). */
    size_t off = 0;
    int ok = 1;
    for (size_t l = 0; l < nl && ok; l++) {
        size_t wn;
        ok = mul_ok(t.sizes[l + 1], t.sizes[l], &wn);
        t.woff[l] = off;
        ok = ok && add_ok(off, wn, &off);
        t.boff[l] = off;
        ok = ok && add_ok(off, t.sizes[l + 1], &off);
    }
    if (!ok || off > MODEL_MAX_PARAMS) {
        /* Name the memory this would need (params + grads), approximately when it overflows. */
        double np = 0;
        for (size_t l = 0; l < nl; l++)
            np += (double)t.sizes[l + 1] * ((double)t.sizes[l] + 1.0);
        return fb_fail(err, "model too large: %.0f parameters would need %.0f bytes for parameters and gradients",
                       np, np * 2.0 * (double)sizeof(double));
    }
    t.nparams = off;
    t.params = fb_calloc(off, sizeof(double), "model parameters", err);
    if (!t.params)
        return -1;
    t.grads = fb_calloc(off, sizeof(double), "model gradients", err);
    if (!t.grads) {
        free(t.params);
        return -1;
    }
    *m = t;
    return 0;
}

void model_free(Model *m)
{
    if (!m)
        return;
    free(m->params);
    free(m->grads);
    memset(m, 0, sizeof *m);
}

int model_clone(Model *dst, const Model *src, FbErr *err)
{
    Model t = *src;
    t.params = fb_malloc(src->nparams, sizeof(double), "model parameters", err);
    t.grads = t.params ? fb_malloc(src->nparams, sizeof(double), "model gradients", err) : NULL;
    if (!t.params || !t.grads) {
        free(t.params);
        memset(dst, 0, sizeof *dst);
        return -1;
    }
    memcpy(t.params, src->params, src->nparams * sizeof(double));
    memcpy(t.grads, src->grads, src->nparams * sizeof(double));
    *dst = t;
    return 0;
}

/* U(-a, a) as torch's uniform_(-a, a): a + (b - a) * u with u in [0, 1). */
static double uniform_pm(Rng *rng, double a) { return -a + 2.0 * a * rng_uniform(rng); }

void model_init_params(Model *m, InitKind kind, double scale, Rng *rng)
{
    for (size_t l = 0; l < m->nlayers; l++) {
        size_t in = m->sizes[l], out = m->sizes[l + 1];
        double *W = m->params + m->woff[l]; /* (out, in) */
        double *b = m->params + m->boff[l]; /* (out) */
        size_t nw = out * in;
        double fan_in = (double)in, fan_out = (double)out;
        switch (kind) {
        case INIT_ZEROS:
            memset(W, 0, nw * sizeof *W);
            memset(b, 0, out * sizeof *b);
            break;
        case INIT_NORMAL: {
            double sd = scale > 0 ? scale : 0.01;
            for (size_t i = 0; i < nw; i++)
                W[i] = sd * rng_normal(rng);
            memset(b, 0, out * sizeof *b);
            break;
        }
        case INIT_UNIFORM: {
            double a = scale > 0 ? scale : 0.05;
            for (size_t i = 0; i < nw; i++)
                W[i] = uniform_pm(rng, a);
            memset(b, 0, out * sizeof *b);
            break;
        }
        case INIT_XAVIER: {
            /* xavier_uniform_(gain=1): a = sqrt(6 / (fan_in + fan_out)). */
            double a = sqrt(6.0 / (fan_in + fan_out));
            for (size_t i = 0; i < nw; i++)
                W[i] = uniform_pm(rng, a);
            memset(b, 0, out * sizeof *b);
            break;
        }
        case INIT_HE: {
            /* kaiming_normal_(mode='fan_in', nonlinearity='leaky_relu', a=0):
             * gain sqrt(2), std = gain / sqrt(fan_in). */
            double sd = sqrt(2.0) / sqrt(fan_in);
            for (size_t i = 0; i < nw; i++)
                W[i] = sd * rng_normal(rng);
            memset(b, 0, out * sizeof *b);
            break;
        }
        case INIT_TORCH: {
            /* kaiming_uniform_(a=sqrt(5)): gain sqrt(2/(1+5)), bound
             * sqrt(3) * gain / sqrt(fan_in) = 1/sqrt(fan_in); the bias uses the same bound. */
            double a = 1.0 / sqrt(fan_in);
            for (size_t i = 0; i < nw; i++)
                W[i] = uniform_pm(rng, a);
            for (size_t i = 0; i < out; i++)
                b[i] = uniform_pm(rng, a);
            break;
        }
        }
    }
}

/* Rows of all layer outputs, stacked: layer l's block starts at this offset
 * (in units of cap rows). */
static size_t sum_out(const Model *m)
{
    size_t s = 0;
    for (size_t l = 0; l < m->nlayers; l++)
        s += m->sizes[l + 1];
    return s;
}

static size_t max_size(const Model *m)
{
    size_t s = 0;
    for (size_t l = 0; l <= m->nlayers; l++)
        if (m->sizes[l] > s)
            s = m->sizes[l];
    return s;
}

int model_work_init(ModelWork *w, const Model *m, size_t cap, FbErr *err)
{
    memset(w, 0, sizeof *w);
    if (cap == 0)
        cap = 1;
    size_t na, nd;
    if (!mul_ok(cap, sum_out(m), &na) || !mul_ok(cap, max_size(m), &nd) || !mul_ok(nd, 2, &nd) ||
        na > SIZE_MAX / sizeof(double) || nd > SIZE_MAX / sizeof(double) || cap > INT32_MAX)
        return fb_fail(err, "model work space for %zu rows is too large", cap);
    w->cap = cap;
    w->act = fb_malloc(na, sizeof(double), "model activations", err);
    w->pre = w->act ? fb_malloc(na, sizeof(double), "model pre-activations", err) : NULL;
    w->delta = w->pre ? fb_malloc(nd, sizeof(double), "model backward buffers", err) : NULL;
    w->ones = w->delta ? fb_malloc(cap, sizeof(double), "model ones vector", err) : NULL;
    if (!w->ones) {
        model_work_free(w);
        return -1;
    }
    for (size_t i = 0; i < cap; i++)
        w->ones[i] = 1.0;
    return 0;
}

void model_work_free(ModelWork *w)
{
    if (!w)
        return;
    free(w->act);
    free(w->pre);
    free(w->delta);
    free(w->ones);
    memset(w, 0, sizeof *w);
}

/* Offset of layer l's (cap, sizes[l+1]) block inside w->act / w->pre. */
static size_t layer_off(const Model *m, const ModelWork *w, size_t l)
{
    size_t s = 0;
    for (size_t i = 0; i < l; i++)
        s += m->sizes[i + 1];
    return s * w->cap;
}

const double *model_work_output(const Model *m, const ModelWork *w, size_t l)
{
    return w->act + layer_off(m, w, l);
}

/* Sigmoid without overflow: exp only ever sees a non-positive argument. */
static double sigmoid(double x)
{
    if (x >= 0)
        return 1.0 / (1.0 + exp(-x));
    double e = exp(x);
    return e / (1.0 + e);
}

static void activate(Act act, const double *P, double *A, size_t len)
{
    switch (act) {
    case ACT_RELU:
        for (size_t i = 0; i < len; i++)
            A[i] = P[i] < 0 ? 0.0 : P[i]; /* keeps NaN, as torch.relu */
        break;
    case ACT_TANH:
        for (size_t i = 0; i < len; i++)
            A[i] = tanh(P[i]);
        break;
    case ACT_SIGMOID:
        for (size_t i = 0; i < len; i++)
            A[i] = sigmoid(P[i]);
        break;
    case ACT_LINEAR:
        memcpy(A, P, len * sizeof *A);
        break;
    }
}

/* G *= act'(.) written, as torch's backward formulas, in terms of the output A:
 * relu' = [A > 0] (so relu'(0) = 0), tanh' = 1 - A^2, sigmoid' = A (1 - A). */
static void act_backward(Act act, const double *A, double *G, size_t len)
{
    switch (act) {
    case ACT_RELU:
        for (size_t i = 0; i < len; i++)
            G[i] = A[i] > 0 ? G[i] : 0.0;
        break;
    case ACT_TANH:
        for (size_t i = 0; i < len; i++)
            G[i] *= 1.0 - A[i] * A[i];
        break;
    case ACT_SIGMOID:
        for (size_t i = 0; i < len; i++)
            G[i] *= A[i] * (1.0 - A[i]);
        break;
    case ACT_LINEAR:
        break;
    }
}

void model_forward(const Model *m, ModelWork *w, const double *X, size_t n, double *Z)
{
    const double *in = X; /* (n, sizes[l]) */
    for (size_t l = 0; l < m->nlayers; l++) {
        size_t din = m->sizes[l], dout = m->sizes[l + 1];
        const double *W = m->params + m->woff[l]; /* (dout, din) */
        const double *b = m->params + m->boff[l]; /* (dout) */
        double *P = w->pre + layer_off(m, w, l);  /* (n, dout) */
        /* P = 1 b^T, then P += in W^T (beta = 1), as torch's addmm(b, in, W^T). */
        for (size_t i = 0; i < n; i++)
            memcpy(P + i * dout, b, dout * sizeof *b);
        if (n > 0) {
            if (dout == 1)
                cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)din, 1.0, in, (int)din, W, 1, 1.0, P, 1);
            else
                cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)n, (int)dout, (int)din, 1.0, in,
                            (int)din, W, (int)din, 1.0, P, (int)dout);
        }
        double *A = w->act + layer_off(m, w, l); /* (n, dout) */
        if (l + 1 < m->nlayers)
            activate(m->act, P, A, n * dout);
        else
            memcpy(A, P, n * dout * sizeof *A); /* the output layer has no activation */
        in = A;
    }
    memcpy(Z, w->act + layer_off(m, w, m->nlayers - 1), n * m->sizes[m->nlayers] * sizeof *Z);
}

void model_backward(Model *m, ModelWork *w, const double *X, size_t n, const double *dZ)
{
    const double *G = dZ; /* dLoss/dP_l, (n, sizes[l+1]) */
    size_t half = w->cap * max_size(m);
    for (size_t l = m->nlayers; l-- > 0;) {
        size_t din = m->sizes[l], dout = m->sizes[l + 1];
        const double *W = m->params + m->woff[l];                      /* (dout, din) */
        double *dW = m->grads + m->woff[l];                            /* (dout, din) */
        double *db = m->grads + m->boff[l];                            /* (dout) */
        const double *in = l == 0 ? X : w->act + layer_off(m, w, l - 1); /* (n, din) */
        if (n == 0) {
            memset(dW, 0, dout * din * sizeof *dW);
            memset(db, 0, dout * sizeof *db);
            continue;
        }
        /* dW = G^T in: (dout, n)(n, din). */
        if (dout == 1)
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)din, 1.0, in, (int)din, G, 1, 0.0, dW, 1);
        else
            cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)dout, (int)din, (int)n, 1.0, G, (int)dout,
                        in, (int)din, 0.0, dW, (int)din);
        /* db = G^T 1: column sums of G. */
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)n, (int)dout, 1.0, G, (int)dout, w->ones, 1, 0.0, db, 1);
        if (l == 0)
            break;
        /* dA_{l-1} = G W: (n, dout)(dout, din), then through the activation. */
        double *Gn = w->delta + ((m->nlayers - 1 - l) % 2) * half; /* (n, din) */
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)din, (int)dout, 1.0, G, (int)dout, W,
                    (int)din, 0.0, Gn, (int)din);
        act_backward(m->act, in, Gn, n * din);
        G = Gn;
    }
}

int model_param_index(const Model *m, bool w, size_t l, size_t i, size_t j, size_t *q)
{
    if (l >= m->nlayers)
        return -1;
    size_t rows = m->sizes[l + 1], cols = m->sizes[l]; /* W_l is (rows, cols) */
    if (i >= rows || (w && j >= cols))
        return -1;
    *q = w ? m->woff[l] + i * cols + j : m->boff[l] + i;
    return 0;
}

void model_param_name(const Model *m, size_t q, char *buf, size_t size)
{
    for (size_t l = 0; l < m->nlayers; l++) {
        size_t rows = m->sizes[l + 1], cols = m->sizes[l];
        char ls[24] = "";
        if (m->nlayers > 1)
            snprintf(ls, sizeof ls, "%zu", l + 1);
        if (q >= m->woff[l] && q < m->woff[l] + rows * cols) {
            snprintf(buf, size, "W%s[%zu,%zu]", ls, (q - m->woff[l]) / cols, (q - m->woff[l]) % cols);
            return;
        }
        if (q >= m->boff[l] && q < m->boff[l] + rows) {
            snprintf(buf, size, "b%s[%zu]", ls, q - m->boff[l]);
            return;
        }
    }
    snprintf(buf, size, "p%zu", q);
}

const char *const model_kind_names[] = {"linear", "logistic", "softmax", "mlp", NULL};
const char *const act_names[] = {"relu", "tanh", "sigmoid", "linear", NULL};
const char *const init_names[] = {"zeros", "normal", "uniform", "xavier", "he", "torch", NULL};

const char *model_kind_name(ModelKind k) { return (unsigned)k <= MODEL_MLP ? model_kind_names[k] : "?"; }
const char *act_name(Act a) { return (unsigned)a <= ACT_LINEAR ? act_names[a] : "?"; }
const char *init_name(InitKind k) { return (unsigned)k <= INIT_TORCH ? init_names[k] : "?"; }

int model_kind_from_name(const char *name, ModelKind *k)
{
    int i = fb_name_index(model_kind_names, name);
    return i < 0 ? -1 : (*k = (ModelKind)i, 0);
}

int act_from_name(const char *name, Act *a)
{
    int i = fb_name_index(act_names, name);
    return i < 0 ? -1 : (*a = (Act)i, 0);
}

int init_from_name(const char *name, InitKind *k)
{
    int i = fb_name_index(init_names, name);
    return i < 0 ? -1 : (*k = (InitKind)i, 0);
}
