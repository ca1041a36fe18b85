/* vmath.c — exp and log1p in four AVX2 lanes, with a one-lane twin that gives the same bits.
 *
 * Why: BCE needs exp(-|z|) and log1p of it for every row; glibc's scalar
 * calls were a third of a small-batch logistic epoch.  Both paths below run
 * the same operations in the same order (fma where the lanes use fma), so
 * results never depend on the CPU.  docs/math.md gives the error bounds;
 * tests/test_vmath.c checks them against glibc. */
#include "fitbench/vmath.h"

#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

/* The two paths give the same bits only if the compiler never fuses a * b + c
 * on its own (ISO C mode already keeps it from doing so; this makes it sure). */
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define VM_X86 1
#endif

/* exp: x = k ln2 + r, |r| <= ln2/2, exp(r) by its Taylor polynomial of
 * degree 13 (truncation error < 0.1 ulp), 2^k applied in two halves so that
 * the subnormal and overflow ends come out right. */
#define EXP_LO (-746.0) /* below: 0 */
#define EXP_HI 710.0    /* above: inf */
#define LOG2E 1.4426950408889634
#define LN2HI 0x1.62e42fefa39efp-1 /* ln 2 = LN2HI + LN2LO */
#define LN2LO 0x1.abc9e3b39803fp-56

static const double exp_c[] = {
    /* 1/13! down to 1/2! */
    1.0 / 6227020800.0, 1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0, 1.0 / 40320.0,
    1.0 / 5040.0,       1.0 / 720.0,       1.0 / 120.0,      1.0 / 24.0,      1.0 / 6.0,      0.5,
};
#define EXP_NC (sizeof exp_c / sizeof exp_c[0])

/* log1p on [0, 1]: u = 1 + x with its rounding error c, u halved above
 * sqrt 2, then fdlibm's log kernel (its minimax coefficients Lg1..Lg7 for
 * log(1+f) = f - f^2/2 + s (f^2/2 + R(s^2)), s = f / (2 + f)). */
#define SQRT2 1.4142135623730951
#define LN2HI_L 6.93147180369123816490e-01 /* fdlibm's split: LN2HI_L has trailing zeros */
#define LN2LO_L 1.90821492927058770002e-10
#define LG1 6.666666666666735130e-01
#define LG2 3.999999999940941908e-01
#define LG3 2.857142874366239149e-01
#define LG4 2.222219843214978396e-01
#define LG5 1.818357216161805012e-01
#define LG6 1.531383769920937332e-01
#define LG7 1.479819860511658591e-01

static int forced_scalar;

static double pow2i(double k)
{
    uint64_t bits = (uint64_t)((int64_t)k + 1023) << 52;
    double v;
    memcpy(&v, &bits, sizeof v);
    return v;
}

static double exp1(double x)
{
    if (isnan(x))
        return x;
    double xc = x < EXP_LO ? EXP_LO : x > EXP_HI ? EXP_HI : x;
    double kd = nearbyint(xc * LOG2E);
    double r = fma(-kd, LN2HI, xc);
    r = fma(-kd, LN2LO, r);
    double q = exp_c[0];
    for (size_t i = 1; i < EXP_NC; i++)
        q = fma(q, r, exp_c[i]);
    q = fma(q, r, 1.0);
    double p = fma(q, r, 1.0);
    double k1 = floor(kd * 0.5), k2 = kd - k1;
    return p * pow2i(k1) * pow2i(k2);
}

static double log1p1(double x)
{
    double u = 1.0 + x;
    double c = x - (u - 1.0);
    int big = u > SQRT2;
    double m = big ? u * 0.5 : u;
    c = big ? c * 0.5 : c;
    double k = big ? 1.0 : 0.0;
    double f = m - 1.0;
    double s = f / (2.0 + f);
    double z = s * s, w = z * z;
    double t1 = w * (LG2 + w * (LG4 + w * LG6));
    double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    double R = t2 + t1;
    double hfsq = 0.5 * f * f;
    return k * LN2HI_L - ((hfsq - (s * (hfsq + R) + (k * LN2LO_L + c / m))) - f);
}

#ifdef VM_X86
#define VM_AVX __attribute__((target("avx2,fma")))

/* 2^k for integral k in [-1022, 1023]: k's bits in the mantissa of k + 1.5 * 2^52. */
VM_AVX static __m256d pow2v(__m256d k)
{
    const __m256d magic = _mm256_set1_pd(0x1.8p52);
    __m256i t = _mm256_castpd_si256(_mm256_add_pd(k, magic));
    t = _mm256_slli_epi64(_mm256_add_epi64(t, _mm256_set1_epi64x(1023)), 52);
    return _mm256_castsi256_pd(t);
}

