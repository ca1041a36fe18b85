/* fused.c — the full-data loss and gradient of a single-output linear model in one read of X. */
#include "fitbench/fused.h"
#include "fitbench/par.h"
#include "fitbench/vmath.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define FUSED_X86 1
#endif

/* Fixed slab count: the partial sums, and so the bits of the result, do not
 * depend on the thread count.  Small problems use one slab (one thread). */
#define FUSED_SLABS 8
#define FUSED_SMALL ((size_t)1 << 16)  /* n*d below this: one slab */
#define FUSED_THREADED ((size_t)1 << 18) /* n*d below this: no threads (start-up costs more than it saves) */
/* Bytes of X per block: small enough that the second sweep (the gradient)
 * reads L1, large enough to amortise the loss call (16 KB measured best of
 * 4..32 KB at d=100 on the benchmark machine). */
#define FUSED_BLOCK_BYTES 16384
#define FUSED_MAX_BLOCK 256

bool fused_applies(const Model *m, const LossCfg *loss)
{
    return m->nlayers == 1 && m->sizes[1] == 1 && loss->kind != LOSS_CE;
}

/* Per slab: the W gradient (d), the b gradient, the loss sum, then the
 * metric sums (at most FUSED_MSUM: two classes' counts). */
#define FUSED_MSUM 6
static size_t slab_len(size_t d) { return d + 2 + FUSED_MSUM; }

size_t fused_scratch_size(size_t d) { return FUSED_SLABS * slab_len(d); }

static size_t block_rows(size_t d)
{
    size_t r = FUSED_BLOCK_BYTES / (sizeof(double) * d);
    r = r < 4 ? 4 : r > FUSED_MAX_BLOCK ? FUSED_MAX_BLOCK : r;
    return r & ~(size_t)3;
}

/* z[i] = rows[i] . w + b for nb rows of d values each: the dot product
 * first, then the bias, as BLAS's y = A x + 1 * y with y = b.  The rows are
 * pointers so that a minibatch is read in place, never gathered. */
static void dots_generic(const double *const *rows, size_t nb, size_t d, const double *w, double b, double *z)
{
    for (size_t i = 0; i < nb; i++) {
        const double *x = rows[i];
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        size_t j = 0;
        for (; j + 4 <= d; j += 4) {
            a0 += x[j] * w[j];
            a1 += x[j + 1] * w[j + 1];
            a2 += x[j + 2] * w[j + 2];
            a3 += x[j + 3] * w[j + 3];
        }
        for (; j < d; j++)
            a0 += x[j] * w[j];
        z[i] = ((a0 + a1) + (a2 + a3)) + b;
    }
}

/* g (d) += sum_i dz[i] rows[i], rows in order. */
static void axpys_generic(const double *const *rows, size_t nb, size_t d, const double *dz, double *g)
{
    for (size_t i = 0; i < nb; i++) {
        const double *x = rows[i];
        double c = dz[i];
        for (size_t j = 0; j < d; j++)
            g[j] += c * x[j];
    }
}

#ifdef FUSED_X86
__attribute__((target("avx2,fma"))) static double hsum4(__m256d v)
{
    __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
    lo = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(lo) + _mm_cvtsd_f64(_mm_unpackhi_pd(lo, lo));
}

__attribute__((target("avx2,fma"))) static void dots_avx2(const double *const *rows, size_t nb, size_t d,
                                                          const double *w, double b, double *z)
{
    size_t i = 0;
    for (; i + 4 <= nb; i += 4) {
        const double *x0 = rows[i], *x1 = rows[i + 1], *x2 = rows[i + 2], *x3 = rows[i + 3];
        __m256d a0 = _mm256_setzero_pd(), a1 = a0, a2 = a0, a3 = a0;
        size_t j = 0;
        for (; j + 4 <= d; j += 4) {
            __m256d wv = _mm256_loadu_pd(w + j);
            a0 = _mm256_fmadd_pd(_mm256_loadu_pd(x0 + j), wv, a0);
            a1 = _mm256_fmadd_pd(_mm256_loadu_pd(x1 + j), wv, a1);
            a2 = _mm256_fmadd_pd(_mm256_loadu_pd(x2 + j), wv, a2);
            a3 = _mm256_fmadd_pd(_mm256_loadu_pd(x3 + j), wv, a3);
        }
        double s0 = hsum4(a0), s1 = hsum4(a1), s2 = hsum4(a2), s3 = hsum4(a3);
        for (; j < d; j++) {
            s0 = __builtin_fma(x0[j], w[j], s0);
            s1 = __builtin_fma(x1[j], w[j], s1);
            s2 = __builtin_fma(x2[j], w[j], s2);
            s3 = __builtin_fma(x3[j], w[j], s3);
        }
        z[i] = s0 + b, z[i + 1] = s1 + b, z[i + 2] = s2 + b, z[i + 3] = s3 + b;
    }
    for (; i < nb; i++) {
        const double *x = rows[i];
        __m256d a = _mm256_setzero_pd();
        size_t j = 0;
        for (; j + 4 <= d; j += 4)
            a = _mm256_fmadd_pd(_mm256_loadu_pd(x + j), _mm256_loadu_pd(w + j), a);
        double s = hsum4(a);
        for (; j < d; j++)
            s = __builtin_fma(x[j], w[j], s);
        z[i] = s + b;
    }
}

