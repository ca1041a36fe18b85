/* model.h — linear, logistic, softmax and MLP models over one flat parameter buffer. */
#ifndef FITBENCH_MODEL_H
#define FITBENCH_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/err.h"
#include "fitbench/rng.h"

#define MODEL_MAX_LAYERS 16 /* Linear layers, output layer included */

typedef enum { MODEL_LINEAR, MODEL_LOGISTIC, MODEL_SOFTMAX, MODEL_MLP } ModelKind;
typedef enum { ACT_RELU, ACT_TANH, ACT_SIGMOID, ACT_LINEAR } Act;
typedef enum { INIT_ZEROS, INIT_NORMAL, INIT_UNIFORM, INIT_XAVIER, INIT_HE, INIT_TORCH } InitKind;

/* A stack of torch.nn.Linear layers.  Layer l maps sizes[l] inputs to
 * sizes[l+1] outputs: W_l is (sizes[l+1], sizes[l]) row-major, b_l is
 * (sizes[l+1]).  Flat layout in `params` (and identically in `grads`):
 *   W_0 | b_0 | W_1 | b_1 | ...   woff[l], boff[l] are the offsets.
 * linear/logistic/softmax have one layer; an MLP applies `act` after every
 * layer but the last.  Outputs are logits: the loss decides the link.
 * Owns params and grads (model_free releases them). */
typedef struct Model {
    ModelKind kind;
    Act act;
    size_t nlayers;
    size_t sizes[MODEL_MAX_LAYERS + 1];
    size_t woff[MODEL_MAX_LAYERS], boff[MODEL_MAX_LAYERS];
    size_t nparams;
    double *params;
    double *grads;
} Model;

/* Scratch for forward/backward over batches of up to `cap` rows: the
 * activations of every layer and the backward deltas.  Owned by the caller,
 * reused across calls so a training step allocates nothing. */
typedef struct ModelWork {
    size_t cap;
    double *act;    /* sum over layers of cap * sizes[l+1]: pre/post activations */
    double *pre;    /* same size: pre-activations (needed by backward) */
    double *delta;  /* 2 * cap * max(sizes): backward ping-pong buffers */
    double *ones;   /* cap ones: bias gradients are G^T 1 (one dgemv) */
} ModelWork;

/* Build a model for d inputs and k outputs; hidden[0..nhidden-1] are the MLP
 * widths (ignored unless kind == MODEL_MLP).  Parameters start at zero.
 * Fails on zero sizes, too many layers, an mlp without hidden layers,
 * logistic with k != 1, softmax with k < 2, more than 2^31 parameters or out
 * of memory (naming the bytes needed).  On failure *m is zeroed. */
int model_build(Model *m, ModelKind kind, Act act, const size_t *hidden, size_t nhidden,
                size_t d, size_t k, FbErr *err);
void model_free(Model *m);                                  /* NULL-safe; leaves m zeroed */
/* Deep copy into dst (whose old contents are not freed); fails on out of memory, leaving dst zeroed. */
int model_clone(Model *dst, const Model *src, FbErr *err);

/* Fill params.  `scale` is the std for INIT_NORMAL (0 → 0.01) and the bound
 * a for INIT_UNIFORM (U(-a, a); 0 → 0.05); any scale <= 0 means the default.  XAVIER is Glorot uniform
 * (torch.nn.init.xavier_uniform_, gain 1), HE is Kaiming normal with fan_in
 * (kaiming_normal_, relu gain), TORCH is nn.Linear's reset_parameters
 * (weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in))).  Biases are zero
 * except for TORCH.  Draws come from rng in a fixed order: layer by layer, W
 * row-major then b. */
void model_init_params(Model *m, InitKind kind, double scale, Rng *rng);

int model_work_init(ModelWork *w, const Model *m, size_t cap, FbErr *err); /* fails on out of memory */
void model_work_free(ModelWork *w);                                        /* NULL-safe */

/* Z = model(X).  X is (n, sizes[0]) row-major, Z is (n, k) with
 * k = sizes[nlayers]; n <= w->cap.  Keeps what backward needs in w. */
void model_forward(const Model *m, ModelWork *w, const double *X, size_t n, double *Z);

/* After model_forward on n rows: layer l's outputs (n, sizes[l+1]) row-major, after its activation (the
 * logits for the last layer).  Points into w (valid until the next forward). */
const double *model_work_output(const Model *m, const ModelWork *w, size_t l);

/* Given dZ = dLoss/dZ (n, k) for the same X and n as the last forward,
 * write dLoss/dparams into m->grads (overwriting, not accumulating).
 * Allocates nothing: every intermediate is in w. */
void model_backward(Model *m, ModelWork *w, const double *X, size_t n, const double *dZ);

/* The names of the model kinds, activations and initialisations as commands and model files spell them, in
 * enum order, NULL-terminated; *_name gives "?" for a value out of range; *_from_name returns 0, or -1 (the
 * output untouched) for an unknown name. */
extern const char *const model_kind_names[];
extern const char *const act_names[];
extern const char *const init_names[];
/* The one map between parameter names and the flat buffer.  W_l[i, j] (w true) or b_l[i] of layer l
 * (0-based) is params[*q]; returns -1 (q untouched) when l, i or j is outside the model. */
int model_param_index(const Model *m, bool w, size_t l, size_t i, size_t j, size_t *q);
/* The name of flat parameter q as expressions and plot surface write it: "W[i,j]" / "b[i]" for a one-layer
 * model, "W2[i,j]" / "b2[i]" for layer 2 of several; "p<q>" past the end.  Writes into buf (cut to size). */
void model_param_name(const Model *m, size_t q, char *buf, size_t size);

const char *model_kind_name(ModelKind k);
const char *act_name(Act a);
const char *init_name(InitKind k);
int model_kind_from_name(const char *name, ModelKind *k);
int act_from_name(const char *name, Act *a);
int init_from_name(const char *name, InitKind *k);

#endif
