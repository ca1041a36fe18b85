/* csv_rows.h — raw records of a CSV file or a line of text, read by the same reader as `load` (quotes, CRLF, BOM). */
#ifndef FITBENCH_CSVROWS_H
#define FITBENCH_CSVROWS_H

#include <stddef.h>

#include "fitbench/err.h"

typedef struct CsvRows CsvRows;

/* Open a file (csv_rows_open) or a string of text (csv_rows_text, copied)
 * for reading records separated by sep (0 = detect as load does).  Fails on
 * an unreadable path or a directory, or out of memory.  Close with
 * csv_rows_close (NULL-safe). */
int csv_rows_open(const char *path, char sep, CsvRows **out, FbErr *err);
int csv_rows_text(const char *text, char sep, CsvRows **out, FbErr *err);
void csv_rows_close(CsvRows *r);

/* The next non-blank record: 1 with a record, 0 at the end, -1 on an error
 * (unclosed quote, NUL byte, read error, out of memory).  Its cells stay
 * valid until the next call: *cells points at nf NUL-terminated strings. */
int csv_rows_next(CsvRows *r, const char *const **cells, size_t *nf, FbErr *err);

/* The line the last record started on (1-based, as `load` counts). */
unsigned long csv_rows_line(const CsvRows *r);

#endif
