/* linalg.c — least squares and ridge: centred normal equations (dsyrk + Cholesky) when well conditioned, else
 * dgelsd (least squares) or dgels (ridge). */
#include "fitbench/linalg.h"

#include "fitbench/blas.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Fortran LAPACK as exported by Debian's OpenBLAS. */
extern void dgelsd_(const int *m, const int *n, const int *nrhs, double *a, const int *lda, double *b,
                    const int *ldb, double *s, const double *rcond, int *rank, double *work, const int *lwork,
                    int *iwork, int *info);
extern void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
extern void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda, double *b,
                    const int *ldb, int *info);
extern void dpocon_(const char *uplo, const int *n, const double *a, const int *lda, const double *anorm,
                    double *rcond, double *work, int *iwork, int *info);
extern double dlansy_(const char *norm, const char *uplo, const int *n, const double *a, const int *lda,
                      double *work);
extern void dgeqp3_(const int *m, const int *n, double *a, const int *lda, int *jpvt, double *tau, double *work,
                    const int *lwork, int *info);
extern void dgels_(const char *trans, const int *m, const int *n, const int *nrhs, double *a, const int *lda,
                   double *b, const int *ldb, double *work, const int *lwork, int *info);

/* From the solution of the centred problem (column j of S, leading
 * dimension ld, holds output j's d weights, and for ridge S[j*ld + d] the
 * fitted mean c_j) to W (k, d) and the intercepts b = c - W xm (c = ym for
 * least squares). */
static void uncentre(const double *S, size_t ld, const double *xm, const double *c, size_t d, size_t k, double *W,
                     double *b)
{
    for (size_t j = 0; j < k; j++) {
        double bj = c[j];
        for (size_t col = 0; col < d; col++) {
            W[j * d + col] = S[j * ld + col];
            bj -= xm[col] * W[j * d + col];
        }
        b[j] = bj;
    }
}

static int check_finite(const double *v, size_t n, const char *what, FbErr *err)
{
    /* Exponent bits all ones = Inf or NaN; an integer OR-reduction vectorises,
     * a branch per element does not (this pass over X costs as much as the means). */
    uint64_t bad = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t bits;
        memcpy(&bits, v + i, sizeof bits);
        bad |= (~bits & 0x7ff0000000000000ULL) == 0;
    }
    if (bad)
        return fb_fail(err, "solve: %s contains NaN or Inf", what);
    return 0;
}

/* The normal equations are used only when the Cholesky factor's reciprocal
 * condition estimate (1-norm, dpocon) is at least this: their relative error
 * is about eps / rcond, so at most ~1e-11 here, against the 1e-9 promised
 * (docs/math.md); anything worse goes to the SVD (least squares) or the QR
 * (ridge) solve, which are backward stable. */
#define NORMAL_RCOND_MIN 1e-5
#define NORMAL_BLOCK 16384 /* rows centred per dsyrk call */

static void col_means(const double *X, size_t n, size_t d, double *xm)
{
    for (size_t j = 0; j < d; j++)
        xm[j] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            xm[j] += X[i * d + j];
    for (size_t j = 0; j < d; j++)
        xm[j] /= (double)n;
}

/* G = Xc^T Xc into the lower triangle of the column-major (ld, ld) G (first
 * d rows and columns; that is the row-major upper triangle), R[:, j] =
 * Xc^T yc_j into column j of the column-major (ld, k) R, where Xc = X - xm
 * and yc = Y - ym are centred by the means xm (d), ym (k) computed here.
 * Rows are centred NORMAL_BLOCK at a time (X is read twice: the means, then
 * the products).  G and R must be zeroed.  Fails only on out of memory. */
