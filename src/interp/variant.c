/* variant.c — a copy of the session with one setting changed (variant.h): compare's table of keys, each with
 * the command that applies a value to a copy. */
#include "fitbench/variant.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/strutil.h"

/* Format a command into a fixed buffer and run it on c; a value too long for the buffer is refused. */
static int run_fmt(const VariantCtx *x, Session *c, FbErr *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int run_fmt(const VariantCtx *x, Session *c, FbErr *err, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof line)
        return fb_fail(err, "the value is too long");
    return x->run(x->it, c, line, err);
}

/* optim="sgd lr=0.02": the value's options start from that optimizer's defaults (torch's), not from the
 * session's settings, so "sgd lr=0.02" is plain SGD even when the session has momentum. */
static int apply_optim(const VariantCtx *x, const char *key, const char *val, Session *c, FbErr *err)
{
    (void)key;
    OptKind kind;
    char name[16];
    if (sscanf(val, "%15s", name) == 1 && optim_from_name(name, &kind) == 0)
        optim_defaults(&c->setup.opt, kind);
    return run_fmt(x, c, err, "optim %s", val);
}

/* lr=0.1 keeps the session's momentum and everything else. */
static int apply_optim_option(const VariantCtx *x, const char *key, const char *val, Session *c, FbErr *err)
{
    return run_fmt(x, c, err, "optim %s %s=%s", optim_name(c->setup.opt.kind), key, val);
}

static int apply_batch(const VariantCtx *x, const char *key, const char *val, Session *c, FbErr *err)
{
    (void)key;
    return run_fmt(x, c, err, "batch %s", val);
}

static int need_mlp(const Session *c, const char *key, FbErr *err)
{
    if (c->mspec.kind != MODEL_MLP)
        return fb_fail(err, "%s= varies an mlp's %s; the model is %s (model mlp first)", key,
                       strcmp(key, "act") ? "hidden layers" : "activation", model_kind_name(c->mspec.kind));
    return 0;
}

/* The hidden widths as `model mlp hidden=` takes them ("16,8"). */
static void hidden_text(const ModelSpec *ms, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t l = 0; l < ms->nhidden; l++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%zu", l ? "," : "", ms->hidden[l]);
}

/* hidden=16x8 is two hidden layers (a comma separates compare's values); the activation is kept. */
static int apply_hidden(const VariantCtx *x, const char *key, const char *val, Session *c, FbErr *err)
{
    if (need_mlp(c, key, err))
        return -1;
    char h[256];
    snprintf(h, sizeof h, "%s", val);
    for (char *p = h; *p; p++)
        if (*p == 'x')
            *p = ',';
    return run_fmt(x, c, err, "model mlp hidden=%s act=%s", h, act_name(c->mspec.act));
}

static int apply_act(const VariantCtx *x, const char *key, const char *val, Session *c, FbErr *err)
{
    if (need_mlp(c, key, err))
        return -1;
    char h[256];
    hidden_text(&c->mspec, h, sizeof h);
    return run_fmt(x, c, err, "model mlp hidden=%s act=%s", h, val);
}

static int apply_degree(const VariantCtx *x, const char *key, const char *val, Session *c, FbErr *err)
{
    (void)key;
    return run_fmt(x, c, err, "features poly degree=%s", val);
}

static int apply_scale(const VariantCtx *x, const char *key, const char *val, Session *c, FbErr *err)
{
    (void)key;
    return run_fmt(x, c, err, "scale %s", val);
}

/* The seed the model is initialised from (unless `init ... seed=` fixed one) and the data order's. */
static int apply_seed(const VariantCtx *x, const char *key, const char *val, Session *c, FbErr *err)
{
    (void)key;
    if (run_fmt(x, c, err, "set seed=%s", val))
        return -1;
    return x->run(x->it, c, "reset", err);
}

/* l1=, l2=: the session's loss (and huber's delta) with the penalty set. */
static int apply_penalty(const VariantCtx *x, const char *key, const char *val, Session *c, FbErr *err)
{
    const LossCfg *l = &c->setup.loss;
    if (l->kind == LOSS_HUBER)
        return run_fmt(x, c, err, "loss huber delta=%.17g %s=%s", l->delta, key, val);
    return run_fmt(x, c, err, "loss %s %s=%s", loss_name(l->kind), key, val);
}