VM_AVX static __m256d exp4(__m256d x)
{
    __m256d xc = _mm256_min_pd(_mm256_max_pd(x, _mm256_set1_pd(EXP_LO)), _mm256_set1_pd(EXP_HI));
    __m256d kd = _mm256_round_pd(_mm256_mul_pd(xc, _mm256_set1_pd(LOG2E)), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256d nk = _mm256_sub_pd(_mm256_setzero_pd(), kd);
    __m256d r = _mm256_fmadd_pd(nk, _mm256_set1_pd(LN2HI), xc);
    r = _mm256_fmadd_pd(nk, _mm256_set1_pd(LN2LO), r);
    __m256d q = _mm256_set1_pd(exp_c[0]);
    for (size_t i = 1; i < EXP_NC; i++)
        q = _mm256_fmadd_pd(q, r, _mm256_set1_pd(exp_c[i]));
    const __m256d one = _mm256_set1_pd(1.0);
    q = _mm256_fmadd_pd(q, r, one);
    __m256d p = _mm256_fmadd_pd(q, r, one);
    __m256d k1 = _mm256_floor_pd(_mm256_mul_pd(kd, _mm256_set1_pd(0.5))), k2 = _mm256_sub_pd(kd, k1);
    __m256d y = _mm256_mul_pd(_mm256_mul_pd(p, pow2v(k1)), pow2v(k2));
    return _mm256_blendv_pd(y, x, _mm256_cmp_pd(x, x, _CMP_UNORD_Q)); /* NaN stays the input NaN */
}

VM_AVX static __m256d log1p4(__m256d x)
{
    const __m256d one = _mm256_set1_pd(1.0), half = _mm256_set1_pd(0.5), zero = _mm256_setzero_pd();
    __m256d u = _mm256_add_pd(one, x);
    __m256d c = _mm256_sub_pd(x, _mm256_sub_pd(u, one));
    __m256d big = _mm256_cmp_pd(u, _mm256_set1_pd(SQRT2), _CMP_GT_OQ);
    __m256d m = _mm256_blendv_pd(u, _mm256_mul_pd(u, half), big);
    c = _mm256_blendv_pd(c, _mm256_mul_pd(c, half), big);
    __m256d k = _mm256_blendv_pd(zero, one, big);
    __m256d f = _mm256_sub_pd(m, one);
    __m256d s = _mm256_div_pd(f, _mm256_add_pd(_mm256_set1_pd(2.0), f));
    __m256d z = _mm256_mul_pd(s, s), w = _mm256_mul_pd(z, z);
    /* The one-lane code's a + w * b as a separate multiply and add: no fma, same rounding. */
#define MADD(a, b, cc) _mm256_add_pd(a, _mm256_mul_pd(b, cc))
    __m256d t1 = _mm256_mul_pd(w, MADD(_mm256_set1_pd(LG2), w, MADD(_mm256_set1_pd(LG4), w, _mm256_set1_pd(LG6))));
    __m256d t2 = _mm256_mul_pd(
        z, MADD(_mm256_set1_pd(LG1), w, MADD(_mm256_set1_pd(LG3), w, MADD(_mm256_set1_pd(LG5), w, _mm256_set1_pd(LG7)))));
#undef MADD
    __m256d R = _mm256_add_pd(t2, t1);
    __m256d hfsq = _mm256_mul_pd(_mm256_mul_pd(half, f), f);
    __m256d inner = _mm256_add_pd(_mm256_mul_pd(s, _mm256_add_pd(hfsq, R)),
                                  _mm256_add_pd(_mm256_mul_pd(k, _mm256_set1_pd(LN2LO_L)), _mm256_div_pd(c, m)));
    return _mm256_sub_pd(_mm256_mul_pd(k, _mm256_set1_pd(LN2HI_L)), _mm256_sub_pd(_mm256_sub_pd(hfsq, inner), f));
}

/* The last n % 4 values go through the lanes too, padded (the one-lane
 * code's calls to fma() and nearbyint() cost more than a whole vector). */
#define VM_LOOP(x, y, n, f4)                                                                                        \
    do {                                                                                                            \
        size_t i_ = 0;                                                                                              \
        for (; i_ + 4 <= (n); i_ += 4)                                                                              \
            _mm256_storeu_pd((y) + i_, f4(_mm256_loadu_pd((x) + i_)));                                              \
        if (i_ < (n)) {                                                                                             \
            double t_[4] = {0, 0, 0, 0};                                                                            \
            memcpy(t_, (x) + i_, ((n) - i_) * sizeof(double));                                                     \
            _mm256_storeu_pd(t_, f4(_mm256_loadu_pd(t_)));                                                          \
            memcpy((y) + i_, t_, ((n) - i_) * sizeof(double));                                                      \
        }                                                                                                           \
    } while (0)

VM_AVX static void exp_avx2(const double *x, double *y, size_t n) { VM_LOOP(x, y, n, exp4); }

VM_AVX static void log1p_avx2(const double *x, double *y, size_t n) { VM_LOOP(x, y, n, log1p4); }
#endif

int vm_cpu_avx2_fma(void)
{
#ifdef VM_X86
    static _Atomic int cached = -1; /* every thread computes the same value */
    int c = atomic_load_explicit(&cached, memory_order_relaxed);
    if (c < 0) {
        __builtin_cpu_init();
        c = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
        atomic_store_explicit(&cached, c, memory_order_relaxed);
    }
    return c;
#else
    return 0;
#endif
}

int vm_simd(void) { return vm_cpu_avx2_fma() && !forced_scalar; }

void vm_force_scalar(int on) { forced_scalar = on; }

void vm_exp(const double *x, double *y, size_t n)
{
#ifdef VM_X86
    if (vm_simd()) {
        exp_avx2(x, y, n);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        y[i] = exp1(x[i]);
}

void vm_log1p_unit(const double *x, double *y, size_t n)
{
#ifdef VM_X86
    if (vm_simd()) {
        log1p_avx2(x, y, n);
        return;
    }
#endif
    for (size_t i = 0; i < n; i++)
        y[i] = log1p1(x[i]);
}