static int centred_gram(const double *X, const double *Y, size_t n, size_t d, size_t k, size_t ld, double *xm,
                        double *ym, double *G, double *R, FbErr *err)
{
    size_t nb = n < NORMAL_BLOCK ? n : NORMAL_BLOCK;
    double *Xc = fb_malloc(nb * d, sizeof *Xc, "solve: a block of centred rows", err);         /* (nb, d) */
    double *yc = Xc ? fb_malloc(nb * k, sizeof *yc, "solve: a block of centred targets", err) : NULL; /* (k, nb) */
    if (!yc) {
        free(Xc);
        return -1;
    }
    col_means(X, n, d, xm);
    col_means(Y, n, k, ym);
    for (size_t r0 = 0; r0 < n; r0 += nb) {
        size_t m = n - r0 < nb ? n - r0 : nb;
        for (size_t i = 0; i < m; i++) {
            const double *x = X + (r0 + i) * d;
            for (size_t j = 0; j < d; j++)
                Xc[i * d + j] = x[j] - xm[j];
            for (size_t j = 0; j < k; j++)
                yc[j * nb + i] = Y[(r0 + i) * k + j] - ym[j];
        }
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)m, 1.0, Xc, (int)d, 1.0, G, (int)ld);
        for (size_t j = 0; j < k; j++)
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)m, (int)d, 1.0, Xc, (int)d, yc + j * nb, 1, 1.0, R + j * ld,
                        1);
    }
    free(Xc);
    free(yc);
    return 0;
}

/* The centred normal equations of X (n, d) and Y (n, k) in p >= d unknowns: the means xm (d) and ym (k),
 * G (p, p) and R (p, k), column-major, zero but for centred_gram's products in their first d rows and
 * columns (the rest for the caller to fill).  Owned: normal_free. */
typedef struct Normal {
    double *xm, *ym, *G, *R;
} Normal;

static void normal_free(Normal *ne)
{
    free(ne->xm);
    free(ne->ym);
    free(ne->G);
    free(ne->R);
}

/* Allocates and fills *ne (normal_free it, also on failure).  Fails only on out of memory. */
static int normal_build(const double *X, const double *Y, size_t n, size_t d, size_t k, size_t p, Normal *ne,
                        FbErr *err)
{
    *ne = (Normal){0};
    ne->xm = fb_calloc(d ? d : 1, sizeof *ne->xm, "solve: column means", err);
    ne->ym = ne->xm ? fb_calloc(k, sizeof *ne->ym, "solve: target means", err) : NULL;
    ne->G = ne->ym ? fb_calloc(p * p, sizeof *ne->G, "solve: the Gram matrix", err) : NULL;        /* (p, p) */
    ne->R = ne->G ? fb_calloc(p * k, sizeof *ne->R, "solve: the right-hand side", err) : NULL; /* (p, k) */
    if (!ne->R)
        return -1;
    return centred_gram(X, Y, n, d, k, p, ne->xm, ne->ym, ne->G, ne->R, err);
}

/* Solve G S = R in place (G (p, p) symmetric positive definite, lower
 * triangle column-major; R (p, k) column-major) by Cholesky, when the
 * factor's rcond estimate is at least NORMAL_RCOND_MIN.  0 solved (info->rcond
 * set), 1 not accurate enough (R unchanged), -1 out of memory. */
static int cholesky_solve(double *G, double *R, size_t p, size_t k, LinalgInfo *info, FbErr *err)
{
    double *work = fb_malloc(3 * p, sizeof *work, "solve: LAPACK workspace", err);
    int *iwork = work ? fb_malloc(p, sizeof *iwork, "solve: LAPACK workspace", err) : NULL;
    if (!iwork) {
        free(work);
        return -1;
    }
    int pn = (int)p, nrhs = (int)k, info_ = 0;
    char uplo = 'L', one = '1';
    double anorm = dlansy_(&one, &uplo, &pn, G, &pn, work), rcond = 0;
    dpotrf_(&uplo, &pn, G, &pn, &info_);
    if (info_ == 0)
        dpocon_(&uplo, &pn, G, &pn, &anorm, &rcond, work, iwork, &info_);
    int rc = 1;
    if (info_ == 0 && rcond >= NORMAL_RCOND_MIN) {
        dpotrs_(&uplo, &pn, &nrhs, G, &pn, R, &pn, &info_);
        if (info_ == 0) {
            info->rcond = rcond;
            rc = 0;
        }
    }
    free(work);
    free(iwork);
    return rc;
}

