/* csv_strtab.c — string tables: a column's distinct texts numbered in order of first appearance, then sorted. */
#include "csv_internal.h"

#include <stdlib.h>
#include <string.h>

void strtab_free(StrTab *t)
{
    fb_free_strings(t->str, t->n);
    free(t->slot);
    memset(t, 0, sizeof *t);
}

static uint64_t hash_str(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;   /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
    return h;
}

static int strtab_grow(StrTab *t, FbErr *err)
{
    size_t ns = t->nslot ? t->nslot * 2 : 64;
    uint32_t *slot = fb_calloc(ns, sizeof *slot, "a table of column values", err);
    if (!slot)
        return -1;
    for (size_t i = 0; i < t->n; i++) {
        size_t h = (size_t)hash_str(t->str[i], strlen(t->str[i])) & (ns - 1);
        while (slot[h])
            h = (h + 1) & (ns - 1);
        slot[h] = (uint32_t)i + 1;
    }
    free(t->slot);
    t->slot = slot;
    t->nslot = ns;
    return 0;
}

/* The id of s (length n, NUL-terminated), adding it when new.  -1 on OOM. */
int strtab_id(StrTab *t, const char *s, size_t n, uint32_t *id, FbErr *err)
{
    if ((t->n + 1) * 2 > t->nslot && strtab_grow(t, err))
        return -1;
    size_t h = (size_t)hash_str(s, n) & (t->nslot - 1);
    while (t->slot[h]) {
        const char *o = t->str[t->slot[h] - 1];
        if (strcmp(o, s) == 0) {
            *id = t->slot[h] - 1;
            return 0;
        }
        h = (h + 1) & (t->nslot - 1);
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **str = realloc(t->str, cap * sizeof *str);
        if (!str)
            return fb_oom(err, "a table of column values", cap * sizeof *str);
        t->str = str;
        t->cap = cap;
    }
    char *copy = malloc(n + 1);
    if (!copy)
        return fb_oom(err, "a column value", n + 1);
    memcpy(copy, s, n + 1);
    t->str[t->n] = copy;
    t->slot[h] = (uint32_t)t->n + 1;
    *id = (uint32_t)t->n++;
    return 0;
}

static int cmp_strp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort the table's strings byte-wise; rank[id] becomes each old id's place. */
int strtab_sort(StrTab *t, uint32_t **rank_out, FbErr *err)
{
    char **sorted = fb_malloc(t->n, sizeof *sorted, "sorted values", err);
    uint32_t *rank = fb_malloc(t->n, sizeof *rank, "sorted values", err);
    if (!sorted || !rank) {
        free(sorted);
        free(rank);
        return -1;
    }
    *rank_out = rank;
    if (t->n == 0) {   /* a column with missing cells only */
        free(sorted);
        return 0;
    }
    memcpy(sorted, t->str, t->n * sizeof *sorted);
    qsort(sorted, t->n, sizeof *sorted, cmp_strp);
    /* Ranks via the hash table: each sorted string finds its old id. */
    for (size_t k = 0; k < t->n; k++) {
        size_t h = (size_t)hash_str(sorted[k], strlen(sorted[k])) & (t->nslot - 1);
        while (t->str[t->slot[h] - 1] != sorted[k])
            h = (h + 1) & (t->nslot - 1);
        rank[t->slot[h] - 1] = (uint32_t)k;
    }
    memcpy(t->str, sorted, t->n * sizeof *sorted);   /* the hash slots are stale from here on */
    free(sorted);
    return 0;
}
