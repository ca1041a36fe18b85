/* prep.c — split rows, expand polynomial features, scale on the training split. */
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

size_t prep_poly_count(size_t d, int degree)
{
    /* sum_{j=1..degree} C(d + j - 1, j) */
    double total = 0, c = 1;
    for (int j = 1; j <= degree; j++) {
        c = c * (double)(d + (size_t)j - 1) / j;
        total += c;
        if (total > PREP_MAX_FEATURES)
            return 0;
    }
    return (size_t)(total + 0.5);
}

/* Monomials in scikit-learn's order: degree by degree, and within a degree
 * the combinations_with_replacement order of the input indices. */
typedef struct Mono {
    int deg;
    size_t idx[PREP_MAX_DEGREE];
} Mono;

static size_t list_monomials(size_t d, int degree, Mono *out)
{
    size_t count = 0;
    for (int deg = 1; deg <= degree; deg++) {
        size_t c[PREP_MAX_DEGREE] = {0};
        for (;;) {
            out[count].deg = deg;
            memcpy(out[count].idx, c, sizeof c);
            count++;
            int pos = deg - 1;
            while (pos >= 0 && c[pos] == d - 1)
                pos--;
            if (pos < 0)
                break;
            c[pos]++;
            for (int q = pos + 1; q < deg; q++)
                c[q] = c[pos];
        }
    }
    return count;
}

static void expand_row(const Mono *m, size_t nm, const double *x, double *out)
{
    for (size_t j = 0; j < nm; j++) {
        double v = 1;
        for (int q = 0; q < m[j].deg; q++)
            v *= x[m[j].idx[q]];
        out[j] = v;
    }
}

