/* dataset.c — the Dataset table: creation, reference counting, classes and task. */
#include "fitbench/dataset.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/schema.h"
#include "fitbench/strutil.h"

/* A numeric target is read as classes only with this many distinct values at
 * most (digits has 10; a 0..100 score is a regression target). */
enum { MAX_NUMERIC_CLASSES = 20 };

static char **numbered_names(const char *prefix, size_t n, FbErr *err)
{
    char **v = fb_calloc(n, sizeof *v, "column names", err);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char buf[48];
        snprintf(buf, sizeof buf, "%s%zu", prefix, i);
        if (!(v[i] = fb_strdup(buf, err))) {
            fb_free_strings(v, n);
            return NULL;
        }
    }
    return v;
}

Dataset *dataset_new(size_t n, size_t d, size_t ny, FbErr *err)
{
    Dataset *ds = fb_calloc(1, sizeof *ds, "a dataset", err);
    if (!ds)
        return NULL;
    ds->refs = 1;
    ds->n = n;
    ds->d = d;
    ds->ny = ny;
    ds->task = TASK_REGRESSION;
    if (d && n > (size_t)-1 / d) {
        fb_fail(err, "out of memory: a %zu x %zu table is too large", n, d);
        goto fail;
    }
    if (ny && n > (size_t)-1 / ny) {
        fb_fail(err, "out of memory: a %zu x %zu target table is too large", n, ny);
        goto fail;
    }
    if (!(ds->X = fb_calloc(n * d, sizeof *ds->X, "the feature table", err)))
        goto fail;
    if (!(ds->y = fb_calloc(n * ny, sizeof *ds->y, "the target table", err)))
        goto fail;
    if (!(ds->names = numbered_names("x", d, err)))
        goto fail;
    if (ny == 1) {
        if (!(ds->ynames = fb_calloc(1, sizeof *ds->ynames, "target names", err)) ||
            !(ds->ynames[0] = fb_strdup("y", err)))
            goto fail;
    } else if (!(ds->ynames = numbered_names("y", ny, err))) {
        goto fail;
    }
    return ds;
fail:
    dataset_unref(ds);
    return NULL;
}

Dataset *dataset_ref(Dataset *ds)
{
    if (ds)
        ds->refs++;
    return ds;
}

/* Frees whatever is there, so it also cleans up a half-built dataset (the
 * loaders rely on that; string arrays may hold NULL entries). */
void dataset_unref(Dataset *ds)
{
    if (!ds || --ds->refs > 0)
        return;
    free(ds->X);
    free(ds->y);
    fb_free_strings(ds->names, ds->d);
    fb_free_strings(ds->ynames, ds->ny);
    fb_free_strings(ds->class_names, ds->nclasses);
    free(ds->class_values);
    free(ds->label);
    free(ds->source);
    schema_free(ds->schema);
    free(ds);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The task a class count implies. */
static Task task_for(size_t nclasses)
{
    if (nclasses == 2)
        return TASK_BINARY;
    if (nclasses > 2)
        return TASK_MULTICLASS;
    return TASK_REGRESSION;
}

/* Index of v in the sorted vals[0..k), which holds it. */
static size_t find_value(const double *vals, size_t k, double v)
{
    size_t lo = 0, hi = k;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (vals[mid] <= v)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static int string_classes(Dataset *ds, FbErr *err)
{
    free(ds->label);
    ds->label = NULL;
    free(ds->class_values);
    ds->class_values = NULL;
    if (ds->nclasses == 0) {
        ds->task = TASK_REGRESSION;
        return 0;
    }
    if (!(ds->label = fb_malloc(ds->n, sizeof *ds->label, "class labels", err)))
        return -1;
    for (size_t i = 0; i < ds->n; i++)
        ds->label[i] = (int)ds->y[i];
    ds->task = task_for(ds->nclasses);
    return 0;
}

int dataset_set_classes(Dataset *ds, int string_target, FbErr *err)
{
    if (string_target)
        return string_classes(ds, err);

    /* Start from "no classes" so a failure below leaves a consistent dataset. */
    fb_free_strings(ds->class_names, ds->nclasses);
    ds->class_names = NULL;
    free(ds->class_values);
    ds->class_values = NULL;
    free(ds->label);
    ds->label = NULL;
    ds->nclasses = 0;
    ds->task = TASK_REGRESSION;
    if (ds->ny != 1)
        return 0;

    /* Collect up to MAX+1 distinct values; stop early at the first value that
     * rules classes out, so a regression target costs one pass at most. */
    double vals[MAX_NUMERIC_CLASSES + 1];
    size_t k = 0;
    for (size_t i = 0; i < ds->n; i++) {
        double v = ds->y[i];
        if (!isfinite(v) || floor(v) != v)
            return 0;
        size_t j = 0;
        while (j < k && vals[j] != v)
            j++;
        if (j == k) {
            if (k == MAX_NUMERIC_CLASSES)
                return 0;
            vals[k++] = v;
        }
    }
    if (k < 2)
        return 0;
    qsort(vals, k, sizeof *vals, cmp_double);

    double *cv = fb_malloc(k, sizeof *cv, "class values", err);
    char **cn = fb_calloc(k, sizeof *cn, "class names", err);
    int *label = fb_malloc(ds->n, sizeof *label, "class labels", err);
    if (!cv || !cn || !label)
        goto fail;
    for (size_t c = 0; c < k; c++) {
        char buf[64];
        cv[c] = vals[c];
        if (!(cn[c] = fb_strdup(fb_fmt(buf, sizeof buf, vals[c], 17), err)))
            goto fail;
    }
    for (size_t i = 0; i < ds->n; i++)
        label[i] = (int)find_value(vals, k, ds->y[i]);
    ds->nclasses = k;
    ds->class_names = cn;
    ds->class_values = cv;
    ds->label = label;
    ds->task = task_for(k);
    return 0;
fail:
    free(cv);
    fb_free_strings(cn, cn ? k : 0);
    free(label);
    return -1;
}

long dataset_column(const Dataset *ds, const char *name)
{
    for (size_t j = 0; j < ds->d; j++)
        if (ds->names[j] && strcmp(ds->names[j], name) == 0)
            return (long)j;
    return -1;
}

const char *task_name(Task t)
{
    switch (t) {
    case TASK_REGRESSION:
        return "regression";
    case TASK_BINARY:
        return "binary classification";
    case TASK_MULTICLASS:
        return "multiclass classification";
    }
    return "unknown task";
}
