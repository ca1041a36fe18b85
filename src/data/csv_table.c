/* csv_table.c — rows into the loader's tables (cells, missing values, targets), then the Dataset's X, y, classes. */
#include "csv_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum {
    MAX_ONEHOT_VALUES = 10000,   /* more distinct values than this is an id column, not a category */
    MAX_TARGET_INTERN = 4096,    /* distinct numeric target texts remembered in case the column turns out to be text */
};
#define NO_ID UINT32_MAX          /* the id of a missing one-hot cell */

void csv_loader_free(Loader *L)
{
    fb_free_strings(L->colname, L->m);
    free(L->role);
    free(L->slot);
    free(L->had_number);
    free(L->ohcol);
    if (L->oh)
        for (size_t k = 0; k < L->noh; k++)
            strtab_free(&L->oh[k]);
    free(L->oh);
    if (L->tg)
        for (size_t k = 0; k < L->ny; k++) {
            strtab_free(&L->tg[k].tab);
            free(L->tg[k].nonfinite_cell);
        }
    free(L->tg);
    free(L->X);
    free(L->Y);
    free(L->ids);
    free(L->nmiss);
    free(L->ohmiss);
}

static int grow_rows(Loader *L, FbErr *err)
{
    size_t nid = L->noh + L->ny;
    /* The first block holds 1024 rows, fewer when they are wide (8 MiB at
     * most): a short file of 300000 columns must not ask for 2.3 GiB. */
    size_t first = ((size_t)8 << 20) / ((L->nnum + nid + 1) * sizeof(double));
    size_t cap = L->cap ? L->cap * 2 : first < 1 ? 1 : first < 1024 ? first : 1024;
    if (cap > SIZE_MAX / sizeof(double) / (L->nnum + nid + 1))
        return fb_fail(err, "%s: too many rows", L->path);
    double *X = realloc(L->X, cap * L->nnum * sizeof *X + 1);
    if (!X)
        return fb_oom(err, "the feature table", cap * L->nnum * sizeof *X);
    L->X = X;
    double *Y = realloc(L->Y, cap * L->ny * sizeof *Y);
    if (!Y)
        return fb_oom(err, "the target table", cap * L->ny * sizeof *Y);
    L->Y = Y;
    uint32_t *ids = realloc(L->ids, cap * nid * sizeof *ids + 1);
    if (!ids)
        return fb_oom(err, "the text columns", cap * nid * sizeof *ids);
    L->ids = ids;
    L->cap = cap;
    return 0;
}

static int missing_error(const Loader *L, const Record *r, size_t j, FbErr *err)
{
    const char *s = csv_field(r, j);
    if (L->role[j] == ROLE_TARGET && L->opt->missing == MISSING_MEAN)
        return fb_fail(err, "%s: row %lu, column '%s': the target is missing (missing=mean fills "
                       "features only; missing=drop leaves such rows out)",
                       L->path, r->line[j], L->colname[j]);
    if (s[0] == '\0')
        return fb_fail(err, "%s: row %lu, column '%s': missing value (empty cell); use missing=drop or "
                       "missing=mean", L->path, r->line[j], L->colname[j]);
    return fb_fail(err, "%s: row %lu, column '%s': missing value '%s'; use missing=drop or missing=mean",
                   L->path, r->line[j], L->colname[j], s);
}

/* A cell that is not a number but looks like one (thousands separators, the
 * other decimal mark): -1 with a message saying so; 0 when it does not. */
static int not_a_number_hint(const Loader *L, const Record *r, size_t j, FbErr *err)
{
    const char *s = csv_field(r, j);
    const char *hint = csv_number_hint(s, r->len[j], L->decimal, L->opt->decimal == 0);
    if (!hint)
        return 0;
    char qb[48];
    return fb_fail(err, "%s: row %lu, column '%s': '%s' is not a number: %s", L->path, r->line[j], L->colname[j],
                   csv_quote_cell(s, qb, sizeof qb), hint);
}

/* Append one data record to the table (or drop it under missing=drop). */
/* missing=drop: does row r have an empty kept cell?  (Looked at first, so a dropped row leaves no trace in
 * the value tables.) */
static bool row_has_missing(const Loader *L, const Record *r)
{
    for (size_t j = 0; j < L->m; j++) {
        if (L->role[j] == ROLE_DROP)
            continue;
        double v;
        if (csv_parse_cell_dec(csv_field(r, j), r->len[j], L->decimal, &v) == 0)
            return true;
    }
    return false;
}