static char **mono_names(const Dataset *ds, const Mono *m, size_t nm, FbErr *err)
{
    char **names = fb_calloc(nm, sizeof *names, "feature names", err);
    for (size_t j = 0; names && j < nm; j++) {
        char buf[512];
        size_t len = 0;
        buf[0] = '\0';
        for (int q = 0; q < m[j].deg;) {
            int pw = 1;
            while (q + pw < m[j].deg && m[j].idx[q + pw] == m[j].idx[q])
                pw++;
            const char *nm0 = ds->names[m[j].idx[q]];
            int w = pw > 1 ? snprintf(buf + len, sizeof buf - len, "%s%s^%d", len ? " " : "", nm0, pw)
                           : snprintf(buf + len, sizeof buf - len, "%s%s", len ? " " : "", nm0);
            if (w > 0 && (size_t)w < sizeof buf - len)
                len += (size_t)w;
            q += pw;
        }
        names[j] = fb_strdup(buf, err);
        if (!names[j]) {
            fb_free_strings(names, nm);
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

/* Rows rows[0..n) of the dataset into part, expanded if monomials given. */
static int fill_part(Prepared *p, const size_t *rows, size_t n, const Mono *mono, Part *part, FbErr *err)
{
    const Dataset *ds = p->ds;
    part->n = n;
    if (p->owns_x) {
        part->X = fb_malloc(n * p->d, sizeof(double), "the training data", err);
        if (!part->X)
            return -1;
        for (size_t i = 0; i < n; i++) {
            const double *src = ds->X + rows[i] * ds->d;
            if (mono)
                expand_row(mono, p->d, src, part->X + i * p->d);
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

/* p->names (p->d of them): the dataset's, or for degree > 1 one per polynomial term, whose list goes to
 * *mono (p->d terms; the caller frees).  Fails on out of memory (what was made stays for the caller to
 * free). */
static int prep_names(Prepared *p, const Dataset *ds, int degree, Mono **mono, FbErr *err)
{
    size_t d = p->d;
    if (degree > 1) {
        *mono = fb_malloc(d, sizeof **mono, "the polynomial terms", err);
        if (!*mono)
            return -1;
        list_monomials(ds->d, degree, *mono);
        p->names = mono_names(ds, *mono, d, err);
    } else {
        p->names = fb_calloc(d, sizeof *p->names, "feature names", err);
        for (size_t j = 0; p->names && j < d; j++)
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
static int fill_parts(Prepared *p, const size_t *rows, size_t ntrain, size_t nval, size_t ntest, const Mono *mono,
                      bool identity, FbErr *err)
{
    if (identity) {
        p->train.n = ntrain;
        p->train.X = p->ds->X;
        p->train.Y = p->ds->y;
        if (fill_part(p, NULL, ntrain, NULL, &p->train, err))
            return -1;
    } else if (fill_part(p, rows, ntrain, mono, &p->train, err) ||
               fill_part(p, rows + ntrain, nval, mono, &p->val, err) ||
               fill_part(p, rows + ntrain + nval, ntest, mono, &p->test, err))
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

/* A Prepared of d features for ds (refs 1, a reference to ds) with its names and scaler arrays, owning its parts'
 * arrays when owns; for a degree > 1 the polynomial terms go to *mono (the caller frees).  NULL on out of memory
 * (err set, nothing left to free). */
static Prepared *prep_new(Dataset *ds, const PrepSpec *spec, size_t d, bool owns, Mono **mono, FbErr *err)
{
    Prepared *p = fb_calloc(1, sizeof *p, "the prepared data", err);
    if (!p)
        return NULL;
    p->refs = 1;
    p->ds = dataset_ref(ds);
    p->spec = *spec;
    p->d = d;
    p->ny = ds->ny;
    p->owns_x = p->owns_y = owns;
    p->shift = fb_malloc(d, sizeof(double), "scaler statistics", err);
    p->scale = p->shift ? fb_malloc(d, sizeof(double), "scaler statistics", err) : NULL;
    if (!p->scale || prep_names(p, ds, spec->degree, mono, err)) {
        free(*mono);
        *mono = NULL;
        prep_free(p);
        return NULL;
    }
    return p;
}

int prep_build(Dataset *ds, const PrepSpec *spec, Prepared **out, FbErr *err)
{
    if (spec->degree < 1 || spec->degree > PREP_MAX_DEGREE)
        return fb_fail(err, "degree must be between 1 and %d (got %d)", PREP_MAX_DEGREE, spec->degree);
    size_t d = spec->degree == 1 ? ds->d : prep_poly_count(ds->d, spec->degree);
    if (d == 0)
        return fb_fail(err, "degree %d on %zu features would make more than %d features", spec->degree, ds->d,
                       PREP_MAX_FEATURES);
    size_t n = ds->n;
    size_t ntest, nval;
    split_counts(spec, n, &ntest, &nval);
    if (spec->val < 0 || spec->test < 0 || ntest + nval >= n)
        return fb_fail(err, "split leaves no training rows (%zu rows, val=%g, test=%g)", n, spec->val, spec->test);

    bool split = ntest + nval > 0;
    bool identity = !split && spec->degree == 1 && spec->scale == SCALE_NONE;
    Mono *mono = NULL;
    Prepared *p = prep_new(ds, spec, d, !identity, &mono, err);
    if (!p)
        return -1;
    size_t *rows = NULL;
    int rc = -1;
    if (!(rows = row_order(n, split && spec->shuffle, spec->seed, err)))
        goto out;
    if (fill_parts(p, rows, n - nval - ntest, nval, ntest, mono, identity, err))
        goto out;
    rc = 0;
out:
    free(mono);
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
    size_t d = spec->degree == 1 ? ds->d : prep_poly_count(ds->d, spec->degree);
    if (spec->degree < 1 || spec->degree > PREP_MAX_DEGREE || d == 0)
        return fb_fail(err, "degree %d cannot be expanded on %zu features", spec->degree, ds->d);
    if (ntrain == 0)
        return fb_fail(err, "no training rows");
    Mono *mono = NULL;
    Prepared *p = prep_new(ds, spec, d, true, &mono, err);
    if (!p)
        return -1;
    int rc = fill_parts(p, rows, ntrain, nval, 0, mono, false, err);
    free(mono);
    if (rc)
        prep_free(p);
    else
        *out = p;
    return rc;
}

int prep_transform(const Prepared *p, const double *Xraw, size_t n, double *Xout, FbErr *err)
{
    const Dataset *ds = p->ds;
    if (p->spec.degree > 1) {
        Mono *mono = fb_malloc(p->d, sizeof *mono, "the polynomial terms", err);
        if (!mono)
            return -1;
        list_monomials(ds->d, p->spec.degree, mono);
        for (size_t i = 0; i < n; i++)
            expand_row(mono, p->d, Xraw + i * ds->d, Xout + i * p->d);
        free(mono);
    } else {
        memcpy(Xout, Xraw, n * p->d * sizeof(double));
    }
    apply_scaler(p, Xout, n);
    return 0;
}
