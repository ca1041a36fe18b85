/* test_terms.c — feature terms: parsing, names, the polynomial list, and the expanded columns of
 * `features add|drop|poly|none` against numpy (tests/fixtures/features/, from tools/ref_features.py). */
#include <criterion/criterion.h>
#include <math.h>

#include "fitbench/terms.h"
#include "fixture_read.h"
#include "harness.h"

static const char *const NAMES[] = {"age", "income", "monthly rent", "x-ray"};

static Term parse_ok(const char *text)
{
    Term t;
    FbErr e;
    cr_assert_eq(term_parse(text, NAMES, 4, &t, &e), 0, "%s: %s", text, e.msg);
    return t;
}

static void parse_fails(const char *text, const char *why)
{
    Term t;
    memset(&t, 0x5a, sizeof t);
    Term before = t;
    FbErr e = {{0}, 0};
    cr_assert_eq(term_parse(text, NAMES, 4, &t, &e), -1, "%s parsed", text);
    cr_assert(strstr(e.msg, why), "%s: '%s' does not say '%s'", text, e.msg, why);
    cr_assert(memcmp(&t, &before, sizeof t) == 0, "%s: the term was changed on failure", text);
}

Test(terms, parse_and_name_round_trip)
{
    static const char *const cases[][2] = {
        {"age", "age"},
        {"income*age", "age*income"},
        {"x1^2*x0", "age*income^2"},
        {"[monthly rent]*[x-ray]^3", "[monthly rent]*[x-ray]^3"},
        {"sin(age*age)", "sin(age^2)"},
        {"cos(x3)", "cos([x-ray])"},
        {"age^0*income", "income"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        Term t = parse_ok(cases[i][0]);
        char buf[128];
        term_name(&t, NAMES, buf, sizeof buf);
        cr_assert_str_eq(buf, cases[i][1], "%s", cases[i][0]);
        Term back = parse_ok(buf);
        cr_assert(memcmp(&t, &back, sizeof t) == 0, "%s does not read back", buf);
        /* the x-index form (model files) reads back too */
        term_name(&t, NULL, buf, sizeof buf);
        Term idx;
        FbErr e;
        cr_assert_eq(term_parse(buf, NULL, 4, &idx, &e), 0, "%s: %s", buf, e.msg);
        cr_assert(memcmp(&t, &idx, sizeof t) == 0, "%s", buf);
    }
}

Test(terms, bad_terms_are_refused_and_say_why)
{
    parse_fails("height", "no column named 'height'");
    parse_fails("x4", "no column named 'x4'");
    parse_fails("x01", "no column named 'x01'");
    parse_fails("age^0", "is a constant");
    parse_fails("3", "is a constant");
    parse_fails("age*", "column name is missing");
    parse_fails("age+income", "unexpected '+'");
    parse_fails("sin(age", "without its ')'");
    parse_fails("[monthly rent", "without its ']'");
    parse_fails("age^11", "a power must be 0 .. 10");
    parse_fails("age^5*income^6", "degree is more than 10");
    parse_fails("age^", "whole number after '^'");
    parse_fails("monthly rent", "no column named 'monthly'");
    parse_fails("tan(age)", "no column named 'tan'");
}

Test(terms, poly_list_is_sklearn_order_and_is_recognised)
{
    FbErr e;
    Terms *t = terms_poly(3, 2, &e);
    cr_assert(t);
    cr_assert_eq(t->n, 9);
    static const char *const want[] = {"x0", "x1", "x2", "x0^2", "x0*x1", "x0*x2", "x1^2", "x1*x2", "x2^2"};
    for (size_t j = 0; j < 9; j++) {
        char buf[64];
        term_name(&t->t[j], NULL, buf, sizeof buf);
        cr_assert_str_eq(buf, want[j]);
    }
    cr_assert_eq(terms_poly_degree(t), 2);
    cr_assert_eq(terms_poly_degree(NULL), 1);
    Terms *one = terms_poly(3, 1, &e);
    cr_assert(terms_are_inputs(one));
    cr_assert(!terms_are_inputs(t));
    Term x = parse_ok("age*[monthly rent]");
    cr_assert_eq(terms_find(t, &x), 5);
    Terms *other = terms_new(3, t->t + 1, 8, &e);
    cr_assert_eq(terms_poly_degree(other), 0);
    cr_assert_null(terms_poly(1000, 10, &e));
    cr_assert(strstr(e.msg, "more than 100000"), "%s", e.msg);
    terms_unref(t);
    terms_unref(one);
    terms_unref(other);
}

/* The column names of `show features` output ("   1  name" lines), joined with '|'. */
static void shown_names(const char *out, char *buf, size_t size)
{
    buf[0] = '\0';
    for (const char *l = strchr(out, '\n'); l && l[1]; l = strchr(l + 1, '\n')) {
        const char *p = l + 1;
        while (*p == ' ' || (*p >= '0' && *p <= '9'))
            p++;
        size_t len = strcspn(p, "\n");
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%.*s", buf[0] ? "|" : "", (int)len, p);
    }
}

static bool is_trig(const char *names, size_t col)
{
    const char *p = names;
    for (size_t j = 0; j < col && p; j++)
        p = strchr(p, '|') ? strchr(p, '|') + 1 : NULL;
    return p && (strncmp(p, "sin(", 4) == 0 || strncmp(p, "cos(", 4) == 0);
}

Test(terms, expanded_columns_equal_numpy)
{
    Fx fx;
    cr_assert_eq(fx_load(&fx, "tests/fixtures/features/expanded.txt"), 0);
    FILE *f = fopen(FITBENCH_SRCDIR "/tests/fixtures/features/names.txt", "r");
    cr_assert(f);
    char line[8192];
    int cases = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#')
            continue;
        line[strcspn(line, "\n")] = '\0';
        char *bar = strchr(line, '|');
        *bar = '\0';
        /* the commands of this case, from cases.txt */
        char cmds[4096] = "", cl[4096], key[128];
        FILE *c = fopen(FITBENCH_SRCDIR "/tests/fixtures/features/cases.txt", "r");
        while (fgets(cl, sizeof cl, c))
            if (strncmp(cl, line, strlen(line)) == 0 && cl[strlen(line)] == '|')
                snprintf(cmds, sizeof cmds, "%s", cl + strlen(line) + 1);
        fclose(c);
        cr_assert(cmds[0], "case %s not in cases.txt", line);
        H h;
        h_init(&h);
        char run[8192];
        snprintf(run, sizeof run, "load %s/tests/fixtures/features/people.csv; %s", FITBENCH_SRCDIR, cmds);
        cr_assert_eq(h_run(&h, run), 0, "%s: %s", line, h_err(&h));
        h_clear(&h);
        cr_assert_eq(h_run(&h, "show features"), 0);
        char got[8192];
        shown_names(h_out(&h), got, sizeof got);
        cr_assert_str_eq(got, bar + 1, "case %s: the columns in order", line);
        snprintf(key, sizeof key, "%.100s_X", line);
        const FxArr *want = fx_get(&fx, key);
        const Prepared *p = h.s.prep;
        cr_assert(want && want->rows == p->train.n && want->cols == p->d, "case %s: shape", line);
        for (size_t i = 0; i < want->rows; i++)
            for (size_t j = 0; j < want->cols; j++) {
                double g = p->train.X[i * p->d + j], w = want->v[i * want->cols + j];
                if (is_trig(bar + 1, j))
                    cr_assert(fabs(g - w) <= 1e-15 * fabs(w), "case %s [%zu,%zu]: %.17g numpy %.17g", line, i, j, g, w);
                else
                    cr_assert(g == w, "case %s [%zu,%zu]: %.17g numpy %.17g (bit for bit)", line, i, j, g, w);
            }
        h_free(&h);
        cases++;
    }
    fclose(f);
    cr_assert_eq(cases, 8);
    fx_free(&fx);
}

/* The candidates of completing word after line, joined with '|'. */
static void completions(H *h, const char *line, const char *word, char *buf, size_t size)
{
    char **v = command_complete(&h->it, line, word);
    buf[0] = '\0';
    for (size_t i = 0; v && v[i]; i++) {
        snprintf(buf + strlen(buf), size - strlen(buf), "%s%s", i ? "|" : "", v[i]);
        free(v[i]);
    }
    free(v);
}

Test(terms, completion_offers_inputs_for_add_and_terms_for_drop)
{
    H h;
    h_init(&h);
    char run[512], got[1024];
    snprintf(run, sizeof run, "load %s/tests/fixtures/features/people.csv; features add sin(age)", FITBENCH_SRCDIR);
    cr_assert_eq(h_run(&h, run), 0, "%s", h_err(&h));
    completions(&h, "features ", "", got, sizeof got);
    cr_assert_str_eq(got, "poly |add |drop |none |degree=");
    completions(&h, "features add age*income ", "", got, sizeof got);
    cr_assert(strstr(got, "age |income |[monthly rent] |[x-ray] |sin(|cos("), "%s", got);
    completions(&h, "features drop ", "s", got, sizeof got);
    cr_assert_str_eq(got, "sin(age) ");
    h_free(&h);
}
