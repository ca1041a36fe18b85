/* layerlog.h — per-layer distributions over the epochs, recorded cheaply: quantiles of each layer's weights and
 * of its gradient, and its last update's size against its weights (cs231n's update/weight ratio). */
#ifndef FITBENCH_LAYERLOG_H
#define FITBENCH_LAYERLOG_H

#include <stddef.h>

#include "fitbench/err.h"
#include "fitbench/model.h"

#define LAYERLOG_Q 5         /* quantiles kept: 5 %, 25 %, 50 %, 75 %, 95 % */
#define LAYERLOG_ROWS 512    /* rows kept at most: when full, every other row goes and the spacing doubles */
#define LAYERLOG_SAMPLE 4096 /* a layer with more weights is summarised by this many evenly spaced ones */

extern const double layerlog_quantiles[LAYERLOG_Q]; /* 0.05, 0.25, 0.5, 0.75, 0.95 */

/* One layer at one epoch.  wq: quantiles of the signed weights W_l (biases left out); gq: quantiles of
 * |dL/dW_l|, the full training-loss gradient at the same parameters; ratio: ||θ_l − θ_l'|| / ||θ_l'|| over W_l
 * and b_l, θ' the parameters before the epoch's last update (NaN for epoch 0 or when unknown). */
typedef struct LayerStat {
    double wq[LAYERLOG_Q], gq[LAYERLOG_Q], ratio;
} LayerStat;

/* Rows at epochs 0, every, 2·every, ... (all epochs until LAYERLOG_ROWS rows were kept).  Owned. */
typedef struct LayerLog {
    size_t n, nl;   /* rows held, layers per row */
    long every;     /* epochs between rows (1 at first) */
    long *epoch;    /* (LAYERLOG_ROWS) */
    LayerStat *s;   /* (LAYERLOG_ROWS * nl): row r's layer l at s[r * nl + l] */
} LayerLog;

/* Add the row of `epoch` (skipped, returning 0, when epoch is not a multiple of every): the quantiles of m's
 * weights and of m->grads (the gradient at m->params), and the ratios against prev (nparams, or NULL).
 * scratch holds LAYERLOG_SAMPLE doubles.  A model of another shape than the rows held starts the log over.
 * Fails on out of memory (lg unchanged). */
int layerlog_add(LayerLog *lg, long epoch, const Model *m, const double *prev, double *scratch, FbErr *err);

void layerlog_free(LayerLog *lg);                                   /* NULL-safe; leaves lg zeroed */
int layerlog_clone(LayerLog *dst, const LayerLog *src, FbErr *err); /* deep copy; fails on out of memory (dst zeroed) */

#endif
