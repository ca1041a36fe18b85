/* train_crew.h — minibatch steps and whole-split passes split by rows over a team of threads (used by train.c only). */
#ifndef FITBENCH_TRAIN_CREW_H
#define FITBENCH_TRAIN_CREW_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/err.h"
#include "fitbench/loss.h"
#include "fitbench/model.h"
#include "fitbench/optim.h"
#include "fitbench/train.h"

/* Data parallelism for models that are not on the fused path: member i of
 * k takes the i-th of k row slabs of a minibatch (or of the rows of a split),
 * runs forward and backward on it with one BLAS thread into a gradient of
 * its own, and the parts are summed in member order.  A step hands out two
 * jobs (the gradient parts; the sum and the update, each member its own
 * range of parameters), where BLAS's own threads would hand out one per GEMM
 * (eight per step for two hidden layers), each too small to split well.
 * The results depend on k (the order of the sums) and on nothing else. */
typedef struct TrainCrew TrainCrew;

/* How many members a crew for a run on n rows should have: `threads`
 * (the BLAS setting), at most the CPUs the process may use, when the model
 * is not on the fused path and a pass over the rows is big enough to split;
 * else 1 (no crew). */
size_t crew_members(const Model *m, const LossCfg *loss, size_t n, int threads);

/* Whether a minibatch of b rows is worth splitting: two hand-offs per step
 * pay only when a step has enough work; smaller steps run on the calling
 * thread (with one BLAS thread, as OpenBLAS would run them anyway). */
bool crew_takes_steps(const TrainCrew *c, const Model *m, size_t b);

/* Make *c a crew of k members for this model, target width ky and up to
 * cap rows per pass, reusing it when it already fits; each member holds
 * ceil(cap / k) rows.  Never fails: when memory, threads or a memory limit
 * (blas_callers_fit, checked once the members' buffers are in place)
 * do not allow one, *c is NULL and training runs without a crew. */
void crew_fit(TrainCrew **c, const Model *m, size_t ky, size_t cap, size_t k);
void crew_free(TrainCrew *c); /* NULL-safe */
size_t crew_size(const TrainCrew *c); /* members; 1 for NULL */

/* Rows [cursor, cursor + b) of the epoch (through perm when not NULL):
 * each member's part of the gradient of the batch's mean loss.  Returns a
 * value finite exactly when the batch's loss is (loss_grad).  b >= k. */
double crew_batch_grad(TrainCrew *c, const Model *m, const LossCfg *loss, const TrainData *data, const size_t *perm,
                       size_t cursor, size_t b);

/* After crew_batch_grad: m->grads = the sum of the parts plus the gradient
 * of the loss's penalty (penalty.h; crew_batch_grad's loss), then one
 * optimizer step on m->params, each member its own range. */
void crew_step(TrainCrew *c, Model *m, const OptCfg *cfg, double lr, OptState *opt);

/* train_eval's pass over all n rows of X/Y (Y with the crew's ky columns),
 * split by rows: the mean loss, and with want_grad its gradient in m->grads.
 * When msum is not NULL, each member also adds up the metric sums of task t
 * (metric_sums_len(t, k) doubles) over its rows, and their parts are added
 * to msum in member order. */
double crew_eval(TrainCrew *c, Model *m, const LossCfg *loss, const double *X, const double *Y, size_t n,
                 bool want_grad, MetricTask t, double *msum);

#endif
