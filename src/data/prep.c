/* prep.c — split rows, expand the feature terms (terms.c), scale on the training split. */
#include "fitbench/prep.h"
#include "fitbench/strutil.h"

#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/rng.h"

void prep_spec_default(PrepSpec *spec)
{
    memset(spec, 0, sizeof *spec);
    spec->shuffle = true;
    spec->scale = SCALE_NONE;
    spec->terms = NULL;
    spec->degree = 1;
}

const char *const scale_names[] = {"none", "standard", "minmax", NULL};

const char *scale_name(ScaleKind k)
{
    return (unsigned)k <= SCALE_MINMAX ? scale_names[k] : "?";
}

int scale_from_name(const char *name, ScaleKind *k)
{
    int i = fb_name_index(scale_names, name);
    return i < 0 ? -1 : (*k = (ScaleKind)i, 0);
}

size_t prep_poly_count(size_t d, int degree) { return terms_poly_count(d, degree); }

/* The term names of p->d terms (the caller frees with fb_free_strings). */
static char **term_names(const Dataset *ds, const Terms *t, FbErr *err)
{
    char **names = fb_calloc(t->n, sizeof *names, "feature names", err);
    for (size_t j = 0; names && j < t->n; j++) {
        char buf[512];
        term_name(&t->t[j], (const char *const *)ds->names, buf, sizeof buf);
        if (!(names[j] = fb_strdup(buf, err))) {
            fb_free_strings(names, t->n);
            return NULL;
        }
    }
    return names;
}

static void prep_free(Prepared *p)
{
    if (p->owns_x) {
        free(p->train.X);
        free(p->val.X);
        free(p->test.X);
    }
    if (p->owns_y) {
        free(p->train.Y);
        free(p->val.Y);
        free(p->test.Y);
    }
    free(p->train.L);
    free(p->val.L);
    free(p->test.L);
    free(p->shift);
    free(p->scale);
    fb_free_strings(p->names, p->d);
    terms_unref(p->spec.terms);
    dataset_unref(p->ds);
    free(p);
}

Prepared *prep_ref(Prepared *p)
{
    if (p)
        p->refs++;
    return p;
}

void prep_unref(Prepared *p)
{
    if (p && --p->refs == 0)
        prep_free(p);
}

/* StandardScaler's statistics of column j of X (n, d): the mean, and the
 * corrected two-pass variance (Chan, Golub & LeVeque; sklearn's
 * _incremental_mean_and_var):  var = (sum t^2 - (sum t)^2 / n) / n,
 * t = x - mean.  A column whose variance is within the rounding error of that
 * algorithm, var <= n eps var + (n mean eps)^2 (sklearn's
 * _is_constant_feature), is constant: scale 1, so it is centred to ~0 and
 * not blown up. */
static void standard_stats(const double *X, size_t n, size_t d, size_t j, double *shift, double *scale)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += X[i * d + j];
    double mean = sum / (double)n, corr = 0, ss = 0;
    for (size_t i = 0; i < n; i++) {
        double t = X[i * d + j] - mean;
        corr += t;
        ss += t * t;
    }
    double var = (ss - corr * corr / (double)n) / (double)n;
    double nm = (double)n * mean * DBL_EPSILON;
    bool constant = var <= (double)n * DBL_EPSILON * var + nm * nm;
    *shift = mean;
    *scale = constant ? 1.0 : sqrt(var);
}

/* MinMaxScaler's: shift = min, scale = max - min, and a range below 10 eps
 * (absolute, as sklearn's _handle_zeros_in_scale) counts as 1. */
static void minmax_stats(const double *X, size_t n, size_t d, size_t j, double *shift, double *scale)
{
    double lo = X[j], hi = X[j];
    for (size_t i = 1; i < n; i++) {
        lo = fmin(lo, X[i * d + j]);
        hi = fmax(hi, X[i * d + j]);
    }
    *shift = lo;
    *scale = hi - lo < 10 * DBL_EPSILON ? 1.0 : hi - lo;
}

static void fit_scaler(Prepared *p)
{
    size_t d = p->d, n = p->train.n;
    for (size_t j = 0; j < d; j++) {
        p->shift[j] = 0;
        p->scale[j] = 1;
    }
    if (p->spec.scale == SCALE_NONE || n == 0)
        return;
    for (size_t j = 0; j < d; j++) {
        if (p->spec.scale == SCALE_STANDARD)
            standard_stats(p->train.X, n, d, j, &p->shift[j], &p->scale[j]);
        else
            minmax_stats(p->train.X, n, d, j, &p->shift[j], &p->scale[j]);
    }
}

static void apply_scaler(const Prepared *p, double *X, size_t n)
{
    if (p->spec.scale == SCALE_NONE)
        return;
    size_t d = p->d;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < d; j++)
            X[i * d + j] = (X[i * d + j] - p->shift[j]) / p->scale[j];
}

