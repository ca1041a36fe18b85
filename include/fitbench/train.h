/* train.h — the training loop: epochs and minibatches, history, guards (divergence, patience, Ctrl-C). */
#ifndef FITBENCH_TRAIN_H
#define FITBENCH_TRAIN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "fitbench/err.h"
#include "fitbench/history.h"
#include "fitbench/layerlog.h"
#include "fitbench/loss.h"
#include "fitbench/model.h"
#include "fitbench/optim.h"
#include "fitbench/rng.h"
#include "fitbench/sched.h"

/* How to train: value types only, copied freely. */
typedef struct TrainSetup {
    LossCfg loss;
    OptCfg opt;
    SchedCfg sched;
    size_t batch;   /* rows per minibatch; 0 = full batch */
    bool shuffle;   /* reshuffle the rows every epoch (minibatches only) */
} TrainSetup;

/* What to train on (borrowed).  X is (n, d); Y is (n, ky) in the form the
 * loss wants (values for mse/mae/huber, 0/1 for bce/hinge, class indices for
 * ce).  The validation part may be empty (nv == 0). */
typedef struct TrainData {
    const double *X, *Y;
    size_t n, d, ky;
    const double *Xv, *Yv;
    size_t nv;
} TrainData;

/* The losses at the current parameters, whatever moved them last (an epoch,
 * a minibatch, explain, solve, load weights, undo, a restore): noted by the
 * training loop at every epoch end and recomputed by train_refresh whenever
 * the parameters, the loss or the data differ from those it was computed
 * for.  What status lines and the status pane show. */
typedef struct TrainNow {
    bool valid;
    double train_loss, val_loss, grad_norm; /* val_loss NaN without validation rows */
    MetricTask task;                        /* metric_task(loss.kind) */
    double train_metric[2], val_metric[2];  /* the task's metrics, as in HistRow */
    LossCfg loss;                           /* computed with this loss */
    const double *X, *Xv;                   /* on these splits (compared as pointers only) */
    size_t n, nv;
    double *params;                         /* (nparams) at these parameters; owned */
    size_t nparams;
} TrainNow;

/* Everything training changes.  Owns model, opt, perm, hist (shared rows,
 * see history.h), now and llog; cloned whole for undo and compare. */
typedef struct TrainState {
    Model model;
    OptState opt;
    SchedState sched;
    Rng rng;          /* the data-order stream */
    long epoch;       /* completed epochs */
    long steps;       /* optimizer updates made */
    size_t cursor;    /* rows of the current epoch already used */
    size_t *perm;     /* (n) the current epoch's row order when shuffling, else NULL */
    size_t nperm;
    History hist;
    TrainNow now;
    LayerLog llog;    /* per-layer weight and gradient quantiles and update ratios per epoch (layerlog.h) */
} TrainState;

/* What one forward and backward pass over up to `cap` rows needs: the
 * model's activations, the rows gathered for it (a shuffled minibatch) and
 * the outputs and their gradients.  Owned by its holder. */
typedef struct BatchWork {
    ModelWork mw;
    double *Xb, *Yb;   /* (cap, d), (cap, ky): gathered rows */
    double *Z, *dZ;    /* (cap, k) */
} BatchWork;

/* Fails on out of memory (b is then zeroed). */
int batch_work_init(BatchWork *b, const Model *m, size_t ky, size_t cap, FbErr *err);
void batch_work_free(BatchWork *b); /* NULL-safe; leaves b zeroed */

/* Scratch reused across calls so a step allocates nothing; not part of the
 * state (never cloned).  Owned by whoever holds it; train_work_free. */
typedef struct TrainWork {
    BatchWork bw;      /* one pass over up to cap rows */
    size_t cap;        /* rows per chunk/batch the buffers hold */
    size_t nparams;
    double *gacc;      /* (nparams) accumulated full-data gradient */
    double *snap;      /* (5 * nparams) parameters + optimizer buffers at epoch start */
    double *best;      /* (nparams) patience: the best parameters so far */
    size_t nlayers, sizes[MODEL_MAX_LAYERS + 1]; /* the model shape the buffers fit */
    size_t ky;
    double *fused;     /* (fused_scratch_size(d)) one-pass evaluation's partial sums (fused.h) */
    double *msum;      /* (metric_sums_len(MTASK_CLS, k)) a pass's metric sums (metrics.h) */
    double *prev;      /* (nparams) the parameters before the epoch's last update (the update ratio) */
    bool prev_ok;      /* prev holds them for the epoch in hand */
    double *lsort;     /* (LAYERLOG_SAMPLE) scratch for the layer quantiles */
    struct TrainCrew *crew; /* threads that split steps and passes by rows (src/learn/train_crew.h); may be NULL */
    bool crew_on;      /* inside train_run with a crew: passes go to it, BLAS runs on one thread */
    bool one_thread;   /* set by a caller running several trainings at once (compare): this run uses the calling
                        * thread alone (no crew, fused passes on one thread) and leaves BLAS's process-wide count
                        * alone (the caller holds it at 1); the bits are those of `set threads=1` */
} TrainWork;

typedef enum { TRAIN_DONE, TRAIN_INTERRUPTED, TRAIN_STOPPED, TRAIN_DIVERGED, TRAIN_EARLY_STOP } TrainEnd;

