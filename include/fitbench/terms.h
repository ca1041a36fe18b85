/* terms.h — the feature terms a model sees: products and powers of the inputs, and sin / cos of such a
 * product; one list of them (Terms) says which columns the prepared data has, in order. */
#ifndef FITBENCH_TERMS_H
#define FITBENCH_TERMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fitbench/err.h"

#define TERMS_MAX_DEGREE 10   /* the highest total degree of a product (x0^2*x1 has degree 3) */
#define TERMS_MAX 100000      /* the most terms in one list */

typedef enum { TERM_MONO, TERM_SIN, TERM_COS } TermKind;

/* One term: kind(x[in[0]]^pow[0] * ... * x[in[nf-1]]^pow[nf-1]); kind is the identity, sin or cos.  The inputs
 * are distinct and increasing, each power >= 1, the powers sum to 1..TERMS_MAX_DEGREE.  Two terms are the same
 * term exactly when these fields are equal (x0*x1 and x1*x0 are one term). */
typedef struct Term {
    TermKind kind;
    int nf;
    uint32_t in[TERMS_MAX_DEGREE];
    int pow[TERMS_MAX_DEGREE];
} Term;

/* An immutable list of terms over nin inputs, shared by reference (terms_ref / terms_unref) like a Dataset. */
typedef struct Terms {
    int refs;
    size_t nin;   /* inputs the indices refer to */
    size_t n;     /* terms: the prepared data's columns, in this order */
    Term *t;      /* (n) */
} Terms;

/* The names of the kinds as a term spells them ("" for a plain product), in TermKind order, NULL-terminated. */
extern const char *const term_kind_names[];

/* A list of the n terms t (copied) over nin inputs, refs 1.  NULL on out of memory (err set). */
Terms *terms_new(size_t nin, const Term *t, size_t n, FbErr *err);
Terms *terms_ref(Terms *t);   /* NULL-safe, returns t */
void terms_unref(Terms *t);   /* NULL-safe; the last one frees */

/* Every product of degree 1..degree of nin inputs in scikit-learn's PolynomialFeatures order (include_bias=False:
 * degree by degree, combinations_with_replacement order within one), refs 1.  Fails on a degree outside
 * 1..TERMS_MAX_DEGREE, more than TERMS_MAX terms (saying how many would be made), or out of memory. */
Terms *terms_poly(size_t nin, int degree, FbErr *err);

/* The number of terms terms_poly(nin, degree) makes, or 0 when that is more than TERMS_MAX. */
size_t terms_poly_count(size_t nin, int degree);

/* K when t is exactly terms_poly(t->nin, K) (1 for NULL: the inputs as they are), else 0. */
int terms_poly_degree(const Terms *t);

/* Whether t is exactly the inputs x0 .. x{nin-1} in order (the data as it is). */
bool terms_are_inputs(const Terms *t);

/* Parse one term written as in docs/commands.md (features): `age*income^2`, `sin(age)`, `cos(x0*x1)`.  An input
 * is named by its column name (names[0..nin), or NULL for none), written plainly when it is a plain name
 * (a letter or '_', then letters, digits, '_' and '.') and else in square brackets (`[monthly income]`), or by
 * its position xK (K < nin) when no column has that name.  Fails, saying why and naming the term, on a syntax
 * error, an unknown column, a power outside 0..TERMS_MAX_DEGREE, a total degree above TERMS_MAX_DEGREE, or a
 * constant term (every power 0); *out is then unchanged. */
int term_parse(const char *text, const char *const *names, size_t nin, Term *out, FbErr *err);

/* The term's name in the form term_parse reads with the same names (NULL: x0, x1, ...): a column whose name is
 * not plain is bracketed, one that cannot be bracketed (empty, or holding ']') is written xK.  Writes at most
 * size bytes (NUL-terminated); returns the full length as snprintf does. */
int term_name(const Term *t, const char *const *names, char *buf, size_t size);

/* The index of term x in t, or -1 when it is not there. */
long terms_find(const Terms *t, const Term *x);

/* The terms of one input row x (nin) into out (n): products multiplied left to right over the inputs in
 * increasing order, each repeated by its power, starting from 1 (the order of the numpy reference
 * tools/ref_features.py and of the exported scripts), then sin or cos of the product. */
void terms_expand(const Terms *t, const double *x, double *out);

#endif
