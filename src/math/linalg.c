/* linalg.c — least squares: centred normal equations (dsyrk + Cholesky) when well conditioned, else dgelsd;
 * ridge by dposv; room for OpenBLAS's work buffers under a memory limit. */
#include "fitbench/linalg.h"

#include <cblas.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

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
extern void dposv_(const char *uplo, const int *n, const int *nrhs, double *a, const int *lda, double *b,
                   const int *ldb, int *info);

/* From the solution of the centred problem (column j of S, leading
 * dimension ld, holds output j's d weights) to W (k, d) and the intercepts
 * b = ym - W xm. */
static void uncentre(const double *S, size_t ld, const double *xm, const double *ym, size_t d, size_t k, double *W,
                     double *b)
{
    for (size_t j = 0; j < k; j++) {
        double bj = ym[j];
        for (size_t c = 0; c < d; c++) {
            W[j * d + c] = S[j * ld + c];
            bj -= xm[c] * W[j * d + c];
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

/* Normal equations below this reciprocal condition number of Xc^T Xc (that
 * is, cond(Xc) above 1e3) lose more than about 1e-10 relative accuracy
 * (error ~ cond(Xc)^2 * eps), so ols falls back to the QR/SVD solve. */
#define NORMAL_RCOND_MIN 1e-6
#define NORMAL_BLOCK 16384 /* rows centred per dsyrk call */

static void col_means(const double *X, size_t n, size_t d, double *xm)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            xm[j] += X[i * d + j];
    for (size_t j = 0; j < d; j++)
        xm[j] /= (double)n;
}

/* OLS through the centred normal equations: G = Xc^T Xc (d, d) by dsyrk over
 * blocks of centred rows (X read twice: means, then the Gram matrix), R =
 * Xc^T Yc, Cholesky.  Returns 1 (nothing written) when G is not numerically
 * positive definite or its rcond is below NORMAL_RCOND_MIN, so the caller
 * uses the QR path; 0 done; -1 out of memory. */
static int ols_normal(const double *X, const double *Y, size_t n, size_t d, size_t k, double *W, double *b,
                      FbErr *err)
{
    if (d > 46340 || n < d)
        return 1;
    size_t nb = n < NORMAL_BLOCK ? n : NORMAL_BLOCK;
    double *xm = fb_calloc(d, sizeof *xm, "solve: column means", err);
    double *ym = xm ? fb_calloc(k, sizeof *ym, "solve: target means", err) : NULL;
    double *G = ym ? fb_calloc(d * d, sizeof *G, "solve: the Gram matrix", err) : NULL; /* (d, d) */
    double *R = G ? fb_calloc(d * k, sizeof *R, "solve: Xc^T Yc", err) : NULL;          /* (k, d) */
    double *Xc = R ? fb_malloc(nb * d, sizeof *Xc, "solve: a block of centred rows", err) : NULL; /* (nb, d) */
    double *yc = Xc ? fb_malloc(nb * k, sizeof *yc, "solve: a block of centred targets", err) : NULL; /* (k, nb) */
    double *work = yc ? fb_malloc(3 * d, sizeof *work, "solve: LAPACK workspace", err) : NULL;
    int *iwork = work ? fb_malloc(d, sizeof *iwork, "solve: LAPACK workspace", err) : NULL;
    int rc = -1;
    if (!iwork)
        goto out;
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
        /* G += Xc^T Xc (upper, row-major == lower, column-major); R_j += Xc^T yc_j. */
        cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, (int)d, (int)m, 1.0, Xc, (int)d, 1.0, G, (int)d);
        for (size_t j = 0; j < k; j++)
            cblas_dgemv(CblasRowMajor, CblasTrans, (int)m, (int)d, 1.0, Xc, (int)d, yc + j * nb, 1, 1.0, R + j * d,
                        1);
    }
    int dn = (int)d, nrhs = (int)k, info = 0;
    char uplo = 'L', one = '1';
    double anorm = dlansy_(&one, &uplo, &dn, G, &dn, work), rcond = 0;
    dpotrf_(&uplo, &dn, G, &dn, &info);
    if (info == 0)
        dpocon_(&uplo, &dn, G, &dn, &anorm, &rcond, work, iwork, &info);
    if (info != 0 || !(rcond >= NORMAL_RCOND_MIN)) {
        rc = 1;
        goto out;
    }
    dpotrs_(&uplo, &dn, &nrhs, G, &dn, R, &dn, &info);
    if (info != 0) {
        rc = 1;
        goto out;
    }
    uncentre(R, d, xm, ym, d, k, W, b);
    rc = 0;
out:
    free(xm);
    free(ym);
    free(G);
    free(R);
    free(Xc);
    free(yc);
    free(work);
    free(iwork);
    return rc;
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
    uncentre(B, (size_t)ldb, xm, ym, d, k, W, b);
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

/* ---------------------------------------------------------------- OpenBLAS under a memory limit (linalg.h) */

#define BLAS_BUFFER ((size_t)128 << 20) /* OpenBLAS 0.3's BUFFER_SIZE on x86-64: one per thread */
#define BLAS_SLACK ((size_t)4 << 20)    /* kept free for the mappings malloc and the threads make meanwhile */

static bool blas_mapped;      /* the main thread's buffer is mapped: no later BLAS call there maps one */
static int blas_workers = -1; /* worker threads OpenBLAS has started (-1: not known yet) */
static int blas_callers;      /* other threads of ours that have been let call BLAS (their buffers stay in the pool) */

/* The tighter of the two limits OpenBLAS's mmap can run into. */
typedef struct Room {
    char flag;                /* 'v' (RLIMIT_AS, against VmSize) or 'd' (RLIMIT_DATA, against VmData) */
    size_t limit, used;       /* bytes */
} Room;

/* false when neither soft limit is set: two getrlimit calls, the whole cost
 * of the check in the usual case. */
static bool blas_room(Room *r)
{
    struct rlimit as, data;
    bool has_as = getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY;
    bool has_data = getrlimit(RLIMIT_DATA, &data) == 0 && data.rlim_cur != RLIM_INFINITY;
    if (!has_as && !has_data)
        return false;
    size_t vm = 0, vd = 0; /* KiB */
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "VmSize: %zu", &vm) != 1)
                sscanf(line, "VmData: %zu", &vd);
        fclose(f);
    }
    Room a = {'v', has_as ? (size_t)as.rlim_cur : SIZE_MAX, vm * 1024};
    Room d = {'d', has_data ? (size_t)data.rlim_cur : SIZE_MAX, vd * 1024};
    size_t left_a = a.limit > a.used ? a.limit - a.used : 0, left_d = d.limit > d.used ? d.limit - d.used : 0;
    *r = left_d < left_a ? d : a;
    return true;
}

