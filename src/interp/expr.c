/* expr.c — a recursive-descent evaluator for expect / until expressions. */
#include "fitbench/expr.h"

#include <ctype.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "fitbench/strutil.h"

typedef struct P {
    const char *s, *p;
    ExprLookup lookup;
    void *ctx;
    char *seen;
    size_t seen_size;
    FbErr *err;
    int depth;
} P;

static int col(const P *p) { return (int)(p->p - p->s) + 1; }

static void skip(P *p)
{
    while (*p->p == ' ' || *p->p == '\t')
        p->p++;
}

static int accept(P *p, const char *tok)
{
    skip(p);
    size_t n = strlen(tok);
    if (strncmp(p->p, tok, n) != 0)
        return 0;
    /* word operators must end at a word boundary */
    if (isalpha((unsigned char)tok[0]) && (isalnum((unsigned char)p->p[n]) || p->p[n] == '_'))
        return 0;
    p->p += n;
    return 1;
}

static int expr_or(P *p, double *v);

/* One more level of nesting (a parenthesis, a function call, an index list, a sign or a `not`): every recursion of the
 * parser goes through here, so no input can use more than EXPR_MAX_DEPTH levels of the C stack.  The
 * caller undoes it with p->depth-- when the level returns without error. */
static int deeper(P *p)
{
    if (++p->depth > EXPR_MAX_DEPTH)
        return fb_fail_at(p->err, col(p),
                          "expression nested too deeply (more than %d parentheses, brackets, signs or nots inside each other)",
                          EXPR_MAX_DEPTH);
    return 0;
}

static void note_seen(P *p, const char *name, const double *idx, int nidx, double v)
{
    if (!p->seen || !p->seen_size)
        return;
    size_t len = strlen(p->seen);
    char item[160], num[40];
    int w = snprintf(item, sizeof item, "%s%s", len ? ", " : "", name);
    for (int i = 0; i < nidx && w > 0 && (size_t)w < sizeof item; i++)
        w += snprintf(item + w, sizeof item - (size_t)w, "%s%.0f%s", i ? "," : "[", idx[i], i == nidx - 1 ? "]" : "");
    fb_fmt(num, sizeof num, v, 10);
    if (w > 0 && (size_t)w < sizeof item)
        snprintf(item + w, sizeof item - (size_t)w, " = %s", num);
    if (strstr(p->seen, item + (len ? 2 : 0)))
        return;
    if (len + strlen(item) + 1 < p->seen_size)
        strcat(p->seen, item);
}

/* An index handed to the lookup is a whole number from 0 to 2^53, so converting it to size_t is exact
 * (1e20, -1, 0.5, NaN and Inf never reach a bounds check as some other number). */
static int check_index(P *p, const char *name, double x, int icol)
{
    if (x >= 0 && x == floor(x) && x <= EXPR_MAX_INDEX)
        return 0;
    if (x > EXPR_MAX_INDEX && isfinite(x))
        return fb_fail_at(p->err, icol, "index %.17g of %s is too large", x, name);
    return fb_fail_at(p->err, icol, "index %.17g of %s is not a whole number >= 0", x, name);
}

