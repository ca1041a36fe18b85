/* schema.c — a CSV's raw layout, and raw rows encoded as `load` encodes them. */
#include "fitbench/schema.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_internal.h"
#include "fitbench/strutil.h"

RawSchema *schema_new(size_t ncols, FbErr *err)
{
    RawSchema *s = fb_calloc(1, sizeof *s, "a column layout", err);
    if (!s)
        return NULL;
    s->sep = ',';
    s->decimal = '.';
    s->ncols = ncols;
    if (!(s->col = fb_calloc(ncols ? ncols : 1, sizeof *s->col, "a column layout", err))) {
        free(s);
        return NULL;
    }
    return s;
}

void schema_free(RawSchema *s)
{
    if (!s)
        return;
    for (size_t c = 0; c < s->ncols; c++) {
        RawColumn *col = &s->col[c];
        free(col->name);
        for (size_t v = 0; col->values && v < col->nvalues; v++)
            free(col->values[v]);
        free(col->values);
        free(col->fill);
    }
    free(s->col);
    free(s->target_order);
    free(s);
}

static int copy_column(RawColumn *dst, const RawColumn *src, FbErr *err)
{
    dst->role = src->role;
    if (!(dst->name = fb_strdup(src->name, err)))
        return -1;
    if (src->values) {
        if (!(dst->values = fb_calloc(src->nvalues ? src->nvalues : 1, sizeof *dst->values, "a vocabulary", err)))
            return -1;
        dst->nvalues = src->nvalues;
        for (size_t v = 0; v < src->nvalues; v++)
            if (!(dst->values[v] = fb_strdup(src->values[v], err)))
                return -1;
    }
    if (src->fill) {
        size_t n = src->role == RAW_ONEHOT ? src->nvalues : 1;
        if (!(dst->fill = fb_malloc(n, sizeof *dst->fill, "fill values", err)))
            return -1;
        memcpy(dst->fill, src->fill, n * sizeof *dst->fill);
    }
    return 0;
}

RawSchema *schema_copy(const RawSchema *s, FbErr *err)
{
    RawSchema *d = schema_new(s->ncols, err);
    if (!d)
        return NULL;
    d->missing = s->missing;
    d->sep = s->sep;
    d->decimal = s->decimal;
    d->ntargets = s->ntargets;
    if (!(d->target_order = fb_malloc(s->ntargets ? s->ntargets : 1, sizeof *d->target_order, "targets", err)))
        goto fail;
    memcpy(d->target_order, s->target_order, s->ntargets * sizeof *d->target_order);
    for (size_t c = 0; c < s->ncols; c++)
        if (copy_column(&d->col[c], &s->col[c], err))
            goto fail;
    return d;
fail:
    schema_free(d);
    return NULL;
}

RawSchema *schema_from_dataset(const Dataset *ds, FbErr *err)
{
    RawSchema *s = schema_new(ds->d + ds->ny, err);
    if (!s)
        return NULL;
    s->missing = MISSING_ERROR;
    s->ntargets = ds->ny;
    if (!(s->target_order = fb_malloc(ds->ny ? ds->ny : 1, sizeof *s->target_order, "targets", err)))
        goto fail;
    for (size_t j = 0; j < ds->d; j++)
        if (!(s->col[j].name = fb_strdup(ds->names[j], err)))
            goto fail;
    for (size_t k = 0; k < ds->ny; k++) {
        s->col[ds->d + k].role = RAW_TARGET;
        s->target_order[k] = ds->d + k;
        if (!(s->col[ds->d + k].name = fb_strdup(ds->ynames[k], err)))
            goto fail;
    }
    return s;
fail:
    schema_free(s);
    return NULL;
}

size_t schema_features(const RawSchema *s)
{
    size_t d = 0;
    for (size_t c = 0; c < s->ncols; c++)
        d += s->col[c].role == RAW_FEATURE ? 1 : s->col[c].role == RAW_ONEHOT ? s->col[c].nvalues : 0;
    return d;
}

