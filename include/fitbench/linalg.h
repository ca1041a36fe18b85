/* linalg.h — closed-form least squares and ridge over OpenBLAS/LAPACK. */
#ifndef FITBENCH_LINALG_H
#define FITBENCH_LINALG_H

#include <stddef.h>

#include "fitbench/err.h"

/* Least squares with an intercept: find W (k, d) and b (k) minimising
 *   sum_i || W x_i + b - y_i ||^2 + lambda * (||W||^2 + ||b||^2)
 * for X (n, d) and Y (n, k), row-major.  lambda == 0: ordinary least
 * squares as scikit-learn's LinearRegression (centre X and Y, then a QR
 * solve of the centred system, so the intercept is unpenalised and exact).
 * lambda > 0: ridge with the bias penalised too (the fixed point of gradient
 * descent with weight decay on every parameter), solved by Cholesky.
 * Rank-deficient X gives the minimum-norm solution (as lstsq).  Fails on
 * n == 0, non-finite input, LAPACK failure, or out of memory. */
int linalg_lstsq(const double *X, const double *Y, size_t n, size_t d, size_t k, double lambda,
                 double *W, double *b, FbErr *err);

#endif
