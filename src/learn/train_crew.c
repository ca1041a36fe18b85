/* train_crew.c — row-parallel minibatch steps and whole-split passes over a team (train_crew.h). */
#include "train_crew.h"

#include "fitbench/fused.h"
#include "fitbench/penalty.h"
#include "fitbench/blas.h"
#include "fitbench/team.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Multiply-adds in one forward pass below which splitting does not pay.
 * A step hands out two jobs; on the 2-core VM (bench/fb_bench mb, 64 inputs,
 * 10 classes, 2 threads) batch 16 with one hidden layer of 64 (76k) took
 * 0.17 s per epoch with its steps split, 0.14 s without; batch 8 with
 * 128,64 (136k) 0.71 s either way; batch 64 with 128,64 (1.1M) 0.21 s
 * against 0.40 s. */
#define CREW_MIN_MACS ((size_t)1 << 17)

/* Each member's range of parameters is a multiple of 8 doubles (64 bytes)
 * long, so that ranges share no cache line when the buffers are aligned. */
#define CREW_ALIGN 8

typedef struct Member {
    BatchWork bw;     /* this member's rows of a minibatch, or a chunk of a pass */
    double *g;        /* (nparams) this member's part of the gradient (backward writes it) */
    double *acc;      /* (nparams) a whole-split pass: the sum of g over this member's chunks */
    double part;      /* this member's loss sum (or loss_grad value) */
    double *ms;       /* (metric_sums_len(MTASK_CLS, k)) a whole-split pass: this member's metric sums */
} Member;

struct TrainCrew {
    Team *team;
    size_t k, cap, ky, nparams, nlayers, sizes[MODEL_MAX_LAYERS + 1];
    size_t rows;      /* each member's buffers: ceil(cap / k) rows */
    Member mem[TEAM_MAX];
    /* the job in hand: set by the caller before team_run, read by members */
    const Model *m;
    Model *upd;       /* crew_step: the model whose params and grads it writes */
    const LossCfg *loss;
    const TrainData *data;
    const double *X, *Y;
    const size_t *perm;
    size_t cursor, b, n;
    bool want_grad;
    MetricTask task;  /* crew_eval: the metric sums to add up (MTASK_NONE: none) */
    const OptCfg *opt_cfg;
    OptState *opt;
    double lr;
};

static size_t macs(const Model *m)
{
    size_t s = 0;
    for (size_t l = 0; l < m->nlayers; l++)
        s += m->sizes[l] * m->sizes[l + 1];
    return s;
}

size_t crew_members(const Model *m, const LossCfg *loss, size_t n, int threads)
{
    size_t k = threads < 1 ? 1 : (size_t)threads, cpus = team_cpus();
    if (k > cpus)
        k = cpus;
    if (k > TEAM_MAX)
        k = TEAM_MAX;
    if (k < 2 || fused_applies(m, loss) || n < k || n * macs(m) < CREW_MIN_MACS)
        return 1;
    return k;
}

bool crew_takes_steps(const TrainCrew *c, const Model *m, size_t b)
{
    return c && b >= c->k && b * macs(m) >= CREW_MIN_MACS;
}

static void member_free(Member *e)
{
    batch_work_free(&e->bw);
    free(e->g);
    free(e->acc);
    free(e->ms);
    memset(e, 0, sizeof *e);
}

void crew_free(TrainCrew *c)
{
    if (!c)
        return;
    team_stop(c->team);
    for (size_t i = 0; i < c->k; i++)
        member_free(&c->mem[i]);
    free(c);
}

static int member_init(Member *e, const Model *m, size_t ky, size_t cap, FbErr *err)
{
    size_t np = m->nparams;
    if (batch_work_init(&e->bw, m, ky, cap, err))
        return -1;
    e->g = fb_malloc(np, sizeof(double), "the gradient", err);
    e->acc = e->g ? fb_malloc(np, sizeof(double), "the gradient", err) : NULL;
    e->ms = e->acc ? fb_malloc(metric_sums_len(MTASK_CLS, m->sizes[m->nlayers]), sizeof(double), "metric sums", err)
                   : NULL;
    return e->ms ? 0 : -1;
}