/* Cell j of r, of the given kind (csv_parse_cell_dec: 0 empty, < 0 text, > 0 the number v), into the
 * feature slot *x: empty is NaN (counted, filled later), text or a non-finite number fails. */
static int add_feature(Loader *L, const Record *r, size_t j, int kind, double v, double *x, FbErr *err)
{
    const char *s = csv_field(r, j);
    char qb[48];
    if (kind == 0) {
        *x = NAN;
        L->nmiss[L->slot[j]]++;
    } else if (kind < 0) {
        if (not_a_number_hint(L, r, j, err))
            return -1;
        if (L->had_number[j])
            return fb_fail(err, "%s: row %lu, column '%s': '%s' is not a number", L->path, r->line[j],
                           L->colname[j], csv_quote_cell(s, qb, sizeof qb));
        return fb_fail(err, "%s: row %lu, column '%s': '%s' is not a number (for a text column use "
                       "onehot=%s to expand it into 0/1 columns, or drop=%s)", L->path, r->line[j],
                       L->colname[j], csv_quote_cell(s, qb, sizeof qb), L->colname[j], L->colname[j]);
    } else if (!isfinite(v)) {
        return fb_fail(err, "%s: row %lu, column '%s': '%s' is not a finite number", L->path,
                       r->line[j], L->colname[j], csv_quote_cell(s, qb, sizeof qb));
    } else {
        *x = v;
        L->had_number[j] = true;
    }
    return 0;
}

/* Cell j of r into the one-hot slot *id: its value's number (NO_ID when empty).  Fails past
 * MAX_ONEHOT_VALUES distinct values, or on out of memory. */
static int add_onehot(Loader *L, const Record *r, size_t j, int kind, uint32_t *id, FbErr *err)
{
    size_t k = L->slot[j];
    if (kind == 0) {
        *id = NO_ID;
        L->ohmiss[k]++;
        return 0;
    }
    if (strtab_id(&L->oh[k], csv_field(r, j), r->len[j], id, err))
        return -1;
    if (L->oh[k].n > MAX_ONEHOT_VALUES)
        return fb_fail(err, "%s: column '%s' has more than %d distinct values, too many to "
                       "one-hot encode (drop=%s?)", L->path, L->colname[j], MAX_ONEHOT_VALUES,
                       L->colname[j]);
    return 0;
}

/* Cell j of r (not empty) into the target slot *y (NaN for text) and, while the target's values are
 * remembered as possible classes, their number into *id.  Fails on text after numbers, a number written so
 * it is not read, or out of memory. */
static int add_target(Loader *L, const Record *r, size_t j, int kind, double v, double *y, uint32_t *id,
                      FbErr *err)
{
    Target *t = &L->tg[L->slot[j]];
    const char *s = csv_field(r, j);
    char qb[48];
    *y = kind > 0 ? v : NAN;
    if (kind < 0 && not_a_number_hint(L, r, j, err))
        return -1;   /* a number written so it is not read is refused, not taken for a class */
    if (kind < 0 && !t->interning)
        return fb_fail(err, "%s: row %lu, column '%s': '%s' is not a number (the target has numbers "
                       "in earlier rows)", L->path, r->line[j], L->colname[j],
                       csv_quote_cell(s, qb, sizeof qb));
    if (kind < 0)
        t->text = true;
    if (kind > 0 && !isfinite(v) && !t->nonfinite_cell) {
        t->nonfinite_line = r->line[j];
        if (!(t->nonfinite_cell = fb_strdup(csv_quote_cell(s, qb, sizeof qb), err)))
            return -1;
    }
    if (t->interning) {
        if (strtab_id(&t->tab, s, r->len[j], id, err))
            return -1;
        /* Many distinct numbers: a regression target; stop remembering texts. */
        if (!t->text && t->tab.n > MAX_TARGET_INTERN) {
            strtab_free(&t->tab);
            t->interning = false;
        }
    }
    return 0;
}