const char *schema_feature_name(const RawSchema *s, size_t j, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t c = 0; c < s->ncols; c++) {
        const RawColumn *col = &s->col[c];
        if (col->role == RAW_FEATURE) {
            if (j-- == 0) {
                snprintf(buf, size, "%s", col->name);
                break;
            }
        } else if (col->role == RAW_ONEHOT) {
            if (j < col->nvalues) {
                snprintf(buf, size, "%s=%s", col->name, col->values[j]);
                break;
            }
            j -= col->nvalues;
        }
    }
    return buf;
}

const char *schema_invalid(const RawSchema *s, char *buf, size_t size)
{
    size_t nt = 0;
    for (size_t c = 0; c < s->ncols; c++) {
        const RawColumn *col = &s->col[c];
        nt += col->role == RAW_TARGET;
        for (size_t e = 0; e < c; e++)
            if (strcmp(s->col[e].name, col->name) == 0) {
                snprintf(buf, size, "column '%s' is named twice", col->name);
                return buf;
            }
        if (col->role == RAW_ONEHOT) {
            if (col->nvalues == 0) {
                snprintf(buf, size, "one-hot column '%s' has no values", col->name);
                return buf;
            }
            for (size_t v = 1; v < col->nvalues; v++)
                if (strcmp(col->values[v - 1], col->values[v]) >= 0) {
                    snprintf(buf, size, "the values of one-hot column '%s' are not sorted and distinct ('%s')",
                             col->name, col->values[v]);
                    return buf;
                }
        }
        size_t nf = col->role == RAW_ONEHOT ? col->nvalues : 1;
        for (size_t v = 0; col->fill && v < nf; v++)
            if (!isfinite(col->fill[v])) {
                snprintf(buf, size, "column '%s' has a non-finite fill value", col->name);
                return buf;
            }
    }
    if (nt != s->ntargets) {
        snprintf(buf, size, "%zu target columns listed, %zu marked", s->ntargets, nt);
        return buf;
    }
    for (size_t k = 0; k < s->ntargets; k++)
        if (s->target_order[k] >= s->ncols || s->col[s->target_order[k]].role != RAW_TARGET) {
            snprintf(buf, size, "target %zu is not a target column", k + 1);
            return buf;
        }
    if (schema_features(s) == 0) {
        snprintf(buf, size, "no feature column");
        return buf;
    }
    return NULL;
}

static long column_named(const RawSchema *s, const char *name)
{
    for (size_t c = 0; c < s->ncols; c++)
        if (strcmp(s->col[c].name, name) == 0)
            return (long)c;
    return -1;
}

bool schema_is_header(const RawSchema *s, const char *const *cells, size_t ncells)
{
    for (size_t i = 0; i < ncells; i++)
        if (column_named(s, cells[i]) < 0)
            return false;
    return ncells > 0;
}

/* "a, b, c" or "a, b, ... (12 in all)": the columns a row is expected to hold. */
static void list_columns(const RawSchema *s, bool targets, char *buf, size_t size)
{
    size_t used = 0, shown = 0, all = 0;
    buf[0] = '\0';
    for (size_t c = 0; c < s->ncols; c++) {
        if (!targets && s->col[c].role == RAW_TARGET)
            continue;
        all++;
        if (shown < 8 && used < size) {
            used += (size_t)snprintf(buf + used, size - used, "%s%s", shown ? "," : "", s->col[c].name);
            shown++;
        }
    }
    if (shown < all && used < size)
        snprintf(buf + used, size - used, ",... (%zu in all)", all);
}