void crew_fit(TrainCrew **cp, const Model *m, size_t ky, size_t cap, size_t k)
{
    TrainCrew *c = *cp;
    if (c && c->k == k && c->nparams == m->nparams && c->nlayers == m->nlayers && c->ky == ky && c->cap >= cap &&
        memcmp(c->sizes, m->sizes, (m->nlayers + 1) * sizeof(size_t)) == 0)
        return;
    crew_free(c);
    *cp = NULL;
    c = calloc(1, sizeof *c);
    if (!c)
        return;
    c->k = k;
    c->rows = (cap + k - 1) / k; /* a member's slab of a batch of cap rows; its chunk of a pass */
    FbErr e;
    for (size_t i = 0; i < k; i++)
        if (member_init(&c->mem[i], m, ky, c->rows, &e)) {
            crew_free(c);
            return;
        }
    /* Checked after the members' buffers are in place: the room must be left
     * once they are, for the BLAS buffers and stacks of the new threads. */
    if (!blas_callers_fit((int)k - 1) || team_start(&c->team, k, &e)) {
        crew_free(c);
        return;
    }
    c->cap = cap;
    c->ky = ky;
    c->nparams = m->nparams;
    c->nlayers = m->nlayers;
    memcpy(c->sizes, m->sizes, sizeof c->sizes);
    *cp = c;
}

size_t crew_size(const TrainCrew *c) { return c ? c->k : 1; }

/* The model as member e sees it: shared parameters, its own gradient. */
static Model member_model(const TrainCrew *c, const Member *e)
{
    Model mm = *c->m;
    mm.grads = e->g;
    return mm;
}

/* [lo, hi) of n split k ways: part i. */
static void part(size_t n, size_t i, size_t k, size_t *lo, size_t *hi)
{
    *lo = n * i / k;
    *hi = n * (i + 1) / k;
}

static void batch_job(void *ctx, size_t i, size_t k)
{
    TrainCrew *c = ctx;
    Member *e = &c->mem[i];
    const TrainData *data = c->data;
    size_t d = data->d, ky = data->ky, kout = c->m->sizes[c->m->nlayers], lo, hi;
    part(c->b, i, k, &lo, &hi);
    size_t nb = hi - lo, r0 = c->cursor + lo;
    const double *Xb = data->X + r0 * d, *Yb = data->Y + r0 * ky;
    if (c->perm) {
        for (size_t j = 0; j < nb; j++) {
            size_t r = c->perm[r0 + j];
            memcpy(e->bw.Xb + j * d, data->X + r * d, d * sizeof(double));
            memcpy(e->bw.Yb + j * ky, data->Y + r * ky, ky * sizeof(double));
        }
        Xb = e->bw.Xb;
        Yb = e->bw.Yb;
    }
    Model mm = member_model(c, e);
    model_forward(&mm, &e->bw.mw, Xb, nb, e->bw.Z);
    e->part = loss_grad(c->loss, e->bw.Z, Yb, nb, kout, c->b, e->bw.dZ);
    if (isfinite(e->part))
        model_backward(&mm, &e->bw.mw, Xb, nb, e->bw.dZ);
    if (c->perm) {
        /* this member's rows of the next batch: scattered reads, started now */
        size_t nxt = c->cursor + c->b + lo, end = c->cursor + c->b + hi;
        for (size_t j = nxt; j < end && j < data->n; j++) {
            const char *row = (const char *)(data->X + c->perm[j] * d);
            for (size_t o = 0; o < d * sizeof(double); o += 64)
                __builtin_prefetch(row + o);
        }
    }
}

/* Run the job on every member; the sum of their parts in member order. */
static double run_parts(TrainCrew *c, TeamJob job)
{
    team_run(c->team, job, c);
    double s = 0;
    for (size_t i = 0; i < c->k; i++)
        s += c->mem[i].part;
    return s;
}

double crew_batch_grad(TrainCrew *c, const Model *m, const LossCfg *loss, const TrainData *data, const size_t *perm,
                       size_t cursor, size_t b)
{
    c->m = m;
    c->loss = loss;
    c->data = data;
    c->perm = perm;
    c->cursor = cursor;
    c->b = b;
    return run_parts(c, batch_job);
}

