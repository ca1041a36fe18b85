/* csv_fast.c — the parallel fast path: plain numeric tables parsed by several threads over byte ranges. */
#include "csv_internal.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fitbench/par.h"
#include "fitbench/strutil.h"

/* ---------------------------------------------------------------- the parallel fast path
 *
 * Most files are plain tables of numbers: no quotes at all, every kept cell a
 * finite number, every record of the same width.  For those the data records
 * are parsed in K byte ranges by K threads (K = BLAS's thread count, so `set
 * threads` governs it), each reading its range in CHUNK pieces with pread:
 * without a '"' anywhere, every line end is a record end, so the ranges can be
 * split at any line end.  Each cell goes through the same trimming and
 * csv_parse_cell as the serial reader, so the values are the same bits.
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
    char decimal;             /* '.' or ',' */
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

/* One record's cells: the same trimming and csv_parse_cell as the serial reader.
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
            /* csv_parse_cell without the NUL-terminated missing-token check: any
             * cell that could be a token (or is empty) goes to the serial reader. */
            double v;
            if (n == 0 || s[0] == 'N' || s[0] == 'n' || s[0] == '?')
                return false;
            if (j->decimal == '.' ? !csv_parse_simple(s, n, &v) && (!fb_parse_double(s, n, &v) || !isfinite(v))
                                  : !csv_parse_number(s, n, ',', &v) || !isfinite(v))
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

/* The ranges' row blocks laid out one after the other from L->n (each job's row0), after the count of
 * their line ends, and L's tables grown to hold them all; the jobs then write into those tables.  False
 * when a range could not be counted, or the tables cannot grow (the caller falls back to the serial reader;
 * a table that did grow stays grown). */
static bool lay_out_blocks(Loader *L, FastJob *job, int k)
{
    size_t rows = L->n;
    for (int i = 0; i < k; i++) {
        if (!job[i].ok || job[i].lines > SIZE_MAX / 2)
            return false;
        job[i].row0 = rows;
        rows += job[i].lines + 1;
    }
    if (rows > SIZE_MAX / sizeof(double) / (L->nnum + L->ny + 1))
        return false;
    if (rows > L->cap) {
        /* L->cap stays: it still describes ids (one-hot and text-target ids,
         * unused by a numeric table), and if the serial reader takes over it
         * grows all three from there. */
        double *X = realloc(L->X, rows * L->nnum * sizeof *X + 1);
        if (!X)
            return false;
        L->X = X;
        double *Y = realloc(L->Y, rows * L->ny * sizeof *Y + 1);
        if (!Y)
            return false;
        L->Y = Y;
    }
    for (int i = 0; i < k; i++) {
        job[i].X = L->X;
        job[i].Y = L->Y;
    }
    return true;
}

/* Close the gaps blank lines left between the blocks; L->n counts every row written. */
static void close_gaps(Loader *L, const FastJob *job, int k)
{
    size_t n = L->n;
    for (int i = 0; i < k; i++) {
        if (job[i].row0 != n) {
            memmove(L->X + n * L->nnum, L->X + job[i].row0 * L->nnum, job[i].rows * L->nnum * sizeof(double));
            memmove(L->Y + n * L->ny, L->Y + job[i].row0 * L->ny, job[i].rows * L->ny * sizeof(double));
        }
        n += job[i].rows;
    }
    L->n = n;
}

/* Parse the data from file offset `start` to the end into L.  Returns 1 when
 * done, 0 when the file is not the simple case (L's rows past those it had are
 * then meaningless and the caller starts over with the serial reader). */
int csv_fast_load(Loader *L, FILE *f, long long start, char sep, bool trim_tab, int threads)
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
    int k = threads;
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
        job[i] = (FastJob){.L = L, .fd = fd, .sep = sep, .decimal = L->decimal, .trim_tab = trim_tab};
        if (!(job[i].buf = malloc(CHUNK + 1)))
            goto out;
        job[i].beg = b;
        job[i].end = i == k - 1 ? size : next_record(fd, job[i].buf, start + (size - start) * (i + 1) / k, size);
        b = job[i].end;
    }
    /* Count, then lay the ranges' row blocks out one after the other. */
    par_run(job, sizeof job[0], (size_t)k, fast_count_job);
    if (!lay_out_blocks(L, job, k))
        goto out;
    par_run(job, sizeof job[0], (size_t)k, fast_parse_job);
    for (int i = 0; i < k; i++)
        if (!job[i].ok)
            goto out;
    close_gaps(L, job, k);
    rc = 1;
out:
    for (int i = 0; i < k; i++)
        free(job[i].buf);
    return rc;
}
