/* history.h — one row per epoch of training: losses, lr, gradient norm, time. */
#ifndef FITBENCH_HISTORY_H
#define FITBENCH_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/err.h"

/* Row e describes the parameters at the end of epoch e (row 0: before
 * training).  train_loss / val_loss are the loss on the whole split with
 * those parameters (val_loss is NaN without a validation split); lr is the lr
 * used during that epoch; grad_norm the L2 norm of the full training-loss
 * gradient at those parameters; steps the optimizer updates made so far;
 * seconds the wall time the epoch took (0 for row 0). */
typedef struct HistRow {
    long epoch;
    long steps;
    double train_loss, val_loss, lr, grad_norm, seconds;
} HistRow;

typedef struct History {
    size_t n, cap;
    HistRow *rows;  /* owned */
} History;

int history_push(History *h, const HistRow *row, FbErr *err); /* fails on out of memory */
void history_clear(History *h);                               /* keeps the buffer */
void history_free(History *h);                                /* NULL-safe */
int history_clone(History *dst, const History *src, FbErr *err);
const HistRow *history_last(const History *h);                /* NULL when empty */

/* Write the CSV DESIGN.md fixes: header epoch,step,train_loss,val_loss,lr,
 * grad_norm,seconds; numbers with %.17g in the C locale, an empty cell for a
 * missing val_loss.  Atomic.  Fails as atomic_open/atomic_commit. */
int history_save_csv(const History *h, const char *path, FbErr *err);

#endif
