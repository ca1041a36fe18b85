/* csv.c — streaming CSV/TSV loader: RFC 4180 records, header and separator detection, column roles.
 *
 * How a file is read:
 * - fread in CHUNK-byte pieces; a record's fields are unescaped into one
 *   growable text buffer, so a field may be as long as memory allows (a record
 *   over MAX_RECORD bytes fails cleanly) and numeric cells cost no malloc.
 * - RFC 4180 quoting ("a,b", "say ""hi""", newlines inside quotes); records
 *   end at LF, CRLF or a lone CR; a UTF-8 BOM is skipped.  Lenient where the
 *   RFC is silent: blanks around unquoted fields and around quotes are
 *   trimmed (quoted text keeps its blanks), text after a closing quote is kept.
 * - Blank lines are skipped anywhere (as pandas does), so trailing empty lines
 *   never make a row.
 * - "row N" in messages is the line the cell (or record) starts on, counted
 *   as a text editor does: header and blank lines included, and a newline
 *   inside quotes starts a new line.
 * - Missing cells are "", NA, N/A, NaN, nan, null, ? and anything else that
 *   parses as NaN.
 * - Without a header, columns are named x0, x1, ... by their 0-based position
 *   in the file, which is also what target=/drop= indices count.
 * - A plain table of numbers (no quotes anywhere) is parsed by several threads
 *   at once, each over its own byte range (see "the parallel fast path").
 */
#include "fitbench/csv.h"
#include "fitbench/par.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cblas.h>

#include "fitbench/strutil.h"

enum {
    CHUNK = 1 << 20,             /* bytes per fread */
    MAX_ONEHOT_VALUES = 10000,   /* more distinct values than this is an id column, not a category */
    MAX_TARGET_INTERN = 4096,    /* distinct numeric target texts remembered in case the column turns out to be text */
};
#define MAX_RECORD ((size_t)1 << 30)
#define NO_ID UINT32_MAX          /* the id of a missing one-hot cell */

/* ---------------------------------------------------------------- records */

/* One parsed record: fields unescaped into text, each NUL-terminated. */
typedef struct Record {
    char *text;
    size_t tlen, tcap;
    size_t *off, *len;        /* nf field offsets into text and lengths */
    unsigned long *line;      /* line each field starts on */
    unsigned char *quoted;    /* 1 when the field was quoted */
    size_t nf, fcap;
    unsigned long line0;      /* line the record starts on */
} Record;

typedef struct Reader {
    FILE *f;
    const char *path;
    char *buf;                /* CHUNK bytes */
    size_t len, pos;
    long long base;           /* file offset of buf[0] */
    bool eof;
    char sep;
    bool trim_tab;            /* tabs are blanks unless they separate */
    unsigned long line;       /* 1-based line at pos */
    bool pending_cr;          /* last record ended in CR: a following LF belongs to it */
} Reader;

static void record_free(Record *r)
{
    free(r->text);
    free(r->off);
    free(r->len);
    free(r->line);
    free(r->quoted);
}

static const char *field(const Record *r, size_t j)
{
    return r->text + r->off[j];
}

static int rec_append(Reader *rd, Record *r, const char *s, size_t n, FbErr *err)
{
    if (r->tlen + n + 1 > r->tcap) {
        if (r->tlen + n + 1 > MAX_RECORD)
            return fb_fail(err, "%s: row %lu is longer than 1 GiB", rd->path, r->line0);
        size_t cap = r->tcap ? r->tcap : 256;
        while (cap < r->tlen + n + 1)
            cap *= 2;
        char *t = realloc(r->text, cap);
        if (!t)
            return fb_oom(err, "a CSV record", cap);
        r->text = t;
        r->tcap = cap;
    }
    memcpy(r->text + r->tlen, s, n);
    r->tlen += n;
    return 0;
}

static int begin_field(Reader *rd, Record *r, FbErr *err)
{
    if (r->nf == r->fcap) {
        size_t cap = r->fcap ? r->fcap * 2 : 32;
        size_t *off = realloc(r->off, cap * sizeof *off);
        if (off)
            r->off = off;
        size_t *len = realloc(r->len, cap * sizeof *len);
        if (len)
            r->len = len;
        unsigned long *line = realloc(r->line, cap * sizeof *line);
        if (line)
            r->line = line;
        unsigned char *q = realloc(r->quoted, cap);
        if (q)
            r->quoted = q;
        if (!off || !len || !line || !q)
            return fb_oom(err, "CSV fields", cap * 32);
        r->fcap = cap;
    }
    r->off[r->nf] = r->tlen;
    r->len[r->nf] = 0;
    r->line[r->nf] = rd->line;
    r->quoted[r->nf] = 0;
    r->nf++;
    return 0;
}

static bool is_blank(const Reader *rd, char c)
{
    return c == ' ' || (c == '\t' && rd->trim_tab);
}

static int end_field(Reader *rd, Record *r, FbErr *err)
{
    size_t j = r->nf - 1;
    size_t n = r->tlen - r->off[j];
    if (!r->quoted[j])
        while (n > 0 && is_blank(rd, r->text[r->off[j] + n - 1]))
            n--;
    r->len[j] = n;
    r->tlen = r->off[j] + n;
    return rec_append(rd, r, "", 1, err);   /* the terminating NUL */
}

static int refill(Reader *rd, FbErr *err)
{
    if (rd->eof) {
        rd->len = rd->pos = 0;
        return 0;
    }
    rd->base += (long long)rd->len;
    rd->len = fread(rd->buf, 1, CHUNK, rd->f);
    rd->pos = 0;
    if (rd->len == 0) {
        if (ferror(rd->f))
            return fb_fail(err, "%s: %s", rd->path, strerror(errno ? errno : EIO));
        rd->eof = true;
    }
    return 0;
}

