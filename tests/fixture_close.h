/* fixture_close.h — how close a solve is to scikit-learn's and to the exact answer of a fixture (tests only:
 * test_linalg.c, test_penalty.c). */
#ifndef FITBENCH_TESTS_FIXTURE_CLOSE_H
#define FITBENCH_TESTS_FIXTURE_CLOSE_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "fixture_read.h"

/* max |a - b| / max |b| over n values: the error relative to the largest value. */
static inline double rel_err(const double *a, const double *b, size_t n)
{
    double num = 0, den = 0;
    for (size_t i = 0; i < n; i++) {
        num = fmax(num, fabs(a[i] - b[i]));
        den = fmax(den, fabs(b[i]));
    }
    return den > 0 ? num / den : num;
}

static inline const FxArr *need(const Fx *fx, const char *design, const char *name)
{
    const FxArr *a = fx_get(fx, name);
    cr_assert(a, "%s: no array %s in the fixture", design, name);
    return a;
}

/* The promise (docs/math.md, "How exact"): within 1e-9 of scikit-learn, relative to the largest value.  That
 * is asserted wherever scikit-learn's own answer is within 1e-10 of the exact one (mpmath, in the fixture):
 * everywhere for predictions and ridge except the generic condition-1e8..1e10 designs, where no double-precision
 * method gets there (sklearn itself is 1e-10..1e-7 off: error ~ eps * cond).  There fitbench must be at least
 * as close to the exact answer as scikit-learn is (within a factor 10). */
static inline void check_close(const char *design, const char *what, const double *got, const double *sk,
                               const double *exact, size_t n)
{
    double sk_exact = rel_err(sk, exact, n), got_sk = rel_err(got, sk, n), got_exact = rel_err(got, exact, n);
    if (getenv("FB_SOLVE_REPORT"))
        fprintf(stderr, "%-36s %-22s vs sklearn %.1e  vs exact %.1e  (sklearn vs exact %.1e)\n", design, what, got_sk,
                got_exact, sk_exact);
    if (sk_exact <= 1e-10)
        cr_assert(got_sk <= 1e-9, "%s: %s differ from scikit-learn's by %.3g (relative)", design, what, got_sk);
    else
        cr_assert(got_exact <= 10 * sk_exact, "%s: %s are %.3g from the exact ones, scikit-learn's %.3g", design,
                  what, got_exact, sk_exact);
}

#endif
