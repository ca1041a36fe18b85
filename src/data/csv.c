/* csv.c — csv_options_default and csv_load: the streaming CSV/TSV loader's entry point, and how it reads a file.
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
 *   at once, each over its own byte range (csv_fast.c).
 * - A file starting with the gzip magic bytes is decompressed as it is read
 *   (csv_gzip.c), into the same 1 MiB buffer; the fast path is for plain files.
 * - The decimal mark is '.', or ',' (decimal=, or detected for ';' files:
 *   csv_detect_decimal); digits grouped by thousands separators are refused
 *   with a message saying so (csv_number_hint), never guessed.
 *
 * Where the parts live (csv_internal.h joins them): csv_reader.c reads records
 * and guesses the separator and decimal mark, csv_gzip.c decompresses,
 * csv_cell.c parses cells, csv_columns.c names columns and gives them roles,
 * csv_table.c fills the tables and builds the Dataset, csv_strtab.c numbers
 * text values, csv_fast.c is the parallel fast path; this file is csv_load.
 */
#include "csv_internal.h"
#include "csv_schema.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitbench/blas.h"

void csv_options_default(CsvOptions *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->sep = 0;
    opt->header = HEADER_AUTO;
    opt->target = NULL;
    opt->drop = NULL;
    opt->onehot = NULL;
    opt->missing = MISSING_ERROR;
    opt->decimal = 0;
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

/* The options csv_load refuses before opening anything: a separator that cannot be one, an unknown decimal
 * mark, or a decimal mark equal to the separator. */
static int check_options(const CsvOptions *opt, FbErr *err)
{
    if (opt->sep == '"' || opt->sep == '\n' || opt->sep == '\r' || opt->sep == ' ')
        return fb_fail(err, "invalid separator '%c' (use ',', ';' or a tab)", opt->sep);
    if (opt->decimal && opt->decimal != '.' && opt->decimal != ',')
        return fb_fail(err, "invalid decimal mark '%c' (use '.' or ',')", opt->decimal);
    if (opt->decimal && opt->decimal == opt->sep)
        return fb_fail(err, "the decimal mark and the separator are both '%c' (decimal=, goes with sep=; or a tab)",
                       opt->sep);
    return 0;
}

/* The read buffer and its first chunk (through zlib when the file is gzip; a UTF-8 BOM skipped), then the
 * separator and the decimal mark: the options', or detected from that chunk.  Fails on out of memory, a
 * read error or a damaged gzip start. */
static int start_reader(Reader *rd, Loader *L, const CsvOptions *opt, FbErr *err)
{
    if (!(rd->buf = fb_malloc(CHUNK, 1, "the read buffer", err)))
        return -1;
    if (csv_refill(rd, err))
        return -1;
    if (csv_gz_magic(rd->buf, rd->len) && (csv_gz_start(rd, err) || csv_refill(rd, err)))
        return -1;
    if (rd->len >= 3 && memcmp(rd->buf, "\xEF\xBB\xBF", 3) == 0)
        rd->pos = 3;
    rd->sep = opt->sep ? opt->sep : csv_detect_sep(rd);
    rd->trim_tab = rd->sep != '\t';
    L->decimal = opt->decimal ? opt->decimal : csv_detect_decimal(rd);
    return 0;
}

/* The first record into ra and, when the options leave the header to be guessed, the second into rb
 * (*have_b), which the guess needs; then the column names and roles.  Fails on an empty file, a read
 * error, or names and roles csv_set_names / csv_assign_roles refuse. */
static int read_head(Reader *rd, Loader *L, Record *ra, Record *rb, bool *have_b, FbErr *err)
{
    int got = csv_read_record(rd, ra, err);
    if (got < 0)
        return -1;
    if (got == 0)
        return fb_fail(err, "%s is empty", L->path);
    *have_b = false;
    if (L->opt->header == HEADER_AUTO) {
        got = csv_read_record(rd, rb, err);
        if (got < 0)
            return -1;
        *have_b = got == 1;
        L->header = csv_looks_like_header(ra, *have_b ? rb : NULL, L->decimal);
    } else {
        L->header = L->opt->header == HEADER_YES;
    }
    return csv_set_names(L, ra, L->header, err) || csv_assign_roles(L, err) ? -1 : 0;
}

/* The rows after the head: in parallel when it is a plain table of numbers (csv_fast.c, with BLAS's thread
 * count); else (or when the fast path gives up) record by record from where the reader is, into ra. */
static int read_rows(Reader *rd, Loader *L, Record *ra, FbErr *err)
{
    int got = 0;
    if (rd->eof || rd->gz ||
        !csv_fast_load(L, rd->f, rd->base + (long long)rd->pos, rd->sep, rd->trim_tab, blas_threads()))
        while ((got = csv_read_record(rd, ra, err)) == 1)
            if (csv_add_row(L, ra, err))
                return -1;
    return got < 0 ? -1 : 0;
}

/* The Dataset of the loaded tables into *out (the caller's: dataset_unref): the raw schema for model files,
 * the means that fill missing cells, the features and targets.  Fails when no row is left, or on out of
 * memory (*out untouched). */
static int build_dataset(Loader *L, char sep, Dataset **out, FbErr *err)
{
    if (L->n == 0) {
        if (L->dropped)
            return fb_fail(err, "%s: no rows left: all %zu data rows have missing values (missing=drop)", L->path,
                           L->dropped);
        return fb_fail(err, "%s has a header but no data rows", L->path);
    }
    RawSchema *schema = NULL; /* the raw layout, for model files (csv_schema.c) */
    size_t *miss_row = NULL;
    Dataset *ds = NULL;
    int rc = -1;
    if (csv_schema_begin(L, sep, &schema, &miss_row, err) || csv_fill_means(L, err))
        goto out;
    if (!(ds = fb_calloc(1, sizeof *ds, "a dataset", err)))
        goto out;
    ds->refs = 1;
    ds->n = L->n;
    ds->task = TASK_REGRESSION;
    if (!(ds->source = fb_strdup(L->path, err)) || csv_build_features(L, ds, err) ||
        csv_build_targets(L, ds, err) || csv_schema_finish(L, ds, schema, miss_row, err))
        goto out;
    ds->schema = schema;
    schema = NULL;
    *out = ds;
    ds = NULL;
    rc = 0;
out:
    schema_free(schema);
    free(miss_row);
    dataset_unref(ds);
    return rc;
}

int csv_load(const char *path, const CsvOptions *opt, Dataset **out, FbErr *err)
{
    CsvOptions defaults;
    if (!opt) {
        csv_options_default(&defaults);
        opt = &defaults;
    }
    *out = NULL;
    if (check_options(opt, err))
        return -1;
    FILE *f = NULL;
    if (open_file(path, &f, err))
        return -1;
    int rc = -1;
    Reader rd = {.f = f, .path = path, .line = 1};
    Record ra = {0}, rb = {0};
    Loader L = {.path = path, .opt = opt};
    bool have_b = false;
    bool reading_rows = false; /* past the options: a bad row in a gzip file may be its corruption */
    if (start_reader(&rd, &L, opt, err) || read_head(&rd, &L, &ra, &rb, &have_b, err))
        goto out;
    reading_rows = true;
    if ((!L.header && csv_add_row(&L, &ra, err)) || (have_b && csv_add_row(&L, &rb, err)) ||
        read_rows(&rd, &L, &ra, err) || build_dataset(&L, rd.sep, out, err))
        goto out;
    rc = 0;
out:
    if (rc && reading_rows && rd.gz) {
        unsigned long line = rd.line;
        const char *why = csv_gz_damage(&rd);
        if (why)
            fb_fail(err, "%s: row %lu: %s", path, line, why);
    }
    csv_loader_free(&L);
    csv_record_free(&ra);
    csv_record_free(&rb);
    csv_gz_end(&rd);
    free(rd.buf);
    fclose(f);
    return rc;
}