/* Rows rows[0..n) of the dataset into part, expanded into p's terms when it has a term list. */
static int fill_part(Prepared *p, const size_t *rows, size_t n, Part *part, FbErr *err)
{
    const Dataset *ds = p->ds;
    part->n = n;
    if (p->owns_x) {
        part->X = fb_malloc(n * p->d, sizeof(double), "the training data", err);
        if (!part->X)
            return -1;
        for (size_t i = 0; i < n; i++) {
            const double *src = ds->X + rows[i] * ds->d;
            if (p->spec.terms)
                terms_expand(p->spec.terms, src, part->X + i * p->d);
            else
                memcpy(part->X + i * p->d, src, p->d * sizeof(double));
        }
        part->Y = fb_malloc(n * p->ny, sizeof(double), "the targets", err);
        if (!part->Y)
            return -1;
        for (size_t i = 0; i < n; i++)
            memcpy(part->Y + i * p->ny, ds->y + rows[i] * ds->ny, p->ny * sizeof(double));
    }
    if (ds->label) {
        part->L = fb_malloc(n, sizeof(double), "the class labels", err);
        if (!part->L)
            return -1;
        for (size_t i = 0; i < n; i++)
            part->L[i] = ds->label[rows ? rows[i] : i];
    }
    return 0;
}

/* p->names (p->d of them): the dataset's, or one per term of the term list.  Fails on out of memory (what was
 * made stays for the caller to free). */
static int prep_names(Prepared *p, const Dataset *ds, FbErr *err)
{
    if (p->spec.terms) {
        p->names = term_names(ds, p->spec.terms, err);
    } else {
        p->names = fb_calloc(p->d, sizeof *p->names, "feature names", err);
        for (size_t j = 0; p->names && j < p->d; j++)
            if (!(p->names[j] = fb_strdup(ds->names[j], err)))
                return -1;
    }
    return p->names ? 0 : -1;
}

/* The order the rows are split in (n of them; the caller frees): 0 .. n-1, shuffled by `seed` when
 * `shuffle`.  NULL on out of memory. */
static size_t *row_order(size_t n, bool shuffle, uint64_t seed, FbErr *err)
{
    size_t *rows = fb_malloc(n, sizeof *rows, "the row order", err);
    if (!rows)
        return NULL;
    for (size_t i = 0; i < n; i++)
        rows[i] = i;
    if (shuffle) {
        Rng r;
        rng_seed(&r, seed);
        rng_shuffle(&r, rows, n);
    }
    return rows;
}

/* The parts: train, validation and test, from ntrain, nval and ntest rows in the order `rows` (then the
 * scaler is fitted on train and applied to all three); for `identity` (no split, polynomial or scaling),
 * train is the dataset's own X and y.  Fails on out of memory. */
static int fill_parts(Prepared *p, const size_t *rows, size_t ntrain, size_t nval, size_t ntest, bool identity,
                      FbErr *err)
{
    if (identity) {
        p->train.n = ntrain;
        p->train.X = p->ds->X;
        p->train.Y = p->ds->y;
        if (fill_part(p, NULL, ntrain, &p->train, err))
            return -1;
    } else if (fill_part(p, rows, ntrain, &p->train, err) || fill_part(p, rows + ntrain, nval, &p->val, err) ||
               fill_part(p, rows + ntrain + nval, ntest, &p->test, err))
        return -1;
    fit_scaler(p);
    if (!identity) {
        apply_scaler(p, p->train.X, p->train.n);
        apply_scaler(p, p->val.X, p->val.n);
        apply_scaler(p, p->test.X, p->test.n);
    }
    return 0;
}

/* How many of n rows the split gives to test and validation (each fraction rounded up). */
static void split_counts(const PrepSpec *spec, size_t n, size_t *ntest, size_t *nval)
{
    *ntest = (size_t)ceil(spec->test * (double)n);
    *nval = (size_t)ceil(spec->val * (double)n);
}

/* The width spec makes of ds: its term count, or ds->d with no term list.  Fails when the terms were made for
 * another number of inputs. */
static int prep_width(const Dataset *ds, const PrepSpec *spec, size_t *d, FbErr *err)
{
    if (!spec->terms) {
        *d = ds->d;
        return 0;
    }
    if (spec->terms->nin != ds->d)
        return fb_fail(err, "the feature terms were made for %zu inputs, the data has %zu (features none starts "
                       "again)", spec->terms->nin, ds->d);
    *d = spec->terms->n;
    return 0;
}

/* A Prepared of d features for ds (refs 1, a reference to ds and to spec's terms) with its names and scaler
 * arrays, owning its parts' arrays when owns.  NULL on out of memory (err set, nothing left to free). */
static Prepared *prep_new(Dataset *ds, const PrepSpec *spec, size_t d, bool owns, FbErr *err)
{
    Prepared *p = fb_calloc(1, sizeof *p, "the prepared data", err);
    if (!p)
        return NULL;
    p->refs = 1;
    p->ds = dataset_ref(ds);
    p->spec = *spec;
    terms_ref(p->spec.terms);
    p->d = d;
    p->ny = ds->ny;
    p->owns_x = p->owns_y = owns;
    p->shift = fb_malloc(d, sizeof(double), "scaler statistics", err);
    p->scale = p->shift ? fb_malloc(d, sizeof(double), "scaler statistics", err) : NULL;
    if (!p->scale || prep_names(p, ds, err)) {
        prep_free(p);
        return NULL;
    }
    return p;
}

