/* session.c — the session state, its copies, and keeping derived state in step. */
#include "fitbench/session.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/blas.h"
#include "fitbench/modelfile.h"
#include "fitbench/strutil.h"

void session_init(Session *s)
{
    memset(s, 0, sizeof *s);
    s->set.precision = 6;
    s->set.bail = true;
    s->set.timing = true;
    s->set.pace = -1;
    prep_spec_default(&s->prep_spec);
    s->setup.loss.kind = LOSS_MSE;
    s->setup.loss.delta = 1.0;
    optim_defaults(&s->setup.opt, OPT_SGD);
    sched_defaults(&s->setup.sched, SCHED_CONSTANT);
    s->setup.batch = 0;
    s->setup.shuffle = true;
    s->optimum = NAN;
    strcpy(s->plot, "loss");
}

static void free_log(Session *s)
{
    for (size_t i = 0; i < s->nlog; i++)
        free(s->log[i]);
    free(s->log);
    s->log = NULL;
    s->nlog = s->caplog = 0;
}

void session_free(Session *s)
{
    if (!s)
        return;
    session_live_clear(s);
    dataset_unref(s->data);
    modelfile_unref(s->deployed);
    prep_unref(s->prep);
    prep_spec_release(&s->prep_spec);
    train_state_free(&s->ts);
    train_work_free(&s->work);
    free_log(s);
    path_free(&s->path);
    curves_unref(s->compare);
    curves_unref(s->lrfind);
    memset(s, 0, sizeof *s);
}

Curves *curves_new(FbErr *err)
{
    Curves *c = fb_calloc(1, sizeof *c, "the curves", err);
    if (c) {
        c->refs = 1;
        c->suggest = NAN;
    }
    return c;
}

void curves_unref(Curves *c)
{
    if (!c || --c->refs > 0)
        return;
    for (size_t i = 0; i < c->ncurves; i++) {
        free(c->c[i].x);
        free(c->c[i].y);
        free(c->c[i].y2);
        free(c->c[i].w);
        path_free(&c->c[i].path);
    }
    free(c);
}

void path_free(ParamPath *p)
{
    if (!p)
        return;
    free(p->p);
    memset(p, 0, sizeof *p);
}

int path_clone(ParamPath *dst, const ParamPath *src, FbErr *err)
{
    *dst = *src;
    dst->p = NULL;
    if (!src->p)
        return 0;
    dst->cap = src->n ? src->n : 1; /* copies (undo snapshots) hold only what is there */
    dst->p = fb_malloc(dst->cap * src->dim, sizeof(double), "the parameter path", err);
    if (!dst->p) {
        memset(dst, 0, sizeof *dst);
        return -1;
    }
    memcpy(dst->p, src->p, src->n * src->dim * sizeof(double));
    return 0;
}

static void path_push(ParamPath *pp, const double *params)
{
    if (pp->n == pp->cap && pp->cap < PATH_CAP) {
        size_t cap = pp->cap * 2 < PATH_CAP ? pp->cap * 2 : PATH_CAP;
        double *np = realloc(pp->p, cap * pp->dim * sizeof(double));
        if (np) {
            pp->p = np;
            pp->cap = cap;
        }
    }
    if (pp->n == pp->cap) {
        /* Full (or out of memory): keep every other point and record half as often. */
        for (size_t i = 1; i < (pp->n + 1) / 2; i++)
            memcpy(pp->p + i * pp->dim, pp->p + 2 * i * pp->dim, pp->dim * sizeof(double));
        pp->n = (pp->n + 1) / 2;
        pp->every *= 2;
        if (pp->n == pp->cap)
            return; /* a one-point buffer that could not grow: keep what is there */
    }
    memcpy(pp->p + pp->n * pp->dim, params, pp->dim * sizeof(double));
    pp->n++;
    pp->pending = 0;
}

