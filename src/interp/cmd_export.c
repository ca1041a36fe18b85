/* cmd_export.c — save torch|sklearn PATH.py.  The session log is replayed on a scratch session to find where
 * the current run started (its parameters, setup and data-order generator) and the commands after it; the
 * replay must rebuild this session's history and parameters exactly, or the export is refused.  The script
 * itself is written by export_torch.c / export_sklearn.c; the run's starting parameters go next to it. */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitbench/command.h"
#include "fitbench/export.h"
#include "fitbench/fileio.h"
#include "fitbench/npy.h"
#include "fitbench/strutil.h"

/* What the replay found: the run's start and the events after it.  Owns params and ev. */
typedef struct Replay {
    double *params;        /* (nparams) the parameters when the run started */
    TrainSetup setup0;
    Rng rng0;
    ExportEvent *ev;
    size_t nev, cap;
} Replay;

static void discard(void *ctx, const char *s, size_t n) { (void)ctx, (void)s, (void)n; }

static void replay_free(Replay *r)
{
    free(r->params);
    free(r->ev);
    memset(r, 0, sizeof *r);
}

/* The run is at its start (no update, only row 0): remember it, forgetting the events before. */
static int capture_start(Replay *r, const Session *s, FbErr *err)
{
    const Model *m = &s->ts.model;
    double *p = realloc(r->params, (m->nparams ? m->nparams : 1) * sizeof *p);
    if (!p)
        return fb_oom(err, "the starting parameters", m->nparams * sizeof *p);
    memcpy(p, m->params, m->nparams * sizeof *p);
    r->params = p;
    r->setup0 = s->setup;
    r->rng0 = s->ts.rng;
    r->nev = 0;
    return 0;
}

static int push_event(Replay *r, const ExportEvent *e, FbErr *err)
{
    if (r->nev == r->cap) {
        size_t nc = r->cap ? 2 * r->cap : 16;
        ExportEvent *v = realloc(r->ev, nc * sizeof *v);
        if (!v)
            return fb_oom(err, "the exported commands", nc * sizeof *v);
        r->ev = v;
        r->cap = nc;
    }
    r->ev[r->nev++] = *e;
    return 0;
}

/* A train or step that ran `ran` epochs: whole epochs only, and all it asked for unless until= or patience=
 * ended it (a blow-up restores an epoch the script could not replay). */
static int train_event(const Session *s, const Args *a, const char *line, size_t lineno, long ran, ExportEvent *e,
                       FbErr *err)
{
    if (s->ts.cursor)
        return fb_fail(err, "cannot export: session log line %zu (`%s`) stopped in the middle of an epoch; the "
                       "script replays whole epochs (finish the epoch with `step batch`, then export)", lineno, line);
    long want = strcmp(a->t[0].text, "train") == 0 ? 100 : 1, p = 0;
    const Tok *pos[2];
    int np = args_positional(a, pos, 2);
    bool batches = np > 0 && strcmp(pos[0]->text, "batch") == 0;
    if (np > (batches ? 1 : 0))
        fb_parse_long(pos[batches ? 1 : 0]->text, &want);
    args_long(a, "patience", &p);
    if (!batches && ran < want && !p && !args_opt(a, "until"))
        return fb_fail(err, "cannot export: session log line %zu (`%s`) stopped after %ld of %ld epochs (the loss "
                       "blew up and an epoch was undone); the script cannot replay that", lineno, line, ran, want);
    e->kind = EXPORT_TRAIN;
    e->epochs = ran;
    e->patience = p;
    return 0;
}

/* What command `a` (log line `line`) did to the run, from the state before (`b`, `hb` history rows) and
 * after (s).  Fails for a command the script cannot replay in the middle of a run. */