/* OLS through the centred normal equations G = Xc^T Xc, R = Xc^T Yc.
 * 1 (nothing written) when G is singular or worse conditioned than
 * NORMAL_RCOND_MIN allows, so the caller uses the SVD path; 0 done; -1 out
 * of memory. */
static int ols_normal(const double *X, const double *Y, size_t n, size_t d, size_t k, double *W, double *b,
                      LinalgInfo *info, FbErr *err)
{
    if (d > 46340 || n <= d)
        return 1;
    Normal ne;
    int rc = normal_build(X, Y, n, d, k, d, &ne, err) ? -1 : cholesky_solve(ne.G, ne.R, d, k, info, err);
    if (rc == 0) {
        uncentre(ne.R, d, ne.xm, ne.ym, d, k, W, b);
        info->rank = d;
        info->path = "normal equations";
    }
    normal_free(&ne);
    return rc;
}

/* Centre X into column-major A (n, d) with the means xm (d). */
static void centre_into(const double *X, size_t n, size_t d, const double *xm, double *A)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            A[j * n + i] = X[i * d + j] - xm[j];
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The d - rank columns of the centred A (n, d) column-major (overwritten)
 * that a column-pivoted QR (dgeqp3) takes last: each is a linear
 * combination of the columns taken before it.  Into info->dep, ascending.
 * Fails on out of memory or a LAPACK error. */
static int dependent_columns(double *A, size_t n, size_t d, size_t rank, LinalgInfo *info, FbErr *err)
{
    int m = (int)n, nn = (int)d, lda = m > 1 ? m : 1, lwork = -1, inf = 0;
    int *jpvt = fb_calloc(d, sizeof *jpvt, "solve: column pivots", err);
    double *tau = jpvt ? fb_malloc(d, sizeof *tau, "solve: QR factors", err) : NULL, wq = 0;
    double *work = NULL;
    int rc = -1;
    if (!tau)
        goto out;
    dgeqp3_(&m, &nn, A, &lda, jpvt, tau, &wq, &lwork, &inf);
    lwork = (int)wq + 1;
    work = fb_malloc((size_t)lwork, sizeof *work, "solve: LAPACK workspace", err);
    if (!work)
        goto out;
    dgeqp3_(&m, &nn, A, &lda, jpvt, tau, work, &lwork, &inf);
    if (inf != 0) {
        fb_fail(err, "solve: the pivoted QR failed (LAPACK dgeqp3 info %d)", inf);
        goto out;
    }
    info->ndep = d - rank;
    info->dep = fb_malloc(info->ndep, sizeof *info->dep, "solve: the dependent columns", err);
    if (!info->dep)
        goto out;
    for (size_t i = 0; i < info->ndep; i++)
        info->dep[i] = (size_t)jpvt[rank + i] - 1;
    qsort(info->dep, info->ndep, sizeof *info->dep, cmp_size);
    rc = 0;
out:
    free(jpvt);
    free(tau);
    free(work);
    return rc;
}

/* Ordinary least squares on centred data by the SVD (dgelsd), as
 * scikit-learn's LinearRegression: Xc (n, d) column-major, so the intercept
 * never enters the factorisation; singular values below
 * eps * max(n, d) * s_max count as zero (numpy.linalg.lstsq's and
 * LinearRegression's default cut-off), which gives the minimum-norm
 * solution of a rank-deficient X. */
