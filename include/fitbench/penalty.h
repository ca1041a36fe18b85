/* penalty.h — the L1 and L2 penalties of `loss ... l1= l2=`: terms of the loss over every layer's weights. */
#ifndef FITBENCH_PENALTY_H
#define FITBENCH_PENALTY_H

#include <stdbool.h>

#include "fitbench/err.h"
#include "fitbench/loss.h"
#include "fitbench/model.h"

/* True when cfg adds a penalty (l1 or l2 nonzero).  With no penalty nothing
 * below touches a number: training is bit for bit what it was without. */
static inline bool penalty_on(const LossCfg *cfg) { return cfg->l1 != 0 || cfg->l2 != 0; }

/* The penalty l1 * sum |w| + l2 * sum w^2 over the weights W_l of every
 * layer (not the biases), summed layer by layer, each W row-major.  0 when
 * penalty_on is false.  Never fails; a non-finite weight gives a non-finite
 * value. */
double penalty_value(const LossCfg *cfg, const Model *m);

/* Add the penalty's gradient to grads (nparams, the model's layout):
 * l1 * sign(w) + l2 * 2 w on every weight, nothing on the biases, with
 * torch.sign's subgradient 0 at w == 0 (docs/math.md, "Penalties").
 * Does nothing when penalty_on is false.  Never fails. */
void penalty_grad_add(const LossCfg *cfg, const Model *m, double *grads);

/* penalty_grad_add on the flat parameters [lo, hi) only (the thread crew's share of a step): the same
 * numbers, element by element.  Never fails. */
void penalty_grad_range(const LossCfg *cfg, const Model *m, double *grads, size_t lo, size_t hi);

/* Check a penalty strength given by a user or a file: finite and >= 0.
 * Fails with a sentence naming `key` (l1 or l2) otherwise. */
int penalty_check(const char *key, double v, FbErr *err);

#endif
