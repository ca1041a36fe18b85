/* test_rng.c — the generator is deterministic, uniform enough, and shuffles are permutations. */
#include <criterion/criterion.h>
#include <math.h>

#include "fitbench/rng.h"

Test(rng, same_seed_same_stream)
{
    Rng a, b;
    rng_seed(&a, 42);
    rng_seed(&b, 42);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(rng_u64(&a), rng_u64(&b));
    rng_seed(&b, 43);
    cr_assert_neq(rng_u64(&a), rng_u64(&b));
}

Test(rng, uniform_and_normal_moments)
{
    Rng r;
    rng_seed(&r, 1);
    double s = 0, s2 = 0, n1 = 0, n2 = 0;
    int N = 200000;
    for (int i = 0; i < N; i++) {
        double u = rng_uniform(&r);
        cr_assert(u >= 0 && u < 1);
        s += u;
        s2 += u * u;
        double z = rng_normal(&r);
        n1 += z;
        n2 += z * z;
    }
    /* 5 standard errors */
    cr_assert(fabs(s / N - 0.5) < 5 * sqrt(1.0 / 12 / N));
    cr_assert(fabs(n1 / N) < 5 / sqrt(N));
    cr_assert(fabs(n2 / N - 1) < 5 * sqrt(2.0 / N));
}

Test(rng, shuffle_is_a_permutation)
{
    Rng r;
    rng_seed(&r, 7);
    size_t idx[100];
    for (size_t i = 0; i < 100; i++)
        idx[i] = i;
    rng_shuffle(&r, idx, 100);
    int seen[100] = {0}, moved = 0;
    for (size_t i = 0; i < 100; i++) {
        seen[idx[i]]++;
        moved += idx[i] != i;
    }
    for (int i = 0; i < 100; i++)
        cr_assert_eq(seen[i], 1);
    cr_assert(moved > 50);
}
