/* fuzz_csv_parallel.c — libFuzzer target for the CSV loader's multi-threaded fast path (files of 1 MiB and more,
 * two ranges from 2 MiB of data on): each input becomes a file of a little over 2 MiB, loaded three ways — the
 * fast path with one BLAS thread, with two, and the serial reader alone (the same bytes through a FIFO, which
 * the fast path never takes) — and the three results must agree exactly: status, message, shape, names,
 * classes, every value's bits.
 *
 * The input:  byte 0 options (separator, header, missing mode, decimal mark), byte 1 target / drop and the layout, then the
 * text: its first line is the file's first line (a header, or not); the rest up to a 0x1E byte is the body,
 * tiled to fill the file; what follows 0x1E (or, without one, the body again) is the special part, placed
 * once where a reader changes hands: across the point where the two ranges are split, across the 1 MiB fread
 * boundary of the serial reader, across the first 1 MiB pread of the fast path, at the very end, or first of
 * all (the records read before the fast path starts).  Blank
 * lines (skipped by both readers) pad the tiles so the special part lands exactly there. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/stat.h>

#include <cblas.h>

#include "fitbench/csv.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { MIB = 1 << 20, MARK = 0x1E };

/* The file being built: reused across inputs (grown, never shrunk). */
static char *file_buf;
static size_t file_len, file_cap;

static void put(const void *p, size_t n)
{
    if (file_len + n > file_cap) {
        size_t cap = file_cap ? file_cap : 4 * MIB;
        while (cap < file_len + n)
            cap *= 2;
        char *b = realloc(file_buf, cap);
        if (!b)
            abort();
        file_buf = b;
        file_cap = cap;
    }
    memcpy(file_buf + file_len, p, n);
    file_len += n;
}

static void put_blank(size_t n)
{
    while (n--)
        put("\n", 1);
}

/* Whole copies of body while they fit before `until`, then blank lines up to it. */
static void tile_to(const char *body, size_t blen, size_t until)
{
    while (file_len + blen <= until)
        put(body, blen);
    if (file_len < until)
        put_blank(until - file_len);
}

typedef struct Result {
    int rc;
    FbErr err;
    Dataset *ds;
} Result;

static void load(const char *path, const CsvOptions *opt, int threads, Result *r)
{
    openblas_set_num_threads(threads);
    r->ds = NULL;
    memset(&r->err, 0, sizeof r->err);
    r->rc = csv_load(path, opt, &r->ds, &r->err);
    /* The contract: a failure leaves a message and returns nothing, a success returns a dataset. */
    if (r->rc == 0 ? !r->ds : (r->ds || !r->err.msg[0]))
        __builtin_trap();
}

typedef struct Writer {
    const char *path;
    const char *buf;
    size_t len;
} Writer;

