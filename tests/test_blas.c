/* test_blas.c — blas.h, the one owner of OpenBLAS's thread count: set, read, the single-thread stretch of a
 * training crew, and a refused count that changes nothing.  (Criterion runs each test in its own process, so
 * the process-wide count does not leak between tests.) */
#include <criterion/criterion.h>
#include <string.h>

#include "fitbench/blas.h"

Test(blas, set_threads_is_what_blas_threads_reads)
{
    FbErr e = {0};
    cr_assert_eq(blas_set_threads(2, &e), 0, "%s", e.msg);
    cr_assert_eq(blas_threads(), 2);
    cr_assert_eq(blas_set_threads(1, &e), 0, "%s", e.msg);
    cr_assert_eq(blas_threads(), 1);
}

Test(blas, zero_means_one_per_processor)
{
    FbErr e = {0};
    cr_assert_eq(blas_set_threads(1, &e), 0, "%s", e.msg);
    cr_assert_eq(blas_set_threads(0, &e), 0, "%s", e.msg);
    cr_assert_geq(blas_threads(), 1);
}

Test(blas, a_negative_count_fails_and_changes_nothing)
{
    FbErr e = {0};
    cr_assert_eq(blas_set_threads(2, &e), 0, "%s", e.msg);
    cr_assert_eq(blas_set_threads(-1, &e), -1);
    cr_assert(strstr(e.msg, "BLAS thread count") != NULL, "message: %s", e.msg);
    cr_assert_eq(blas_threads(), 2);
}

Test(blas, single_stretch_restores_the_count)
{
    FbErr e = {0};
    cr_assert_eq(blas_set_threads(2, &e), 0, "%s", e.msg);
    int before = blas_single_begin();
    cr_assert_eq(before, 2);
    cr_assert_eq(blas_threads(), 1);
    blas_single_end(before);
    cr_assert_eq(blas_threads(), 2);
}

Test(blas, ready_and_callers_fit_without_a_limit)
{
    /* Without a ulimit (the test run's case) both are free: nothing to check, nothing refused. */
    FbErr e = {0};
    cr_assert_eq(blas_ready(NULL, &e), 0, "%s", e.msg);
    cr_assert_eq(blas_ready("solve: ", &e), 0, "%s", e.msg);
    cr_assert(blas_callers_fit(3));
    cr_assert_eq(blas_reserve(&e), 0, "%s", e.msg);
}
