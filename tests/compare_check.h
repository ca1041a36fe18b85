/* compare_check.h — the check that a compare curve is the run alone (tests only; test_compare.c, test_teach.c). */
#ifndef FITBENCH_TEST_COMPARE_CHECK_H
#define FITBENCH_TEST_COMPARE_CHECK_H

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "harness.h"

/* Curve k is, bit for bit, the history of a session made by setup then cmds, from history row row0 on (the
 * validation loss NaN in both, or the same bits). */
static inline void curve_is_run(const Curve *k, const char *setup, const char *cmds, size_t row0)
{
    H one;
    h_init(&one);
    cr_assert_eq(h_run(&one, setup), 0, "'%s' failed: %s", setup, h_err(&one));
    cr_assert_eq(h_run(&one, cmds), 0, "'%s' failed: %s", cmds, h_err(&one));
    const History *hist = &one.s.ts.hist;
    cr_assert(hist->n >= row0 + k->n, "%s: %zu rows", cmds, hist->n);
    for (size_t j = 0; j < k->n; j++) {
        const HistRow *r = &hist->rows[row0 + j];
        cr_assert_eq(k->x[j], (double)r->epoch);
        cr_assert(memcmp(&k->y[j], &r->train_loss, sizeof(double)) == 0, "%s, epoch %zu: %.17g vs %.17g", cmds, j,
                  k->y[j], r->train_loss);
        cr_assert(memcmp(&k->y2[j], &r->val_loss, sizeof(double)) == 0 || (isnan(k->y2[j]) && isnan(r->val_loss)),
                  "%s, epoch %zu val: %.17g vs %.17g", cmds, j, k->y2[j], r->val_loss);
    }
    h_free(&one);
}

#endif