static int classify(const Session *s, const TrainSetup *b, size_t hb, const Args *a, const char *line, size_t lineno,
                    ExportEvent *e, FbErr *err)
{
    const char *w = a->t[0].text;
    memset(e, 0, sizeof *e);
    e->line = line;
    e->setup = s->setup;
    if (strcmp(w, "train") == 0 || strcmp(w, "step") == 0)
        return train_event(s, a, line, lineno, (long)(s->ts.hist.n - hb), e, err);
    const char *sc = args_str(a, "schedule");
    if (strcmp(w, "optim") == 0)
        e->kind = b->opt.kind != s->setup.opt.kind      ? EXPORT_OPTIM
                  : sc && strcmp(sc, "scale") == 0       ? EXPORT_RESCALE
                                                         : EXPORT_OPTIONS;
    else if (strcmp(w, "schedule") == 0)
        e->kind = EXPORT_SCHEDULE;
    else if (strcmp(w, "batch") == 0)
        e->kind = EXPORT_BATCH;
    else if (strcmp(w, "loss") == 0)
        e->kind = EXPORT_LOSS;
    else
        return fb_fail(err, "cannot export: session log line %zu (`%s`) changed the model in the middle of a "
                       "training run, which the script cannot replay yet (export before it, or `reset` and "
                       "train again)", lineno, line);
    return 0;
}

/* Run log line i on the scratch interpreter and note what it did. */
static int replay_line(Interp *it, Replay *r, size_t i, const char *line, FbErr *err)
{
    Session *s = it->s;
    TrainSetup before = s->setup;
    size_t hb = s->built ? s->ts.hist.n : 0;
    if (command_run(it, line, strlen(line), 1, err)) {
        char why[sizeof err->msg];
        snprintf(why, sizeof why, "%s", err->msg);
        return fb_fail(err, "cannot export: the session log does not replay: line %zu (`%s`): %s", i + 1, line, why);
    }
    if (!s->built)
        return 0;
    if (s->ts.hist.n == 1 && s->ts.steps == 0 && s->ts.cursor == 0)
        return capture_start(r, s, err);
    Args a;
    if (args_split(line, strlen(line), 1, &a, err))
        return -1;
    ExportEvent e;
    int rc = classify(s, &before, hb, &a, line, i + 1, &e, err);
    args_free(&a);
    return rc ? -1 : push_event(r, &e, err);
}

static bool same_num(double a, double b) { return a == b || (isnan(a) && isnan(b)); }

/* Did the replay rebuild the session: the same history rows and parameters? */
static int check_same(const Session *got, const Session *want, FbErr *err)
{
    const History *g = &got->ts.hist, *w = &want->ts.hist;
    const char *fix = "its log does not rebuild it (a setting such as `set seed` or `set threads` changed during "
                      "the session?); save session, replay that file, and export from there";
    if (!got->built || g->n != w->n)
        return fb_fail(err, "cannot export: replaying the session gives %zu history rows, the session has %zu: %s",
                       got->built ? g->n : 0, w->n, fix);
    for (size_t i = 0; i < g->n; i++)
        if (g->rows[i].steps != w->rows[i].steps || !same_num(g->rows[i].train_loss, w->rows[i].train_loss) ||
            !same_num(g->rows[i].val_loss, w->rows[i].val_loss))
            return fb_fail(err, "cannot export: replaying the session gives another history from epoch %ld on: %s",
                           w->rows[i].epoch, fix);
    const Model *a = &got->ts.model, *b = &want->ts.model;
    if (a->nparams != b->nparams || memcmp(a->params, b->params, a->nparams * sizeof *a->params) != 0)
        return fb_fail(err, "cannot export: replaying the session gives other parameters: %s", fix);
    return 0;
}

/* Replay s's log on a fresh session with s's settings; fill r.  Fails as replay_line and check_same. */
static int replay_session(const Interp *it, Replay *r, FbErr *err)
{
    Session s2;
    session_init(&s2);
    s2.set = it->s->set;
    Sink quiet = {discard, NULL};
    Interp it2;
    interp_init(&it2, &s2, &quiet, &quiet);
    it2.data_dirs = it->data_dirs;
    it2.interrupt = it->interrupt;
    it2.quiet = true;
    int rc = 0;
    for (size_t i = 0; i < it->s->nlog && !rc; i++)
        rc = replay_line(&it2, r, i, it->s->log[i], err);
    if (!rc)
        rc = check_same(&s2, it->s, err);
    interp_free(&it2);
    session_free(&s2);
    return rc;
}

