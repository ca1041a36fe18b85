/* vmath.h — exp and log1p over arrays, four lanes at a time, with the same bits on every x86-64. */
#ifndef FITBENCH_VMATH_H
#define FITBENCH_VMATH_H

#include <stddef.h>

/* y[i] = exp(x[i]) for i < n, within 1 ulp of the true value (glibc's exp is
 * within 0.5); overflow gives +inf, underflow 0 or a subnormal, NaN stays NaN.
 * Uses AVX2+FMA when the CPU has them, else the same algorithm one lane at a
 * time with fma(): the results are identical either way.  x and y may be the
 * same array.  Never fails. */
void vm_exp(const double *x, double *y, size_t n);

/* y[i] = log1p(x[i]) for x[i] in [0, 1] (the range BCE needs: x = exp(-|z|)),
 * within 1 ulp; NaN stays NaN.  Outside [0, 1] the result is unspecified.
 * Same dispatch and same bits as vm_exp.  Never fails. */
void vm_log1p_unit(const double *x, double *y, size_t n);

/* True when this CPU has AVX2 and FMA (other modules' kernels ask too). */
int vm_cpu_avx2_fma(void);

/* True when vm_exp and vm_log1p_unit run the AVX2+FMA lanes: the CPU has
 * them and vm_force_scalar is off (for tests and benchmarks). */
int vm_simd(void);

/* Force the one-lane path (nonzero) or the automatic choice (0): tests use it
 * to compare the two paths bit for bit.  Not thread-safe; tests only. */
void vm_force_scalar(int on);

#endif
