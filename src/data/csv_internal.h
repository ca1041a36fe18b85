/* csv_internal.h — what the CSV loader's files (csv*.c) share: records, the reader, the loader's tables. */
#ifndef FITBENCH_CSV_INTERNAL_H
#define FITBENCH_CSV_INTERNAL_H

#include "fitbench/csv.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum { CHUNK = 1 << 20 };        /* bytes per fread (and per pread in the fast path) */

/* ---------------------------------------------------------------- records (csv_reader.c) */

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

typedef struct CsvGz CsvGz;

typedef struct Reader {
    FILE *f;
    CsvGz *gz;                /* non-NULL: f is gzip, buf holds decompressed text (csv_gzip.c) */
    const char *path;
    char *buf;                /* CHUNK bytes */
    size_t len, pos;
    long long base;           /* file offset of buf[0] (plain files only) */
    bool eof;
    char sep;
    bool trim_tab;            /* tabs are blanks unless they separate */
    unsigned long line;       /* 1-based line at pos */
    bool pending_cr;          /* last record ended in CR: a following LF belongs to it */
} Reader;

/* Free r's buffers (not r itself); a zeroed Record is fine. */
void csv_record_free(Record *r);

/* Field j of r, NUL-terminated (r->len[j] bytes); valid until the next read into r. */
const char *csv_field(const Record *r, size_t j);

/* Read the next CHUNK of the file into rd->buf from pos 0; rd->len == 0 at the
 * end.  -1 on a read error. */
int csv_refill(Reader *rd, FbErr *err);

/* Read the next non-blank record into r.  Returns 1 with a record, 0 at the
 * end of the file, -1 on error (unclosed quote, NUL byte, read error, OOM). */
int csv_read_record(Reader *rd, Record *r, FbErr *err);

/* ---------------------------------------------------------------- gzip (csv_gzip.c) */

/* Does buf start with the gzip magic bytes? */
bool csv_gz_magic(const char *buf, size_t len);

/* Read rd->f as gzip from here on: the rd->len bytes already in rd->buf are
 * the start of the compressed data.  -1 on OOM. */
int csv_gz_start(Reader *rd, FbErr *err);

/* Decompress the next CHUNK (or less) into rd->buf from pos 0; rd->eof at the
 * clean end.  -1 on corrupt or truncated data or a read error, with the row
 * rd->line reached (reported only after the text before it was read). */
int csv_gz_read(Reader *rd, FbErr *err);

/* After a bad row in a gzip file: decompress the rest, and when the
 * compressed data turns out to be corrupt, say why (the bad row was its
 * garbage); NULL when it is sound or rd is not gzip.  rd->buf is overwritten. */
const char *csv_gz_damage(Reader *rd);

/* Free the gzip state of rd, if any. */
void csv_gz_end(Reader *rd);

/* The separator (',', ';' or '\t') used most in the first buffered record; ',' wins ties; ';' when
 * the record's commas are all decimal commas of ';'-separated numbers. */
char csv_detect_sep(const Reader *rd);

/* The decimal mark of the buffered records separated by rd->sep: ',' when the
 * separator is ';' and numbers use decimal commas and never points, else '.'. */
char csv_detect_decimal(const Reader *rd);

/* ---------------------------------------------------------------- cells (csv_cell.c) */

/* Clinger's fast path: parse a plain decimal exactly as strtod would.  false =
 * not that simple (the caller asks fb_parse_double); *out untouched then. */
bool csv_parse_simple(const char *s, size_t n, double *out);

/* Parse a NUL-terminated cell of n bytes: 1 number, 0 missing (a token or a
 * NaN), -1 not a number.  The decimal mark is '.'. */
int csv_parse_cell(const char *s, size_t n, double *v);

/* csv_parse_cell with the decimal mark dec ('.' or ','). */
int csv_parse_cell_dec(const char *s, size_t n, char dec, double *v);

/* A number (finite or not) in s[0..n) with the decimal mark dec: '.' as
 * strtod reads it in the C locale, ',' the same with the comma as the point
 * (a '.' is then not a number).  false = not a number; *v untouched then. */
bool csv_parse_number(const char *s, size_t n, char dec, double *v);

