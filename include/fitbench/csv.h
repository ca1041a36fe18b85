/* csv.h — streaming CSV/TSV loader: RFC 4180 quoting, CRLF, BOM, gzip, C-locale numbers with a '.' or ',' decimal mark. */
#ifndef FITBENCH_CSV_H
#define FITBENCH_CSV_H

#include "fitbench/dataset.h"
#include "fitbench/err.h"

typedef enum { HEADER_AUTO, HEADER_YES, HEADER_NO } HeaderMode;
typedef enum { MISSING_ERROR, MISSING_DROP, MISSING_MEAN } MissingMode;

typedef struct CsvOptions {
    char sep;             /* 0 = detect among ',', ';', '\t' from the first record */
    HeaderMode header;    /* AUTO: a header when some column is non-numeric in row 1 and numeric in row 2 */
    /* Column lists: items separated by commas, each a column name or else a 0-based index (negative
     * counts from the end).  Quotes ('...' or "...", a backslash escaping the next character inside
     * "...") are removed and keep commas and blanks inside a name: "note, free text",y is two items.
     * A quoted item that names no column but whose comma-separated parts all do ("a,b") is those. */
    const char *target;   /* NULL = last column; else a list (several = several targets) */
    const char *drop;     /* NULL or a list of columns to leave out */
    const char *onehot;   /* NULL or a list of string columns to expand into 0/1 columns "col=value" */
    MissingMode missing;  /* what to do with an empty / NA / NaN / ? cell */
    char decimal;         /* the decimal mark, '.' or ','; 0 = detect: ',' when the separator is ';' and the
                           * first records' numbers have decimal commas and no decimal points, else '.' */
} CsvOptions;

/* Defaults: sep auto, header auto, target last, nothing dropped, missing=error. */
void csv_options_default(CsvOptions *opt);

/* Load path into a new Dataset (refs = 1, caller unrefs).  The file is read
 * in chunks, never whole.  Fails with a message naming the row (1-based, as a
 * text editor counts lines) and column for: an unreadable path or a
 * directory, an empty file, no data rows, ragged rows, a non-numeric or
 * non-finite feature cell (or target cell) written with digit grouping or the
 * other decimal mark, an unclosed quote, a NUL byte, an unknown
 * target/drop/onehot column, duplicate column names, a corrupt or truncated
 * gzip file (the row reached), an invalid sep/decimal pair, out of memory.
 * Nothing is returned on failure. */
int csv_load(const char *path, const CsvOptions *opt, Dataset **out, FbErr *err);

#endif
