/* csv_columns.c — the loader's columns: header guess, names, and target=/drop=/onehot= roles. */
#include "csv_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fitbench/strutil.h"

/* ", or choose among: a, b, c" style hint listing the first columns. */
static void column_hint(const Loader *L, const char *word, char *buf, size_t size)
{
    const char *s = fb_suggest(word, (const char *const *)L->colname);
    for (size_t j = 0; j < L->m && !s; j++)   /* "medv" for "MEDV": a case slip */
        if (strcasecmp(word, L->colname[j]) == 0)
            s = L->colname[j];
    if (s) {
        snprintf(buf, size, " (did you mean '%s'?)", s);
        return;
    }
    size_t used = (size_t)snprintf(buf, size, " (the columns are");
    for (size_t j = 0; j < L->m && used < size; j++) {
        if (j == 8) {
            used += (size_t)snprintf(buf + used, size - used, ", ... %zu in all", L->m);
            break;
        }
        used += (size_t)snprintf(buf + used, size - used, "%s '%s'", j ? "," : "", L->colname[j]);
    }
    if (used < size)
        snprintf(buf + used, size - used, ")");
}

/* Resolve one item of a target=/drop=/onehot= list: a column name, else a
 * 0-based index (negative counts from the end). */
static int resolve_column(const Loader *L, const char *what, const char *item, size_t *col, FbErr *err)
{
    for (size_t j = 0; j < L->m; j++)
        if (strcmp(L->colname[j], item) == 0) {
            *col = j;
            return 0;
        }
    long idx;
    if (fb_parse_long(item, &idx)) {
        long m = (long)L->m;
        if (idx < -m || idx >= m)
            return fb_fail(err, "%s: %s=%s: column index out of range (the file has %zu columns, 0..%zu)",
                           L->path, what, item, L->m, L->m - 1);
        *col = (size_t)(idx < 0 ? idx + m : idx);
        return 0;
    }
    char hint[600];
    column_hint(L, item, hint, sizeof hint);
    return fb_fail(err, "%s: %s=%s: no column '%s'%s", L->path, what, item, item, hint);
}

/* Call fn for each comma-separated item of list (blanks around items trimmed). */
static int each_item(Loader *L, const char *what, const char *list,
                     int (*fn)(Loader *, const char *, size_t, FbErr *), FbErr *err)
{
    char item[512];
    const char *p = list;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t')) {
            p++;
            n--;
        }
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        if (n == 0)
            return fb_fail(err, "%s: %s= has an empty column name in '%s'", L->path, what, list);
        if (n >= sizeof item)
            return fb_fail(err, "%s: %s=: a column name is too long", L->path, what);
        memcpy(item, p, n);
        item[n] = '\0';
        size_t col = 0;
        if (resolve_column(L, what, item, &col, err) || fn(L, what, col, err))
            return -1;
        if (!e)
            return 0;
        p = e + 1;
    }
}

static const char *role_name(int role)
{
    return role == ROLE_TARGET ? "target" : role == ROLE_DROP ? "drop" : "onehot";
}

static int set_role(Loader *L, const char *what, size_t col, int role, FbErr *err)
{
    if (L->role[col] == role)
        return fb_fail(err, "%s: column '%s' is named twice in %s=", L->path, L->colname[col], what);
    if (L->role[col] != ROLE_FEATURE)
        return fb_fail(err, "%s: column '%s' cannot be both %s and %s", L->path, L->colname[col],
                       role_name(L->role[col]), what);
    L->role[col] = role;
    return 0;
}

static int add_target(Loader *L, const char *what, size_t col, FbErr *err)
{
    if (set_role(L, what, col, ROLE_TARGET, err))
        return -1;
    L->slot[col] = L->ny;
    L->tg[L->ny].col = col;
    L->tg[L->ny].interning = true;
    L->ny++;
    return 0;
}

static int add_drop(Loader *L, const char *what, size_t col, FbErr *err)
{
    return set_role(L, what, col, ROLE_DROP, err);
}

static int add_onehot(Loader *L, const char *what, size_t col, FbErr *err)
{
    return set_role(L, what, col, ROLE_ONEHOT, err);
}

static int cmp_name_idx(const void *a, const void *b, void *names)
{
    char **nm = names;
    return strcmp(nm[*(const size_t *)a], nm[*(const size_t *)b]);
}