static size_t room_left(const Room *r)
{
    return r->limit > r->used ? r->limit - r->used : 0;
}

/* Buffers the workers have mapped: large anonymous read-write mappings, in
 * buffers (neighbours merge into one line).  Before main does any work
 * nothing else that large is mapped. */
static size_t blas_buffers_mapped(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return 0;
    size_t count = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi, off, inode;
        char perms[8], dev[16];
        int end = 0;
        if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &lo, &hi, perms, &off, dev, &inode, &end) == 6 && inode == 0 &&
            strcmp(perms, "rw-p") == 0 && (line[end] == '\n' || line[end] == '\0'))
            count += (hi - lo) / BLAS_BUFFER;
    }
    fclose(f);
    return count;
}

/* A new thread's stack, as pthread_create will map it. */
static size_t thread_stack(void)
{
    pthread_attr_t a;
    size_t size = (size_t)8 << 20, guard = 4096;
    if (pthread_getattr_default_np(&a) == 0) {
        pthread_attr_getstacksize(&a, &size);
        pthread_attr_getguardsize(&a, &guard);
        pthread_attr_destroy(&a);
    }
    return size + guard;
}

/* The ulimit figure (KiB, rounded up to a thousand) that leaves `need` bytes beyond `used`. */
static unsigned long ulimit_for(size_t used, size_t need)
{
    unsigned long kib = (unsigned long)((used + need + 1023) / 1024);
    return (kib + 999) / 1000 * 1000;
}

/* OpenBLAS maps the calling thread's buffer now: its first level-3 call does. */
static void blas_map_now(void)
{
    double a = 1.0, c = 0.0;
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, 1, 1, 1.0, &a, 1, 0.0, &c, 1);
    blas_mapped = true;
}