/* Rows per forward pass when evaluating a whole split: few enough that the
 * layers' activations stay in cache (W3b's full-data loss and gradient took
 * 186 ms in chunks of 1024 rows, 198 ms in chunks of 4096). */
#define TRAIN_CHUNK 1024

/* The most epochs (train, step) or updates (step batch) one command may ask for. */
#define TRAIN_MAX_COUNT 1000000000L

/* Front-end hooks, all optional.  `stop` is polled after every minibatch
 * (SIGINT sets it).  on_epoch runs after each completed epoch, with the new
 * history row in place; a nonzero return stops training there (until=, keys).
 * on_batch runs after each minibatch; nonzero stops after it.  Hooks may
 * change setup->opt.lr between epochs (the TUI's +/- keys). */
typedef struct TrainHooks {
    volatile sig_atomic_t *stop;
    int (*on_epoch)(void *ctx, const TrainState *st);
    int (*on_batch)(void *ctx, const TrainState *st);
    void *ctx;
} TrainHooks;

typedef struct TrainOutcome {
    TrainEnd end;
    long epochs;      /* epochs completed in this call */
    long batches;     /* minibatch updates made in this call */
    long best_epoch;  /* patience: the epoch with the lowest val_loss of this call (-1: none) */
    bool restored;    /* patience: the weights of best_epoch were put back (see train_run) */
    double bad_lr;    /* diverged: the lr in use */
    char msg[512];    /* a sentence for the user when end != TRAIN_DONE */
} TrainOutcome;

/* Set st up for a freshly built model (moved in: st takes ownership of *m,
 * which is left zeroed): optimizer state, schedule, data-order rng from seed,
 * empty history.  Fails on out of memory (st is then empty). */
int train_state_init(TrainState *st, Model *m, const TrainSetup *setup, unsigned long long seed, FbErr *err);
void train_state_free(TrainState *st);                                       /* NULL-safe */
int train_state_clone(TrainState *dst, const TrainState *src, FbErr *err);  /* deep copy */

void train_work_free(TrainWork *w);   /* NULL-safe; leaves w zeroed */

/* Mean loss of the model over all n rows of X/Y, in chunks of at most
 * TRAIN_CHUNK rows; with want_grad also the gradient of that mean loss, left
 * in m->grads.  Fails on out of memory (work buffers). */
int train_eval(Model *m, const LossCfg *loss, const double *X, const double *Y, size_t n, size_t ky,
               TrainWork *w, double *out_loss, bool want_grad, FbErr *err);

/* train_eval, and when met is not NULL also the task's two metrics
 * (metric_finish) from the same pass's logits: met[0], met[1] (NaN when
 * n == 0).  Fails as train_eval. */
int train_eval_metrics(Model *m, const LossCfg *loss, const double *X, const double *Y, size_t n, size_t ky,
                       TrainWork *w, double *out_loss, bool want_grad, double met[2], FbErr *err);

/* Logits Z (n, k) for X (n, d), in chunks.  Fails on out of memory. */
int train_predict(const Model *m, const double *X, size_t n, double *Z, TrainWork *w, FbErr *err);

/* Make sure history row 0 exists (the loss before training).  Fails on out
 * of memory. */
int train_begin(TrainState *st, const TrainSetup *setup, const TrainData *data, TrainWork *w, FbErr *err);

/* Bring st->now up to date for the current parameters, loss and data: a
 * no-op when it already is (a comparison of the parameters), else one pass
 * over the training rows with the gradient (left in model.grads) and one
 * over the validation rows.  *computed (may be NULL) says which.  Fails on
 * out of memory (st->now is then invalid). */
int train_refresh(TrainState *st, const TrainSetup *setup, const TrainData *data, TrainWork *w, bool *computed,
                  FbErr *err);

/* Train for `epochs` whole epochs (if batches == 0) or for `batches` single
 * minibatch updates (if epochs == 0), appending a history row for every
 * epoch completed.  patience > 0 is Keras' EarlyStopping(monitor='val_loss',
 * patience, min_delta=0, restore_best_weights=True), one per call: the
 * best val_loss starts at +inf, each epoch end counts wait += 1 and an epoch
 * whose val_loss is strictly lower than the best resets wait to 0 and keeps
 * its weights; training stops when wait >= patience (never at this call's
 * first epoch).  When the call ends at an epoch end other than by divergence
 * or an interrupt (all epochs done, the early stop, a hook), the weights of
 * the best epoch are put back (out->restored), as Keras 3 does in
 * on_train_end; the optimizer state, schedule, counters and history stay
 * those of the last epoch.  A non-finite loss
 * stops in that epoch and restores the parameters and optimizer state of the
 * end of the previous epoch.  Those endings, Ctrl-C and hooks are not errors:
 * they come back in *out with rc 0.  Fails (rc -1) only on out of memory or
 * invalid setup (patience without validation rows, an optimizer/schedule
 * combination torch refuses). */
int train_run(TrainState *st, TrainSetup *setup, const TrainData *data, TrainWork *w, long epochs, long batches,
              long patience, const TrainHooks *hooks, TrainOutcome *out, FbErr *err);

/* Free / copy a TrainNow (NULL-safe free; the copy fails on out of memory, dst then invalid and empty). */
void train_now_free(TrainNow *n);
int train_now_clone(TrainNow *dst, const TrainNow *src, FbErr *err);

/* L2 norm of v (n). */
double train_norm(const double *v, size_t n);

#endif