/* Parameters [lo, hi) of member i: lines of their own, the last one takes the rest. */
static void param_range(size_t np, size_t i, size_t k, size_t *lo, size_t *hi)
{
    size_t lines = (np + CREW_ALIGN - 1) / CREW_ALIGN, a, z;
    part(lines, i, k, &a, &z);
    *lo = a * CREW_ALIGN < np ? a * CREW_ALIGN : np;
    *hi = z * CREW_ALIGN < np ? z * CREW_ALIGN : np;
}

/* grads[lo, hi) = g_0 + g_1 + ... in member order (acc instead of g after a whole-split pass). */
static void sum_parts(const TrainCrew *c, double *grads, size_t lo, size_t hi, bool acc)
{
    const double *g0 = acc ? c->mem[0].acc : c->mem[0].g;
    memcpy(grads + lo, g0 + lo, (hi - lo) * sizeof(double));
    for (size_t j = 1; j < c->k; j++) {
        const double *gj = acc ? c->mem[j].acc : c->mem[j].g;
        for (size_t p = lo; p < hi; p++)
            grads[p] += gj[p];
    }
}

static void step_job(void *ctx, size_t i, size_t k)
{
    TrainCrew *c = ctx;
    size_t lo, hi;
    param_range(c->nparams, i, k, &lo, &hi);
    sum_parts(c, c->upd->grads, lo, hi, false);
    if (penalty_on(c->loss)) /* the loss's penalty, this member's share */
        penalty_grad_range(c->loss, c->upd, c->upd->grads, lo, hi);
    optim_step_range(c->opt_cfg, c->lr, c->opt, c->upd->params, c->upd->grads, lo, hi);
}

void crew_step(TrainCrew *c, Model *m, const OptCfg *cfg, double lr, OptState *opt)
{
    c->upd = m;
    c->opt_cfg = cfg;
    c->opt = opt;
    c->lr = lr;
    optim_step_begin(opt);
    team_run(c->team, step_job, c);
    optim_step_end(cfg, opt);
}

static void eval_job(void *ctx, size_t i, size_t k)
{
    TrainCrew *c = ctx;
    Member *e = &c->mem[i];
    size_t d = c->m->sizes[0], kout = c->m->sizes[c->m->nlayers], np = c->nparams, lo, hi;
    part(c->n, i, k, &lo, &hi);
    Model mm = member_model(c, e);
    double total = 0;
    if (c->want_grad)
        memset(e->acc, 0, np * sizeof(double));
    memset(e->ms, 0, metric_sums_len(c->task, kout) * sizeof(double));
    for (size_t r0 = lo; r0 < hi; r0 += c->rows) {
        size_t nc = hi - r0 < c->rows ? hi - r0 : c->rows;
        model_forward(&mm, &e->bw.mw, c->X + r0 * d, nc, e->bw.Z);
        total += loss_sum(c->loss, e->bw.Z, c->Y + r0 * c->ky, nc, kout, c->n, c->want_grad ? e->bw.dZ : NULL);
        metric_sums_add(c->task, kout, e->bw.Z, c->Y + r0 * c->ky, nc, c->ky, e->ms);
        if (c->want_grad) {
            model_backward(&mm, &e->bw.mw, c->X + r0 * d, nc, e->bw.dZ);
            cblas_daxpy((int)np, 1.0, e->g, 1, e->acc, 1);
        }
    }
    e->part = total;
}

double crew_eval(TrainCrew *c, Model *m, const LossCfg *loss, const double *X, const double *Y, size_t n,
                 bool want_grad, MetricTask t, double *msum)
{
    c->m = m;
    c->loss = loss;
    c->X = X;
    c->Y = Y;
    c->n = n;
    c->want_grad = want_grad;
    c->task = msum ? t : MTASK_NONE;
    double total = run_parts(c, eval_job);
    size_t nm = metric_sums_len(c->task, m->sizes[m->nlayers]);
    for (size_t i = 0; i < c->k; i++)
        for (size_t j = 0; j < nm; j++)
            msum[j] += c->mem[i].ms[j];
    if (want_grad)
        sum_parts(c, m->grads, 0, m->nparams, true);
    return total / (double)loss_count(loss, n, m->sizes[m->nlayers]);
}
