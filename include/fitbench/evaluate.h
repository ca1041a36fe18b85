/* evaluate.h — the loss and metrics of a session's current parameters on one part of its data. */
#ifndef FITBENCH_EVALUATE_H
#define FITBENCH_EVALUATE_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/metrics.h"
#include "fitbench/session.h"

typedef struct Eval {
    bool ok;
    size_t n;
    double loss;
    bool cls;
    RegMetrics reg;
    ClsMetrics c;
    double f1; /* classification: macro F1 (sklearn's f1_score(average='macro'); NaN without rows) */
} Eval;

/* Loss and metrics of the current parameters on part p (of s->prep): for a classification loss (ce, bce,
 * hinge) the accuracy, for the others the regression metrics.  An empty part gives loss NaN and ok false.
 * Fails (-1, err set) on out of memory. */
int evaluate(Session *s, const Part *p, Eval *ev, FbErr *err);

#endif
