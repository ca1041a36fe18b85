/* csv_schema.c — the loader's raw layout (schema.h) kept with the Dataset, so a saved model can read raw rows.
 *
 * Two calls from csv_load: csv_schema_begin before missing cells are filled
 * (it notes the first row where each column has one) and csv_schema_finish
 * once the Dataset is built (vocabularies are sorted by then, and the fill
 * values are read back from the noted rows, so they are bit for bit what
 * load put there).  A column without missing cells gets the fill the same
 * rule gives: its mean (numeric) or its values' frequencies (one-hot). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "csv_schema.h"

int csv_schema_begin(const Loader *L, char sep, RawSchema **out, size_t **miss_row, FbErr *err)
{
    *out = NULL;
    *miss_row = NULL;
    RawSchema *s = schema_new(L->m, err);
    size_t *row = s ? fb_malloc(L->m ? L->m : 1, sizeof *row, "a column layout", err) : NULL;
    if (!row)
        goto fail;
    s->missing = L->opt->missing;
    s->sep = sep;
    s->decimal = L->decimal == ',' ? ',' : '.';
    s->ntargets = L->ny;
    if (!(s->target_order = fb_malloc(L->ny ? L->ny : 1, sizeof *s->target_order, "targets", err)))
        goto fail;
    for (size_t k = 0; k < L->ny; k++)
        s->target_order[k] = L->tg[k].col;
    size_t nid = L->noh + L->ny;
    for (size_t j = 0; j < L->m; j++) {
        static const RawRole roles[] = {[ROLE_DROP] = RAW_DROP, [ROLE_FEATURE] = RAW_FEATURE,
                                        [ROLE_ONEHOT] = RAW_ONEHOT, [ROLE_TARGET] = RAW_TARGET};
        s->col[j].role = roles[L->role[j]];
        if (!(s->col[j].name = fb_strdup(L->colname[j], err)))
            goto fail;
        row[j] = SIZE_MAX;
        size_t k = L->slot[j];
        for (size_t i = 0; i < L->n && row[j] == SIZE_MAX; i++)
            if ((L->role[j] == ROLE_FEATURE && isnan(L->X[i * L->nnum + k])) ||
                (L->role[j] == ROLE_ONEHOT && L->ids[i * nid + k] == UINT32_MAX))
                row[j] = i;
    }
    *out = s;
    *miss_row = row;
    return 0;
fail:
    schema_free(s);
    free(row);
    return -1;
}

/* The fill of feature columns [off, off + w) of ds: read back from row r, or
 * the rule's value when no row was missing (the mean of each 0/1 column is
 * the value's frequency). */
static void fill_values(const Dataset *ds, size_t off, size_t w, size_t r, double *fill)
{
    for (size_t v = 0; v < w; v++) {
        if (r != SIZE_MAX) {
            fill[v] = ds->X[r * ds->d + off + v];
            continue;
        }
        double sum = 0;
        for (size_t i = 0; i < ds->n; i++)
            sum += ds->X[i * ds->d + off + v];
        fill[v] = sum / (double)ds->n;
    }
}

int csv_schema_finish(const Loader *L, Dataset *ds, RawSchema *s, const size_t *miss_row, FbErr *err)
{
    size_t off = 0;
    for (size_t j = 0; j < L->m; j++) {
        RawColumn *col = &s->col[j];
        size_t w = 1;
        if (col->role == RAW_ONEHOT) {
            const StrTab *t = &L->oh[L->slot[j]];
            w = t->n;
            if (!(col->values = fb_calloc(w ? w : 1, sizeof *col->values, "a vocabulary", err)))
                return -1;
            col->nvalues = w;
            for (size_t v = 0; v < w; v++)
                if (!(col->values[v] = fb_strdup(t->str[v], err)))
                    return -1;
        } else if (col->role != RAW_FEATURE) {
            continue;
        }
        if (s->missing == MISSING_MEAN && w) {
            if (!(col->fill = fb_malloc(w, sizeof *col->fill, "fill values", err)))
                return -1;
            fill_values(ds, off, w, miss_row[j], col->fill);
        }
        off += w;
    }
    return 0;
}
