/* csv_schema.h — csv_load's two calls that keep the file's raw layout with the Dataset (csv_schema.c). */
#ifndef FITBENCH_CSV_SCHEMA_H
#define FITBENCH_CSV_SCHEMA_H

#include "csv_internal.h"
#include "fitbench/schema.h"

/* Before missing cells are filled: the columns, roles and targets of L, and
 * (*miss_row, L->m entries, caller frees) the first row where each column
 * has a missing cell.  -1 on out of memory (nothing returned). */
int csv_schema_begin(const Loader *L, char sep, RawSchema **out, size_t **miss_row, FbErr *err);

/* Once ds is built: the sorted vocabularies and, under missing=mean, the
 * fill values.  -1 on out of memory (s then belongs to the caller still). */
int csv_schema_finish(const Loader *L, Dataset *ds, RawSchema *s, const size_t *miss_row, FbErr *err);

#endif