int prep_build(Dataset *ds, const PrepSpec *spec, Prepared **out, FbErr *err)
{
    size_t d = 0;
    if (prep_width(ds, spec, &d, err))
        return -1;
    size_t n = ds->n;
    size_t ntest, nval;
    split_counts(spec, n, &ntest, &nval);
    if (spec->val < 0 || spec->test < 0 || ntest + nval >= n)
        return fb_fail(err, "split leaves no training rows (%zu rows, val=%g, test=%g)", n, spec->val, spec->test);

    bool split = ntest + nval > 0;
    bool identity = !split && !spec->terms && spec->scale == SCALE_NONE;
    Prepared *p = prep_new(ds, spec, d, !identity, err);
    if (!p)
        return -1;
    size_t *rows = NULL;
    int rc = -1;
    if (!(rows = row_order(n, split && spec->shuffle, spec->seed, err)))
        goto out;
    if (fill_parts(p, rows, n - nval - ntest, nval, ntest, identity, err))
        goto out;
    rc = 0;
out:
    free(rows);
    if (rc)
        prep_free(p);
    else
        *out = p;
    return rc;
}

size_t *prep_cv_rows(const Dataset *ds, const PrepSpec *spec, size_t *n, FbErr *err)
{
    size_t ntest, nval;
    split_counts(spec, ds->n, &ntest, &nval);
    *n = 0;
    if (spec->val < 0 || spec->test < 0 || ntest >= ds->n) {
        fb_fail(err, "split leaves no rows to cross-validate (%zu rows, test=%g)", ds->n, spec->test);
        return NULL;
    }
    size_t *rows = row_order(ds->n, ntest + nval > 0 && spec->shuffle, spec->seed, err);
    if (rows)
        *n = ds->n - ntest;
    return rows;
}

int prep_build_rows(Dataset *ds, const PrepSpec *spec, const size_t *rows, size_t ntrain, size_t nval,
                    Prepared **out, FbErr *err)
{
    size_t d = 0;
    if (prep_width(ds, spec, &d, err))
        return -1;
    if (ntrain == 0)
        return fb_fail(err, "no training rows");
    Prepared *p = prep_new(ds, spec, d, true, err);
    if (!p)
        return -1;
    int rc = fill_parts(p, rows, ntrain, nval, 0, false, err);
    if (rc)
        prep_free(p);
    else
        *out = p;
    return rc;
}

int prep_transform(const Prepared *p, const double *Xraw, size_t n, double *Xout, FbErr *err)
{
    (void)err;
    const Dataset *ds = p->ds;
    if (p->spec.terms) {
        for (size_t i = 0; i < n; i++)
            terms_expand(p->spec.terms, Xraw + i * ds->d, Xout + i * p->d);
    } else {
        memcpy(Xout, Xraw, n * p->d * sizeof(double));
    }
    apply_scaler(p, Xout, n);
    return 0;
}

void prep_spec_assign(PrepSpec *dst, const PrepSpec *src)
{
    Terms *old = dst->terms;
    *dst = *src;
    terms_ref(dst->terms);
    terms_unref(old);
}

void prep_spec_release(PrepSpec *spec)
{
    terms_unref(spec->terms);
    spec->terms = NULL;
}

static bool same_inputs(const Dataset *a, const Dataset *b)
{
    if (!a || a->d != b->d)
        return false;
    for (size_t j = 0; j < a->d; j++)
        if (strcmp(a->names[j], b->names[j]) != 0)
            return false;
    return true;
}

int prep_spec_for_data(PrepSpec *spec, const Dataset *old, const Dataset *ds, FbErr *err)
{
    if (!spec->terms)
        return 0;
    Terms *t = NULL;
    if (spec->degree > 1) {
        if (!(t = terms_poly(ds->d, spec->degree, err)))
            return -1;
    } else if (same_inputs(old, ds)) {
        return 0;
    }
    terms_unref(spec->terms);
    spec->terms = t;
    if (t)
        return 0;
    spec->degree = 1;
    return 1;
}

long prep_input_column(const Prepared *p, size_t j)
{
    if (!p->spec.terms)
        return j < p->d ? (long)j : -1;
    Term x = {.kind = TERM_MONO, .nf = 1, .in = {(uint32_t)j}, .pow = {1}};
    return terms_find(p->spec.terms, &x);
}

int prep_need_inputs(const Prepared *p, const char *what, FbErr *err)
{
    for (size_t j = 0; j < p->ds->d; j++)
        if (prep_input_column(p, j) < 0)
            return fb_fail(err, "%s draws over the inputs, and the features dropped '%s' (features add %s puts it "
                           "back)", what, p->ds->names[j], p->ds->names[j]);
    return 0;
}
