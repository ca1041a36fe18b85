/* cmd_cv.c — cv: k-fold cross-validation from the current parameters (folds as scikit-learn's KFold and
 * StratifiedKFold; docs/commands.md, docs/math.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/command.h"
#include "fitbench/evaluate.h"
#include "fitbench/fileio.h"
#include "fitbench/folds.h"
#include "fitbench/rng.h"

/* One fold's outcome: losses and the task's score (accuracy or r2) on its training and validation rows. */
typedef struct FoldResult {
    size_t ntrain, nval;
    double train_loss, val_loss, train_score, val_score;
    TrainEnd end;
} FoldResult;

/* What cv was asked. */
typedef struct CvArgs {
    long k, epochs;
    bool stratify, shuffle;
    unsigned long long seed;
    const char *save;
} CvArgs;

static bool is_classifier(const Session *s) { return metric_task(s->setup.loss.kind) == MTASK_CLS; }

static double score_of(const Eval *ev) { return ev->cls ? ev->c.accuracy : ev->reg.r2; }

/* The rows cross-validated (the split's non-test rows, *n of them; malloc'd, the caller frees), shuffled by
 * the seed when asked, and the test fold of each in fold_of (*fold_of malloc'd, the caller frees). */
static int cv_folds(Session *s, const CvArgs *ca, size_t **rows, size_t *n, int **fold_of, FbErr *err)
{
    *fold_of = NULL;
    if (!(*rows = prep_cv_rows(s->data, &s->prep_spec, n, err)))
        return -1;
    if (ca->shuffle) {
        Rng r;
        rng_seed(&r, ca->seed);
        rng_shuffle(&r, *rows, *n);
    }
    int *labels = NULL;
    if (ca->stratify) {
        labels = fb_malloc(*n, sizeof *labels, "the fold labels", err);
        for (size_t i = 0; labels && i < *n; i++)
            labels[i] = (int)s->data->label[(*rows)[i]];
    }
    *fold_of = (!ca->stratify || labels) ? fb_malloc(*n, sizeof **fold_of, "the folds", err) : NULL;
    int rc = *fold_of ? folds_assign(*n, (int)ca->k, labels, s->data->nclasses, *fold_of, err) : -1;
    free(labels);
    if (rc) {
        free(*rows), *rows = NULL;
        free(*fold_of), *fold_of = NULL;
    }
    return rc;
}

/* Train a copy of the session on every fold but f for ca->epochs, from the session's parameters with a fresh
 * optimizer; order is scratch for n row indices.  Fails on out of memory or a failed training. */
static int cv_fold(Interp *it, const CvArgs *ca, const size_t *rows, size_t n, const int *fold_of, int f,
                   size_t *order, FoldResult *r, FbErr *err)
{
    Session *s = it->s;
    size_t ntr = 0, nv = 0;
    for (size_t i = 0; i < n; i++)
        if (fold_of[i] != f)
            order[ntr++] = rows[i];
    for (size_t i = 0; i < n; i++)
        if (fold_of[i] == f)
            order[ntr + nv++] = rows[i];
    Session c;
    Prepared *p;
    if (prep_build_rows(s->data, &s->prep_spec, order, ntr, nv, &p, err))
        return -1;
    if (session_clone(&c, s, err)) {
        prep_unref(p);
        return -1;
    }
    int rc = session_use_prepared(&c, p, err);
    prep_unref(p);
    TrainData data;
    session_train_data(&c, &data);
    TrainHooks hooks = {.stop = it->interrupt};
    TrainOutcome out = {0};
    Eval tr, va;
    if (!rc)
        rc = train_run(&c.ts, &c.setup, &data, &c.work, ca->epochs, 0, 0, &hooks, &out, err);
    if (!rc)
        rc = evaluate(&c, &c.prep->train, &tr, err) || evaluate(&c, &c.prep->val, &va, err) ? -1 : 0;
    if (!rc)
        *r = (FoldResult){ntr, nv, tr.loss, va.loss, score_of(&tr), score_of(&va), out.end};
    session_free(&c);
    return rc;
}

/* Mean and population standard deviation (numpy's std, ddof=0) of x (n). */
static void mean_std(const double *x, size_t n, double *mean, double *sd)
{
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++)
        m += x[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (x[i] - m) * (x[i] - m);
    *mean = m;
    *sd = sqrt(v / (double)n);
}

/* score: the task's score, "accuracy" or "r2". */
static void cv_header(Interp *it, const CvArgs *ca, size_t n, const char *score)
{
    char tr[32], va[32];
    snprintf(tr, sizeof tr, "train_%s", score);
    snprintf(va, sizeof va, "val_%s", score);
    sink_printf(it->out, "cv k=%ld on %zu rows (%s, %s), %ld epochs per fold from the current parameters:\n", ca->k,
                n, ca->stratify ? "stratified" : "not stratified", ca->shuffle ? "shuffled" : "in order", ca->epochs);
    sink_printf(it->out, "%-5s %13s %14s %14s %14s %14s\n", "fold", "train/val", "train_loss", "val_loss", tr, va);
}

