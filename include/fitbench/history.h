/* history.h — one row per epoch of training: losses, lr, gradient norm, time. */
#ifndef FITBENCH_HISTORY_H
#define FITBENCH_HISTORY_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/err.h"
#include "fitbench/metrics.h"

/* Row e describes the parameters at the end of epoch e (row 0: before
 * training).  train_loss / val_loss are the loss on the whole split with
 * those parameters (val_loss is NaN without a validation split); lr is the lr
 * used during that epoch; grad_norm the L2 norm of the full training-loss
 * gradient at those parameters; steps the optimizer updates made so far;
 * seconds the wall time the epoch took (0 for row 0).  task says which
 * metrics the row holds (metrics.h: accuracy and macro F1, or r2 and rmse);
 * train_metric / val_metric are those two on the whole split at the same
 * parameters, from the same pass as the loss (NaN without such rows). */
typedef struct HistRow {
    long epoch;
    long steps;
    double train_loss, val_loss, lr, grad_norm, seconds;
    MetricTask task;
    double train_metric[2], val_metric[2];
} HistRow;

/* The rows live in a buffer shared by every copy of the history
 * (history_clone takes a reference, it copies no row), so an undo snapshot
 * costs a pointer whatever the history's length.  Copy on write: a copy that
 * appends or edits while the buffer is shared gets a buffer of its own,
 * unless it only appends right after the last row anyone wrote (the usual
 * case: the live session training on while its snapshots keep their shorter
 * prefix).  Rows are therefore read through `rows` and changed only through
 * the functions below. */
typedef struct HistBuf HistBuf;  /* history.c */
typedef struct History {
    size_t n, cap;        /* rows held, rows the buffer has room for */
    const HistRow *rows;  /* (n) rows[0..n) */
    HistBuf *buf;         /* the shared storage rows points into; NULL when empty or a borrowed view */
} History;

int history_push(History *h, const HistRow *row, FbErr *err); /* fails on out of memory (h unchanged) */
void history_clear(History *h);                               /* n = 0; the buffer stays shared */
void history_free(History *h);                                /* NULL-safe; drops the reference */
int history_clone(History *dst, const History *src, FbErr *err); /* shares the rows; never fails (0) */
const HistRow *history_last(const History *h);                /* NULL when empty */

/* Row i (< n) to write into, the buffer made private to h first if it is
 * shared.  NULL on out of memory (err filled, h unchanged). */
HistRow *history_edit(History *h, size_t i, FbErr *err);

/* A promise by the caller that no holder of h's buffer needs rows past
 * max(h->n, keep) any more (undo: the other holders are the snapshots, whose
 * longest prefix the caller knows).  Lets the next push write in place
 * instead of copying the rows. */
void history_trim(History *h, size_t keep);

/* Bytes of row storage h refers to (shared storage counted whole), and
 * whether a and b share it. */
size_t history_bytes(const History *h);
bool history_shares(const History *a, const History *b);

/* Write the CSV DESIGN.md fixes: header epoch,step,train_loss,val_loss,lr,
 * grad_norm,seconds, then the metric columns of the tasks some row has
 * (train_accuracy,val_accuracy,train_f1,val_f1 and/or train_r2,val_r2,
 * train_rmse,val_rmse); numbers with %.17g in the C locale, an empty cell for
 * a missing value (NaN).  Atomic.  Fails as atomic_open/atomic_commit. */
int history_save_csv(const History *h, const char *path, FbErr *err);

#endif
