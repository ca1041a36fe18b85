/* test_vmath.c — vm_exp and vm_log1p_unit against glibc, and the AVX2 lanes against the one-lane path. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "fitbench/rng.h"
#include "fitbench/vmath.h"

#define N 200000

/* Distance in units in the last place between two finite doubles of one sign. */
static int64_t ulps(double a, double b)
{
    int64_t ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    return ia > ib ? ia - ib : ib - ia;
}

static int same_bits(double a, double b) { return memcmp(&a, &b, sizeof a) == 0; }

/* Both paths over xs: every value within max_ulps of ref(), and the lanes equal the one-lane path. */
static void check(void (*f)(const double *, double *, size_t), double (*ref)(double), const double *xs, size_t n,
                  int64_t max_ulps)
{
    static double y[N], ys[N];
    if (!vm_simd())
        cr_log_warn("this CPU has no AVX2+FMA: the lanes-against-one-lane comparison compares the one-lane path "
                    "with itself");
    f(xs, y, n);
    vm_force_scalar(1);
    f(xs, ys, n);
    vm_force_scalar(0);
    int64_t worst = 0;
    size_t at = 0;
    for (size_t i = 0; i < n; i++) {
        cr_assert(same_bits(y[i], ys[i]), "x=%a: lanes %a, one lane %a", xs[i], y[i], ys[i]);
        double r = ref(xs[i]);
        if (isnan(r)) {
            cr_assert(isnan(y[i]), "x=%a: %a, want NaN", xs[i], y[i]);
            continue;
        }
        if (isinf(r) || r == 0) {
            cr_assert(y[i] == r, "x=%a: %a, want %a", xs[i], y[i], r);
            continue;
        }
        int64_t u = ulps(y[i], r);
        if (u > worst)
            worst = u, at = i;
    }
    cr_assert(worst <= max_ulps, "worst %lld ulp at x=%a: %a against %a", (long long)worst, xs[at], y[at],
              ref(xs[at]));
}

static double xs[N];

Test(vmath, exp_within_one_ulp_everywhere)
{
    Rng r;
    rng_seed(&r, 11);
    size_t n = 0;
    /* Uniform over the whole finite range, dense near 0, and the subnormal end. */
    for (; n < N / 2; n++)
        xs[n] = -745.0 + 1454.7 * rng_uniform(&r);
    for (; n < N * 3 / 4; n++)
        xs[n] = (rng_uniform(&r) - 0.5) * 2.0;
    for (; n < N - 64; n++)
        xs[n] = -745.1 + 37.0 * rng_uniform(&r);
    const double special[] = {0.0, -0.0, 1.0, -1.0, 709.78, 709.7827128933840, 709.79, 710.0, 800.0, 1e300, INFINITY,
                              -708.39, -745.13, -745.14, -746.0, -1e300, -INFINITY, NAN, 0x1p-60, -0x1p-60,
                              0.34657359027997264, -0.34657359027997264, 0.5 * 0.6931471805599453};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        xs[n++] = special[i];
    check(vm_exp, exp, xs, n, 1);
}

Test(vmath, exp_in_place_and_odd_lengths)
{
    double a[7] = {-3, -2, -1, 0, 1, 2, 3}, b[7];
    for (size_t len = 0; len <= 7; len++) {
        double c[7];
        memcpy(c, a, sizeof a);
        vm_exp(c, c, len);
        vm_exp(a, b, len);
        for (size_t i = 0; i < len; i++)
            cr_assert(same_bits(b[i], c[i]) && ulps(b[i], exp(a[i])) <= 1);
        for (size_t i = len; i < 7; i++)
            cr_assert(c[i] == a[i], "element %zu past n was written", i);
    }
}

Test(vmath, log1p_within_one_ulp_on_the_unit_interval)
{
    Rng r;
    rng_seed(&r, 12);
    size_t n = 0;
    for (; n < N / 2; n++)
        xs[n] = rng_uniform(&r);
    /* exp(-|z|) for z spread over the BCE range: tiny, subnormal and zero arguments too. */
    for (; n < N - 64; n++)
        xs[n] = exp(-750.0 * rng_uniform(&r));
    const double special[] = {0.0,  1.0, 0.41421356237309503, 0.41421356237309515, 0.4142135623730951, 0x1p-1074,
                              0x1p-1022, 0x1p-53, 0x1p-54, 0x1p-52, 1e-300, 0.5, NAN};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++)
        xs[n++] = special[i];
    check(vm_log1p_unit, log1p, xs, n, 1);
}

Test(vmath, log1p_of_zero_is_plus_zero)
{
    double z = 0.0, y;
    vm_log1p_unit(&z, &y, 1);
    cr_assert(y == 0.0 && !signbit(y));
}