static int ols_svd(const double *X, const double *Y, size_t n, size_t d, size_t k, double *W, double *b,
                   LinalgInfo *info, FbErr *err)
{
    if (n > 2147483647 || d > 2147483647 || n * d > 2147483647)
        return fb_fail(err, "solve: the problem is too large for LAPACK's 32-bit sizes");
    int m = (int)n, nn = (int)d, nrhs = (int)k, lda = m, ldb = m > nn ? m : nn, rank = 0, inf = 0;
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
    col_means(X, n, d, xm);
    col_means(Y, n, k, ym);
    centre_into(X, n, d, xm, A);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < k; j++)
            B[j * (size_t)ldb + i] = Y[i * k + j] - ym[j];
    double rcond = DBL_EPSILON * (double)(n > d ? n : d), wq;
    int lwork = -1, iwq = 0;
    dgelsd_(&m, &nn, &nrhs, A, &lda, B, &ldb, s, &rcond, &rank, &wq, &lwork, &iwq, &inf);
    lwork = (int)wq + 1;
    work = fb_malloc((size_t)lwork, sizeof *work, "solve: LAPACK workspace", err);
    iwork = work ? fb_malloc((size_t)(iwq > 1 ? iwq : 1), sizeof *iwork, "solve: LAPACK workspace", err) : NULL;
    if (!iwork)
        goto out;
    dgelsd_(&m, &nn, &nrhs, A, &lda, B, &ldb, s, &rcond, &rank, work, &lwork, iwork, &inf);
    if (inf != 0) {
        fb_fail(err, "solve: the least-squares solver did not converge (LAPACK dgelsd info %d)", inf);
        goto out;
    }
    uncentre(B, (size_t)ldb, xm, ym, d, k, W, b);
    info->rank = (size_t)rank;
    info->rcond = d && s[0] > 0 ? s[d < n ? d - 1 : n - 1] / s[0] : 0;
    info->path = "svd";
    if ((size_t)rank < d) {
        centre_into(X, n, d, xm, A); /* dgelsd overwrote it */
        if (dependent_columns(A, n, d, (size_t)rank, info, err))
            goto out;
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

/* ridge_normal's solution (w, c) in ne->R to W and b = c - xm.w; 1 when b cancels too much to trust (the
 * QR path gets b directly), -1 out of memory. */
static int ridge_uncentre(const Normal *ne, size_t d, size_t k, double *W, double *b, LinalgInfo *info, FbErr *err)
{
    size_t p = d + 1;
    const double *R = ne->R, *xm = ne->xm;
    double *c = fb_malloc(k, sizeof *c, "solve: the fitted means", err);
    if (!c)
        return -1;
    for (size_t j = 0; j < k; j++)
        c[j] = R[j * p + d];
    uncentre(R, p, xm, c, d, k, W, b);
    free(c);
    info->rank = d;
    info->path = "normal equations";
    /* b = c - xm.w cancels when X is offset: (|c| + sum |xm_i w_i|) / |b| multiplies the error
     * (~eps / rcond).  Above 1e-10 relative, the QR path gets b directly. */
    for (size_t j = 0; j < k; j++) {
        double mag = fabs(R[j * p + d]);
        for (size_t col = 0; col < d; col++)
            mag += fabs(xm[col] * W[j * d + col]);
        if (mag * (DBL_EPSILON / info->rcond) > 1e-10 * fabs(b[j]))
            return 1;
    }
    return 0;
}

/* Ridge:  min ||X w + b - y||^2 + lw ||w||^2 + lb b^2  per output (lw = lb:
 * the bias penalised like every weight, the fixed point of weight decay on
 * every parameter; lb = 0: scikit-learn's Ridge with its free intercept).
 * Written in the centred coordinates w and c = b + xm.w, which keep an
 * offset X (1000 + noise) out of the arithmetic:
 *   ||X w + b - y||^2 = ||Xc w - yc||^2 + n (c - ym)^2,  b = c - xm.w,
 * so the normal equations in (w, c) are, with p = d + 1,
 *   [Xc^T Xc + lw I + lb xm xm^T   -lb xm] [w]   [Xc^T yc]
 *   [-lb xm^T                      n + lb] [c] = [n ym   ]      (*)
 * solved by Cholesky when well conditioned and the intercept does not cancel
 * (else 1: the caller uses ridge_qr; W and b may have been written). */
static int ridge_normal(const double *X, const double *Y, size_t n, size_t d, size_t k, double lw, double lb,
                        double *W, double *b, LinalgInfo *info, FbErr *err)
{
    size_t p = d + 1;
    if (p > 46340)
        return 1;
    Normal ne;
    int rc = -1;
    if (normal_build(X, Y, n, d, k, p, &ne, err) == 0) {
        double *G = ne.G, *R = ne.R;
        const double *xm = ne.xm;
        /* Row-major upper == column-major lower: G[i * p + j], j >= i. */
        for (size_t i = 0; i < d; i++) {
            for (size_t j = i; j < d; j++)
                G[i * p + j] += lb * xm[i] * xm[j];
            G[i * p + i] += lw;
            G[i * p + d] = -lb * xm[i];
        }
        G[d * p + d] = (double)n + lb;
        for (size_t j = 0; j < k; j++)
            R[j * p + d] = (double)n * ne.ym[j];
        rc = cholesky_solve(G, R, p, k, info, err);
    }
    if (rc == 0)
        rc = ridge_uncentre(&ne, d, k, W, b, info, err);
    normal_free(&ne);
    return rc;
}

/* Ridge as the least-squares problem it is, solved by Householder QR (dgels;
 * full column rank since lw > 0), as scikit-learn's Ridge(solver="svd")
 * on [X 1] solves it, in theta = (w, b) directly so that the intercept is not
 * the difference of two large numbers when X is offset:
 *   [X           1       ] [w]  ~  [y]
 *   [sqrt(lw) I  0       ] [b]     [0]
 *   [0           sqrt(lb)]         [0]
 * an (n + d + 1, d + 1) system, column-major (lb = 0: the last row is zero,
 * and the system still has full column rank). */
static int ridge_qr(const double *X, const double *Y, size_t n, size_t d, size_t k, double lw, double lb, double *W,
                    double *b, LinalgInfo *info, FbErr *err)
{
    size_t m = n + d + 1, p = d + 1;
    if (m > 2147483647 || m * p > 2147483647)
        return fb_fail(err, "solve: the problem is too large for LAPACK's 32-bit sizes");
    double *A = fb_calloc(m * p, sizeof *A, "solve: the ridge system", err);        /* (m, p) col-major */
    double *B = A ? fb_calloc(m * k, sizeof *B, "solve: the ridge targets", err) : NULL; /* (m, k) col-major */
    double *work = NULL;
    int rc = -1;
    if (!B)
        goto out;
    double sl = sqrt(lw);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < d; j++)
            A[j * m + i] = X[i * d + j];
        A[d * m + i] = 1.0;
        for (size_t j = 0; j < k; j++)
            B[j * m + i] = Y[i * k + j];
    }
    for (size_t j = 0; j < d; j++)
        A[j * m + n + j] = sl;
    A[d * m + n + d] = sqrt(lb);
    char trans = 'N';
    int mm = (int)m, pn = (int)p, nrhs = (int)k, lwork = -1, inf = 0;
    double wq = 0;
    dgels_(&trans, &mm, &pn, &nrhs, A, &mm, B, &mm, &wq, &lwork, &inf);
    lwork = (int)wq + 1;
    work = fb_malloc((size_t)lwork, sizeof *work, "solve: LAPACK workspace", err);
    if (!work)
        goto out;
    dgels_(&trans, &mm, &pn, &nrhs, A, &mm, B, &mm, work, &lwork, &inf);
    if (inf != 0) {
        fb_fail(err, "solve: the regularised least-squares solve failed (LAPACK dgels info %d)", inf);
        goto out;
    }
    for (size_t j = 0; j < k; j++) {
        memcpy(W + j * d, B + j * m, d * sizeof *W);
        b[j] = B[j * m + d];
    }
    info->rank = d;
    info->path = "qr";
    rc = 0;