enum { ST_START, ST_UNQUOTED, ST_QUOTED, ST_AFTER_QUOTE };

/* Read the next non-blank record into r.  Returns 1 with a record, 0 at the
 * end of the file, -1 on error (unclosed quote, NUL byte, read error, OOM). */
static int read_record(Reader *rd, Record *r, FbErr *err)
{
    for (;;) {
        r->tlen = 0;
        r->nf = 0;
        int st = ST_START;
        bool started = false;
        unsigned long quote_line = 0;
        for (;;) {
            if (rd->pos == rd->len) {
                if (refill(rd, err))
                    return -1;
                if (rd->len == 0) {
                    if (st == ST_QUOTED)
                        return fb_fail(err, "%s: row %lu: unclosed quote", rd->path, quote_line);
                    if (!started)
                        return 0;
                    if (end_field(rd, r, err))
                        return -1;
                    break;
                }
            }
            char c = rd->buf[rd->pos];
            if (c == '\0')
                return fb_fail(err, "%s: row %lu: NUL byte (is this a binary file, or UTF-16?)",
                               rd->path, rd->line);
            if (!started) {
                bool cr = rd->pending_cr;
                rd->pending_cr = false;
                if (c == '\n' || c == '\r') {    /* a blank line, or the LF of a CRLF */
                    rd->pos++;
                    if (!(cr && c == '\n'))
                        rd->line++;
                    rd->pending_cr = c == '\r';
                    continue;
                }
                started = true;
                r->line0 = rd->line;
                if (begin_field(rd, r, err))
                    return -1;
            }
            if (st == ST_START) {
                if (is_blank(rd, c)) {
                    rd->pos++;
                } else if (c == '"') {
                    rd->pos++;
                    r->quoted[r->nf - 1] = 1;
                    quote_line = rd->line;
                    st = ST_QUOTED;
                } else {
                    st = ST_UNQUOTED;
                }
                continue;
            }
            if (st == ST_UNQUOTED) {
                /* Fast path: copy the run up to the next separator or line end. */
                const char *b = rd->buf;
                size_t s = rd->pos, e = s;
                char sep = rd->sep;
                while (e < rd->len && b[e] != sep && b[e] != '\n' && b[e] != '\r' && b[e] != '\0')
                    e++;
                if (rec_append(rd, r, b + s, e - s, err))
                    return -1;
                rd->pos = e;
                if (e == rd->len || b[e] == '\0')
                    continue;
                rd->pos++;
                if (b[e] == sep) {
                    if (end_field(rd, r, err) || begin_field(rd, r, err))
                        return -1;
                    st = ST_START;
                    continue;
                }
                rd->line++;
                rd->pending_cr = b[e] == '\r';
                if (end_field(rd, r, err))
                    return -1;
                break;
            }
            if (st == ST_QUOTED) {
                const char *b = rd->buf;
                size_t s = rd->pos, e = s;
                while (e < rd->len && b[e] != '"' && b[e] != '\0') {
                    if (b[e] == '\n')
                        rd->line++;
                    e++;
                }
                if (rec_append(rd, r, b + s, e - s, err))
                    return -1;
                rd->pos = e;
                if (e < rd->len && b[e] == '"') {
                    rd->pos++;
                    st = ST_AFTER_QUOTE;
                }
                continue;
            }
            /* ST_AFTER_QUOTE: a closing quote, or the first of a doubled one. */
            rd->pos++;
            if (c == '"') {
                if (rec_append(rd, r, "\"", 1, err))
                    return -1;
                st = ST_QUOTED;
            } else if (c == rd->sep) {
                if (end_field(rd, r, err) || begin_field(rd, r, err))
                    return -1;
                st = ST_START;
            } else if (c == '\n' || c == '\r') {
                rd->line++;
                rd->pending_cr = c == '\r';
                if (end_field(rd, r, err))
                    return -1;
                break;
            } else if (!is_blank(rd, c)) {
                if (rec_append(rd, r, &c, 1, err))
                    return -1;
                st = ST_UNQUOTED;
            }
        }
        /* A line of blanks only is a blank line too. */
        if (r->nf == 1 && r->len[0] == 0 && !r->quoted[0])
            continue;
        return 1;
    }
}

/* Pick the separator that occurs most often in the first record (outside
 * quotes) of the buffered text; ',' wins ties and is the default. */
static char detect_sep(const Reader *rd)
{
    size_t count[3] = {0, 0, 0};
    const char seps[3] = {',', ';', '\t'};
    bool inq = false, content = false;
    for (size_t i = rd->pos; i < rd->len; i++) {
        char c = rd->buf[i];
        if (c == '"')
            inq = !inq;
        if (inq)
            continue;
        if (c == '\n' || c == '\r') {
            if (content)
                break;
            continue;
        }
        content = true;
        for (int k = 0; k < 3; k++)
            count[k] += c == seps[k];
    }
    int best = 0;
    for (int k = 1; k < 3; k++)
        if (count[k] > count[best])
            best = k;
    return seps[best];
}

/* ---------------------------------------------------------------- cells */

static bool is_missing_text(const char *s, size_t n)
{
    static const char *const tokens[] = {"NA", "N/A", "NaN", "nan", "null", "?"};
    if (n == 0)
        return true;
    if (s[0] != 'N' && s[0] != 'n' && s[0] != '?')   /* the common case, cheaply */
        return false;
    for (size_t i = 0; i < sizeof tokens / sizeof *tokens; i++)
        if (strcmp(s, tokens[i]) == 0)
            return true;
    return false;
}

