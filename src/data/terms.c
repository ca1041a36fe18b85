/* terms.c — feature terms: parse and name them, make the polynomial list, expand a row. */
#include "fitbench/terms.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const term_kind_names[] = {"", "sin", "cos", NULL};

Terms *terms_new(size_t nin, const Term *t, size_t n, FbErr *err)
{
    Terms *ts = fb_calloc(1, sizeof *ts, "the feature terms", err);
    if (!ts)
        return NULL;
    ts->t = fb_malloc(n ? n : 1, sizeof *ts->t, "the feature terms", err);
    if (!ts->t) {
        free(ts);
        return NULL;
    }
    if (n)
        memcpy(ts->t, t, n * sizeof *t);
    ts->refs = 1;
    ts->nin = nin;
    ts->n = n;
    return ts;
}

Terms *terms_ref(Terms *t)
{
    if (t)
        t->refs++;
    return t;
}

void terms_unref(Terms *t)
{
    if (t && --t->refs <= 0) {
        free(t->t);
        free(t);
    }
}

size_t terms_poly_count(size_t nin, int degree)
{
    /* sum_{j=1..degree} C(nin + j - 1, j) */
    double total = 0, c = 1;
    for (int j = 1; j <= degree; j++) {
        c = c * (double)(nin + (size_t)j - 1) / j;
        total += c;
        if (total > TERMS_MAX)
            return 0;
    }
    return (size_t)(total + 0.5);
}

/* The term of a product of inputs idx[0..deg) given in increasing order with repeats (x0*x0*x1). */
static void term_of_indices(const size_t *idx, int deg, Term *m)
{
    memset(m, 0, sizeof *m);
    m->kind = TERM_MONO;
    for (int q = 0; q < deg; q++) {
        if (m->nf > 0 && m->in[m->nf - 1] == idx[q]) {
            m->pow[m->nf - 1]++;
        } else {
            m->in[m->nf] = (uint32_t)idx[q];
            m->pow[m->nf++] = 1;
        }
    }
}

Terms *terms_poly(size_t nin, int degree, FbErr *err)
{
    if (degree < 1 || degree > TERMS_MAX_DEGREE)
        return fb_fail(err, "degree must be between 1 and %d (got %d)", TERMS_MAX_DEGREE, degree), NULL;
    size_t n = terms_poly_count(nin, degree);
    if (n == 0 || nin == 0)
        return fb_fail(err, "degree %d on %zu features would make more than %d features", degree, nin, TERMS_MAX),
               NULL;
    Terms *ts = terms_new(nin, NULL, 0, err);
    Term *t = ts ? realloc(ts->t, n * sizeof *t) : NULL;
    if (!t) {
        if (ts)
            fb_oom(err, "the feature terms", n * sizeof *t);
        terms_unref(ts);
        return NULL;
    }
    ts->t = t;
    /* combinations_with_replacement(range(nin), deg) for deg = 1 .. degree */
    for (int deg = 1; deg <= degree; deg++) {
        size_t c[TERMS_MAX_DEGREE] = {0};
        for (;;) {
            term_of_indices(c, deg, &ts->t[ts->n++]);
            int pos = deg - 1;
            while (pos >= 0 && c[pos] == nin - 1)
                pos--;
            if (pos < 0)
                break;
            c[pos]++;
            for (int q = pos + 1; q < deg; q++)
                c[q] = c[pos];
        }
    }
    return ts;
}

static bool term_equal(const Term *a, const Term *b);

int terms_poly_degree(const Terms *t)
{
    if (!t)
        return 1;
    for (int k = 1; k <= TERMS_MAX_DEGREE; k++) {
        size_t n = terms_poly_count(t->nin, k);
        if (n == 0 || n > t->n)
            return 0;
        if (n < t->n)
            continue;
        Terms *p = terms_poly(t->nin, k, NULL);
        bool same = p != NULL;
        for (size_t j = 0; same && j < n; j++)
            same = term_equal(&p->t[j], &t->t[j]);
        terms_unref(p);
        return same ? k : 0;
    }
    return 0;
}

bool terms_are_inputs(const Terms *t)
{
    if (t->n != t->nin)
        return false;
    for (size_t j = 0; j < t->n; j++)
        if (t->t[j].kind != TERM_MONO || t->t[j].nf != 1 || t->t[j].in[0] != j || t->t[j].pow[0] != 1)
            return false;
    return true;
}

static bool term_equal(const Term *a, const Term *b)
{
    if (a->kind != b->kind || a->nf != b->nf)
        return false;
    for (int f = 0; f < a->nf; f++)
        if (a->in[f] != b->in[f] || a->pow[f] != b->pow[f])
            return false;
    return true;
}

long terms_find(const Terms *t, const Term *x)
{
    for (size_t j = 0; j < t->n; j++)
        if (term_equal(&t->t[j], x))
            return (long)j;
    return -1;
}

void terms_expand(const Terms *t, const double *x, double *out)
{
    for (size_t j = 0; j < t->n; j++) {
        const Term *m = &t->t[j];
        double v = 1;
        for (int f = 0; f < m->nf; f++)
            for (int p = 0; p < m->pow[f]; p++)
                v *= x[m->in[f]];
        out[j] = m->kind == TERM_SIN ? sin(v) : m->kind == TERM_COS ? cos(v) : v;
    }
}

static bool plain_name(const char *s)
{
    if (!(isalpha((unsigned char)*s) || *s == '_'))
        return false;
    for (s++; *s; s++)
        if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '.'))
            return false;
    return true;
}