static void cv_row(Interp *it, int f, const FoldResult *r)
{
    char rowsz[32];
    snprintf(rowsz, sizeof rowsz, "%zu/%zu", r->ntrain, r->nval);
    sink_printf(it->out, "%-5d %13s %14s %14s %14s %14s%s\n", f + 1, rowsz, NUM(it, r->train_loss),
                NUM(it, r->val_loss), NUM(it, r->train_score), NUM(it, r->val_score),
                r->end == TRAIN_DIVERGED ? "  diverged" : "");
}

/* The mean and standard deviation lines over the nf folds run. */
static void cv_summary(Interp *it, const FoldResult *r, size_t nf)
{
    double v[4][FOLDS_MAX], m[4], sd[4];
    for (size_t f = 0; f < nf; f++) {
        v[0][f] = r[f].train_loss, v[1][f] = r[f].val_loss;
        v[2][f] = r[f].train_score, v[3][f] = r[f].val_score;
    }
    for (int j = 0; j < 4; j++)
        mean_std(v[j], nf, &m[j], &sd[j]);
    sink_printf(it->out, "%-19s %14s %14s %14s %14s\n", "mean", NUM(it, m[0]), NUM(it, m[1]), NUM(it, m[2]),
                NUM(it, m[3]));
    sink_printf(it->out, "%-19s %14s %14s %14s %14s\n", "std", NUM(it, sd[0]), NUM(it, sd[1]), NUM(it, sd[2]),
                NUM(it, sd[3]));
}

/* save=FILE: the fold of every row cross-validated, as CSV "row,fold" (both from 0, row the table's row). */
static int cv_save(const char *path, const size_t *rows, const int *fold_of, size_t n, FbErr *err)
{
    AtomicFile af;
    if (atomic_open(&af, path, err))
        return -1;
    fprintf(af.fp, "row,fold\n");
    for (size_t i = 0; i < n; i++)
        fprintf(af.fp, "%zu,%d\n", rows[i], fold_of[i]);
    return atomic_commit(&af, err);
}

static int cv_parse(Session *s, Args *a, CvArgs *ca, FbErr *err)
{
    *ca = (CvArgs){.k = 5, .epochs = 50, .stratify = is_classifier(s), .seed = s->set.seed};
    args_long(a, "k", &ca->k);
    args_long(a, "epochs", &ca->epochs);
    args_bool(a, "stratify", &ca->stratify);
    args_bool(a, "shuffle", &ca->shuffle);
    long seed;
    if (args_long(a, "seed", &seed))
        ca->seed = (unsigned long long)seed;
    ca->save = args_str(a, "save");
    const Tok *st = args_opt(a, "stratify");
    if (ca->stratify && !s->data->label)
        return fb_fail_at(err, st ? st->col : 0, "stratify=yes needs a class target; this one has values");
    return 0;
}

/* Run the folds in turn, printing each as it ends; *nf says how many ran (fewer after an interrupt). */
static int cv_run(Interp *it, const CvArgs *ca, const size_t *rows, size_t n, const int *fold_of, FoldResult *res,
                  size_t *nf, FbErr *err)
{
    size_t *order = fb_malloc(n, sizeof *order, "the fold rows", err);
    int rc = order ? 0 : -1;
    *nf = 0;
    for (int f = 0; !rc && f < (int)ca->k; f++) {
        rc = cv_fold(it, ca, rows, n, fold_of, f, order, &res[f], err);
        if (rc)
            break;
        cv_row(it, f, &res[f]);
        (*nf)++;
        if (res[f].end == TRAIN_INTERRUPTED || res[f].end == TRAIN_STOPPED)
            break;
    }
    free(order);
    return rc;
}

int cmd_cv(Interp *it, const Command *row, Args *a, FbErr *err)
{
    (void)row;
    Session *s = it->s;
    CvArgs ca;
    if (session_need_model(s, err) || cv_parse(s, a, &ca, err))
        return -1;
    size_t *rows, n, nf = 0;
    int *fold_of;
    if (cv_folds(s, &ca, &rows, &n, &fold_of, err))
        return -1;
    int rc = ca.save ? cv_save(ca.save, rows, fold_of, n, err) : 0;
    FoldResult res[FOLDS_MAX];
    if (!rc) {
        if (it->interrupt)
            *it->interrupt = 0;
        cv_header(it, &ca, n, is_classifier(s) ? "accuracy" : "r2");
        rc = cv_run(it, &ca, rows, n, fold_of, res, &nf, err);
        if (it->interrupt)
            *it->interrupt = 0;
    }
    if (!rc && nf > 0)
        cv_summary(it, res, nf);
    if (!rc && nf < (size_t)ca.k)
        sink_printf(it->out, "(interrupted: %zu of %ld folds run)\n", nf, ca.k);
    if (!rc)
        sink_printf(it->out, "the session's own model is unchanged\n");
    free(rows);
    free(fold_of);
    return rc;
}
