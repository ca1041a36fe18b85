/* expr.h — the small expression language of `expect` and `train until=`. */
#ifndef FITBENCH_EXPR_H
#define FITBENCH_EXPR_H

#include <stddef.h>

#include "fitbench/err.h"

/* How deeply parentheses, function calls, index brackets, signs (- +) and nots (not !) may nest.  The
 * parser recurses once per level, so this bounds its stack use whatever the input (a line may hold a
 * million '-').  A fuzz build may raise it (-DEXPR_MAX_DEPTH=...) to check the fuzzer finds the overflow. */
#ifndef EXPR_MAX_DEPTH
#define EXPR_MAX_DEPTH 200
#endif

/* The largest index expr_eval hands to a lookup: 2^53, below which every whole double is exact. */
#define EXPR_MAX_INDEX 9007199254740992.0

/* Resolve a name, optionally indexed (W[0,3] → name "W", idx {0,3}, nidx 2).
 * Every index is a whole number from 0 to EXPR_MAX_INDEX (expr_eval checks), so
 * (size_t)idx[i] is exact; the lookup still checks it against the shape.
 * Return 0 with *out set, or -1 with err filled ("unknown name 'x'"). */
typedef int (*ExprLookup)(void *ctx, const char *name, const double *idx, int nidx, double *out, FbErr *err);

/* Evaluate text: numbers (C locale), names, name[i,j], + - * /, unary -,
 * comparisons < <= > >= == != (1 or 0), and/or/not (also && || !),
 * parentheses, abs() sqrt() log() exp().  `seen` (may be NULL) receives
 * "name = value, ..." for every name read, for failure messages.  Fails with
 * err->col set (1-based within text) on a syntax error, a failed lookup, or
 * nesting deeper than EXPR_MAX_DEPTH. */
int expr_eval(const char *text, ExprLookup lookup, void *ctx, double *out, char *seen, size_t seen_size,
              FbErr *err);

#endif