/* Clinger's fast path for plain decimals ("-12.375", "1e-3"): with at most
 * 2^53 as the digit string and |power of ten| <= 22, both operands are exact
 * doubles, so one multiply or divide is correctly rounded — the same result
 * strtod gives, several times faster.  false = not that simple, ask strtod. */
static bool parse_simple(const char *s, size_t n, double *out)
{
    static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                   1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s, *end = s + n;
    bool neg = false;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    uint64_t m = 0;
    int digits = 0, scale = 0;
    bool any = false;
    for (; p < end && *p >= '0' && *p <= '9'; p++, any = true)
        if (m || *p != '0') {
            if (++digits > 19)
                return false;
            m = m * 10 + (uint64_t)(*p - '0');
        }
    if (p < end && *p == '.') {
        for (p++; p < end && *p >= '0' && *p <= '9'; p++, any = true) {
            if (m || *p != '0') {
                if (++digits > 19)
                    return false;
                m = m * 10 + (uint64_t)(*p - '0');
            }
            scale--;
        }
    }
    if (!any)
        return false;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '-' || *p == '+'))
            eneg = *p++ == '-';
        if (p == end)
            return false;
        int e = 0;
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            if (e > 1000)
                return false;
            e = e * 10 + (*p - '0');
        }
        scale += eneg ? -e : e;
    }
    if (p != end || m > ((uint64_t)1 << 53) || scale < -22 || scale > 22)
        return false;
    double v = (double)m;
    v = scale < 0 ? v / p10[-scale] : v * p10[scale];
    *out = neg ? -v : v;
    return true;
}

/* Parse a cell: 1 number, 0 missing (a token or a NaN), -1 not a number. */
static int parse_cell(const char *s, size_t n, double *v)
{
    if (is_missing_text(s, n))
        return 0;
    if (parse_simple(s, n, v))
        return 1;
    if (!fb_parse_double(s, n, v))
        return -1;
    return isnan(*v) ? 0 : 1;
}

/* The cell text for a message: at most ~40 bytes. */
static const char *quote_cell(const char *s, char *buf, size_t size)
{
    size_t n = strlen(s);
    if (n < 40)
        return s;
    snprintf(buf, size, "%.36s...", s);
    return buf;
}

/* ---------------------------------------------------------------- string tables */

/* Distinct strings of one column, numbered in order of first appearance. */
typedef struct StrTab {
    char **str;
    size_t n, cap;
    uint32_t *slot;           /* open addressing: id + 1, 0 = empty */
    size_t nslot;             /* power of two */
} StrTab;