int session_path_mark(Session *s, FbErr *err)
{
    ParamPath *pp = &s->path;
    if (!s->built || s->ts.model.nparams > PATH_MAX_PARAMS) {
        path_free(pp);
        return 0;
    }
    const Model *m = &s->ts.model;
    if (pp->dim != m->nparams || !pp->p) {
        path_free(pp);
        pp->p = fb_malloc(64 * m->nparams, sizeof(double), "the parameter path", err);
        if (!pp->p)
            return -1;
        pp->cap = 64;
        pp->dim = m->nparams;
        pp->every = 1;
    }
    if (pp->n == 0 || memcmp(pp->p + (pp->n - 1) * pp->dim, m->params, pp->dim * sizeof(double)) != 0)
        path_push(pp, m->params);
    return 0;
}

void session_path_step(Session *s)
{
    ParamPath *pp = &s->path;
    if (!pp->p || !s->built || pp->dim != s->ts.model.nparams)
        return;
    if (++pp->pending >= pp->every)
        path_push(pp, s->ts.model.params);
}

int session_clone(Session *dst, const Session *src, FbErr *err)
{
    *dst = *src;
    memset(&dst->ts, 0, sizeof dst->ts);
    memset(&dst->work, 0, sizeof dst->work);
    dst->log = NULL;
    dst->nlog = dst->caplog = 0;
    memset(&dst->live, 0, sizeof dst->live);
    memset(&dst->path, 0, sizeof dst->path);
    dataset_ref(dst->data);
    prep_ref(dst->prep);
    terms_ref(dst->prep_spec.terms);
    modelfile_ref(dst->deployed);
    if (dst->compare)
        dst->compare->refs++;
    if (dst->lrfind)
        dst->lrfind->refs++;
    if (path_clone(&dst->path, &src->path, err))
        goto fail;
    if (src->built && train_state_clone(&dst->ts, &src->ts, err))
        goto fail;
    for (size_t i = 0; i < src->nlog; i++)
        if (session_log_add(dst, src->log[i], err))
            goto fail;
    return 0;
fail:
    session_free(dst);
    return -1;
}

/* Append a copy of line to the growable list *v (*n used of *cap); what names it in the out-of-memory error. */
static int lines_push(char ***v, size_t *n, size_t *cap, const char *line, const char *what, FbErr *err)
{
    if (*n == *cap) {
        size_t c = *cap ? *cap * 2 : 16;
        char **l = realloc(*v, c * sizeof *l);
        if (!l)
            return fb_oom(err, what, c * sizeof *l);
        *v = l;
        *cap = c;
    }
    char *copy = fb_strdup(line, err);
    if (!copy)
        return -1;
    (*v)[(*n)++] = copy;
    return 0;
}

int session_log_add(Session *s, const char *line, FbErr *err)
{
    return lines_push(&s->log, &s->nlog, &s->caplog, line, "the session log", err);
}

int session_set_lr(Session *s, double lr, FbErr *err)
{
    char a[32];
    if (!(lr > 0) || !isfinite(lr))
        return fb_fail(err, "lr must be a finite number > 0 (got %s)", fb_fmt(a, sizeof a, lr, 6));
    double f = lr / s->setup.opt.lr;
    if (s->built) {
        SchedState *st = &s->ts.sched;
        double slr = st->lr * f;
        if (!(slr >= 1e-300 && slr <= 1e100))
            return fb_fail(err, "the scheduled lr would become %s (it must stay within 1e-300..1e100)",
                           fb_fmt(a, sizeof a, slr, 6));
        st->lr = slr;
        st->base_lr *= f;
        if (st->max_lr > 0)
            st->max_lr *= f;
        /* session_refresh, after the command, makes row 0 show the lr training will start with. */
    }
    s->setup.opt.lr = lr;
    return 0;
}