/* Where the data came from: the CSV's absolute path, or the generator's spec. */
static int data_source(const Interp *it, ExportData *d, char *path, size_t size, FbErr *err)
{
    const Dataset *ds = it->s->data;
    memset(d, 0, sizeof *d);
    d->ds = ds;
    d->prep = it->s->prep_spec;
    if (!ds->schema) {
        char kind[32];
        unsigned long long seed;
        if (sscanf(ds->source, "gen %31s n=%zu d=%zu noise=%lf classes=%zu seed=%llu", kind, &d->gen.n, &d->gen.d,
                   &d->gen.noise, &d->gen.classes, &seed) != 6)
            return fb_fail(err, "cannot export: the data (%s) came neither from a CSV file nor from gen", ds->source);
        d->gen.seed = seed;
        for (int k = 0; gen_kind_names[k]; k++)
            if (strcmp(gen_kind_names[k], kind) == 0)
                d->gen.kind = (GenKind)k;
        return 0;
    }
    char buf[PATH_MAX];
    const char *file = resolve_dataset(it, ds->source, buf, sizeof buf);
    struct stat st;
    if (stat(file, &st) != 0)
        return fb_fail(err, "cannot export: the data file %s is gone (%s); the script reads it again, so load it "
                       "from where it is now", file, strerror(errno));
    if (!S_ISREG(st.st_mode) || strncmp(file, "/dev/", 5) == 0 || strncmp(file, "/proc/", 6) == 0)
        return fb_fail(err, "cannot export: the data came from stdin or a pipe (%s), which a script cannot read "
                       "again; save the rows to a file and load that", file);
    if (!realpath(file, path) || strlen(path) >= size)
        return fb_fail(err, "cannot export: cannot resolve the data file %s: %s", file, strerror(errno));
    d->csv_path = path;
    return 0;
}

/* PATH.py: its folder (with a trailing slash, or "") and its name without .py.  Fails for another name. */
static int script_names(const Tok *path, char *dir, char *stem, size_t size, FbErr *err)
{
    const char *p = path->text, *base = strrchr(p, '/');
    base = base ? base + 1 : p;
    size_t lb = strlen(base);
    if (lb <= 3 || strcmp(base + lb - 3, ".py") != 0)
        return fb_fail_at(err, path->col, "the script's name must end in .py (got %s)", p);
    if ((size_t)(base - p) >= size || lb - 3 >= size)
        return fb_fail_at(err, path->col, "the name %s is too long", p);
    snprintf(dir, size, "%.*s", (int)(base - p), p);
    snprintf(stem, size, "%.*s", (int)(lb - 3), base);
    return 0;
}

/* The run's starting parameters as .npy files (the layout of save weights) in folder dir. */
static int write_start(const char *dir, const Model *m, const double *params, FbErr *err)
{
    if (ensure_dir(dir, err))
        return -1;
    for (size_t l = 0; l < m->nlayers; l++) {
        char file[PATH_MAX + 32];
        size_t shape[2] = {m->sizes[l + 1], m->sizes[l]};
        cmd_weight_name(file, sizeof file, dir, m, l, 'W');
        if (npy_write(file, params + m->woff[l], 2, shape, err))
            return -1;
        cmd_weight_name(file, sizeof file, dir, m, l, 'b');
        if (npy_write(file, params + m->boff[l], 1, shape, err))
            return -1;
    }
    return 0;
}