int csv_add_row(Loader *L, const Record *r, FbErr *err)
{
    if (r->nf != L->m)
        return fb_fail(err, "%s: row %lu has %zu field%s, expected %zu", L->path, r->line0, r->nf,
                       r->nf == 1 ? "" : "s", L->m);
    if (L->opt->missing == MISSING_DROP && row_has_missing(L, r)) {
        L->dropped++;
        return 0;
    }
    if (L->n == L->cap && grow_rows(L, err))
        return -1;
    double *x = L->X + L->n * L->nnum;
    double *y = L->Y + L->n * L->ny;
    uint32_t *ids = L->ids + L->n * (L->noh + L->ny);
    for (size_t j = 0; j < L->m; j++) {
        int role = L->role[j];
        if (role == ROLE_DROP)
            continue;
        size_t k = L->slot[j];
        double v = 0;
        int kind = csv_parse_cell_dec(csv_field(r, j), r->len[j], L->decimal, &v);
        if (role == ROLE_ONEHOT && kind != 0)
            kind = 2;   /* any text is a category, numbers included */
        if (kind == 0 && (L->opt->missing == MISSING_ERROR || role == ROLE_TARGET))
            return missing_error(L, r, j, err);
        int rc = role == ROLE_FEATURE  ? add_feature(L, r, j, kind, v, &x[k], err)
                 : role == ROLE_ONEHOT ? add_onehot(L, r, j, kind, &ids[k], err)
                                       : add_target(L, r, j, kind, v, &y[k], &ids[L->noh + k], err);
        if (rc)
            return -1;
    }
    L->n++;
    return 0;
}

int csv_fill_means(Loader *L, FbErr *err)
{
    for (size_t j = 0; j < L->m; j++) {
        if (L->role[j] != ROLE_FEATURE || L->nmiss[L->slot[j]] == 0)
            continue;
        size_t k = L->slot[j];
        if (L->nmiss[k] == L->n)
            return fb_fail(err, "%s: column '%s' has no values to take the mean of (drop=%s?)", L->path,
                           L->colname[j], L->colname[j]);
        double sum = 0;
        for (size_t i = 0; i < L->n; i++) {
            double v = L->X[i * L->nnum + k];
            if (!isnan(v))
                sum += v;
        }
        double mean = sum / (double)(L->n - L->nmiss[k]);
        for (size_t i = 0; i < L->n; i++)
            if (isnan(L->X[i * L->nnum + k]))
                L->X[i * L->nnum + k] = mean;
    }
    return 0;
}

static char *join_name(const char *col, const char *value, FbErr *err)
{
    size_t a = strlen(col), b = strlen(value);
    char *s = fb_malloc(a + b + 2, 1, "a column name", err);
    if (s) {
        memcpy(s, col, a);
        s[a] = '=';
        memcpy(s + a + 1, value, b + 1);
    }
    return s;
}

/* Build the final (n, d) feature table and its names: numeric columns and
 * one-hot expansions in file order. */
/* ds->names (d of them) in table order: a feature column's name, or a one-hot column's "col=value" per
 * value in sorted order.  Fails on out of memory (the names made so far stay in ds, for dataset_unref). */
static int feature_names(const Loader *L, Dataset *ds, size_t d, FbErr *err)
{
    if (!(ds->names = fb_calloc(d, sizeof *ds->names, "feature names", err)))
        return -1;
    ds->d = d;
    size_t c = 0;
    for (size_t j = 0; j < L->m; j++) {
        if (L->role[j] == ROLE_FEATURE) {
            if (!(ds->names[c++] = fb_strdup(L->colname[j], err)))
                return -1;
        } else if (L->role[j] == ROLE_ONEHOT) {
            const StrTab *t = &L->oh[L->slot[j]];
            for (size_t v = 0; v < t->n; v++)
                if (!(ds->names[c++] = join_name(L->colname[j], t->str[v], err)))
                    return -1;
        }
    }
    return 0;
}

/* X (n, d) from the loader's numbers and one-hot ids: each one-hot column becomes its values' 0/1 columns
 * (rank[k] maps a value's id to its sorted place). */
static void expand_onehot(const Loader *L, double *X, size_t d, uint32_t *const *rank)
{
    size_t nid = L->noh + L->ny;
    for (size_t i = 0; i < L->n; i++) {
        double *dst = X + i * d;
        const double *src = L->X + i * L->nnum;
        const uint32_t *ids = L->ids + i * nid;
        for (size_t j = 0; j < L->m; j++) {
            if (L->role[j] == ROLE_FEATURE) {
                *dst++ = src[L->slot[j]];
            } else if (L->role[j] == ROLE_ONEHOT) {
                size_t k = L->slot[j], kv = L->oh[k].n;
                memset(dst, 0, kv * sizeof *dst);
                if (ids[k] != NO_ID)
                    dst[rank[k][ids[k]]] = 1.0;
                dst += kv;
            }
        }
    }
}

/* missing=mean for one-hot cells: each 0/1 column's mean is the value's frequency, written into the rows of
 * X (n, d) whose cell was empty.  Fails when a column has no value at all, or on out of memory. */
