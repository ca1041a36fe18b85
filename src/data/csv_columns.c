/* csv_columns.c — the loader's columns: header guess, names, and target=/drop=/onehot= roles. */
#include "csv_internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fitbench/strutil.h"

/* " (did you mean 'b'? ...)" or " (... the columns are 'a', 'b', ...)" after "no column 'x'". */
static void column_hint(const Loader *L, const char *word, char *buf, size_t size)
{
    const char *s = fb_suggest(word, (const char *const *)L->colname);
    for (size_t j = 0; j < L->m && !s; j++)   /* "medv" for "MEDV": a case slip */
        if (strcasecmp(word, L->colname[j]) == 0)
            s = L->colname[j];
    const char *how = "columns can be named, or given by 0-based index";
    if (s) {
        snprintf(buf, size, " (did you mean '%s'? %s 0..%zu)", s, how, L->m - 1);
        return;
    }
    size_t used = (size_t)snprintf(buf, size, " (%s 0..%zu; the columns are", how, L->m - 1);
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

/* Find one item of a target=/drop=/onehot= list: a column name, else a
 * 0-based index (negative counts from the end).  -1 when neither, with a
 * message only when err is not NULL. */
static int find_column(const Loader *L, const char *what, const char *item, size_t *col, FbErr *err)
{
    for (size_t j = 0; j < L->m; j++)
        if (strcmp(L->colname[j], item) == 0) {
            *col = j;
            return 0;
        }
    long idx;
    if (fb_parse_long(item, &idx)) {
        long m = (long)L->m;
        if (idx >= -m && idx < m) {
            *col = (size_t)(idx < 0 ? idx + m : idx);
            return 0;
        }
        if (!err)
            return -1;
        return fb_fail(err, "%s: %s=%s: column index out of range (the file has %zu columns, 0..%zu, or -%zu..-1 "
                       "from the end)", L->path, what, item, L->m, L->m - 1, L->m);
    }
    if (!err)
        return -1;
    char hint[700];
    column_hint(L, item, hint, sizeof hint);
    return fb_fail(err, "%s: %s=%s: no column '%s'%s", L->path, what, item, item, hint);
}

typedef int (*ItemFn)(Loader *, const char *, size_t, FbErr *);

/* The next item of a list at *pp into item (size bytes): quotes ('...' or
 * "...", a backslash escaping the next character inside "...") group text
 * and are removed, so a comma or blank inside them is part of the name;
 * unquoted blanks around the item are dropped.  *pp moves past the item and
 * its comma (to NULL after the last item); *quoted_comma says whether a comma
 * came from inside quotes.  The item's length, or -1 when it does not fit. */
static long next_item(const char **pp, char *item, size_t size, bool *quoted_comma)
{
    const char *p = *pp;
    size_t o = 0, keep = 0;
    *quoted_comma = false;
    while (*p == ' ' || *p == '\t')
        p++;
    for (; *p && *p != ','; p++) {
        if (*p == '"' || *p == '\'') {
            char q = *p++;
            for (; *p && *p != q; p++) {
                if (q == '"' && *p == '\\' && p[1])
                    p++;
                if (o + 1 >= size)
                    return -1;
                *quoted_comma |= *p == ',';
                item[o++] = *p;
            }
            keep = o;
            if (!*p)
                break;
            continue;
        }
        if (o + 1 >= size)
            return -1;
        item[o++] = *p;
    }
    while (o > keep && (item[o - 1] == ' ' || item[o - 1] == '\t'))
        o--;
    item[o] = '\0';
    *pp = *p == ',' ? p + 1 : NULL;
    return (long)o;
}

/* A quoted item that names no column but whose comma-separated parts all do
 * (`drop="a,b"`): those columns.  1 when it was, 0 when not, -1 on error. */
static int split_quoted(Loader *L, const char *what, const char *item, ItemFn fn, FbErr *err)
{
    size_t cols[64], n = 0;
    char part[512];
    for (const char *p = item; p;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        while (len && (*p == ' ' || *p == '\t'))
            p++, len--;
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len == 0 || len >= sizeof part || n == sizeof cols / sizeof *cols)
            return 0;
        memcpy(part, p, len);
        part[len] = '\0';
        if (find_column(L, what, part, &cols[n++], NULL))
            return 0;
        p = e ? e + 1 : NULL;
    }
    for (size_t k = 0; k < n; k++)
        if (fn(L, what, cols[k], err))
            return -1;
    return 1;
}