int schema_layout(const RawSchema *s, const char *const *header, size_t ncells, size_t *pos, bool *with_target,
                  FbErr *err)
{
    for (size_t c = 0; c < s->ncols; c++)
        pos[c] = SIZE_MAX;
    if (header) {
        for (size_t i = 0; i < ncells; i++) {
            long c = column_named(s, header[i]);
            if (c < 0)
                return fb_fail(err, "the header names a column '%s' the model does not know", header[i]);
            if (pos[c] != SIZE_MAX)
                return fb_fail(err, "the header names column '%s' twice", header[i]);
            pos[c] = i;
        }
        for (size_t c = 0; c < s->ncols; c++)
            if (pos[c] == SIZE_MAX && (s->col[c].role == RAW_FEATURE || s->col[c].role == RAW_ONEHOT))
                return fb_fail(err, "the header has no column '%s', which the model needs", s->col[c].name);
    } else if (ncells == s->ncols || (s->ntargets && ncells == s->ncols - s->ntargets)) {
        bool all = ncells == s->ncols;
        for (size_t c = 0, i = 0; c < s->ncols; c++)
            if (all || s->col[c].role != RAW_TARGET)
                pos[c] = i++;
    } else {
        char with[400], without[400];
        list_columns(s, true, with, sizeof with);
        list_columns(s, false, without, sizeof without);
        if (s->ntargets)
            return fb_fail(err, "a row has %zu value%s; the model reads %zu (%s) or %zu without the target (%s)",
                           ncells, ncells == 1 ? "" : "s", s->ncols, with, s->ncols - s->ntargets, without);
        return fb_fail(err, "a row has %zu value%s; the model reads %zu (%s)", ncells, ncells == 1 ? "" : "s",
                       s->ncols, with);
    }
    *with_target = s->ntargets > 0;
    for (size_t k = 0; k < s->ntargets; k++)
        *with_target = *with_target && pos[s->target_order[k]] != SIZE_MAX;
    return 0;
}

/* "Paris, Rome, ... (12 in all)" */
static void list_values(const RawColumn *col, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t v = 0; v < col->nvalues && v < 8 && used < size; v++)
        used += (size_t)snprintf(buf + used, size - used, "%s'%s'", v ? ", " : "", col->values[v]);
    if (col->nvalues > 8 && used < size)
        snprintf(buf + used, size - used, ", ... (%zu in all)", col->nvalues);
}

static int missing_cell(const RawSchema *s, const RawColumn *col, double *x, FbErr *err)
{
    if (!col->fill)
        return fb_fail(err, "column '%s': missing value (the model was trained with missing=%s, which fills nothing)",
                       col->name, s->missing == MISSING_DROP ? "drop" : "error");
    memcpy(x, col->fill, (col->role == RAW_ONEHOT ? col->nvalues : 1) * sizeof *x);
    return 0;
}

/* Binary search of the sorted vocabulary; -1 when absent. */
static long value_index(const RawColumn *col, const char *v)
{
    size_t lo = 0, hi = col->nvalues;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(col->values[mid], v);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

int schema_encode(const RawSchema *s, const char *const *cells, const size_t *pos, double *x, const char **tcell,
                  FbErr *err)
{
    size_t j = 0;
    char qb[48], vb[600];
    for (size_t c = 0; c < s->ncols; c++) {
        const RawColumn *col = &s->col[c];
        const char *cell = pos[c] == SIZE_MAX ? NULL : cells[pos[c]];
        if (col->role == RAW_DROP || col->role == RAW_TARGET)
            continue;
        size_t width = col->role == RAW_ONEHOT ? col->nvalues : 1;
        double v = 0;
        int kind = csv_parse_cell_dec(cell, strlen(cell), s->decimal, &v);
        if (kind == 0) {
            if (missing_cell(s, col, x + j, err))
                return -1;
        } else if (col->role == RAW_ONEHOT) {
            long idx = value_index(col, cell);
            if (idx < 0) {
                list_values(col, vb, sizeof vb);
                return fb_fail(err, "column '%s': unknown value '%s' (the model knows %s)", col->name,
                               csv_quote_cell(cell, qb, sizeof qb), vb);
            }
            memset(x + j, 0, width * sizeof *x);
            x[j + (size_t)idx] = 1.0;
        } else if (kind < 0) {
            return fb_fail(err, "column '%s': '%s' is not a number", col->name, csv_quote_cell(cell, qb, sizeof qb));
        } else if (!isfinite(v)) {
            return fb_fail(err, "column '%s': '%s' is not a finite number", col->name,
                           csv_quote_cell(cell, qb, sizeof qb));
        } else {
            x[j] = v;
        }
        j += width;
    }
    for (size_t k = 0; k < s->ntargets; k++) {
        size_t p = pos[s->target_order[k]];
        tcell[k] = p == SIZE_MAX ? NULL : cells[p];
    }
    return 0;
}
