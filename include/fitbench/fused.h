/* fused.h — one pass over X for single-output linear models: the loss and its gradient from the same rows. */
#ifndef FITBENCH_FUSED_H
#define FITBENCH_FUSED_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/loss.h"
#include "fitbench/metrics.h"
#include "fitbench/model.h"

/* True when fused_eval can evaluate m with this loss: one layer with one
 * output (linear or logistic with k == 1) and an elementwise loss (mse, mae,
 * huber, bce, hinge). */
bool fused_applies(const Model *m, const LossCfg *loss);

/* Doubles of scratch fused_eval needs for d inputs. */
size_t fused_scratch_size(size_t d);

/* Mean loss of m over the n rows of X (n, d) and Y (n, 1); when grads is not
 * NULL also the gradient of that mean, written to grads (nparams: W then b,
 * the model's layout).  X is read once: each block of rows gives its logits,
 * its loss terms and its gradient terms while it is in cache.  The rows are
 * cut into a fixed number of slabs whose partial sums are added in slab
 * order, so the result depends on n and d only, never on `threads` (up to
 * that many threads share the slabs).  scratch holds fused_scratch_size(d)
 * doubles.  Never fails: if a thread cannot be started its slabs run on the
 * calling thread.  When msum is not NULL, the metric sums of task t
 * (metric_sums_len(t, 1) doubles, metrics.h) of the same logits are added to
 * it, slab by slab in slab order. */
double fused_eval(const Model *m, const LossCfg *loss, const double *X, const double *Y, size_t n, double *grads,
                  double *scratch, int threads, MetricTask t, double *msum);

/* One minibatch step's gradient: the gradient of the mean loss over b rows
 * of X (n, d) and Y (n, 1), written to grads (nparams, the model's layout).
 * The rows are idx[r0 .. r0 + b) when idx is not NULL, else r0 .. r0 + b in
 * order; they are read in place (no gather), in blocks small enough that
 * the gradient's sweep finds them still in cache after the logits'.  Returns
 * loss_grad's check value: finite exactly when the loss over these rows is
 * (grads may then hold non-finite values).  Never fails. */
double fused_batch_grad(const Model *m, const LossCfg *loss, const double *X, const double *Y, const size_t *idx,
                        size_t r0, size_t b, double *grads);

#endif