static void strtab_free(StrTab *t)
{
    if (t->str)
        for (size_t i = 0; i < t->n; i++)
            free(t->str[i]);
    free(t->str);
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
static int strtab_id(StrTab *t, const char *s, size_t n, uint32_t *id, FbErr *err)
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
static int strtab_sort(StrTab *t, uint32_t **rank_out, FbErr *err)
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

/* ---------------------------------------------------------------- the loader */

enum { ROLE_DROP, ROLE_FEATURE, ROLE_ONEHOT, ROLE_TARGET };

typedef struct Target {
    size_t col;               /* file column */
    StrTab tab;               /* its texts while `interning` */
    bool interning;           /* still remembering texts (a text target needs them) */
    bool text;                /* some cell is not a number: classes from text */
    unsigned long nonfinite_line; /* first inf cell, reported if the column stays numeric */
    char *nonfinite_cell;
} Target;

typedef struct Loader {
    const char *path;
    const CsvOptions *opt;
    size_t m;                 /* columns in the file */
    char **colname;           /* m */
    int *role;                /* m */
    size_t *slot;             /* m: numeric feature slot / one-hot index / target index */
    bool *had_number;         /* m: a feature column has shown a number */
    size_t nnum, noh, ny;
    size_t *ohcol;            /* noh file columns */
    StrTab *oh;               /* noh */
    Target *tg;               /* ny, in the order target= names them */
    size_t n, cap;            /* rows kept, rows allocated */
    double *X;                /* (cap, nnum) numeric features; NaN = missing (missing=mean) */
    double *Y;                /* (cap, ny) target values; NaN for text cells */
    uint32_t *ids;            /* (cap, noh + ny) one-hot ids, then target text ids */
    size_t *nmiss;            /* nnum missing counts */
    size_t *ohmiss;           /* noh missing counts */
    size_t dropped;           /* rows left out by missing=drop */
    bool header;
} Loader;

static void loader_free(Loader *L)
{
    if (L->colname)
        for (size_t j = 0; j < L->m; j++)
            free(L->colname[j]);
    free(L->colname);
    free(L->role);
    free(L->slot);
    free(L->had_number);
    free(L->ohcol);
    if (L->oh)
        for (size_t k = 0; k < L->noh; k++)
            strtab_free(&L->oh[k]);
    free(L->oh);
    if (L->tg)
        for (size_t k = 0; k < L->ny; k++) {
            strtab_free(&L->tg[k].tab);
            free(L->tg[k].nonfinite_cell);
        }
    free(L->tg);
    free(L->X);
    free(L->Y);
    free(L->ids);
    free(L->nmiss);
    free(L->ohmiss);
}

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
static int set_names(Loader *L, const Record *hdr, bool header, FbErr *err)
{
    L->m = hdr->nf;
    /* One more, NULL, so the list can go to fb_suggest. */
    if (!(L->colname = fb_calloc(L->m + 1, sizeof *L->colname, "column names", err)))
        return -1;
    for (size_t j = 0; j < L->m; j++) {
        char buf[32];
        const char *s = field(hdr, j);
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

static int assign_roles(Loader *L, FbErr *err)
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

static int grow_rows(Loader *L, FbErr *err)
{
    size_t nid = L->noh + L->ny;
    /* The first block holds 1024 rows, fewer when they are wide (8 MiB at
     * most): a short file of 300000 columns must not ask for 2.3 GiB. */
    size_t first = ((size_t)8 << 20) / ((L->nnum + nid + 1) * sizeof(double));
    size_t cap = L->cap ? L->cap * 2 : first < 1 ? 1 : first < 1024 ? first : 1024;
    if (cap > SIZE_MAX / sizeof(double) / (L->nnum + nid + 1))
        return fb_fail(err, "%s: too many rows", L->path);
    double *X = realloc(L->X, cap * L->nnum * sizeof *X + 1);
    if (!X)
        return fb_oom(err, "the feature table", cap * L->nnum * sizeof *X);
    L->X = X;
    double *Y = realloc(L->Y, cap * L->ny * sizeof *Y);
    if (!Y)
        return fb_oom(err, "the target table", cap * L->ny * sizeof *Y);
    L->Y = Y;
    uint32_t *ids = realloc(L->ids, cap * nid * sizeof *ids + 1);
    if (!ids)
        return fb_oom(err, "the text columns", cap * nid * sizeof *ids);
    L->ids = ids;
    L->cap = cap;
    return 0;
}

static int missing_error(const Loader *L, const Record *r, size_t j, FbErr *err)
{
    const char *s = field(r, j);
    if (L->role[j] == ROLE_TARGET && L->opt->missing == MISSING_MEAN)
        return fb_fail(err, "%s: row %lu, column '%s': the target is missing (missing=mean fills "
                       "features only; missing=drop leaves such rows out)",
                       L->path, r->line[j], L->colname[j]);
    if (s[0] == '\0')
        return fb_fail(err, "%s: row %lu, column '%s': missing value (empty cell); use missing=drop or "
                       "missing=mean", L->path, r->line[j], L->colname[j]);
    return fb_fail(err, "%s: row %lu, column '%s': missing value '%s'; use missing=drop or missing=mean",
                   L->path, r->line[j], L->colname[j], s);
}

/* Append one data record to the table (or drop it under missing=drop). */
static int add_row(Loader *L, const Record *r, FbErr *err)
{
    if (r->nf != L->m)
        return fb_fail(err, "%s: row %lu has %zu field%s, expected %zu", L->path, r->line0, r->nf,
                       r->nf == 1 ? "" : "s", L->m);
    if (L->opt->missing == MISSING_DROP) {
        /* Look first, so a dropped row leaves no trace in the value tables. */
        for (size_t j = 0; j < L->m; j++) {
            if (L->role[j] == ROLE_DROP)
                continue;
            double v;
            if (parse_cell(field(r, j), r->len[j], &v) == 0) {
                L->dropped++;
                return 0;
            }
        }
    }
    if (L->n == L->cap && grow_rows(L, err))
        return -1;
    double *x = L->X + L->n * L->nnum;
    double *y = L->Y + L->n * L->ny;
    uint32_t *ids = L->ids + L->n * (L->noh + L->ny);
    char qb[48];
    for (size_t j = 0; j < L->m; j++) {
        int role = L->role[j];
        if (role == ROLE_DROP)
            continue;
        const char *s = field(r, j);
        size_t len = r->len[j];
        size_t k = L->slot[j];
        double v = 0;
        int kind = parse_cell(s, len, &v);
        if (role == ROLE_ONEHOT && kind != 0)
            kind = 2;   /* any text is a category, numbers included */
        if (kind == 0 && (L->opt->missing == MISSING_ERROR || role == ROLE_TARGET))
            return missing_error(L, r, j, err);
        if (role == ROLE_FEATURE) {
            if (kind == 0) {
                x[k] = NAN;
                L->nmiss[k]++;
            } else if (kind < 0) {
                if (L->had_number[j])
                    return fb_fail(err, "%s: row %lu, column '%s': '%s' is not a number", L->path, r->line[j],
                                   L->colname[j], quote_cell(s, qb, sizeof qb));
                return fb_fail(err, "%s: row %lu, column '%s': '%s' is not a number (for a text column use "
                               "onehot=%s to expand it into 0/1 columns, or drop=%s)", L->path, r->line[j],
                               L->colname[j], quote_cell(s, qb, sizeof qb), L->colname[j], L->colname[j]);
            } else if (!isfinite(v)) {
                return fb_fail(err, "%s: row %lu, column '%s': '%s' is not a finite number", L->path,
                               r->line[j], L->colname[j], quote_cell(s, qb, sizeof qb));
            } else {
                x[k] = v;
                L->had_number[j] = true;
            }
        } else if (role == ROLE_ONEHOT) {
            if (kind == 0) {
                ids[k] = NO_ID;
                L->ohmiss[k]++;
            } else {
                if (strtab_id(&L->oh[k], s, len, &ids[k], err))
                    return -1;
                if (L->oh[k].n > MAX_ONEHOT_VALUES)
                    return fb_fail(err, "%s: column '%s' has more than %d distinct values, too many to "
                                   "one-hot encode (drop=%s?)", L->path, L->colname[j], MAX_ONEHOT_VALUES,
                                   L->colname[j]);
            }
        } else {
            Target *t = &L->tg[k];
            y[k] = kind > 0 ? v : NAN;
            if (kind < 0 && !t->interning)
                return fb_fail(err, "%s: row %lu, column '%s': '%s' is not a number (the target has numbers "
                               "in earlier rows)", L->path, r->line[j], L->colname[j],
                               quote_cell(s, qb, sizeof qb));
            if (kind < 0)
                t->text = true;
            if (kind > 0 && !isfinite(v) && !t->nonfinite_cell) {
                t->nonfinite_line = r->line[j];
                if (!(t->nonfinite_cell = fb_strdup(quote_cell(s, qb, sizeof qb), err)))
                    return -1;
            }
            if (t->interning) {
                if (strtab_id(&t->tab, s, len, &ids[L->noh + k], err))
                    return -1;
                /* Many distinct numbers: a regression target; stop remembering texts. */
                if (!t->text && t->tab.n > MAX_TARGET_INTERN) {
                    strtab_free(&t->tab);
                    t->interning = false;
                }
            }
        }
    }
    L->n++;
    return 0;
}

/* HEADER_AUTO: a header when some column is non-numeric in row 1 and numeric
 * in row 2 (missing cells count as neither).  With one record only: a header
 * when some cell is text. */
static bool looks_like_header(const Record *a, const Record *b)
{
    for (size_t j = 0; j < a->nf; j++) {
        double v;
        if (parse_cell(field(a, j), a->len[j], &v) >= 0)
            continue;
        if (!b)
            return true;
        if (j < b->nf && parse_cell(field(b, j), b->len[j], &v) > 0)
            return true;
    }
    return false;
}

/* Fill missing numeric cells with their column's mean over the present cells
 * (summed in row order, as NumPy's mean over axis 0 of a C-ordered table). */
static int fill_means(Loader *L, FbErr *err)
{
    for (size_t j = 0; j < L->m; j++) {
        if (L->role[j] != ROLE_FEATURE || L->nmiss[L->slot[j]] == 0)
            continue;
        size_t k = L->slot[j];
        if (L->nmiss[k] == L->n)
            return fb_fail(err, "%s: column '%s' has no values to take the mean of (drop=%s?)", L->path,
                           L->colname[j], L->colname[j]);
        double sum = 0;
        for (size_t i = 0; i < L->n; i++) {
            double v = L->X[i * L->nnum + k];
            if (!isnan(v))
                sum += v;
        }
        double mean = sum / (double)(L->n - L->nmiss[k]);
        for (size_t i = 0; i < L->n; i++)
            if (isnan(L->X[i * L->nnum + k]))
                L->X[i * L->nnum + k] = mean;
    }
    return 0;
}

static char *join_name(const char *col, const char *value, FbErr *err)
{
    size_t a = strlen(col), b = strlen(value);
    char *s = fb_malloc(a + b + 2, 1, "a column name", err);
    if (s) {
        memcpy(s, col, a);
        s[a] = '=';
        memcpy(s + a + 1, value, b + 1);
    }
    return s;
}

/* Build the final (n, d) feature table and its names: numeric columns and
 * one-hot expansions in file order. */
static int build_features(Loader *L, Dataset *ds, FbErr *err)
{
    uint32_t **rank = fb_calloc(L->noh ? L->noh : 1, sizeof *rank, "one-hot columns", err);
    if (!rank)
        return -1;
    int rc = -1;
    size_t d = L->nnum;
    for (size_t k = 0; k < L->noh; k++) {
        if (strtab_sort(&L->oh[k], &rank[k], err))
            goto out;
        d += L->oh[k].n;
    }
    if (!(ds->names = fb_calloc(d, sizeof *ds->names, "feature names", err)))
        goto out;
    ds->d = d;
    size_t c = 0;
    for (size_t j = 0; j < L->m; j++) {
        if (L->role[j] == ROLE_FEATURE) {
            if (!(ds->names[c++] = fb_strdup(L->colname[j], err)))
                goto out;
        } else if (L->role[j] == ROLE_ONEHOT) {
            StrTab *t = &L->oh[L->slot[j]];
            for (size_t v = 0; v < t->n; v++)
                if (!(ds->names[c++] = join_name(L->colname[j], t->str[v], err)))
                    goto out;
        }
    }

    if (L->noh == 0) {
        /* The row buffer is the table: shrink it to the exact size. */
        double *X = realloc(L->X, L->n * L->nnum * sizeof *X + 1);
        ds->X = X ? X : L->X;
        L->X = NULL;
        rc = 0;
        goto out;
    }
    if (d && L->n > SIZE_MAX / sizeof(double) / d) {
        fb_fail(err, "%s: the one-hot table (%zu x %zu) is too large", L->path, L->n, d);
        goto out;
    }
    if (!(ds->X = fb_malloc(L->n * d, sizeof *ds->X, "the feature table", err)))
        goto out;
    size_t nid = L->noh + L->ny;
    for (size_t i = 0; i < L->n; i++) {
        double *dst = ds->X + i * d;
        const double *src = L->X + i * L->nnum;
        const uint32_t *ids = L->ids + i * nid;
        for (size_t j = 0; j < L->m; j++) {
            if (L->role[j] == ROLE_FEATURE) {
                *dst++ = src[L->slot[j]];
            } else if (L->role[j] == ROLE_ONEHOT) {
                size_t k = L->slot[j], kv = L->oh[k].n;
                memset(dst, 0, kv * sizeof *dst);
                if (ids[k] != NO_ID)
                    dst[rank[k][ids[k]]] = 1.0;
                dst += kv;
            }
        }
    }
    /* missing=mean for one-hot cells: each 0/1 column's mean is the value's frequency. */
    for (size_t k = 0; k < L->noh; k++) {
        if (!L->ohmiss[k])
            continue;
        size_t kv = L->oh[k].n;
        if (kv == 0) {
            fb_fail(err, "%s: column '%s' has no values to take the mean of", L->path, L->colname[L->ohcol[k]]);
            goto out;
        }
        size_t *count = fb_calloc(kv, sizeof *count, "value counts", err);
        if (!count)
            goto out;
        for (size_t i = 0; i < L->n; i++) {
            uint32_t id = L->ids[i * nid + k];
            if (id != NO_ID)
                count[rank[k][id]]++;
        }
        /* Column offset of this expansion in the final table. */
        size_t off = 0;
        for (size_t j = 0; j < L->ohcol[k]; j++)
            off += L->role[j] == ROLE_FEATURE ? 1 : L->role[j] == ROLE_ONEHOT ? L->oh[L->slot[j]].n : 0;
        double present = (double)(L->n - L->ohmiss[k]);
        for (size_t i = 0; i < L->n; i++)
            if (L->ids[i * nid + k] == NO_ID)
                for (size_t v = 0; v < kv; v++)
                    ds->X[i * d + off + v] = (double)count[v] / present;
        free(count);
    }
    rc = 0;
out:
    for (size_t k = 0; k < L->noh; k++)
        free(rank[k]);
    free(rank);
    return rc;
}

/* Targets: values (or class indices for text) into ds->y, names, classes. */
static int build_targets(Loader *L, Dataset *ds, FbErr *err)
{
    if (!(ds->ynames = fb_calloc(L->ny, sizeof *ds->ynames, "target names", err)))
        return -1;
    ds->ny = L->ny;
    for (size_t k = 0; k < L->ny; k++)
        if (!(ds->ynames[k] = fb_strdup(L->colname[L->tg[k].col], err)))
            return -1;
    bool text = false;
    for (size_t k = 0; k < L->ny; k++) {
        Target *t = &L->tg[k];
        if (t->text && L->ny > 1)
            return fb_fail(err, "%s: target column '%s' holds text; several targets must all be numeric",
                           L->path, L->colname[t->col]);
        if (!t->text && t->nonfinite_cell)
            return fb_fail(err, "%s: row %lu, column '%s': '%s' is not a finite number", L->path,
                           t->nonfinite_line, L->colname[t->col], t->nonfinite_cell);
        text |= t->text;
    }
    double *y = realloc(L->Y, L->n * L->ny * sizeof *y + 1);
    ds->y = y ? y : L->Y;
    L->Y = NULL;
    if (!text)
        return dataset_set_classes(ds, 0, err);

    Target *t = &L->tg[0];
    if (t->tab.n < 2)
        return fb_fail(err, "%s: the target '%s' has a single class ('%s'); nothing to learn", L->path,
                       L->colname[t->col], t->tab.str[0]);
    uint32_t *rank;
    if (strtab_sort(&t->tab, &rank, err))
        return -1;
    size_t nid = L->noh + L->ny;
    for (size_t i = 0; i < L->n; i++)
        ds->y[i] = (double)rank[L->ids[i * nid + L->noh]];
    free(rank);
    /* The sorted strings move to the dataset. */
    ds->class_names = t->tab.str;
    ds->nclasses = t->tab.n;
    t->tab.str = NULL;
    t->tab.n = 0;
    return dataset_set_classes(ds, 1, err);
}

/* ---------------------------------------------------------------- the parallel fast path
 *
 * Most files are plain tables of numbers: no quotes at all, every kept cell a
 * finite number, every record of the same width.  For those the data records
 * are parsed in K byte ranges by K threads (K = BLAS's thread count, so `set
 * threads` governs it), each reading its range in CHUNK pieces with pread:
 * without a '"' anywhere, every line end is a record end, so the ranges can be
 * split at any line end.  Each cell goes through the same trimming and
 * parse_cell as the serial reader, so the values are the same bits.
 *
 * Anything else — a quote, a NUL, a ragged record, a missing or non-numeric or
 * non-finite cell, a record longer than a chunk, a read error, no memory —
 * makes the fast path give up, and csv_load reads the whole file again with the
 * serial reader, which gives the exact message (with its row number) or
 * handles the case.  So the fast path never changes a result or a message.
 *
 * Rows land in place: each range first counts its line ends (an upper bound on
 * its records), the ranges' row blocks are laid out one after the other, and
 * a gap left by blank lines is closed at the end, so the table is never
 * copied and peak memory stays the table plus a chunk per thread. */

enum { FAST_MIN_BYTES = 1 << 20, FAST_MAX_THREADS = 8 };

typedef struct FastJob {
    const Loader *L;
    int fd;
    char sep;
    bool trim_tab;
    long long beg, end;       /* byte range [beg, end), starting at a record */
    size_t lines;             /* line ends in the range: records <= lines (+1 for the last range) */
    size_t row0, rows;        /* first table row, rows written */
    double *X, *Y;            /* the loader's tables, (cap, nnum) and (cap, ny) */
    char *buf;                /* CHUNK + 1 bytes */
    bool ok;
} FastJob;

/* Read up to n bytes at off; false on a read error. */
static bool pread_all(int fd, char *buf, size_t n, long long off, size_t *got)
{
    size_t k = 0;
    while (k < n) {
        ssize_t r = pread(fd, buf + k, n - k, (off_t)(off + (long long)k));
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        if (r == 0)
            break;
        k += (size_t)r;
    }
    *got = k;
    return true;
}

/* Line ends in the range: each LF, and each CR not followed by LF. */
static bool fast_count(FastJob *j)
{
    size_t lines = 0;
    bool cr_last = false;     /* the previous chunk ended in CR */
    for (long long off = j->beg; off < j->end;) {
        size_t want = (size_t)(j->end - off < CHUNK ? j->end - off : CHUNK), got;
        if (!pread_all(j->fd, j->buf, want, off, &got) || got == 0)
            return false;
        const char *b = j->buf, *e = b + got;
        if (cr_last && b[0] != '\n')
            lines++;
        for (const char *p = b; (p = memchr(p, '\n', (size_t)(e - p))); p++)
            lines++;
        for (const char *p = b; (p = memchr(p, '\r', (size_t)(e - p))); p++)
            if (p + 1 < e && p[1] != '\n')
                lines++;
        cr_last = b[got - 1] == '\r';
        off += (long long)got;
    }
    j->lines = lines + cr_last;
    return true;
}

/* One record's cells: the same trimming and parse_cell as the serial reader.
 * false = not the simple case (the serial reader decides). */
static bool fast_record(FastJob *j, const char *p, const char *e, double *x, double *y)
{
    const Loader *L = j->L;
    size_t f = 0;
    for (;;) {
        while (p < e && (*p == ' ' || (*p == '\t' && j->trim_tab)))
            p++;
        const char *s = p;
        while (p < e && *p != j->sep)
            p++;
        const char *fe = p;
        while (fe > s && (fe[-1] == ' ' || (fe[-1] == '\t' && j->trim_tab)))
            fe--;
        size_t n = (size_t)(fe - s);
        if (f >= L->m)
            return false;
        int role = L->role[f];
        if (role != ROLE_DROP) {
            /* parse_cell without the NUL-terminated missing-token check: any
             * cell that could be a token (or is empty) goes to the serial reader. */
            double v;
            if (n == 0 || s[0] == 'N' || s[0] == 'n' || s[0] == '?')
                return false;
            if (!parse_simple(s, n, &v) && (!fb_parse_double(s, n, &v) || !isfinite(v)))
                return false;
            if (role == ROLE_FEATURE)
                x[L->slot[f]] = v;
            else
                y[L->slot[f]] = v;
        }
        f++;
        if (p == e)
            break;
        p++;                  /* the separator */
    }
    return f == L->m;
}

/* Parse the range's records into rows row0, row0 + 1, ... */
static bool fast_parse(FastJob *j)
{
    const Loader *L = j->L;
    size_t have = 0, cap_rows = j->lines + 1;
    long long off = j->beg;
    bool eof = false;
    j->rows = 0;
    while (!eof || have) {
        if (!eof) {
            size_t want = CHUNK - have, got;
            if ((long long)want > j->end - off)
                want = (size_t)(j->end - off);
            if (!pread_all(j->fd, j->buf + have, want, off, &got))
                return false;
            off += (long long)got;
            have += got;
            eof = off >= j->end || got < want;
        }
        const char *b = j->buf, *e = b + have, *p = b;
        if (memchr(b, '"', have) || memchr(b, '\0', have))
            return false;
        for (;;) {
            while (p < e && (*p == '\n' || *p == '\r'))
                p++;
            if (p == e)
                break;
            const char *q = p;
            while (q < e && *q != '\n' && *q != '\r')
                q++;
            if (q == e && !eof)
                break;        /* a partial record: read on */
            /* A line of blanks only is a blank line (the serial reader's rule). */
            const char *t = p;
            while (t < q && (*t == ' ' || (*t == '\t' && j->trim_tab)))
                t++;
            if (t < q) {
                if (j->rows == cap_rows)
                    return false;
                size_t r = j->row0 + j->rows;
                if (!fast_record(j, p, q, j->X + r * L->nnum, j->Y + r * L->ny))
                    return false;
                j->rows++;
            }
            p = q;
        }
        have = (size_t)(e - p);
        if (have == CHUNK)
            return false;     /* a record longer than a chunk */
        memmove(j->buf, p, have);
        if (eof && have == 0)
            break;
    }
    return true;
}

static void *fast_count_job(void *arg)
{
    FastJob *j = arg;
    j->ok = fast_count(j);
    return NULL;
}

static void *fast_parse_job(void *arg)
{
    FastJob *j = arg;
    j->ok = fast_parse(j);
    return NULL;
}

/* The first line end at or after off (the offset just past it), or end. */
static long long next_record(int fd, char *buf, long long off, long long end)
{
    while (off < end) {
        size_t want = (size_t)(end - off < 4096 ? end - off : 4096), got;
        if (!pread_all(fd, buf, want, off, &got) || got == 0)
            return end;
        for (size_t i = 0; i < got; i++)
            if (buf[i] == '\n' || buf[i] == '\r')
                return off + (long long)i + 1;
        off += (long long)got;
    }
    return end;
}

/* Parse the data from file offset `start` to the end into L.  Returns 1 when
 * done, 0 when the file is not the simple case (L's rows past those it had are
 * then meaningless and the caller starts over with the serial reader). */
static int fast_load(Loader *L, FILE *f, long long start, char sep, bool trim_tab)
{
    struct stat st;
    int fd = fileno(f);
    if (L->noh != 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
        return 0;
    /* A text target seen in the rows read so far makes the target classes:
     * every later row's text must be interned too, which only the serial
     * reader does (the fast path writes no ids). */
    for (size_t t = 0; t < L->ny; t++)
        if (L->tg[t].text)
            return 0;
    long long size = (long long)st.st_size;
    if (size - start < FAST_MIN_BYTES)
        return 0;
    int k = openblas_get_num_threads();
    if (k > FAST_MAX_THREADS)
        k = FAST_MAX_THREADS;
    if ((size - start) / FAST_MIN_BYTES < k)
        k = (int)((size - start) / FAST_MIN_BYTES);
    if (k < 1)
        k = 1;
    FastJob job[FAST_MAX_THREADS];
    memset(job, 0, sizeof job);
    int rc = 0;
    long long b = start;
    for (int i = 0; i < k; i++) {
        job[i] = (FastJob){.L = L, .fd = fd, .sep = sep, .trim_tab = trim_tab};
        if (!(job[i].buf = malloc(CHUNK + 1)))
            goto out;
        job[i].beg = b;
        job[i].end = i == k - 1 ? size : next_record(fd, job[i].buf, start + (size - start) * (i + 1) / k, size);
        b = job[i].end;
    }
    /* Count, then lay the ranges' row blocks out one after the other. */
    par_run(job, sizeof job[0], (size_t)k, fast_count_job);
    size_t rows = L->n;
    for (int i = 0; i < k; i++) {
        if (!job[i].ok || job[i].lines > SIZE_MAX / 2)
            goto out;
        job[i].row0 = rows;
        rows += job[i].lines + 1;
    }
    if (rows > SIZE_MAX / sizeof(double) / (L->nnum + L->ny + 1))
        goto out;
    if (rows > L->cap) {
        /* L->cap stays: it still describes ids (one-hot and text-target ids,
         * unused by a numeric table), and if the serial reader takes over it
         * grows all three from there. */
        double *X = realloc(L->X, rows * L->nnum * sizeof *X + 1);
        if (!X)
            goto out;
        L->X = X;
        double *Y = realloc(L->Y, rows * L->ny * sizeof *Y + 1);
        if (!Y)
            goto out;
        L->Y = Y;
    }
    for (int i = 0; i < k; i++) {
        job[i].X = L->X;
        job[i].Y = L->Y;
    }
    par_run(job, sizeof job[0], (size_t)k, fast_parse_job);
    for (int i = 0; i < k; i++)
        if (!job[i].ok)
            goto out;
    /* Close the gaps blank lines left between the blocks. */
    size_t n = L->n;
    for (int i = 0; i < k; i++) {
        if (job[i].row0 != n) {
            memmove(L->X + n * L->nnum, L->X + job[i].row0 * L->nnum, job[i].rows * L->nnum * sizeof(double));
            memmove(L->Y + n * L->ny, L->Y + job[i].row0 * L->ny, job[i].rows * L->ny * sizeof(double));
        }
        n += job[i].rows;
    }
    L->n = n;
    rc = 1;
out:
    for (int i = 0; i < k; i++)
        free(job[i].buf);
    return rc;
}

void csv_options_default(CsvOptions *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->sep = 0;
    opt->header = HEADER_AUTO;
    opt->target = NULL;
    opt->drop = NULL;
    opt->onehot = NULL;
    opt->missing = MISSING_ERROR;
}

static int open_file(const char *path, FILE **out, FbErr *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return fb_fail(err, "cannot open %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return fb_fail(err, "%s is a directory", path);
    }
    *out = f;
    return 0;
}

int csv_load(const char *path, const CsvOptions *opt, Dataset **out, FbErr *err)
{
    CsvOptions defaults;
    if (!opt) {
        csv_options_default(&defaults);
        opt = &defaults;
    }
    *out = NULL;
    if (opt->sep == '"' || opt->sep == '\n' || opt->sep == '\r' || opt->sep == ' ')
        return fb_fail(err, "invalid separator '%c' (use ',', ';' or a tab)", opt->sep);

    FILE *f = NULL;
    if (open_file(path, &f, err))
        return -1;
    int rc = -1;
    Reader rd = {.f = f, .path = path, .line = 1};
    Record ra = {0}, rb = {0};
    Loader L = {.path = path, .opt = opt};
    Dataset *ds = NULL;
    if (!(rd.buf = fb_malloc(CHUNK, 1, "the read buffer", err)))
        goto out;
    if (refill(&rd, err))
        goto out;
    if (rd.len >= 3 && memcmp(rd.buf, "\xEF\xBB\xBF", 3) == 0)
        rd.pos = 3;
    rd.sep = opt->sep ? opt->sep : detect_sep(&rd);
    rd.trim_tab = rd.sep != '\t';

    int got = read_record(&rd, &ra, err);
    if (got < 0)
        goto out;
    if (got == 0) {
        fb_fail(err, "%s is empty", path);
        goto out;
    }
    /* Header decision; AUTO needs a look at the second record. */
    bool have_b = false;
    if (opt->header == HEADER_AUTO) {
        got = read_record(&rd, &rb, err);
        if (got < 0)
            goto out;
        have_b = got == 1;
        L.header = looks_like_header(&ra, have_b ? &rb : NULL);
    } else {
        L.header = opt->header == HEADER_YES;
    }
    if (set_names(&L, &ra, L.header, err) || assign_roles(&L, err))
        goto out;
    if (!L.header && add_row(&L, &ra, err))
        goto out;
    if (have_b && add_row(&L, &rb, err))
        goto out;
    /* The rest in parallel when it is a plain table of numbers; else (or when
     * the fast path gives up) record by record from where the reader is. */
    got = 0;
    if (rd.eof || !fast_load(&L, f, rd.base + (long long)rd.pos, rd.sep, rd.trim_tab))
        while ((got = read_record(&rd, &ra, err)) == 1)
            if (add_row(&L, &ra, err))
                goto out;
    if (got < 0)
        goto out;

    if (L.n == 0) {
        if (L.dropped)
            fb_fail(err, "%s: no rows left: all %zu data rows have missing values (missing=drop)", path,
                    L.dropped);
        else
            fb_fail(err, "%s has a header but no data rows", path);
        goto out;
    }
    if (fill_means(&L, err))
        goto out;
    if (!(ds = fb_calloc(1, sizeof *ds, "a dataset", err)))
        goto out;
    ds->refs = 1;
    ds->n = L.n;
    ds->task = TASK_REGRESSION;
    if (!(ds->source = fb_strdup(path, err)) || build_features(&L, ds, err) || build_targets(&L, ds, err))
        goto out;
    *out = ds;
    ds = NULL;
    rc = 0;
out:
    dataset_unref(ds);
    loader_free(&L);
    record_free(&ra);
    record_free(&rb);
    free(rd.buf);
    fclose(f);
    return rc;
}