int term_name(const Term *t, const char *const *names, char *buf, size_t size)
{
    size_t len = 0;
    int total = 0;
#define PUT(...)                                                                                             \
    do {                                                                                                     \
        int w_ = snprintf(buf + len, size > len ? size - len : 0, __VA_ARGS__);                              \
        total += w_;                                                                                         \
        len = (size_t)total < size ? (size_t)total : size;                                                   \
    } while (0)
    if (size)
        buf[0] = '\0';
    if (t->kind != TERM_MONO)
        PUT("%s(", term_kind_names[t->kind]);
    for (int f = 0; f < t->nf; f++) {
        const char *nm = names ? names[t->in[f]] : NULL;
        if (f)
            PUT("*");
        if (nm && plain_name(nm))
            PUT("%s", nm);
        else if (nm && *nm && !strchr(nm, ']'))
            PUT("[%s]", nm);
        else
            PUT("x%u", (unsigned)t->in[f]);
        if (t->pow[f] > 1)
            PUT("^%d", t->pow[f]);
    }
    if (t->kind != TERM_MONO)
        PUT(")");
#undef PUT
    return total;
}

/* The input a name of len bytes refers to: a column of that name, else xK with K < nin; -1 when none. */
static long input_of(const char *s, size_t len, const char *const *names, size_t nin)
{
    for (size_t j = 0; names && j < nin; j++)
        if (names[j] && strlen(names[j]) == len && memcmp(names[j], s, len) == 0)
            return (long)j;
    if (len >= 2 && len <= 20 && s[0] == 'x') {
        size_t k = 0;
        for (size_t i = 1; i < len; i++) {
            if (!isdigit((unsigned char)s[i]) || (i == 1 && s[i] == '0' && len > 2))
                return -1;
            k = k * 10 + (size_t)(s[i] - '0');
        }
        return k < nin ? (long)k : -1;
    }
    return -1;
}

/* Parse factors "name[^k]*name[^k]..." of s[0..len) into per-input powers pw (nin, zeroed by the caller, only
 * the inputs named are touched; their indices go to used[0..*nused)). */
static int parse_product(const char *term, const char *s, size_t len, const char *const *names, size_t nin,
                         int *pw, uint32_t *used, int *nused, FbErr *err)
{
    size_t i = 0;
    int total = 0;
    for (;;) {
        size_t a = i, b;
        if (i < len && s[i] == '[') {
            const char *close = memchr(s + i, ']', len - i);
            if (!close)
                return fb_fail(err, "term '%s': a '[' without its ']'", term);
            a = i + 1;
            b = (size_t)(close - s);
            i = b + 1;
        } else {
            while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '.'))
                i++;
            b = i;
            if (a == len)
                return fb_fail(err, "term '%s': a column name is missing", term);
            if (isdigit((unsigned char)s[a]) && strspn(s, "0123456789.") == len)
                return fb_fail(err, "term '%s' is a constant: the model's bias already is one", term);
            if (a == b || isdigit((unsigned char)s[a]))
                return fb_fail(err, "term '%s': expected a column name at '%.*s' (write a name with blanks or "
                               "operators in [brackets])", term, (int)(len - a), s + a);
        }
        long in = input_of(s + a, b - a, names, nin);
        if (in < 0)
            return fb_fail(err, "term '%s': no column named '%.*s' (the columns are named as `show features` "
                           "lists them, or x0 .. x%zu)", term, (int)(b - a), s + a, nin ? nin - 1 : 0);
        long p = 1;
        if (i < len && s[i] == '^') {
            char *end;
            i++;
            if (i >= len || !isdigit((unsigned char)s[i]))
                return fb_fail(err, "term '%s': expected a whole number after '^'", term);
            p = strtol(s + i, &end, 10);
            i = (size_t)(end - s);
            if (p > TERMS_MAX_DEGREE || (size_t)(end - s) > len)
                return fb_fail(err, "term '%s': a power must be 0 .. %d", term, TERMS_MAX_DEGREE);
        }
        if (pw[in] == 0 && p > 0)
            used[(*nused)++] = (uint32_t)in;
        pw[in] += (int)p;
        total += (int)p;
        if (total > TERMS_MAX_DEGREE)
            return fb_fail(err, "term '%s': the degree is more than %d", term, TERMS_MAX_DEGREE);
        if (i == len)
            return 0;
        if (s[i] != '*')
            return fb_fail(err, "term '%s': unexpected '%c' (terms are products such as a*b^2, or sin(...), "
                           "cos(...))", term, s[i]);
        i++;
    }
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int term_parse(const char *text, const char *const *names, size_t nin, Term *out, FbErr *err)
{
    Term m;
    memset(&m, 0, sizeof m);
    const char *s = text;
    size_t len = strlen(text);
    for (int k = TERM_SIN; k <= TERM_COS; k++) {
        size_t kl = strlen(term_kind_names[k]);
        if (len > kl + 1 && strncmp(s, term_kind_names[k], kl) == 0 && s[kl] == '(') {
            if (s[len - 1] != ')')
                return fb_fail(err, "term '%s': '%s(' without its ')'", text, term_kind_names[k]);
            m.kind = (TermKind)k;
            s += kl + 1;
            len -= kl + 2;
            break;
        }
    }
    int *pw = fb_calloc(nin ? nin : 1, sizeof *pw, "a term", err);
    if (!pw)
        return -1;
    uint32_t used[TERMS_MAX_DEGREE + 1];
    int nused = 0;
    int rc = parse_product(text, s, len, names, nin, pw, used, &nused, err);
    if (rc == 0 && nused == 0)
        rc = fb_fail(err, "term '%s' is a constant: the model's bias already is one", text);
    if (rc == 0) {
        qsort(used, (size_t)nused, sizeof *used, cmp_u32);
        for (int f = 0; f < nused; f++) {
            m.in[f] = used[f];
            m.pow[f] = pw[used[f]];
        }
        m.nf = nused;
        *out = m;
    }
    free(pw);
    return rc;
}
