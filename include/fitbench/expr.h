/* expr.h — the small expression language of `expect` and `train until=`. */
#ifndef FITBENCH_EXPR_H
#define FITBENCH_EXPR_H

#include <stddef.h>

#include "fitbench/err.h"

/* Resolve a name, optionally indexed (W[0,3] → name "W", idx {0,3}, nidx 2).
 * Return 0 with *out set, or -1 with err filled ("unknown name 'x'"). */
typedef int (*ExprLookup)(void *ctx, const char *name, const double *idx, int nidx, double *out, FbErr *err);

/* Evaluate text: numbers (C locale), names, name[i,j], + - * /, unary -,
 * comparisons < <= > >= == != (1 or 0), and/or/not (also && || !),
 * parentheses, abs() sqrt() log() exp().  `seen` (may be NULL) receives
 * "name = value, ..." for every name read, for failure messages.  Fails with
 * err->col set (1-based within text) on a syntax error or a failed lookup. */
int expr_eval(const char *text, ExprLookup lookup, void *ctx, double *out, char *seen, size_t seen_size,
              FbErr *err);

#endif