static int primary(P *p, double *v)
{
    skip(p);
    int rc = 0;
    const char *start = p->p;
    if (*p->p == '(') {
        if (deeper(p))
            return -1;
        p->p++;
        if (expr_or(p, v))
            return -1;
        if (!accept(p, ")"))
            return fb_fail_at(p->err, col(p), "expected ')'");
        p->depth--;
    } else if (isdigit((unsigned char)*p->p) || *p->p == '.') {
        const char *q = p->p;
        while (isalnum((unsigned char)*q) || *q == '.' ||
               ((*q == '+' || *q == '-') && (q[-1] == 'e' || q[-1] == 'E')))
            q++;
        if (!fb_parse_double(p->p, (size_t)(q - p->p), v))
            return fb_fail_at(p->err, col(p), "'%.*s' is not a number", (int)(q - p->p), p->p);
        p->p = q;
    } else if (isalpha((unsigned char)*p->p) || *p->p == '_') {
        char name[64];
        size_t n = 0;
        while ((isalnum((unsigned char)*p->p) || *p->p == '_') && n < sizeof name - 1)
            name[n++] = *p->p++;
        name[n] = '\0';
        skip(p);
        static const struct { const char *name; double (*fn)(double); } fns[] = {
            {"abs", fabs}, {"sqrt", sqrt}, {"log", log}, {"exp", exp}};
        for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
            if (strcmp(name, fns[i].name) == 0 && *p->p == '(') {
                if (deeper(p))
                    return -1;
                p->p++;
                double a;
                if (expr_or(p, &a))
                    return -1;
                if (!accept(p, ")"))
                    return fb_fail_at(p->err, col(p), "expected ')' after the argument of %s", name);
                *v = fns[i].fn(a);
                p->depth--;
                return 0;
            }
        double idx[4];
        int nidx = 0;
        if (*p->p == '[') {
            if (deeper(p))
                return -1;
            p->p++;
            do {
                if (nidx == 4)
                    return fb_fail_at(p->err, col(p), "too many indices");
                skip(p);
                int icol = col(p);
                if (expr_or(p, &idx[nidx]) || check_index(p, name, idx[nidx], icol))
                    return -1;
                nidx++;
            } while (accept(p, ","));
            if (!accept(p, "]"))
                return fb_fail_at(p->err, col(p), "expected ']'");
            p->depth--;
        }
        if (p->lookup(p->ctx, name, idx, nidx, v, p->err)) {
            p->err->col = (int)(start - p->s) + 1;
            return -1;
        }
        note_seen(p, name, idx, nidx, *v);
    } else if (*p->p == '\0') {
        rc = fb_fail_at(p->err, col(p), "expression ends too soon");
    } else {
        rc = fb_fail_at(p->err, col(p), "unexpected '%c' in expression", *p->p);
    }
    return rc;
}

static int unary(P *p, double *v)
{
    bool minus = accept(p, "-");
    if (minus || accept(p, "+")) {
        if (deeper(p) || unary(p, v))
            return -1;
        p->depth--;
        if (minus)
            *v = -*v;
        return 0;
    }
    return primary(p, v);
}

/* One left-associative level: operand (op1|op2 operand)*, each operator applied as it is read.  The two
 * operators of a level: * and /, + and -, or the two spellings of and (and, &&) and of or (or, ||). */
static int left_level(P *p, double *v, int (*operand)(P *, double *), const char *op1, const char *op2)
{
    if (operand(p, v))
        return -1;
    for (;;) {
        const char *op = accept(p, op1) ? op1 : accept(p, op2) ? op2 : NULL;
        if (!op)
            return 0;
        double r;
        if (operand(p, &r))
            return -1;
        switch (*op) {
        case '*': *v *= r; break;
        case '/': *v /= r; break;
        case '+': *v += r; break;
        case '-': *v -= r; break;
        case 'a':
        case '&': *v = *v && r; break;
        default: *v = *v || r; break; /* or, || */
        }
    }
}

static int product(P *p, double *v) { return left_level(p, v, unary, "*", "/"); }

static int sum(P *p, double *v) { return left_level(p, v, product, "+", "-"); }

static int compare(P *p, double *v)
{
    if (sum(p, v))
        return -1;
    static const char *const ops[] = {"<=", ">=", "==", "!=", "<", ">"};
    for (int i = 0; i < 6; i++)
        if (accept(p, ops[i])) {
            double r;
            if (sum(p, &r))
                return -1;
            double a = *v;
            switch (i) {
            case 0: *v = a <= r; break;
            case 1: *v = a >= r; break;
            case 2: *v = a == r; break;
            case 3: *v = a != r; break;
            case 4: *v = a < r; break;
            default: *v = a > r; break;
            }
            return 0;
        }
    return 0;
}

static int negation(P *p, double *v)
{
    if (accept(p, "not") || (p->p[0] == '!' && p->p[1] != '=' && accept(p, "!"))) {
        if (deeper(p) || negation(p, v))
            return -1;
        p->depth--;
        *v = !*v;
        return 0;
    }
    return compare(p, v);
}

static int conjunction(P *p, double *v) { return left_level(p, v, negation, "and", "&&"); }

static int expr_or(P *p, double *v) { return left_level(p, v, conjunction, "or", "||"); }

int expr_eval(const char *text, ExprLookup lookup, void *ctx, double *out, char *seen, size_t seen_size, FbErr *err)
{
    P p = {text, text, lookup, ctx, seen, seen_size, err, 0};
    if (seen && seen_size)
        seen[0] = '\0';
    if (expr_or(&p, out))
        return -1;
    skip(&p);
    if (*p.p)
        return fb_fail_at(err, col(&p), "unexpected '%s' at the end of the expression", p.p);
    return 0;
}