/* Names from the header record (or x0.. without one), checked for duplicates. */
int csv_set_names(Loader *L, const Record *hdr, bool header, FbErr *err)
{
    L->m = hdr->nf;
    /* One more, NULL, so the list can go to fb_suggest. */
    if (!(L->colname = fb_calloc(L->m + 1, sizeof *L->colname, "column names", err)))
        return -1;
    for (size_t j = 0; j < L->m; j++) {
        char buf[32];
        const char *s = csv_field(hdr, j);
        if (!header || s[0] == '\0') {
            snprintf(buf, sizeof buf, "x%zu", j);
            s = buf;
        }
        if (!(L->colname[j] = fb_strdup(s, err)))
            return -1;
    }
    size_t *idx = fb_malloc(L->m, sizeof *idx, "column names", err);
    if (!idx)
        return -1;
    for (size_t j = 0; j < L->m; j++)
        idx[j] = j;
    qsort_r(idx, L->m, sizeof *idx, cmp_name_idx, L->colname);
    for (size_t k = 1; k < L->m; k++)
        if (strcmp(L->colname[idx[k - 1]], L->colname[idx[k]]) == 0) {
            size_t a = idx[k - 1] < idx[k] ? idx[k - 1] : idx[k];
            size_t b = idx[k - 1] < idx[k] ? idx[k] : idx[k - 1];
            fb_fail(err, "%s: duplicate column name '%s' (columns %zu and %zu)", L->path,
                    L->colname[a], a + 1, b + 1);
            free(idx);
            return -1;
        }
    free(idx);
    return 0;
}

/* Count the targets in a list so Target storage can be sized first. */
static size_t count_items(const char *list)
{
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    return n;
}

int csv_assign_roles(Loader *L, FbErr *err)
{
    const CsvOptions *o = L->opt;
    L->role = fb_malloc(L->m, sizeof *L->role, "column roles", err);
    L->slot = fb_calloc(L->m, sizeof *L->slot, "column roles", err);
    L->had_number = fb_calloc(L->m, sizeof *L->had_number, "column roles", err);
    size_t maxt = o->target ? count_items(o->target) : 1;
    L->tg = fb_calloc(maxt, sizeof *L->tg, "targets", err);
    if (!L->role || !L->slot || !L->had_number || !L->tg)
        return -1;
    for (size_t j = 0; j < L->m; j++)
        L->role[j] = ROLE_FEATURE;
    if (o->target) {
        if (each_item(L, "target", o->target, add_target, err))
            return -1;
    } else if (add_target(L, "target", L->m - 1, err)) {
        return -1;
    }
    if (o->drop && *o->drop && each_item(L, "drop", o->drop, add_drop, err))
        return -1;
    if (o->onehot && *o->onehot && each_item(L, "onehot", o->onehot, add_onehot, err))
        return -1;

    for (size_t j = 0; j < L->m; j++) {
        if (L->role[j] == ROLE_FEATURE)
            L->slot[j] = L->nnum++;
        else if (L->role[j] == ROLE_ONEHOT)
            L->slot[j] = L->noh++;
    }
    if (L->nnum + L->noh == 0)
        return fb_fail(err, "%s: no feature column left (%zu column%s: %zu target, the rest dropped)",
                       L->path, L->m, L->m == 1 ? "" : "s", L->ny);
    L->ohcol = fb_calloc(L->noh, sizeof *L->ohcol, "one-hot columns", err);
    L->oh = fb_calloc(L->noh, sizeof *L->oh, "one-hot columns", err);
    L->ohmiss = fb_calloc(L->noh, sizeof *L->ohmiss, "one-hot columns", err);
    L->nmiss = fb_calloc(L->nnum, sizeof *L->nmiss, "missing counts", err);
    if (!L->ohcol || !L->oh || !L->ohmiss || !L->nmiss)
        return -1;
    for (size_t j = 0; j < L->m; j++)
        if (L->role[j] == ROLE_ONEHOT)
            L->ohcol[L->slot[j]] = j;
    return 0;
}

/* HEADER_AUTO: a header when some column is non-numeric in row 1 and numeric
 * in row 2 (missing cells count as neither).  With one record only: a header
 * when some cell is text. */
bool csv_looks_like_header(const Record *a, const Record *b)
{
    for (size_t j = 0; j < a->nf; j++) {
        double v;
        if (csv_parse_cell(csv_field(a, j), a->len[j], &v) >= 0)
            continue;
        if (!b)
            return true;
        if (j < b->nf && csv_parse_cell(csv_field(b, j), b->len[j], &v) > 0)
            return true;
    }
    return false;
}

