/* optim.h — torch.optim's SGD, Adam, AdamW, RMSprop and Adagrad as loops over flat arrays. */
#ifndef FITBENCH_OPTIM_H
#define FITBENCH_OPTIM_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/err.h"

typedef enum { OPT_SGD, OPT_ADAM, OPT_ADAMW, OPT_RMSPROP, OPT_ADAGRAD } OptKind;

/* Hyperparameters, named and defaulted as in torch.optim (PyTorch 1.13).
 * Fields a kind does not use are ignored. */
typedef struct OptCfg {
    OptKind kind;
    double lr;            /* sgd 0.01 (torch has no default), adam/adamw 1e-3, rmsprop 1e-2, adagrad 1e-2 */
    double momentum;      /* sgd, rmsprop: 0 */
    double dampening;     /* sgd: 0 */
    bool nesterov;        /* sgd */
    double weight_decay;  /* 0, adamw 1e-2 */
    double beta1, beta2;  /* adam/adamw: 0.9, 0.999 */
    double eps;           /* adam/adamw/rmsprop 1e-8, adagrad 1e-10 */
    bool amsgrad;         /* adam/adamw */
    double alpha;         /* rmsprop: 0.99 */
    bool centered;        /* rmsprop */
    double lr_decay;      /* adagrad: 0 */
    double initial_accumulator_value; /* adagrad: 0 */
} OptCfg;

/* The per-parameter state torch keeps, flat.  `step` counts updates made.
 * Buffers are allocated for every kind (n doubles each) so switching
 * hyperparameters never allocates. */
typedef struct OptState {
    size_t n;
    long step;
    bool has_buf;  /* sgd: momentum_buffer exists (torch creates it on the first step) */
    double *m;     /* sgd momentum_buffer; adam exp_avg; rmsprop momentum_buffer */
    double *v;     /* adam exp_avg_sq; rmsprop square_avg; adagrad sum */
    double *vmax;  /* adam max_exp_avg_sq (amsgrad) */
    double *g;     /* rmsprop grad_avg (centered) */
} OptState;

void optim_defaults(OptCfg *cfg, OptKind kind);  /* fill every field with torch's defaults for kind */

/* Check ranges as torch does (lr > 0 here, eps >= 0, 0 <= beta < 1, nesterov
 * needs momentum > 0 and dampening == 0, ...).  Returns NULL when valid, else
 * a static message naming the bad field. */
const char *optim_check(const OptCfg *cfg);

/* Allocate zeroed state for n parameters and set it as torch would on a fresh
 * optimizer (adagrad's sum starts at initial_accumulator_value).  Fails on
 * out of memory. */
int optim_state_init(OptState *st, const OptCfg *cfg, size_t n, FbErr *err);
void optim_state_free(OptState *st);                                   /* NULL-safe */
int optim_state_clone(OptState *dst, const OptState *src, FbErr *err); /* fails on out of memory */

/* One optimizer.step(): update params (n) in place from grads (n) with
 * learning rate lr (the scheduled lr; cfg->lr is the base).  grads is not
 * modified.  Exactly torch's single-tensor (foreach=False) update order. */
void optim_step(const OptCfg *cfg, double lr, OptState *st, double *params, const double *grads, size_t n);

/* optim_step in parts, for threads that each update their own range:
 * optim_step_begin once, then optim_step_range on disjoint [lo, hi) that
 * together cover [0, n) (concurrently is fine: each touches only its range
 * of params and of the state's buffers), then optim_step_end once.  The same
 * bits as optim_step for any split. */
void optim_step_begin(OptState *st);
void optim_step_range(const OptCfg *cfg, double lr, OptState *st, double *params, const double *grads, size_t lo,
                      size_t hi);
void optim_step_end(const OptCfg *cfg, OptState *st);

/* For tests: run the updates at most `lanes` doubles wide (1 = the scalar
 * loops, 4 = AVX, 8 = AVX-512; 0 = the widest the CPU has).  Every width
 * gives the same bits. */
void optim_force_lanes(int lanes);

/* The names of the optimizers as commands spell them, in OptKind order, NULL-terminated. */
extern const char *const optim_names[];
const char *optim_name(OptKind k);                      /* "?" for a value out of range */
int optim_from_name(const char *name, OptKind *k);      /* 0, or -1 (k untouched) for an unknown name */

/* The options optimizer k takes, as `optim` spells them (torch.optim's constructor arguments, in their
 * order), NULL-terminated.  The one answer to "which options does this optimizer take", for the command,
 * its completion, compare and the settings text. */
const char *const *optim_options(OptKind k);
/* Every option any optimizer takes, NULL-terminated (compare's keys). */
const char *const *optim_all_options(void);
/* Is key an option of k? */
bool optim_takes(OptKind k, const char *key);
/* Set option key of cfg: a number, or for the yes/no options (nesterov, centered, amsgrad) 0 or 1.
 * Returns 0, or -1 when no optimizer has that option (cfg untouched). */
int optim_set(OptCfg *cfg, const char *key, double value);
/* Is key one of the yes/no options? */
bool optim_option_is_bool(const char *key);

/* The settings as `optim` takes them back, for example "adam lr=0.001 beta1=0.9 beta2=0.999 eps=1e-08
 * weight_decay=0 amsgrad=no": every option of cfg's kind, numbers with `digits` significant digits.
 * Writes into buf (cut short to size); returns buf. */
const char *optim_text(const OptCfg *cfg, int digits, char *buf, size_t size);

#endif
