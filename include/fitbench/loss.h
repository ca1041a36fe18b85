/* loss.h — training losses with PyTorch's definitions and mean reduction. */
#ifndef FITBENCH_LOSS_H
#define FITBENCH_LOSS_H

#include <stddef.h>

typedef enum { LOSS_MSE, LOSS_MAE, LOSS_HUBER, LOSS_BCE, LOSS_CE, LOSS_HINGE } LossKind;

typedef struct LossCfg {
    LossKind kind;
    double delta; /* huber only; torch default 1.0 */
    double l1, l2; /* penalties l1 * sum|w| + l2 * sum w^2 on the weights, added by training (penalty.h); 0 = none */
} LossCfg;

/* Mean loss of logits Z (n, k) against targets Y, and optionally dZ (n, k) =
 * dLoss/dZ (pass NULL to skip).  Y's shape depends on the loss:
 *   mse, mae, huber: Y is (n, k) values (mean over all n*k elements);
 *   bce:   k == 1, Y is (n, 1) of 0/1 (BCEWithLogitsLoss, stable form);
 *   hinge: k == 1, Y is (n, 1) of 0/1, read as -1/+1: mean(max(0, 1 - t z));
 *   ce:    k classes, Y is (n, 1) of class indices 0..k-1 (CrossEntropyLoss
 *          on logits, log-sum-exp with the max subtracted).
 * Never fails; a non-finite Z gives a non-finite loss, and a ce index that is
 * not an integer in [0, k) gives NaN.  docs/math.md writes out each formula. */
double loss_eval(const LossCfg *cfg, const double *Z, const double *Y, size_t n, size_t k, double *dZ);

/* The same losses for a part of a larger batch: rows [0, n) of a mean over
 * ntotal rows.  Returns the un-normalised sum of the per-element losses of
 * these n rows (divide the total over all parts by loss_count(cfg, ntotal,
 * k) for the mean) and, when dZ is not NULL, dZ (n, k) = the gradient of the
 * mean over all ntotal rows, with torch's norm (1/N or 2/N, N the total
 * count).  loss_eval(.., n, ..) is loss_sum(.., n, n, ..) / loss_count(n). */
double loss_sum(const LossCfg *cfg, const double *Z, const double *Y, size_t n, size_t k, size_t ntotal, double *dZ);

/* dZ as loss_sum writes it, for a training step that needs the gradient
 * only.  The return value is finite exactly when the loss over these rows
 * would be (the divergence check), but it is the loss sum itself only for
 * losses whose value costs nothing beyond the gradient: for bce it leaves
 * out the log1p term.  Never fails. */
double loss_grad(const LossCfg *cfg, const double *Z, const double *Y, size_t n, size_t k, size_t ntotal, double *dZ);

/* The number of terms the mean divides by: n * k, or n for ce. */
size_t loss_count(const LossCfg *cfg, size_t n, size_t k);

/* The loss as `loss` takes it back: its name, then delta= (huber), l1= and l2= (when nonzero), numbers
 * with `digits` significant digits (fb_fmt).  Writes into buf (cut to size) and returns buf. */
const char *loss_text(const LossCfg *cfg, int digits, char *buf, size_t size);

/* The names of the losses as commands and model files spell them, in LossKind order, NULL-terminated. */
extern const char *const loss_names[];
const char *loss_name(LossKind k);                      /* "?" for a value out of range */
int loss_from_name(const char *name, LossKind *k);      /* 0, or -1 (k untouched) for an unknown name */

#endif
