/* test_expr.c — the expect / until= expression evaluator: values, nesting bound, index checks. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/expr.h"

/* A lookup with one name, W, shaped (2, 3), holding W[i,j] = 10 i + j; it counts its calls. */
typedef struct Fake {
    int calls;
} Fake;

static int fake_lookup(void *ctx, const char *name, const double *idx, int nidx, double *out, FbErr *err)
{
    Fake *f = ctx;
    f->calls++;
    if (strcmp(name, "W") != 0)
        return fb_fail(err, "unknown name '%s'", name);
    if (nidx != 2)
        return fb_fail(err, "W needs two indices");
    size_t i = (size_t)idx[0], j = (size_t)idx[1];
    if (i >= 2 || j >= 3)
        return fb_fail(err, "W[%zu,%zu] is outside its shape (2, 3)", i, j);
    *out = 10.0 * (double)i + (double)j;
    return 0;
}

static int eval(const char *text, double *v, FbErr *err, Fake *f)
{
    memset(err, 0, sizeof *err);
    return expr_eval(text, fake_lookup, f, v, NULL, 0, err);
}

/* "pre" repeated n times, then "mid", then "post" repeated n times (malloc'ed). */
static char *repeat(const char *pre, size_t n, const char *mid, const char *post)
{
    size_t lp = strlen(pre), lm = strlen(mid), lq = strlen(post);
    char *s = malloc(n * (lp + lq) + lm + 1);
    cr_assert(s);
    char *w = s;
    for (size_t i = 0; i < n; i++, w += lp)
        memcpy(w, pre, lp);
    memcpy(w, mid, lm), w += lm;
    for (size_t i = 0; i < n; i++, w += lq)
        memcpy(w, post, lq);
    *w = '\0';
    return s;
}

Test(expr, values)
{
    Fake f = {0};
    FbErr e;
    double v;
    cr_assert_eq(eval("1 + 2 * 3 - -4", &v, &e, &f), 0, "%s", e.msg);
    cr_assert_float_eq(v, 11.0, 0);
    cr_assert_eq(eval("not (W[1,2] < 12) and !0", &v, &e, &f), 0, "%s", e.msg);
    cr_assert_float_eq(v, 1.0, 0);
    cr_assert_eq(eval("W[1, 1+1]", &v, &e, &f), 0, "%s", e.msg);
    cr_assert_float_eq(v, 12.0, 0);
}

/* Up to the bound every kind of nesting works, with the right value. */
Test(expr, nesting_up_to_the_bound)
{
    Fake f = {0};
    FbErr e;
    double v;
    char *s = repeat("-", EXPR_MAX_DEPTH, "3", "");
    cr_assert_eq(eval(s, &v, &e, &f), 0, "%s", e.msg);
    cr_assert_float_eq(v, EXPR_MAX_DEPTH % 2 ? -3.0 : 3.0, 0);
    free(s);
    s = repeat("!", EXPR_MAX_DEPTH, "0", "");
    cr_assert_eq(eval(s, &v, &e, &f), 0, "%s", e.msg);
    cr_assert_float_eq(v, EXPR_MAX_DEPTH % 2 ? 1.0 : 0.0, 0);
    free(s);
    s = repeat("(", EXPR_MAX_DEPTH, "7", ")");
    cr_assert_eq(eval(s, &v, &e, &f), 0, "%s", e.msg);
    cr_assert_float_eq(v, 7.0, 0);
    free(s);
}

/* A long chain of signs, nots, parentheses or calls is an error with a column, not a stack overflow:
 * a million characters, the length of the longest script line. */
Test(expr, nesting_beyond_the_bound_fails_cleanly)
{
    static const struct { const char *pre, *mid, *post; } kinds[] = {
        {"-", "1", ""}, {"+", "1", ""}, {"!", "1", ""}, {"not ", "1", ""}, {"(", "1", ")"},
        {"abs(", "1", ")"}, {"-(", "1", ")"}, {"not -(", "1", ")"}, {"W[", "0", ",0]"}, {"1+(", "1", ")"},
    };
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        size_t n = (1u << 20) / (strlen(kinds[k].pre) + strlen(kinds[k].post));
        char *s = repeat(kinds[k].pre, n, kinds[k].mid, kinds[k].post);
        Fake f = {0};
        FbErr e;
        double v;
        cr_assert_eq(eval(s, &v, &e, &f), -1, "kind %zu", k);
        cr_assert(strstr(e.msg, "nested too deeply"), "kind %zu: %s", k, e.msg);
        cr_assert(e.col > EXPR_MAX_DEPTH && e.col < (int)strlen(s), "kind %zu: col %d", k, e.col);
        free(s);
    }
    /* One past the bound fails too. */
    char *s = repeat("-", EXPR_MAX_DEPTH + 1, "3", "");
    Fake f = {0};
    FbErr e;
    double v;
    cr_assert_eq(eval(s, &v, &e, &f), -1);
    cr_assert(strstr(e.msg, "nested too deeply"), "%s", e.msg);
    free(s);
}

/* The lookup only ever sees whole indices from 0 to 2^53: 1e20 once read element 0 (the double to
 * size_t conversion is undefined past SIZE_MAX and gave 0). */
Test(expr, indices_are_checked_before_the_lookup)
{
    static const struct { const char *text, *msg; int col; } bad[] = {
        {"W[1e20,1]", "index 1e+20 of W is too large", 3},
        {"W[0, 1e300]", "index 1.0000000000000001e+300 of W is too large", 6},
        {"W[-1,0]", "index -1 of W is not a whole number >= 0", 3},
        {"W[0.5,0]", "index 0.5 of W is not a whole number >= 0", 3},
        {"W[0/0,0]", "of W is not a whole number >= 0", 3},
        {"W[1/0,0]", "index inf of W is not a whole number >= 0", 3},
        {"W[0,-1/0]", "index -inf of W is not a whole number >= 0", 5},
        {"W[18446744073709551616,0]", "index 1.8446744073709552e+19 of W is too large", 3},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        Fake f = {0};
        FbErr e;
        double v = 42;
        cr_assert_eq(eval(bad[k].text, &v, &e, &f), -1, "%s gave %g", bad[k].text, v);
        cr_assert_eq(f.calls, 0, "%s reached the lookup", bad[k].text);
        cr_assert(strstr(e.msg, bad[k].msg), "%s: %s", bad[k].text, e.msg);
        cr_assert_eq(e.col, bad[k].col, "%s: col %d", bad[k].text, e.col);
    }
    /* 2^53 itself is passed on, exactly, and the lookup's bounds check refuses it. */
    Fake f = {0};
    FbErr e;
    double v;
    cr_assert_eq(eval("W[9007199254740992,0]", &v, &e, &f), -1);
    cr_assert_eq(f.calls, 1);
    cr_assert(strstr(e.msg, "W[9007199254740992,0] is outside its shape"), "%s", e.msg);
}
