/* folds.c — k-fold cross-validation folds (folds.h). */
#include "fitbench/folds.h"

#include <stdlib.h>
#include <string.h>

static void kfold(size_t n, int k, int *fold_of)
{
    size_t base = n / (size_t)k, extra = n % (size_t)k, i = 0;
    for (int f = 0; f < k; f++)
        for (size_t len = base + ((size_t)f < extra); len > 0; len--)
            fold_of[i++] = f;
}

/* Classes renumbered in order of first appearance (enc, n), their counts (count, nclasses) and how many there
 * are.  Fails on a label out of range. */
static int encode(const int *labels, size_t n, size_t nclasses, int *enc, size_t *count, size_t *ncl, FbErr *err)
{
    int *map = malloc(nclasses * sizeof *map);
    if (!map)
        return fb_fail(err, "out of memory for the folds");
    for (size_t c = 0; c < nclasses; c++)
        map[c] = -1;
    *ncl = 0;
    for (size_t i = 0; i < n; i++) {
        if (labels[i] < 0 || (size_t)labels[i] >= nclasses) {
            free(map);
            return fb_fail(err, "row %zu has class %d, outside 0..%zu", i + 1, labels[i], nclasses - 1);
        }
        if (map[labels[i]] < 0)
            map[labels[i]] = (int)(*ncl)++;
        enc[i] = map[labels[i]];
        count[enc[i]]++;
    }
    free(map);
    return 0;
}

/* alloc (k, ncl): how many rows of each class fold f gets: the rows sorted by class, dealt round-robin
 * (numpy: bincount(y_order[f::k])). */
static void allocate(const size_t *count, size_t ncl, int k, size_t *alloc)
{
    size_t pos = 0;
    for (size_t c = 0; c < ncl; c++)
        for (size_t j = 0; j < count[c]; j++, pos++)
            alloc[(pos % (size_t)k) * ncl + c]++;
}

static int stratified(size_t n, int k, const int *labels, size_t nclasses, int *fold_of, FbErr *err)
{
    int *enc = malloc((n ? n : 1) * sizeof *enc);
    size_t *count = calloc(nclasses ? nclasses : 1, sizeof *count);
    size_t *alloc = calloc((size_t)k * (nclasses ? nclasses : 1), sizeof *alloc);
    size_t ncl = 0;
    int rc = -1;
    if (!enc || !count || !alloc) {
        fb_fail(err, "out of memory for the folds");
        goto out;
    }
    if (encode(labels, n, nclasses, enc, count, &ncl, err))
        goto out;
    for (size_t c = 0; c < ncl; c++)
        if (count[c] < (size_t)k) {
            fb_fail(err, "stratify=yes needs at least k=%d rows of every class; one class has %zu (use a smaller k, "
                         "or stratify=no)", k, count[c]);
            goto out;
        }
    allocate(count, ncl, k, alloc);
    for (size_t c = 0; c < ncl; c++) {
        int f = 0;
        size_t left = alloc[c];
        for (size_t i = 0; i < n; i++) {
            if ((size_t)enc[i] != c)
                continue;
            while (left == 0)
                left = alloc[(size_t)++f * ncl + c];
            fold_of[i] = f;
            left--;
        }
    }
    rc = 0;
out:
    free(enc);
    free(count);
    free(alloc);
    return rc;
}

int folds_assign(size_t n, int k, const int *labels, size_t nclasses, int *fold_of, FbErr *err)
{
    if (k < 2 || k > FOLDS_MAX)
        return fb_fail(err, "k must be between 2 and %d (got %d)", FOLDS_MAX, k);
    if ((size_t)k > n)
        return fb_fail(err, "k=%d folds need at least %d rows; there are %zu", k, k, n);
    if (!labels) {
        kfold(n, k, fold_of);
        return 0;
    }
    return stratified(n, k, labels, nclasses, fold_of, err);
}