/* pf: the next block's rows (nb, d) or NULL: fetched into L2 while this block's
 * second sweep runs from L1, so memory never idles between the two sweeps. */
__attribute__((target("avx2,fma"))) static void axpys_avx2(const double *const *rows, size_t nb, size_t d,
                                                           const double *dz, double *g, const char *pf)
{
    size_t i = 0;
    for (; i + 4 <= nb; i += 4) {
        const double *x0 = rows[i], *x1 = rows[i + 1], *x2 = rows[i + 2], *x3 = rows[i + 3];
        if (pf)
            for (size_t o = i * d * sizeof(double); o < (i + 4) * d * sizeof(double); o += 64)
                _mm_prefetch(pf + o, _MM_HINT_T1);
        __m256d c0 = _mm256_set1_pd(dz[i]), c1 = _mm256_set1_pd(dz[i + 1]), c2 = _mm256_set1_pd(dz[i + 2]),
                c3 = _mm256_set1_pd(dz[i + 3]);
        size_t j = 0;
        for (; j + 4 <= d; j += 4) {
            __m256d gv = _mm256_loadu_pd(g + j);
            gv = _mm256_fmadd_pd(c0, _mm256_loadu_pd(x0 + j), gv);
            gv = _mm256_fmadd_pd(c1, _mm256_loadu_pd(x1 + j), gv);
            gv = _mm256_fmadd_pd(c2, _mm256_loadu_pd(x2 + j), gv);
            gv = _mm256_fmadd_pd(c3, _mm256_loadu_pd(x3 + j), gv);
            _mm256_storeu_pd(g + j, gv);
        }
        for (; j < d; j++) {
            double s = g[j];
            s = __builtin_fma(dz[i], x0[j], s);
            s = __builtin_fma(dz[i + 1], x1[j], s);
            s = __builtin_fma(dz[i + 2], x2[j], s);
            s = __builtin_fma(dz[i + 3], x3[j], s);
            g[j] = s;
        }
    }
    for (; i < nb; i++) {
        const double *x = rows[i];
        __m256d c = _mm256_set1_pd(dz[i]);
        size_t j = 0;
        for (; j + 4 <= d; j += 4)
            _mm256_storeu_pd(g + j, _mm256_fmadd_pd(c, _mm256_loadu_pd(x + j), _mm256_loadu_pd(g + j)));
        for (; j < d; j++)
            g[j] = __builtin_fma(dz[i], x[j], g[j]);
    }
}

#endif

typedef struct Job {
    const Model *m;
    const LossCfg *loss;
    const double *X, *Y;
    size_t n, d, nslabs, s0, s1;
    double *acc; /* nslabs * slab_len(d): per slab the W gradient (d), the b gradient, the loss sum, metric sums */
    bool grad, simd;
    MetricTask task; /* MTASK_NONE: no metric sums */
} Job;

static void run_slab(const Job *jb, size_t s)
{
    size_t n = jb->n, d = jb->d, R = block_rows(d);
    size_t r0 = s * n / jb->nslabs, r1 = (s + 1) * n / jb->nslabs;
    const double *w = jb->m->params + jb->m->woff[0];
    double b = jb->m->params[jb->m->boff[0]];
    double *g = jb->acc + s * slab_len(d), gb = 0, sum = 0, *ms = g + d + 2;
    double z[FUSED_MAX_BLOCK], dz[FUSED_MAX_BLOCK];
    const double *rows[FUSED_MAX_BLOCK];
    memset(g, 0, d * sizeof *g);
    memset(ms, 0, FUSED_MSUM * sizeof *ms);
    for (size_t r = r0; r < r1; r += R) {
        size_t nb = r1 - r < R ? r1 - r : R;
        const double *Xb = jb->X + r * d;
        for (size_t i = 0; i < nb; i++)
            rows[i] = Xb + i * d;
#ifdef FUSED_X86
        if (jb->simd)
            dots_avx2(rows, nb, d, w, b, z);
        else
#endif
            dots_generic(rows, nb, d, w, b, z);
        sum += loss_sum(jb->loss, z, jb->Y + r, nb, 1, n, jb->grad ? dz : NULL);
        metric_sums_add(jb->task, 1, z, jb->Y + r, nb, 1, ms);
        if (!jb->grad)
            continue;
#ifdef FUSED_X86
        if (jb->simd)
            axpys_avx2(rows, nb, d, dz, g, r + 2 * nb <= r1 ? (const char *)(Xb + nb * d) : NULL);
        else
#endif
            axpys_generic(rows, nb, d, dz, g);
        for (size_t i = 0; i < nb; i++)
            gb += dz[i];
    }
    g[d] = gb;
    g[d + 1] = sum;
}

