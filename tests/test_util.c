/* test_util.c — strutil, expressions and argument parsing. */
#include <criterion/criterion.h>
#include <locale.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/args.h"
#include "fitbench/err.h"
#include "fitbench/expr.h"
#include "fitbench/strutil.h"

Test(strutil, parse_double_c_locale)
{
    double v;
    cr_assert(fb_parse_double("1e-3", 4, &v) && v == 1e-3);
    cr_assert(fb_parse_double("-.5", 3, &v) && v == -0.5);
    cr_assert(!fb_parse_double("1,5", 3, &v));
    cr_assert(!fb_parse_double("", 0, &v));
    cr_assert(!fb_parse_double(" 1", 2, &v));
    cr_assert(!fb_parse_double("1x", 2, &v));
    /* Whatever the process locale says, '.' is the decimal point. */
    if (setlocale(LC_NUMERIC, "de_DE.UTF-8")) {
        cr_assert(fb_parse_double("2.25", 4, &v) && v == 2.25);
        cr_assert(!fb_parse_double("2,25", 4, &v));
        char buf[32];
        cr_assert_str_eq(fb_fmt(buf, sizeof buf, 0.5, 6), "0.5");
        setlocale(LC_NUMERIC, "C");
    } else {
        cr_log_warn("de_DE.UTF-8 is not installed: the decimal-comma case is not exercised");
    }
}

Test(strutil, suggestions)
{
    static const char *const opts[] = {"sgd", "adam", "adamw", "rmsprop", "adagrad", NULL};
    cr_assert_str_eq(fb_suggest("adma", opts), "adam");
    cr_assert_str_eq(fb_suggest("rmsprob", opts), "rmsprop");
    cr_assert_null(fb_suggest("banana", opts));
    cr_assert_eq(fb_edit_distance("kitten", "sitting"), 3);
}

/* One helper frees every array of owned strings (datasets, prepared data, CSV tables, model files): a whole
 * array, a half-built one with NULL entries, and NULL itself.  The sanitizer build's leak check proves the
 * strings go too. */
Test(err, free_strings_whole_half_built_and_null)
{
    FbErr e = {0};
    char **v = fb_calloc(3, sizeof *v, "names", &e);
    cr_assert_not_null(v);
    v[0] = fb_strdup("a", &e);
    v[1] = fb_strdup("bb", &e);
    cr_assert(v[0] && v[1]);
    fb_free_strings(v, 3); /* v[2] is still NULL: a half-built array */
    char **w = fb_calloc(2, sizeof *w, "names", &e);
    cr_assert_not_null(w);
    w[0] = fb_strdup("x", &e);
    w[1] = fb_strdup("y", &e);
    fb_free_strings(w, 2);
    fb_free_strings(NULL, 5);
}

static int lookup(void *ctx, const char *name, const double *idx, int nidx, double *out, FbErr *err)
{
    (void)ctx;
    if (strcmp(name, "x") == 0 && nidx == 0)
        return *out = 2.5, 0;
    if (strcmp(name, "W") == 0 && nidx == 2)
        return *out = idx[0] * 10 + idx[1], 0;
    return fb_fail(err, "unknown name '%s'", name);
}

static double ev(const char *s)
{
    double v;
    FbErr e;
    cr_assert_eq(expr_eval(s, lookup, NULL, &v, NULL, 0, &e), 0, "%s: %s", s, e.msg);
    return v;
}

Test(expr, arithmetic_and_logic)
{
    cr_assert_eq(ev("1 + 2 * 3"), 7);
    cr_assert_eq(ev("(1 + 2) * 3"), 9);
    cr_assert_eq(ev("-x + 1"), -1.5);
    cr_assert_eq(ev("x < 3 and x > 2"), 1);
    cr_assert_eq(ev("x >= 3 or not x == 2.5"), 0);
    cr_assert_eq(ev("W[1,2] == 12"), 1);
    cr_assert_eq(ev("abs(-2) + sqrt(16)"), 6);
    cr_assert_eq(ev("1e-3 * 1000"), 1);
    cr_assert_eq(ev("x != 2.5 || x <= 2.5"), 1);
}

Test(expr, errors_have_columns)
{
    double v;
    FbErr e;
    cr_assert_eq(expr_eval("x < ", lookup, NULL, &v, NULL, 0, &e), -1);
    cr_assert_str_eq(e.msg, "expression ends too soon");
    cr_assert_eq(expr_eval("x + y", lookup, NULL, &v, NULL, 0, &e), -1);
    cr_assert_str_eq(e.msg, "unknown name 'y'");
    cr_assert_eq(e.col, 5);
    cr_assert_eq(expr_eval("(x", lookup, NULL, &v, NULL, 0, &e), -1);
    cr_assert_eq(expr_eval("x 3", lookup, NULL, &v, NULL, 0, &e), -1);
    cr_assert_eq(e.col, 3);
}

