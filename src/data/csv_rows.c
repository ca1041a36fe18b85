/* csv_rows.c — raw records through the loader's own reader (csv_reader.c), for predicting raw rows. */
#include "fitbench/csv_rows.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "csv_internal.h"

struct CsvRows {
    Reader rd;
    Record rec;
    char *text;          /* csv_rows_text's copy (fmemopen reads it) */
    const char **cells;  /* rec.nf pointers into rec.text */
    size_t ncap;
};

static int start(CsvRows *r, FILE *f, const char *path, char sep, FbErr *err)
{
    r->rd.f = f;
    r->rd.path = path;
    r->rd.line = 1;
    if (!(r->rd.buf = fb_malloc(CHUNK, 1, "the read buffer", err)) || csv_refill(&r->rd, err))
        return -1;
    /* A gzip file is read as load reads it (csv_gzip.c). */
    if (csv_gz_magic(r->rd.buf, r->rd.len) && (csv_gz_start(&r->rd, err) || csv_refill(&r->rd, err)))
        return -1;
    if (r->rd.len >= 3 && memcmp(r->rd.buf, "\xEF\xBB\xBF", 3) == 0)
        r->rd.pos = 3;
    r->rd.sep = sep ? sep : csv_detect_sep(&r->rd);
    r->rd.trim_tab = r->rd.sep != '\t';
    return 0;
}

int csv_rows_open(const char *path, char sep, CsvRows **out, FbErr *err)
{
    *out = NULL;
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
        return fb_fail(err, "%s is a directory", path);
    CsvRows *r = fb_calloc(1, sizeof *r, "a CSV reader", err);
    if (!r)
        return -1;
    FILE *f = fopen(path, "rb");
    if (!f) {
        free(r);
        return fb_fail(err, "cannot open %s: %s", path, strerror(errno));
    }
    if (start(r, f, path, sep, err)) {
        csv_rows_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

int csv_rows_text(const char *text, char sep, CsvRows **out, FbErr *err)
{
    *out = NULL;
    CsvRows *r = fb_calloc(1, sizeof *r, "a CSV reader", err);
    if (!r || !(r->text = fb_strdup(text, err))) {
        free(r);
        return -1;
    }
    FILE *f = r->text[0] ? fmemopen(r->text, strlen(r->text), "rb") : NULL;
    if (!f && r->text[0]) {
        free(r->text);
        free(r);
        return fb_fail(err, "cannot read the row: %s", strerror(errno));
    }
    if (!f) {   /* fmemopen refuses an empty buffer: an empty row has no records */
        r->rd.eof = true;
        *out = r;
        return 0;
    }
    if (start(r, f, "the row", sep, err)) {
        csv_rows_close(r);
        return -1;
    }
    *out = r;
    return 0;
}

void csv_rows_close(CsvRows *r)
{
    if (!r)
        return;
    csv_gz_end(&r->rd);
    if (r->rd.f)
        fclose(r->rd.f);
    free(r->rd.buf);
    csv_record_free(&r->rec);
    free(r->text);
    free(r->cells);
    free(r);
}

int csv_rows_next(CsvRows *r, const char *const **cells, size_t *nf, FbErr *err)
{
    if (!r->rd.f)
        return 0;
    int got = csv_read_record(&r->rd, &r->rec, err);
    if (got != 1)
        return got;
    if (r->rec.nf > r->ncap) {
        const char **c = realloc(r->cells, r->rec.nf * sizeof *c);
        if (!c)
            return fb_oom(err, "a CSV record", r->rec.nf * sizeof *c);
        r->cells = c;
        r->ncap = r->rec.nf;
    }
    for (size_t j = 0; j < r->rec.nf; j++)
        r->cells[j] = csv_field(&r->rec, j);
    *cells = r->cells;
    *nf = r->rec.nf;
    return 1;
}

unsigned long csv_rows_line(const CsvRows *r)
{
    return r->rec.line0;
}
