/* gradcheck.h — the analytic gradient against centred finite differences, per layer (cs231n's relative error). */
#ifndef FITBENCH_GRADCHECK_H
#define FITBENCH_GRADCHECK_H

#include <stddef.h>

#include "fitbench/err.h"
#include "fitbench/loss.h"
#include "fitbench/model.h"
#include "fitbench/train.h"

/* One layer's comparison over the parameters checked (W_l then b_l):
 *   rel   = ||a − num|| / max(||a||, ||num||)  (0 when both are zero): cs231n's
 *           relative error |a − n| / max(|a|, |n|) taken over the layer's vector;
 *   worst = the largest elementwise |a − n| / max(|a|, |n|) among the checked
 *           parameters whose gradient is not tiny (max(|a|, |n|) > 1e-6 of the
 *           layer's largest), at flat index worst_q with its two values. */
typedef struct GradLayer {
    size_t checked, total;   /* parameters compared, parameters in the layer */
    double rel, worst;
    size_t worst_q;          /* flat index into params (model_param_name names it) */
    double worst_a, worst_n; /* its analytic and numerical gradient */
} GradLayer;

typedef struct GradReport {
    size_t nlayers;
    GradLayer layer[MODEL_MAX_LAYERS];
    size_t rows;  /* training rows the loss was taken over (the first `rows`) */
    double eps;
    double loss;  /* the mean loss over those rows at the parameters */
} GradReport;

/* Compare the gradient of the mean loss over the first `rows` rows of X (n, d)
 * / Y (n, ky) with centred differences (L(θ + eps e_q) − L(θ − eps e_q)) / 2 eps.
 * Parameters: every one of a layer with at most max_per_layer parameters
 * (0 = no limit), else max_per_layer of them evenly spaced, W and b alike.
 * `analytic` (nparams) is the gradient to check; NULL computes it with
 * train_eval (the training loop's gradient) — a test passes a perturbed one
 * to see the check catch it.  m->params are restored exactly (each nudge is
 * undone by writing the saved value back); m->grads hold the analytic
 * gradient afterwards.  Fails on eps <= 0 or not finite, no rows, or out of
 * memory (train_eval's work buffers). */
int gradcheck_run(Model *m, const LossCfg *loss, const double *X, const double *Y, size_t rows, size_t ky,
                  TrainWork *w, double eps, size_t max_per_layer, const double *analytic, GradReport *out,
                  FbErr *err);

/* cs231n's reading of a relative error: "fine" (< 1e-7), "ok only with kinks"
 * (< 1e-4: relu, mae, hinge are not differentiable everywhere), "uncomfortable"
 * (< 1e-2), "probably wrong" (>= 1e-2 or NaN). */
const char *gradcheck_band(double rel);

#endif
