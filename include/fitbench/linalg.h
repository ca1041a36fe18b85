/* linalg.h — closed-form least squares and ridge over OpenBLAS/LAPACK. */
#ifndef FITBENCH_LINALG_H
#define FITBENCH_LINALG_H

#include <stdbool.h>
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

/* linalg_lstsq_info without the info. */
int linalg_lstsq(const double *X, const double *Y, size_t n, size_t d, size_t k, double lambda,
                 double *W, double *b, FbErr *err);

/* Frees info->dep (NULL-safe). */
void linalg_info_free(LinalgInfo *info);

/* OpenBLAS's work buffers under a memory limit.
 *
 * OpenBLAS gives each thread that runs a level-3 routine (also a LAPACK
 * factorisation, or level 2 on long vectors) a work buffer of 128 MiB,
 * mapped on first use and kept until exit; the worker threads it starts when
 * the library loads map theirs at once.  When the mapping fails it tries
 * again forever, so under a tight `ulimit -v` (RLIMIT_AS) or `ulimit -d`
 * (RLIMIT_DATA) the program would hang (in the first solve or training step,
 * or at exit, waiting for a worker that never got its buffer) instead of
 * failing.  With neither limit set (the usual case) each function below costs
 * two getrlimit calls and does nothing else.
 *
 * linalg_blas_reserve: at start-up, on the main thread, before any BLAS call:
 * checks that the limit leaves room for the buffers still to come for the
 * `threads` BLAS threads now running (the workers' not yet mapped, and the
 * main thread's).  Fails (-1) when it does not, naming the limit, the room
 * left and the limit that would do; workers that could not map their buffers
 * never finish then, so the caller should end the process with _exit, not
 * exit (OpenBLAS's exit handler waits for them).
 *
 * linalg_blas_ready: before the calling (main) thread's first BLAS call that
 * may need its buffer (building a model, whose first forward pass follows;
 * linalg_lstsq calls it itself): under a limit, checks that the buffer fits,
 * then has OpenBLAS map it at once (a 1 x 1 dsyrk), so that no later BLAS
 * call on that thread maps one.  Fails (-1, nothing mapped) when it does not
 * fit, e.g. because the data took the room.  Later calls return 0 at once.
 *
 * linalg_blas_threads: before raising OpenBLAS's thread count to `threads`
 * (each new worker maps a stack and a buffer at once): fails when a limit
 * leaves no room for them.  0 without a limit or when no new worker starts. */
int linalg_blas_reserve(int threads, FbErr *err);
int linalg_blas_ready(FbErr *err);
int linalg_blas_threads(int threads, FbErr *err);

/* linalg_blas_callers_fit: before `extra` threads besides the main one
 * start calling BLAS, each on one BLAS thread (a training team's workers):
 * each takes a buffer of its own on its first level-3 call, which OpenBLAS
 * then keeps for later callers.  True when no limit is set, when that many
 * were let in before, or when the limit leaves room for their buffers and
 * stacks (then it counts them as let in).  Maps nothing; never fails. */
bool linalg_blas_callers_fit(int extra);

#endif