out:
    free(A);
    free(B);
    free(work);
    return rc;
}

void linalg_info_free(LinalgInfo *info)
{
    if (info) {
        free(info->dep);
        info->dep = NULL;
        info->ndep = 0;
    }
}

/* The checks every solve makes: rows, finite penalties and data, BLAS room. */
static int solve_checks(const double *X, const double *Y, size_t n, size_t d, size_t k, double lw, double lb,
                        FbErr *err)
{
    if (n == 0)
        return fb_fail(err, "solve: no training rows");
    bool bad_w = !(lw >= 0) || !isfinite(lw);
    if (bad_w || !(lb >= 0) || !isfinite(lb))
        return fb_fail(err, "solve: the ridge penalty must be finite and >= 0 (got %g)", bad_w ? lw : lb);
    if (blas_ready("solve: ", err))
        return -1;
    return check_finite(X, n * d, "X", err) || check_finite(Y, n * k, "the target", err) ? -1 : 0;
}

/* Nothing but the intercept: the mean (shrunk by n / (n + lb) under a penalty on it). */
static void intercept_only(const double *Y, size_t n, size_t k, double lb, double *b, LinalgInfo *info)
{
    col_means(Y, n, k, b);
    for (size_t j = 0; j < k; j++)
        b[j] *= (double)n / ((double)n + lb);
    info->path = "mean";
}

