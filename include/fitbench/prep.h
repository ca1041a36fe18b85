/* prep.h — the data a model trains on: split, polynomial features and scaling of a Dataset. */
#ifndef FITBENCH_PREP_H
#define FITBENCH_PREP_H

#include <stdbool.h>
#include <stdint.h>

#include "fitbench/dataset.h"
#include "fitbench/err.h"
#include "fitbench/terms.h"

typedef enum { SCALE_NONE, SCALE_STANDARD, SCALE_MINMAX } ScaleKind;

#define PREP_MAX_DEGREE TERMS_MAX_DEGREE
#define PREP_MAX_FEATURES TERMS_MAX

/* How to turn a Dataset into training data.  Order: split the rows, expand
 * the feature terms, then scale with statistics of the training rows only.
 * A copy by value borrows terms; an owner (the Session, a Prepared) holds a
 * reference of its own (prep_spec_assign / prep_spec_release). */
typedef struct PrepSpec {
    double val, test;      /* fractions of the rows (0 = none) */
    uint64_t seed;         /* row shuffle for the split */
    bool shuffle;          /* shuffle rows before splitting (default yes) */
    ScaleKind scale;
    Terms *terms;          /* the columns a model sees (terms.h), in order; NULL = the inputs as they are */
    int degree;            /* the `features poly` degree that made terms (1: NULL terms), 0 when edited term by term */
} PrepSpec;

/* One part of the rows.  X is (n, d), Y is (n, ny) target values, L is (n, 1)
 * class indices as doubles (NULL when the dataset has no classes). */
typedef struct Part {
    size_t n;
    double *X;
    double *Y;
    double *L;
} Part;

/* Immutable once built and shared by reference like Dataset (prep_ref /
 * prep_unref).  Keeps a reference to its Dataset.  Parts may alias the
 * dataset's arrays when no transformation is needed (owned_* says which
 * buffers are its own). */
typedef struct Prepared {
    int refs;
    Dataset *ds;
    PrepSpec spec;        /* holds a reference to its terms */
    size_t d;             /* features after expansion */
    size_t ny;
    char **names;         /* d feature names: the dataset's, or the terms' ("x0^2", "x0*x1", "sin(age)") */
    Part train, val, test;
    double *shift, *scale;/* (d): x' = (x - shift) / scale, identity when SCALE_NONE */
    bool owns_x, owns_y;
} Prepared;

void prep_spec_default(PrepSpec *spec);

/* *dst = *src for an owner of *dst: takes a reference to src's terms and drops dst's old one. */
void prep_spec_assign(PrepSpec *dst, const PrepSpec *src);
/* Drop an owner's reference to its terms (terms becomes NULL). */
void prep_spec_release(PrepSpec *spec);

/* An owner's spec for a new table ds after old (NULL: none): a polynomial expansion (degree >= 1) is made again
 * for ds's width; terms edited one by one stay when ds has old's input names in the same order, else they are
 * dropped (the inputs as they are; returns 1 to say so).  Returns 0 when kept, -1 on failure (err set, spec
 * unchanged: too many terms, out of memory). */
int prep_spec_for_data(PrepSpec *spec, const Dataset *old, const Dataset *ds, FbErr *err);

/* Number of features of a degree-`degree` expansion of d inputs without the
 * bias column (scikit-learn's PolynomialFeatures(include_bias=False)), or 0
 * on overflow past PREP_MAX_FEATURES: terms_poly_count. */
size_t prep_poly_count(size_t d, int degree);

/* Build the training data.  Fails on a split leaving no training rows, terms
 * made for another number of inputs than ds has, or out of memory.  The
 * result has refs = 1. */
int prep_build(Dataset *ds, const PrepSpec *spec, Prepared **out, FbErr *err);

/* Cross-validation: the rows that are not the split's test rows, in the split's order (a malloc'd array of *n
 * row indices; the caller frees): with no split, 0 .. n-1 in file order.  NULL (err set) when the test split
 * takes every row, or on out of memory. */
size_t *prep_cv_rows(const Dataset *ds, const PrepSpec *spec, size_t *n, FbErr *err);

/* Build training data from chosen rows: rows[0 .. ntrain) train, rows[ntrain .. ntrain + nval) validation, no
 * test rows; expansion and scaling as spec says (the scaler fitted on these training rows; spec's split
 * fractions are not used).  Fails as prep_build, or when ntrain is 0.  The result has refs = 1. */
int prep_build_rows(Dataset *ds, const PrepSpec *spec, const size_t *rows, size_t ntrain, size_t nval,
                    Prepared **out, FbErr *err);

/* Apply the same expansion and scaling to raw feature rows Xraw (n, ds->d),
 * writing Xout (n, p->d).  For predict and plot fit.  Does not fail (returns
 * 0; err is kept for callers written when it could). */
int prep_transform(const Prepared *p, const double *Xraw, size_t n, double *Xout, FbErr *err);

/* The column of p holding input j of the dataset as it is (the term xj), or -1 when the terms dropped it. */
long prep_input_column(const Prepared *p, size_t j);

/* 0 when every input of the dataset is a column of p as it is; else -1 with err naming the first one missing
 * (what: the picture that needs them, for the message). */
int prep_need_inputs(const Prepared *p, const char *what, FbErr *err);

Prepared *prep_ref(Prepared *p);
void prep_unref(Prepared *p);

/* The names of the scalings as commands and model files spell them, in ScaleKind order, NULL-terminated. */
extern const char *const scale_names[];
const char *scale_name(ScaleKind k);                    /* "?" for a value out of range */
int scale_from_name(const char *name, ScaleKind *k);    /* 0, or -1 (k untouched) for an unknown name */

#endif