static int onehot_means(const Loader *L, double *X, size_t d, uint32_t *const *rank, FbErr *err)
{
    size_t nid = L->noh + L->ny;
    for (size_t k = 0; k < L->noh; k++) {
        if (!L->ohmiss[k])
            continue;
        size_t kv = L->oh[k].n;
        if (kv == 0)
            return fb_fail(err, "%s: column '%s' has no values to take the mean of", L->path,
                           L->colname[L->ohcol[k]]);
        size_t *count = fb_calloc(kv, sizeof *count, "value counts", err);
        if (!count)
            return -1;
        for (size_t i = 0; i < L->n; i++) {
            uint32_t id = L->ids[i * nid + k];
            if (id != NO_ID)
                count[rank[k][id]]++;
        }
        /* Column offset of this expansion in the final table. */
        size_t off = 0;
        for (size_t j = 0; j < L->ohcol[k]; j++)
            off += L->role[j] == ROLE_FEATURE ? 1 : L->role[j] == ROLE_ONEHOT ? L->oh[L->slot[j]].n : 0;
        double present = (double)(L->n - L->ohmiss[k]);
        for (size_t i = 0; i < L->n; i++)
            if (L->ids[i * nid + k] == NO_ID)
                for (size_t v = 0; v < kv; v++)
                    X[i * d + off + v] = (double)count[v] / present;
        free(count);
    }
    return 0;
}

int csv_build_features(Loader *L, Dataset *ds, FbErr *err)
{
    uint32_t **rank = fb_calloc(L->noh ? L->noh : 1, sizeof *rank, "one-hot columns", err);
    if (!rank)
        return -1;
    int rc = -1;
    size_t d = L->nnum;
    for (size_t k = 0; k < L->noh; k++) {
        if (strtab_sort(&L->oh[k], &rank[k], err))
            goto out;
        d += L->oh[k].n;
    }
    if (feature_names(L, ds, d, err))
        goto out;
    if (L->noh == 0) {
        /* The row buffer is the table: shrink it to the exact size. */
        double *X = realloc(L->X, L->n * L->nnum * sizeof *X + 1);
        ds->X = X ? X : L->X;
        L->X = NULL;
        rc = 0;
        goto out;
    }
    if (d && L->n > SIZE_MAX / sizeof(double) / d) {
        fb_fail(err, "%s: the one-hot table (%zu x %zu) is too large", L->path, L->n, d);
        goto out;
    }
    if (!(ds->X = fb_malloc(L->n * d, sizeof *ds->X, "the feature table", err)))
        goto out;
    expand_onehot(L, ds->X, d, rank);
    rc = onehot_means(L, ds->X, d, rank, err);
out:
    for (size_t k = 0; k < L->noh; k++)
        free(rank[k]);
    free(rank);
    return rc;
}

int csv_build_targets(Loader *L, Dataset *ds, FbErr *err)
{
    if (!(ds->ynames = fb_calloc(L->ny, sizeof *ds->ynames, "target names", err)))
        return -1;
    ds->ny = L->ny;
    for (size_t k = 0; k < L->ny; k++)
        if (!(ds->ynames[k] = fb_strdup(L->colname[L->tg[k].col], err)))
            return -1;
    bool text = false;
    for (size_t k = 0; k < L->ny; k++) {
        Target *t = &L->tg[k];
        if (t->text && L->ny > 1)
            return fb_fail(err, "%s: target column '%s' holds text; several targets must all be numeric",
                           L->path, L->colname[t->col]);
        if (!t->text && t->nonfinite_cell)
            return fb_fail(err, "%s: row %lu, column '%s': '%s' is not a finite number", L->path,
                           t->nonfinite_line, L->colname[t->col], t->nonfinite_cell);
        text |= t->text;
    }
    double *y = realloc(L->Y, L->n * L->ny * sizeof *y + 1);
    ds->y = y ? y : L->Y;
    L->Y = NULL;
    if (!text)
        return dataset_set_classes(ds, 0, err);

    Target *t = &L->tg[0];
    if (t->tab.n < 2)
        return fb_fail(err, "%s: the target '%s' has a single class ('%s'); nothing to learn", L->path,
                       L->colname[t->col], t->tab.str[0]);
    uint32_t *rank;
    if (strtab_sort(&t->tab, &rank, err))
        return -1;
    size_t nid = L->noh + L->ny;
    for (size_t i = 0; i < L->n; i++)
        ds->y[i] = (double)rank[L->ids[i * nid + L->noh]];
    free(rank);
    /* The sorted strings move to the dataset. */
    ds->class_names = t->tab.str;
    ds->nclasses = t->tab.n;
    t->tab.str = NULL;
    t->tab.n = 0;
    return dataset_set_classes(ds, 1, err);
}