int variant_fraction(const char *val, double *f, FbErr *err)
{
    if (!fb_parse_double(val, strlen(val), f) || !(*f > 0 && *f <= 1))
        return fb_fail(err, "train_size takes fractions of the training rows in (0, 1], e.g. 0.1,0.5,1 (got '%s')",
                       val);
    return 0;
}

/* train_size=F: the first max(1, floor(F n)) of the n training rows in the split's order (scikit-learn's
 * learning_curve: int(F * n) clipped to 1..n), the validation rows unchanged; the scaler refitted on them;
 * the parameters kept, the optimizer fresh (as cv). */
static int apply_train_size(const VariantCtx *x, const char *key, const char *val, Session *c, FbErr *err)
{
    (void)x, (void)key;
    double f;
    if (variant_fraction(val, &f, err))
        return -1;
    size_t n, nv = c->prep->val.n, *rows = prep_cv_rows(c->data, &c->prep_spec, &n, err);
    if (!rows)
        return -1;
    size_t ntr = n - nv, m = (size_t)(f * (double)ntr);
    if (m < 1)
        m = 1;
    memmove(rows + m, rows + ntr, nv * sizeof *rows);
    Prepared *p;
    int rc = prep_build_rows(c->data, &c->prep_spec, rows, m, nv, &p, err);
    free(rows);
    if (rc)
        return -1;
    rc = session_use_prepared(c, p, err);
    prep_unref(p);
    return rc;
}

static const VariantKey table[] = {
    {NULL, "optim KIND KEY=V (the session's optimizer, other options kept)", false, apply_optim_option},
    {"optim", "optim V (from that optimizer's defaults)", false, apply_optim},
    {"batch", "batch V", false, apply_batch},
    {"hidden", "model mlp hidden=V act=A (16x8: two layers; act kept)", true, apply_hidden},
    {"act", "model mlp hidden=H act=V (hidden kept)", true, apply_act},
    {"degree", "features poly degree=V", true, apply_degree},
    {"scale", "scale V", true, apply_scale},
    {"seed", "set seed=V; reset (the init and the data order)", true, apply_seed},
    {"l1", "loss L l1=V (the session's loss)", false, apply_penalty},
    {"l2", "loss L l2=V (the session's loss)", false, apply_penalty},
    {"train_size", "the first int(V n) training rows (V in (0, 1]), the validation rows kept", false,
     apply_train_size},
    {NULL, NULL, false, NULL},
};

const VariantKey *variant_table(void) { return table; }

const VariantKey *variant_find(const char *key)
{
    for (const VariantKey *v = table; v->apply; v++)
        if (v->key && strcmp(v->key, key) == 0)
            return v;
    for (const char *const *o = optim_all_options(); *o; o++)
        if (strcmp(*o, key) == 0)
            return &table[0];
    return NULL;
}

size_t variant_keys(const char **keys, size_t cap)
{
    size_t n = 0;
    for (const VariantKey *v = table; v->apply; v++) {
        if (v->key) {
            if (n + 1 < cap)
                keys[n++] = v->key;
            continue;
        }
        for (const char *const *o = optim_all_options(); *o; o++)
            if (n + 1 < cap)
                keys[n++] = *o;
    }
    if (cap)
        keys[n] = NULL;
    return n;
}

void variant_key_list(char *buf, size_t size)
{
    const char *keys[VARIANT_KEYS_MAX + 1];
    variant_keys(keys, VARIANT_KEYS_MAX + 1);
    buf[0] = '\0';
    for (size_t i = 0; keys[i]; i++)
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? ", " : "", keys[i]);
}

int variant_make(const VariantCtx *x, const VariantKey *vk, const char *key, const char *val, Session *c,
                 FbErr *err)
{
    if (session_clone(c, x->it->s, err))
        return -1;
    FbErr e2;
    memset(&e2, 0, sizeof e2);
    if (vk->apply(x, key, val, c, &e2)) {
        session_free(c);
        return fb_fail(err, "%s", e2.msg);
    }
    return 0;
}