Test(expr, seen_values_for_messages)
{
    double v;
    FbErr e;
    char seen[128];
    cr_assert_eq(expr_eval("x < 1", lookup, NULL, &v, seen, sizeof seen, &e), 0);
    cr_assert_eq(v, 0);
    cr_assert_str_eq(seen, "x = 2.5");
}

static const OptSpec specs[] = {
    {"lr", OT_NUM, 0, INFINITY, OPT_GT_MIN, NULL, "learning rate"},
    {"n", OT_INT, 1, 100, 0, NULL, "count"},
    {"on", OT_BOOL, 0, 0, 0, NULL, "flag"},
    {NULL, 0, 0, 0, 0, NULL, NULL}};

static int check(const char *line, FbErr *e)
{
    Args a;
    if (args_split(line, strlen(line), 1, &a, e))
        return -1;
    int rc = args_check(&a, specs, "cmd", e);
    args_free(&a);
    return rc;
}

Test(args, split_quotes_and_columns)
{
    Args a;
    FbErr e;
    const char *line = "save plot \"my plot.svg\" width=800 name='a b'";
    cr_assert_eq(args_split(line, strlen(line), 1, &a, &e), 0);
    cr_assert_eq(a.n, 5);
    cr_assert_str_eq(a.t[2].text, "my plot.svg");
    cr_assert_eq(a.t[2].col, 11);
    cr_assert_str_eq(a.t[3].key, "width");
    cr_assert_str_eq(a.t[3].val, "800");
    cr_assert_eq(a.t[3].vcol, 31);
    cr_assert_str_eq(a.t[4].val, "a b");
    args_free(&a);
    cr_assert_eq(args_split("echo \"open", 10, 1, &a, &e), -1);
    cr_assert_str_eq(e.msg, "unterminated quote \"");
    cr_assert_eq(e.col, 6);
}

/* A 1 MiB word of '=' (and of key characters before one '='): splitting is linear in the line.  It used to
 * rescan the word at every '=' (quadratic: about 270 s for this line in a release build), so the timeout
 * catches a return of that. */
Test(args, split_is_linear_in_equals_signs, .timeout = 30)
{
    size_t n = (size_t)1 << 20;
    char *line = malloc(n + 16);
    cr_assert(line);
    Args a;
    FbErr e;
    /* "echo -===...": one word, no key (it does not start with a letter). */
    memcpy(line, "echo -", 6);
    memset(line + 6, '=', n);
    line[6 + n] = '\0';
    cr_assert_eq(args_split(line, strlen(line), 1, &a, &e), 0, "%s", e.msg);
    cr_assert_eq(a.n, 2);
    cr_assert_null(a.t[1].key);
    cr_assert_eq(strlen(a.t[1].text), n + 1);
    args_free(&a);
    /* "set k===...": key k, the value the rest of the '='. */
    memcpy(line, "set k", 5);
    memset(line + 5, '=', n);
    line[5 + n] = '\0';
    cr_assert_eq(args_split(line, strlen(line), 1, &a, &e), 0, "%s", e.msg);
    cr_assert_str_eq(a.t[1].key, "k");
    cr_assert_eq(strlen(a.t[1].val), n - 1);
    cr_assert_eq(a.t[1].vcol, 7);
    args_free(&a);
    /* "set kkk...k=v" with a quoted piece: a long key, found once. */
    memcpy(line, "set ", 4);
    memset(line + 4, 'k', n);
    memcpy(line + 4 + n, "'x'=v", 6);
    cr_assert_eq(args_split(line, strlen(line), 1, &a, &e), 0, "%s", e.msg);
    cr_assert_eq(strlen(a.t[1].key), n + 1);
    cr_assert_str_eq(a.t[1].val, "v");
    args_free(&a);
    free(line);
}

Test(args, options_are_checked)
{
    FbErr e;
    cr_assert_eq(check("cmd lr=0.1 n=3 on=yes", &e), 0);
    cr_assert_eq(check("cmd lr=-1", &e), -1);
    cr_assert_str_eq(e.msg, "lr must be > 0 (got -1)");
    cr_assert_eq(e.col, 8);
    cr_assert_eq(check("cmd lr=abc", &e), -1);
    cr_assert_str_eq(e.msg, "lr must be a number (got 'abc')");
    cr_assert_eq(check("cmd n=0", &e), -1);
    cr_assert_str_eq(e.msg, "n must be between 1 and 100 (got 0)");
    cr_assert_eq(check("cmd n=2.5", &e), -1);
    cr_assert_str_eq(e.msg, "n must be a whole number (got '2.5')");
    cr_assert_eq(check("cmd on=maybe", &e), -1);
    cr_assert_eq(check("cmd lrr=1", &e), -1);
    cr_assert_str_eq(e.msg, "unknown option 'lrr' for cmd (did you mean 'lr'?)");
    cr_assert_eq(e.col, 5);
    cr_assert_eq(check("cmd lr=nan", &e), -1);
}
