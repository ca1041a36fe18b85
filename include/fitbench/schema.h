/* schema.h — the raw layout of a CSV: its columns in file order, their roles, one-hot vocabularies and missing-value fills, and turning a raw row into a feature row. */
#ifndef FITBENCH_SCHEMA_H
#define FITBENCH_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "fitbench/csv.h"
#include "fitbench/dataset.h"
#include "fitbench/err.h"

typedef enum { RAW_FEATURE, RAW_ONEHOT, RAW_TARGET, RAW_DROP } RawRole;

/* One column of the raw file. */
typedef struct RawColumn {
    char *name;
    RawRole role;
    size_t nvalues;   /* RAW_ONEHOT: the vocabulary, sorted byte-wise; feature j of it is "name=value" */
    char **values;    /* nvalues strings */
    double *fill;     /* missing=mean: the value(s) a missing cell becomes (1 for a feature, nvalues for
                       * a one-hot column); NULL otherwise */
} RawColumn;

/* How the rows of a file become a Dataset row: the encoded features are the
 * RAW_FEATURE columns (one each) and the RAW_ONEHOT columns (nvalues each),
 * in file order; the targets are the RAW_TARGET columns in the order
 * target= named them (target_order).  Owns everything (schema_free). */
typedef struct RawSchema {
    size_t ncols;
    RawColumn *col;         /* ncols, file order */
    size_t ntargets;
    size_t *target_order;   /* ntargets file column indices */
    MissingMode missing;    /* the load's missing= rule */
    char sep;               /* the file's separator */
    char decimal;           /* its decimal mark, '.' or ',' (as load read it, detected or given) */
} RawSchema;

/* An empty schema of ncols columns (names NULL, role RAW_FEATURE).  NULL on
 * out of memory (err filled). */
RawSchema *schema_new(size_t ncols, FbErr *err);
void schema_free(RawSchema *s);                            /* NULL-safe */
RawSchema *schema_copy(const RawSchema *s, FbErr *err);    /* deep copy; NULL on out of memory */

/* The schema of a table without a raw file (gen data): each feature a numeric
 * column, then the targets; missing=error.  NULL on out of memory. */
RawSchema *schema_from_dataset(const Dataset *ds, FbErr *err);

/* Encoded feature count, and the name of encoded feature j ("city=Paris")
 * written into buf (cut short to size). */
size_t schema_features(const RawSchema *s);
const char *schema_feature_name(const RawSchema *s, size_t j, char *buf, size_t size);

/* Is the schema well formed (names set and distinct, one-hot vocabularies
 * sorted, distinct and non-empty, at least one feature, fills finite)?
 * NULL when it is, else a message written into buf. */
const char *schema_invalid(const RawSchema *s, char *buf, size_t size);

/* Where each raw column is in a row to be predicted: pos[c] is the index of
 * column c among the row's cells, or SIZE_MAX when the row leaves it out.
 * From a header record (names, ncells) when header is not NULL: every cell
 * must name a column, each once, and every feature and one-hot column must be
 * there.  Else by count: ncells == ncols (all columns, as in the file) or
 * ncols - ntargets (no target columns).  Sets *with_target when all target
 * columns are there.  Fails with a message saying what the row should hold. */
int schema_layout(const RawSchema *s, const char *const *header, size_t ncells, size_t *pos, bool *with_target,
                  FbErr *err);

/* Is this record a header for s: does every cell name a column of s? */
bool schema_is_header(const RawSchema *s, const char *const *cells, size_t ncells);

/* Encode one raw row (cells[i], NUL-terminated, as the CSV reader gives them)
 * into x (schema_features(s)): numbers parsed exactly as `load` parses them,
 * one-hot columns to 0/1, missing cells filled under missing=mean.  tcell
 * (ntargets) gets each target cell's text, NULL when the layout has none.
 * Fails, naming the column and the value, on a missing cell the rule does not
 * fill, a non-numeric or non-finite number, or an unknown category. */
int schema_encode(const RawSchema *s, const char *const *cells, const size_t *pos, double *x, const char **tcell,
                  FbErr *err);

#endif