int session_lr_mark(Session *s, double lr, FbErr *err)
{
    LiveLog *lv = &s->live;
    if (!lv->open)
        return fb_fail(err, "the lr keys act on train and step only");
    if (lv->closed)
        return fb_fail(err, "%s", lv->closed);
    if (lv->nmark == lv->capmark) {
        size_t cap = lv->capmark ? lv->capmark * 2 : 8;
        LrMark *m = realloc(lv->mark, cap * sizeof *m);
        if (!m)
            return fb_oom(err, "the lr changes", cap * sizeof *m);
        lv->mark = m;
        lv->capmark = cap;
    }
    if (session_set_lr(s, lr, err))
        return -1;
    lv->mark[lv->nmark++] = (LrMark){.steps = s->ts.steps, .epoch = s->ts.epoch, .cursor = s->ts.cursor, .lr = lr};
    return 0;
}

int session_live_add_line(Session *s, const char *line, FbErr *err)
{
    return lines_push(&s->live.line, &s->live.nline, &s->live.capline, line, "the log lines", err);
}

void session_live_clear(Session *s)
{
    LiveLog *lv = &s->live;
    for (size_t i = 0; i < lv->nline; i++)
        free(lv->line[i]);
    free(lv->line);
    free(lv->mark);
    memset(lv, 0, sizeof *lv);
}

LossKind session_default_loss(const Session *s, ModelKind kind)
{
    switch (kind) {
    case MODEL_LOGISTIC: return LOSS_BCE;
    case MODEL_SOFTMAX: return LOSS_CE;
    case MODEL_MLP:
        if (s->data && s->data->task == TASK_BINARY)
            return LOSS_BCE;
        if (s->data && s->data->task == TASK_MULTICLASS)
            return LOSS_CE;
        return LOSS_MSE;
    default: return LOSS_MSE;
    }
}

static bool loss_wants_classes(LossKind k) { return k == LOSS_BCE || k == LOSS_CE || k == LOSS_HINGE; }

size_t session_outputs(const Session *s, ModelKind kind, LossKind loss)
{
    if (loss == LOSS_CE)
        return s->data ? s->data->nclasses : 0;
    if (loss_wants_classes(loss) || kind == MODEL_LOGISTIC)
        return 1;
    if (kind == MODEL_SOFTMAX)
        return s->data ? s->data->nclasses : 0;
    return s->data ? s->data->ny : 1;
}

const char *session_loss_mismatch(const Session *s, const LossCfg *loss, ModelKind kind, char *buf, size_t size)
{
    const Dataset *ds = s->data;
    const char *ln = loss_name(loss->kind), *mn = model_kind_name(kind);
    if (kind == MODEL_LOGISTIC && loss->kind != LOSS_BCE && loss->kind != LOSS_HINGE) {
        snprintf(buf, size, "model logistic has one logit for two classes: use loss bce or hinge, not %s", ln);
        return buf;
    }
    if (kind == MODEL_SOFTMAX && loss->kind != LOSS_CE) {
        snprintf(buf, size, "model softmax outputs one logit per class: use loss ce, not %s", ln);
        return buf;
    }
    if (!ds)
        return NULL;
    if ((kind == MODEL_LOGISTIC) && ds->nclasses != 2) {
        snprintf(buf, size, "model logistic needs a two-class target; '%s' %s", ds->ynames[0],
                 ds->nclasses ? "has more classes: use model softmax" : "is a regression target: use model linear");
        return buf;
    }
    if (kind == MODEL_SOFTMAX && ds->nclasses < 2) {
        snprintf(buf, size, "model softmax needs a class target; '%s' is a regression target: use model linear",
                 ds->ynames[0]);
        return buf;
    }
    if (loss->kind == LOSS_CE && ds->nclasses < 2) {
        snprintf(buf, size, "loss ce needs a class target, and '%s' is a regression target: use loss mse",
                 ds->ynames[0]);
        return buf;
    }
    if ((loss->kind == LOSS_BCE || loss->kind == LOSS_HINGE) && ds->nclasses != 2) {
        if (ds->nclasses > 2)
            snprintf(buf, size, "loss %s is for two classes and '%s' has %zu: use loss ce with model softmax", ln,
                     ds->ynames[0], ds->nclasses);
        else
            snprintf(buf, size, "loss %s needs a two-class target, and '%s' is a regression target: use loss mse",
                     ln, ds->ynames[0]);
        return buf;
    }
    (void)mn;
    return NULL;
}