/* Feed the FIFO; stops early (EPIPE) when the loader closes it after an error. */
static void *write_fifo(void *arg)
{
    Writer *w = arg;
    int fd = open(w->path, O_WRONLY);
    if (fd < 0)
        abort();
    for (size_t off = 0; off < w->len;) {
        ssize_t k = write(fd, w->buf + off, w->len - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        off += (size_t)k;
    }
    close(fd);
    return NULL;
}

static bool same_strings(char **a, char **b, size_t n)
{
    if (!a != !b)
        return false;
    for (size_t i = 0; a && i < n; i++)
        if (strcmp(a[i], b[i]) != 0)
            return false;
    return true;
}

static bool same_bits(const void *a, const void *b, size_t bytes)
{
    if (!a != !b)
        return false;
    return !a || memcmp(a, b, bytes) == 0;
}

/* Every observable part of the outcome, bit for bit. */
static bool same_result(const Result *a, const Result *b)
{
    if (a->rc != b->rc)
        return false;
    if (a->rc != 0)
        return strcmp(a->err.msg, b->err.msg) == 0;
    const Dataset *x = a->ds, *y = b->ds;
    return x->n == y->n && x->d == y->d && x->ny == y->ny && x->nclasses == y->nclasses && x->task == y->task &&
           strcmp(x->source, y->source) == 0 && same_strings(x->names, y->names, x->d) &&
           same_strings(x->ynames, y->ynames, x->ny) && same_strings(x->class_names, y->class_names, x->nclasses) &&
           same_bits(x->X, y->X, x->n * x->d * sizeof(double)) &&
           same_bits(x->y, y->y, x->n * x->ny * sizeof(double)) &&
           same_bits(x->class_values, y->class_values, x->nclasses * sizeof(double)) &&
           same_bits(x->label, y->label, (x->nclasses ? x->n : 0) * sizeof(int));
}

static void report(const char *what, const Result *a, const Result *b)
{
    fprintf(stderr, "fuzz_csv_parallel: %s differ:\n  rc %d: %s\n  rc %d: %s\n", what, a->rc,
            a->rc ? a->err.msg : "(loaded)", b->rc, b->rc ? b->err.msg : "(loaded)");
    if (a->rc == 0 && b->rc == 0)
        fprintf(stderr, "  n %zu / %zu, d %zu / %zu, classes %zu / %zu\n", a->ds->n, b->ds->n, a->ds->d, b->ds->d,
                a->ds->nclasses, b->ds->nclasses);
    __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    static bool once;
    if (!once) {
        signal(SIGPIPE, SIG_IGN); /* the FIFO writer sees EPIPE when a load stops early */
        once = true;
    }
    unsigned char o = data[0], l = data[1];
    const char *text = (const char *)data + 2;
    size_t tlen = size - 2;

    CsvOptions opt;
    csv_options_default(&opt);
    static const char seps[4] = {0, ',', ';', '\t'};
    static const char *const targets[8] = {NULL, "0", "-1", "y", "a,b", "1,-1", "label", "x1"};
    opt.sep = seps[o & 3];
    opt.header = (o >> 2 & 3) == 3 ? HEADER_AUTO : (HeaderMode)(o >> 2 & 3);
    opt.missing = (o >> 4 & 3) == 3 ? MISSING_ERROR : (MissingMode)(o >> 4 & 3);
    /* Those codes 3 also pick a decimal mark (else auto: ',' for ';' files with decimal commas). */
    opt.decimal = (o >> 2 & 3) == 3 ? ',' : (o >> 4 & 3) == 3 ? '.' : 0;
    if (opt.decimal == opt.sep)
        opt.decimal = 0;   /* refused before the file is opened: the FIFO's writer would wait for ever */
    if (o & 0x40)
        opt.drop = "a";
    opt.target = targets[l & 7];

    /* head = the first line; body up to MARK; special after it. */
    const char *nl = memchr(text, '\n', tlen);
    size_t hlen = nl ? (size_t)(nl - text) + 1 : tlen;
    const char *body = text + hlen, *special;
    const char *mark = memchr(body, MARK, tlen - hlen);
    size_t blen, slen;
    if (mark) {
        blen = (size_t)(mark - body);
        special = mark + 1;
        slen = tlen - hlen - blen - 1;
    } else {
        blen = tlen - hlen;
        special = body;
        slen = blen;
    }
    if (blen == 0) {
        body = "\n";
        blen = 1;
    }

    /* A little over 2 MiB of data after the records read before the fast path starts, so it splits in two.
     * Its start, as the loader will find it: after the head, and the body's first line when the header is
     * auto-detected (two records are read then).  Only an estimate (quotes, CRs, blank lines move it), but
     * the fuzzer varies everything around it. */
    const char *bnl = memchr(body, '\n', blen);
    size_t first = bnl ? (size_t)(bnl - body) + 1 : blen;
    size_t start = hlen + (opt.header == HEADER_AUTO ? first : 0);
    size_t total = start + 2 * (size_t)MIB + blen + slen + 4096;
    size_t where;                 /* the file offset the special part straddles */
    switch (l >> 3 & 3) {
    case 0:  where = start + (total - start) / 2; break;   /* the split between the two ranges */
    case 1:  where = MIB; break;                           /* the serial reader's first fread */
    case 2:  where = start + MIB; break;                   /* the fast path's first pread */
    default: where = total; break;                         /* the end of the file */
    }
    static const unsigned shift_num[8] = {0, 1, 1, 1, 0, 0, 2, 3};  /* which byte of special lands there */
    static const unsigned shift_den[8] = {1, 2, 1, 1, 1, 1, 3, 4};
    unsigned sh = l >> 5 & 7;
    size_t into = slen * shift_num[sh] / shift_den[sh];
    if (sh == 3 && into)
        into--;                   /* its last byte */
    if (sh == 4)
        into = 1 < slen ? 1 : 0;  /* its second byte */
    if (sh == 5)
        where = where ? where - 1 : 0;
    size_t at = where > hlen + into ? where - into : hlen;   /* special's first byte */
    if (o & 0x80)
        at = hlen;                /* first of all: what the loader reads before the fast path starts */

    file_len = 0;
    put(text, hlen);
    tile_to(body, blen, at);
    put(special, slen);
    if ((l >> 3 & 3) != 3)
        tile_to(body, blen, total);

    char path[4200];
    fuzz_write("big.csv", (const uint8_t *)file_buf, file_len, path, sizeof path);
    Result one, two, serial;
    load(path, &opt, 1, &one);
    load(path, &opt, 2, &two);
    openblas_set_num_threads(1);

    /* The serial reader alone: the same path, now a FIFO (not a regular file, so no fast path). */
    unlink(path);
    if (mkfifo(path, 0600) != 0) {
        perror(path);
        exit(1);
    }
    Writer w = {path, file_buf, file_len};
    pthread_t tid;
    if (pthread_create(&tid, NULL, write_fifo, &w) != 0)
        abort();
    load(path, &opt, 1, &serial);
    pthread_join(tid, NULL);
    unlink(path);

    if (!same_result(&one, &two))
        report("one and two threads", &one, &two);
    if (!same_result(&one, &serial))
        report("the fast path and the serial reader", &one, &serial);
    dataset_unref(one.ds);
    dataset_unref(two.ds);
    dataset_unref(serial.ds);
    return 0;
}