/* Write the script text atomically; say what was written. */
static int write_script(Interp *it, const char *path, StrBuf *sb, const char *what, FbErr *err)
{
    if (sb->oom)
        return fb_oom(err, "the script", sb->len);
    if (atomic_write_file(path, sb->buf, sb->len, err))
        return -1;
    sink_printf(it->out, "saved %s to %s\n", what, path);
    return 0;
}

static int export_torch_files(Interp *it, ExportPlan *plan, const char *dir, const char *path, FbErr *err)
{
    Replay r = {0};
    int rc = replay_session(it, &r, err);
    char start[PATH_MAX + 16], what[PATH_MAX + 256];
    snprintf(start, sizeof start, "%s%s", dir, plan->start_dir);
    if (!rc && !r.params)
        rc = fb_fail(err, "cannot export: the replayed session never built its model");
    if (!rc) {
        plan->setup0 = r.setup0;
        memcpy(plan->rng0, r.rng0.s, sizeof plan->rng0);
        plan->ev = r.ev;
        plan->nev = r.nev;
        rc = write_start(start, plan->model, r.params, err);
    }
    StrBuf sb = {0};
    if (!rc)
        rc = export_torch(plan, &sb, err);
    snprintf(what, sizeof what, "a PyTorch script replaying %zu command%s after the model's start (its starting "
             "parameters in %s/)", r.nev, r.nev == 1 ? "" : "s", start);
    if (!rc)
        rc = write_script(it, path, &sb, what, err);
    free(sb.buf);
    replay_free(&r);
    return rc;
}

static int export_sklearn_file(Interp *it, ExportPlan *plan, const char *path, FbErr *err)
{
    const Session *s = it->s;
    if (s->ts.model.kind != MODEL_LINEAR || s->setup.loss.kind != LOSS_MSE)
        return fb_fail(err, "save sklearn is for the closed form: model linear with loss mse (this is %s with %s)",
                       model_kind_name(s->ts.model.kind), loss_name(s->setup.loss.kind));
    if (s->setup.opt.kind == OPT_ADAMW && s->setup.opt.weight_decay > 0)
        return fb_fail(err, "save sklearn: adamw's decoupled weight decay has no closed form (as for solve)");
    if (s->setup.loss.l1 > 0)
        return fb_fail(err, "save sklearn: the l1 penalty has no closed form (as for solve); scikit-learn's Lasso "
                            "solves it only iteratively, so no script is written (set loss mse l1=0)");
    plan->weight_decay = s->setup.opt.weight_decay;
    plan->l2 = s->setup.loss.l2;
    StrBuf sb = {0};
    int rc = export_sklearn(plan, &sb, err);
    if (!rc)
        rc = write_script(it, path, &sb,
                          plan->weight_decay > 0 || plan->l2 > 0 ? "a scikit-learn Ridge script"
                                                                 : "a scikit-learn LinearRegression script",
                          err);
    free(sb.buf);
    return rc;
}

int cmd_save_script(Interp *it, Args *a, const Tok *what, const Tok *path, FbErr *err)
{
    Session *s = it->s;
    if (session_need_model(s, err))
        return -1;
    char dir[PATH_MAX], stem[PATH_MAX], start[PATH_MAX + 8], csv[PATH_MAX], command[PATH_MAX + 16];
    if (script_names(path, dir, stem, sizeof dir, err))
        return -1;
    ExportPlan plan;
    memset(&plan, 0, sizeof plan);
    if (data_source(it, &plan.data, csv, sizeof csv, err))
        return -1;
    snprintf(start, sizeof start, "%s_start", stem);
    snprintf(command, sizeof command, "save %s %s", what->text, path->text);
    plan.model = &s->ts.model;
    plan.stem = stem;
    plan.start_dir = start;
    plan.command = command;
    plan.has_val = s->prep->val.n > 0;
    args_bool(a, "ddp", &plan.ddp);
    if (strcmp(what->text, "torch") == 0)
        return export_torch_files(it, &plan, dir, path->text, err);
    return export_sklearn_file(it, &plan, path->text, err);
}