const double *session_targets(const Session *s, const Part *p, size_t *ky)
{
    if (loss_wants_classes(s->setup.loss.kind)) {
        *ky = 1;
        return p->L;
    }
    *ky = s->prep ? s->prep->ny : 1;
    return p->Y;
}

void session_train_data(const Session *s, TrainData *d)
{
    memset(d, 0, sizeof *d);
    if (!s->prep)
        return;
    const Prepared *p = s->prep;
    d->X = p->train.X;
    d->Y = session_targets(s, &p->train, &d->ky);
    d->n = p->train.n;
    d->d = p->d;
    d->Xv = p->val.X;
    d->Yv = session_targets(s, &p->val, &d->ky);
    d->nv = p->val.n;
}

int session_build(Session *s, FbErr *err)
{
    if (!s->data || !s->mspec.set) {
        train_state_free(&s->ts);
        s->built = false;
        return 0;
    }
    /* The model's first forward pass (train_begin, below) is its first BLAS call: under a memory limit, make
     * sure OpenBLAS's buffer fits first (else it would retry forever). */
    if (blas_ready(NULL, err))
        return -1;
    const ModelSpec *ms = &s->mspec;
    if (!s->loss_set)
        s->setup.loss.kind = session_default_loss(s, ms->kind);
    char buf[256];
    const char *why = session_loss_mismatch(s, &s->setup.loss, ms->kind, buf, sizeof buf);
    if (why)
        return fb_fail(err, "%s", why);
    size_t k = session_outputs(s, ms->kind, s->setup.loss.kind);
    Model m;
    memset(&m, 0, sizeof m);
    if (model_build(&m, ms->kind, ms->act, ms->hidden, ms->nhidden, s->prep->d, k, err))
        return -1;
    InitKind ik = s->init.set ? s->init.kind : ms->kind == MODEL_MLP ? INIT_TORCH : INIT_ZEROS;
    Rng r;
    rng_seed(&r, s->init.has_seed ? s->init.seed : s->set.seed);
    model_init_params(&m, ik, s->init.scale, &r);
    TrainState ts;
    if (train_state_init(&ts, &m, &s->setup, s->set.seed, err)) {
        model_free(&m);
        return -1;
    }
    train_state_free(&s->ts);
    s->ts = ts;
    s->built = true;
    path_free(&s->path); /* a new start: the old path belongs to other parameters */
    s->build_gen++;       /* and so do compare's paths */
    /* History row 0: the loss before any training. */
    TrainData d;
    session_train_data(s, &d);
    return train_begin(&s->ts, &s->setup, &d, &s->work, err);
}

int session_reprepare(Session *s, FbErr *err)
{
    if (!s->data)
        return 0;
    Prepared *p;
    if (prep_build(s->data, &s->prep_spec, &p, err))
        return -1;
    prep_unref(s->prep);
    s->prep = p;
    s->optimum = NAN; /* another training set, another optimum */
    return session_build(s, err);
}

int session_set_data(Session *s, Dataset *ds, FbErr *err)
{
    Dataset *old = s->data;
    /* A new table keeps the split and scaling choices but not the expansion's
     * meaning (prep_spec_for_data); the model is rebuilt for its width. */
    PrepSpec keep = s->prep_spec;
    terms_ref(keep.terms);
    if (prep_spec_for_data(&s->prep_spec, old, ds, err) < 0) {
        terms_unref(keep.terms);
        return -1;
    }
    s->data = dataset_ref(ds);
    if (session_reprepare(s, err)) {
        dataset_unref(s->data);
        s->data = old;
        prep_spec_assign(&s->prep_spec, &keep);
        terms_unref(keep.terms);
        return -1;
    }
    terms_unref(keep.terms);
    dataset_unref(old);
    return 0;
}