/* Digits grouped in threes by a thousands separator ("1 234,5", "1,234.5",
 * "1.234", "12'345"): [sign] d{1,3} (G d{3})+ [D d+], no leading 0. */
bool csv_grouped_digits(const char *s, size_t n);

/* A plain number written with a decimal comma ("-0,388", "1,5e3"). */
bool csv_comma_number(const char *s, size_t n);

/* Why a cell that is not a number with the decimal mark dec looks like one
 * anyway: digits grouped by thousands separators ("1 234,5", "1,234.5"), the
 * other decimal mark ("1,5" with '.'), or NULL when it does not.  detected =
 * dec came from the file, not from decimal=.  Static text. */
const char *csv_number_hint(const char *s, size_t n, char dec, bool detected);

/* The cell text for a message: s itself when short, else its first 36 bytes
 * and "..." written into buf. */
const char *csv_quote_cell(const char *s, char *buf, size_t size);

/* ---------------------------------------------------------------- string tables (csv_strtab.c) */

/* Distinct strings of one column, numbered in order of first appearance. */
typedef struct StrTab {
    char **str;
    size_t n, cap;
    uint32_t *slot;           /* open addressing: id + 1, 0 = empty */
    size_t nslot;             /* power of two */
} StrTab;

/* Free the table's strings and slots and zero it; a zeroed table is fine. */
void strtab_free(StrTab *t);

/* The id of s (length n, NUL-terminated), adding a copy when new.  -1 on OOM. */
int strtab_id(StrTab *t, const char *s, size_t n, uint32_t *id, FbErr *err);

/* Sort the strings byte-wise; *rank_out (caller frees) maps each old id to its
 * place.  The table takes no new ids afterwards.  -1 on OOM. */
int strtab_sort(StrTab *t, uint32_t **rank_out, FbErr *err);

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
    char decimal;             /* the decimal mark: '.' or ',' (given, or detected) */
} Loader;

/* csv_columns.c: the header guess, column names and roles. */

/* HEADER_AUTO's guess from the first record a and the second b (NULL when there is none), numbers
 * read with the decimal mark dec. */
bool csv_looks_like_header(const Record *a, const Record *b, char dec);

/* L's column names from hdr (x0, x1, ... without a header).  -1 on duplicate
 * names or OOM; what was set is freed by csv_loader_free. */
int csv_set_names(Loader *L, const Record *hdr, bool header, FbErr *err);

/* Roles and slots from L->opt's target=/drop=/onehot=, and the per-column
 * tables.  -1 on an unknown or twice-named column, no feature left, or OOM. */
int csv_assign_roles(Loader *L, FbErr *err);

/* csv_table.c: rows into L's tables, then the Dataset's. */

/* Free everything L holds (not L itself); a partly built Loader is fine. */
void csv_loader_free(Loader *L);

/* Append one data record to L (or count it dropped under missing=drop).  -1
 * on a ragged row, a bad or missing cell the options do not allow, or OOM. */
int csv_add_row(Loader *L, const Record *r, FbErr *err);

/* missing=mean: fill missing numeric cells with their column's mean.  -1 when
 * a column has no values at all. */
int csv_fill_means(Loader *L, FbErr *err);

/* ds->X, ds->d and ds->names from L's rows (one-hot columns expanded).  On
 * failure ds holds what was built so far, for dataset_unref. */
int csv_build_features(Loader *L, Dataset *ds, FbErr *err);

/* ds->y, ds->ny, ds->ynames and the classes from L's targets.  On failure ds
 * holds what was built so far, for dataset_unref. */
int csv_build_targets(Loader *L, Dataset *ds, FbErr *err);

/* csv_fast.c: the parallel fast path. */

/* Parse the data from file offset `start` to the end of f into L with up to
 * `threads` threads (the caller's choice: csv_load gives BLAS's count, blas.h;
 * at most 8, and fewer when the file has less than 1 MiB for each).  Returns 1 when done, 0 when the file is not the simple case
 * (L->n is then unchanged; its tables may have grown, and the caller reads on
 * with the serial reader). */
int csv_fast_load(Loader *L, FILE *f, long long start, char sep, bool trim_tab, int threads);

#endif