int linalg_ridge_info(const double *X, const double *Y, size_t n, size_t d, size_t k, double lw, double lb,
                      double *W, double *b, LinalgInfo *info, FbErr *err)
{
    if (lw == 0 && lb == 0)
        return linalg_lstsq_info(X, Y, n, d, k, 0.0, W, b, info, err);
    LinalgInfo scratch;
    if (!info)
        info = &scratch;
    memset(info, 0, sizeof *info);
    if (!(lw > 0) && lb > 0)
        return fb_fail(err, "solve: a penalty on the intercept needs one on the weights too");
    if (solve_checks(X, Y, n, d, k, lw, lb, err))
        return -1;
    if (d == 0) {
        intercept_only(Y, n, k, lb, b, info);
        return 0;
    }
    int rc = ridge_normal(X, Y, n, d, k, lw, lb, W, b, info, err);
    if (rc > 0)
        rc = ridge_qr(X, Y, n, d, k, lw, lb, W, b, info, err);
    if (rc || info == &scratch)
        linalg_info_free(info);
    return rc;
}

int linalg_lstsq_info(const double *X, const double *Y, size_t n, size_t d, size_t k, double lambda, double *W,
                      double *b, LinalgInfo *info, FbErr *err)
{
    if (lambda > 0)
        return linalg_ridge_info(X, Y, n, d, k, lambda, lambda, W, b, info, err);
    LinalgInfo scratch;
    if (!info)
        info = &scratch;
    memset(info, 0, sizeof *info);
    if (solve_checks(X, Y, n, d, k, lambda, lambda, err))
        return -1;
    if (d == 0) {
        intercept_only(Y, n, k, 0.0, b, info);
        return 0;
    }
    int rc = ols_normal(X, Y, n, d, k, W, b, info, err);
    if (rc > 0)
        rc = ols_svd(X, Y, n, d, k, W, b, info, err);
    if (rc || info == &scratch)
        linalg_info_free(info);
    return rc;
}

int linalg_lstsq(const double *X, const double *Y, size_t n, size_t d, size_t k, double lambda, double *W,
                 double *b, FbErr *err)
{
    return linalg_lstsq_info(X, Y, n, d, k, lambda, W, b, NULL, err);
}
