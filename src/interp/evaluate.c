/* evaluate.c — the loss and metrics of a session's current parameters on one part of its data (evaluate.h). */
#include "fitbench/evaluate.h"
#include "fitbench/roc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Macro F1 from a (K, K) confusion matrix (roc.h's report_scores); NaN on out of memory. */
static double macro_f1(const size_t *conf, size_t K)
{
    double *v = malloc(3 * K * sizeof *v), avg[2][3];
    size_t *support = malloc(K * sizeof *support);
    double f1 = NAN;
    if (v && support) {
        report_scores(conf, K, v, v + K, v + 2 * K, support, avg);
        f1 = avg[0][2];
    }
    free(v);
    free(support);
    return f1;
}

int evaluate(Session *s, const Part *p, Eval *ev, FbErr *err)
{
    memset(ev, 0, sizeof *ev);
    ev->n = p->n;
    if (p->n == 0) {
        ev->loss = NAN;
        return 0;
    }
    Model *m = &s->ts.model;
    size_t ky, k = m->sizes[m->nlayers];
    const double *Y = session_targets(s, p, &ky);
    if (train_eval(m, &s->setup.loss, p->X, Y, p->n, ky, &s->work, &ev->loss, false, err))
        return -1;
    double *Z = fb_malloc(p->n * k, sizeof *Z, "predictions", err);
    if (!Z)
        return -1;
    if (train_predict(m, p->X, p->n, Z, &s->work, err)) {
        free(Z);
        return -1;
    }
    LossKind lk = s->setup.loss.kind;
    ev->cls = metric_task(lk) == MTASK_CLS;
    if (ev->cls) {
        size_t K = s->data->nclasses;
        int *pred = fb_malloc(p->n, sizeof *pred, "predictions", err);
        int *truth = pred ? fb_malloc(p->n, sizeof *truth, "labels", err) : NULL;
        size_t *conf = truth ? fb_calloc(K * K, sizeof *conf, "a confusion matrix", err) : NULL;
        double *pr = conf ? fb_malloc(K * 2, sizeof *pr, "precision and recall", err) : NULL;
        if (!pr) {
            free(pred);
            free(truth);
            free(conf);
            free(Z);
            return -1;
        }
        metrics_argmax(Z, p->n, k, pred);
        for (size_t i = 0; i < p->n; i++)
            truth[i] = (int)p->L[i];
        metrics_classification(pred, truth, p->n, K, conf, pr, pr + K, &ev->c);
        ev->f1 = macro_f1(conf, K);
        ev->c.logloss = lk == LOSS_HINGE ? NAN : ev->loss;
        free(pred);
        free(truth);
        free(conf);
        free(pr);
    } else {
        metrics_regression(Z, Y, p->n, k, &ev->reg);
    }
    free(Z);
    ev->ok = true;
    return 0;
}