/* Call fn for each item of list (next_item's syntax) with its column. */
static int each_item(Loader *L, const char *what, const char *list, ItemFn fn, FbErr *err)
{
    char item[512];
    for (const char *p = list; p;) {
        bool quoted_comma;
        long n = next_item(&p, item, sizeof item, &quoted_comma);
        if (n < 0)
            return fb_fail(err, "%s: %s=: a column name is too long", L->path, what);
        if (n == 0)
            return fb_fail(err, "%s: %s= has an empty column name in '%s'", L->path, what, list);
        size_t col = 0;
        if (find_column(L, what, item, &col, NULL) == 0) {
            if (fn(L, what, col, err))
                return -1;
            continue;
        }
        int split = quoted_comma ? split_quoted(L, what, item, fn, err) : 0;
        if (split < 0)
            return -1;
        if (split == 0)
            return find_column(L, what, item, &col, err);
    }
    return 0;
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

/* Name the columns whose header cell is empty (all of them without a
 * header): x<j> by their 0-based position, or, when the header uses that name
 * for another column, x<j>_2, x<j>_3, ... -- the first one nobody has.  The
 * header's own names go into a string table first, so this is linear. */
static int auto_names(Loader *L, const Record *hdr, bool header, FbErr *err)
{
    StrTab taken = {0};
    int rc = -1;
    uint32_t id;
    for (size_t j = 0; header && j < L->m; j++)
        if (hdr->len[j] && strtab_id(&taken, csv_field(hdr, j), hdr->len[j], &id, err))
            goto out;
    for (size_t j = 0; j < L->m; j++) {
        if (header && hdr->len[j])
            continue;
        char buf[48];
        int n = snprintf(buf, sizeof buf, "x%zu", j);
        for (unsigned k = 2;; k++) {
            size_t before = taken.n;
            if (strtab_id(&taken, buf, (size_t)n, &id, err))
                goto out;
            if (taken.n > before)   /* new: nobody has it */
                break;
            n = snprintf(buf, sizeof buf, "x%zu_%u", j, k);
        }
        if (!(L->colname[j] = fb_strdup(buf, err)))
            goto out;
    }
    rc = 0;
out:
    strtab_free(&taken);
    return rc;
}

/* Names from the header record (or x0.. without one), checked for duplicates. */
int csv_set_names(Loader *L, const Record *hdr, bool header, FbErr *err)
{
    L->m = hdr->nf;
    /* One more, NULL, so the list can go to fb_suggest. */
    if (!(L->colname = fb_calloc(L->m + 1, sizeof *L->colname, "column names", err)))
        return -1;
    for (size_t j = 0; header && j < L->m; j++)
        if (hdr->len[j] && !(L->colname[j] = fb_strdup(csv_field(hdr, j), err)))
            return -1;
    if (auto_names(L, hdr, header, err))
        return -1;
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
bool csv_looks_like_header(const Record *a, const Record *b, char dec)
{
    for (size_t j = 0; j < a->nf; j++) {
        double v;
        if (csv_parse_cell_dec(csv_field(a, j), a->len[j], dec, &v) >= 0)
            continue;
        if (!b)
            return true;
        if (j < b->nf && csv_parse_cell_dec(csv_field(b, j), b->len[j], dec, &v) > 0)
            return true;
    }
    return false;
}