static void *run_job(void *arg)
{
    const Job *jb = arg;
    for (size_t s = jb->s0; s < jb->s1; s++)
        run_slab(jb, s);
    return NULL;
}

double fused_eval(const Model *m, const LossCfg *loss, const double *X, const double *Y, size_t n, double *grads,
                  double *scratch, int threads, MetricTask t, double *msum)
{
    size_t d = m->sizes[0];
    size_t nslabs = n * d < FUSED_SMALL ? 1 : FUSED_SLABS;
    size_t nt = threads < 1 || n * d < FUSED_THREADED ? 1 : (size_t)threads;
    if (nt > nslabs)
        nt = nslabs;
    Job base = {.m = m, .loss = loss, .X = X, .Y = Y, .n = n, .d = d, .nslabs = nslabs, .acc = scratch,
                .grad = grads != NULL, .task = msum ? t : MTASK_NONE};
#ifdef FUSED_X86
    base.simd = vm_cpu_avx2_fma();
#endif
    Job jobs[FUSED_SLABS];
    for (size_t j = 0; j < nt; j++) {
        jobs[j] = base;
        jobs[j].s0 = j * nslabs / nt;
        jobs[j].s1 = (j + 1) * nslabs / nt;
    }
    par_run(jobs, sizeof jobs[0], nt, run_job);
    /* Add the slabs' partial sums in slab order. */
    double sum = 0;
    size_t L = slab_len(d), nm = msum ? metric_sums_len(t, 1) : 0;
    for (size_t s = 0; s < nslabs; s++) {
        sum += scratch[s * L + d + 1];
        for (size_t j = 0; j < nm; j++)
            msum[j] += scratch[s * L + d + 2 + j];
    }
    if (grads) {
        double *gw = grads + m->woff[0];
        memcpy(gw, scratch, d * sizeof *gw);
        double gb = scratch[d];
        for (size_t s = 1; s < nslabs; s++) {
            const double *p = scratch + s * L;
            for (size_t j = 0; j < d; j++)
                gw[j] += p[j];
            gb += p[d];
        }
        grads[m->boff[0]] = gb;
    }
    return sum / (double)loss_count(loss, n, 1);
}

double fused_batch_grad(const Model *m, const LossCfg *loss, const double *X, const double *Y, const size_t *idx,
                        size_t r0, size_t b, double *grads)
{
    size_t d = m->sizes[0];
    const double *w = m->params + m->woff[0];
    double bias = m->params[m->boff[0]];
    double *g = grads + m->woff[0], gb = 0, check = 0;
    double z[FUSED_MAX_BLOCK], dz[FUSED_MAX_BLOCK], y[FUSED_MAX_BLOCK];
    const double *rows[FUSED_MAX_BLOCK];
#ifdef FUSED_X86
    bool simd = vm_cpu_avx2_fma();
#endif
    size_t R = block_rows(d); /* rows that fit the cache for the second sweep, as run_slab */
    memset(g, 0, d * sizeof *g);
    for (size_t i0 = 0; i0 < b; i0 += R) {
        size_t nb = b - i0 < R ? b - i0 : R;
        for (size_t i = 0; i < nb; i++) {
            size_t r = idx ? idx[r0 + i0 + i] : r0 + i0 + i;
            rows[i] = X + r * d;
            y[i] = Y[r];
        }
#ifdef FUSED_X86
        if (simd)
            dots_avx2(rows, nb, d, w, bias, z);
        else
#endif
            dots_generic(rows, nb, d, w, bias, z);
        check += loss_grad(loss, z, y, nb, 1, b, dz);
#ifdef FUSED_X86
        if (simd)
            axpys_avx2(rows, nb, d, dz, g, NULL);
        else
#endif
            axpys_generic(rows, nb, d, dz, g);
        for (size_t i = 0; i < nb; i++)
            gb += dz[i];
    }
    grads[m->boff[0]] = gb;
    return check;
}
