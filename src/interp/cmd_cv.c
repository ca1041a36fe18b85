/* cmd_cv.c — cv: k-fold cross-validation from the current parameters (folds as scikit-learn's KFold and
 * StratifiedKFold; docs/commands.md, docs/math.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvfold.h"
#include "fitbench/command.h"
#include "fitbench/fileio.h"
#include "fitbench/folds.h"

/* What cv was asked. */
typedef struct CvArgs {
    long k, epochs;
    bool stratify, shuffle;
    unsigned long long seed;
    const char *save;
} CvArgs;

static bool is_classifier(const Session *s) { return metric_task(s->setup.loss.kind) == MTASK_CLS; }

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
        cv_mean_std(v[j], nf, &m[j], &sd[j]);
    sink_printf(it->out, "%-19s %14s %14s %14s %14s\n", "mean", NUM(it, m[0]), NUM(it, m[1]), NUM(it, m[2]),
                NUM(it, m[3]));
    sink_printf(it->out, "%-19s %14s %14s %14s %14s\n", "std", NUM(it, sd[0]), NUM(it, sd[1]), NUM(it, sd[2]),
                NUM(it, sd[3]));
}

/* save=FILE: the fold of every row cross-validated, as CSV "row,fold" (both from 0, row the table's row). */
static int cv_save(const char *path, const CvFolds *cf, FbErr *err)
{
    AtomicFile af;
    if (atomic_open(&af, path, err))
        return -1;
    fprintf(af.fp, "row,fold\n");
    for (size_t i = 0; i < cf->n; i++)
        fprintf(af.fp, "%zu,%d\n", cf->rows[i], cf->fold_of[i]);
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
static int cv_run(Interp *it, const CvArgs *ca, const CvFolds *cf, FoldResult *res, size_t *nf, FbErr *err)
{
    size_t *order = fb_malloc(cf->n, sizeof *order, "the fold rows", err);
    int rc = order ? 0 : -1;
    TrainHooks hooks = {.stop = it->interrupt};
    *nf = 0;
    for (int f = 0; !rc && f < (int)ca->k; f++) {
        Session c;
        rc = cv_fold_copy(it->s, cf, f, 0, order, &c, err);
        if (rc)
            break;
        rc = cv_fold_score(&c, ca->epochs, &hooks, &res[f], err);
        session_free(&c);
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
    size_t nf = 0;
    CvFolds cf;
    if (cv_make_folds(s, (int)ca.k, ca.stratify, ca.shuffle, ca.seed, &cf, err))
        return -1;
    int rc = ca.save ? cv_save(ca.save, &cf, err) : 0;
    FoldResult res[FOLDS_MAX];
    if (!rc) {
        if (it->interrupt)
            *it->interrupt = 0;
        cv_header(it, &ca, cf.n, is_classifier(s) ? "accuracy" : "r2");
        rc = cv_run(it, &ca, &cf, res, &nf, err);
        if (it->interrupt)
            *it->interrupt = 0;
    }
    if (!rc && nf > 0)
        cv_summary(it, res, nf);
    if (!rc && nf < (size_t)ca.k)
        sink_printf(it->out, "(interrupted: %zu of %ld folds run)\n", nf, ca.k);
    if (!rc)
        sink_printf(it->out, "the session's own model is unchanged\n");
    cv_folds_free(&cf);
    return rc;
}
