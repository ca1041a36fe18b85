/* linalg.c — least squares via LAPACK (dgelsd on the centred system, dposv for ridge). */
#include "fitbench/linalg.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Fortran LAPACK as exported by Debian's OpenBLAS. */
extern void dgelsd_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b,
                    const int *ldb, double *s, const double *rcond, int *rank, double *work, const int *lwork,
                    int *iwork, int *info);
extern void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda, double *b,
                   const int *ldb, int *info);

static int check_finite(const double *v, size_t n, const char *what, FbErr *err)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return fb_fail(err, "solve: %s contains NaN or Inf", what);
    return 0;
}

/* Ordinary least squares on centred data: Xc (n, d) column-major after the
 * transpose below, so the intercept column never enters the factorisation
 * (this is what scikit-learn does, and it keeps the system well conditioned). */
static int ols(const double *X, const double *Y, size_t n, size_t d, size_t k, double *W, double *b, FbErr *err)
{
    if (n > 2147483647 || d > 2147483647)
        return fb_fail(err, "solve: the problem is too large for LAPACK's 32-bit sizes");
    int m = (int)n, nn = (int)d, nrhs = (int)k, lda = m, ldb = m > nn ? m : nn, rank = 0, info = 0;
    double *xm = fb_calloc(d, sizeof *xm, "solve: column means", err);
    double *ym = fb_calloc(k, sizeof *ym, "solve: target means", err);
    double *A = xm && ym ? fb_malloc(n * d, sizeof *A, "solve: a copy of X", err) : NULL;
    double *B = A ? fb_calloc((size_t)ldb * k, sizeof *B, "solve: a copy of Y", err) : NULL;
    double *s = B ? fb_malloc(d ? d : 1, sizeof *s, "solve: singular values", err) : NULL;
    double *work = NULL;
    int *iwork = NULL;
    int rc = -1;
    if (!s)
        goto out;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++)
            xm[j] += X[i * d + j];
        for (size_t j = 0; j < k; j++)
            ym[j] += Y[i * k + j];
    }
    for (size_t j = 0; j < d; j++)
        xm[j] /= (double)n;
    for (size_t j = 0; j < k; j++)
        ym[j] /= (double)n;
    /* Centre and transpose into column-major A (n, d) and B (ldb, k). */
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++)
            A[j * n + i] = X[i * d + j] - xm[j];
        for (size_t j = 0; j < k; j++)
            B[j * (size_t)ldb + i] = Y[i * k + j] - ym[j];
    }
    double rcond = -1.0, wq;
    int lwork = -1, iwq = 0;
    dgelsd_(&m, &nn, &nrhs, A, &lda, B, &ldb, s, &rcond, &rank, &wq, &lwork, &iwq, &info);
    lwork = (int)wq + 1;
    work = fb_malloc((size_t)lwork, sizeof *work, "solve: LAPACK workspace", err);
    iwork = work ? fb_malloc((size_t)(iwq > 1 ? iwq : 1), sizeof *iwork, "solve: LAPACK workspace", err) : NULL;
    if (!iwork)
        goto out;
    dgelsd_(&m, &nn, &nrhs, A, &lda, B, &ldb, s, &rcond, &rank, work, &lwork, iwork, &info);
    if (info != 0) {
        fb_fail(err, "solve: the least-squares solver did not converge (LAPACK dgelsd info %d)", info);
        goto out;
    }
    for (size_t j = 0; j < k; j++) {
        double bj = ym[j];
        for (size_t c = 0; c < d; c++) {
            W[j * d + c] = B[j * (size_t)ldb + c];
            bj -= xm[c] * W[j * d + c];
        }
        b[j] = bj;
    }
    rc = 0;
out:
    free(xm);
    free(ym);
    free(A);
    free(B);
    free(s);
    free(work);
    free(iwork);
    return rc;
}

/* Ridge with the bias penalised: (A^T A + lambda I) theta = A^T Y with
 * A = [X 1] (n, d+1).  The Gram matrix is built by dsyrk, so X is read once. */
static int ridge(const double *X, const double *Y, size_t n, size_t d, size_t k, double lambda, double *W,
                 double *b, FbErr *err)
{
    size_t p = d + 1;
    if (p > 46340)
        return fb_fail(err, "solve: %zu features is too many for the normal equations", d);
    double *G = fb_calloc(p * p, sizeof *G, "solve: the Gram matrix", err);   /* (p, p) */
    double *R = G ? fb_calloc(p * k, sizeof *R, "solve: A^T Y", err) : NULL;  /* (p, k) col-major: k rhs */
    if (!R) {
        free(G);
        return -1;
    }
    /* G[0:d,0:d] = X^T X (upper, row-major == lower col-major). */
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)n, 1.0, X, (int)d, 0.0, G, (int)p);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            G[j * p + d] += X[i * d + j];
    G[d * p + d] = (double)n;
    for (size_t j = 0; j < p; j++)
        G[j * p + j] += lambda;
    /* R[:, j] = A^T y_j stored column-major (p rows per rhs). */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++) {
            double yv = Y[i * k + j];
            for (size_t c = 0; c < d; c++)
                R[j * p + c] += X[i * d + c] * yv;
            R[j * p + d] += yv;
        }
    /* Row-major upper == column-major lower. */
    int pn = (int)p, nrhs = (int)k, info = 0;
    char uplo = 'L';
    dposv_(&uplo, &pn, &nrhs, G, &pn, R, &pn, &info);
    int rc = 0;
    if (info != 0)
        rc = fb_fail(err, "solve: the regularised system is not positive definite (LAPACK dposv info %d)", info);
    else
        for (size_t j = 0; j < k; j++) {
            for (size_t c = 0; c < d; c++)
                W[j * d + c] = R[j * p + c];
            b[j] = R[j * p + d];
        }
    free(G);
    free(R);
    return rc;
}

int linalg_lstsq(const double *X, const double *Y, size_t n, size_t d, size_t k, double lambda, double *W,
                 double *b, FbErr *err)
{
    if (n == 0)
        return fb_fail(err, "solve: no training rows");
    if (check_finite(X, n * d, "X", err) || check_finite(Y, n * k, "the target", err))
        return -1;
    if (lambda > 0)
        return ridge(X, Y, n, d, k, lambda, W, b, err);
    return ols(X, Y, n, d, k, W, b, err);
}
