/* linalg.h — closed-form least squares and ridge over OpenBLAS/LAPACK (room for OpenBLAS's buffers: blas.h). */
#ifndef FITBENCH_LINALG_H
#define FITBENCH_LINALG_H

#include <stddef.h>

#include "fitbench/err.h"

/* What a solve found out about the design, for the caller to report. */
typedef struct LinalgInfo {
    size_t rank;      /* numerical rank of the centred X (d when full rank; always d for ridge) */
    size_t ndep;      /* d - rank */
    size_t *dep;      /* (ndep) indices of columns that are linear combinations of the others (the ones a
                         column-pivoted QR of the centred X takes last), ascending; owned: linalg_info_free */
    double rcond;     /* normal equations: dpocon's reciprocal condition estimate of the Gram matrix;
                         svd: s_min / s_max of the centred X; 0 when not computed */
    const char *path; /* "normal equations", "svd" (least squares) or "qr" (ridge): the solver used */
} LinalgInfo;

/* Least squares with an intercept: find W (k, d) and b (k) per output j minimising
 *   || X w_j + b_j - y_j ||^2 + lambda * (||w_j||^2 + b_j^2)
 * for X (n, d) and Y (n, k), row-major (docs/math.md, "solve").
 * lambda == 0: scikit-learn's LinearRegression: centre X and Y, solve the
 * centred system, b = ym - W xm.  Well-conditioned designs (Cholesky rcond of
 * Xc^T Xc >= 1e-5) through the normal equations, the others by the SVD
 * (dgelsd) with numpy.linalg.lstsq's cut-off eps * max(n, d): a
 * rank-deficient X gives the minimum-norm solution, and info names the
 * dependent columns.
 * lambda > 0: ridge with the bias penalised too (the fixed point of gradient
 * descent with weight decay on every parameter; scikit-learn's
 * Ridge(alpha=lambda, fit_intercept=False) on [X 1]), solved in centred
 * coordinates: Cholesky when well conditioned, else Householder QR.
 * info may be NULL; when given it is filled on success (free its dep with
 * linalg_info_free) and left empty on failure.  Fails on n == 0, a negative
 * or non-finite lambda, non-finite input, LAPACK failure, or out of memory. */
int linalg_lstsq_info(const double *X, const double *Y, size_t n, size_t d, size_t k, double lambda, double *W,
                      double *b, LinalgInfo *info, FbErr *err);

/* Ridge with separate penalties on the weights and the intercepts: per output j
 *   min || X w_j + b_j - y_j ||^2 + lw ||w_j||^2 + lb b_j^2
 * for X (n, d), Y (n, k) row-major; W is (k, d), b (k).  lb == 0 is
 * scikit-learn's Ridge(alpha=lw) with its unpenalised intercept (centre X
 * and Y, solve (Xc^T Xc + lw I) w = Xc^T yc, b = ym - xm.w): `loss ... l2=`'s
 * closed form; lw == lb is linalg_lstsq_info's ridge, bit for bit; lw == lb
 * == 0 is its least squares.  Cholesky of the centred normal equations when
 * well conditioned, else Householder QR (docs/math.md, "solve").  info as
 * linalg_lstsq_info.  Fails as linalg_lstsq_info, and on lb > 0 with lw == 0. */
int linalg_ridge_info(const double *X, const double *Y, size_t n, size_t d, size_t k, double lw, double lb,
                      double *W, double *b, LinalgInfo *info, FbErr *err);

/* linalg_lstsq_info without the info. */
int linalg_lstsq(const double *X, const double *Y, size_t n, size_t d, size_t k, double lambda,
                 double *W, double *b, FbErr *err);

/* Frees info->dep (NULL-safe). */
void linalg_info_free(LinalgInfo *info);

#endif