static bool same(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

int session_refresh(Session *s, FbErr *err)
{
    if (!s->built)
        return 0;
    TrainState *ts = &s->ts;
    TrainData d;
    session_train_data(s, &d);
    if (train_refresh(ts, &s->setup, &d, &s->work, NULL, err))
        return -1;
    /* Before any training, row 0 is the state training will start from. */
    if (ts->epoch == 0 && ts->cursor == 0 && ts->steps == 0 && ts->hist.n == 1) {
        const HistRow *r = &ts->hist.rows[0];
        const TrainNow *nw = &ts->now;
        if (!same(r->train_loss, nw->train_loss) || !same(r->val_loss, nw->val_loss) ||
            !same(r->grad_norm, nw->grad_norm) || !same(r->lr, ts->sched.lr) || r->task != nw->task ||
            !same(r->train_metric[0], nw->train_metric[0]) || !same(r->val_metric[0], nw->val_metric[0]) ||
            !same(r->train_metric[1], nw->train_metric[1]) || !same(r->val_metric[1], nw->val_metric[1])) {
            HistRow *w = history_edit(&ts->hist, 0, err);
            if (!w)
                return -1;
            w->train_loss = nw->train_loss;
            w->val_loss = nw->val_loss;
            w->grad_norm = nw->grad_norm;
            w->lr = ts->sched.lr;
            w->task = nw->task;
            memcpy(w->train_metric, nw->train_metric, sizeof w->train_metric);
            memcpy(w->val_metric, nw->val_metric, sizeof w->val_metric);
        }
    }
    return 0;
}

int session_need_data(const Session *s, FbErr *err)
{
    if (!s->data)
        return fb_fail(err, "no data yet: load a CSV first (load boston, say) or make some (gen moons)");
    return 0;
}

int session_need_model(Session *s, FbErr *err)
{
    if (session_need_data(s, err))
        return -1;
    if (!s->mspec.set)
        return fb_fail(err, "no model yet: choose one with 'model linear' (or logistic, softmax, mlp)");
    if (!s->built)
        return session_build(s, err);
    return 0;
}

/* ---- changing the session: the writes commands make, with what each change resets ---- */

/* Start the schedule again from the optimizer's lr. */
static void restart_schedule(Session *s) { sched_start(&s->setup.sched, &s->ts.sched, &s->setup.opt); }

int session_set_model(Session *s, const ModelSpec *ms, FbErr *err)
{
    if (!s->mspec.set || s->mspec.kind != ms->kind)
        s->loss_set = false; /* a new kind of model gets its natural loss */
    s->mspec = *ms;
    s->init.set = false;
    s->optimum = NAN;
    return session_build(s, err);
}

int session_set_init(Session *s, const InitSpec *in, FbErr *err)
{
    s->init = *in;
    return session_need_model(s, err) || session_build(s, err) ? -1 : 0;
}

int session_set_loss(Session *s, const LossCfg *cfg, bool *rebuilt, FbErr *err)
{
    *rebuilt = false;
    size_t kold = s->built ? s->ts.model.sizes[s->ts.model.nlayers] : 0;
    LossKind old = s->setup.loss.kind;
    if (cfg->kind != s->setup.loss.kind || cfg->delta != s->setup.loss.delta || cfg->l1 != s->setup.loss.l1 ||
        cfg->l2 != s->setup.loss.l2)
        s->optimum = NAN;
    s->setup.loss = *cfg;
    s->loss_set = true;
    if (!s->built)
        return 0;
    size_t knew = session_outputs(s, s->mspec.kind, cfg->kind);
    bool ytype_changed = (old == LOSS_CE || old == LOSS_BCE || old == LOSS_HINGE) !=
                         (cfg->kind == LOSS_CE || cfg->kind == LOSS_BCE || cfg->kind == LOSS_HINGE);
    if (knew == kold && !ytype_changed)
        return 0; /* same outputs: the parameters are kept and the curve continues under the new loss */
    *rebuilt = true;
    return session_build(s, err);
}

int session_fresh_optim(Session *s, FbErr *err)
{
    if (!s->built)
        return 0;
    OptState fresh;
    if (optim_state_init(&fresh, &s->setup.opt, s->ts.model.nparams, err))
        return -1;
    optim_state_free(&s->ts.opt);
    s->ts.opt = fresh;
    return 0;
}

int session_set_optim(Session *s, const OptCfg *c, FbErr *err)
{
    bool same = s->setup.opt.kind == c->kind;
    s->setup.opt = *c;
    /* A new optimizer starts with fresh state, as constructing a new torch optimizer would. */
    if (!same && session_fresh_optim(s, err))
        return -1;
    if (s->built)
        restart_schedule(s);
    return 0;
}

int session_rescale_optim(Session *s, const OptCfg *c, FbErr *err)
{
    OptCfg keep = s->setup.opt;
    s->setup.opt = *c;
    s->setup.opt.lr = keep.lr;
    if (session_set_lr(s, c->lr, err)) {
        s->setup.opt = keep;
        return -1;
    }
    return 0;
}

void session_set_schedule(Session *s, const SchedCfg *c)
{
    s->setup.sched = *c;
    if (s->built)
        restart_schedule(s);
}

void session_set_batch(Session *s, size_t batch, const bool *shuffle)
{
    s->setup.batch = batch;
    if (shuffle)
        s->setup.shuffle = *shuffle;
}

int session_set_prep(Session *s, const PrepSpec *ps, FbErr *err)
{
    prep_spec_assign(&s->prep_spec, ps);
    return session_reprepare(s, err);
}

int session_new_run(Session *s, FbErr *err)
{
    history_clear(&s->ts.hist);
    s->ts.epoch = s->ts.steps = 0;
    s->ts.cursor = 0;
    restart_schedule(s);
    TrainData d;
    session_train_data(s, &d);
    return train_begin(&s->ts, &s->setup, &d, &s->work, err);
}

int session_use_prepared(Session *s, Prepared *p, FbErr *err)
{
    if (session_need_model(s, err))
        return -1;
    if (p->d != s->prep->d || p->ny != s->prep->ny)
        return fb_fail(err, "the rows were prepared with %zu features and %zu targets, the model takes %zu and %zu",
                       p->d, p->ny, s->prep->d, s->prep->ny);
    prep_unref(s->prep);
    s->prep = prep_ref(p);
    s->optimum = NAN; /* another training set, another optimum */
    if (session_fresh_optim(s, err))
        return -1;
    return session_new_run(s, err);
}

void session_set_optimum(Session *s, double loss) { s->optimum = loss; }

void session_take_step(Session *s, TrainState *after, const TrainSetup *setup)
{
    train_state_free(&s->ts);
    s->ts = *after;
    s->setup = *setup;
    memset(after, 0, sizeof *after);
    session_path_step(s);
}

void session_live_open(Session *s, const char *closed)
{
    session_live_clear(s);
    s->live.open = true;
    s->live.closed = closed;
}

void session_live_shut(Session *s) { s->live.open = false; }

int session_set_specs(Session *s, const PrepSpec *ps, const ModelSpec *ms, const LossCfg *loss, FbErr *err)
{
    prep_spec_assign(&s->prep_spec, ps);
    s->mspec = *ms;
    s->setup.loss = *loss;
    s->loss_set = true;
    return session_reprepare(s, err);
}

void session_set_prepared(Session *s, Prepared *p)
{
    prep_unref(s->prep);
    s->prep = p;
}

void session_deploy(Session *s, struct ModelFile *mf)
{
    modelfile_unref(s->deployed);
    s->deployed = mf;
}

Curves *session_swap_compare(Session *s, Curves *cv)
{
    Curves *old = s->compare;
    s->compare = cv;
    snprintf(s->plot, sizeof s->plot, "compare");
    return old;
}

void session_set_lrfind(Session *s, Curves *cv)
{
    curves_unref(s->lrfind);
    s->lrfind = cv;
    snprintf(s->plot, sizeof s->plot, "lrfind");
}