int linalg_blas_reserve(int threads, FbErr *err)
{
    if (threads < 1)
        threads = 1;
    blas_workers = threads - 1;
    Room r;
    if (!blas_room(&r))
        return 0;
    size_t mapped = blas_buffers_mapped();
    if (mapped > (size_t)blas_workers)
        mapped = (size_t)blas_workers;
    size_t need = ((size_t)threads - mapped) * BLAS_BUFFER + BLAS_SLACK;
    if (need > room_left(&r)) {
        char alt[200] = "";
        if (threads > 1) {
            /* One thread: no workers, so neither their stacks nor their buffers. */
            size_t extra = (size_t)blas_workers * thread_stack() + mapped * BLAS_BUFFER;
            size_t used1 = r.used > extra ? r.used - extra : 0;
            snprintf(alt, sizeof alt, ", or use one BLAS thread (OPENBLAS_NUM_THREADS=1 needs ulimit -%c %lu)", r.flag,
                     ulimit_for(used1, BLAS_BUFFER + BLAS_SLACK));
        }
        char what[128];
        if (threads == 1)
            snprintf(what, sizeof what, "its work buffer needs 128 MiB");
        else
            snprintf(what, sizeof what, "its work buffers need %zu MiB more (128 MiB for each of %d BLAS threads)",
                     (need - BLAS_SLACK) >> 20, threads);
        return fb_fail(err, "not enough memory for OpenBLAS: %s, but the limit (ulimit -%c %lu) leaves %.1f MiB; "
                       "raise it to ulimit -%c %lu or more%s", what, r.flag, (unsigned long)(r.limit / 1024),
                       (double)room_left(&r) / (1 << 20), r.flag, ulimit_for(r.used, need), alt);
    }
    return 0;
}

int linalg_blas_threads(int threads, FbErr *err)
{
    if (blas_workers < 0)
        blas_workers = openblas_get_num_threads() - 1;
    if (threads - 1 <= blas_workers)
        return 0;
    size_t add = (size_t)(threads - 1 - blas_workers);
    Room r;
    if (blas_room(&r)) {
        size_t need = add * (BLAS_BUFFER + thread_stack()) + BLAS_SLACK;
        if (need > room_left(&r))
            return fb_fail(err, "not enough memory for %d BLAS threads: OpenBLAS would start %zu more, each with "
                           "a 128 MiB work buffer and a stack (%zu MiB in all), but the limit (ulimit -%c %lu) "
                           "leaves %.1f MiB; raise it to ulimit -%c %lu or more", threads, add,
                           (need - BLAS_SLACK) >> 20, r.flag, (unsigned long)(r.limit / 1024),
                           (double)room_left(&r) / (1 << 20), r.flag, ulimit_for(r.used, need));
    }
    blas_workers = threads - 1;
    return 0;
}

bool linalg_blas_callers_fit(int extra)
{
    if (extra <= blas_callers)
        return true;
    Room r;
    if (blas_room(&r)) {
        size_t need = (size_t)(extra - blas_callers) * (BLAS_BUFFER + thread_stack()) + BLAS_SLACK;
        if (need > room_left(&r))
            return false;
    }
    blas_callers = extra;
    return true;
}

/* linalg_blas_ready, its message led by prefix ("solve: " from linalg_lstsq). */
static int blas_ready(const char *prefix, FbErr *err)
{
    Room r;
    if (blas_mapped || !blas_room(&r))
        return 0;
    if (BLAS_BUFFER + BLAS_SLACK > room_left(&r))
        return fb_fail(err, "%snot enough memory for OpenBLAS: its work buffer needs 128 MiB, but the limit "
                       "(ulimit -%c %lu) leaves %.1f MiB; raise it to ulimit -%c %lu or more", prefix, r.flag,
                       (unsigned long)(r.limit / 1024), (double)room_left(&r) / (1 << 20), r.flag,
                       ulimit_for(r.used, BLAS_BUFFER + BLAS_SLACK));
    blas_map_now();
    return 0;
}

int linalg_blas_ready(FbErr *err)
{
    return blas_ready("", err);
}

int linalg_lstsq(const double *X, const double *Y, size_t n, size_t d, size_t k, double lambda, double *W,
                 double *b, FbErr *err)
{
    if (n == 0)
        return fb_fail(err, "solve: no training rows");
    if (blas_ready("solve: ", err))
        return -1;
    if (check_finite(X, n * d, "X", err) || check_finite(Y, n * k, "the target", err))
        return -1;
    if (lambda > 0)
        return ridge(X, Y, n, d, k, lambda, W, b, err);
    int rc = ols_normal(X, Y, n, d, k, W, b, err);
    return rc <= 0 ? rc : ols(X, Y, n, d, k, W, b, err);
}
