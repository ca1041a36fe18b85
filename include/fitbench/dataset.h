/* dataset.h — a loaded table: features, target(s), column names and the task they imply. */
#ifndef FITBENCH_DATASET_H
#define FITBENCH_DATASET_H

#include <stddef.h>

#include "fitbench/err.h"

typedef enum { TASK_REGRESSION, TASK_BINARY, TASK_MULTICLASS } Task;

/* Immutable once built, and shared by reference between session snapshots
 * (undo, compare): take a reference with dataset_ref, drop it with
 * dataset_unref; the last unref frees everything below.
 *
 * Classes: a string target always gives classes (sorted byte-wise, numbered
 * from 0).  A single numeric target whose values are all integers with 2 to
 * 20 distinct values can also be read as classes (digits, 0/1 labels); then
 * class_values holds the sorted distinct values.  `task` is the natural
 * reading: classes when the target is strings or such integers, else
 * regression. */
typedef struct Dataset {
    int refs;
    size_t n;              /* rows */
    size_t d;              /* feature columns */
    size_t ny;             /* target columns (1 unless several were named) */
    double *X;             /* (n, d) row-major */
    double *y;             /* (n, ny) row-major: the value; for string targets the class index */
    char **names;          /* d feature names */
    char **ynames;         /* ny target names */
    size_t nclasses;       /* 0 when the target cannot be read as classes */
    char **class_names;    /* nclasses names, in class order */
    double *class_values;  /* nclasses numeric values for numeric targets, NULL for string targets */
    int *label;            /* (n) class index of each row, NULL when nclasses == 0 */
    Task task;
    char *source;          /* a path, or the gen command that made it */
    struct RawSchema *schema; /* the raw CSV layout it was loaded from (schema.h), NULL for generated data */
} Dataset;

/* An empty dataset of n rows, d features and ny targets with refs = 1, X and y
 * zeroed, names set to "x0".."x{d-1}" and "y" / "y0".."y{ny-1}".
 * Fails (NULL, err filled) on out of memory. */
Dataset *dataset_new(size_t n, size_t d, size_t ny, FbErr *err);

Dataset *dataset_ref(Dataset *ds);   /* returns ds; NULL-safe */
void dataset_unref(Dataset *ds);     /* NULL-safe */

/* Work out classes and task from y (for numeric targets, per the rule above)
 * and fill nclasses, class_names, class_values, label and task.  For string
 * targets the loader fills class_names itself and calls this with y already
 * holding indices and `string_target` set.  Fails on out of memory. */
int dataset_set_classes(Dataset *ds, int string_target, FbErr *err);

/* Index of the feature column called `name`, or -1. */
long dataset_column(const Dataset *ds, const char *name);

const char *task_name(Task t);       /* "regression", "binary classification", ... */

#endif
