/* npy.c — read and write NumPy .npy float64 arrays (format 1.0 written; 1.0, 2.0, 3.0 read). */
#include "fitbench/npy.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitbench/fileio.h"

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
#define NPY_ALIGN 64
/* numpy leaves room to grow the first axis in place: it pads the header by
 * 21 - len(repr(shape[0])) spaces (numpy/lib/format.py, GROWTH_AXIS_MAX_DIGITS). */
#define NPY_GROWTH_DIGITS 21
/* Headers of float64 arrays are under 200 bytes; anything huge is not ours. */
#define NPY_MAX_HEADER ((size_t)1 << 20)
#define NPY_MAX_DIMS 64 /* numpy allows 32; parse more only to name the count */
#define CHUNK_DOUBLES 512

/* ---- writing ------------------------------------------------------------ */

static void put_le64(unsigned char *p, double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    for (int k = 0; k < 8; k++)
        p[k] = (unsigned char)(u >> (8 * k));
}

int npy_write(const char *path, const double *data, size_t ndim, const size_t *shape, FbErr *err)
{
    if (ndim > 2)
        return fb_fail(err, "cannot write %s: fitbench writes arrays of at most 2 dimensions, not %zu",
                       path, ndim);
    /* An empty array is fine whatever its other dimensions (numpy reads
     * them back); otherwise the bytes must fit and each dimension must be an
     * npy_intp, as npy_read demands. */
    size_t n = 1;
    bool empty = false;
    for (size_t i = 0; i < ndim; i++)
        empty = empty || shape[i] == 0;
    for (size_t i = 0; i < ndim; i++) {
        if (shape[i] > (size_t)INT64_MAX || (!empty && n > SIZE_MAX / 8 / shape[i]))
            return fb_fail(err, "cannot write %s: the array is too large", path);
        n *= shape[i];
    }
    if (n && !data)
        return fb_fail(err, "internal error: npy_write of %s without data", path);

    char shp[64];
    if (ndim == 0)
        snprintf(shp, sizeof shp, "()");
    else if (ndim == 1)
        snprintf(shp, sizeof shp, "(%zu,)", shape[0]);
    else
        snprintf(shp, sizeof shp, "(%zu, %zu)", shape[0], shape[1]);
    /* The dict exactly as numpy writes it: keys sorted, "'k': repr(v), ". */
    char hdr[256];
    int len = snprintf(hdr, sizeof hdr, "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shp);
    if (ndim > 0) {
        char first[32];
        int digits = snprintf(first, sizeof first, "%zu", shape[0]);
        for (int i = digits; i < NPY_GROWTH_DIGITS; i++)
            hdr[len++] = ' ';
        hdr[len] = '\0';
    }
    /* Spaces then '\n' so that magic + version + length + header is a
     * multiple of 64; numpy adds a full 64 when already aligned. */
    size_t hlen = (size_t)len + 1;
    size_t pad = NPY_ALIGN - ((NPY_MAGIC_LEN + 2 + 2 + hlen) % NPY_ALIGN);
    size_t total = hlen + pad;

    AtomicFile af;
    if (atomic_open(&af, path, err) != 0)
        return -1;
    unsigned char pre[10];
    memcpy(pre, NPY_MAGIC, NPY_MAGIC_LEN);
    pre[6] = 1;
    pre[7] = 0;
    pre[8] = (unsigned char)(total & 0xff);
    pre[9] = (unsigned char)(total >> 8);
    fwrite(pre, 1, sizeof pre, af.fp);
    fwrite(hdr, 1, (size_t)len, af.fp);
    for (size_t i = 0; i < pad; i++)
        fputc(' ', af.fp);
    fputc('\n', af.fp);
    /* Little-endian whatever the host; stdio errors are caught by commit. */
    unsigned char buf[CHUNK_DOUBLES * 8];
    for (size_t i = 0; i < n; i += CHUNK_DOUBLES) {
        size_t m = n - i < CHUNK_DOUBLES ? n - i : CHUNK_DOUBLES;
        for (size_t j = 0; j < m; j++)
            put_le64(buf + 8 * j, data[i + j]);
        if (fwrite(buf, 8, m, af.fp) != m)
            break;
    }
    return atomic_commit(&af, err);
}

/* ---- reading: the header dict ------------------------------------------- */

/* A tiny parser for the Python literal numpy writes: a dict of str keys to
 * str / True / False / tuple-of-int values.  Accepts any key order, extra
 * spaces, a trailing comma, either quote style, Python 2 "3L" ints. */
typedef struct Hdr {
    const char *s;
    size_t len, pos;
    const char *why; /* first parse error */
    /* results */
    char descr[64];
    bool descr_is_str;
    char descr_raw[64]; /* text of a non-string descr, for the message */
    bool fortran;
    size_t ndim;
    size_t shape[NPY_MAX_DIMS];
    bool shape_overflow;
    bool have_descr, have_fortran, have_shape;
    char bad_key[64];
} Hdr;

static void skip_ws(Hdr *h)
{
    while (h->pos < h->len && (h->s[h->pos] == ' ' || h->s[h->pos] == '\t' || h->s[h->pos] == '\n' ||
                               h->s[h->pos] == '\r'))
        h->pos++;
}

static bool fail_hdr(Hdr *h, const char *why)
{
    if (!h->why)
        h->why = why;
    return false;
}

static bool peek(Hdr *h, char c)
{
    skip_ws(h);
    return h->pos < h->len && h->s[h->pos] == c;
}

static bool expect(Hdr *h, char c, const char *why)
{
    if (!peek(h, c))
        return fail_hdr(h, why);
    h->pos++;
    return true;
}

/* A quoted string into out (truncated to cap-1; too long is an error). */
static bool parse_str(Hdr *h, char *out, size_t cap)
{
    skip_ws(h);
    if (h->pos >= h->len || (h->s[h->pos] != '\'' && h->s[h->pos] != '"'))
        return fail_hdr(h, "expected a quoted string");
    char q = h->s[h->pos++];
    size_t k = 0;
    while (h->pos < h->len && h->s[h->pos] != q) {
        if (h->s[h->pos] == '\\' && h->pos + 1 < h->len)
            h->pos++;
        if (k + 1 >= cap)
            return fail_hdr(h, "a string is too long");
        out[k++] = h->s[h->pos++];
    }
    if (h->pos >= h->len)
        return fail_hdr(h, "a string is not closed");
    h->pos++;
    out[k] = '\0';
    return true;
}

static bool parse_word(Hdr *h, const char *w)
{
    size_t n = strlen(w);
    skip_ws(h);
    if (h->len - h->pos >= n && memcmp(h->s + h->pos, w, n) == 0) {
        h->pos += n;
        return true;
    }
    return false;
}

static bool parse_bool(Hdr *h, bool *out)
{
    if (parse_word(h, "True"))
        *out = true;
    else if (parse_word(h, "False"))
        *out = false;
    else
        return fail_hdr(h, "fortran_order is not True or False");
    return true;
}

static bool parse_uint(Hdr *h, size_t *out)
{
    skip_ws(h);
    if (h->pos < h->len && h->s[h->pos] == '-')
        return fail_hdr(h, "a dimension is negative");
    if (h->pos >= h->len || h->s[h->pos] < '0' || h->s[h->pos] > '9')
        return fail_hdr(h, "shape is not a tuple of integers");
    size_t v = 0;
    while (h->pos < h->len && h->s[h->pos] >= '0' && h->s[h->pos] <= '9') {
        size_t d = (size_t)(h->s[h->pos++] - '0');
        /* numpy's limit: a dimension is an npy_intp (int64). */
        if (v > ((size_t)INT64_MAX - d) / 10)
            h->shape_overflow = true;
        else
            v = v * 10 + d;
    }
    if (h->pos < h->len && (h->s[h->pos] == 'L' || h->s[h->pos] == 'l'))
        h->pos++; /* Python 2 long */
    *out = v;
    return true;
}

/* "()", "(3,)", "(2, 3)", "(2, 3,)"; "(3)" is an int in Python, not a tuple. */
static bool parse_shape(Hdr *h)
{
    if (!expect(h, '(', "shape is not a tuple"))
        return false;
    h->ndim = 0;
    bool comma = false;
    while (!peek(h, ')')) {
        if (h->ndim == NPY_MAX_DIMS)
            return fail_hdr(h, "shape has too many dimensions");
        if (!parse_uint(h, &h->shape[h->ndim++]))
            return false;
        comma = peek(h, ',');
        if (comma)
            h->pos++;
        else if (!peek(h, ')'))
            return fail_hdr(h, "expected ',' or ')' in shape");
    }
    h->pos++;
    if (h->ndim == 1 && !comma)
        return fail_hdr(h, "shape is not a tuple (a 1-element tuple needs a trailing comma)");
    return true;
}

/* A non-string descr (a structured dtype list): keep its text for the message. */
static bool skip_value(Hdr *h, char *raw, size_t cap)
{
    skip_ws(h);
    size_t start = h->pos;
    int depth = 0;
    char q = 0;
    for (; h->pos < h->len; h->pos++) {
        char c = h->s[h->pos];
        if (q) {
            if (c == q)
                q = 0;
        } else if (c == '\'' || c == '"') {
            q = c;
        } else if (c == '[' || c == '(' || c == '{') {
            depth++;
        } else if (c == ']' || c == ')' || c == '}') {
            if (depth == 0)
                break;
            depth--;
        } else if (c == ',' && depth == 0) {
            break;
        }
    }
    if (h->pos == start || depth || q)
        return fail_hdr(h, "descr is not a dtype");
    size_t n = h->pos - start < cap - 1 ? h->pos - start : cap - 1;
    memcpy(raw, h->s + start, n);
    raw[n] = '\0';
    return true;
}

static bool parse_entry(Hdr *h)
{
    char key[64];
    if (!parse_str(h, key, sizeof key))
        return false;
    if (!expect(h, ':', "expected ':' after a key"))
        return false;
    if (strcmp(key, "descr") == 0) {
        if (h->have_descr)
            return fail_hdr(h, "key 'descr' appears twice");
        h->have_descr = true;
        skip_ws(h);
        if (h->pos < h->len && (h->s[h->pos] == '\'' || h->s[h->pos] == '"')) {
            h->descr_is_str = true;
            return parse_str(h, h->descr, sizeof h->descr);
        }
        return skip_value(h, h->descr_raw, sizeof h->descr_raw);
    }
    if (strcmp(key, "fortran_order") == 0) {
        if (h->have_fortran)
            return fail_hdr(h, "key 'fortran_order' appears twice");
        h->have_fortran = true;
        return parse_bool(h, &h->fortran);
    }
    if (strcmp(key, "shape") == 0) {
        if (h->have_shape)
            return fail_hdr(h, "key 'shape' appears twice");
        h->have_shape = true;
        return parse_shape(h);
    }
    snprintf(h->bad_key, sizeof h->bad_key, "%s", key);
    return fail_hdr(h, "unexpected key");
}

static bool parse_header(Hdr *h)
{
    if (!expect(h, '{', "it is not a dict"))
        return false;
    while (!peek(h, '}')) {
        if (!parse_entry(h))
            return false;
        if (peek(h, ','))
            h->pos++;
        else if (!peek(h, '}'))
            return fail_hdr(h, "expected ',' or '}' after a value");
    }
    h->pos++;
    skip_ws(h);
    if (h->pos != h->len)
        return fail_hdr(h, "text after the closing '}'");
    if (!h->have_descr)
        return fail_hdr(h, "no 'descr' key");
    if (!h->have_fortran)
        return fail_hdr(h, "no 'fortran_order' key");
    if (!h->have_shape)
        return fail_hdr(h, "no 'shape' key");
    return true;
}

/* ---- reading: the file -------------------------------------------------- */

static double get64(const unsigned char *p, bool big)
{
    uint64_t u = 0;
    for (int k = 0; k < 8; k++)
        u |= (uint64_t)p[big ? 7 - k : k] << (8 * k);
    double x;
    memcpy(&x, &u, 8);
    return x;
}

/* "(2, 3, 4)" for messages. */
static void fmt_shape(char *buf, size_t cap, const size_t *shape, size_t ndim)
{
    if (cap == 0)
        return;
    size_t k = 0;
    k += (size_t)snprintf(buf, cap, "(");
    for (size_t i = 0; i < ndim && k < cap; i++)
        k += (size_t)snprintf(buf + k, cap - k, i ? ", %zu" : "%zu", shape[i]);
    if (k < cap)
        snprintf(buf + k, cap - k, ndim == 1 ? ",)" : ")");
}

static int read_fail(FILE *f, int rc)
{
    if (f)
        fclose(f);
    return rc;
}

/* What the header says about the data: shape (nd dimensions, sh[0] x sh[1]), byte order, memory order. */
typedef struct NpyLayout {
    size_t nd, sh[2];
    bool big, fortran;
} NpyLayout;

/* The magic, the version and the header's length: *lenbytes (2 or 4) and *hlen.  Fails on a read error, a
 * file that is not .npy, an unknown version or a header over NPY_MAX_HEADER.  Leaves f open. */
static int read_preamble(FILE *f, const char *path, size_t *lenbytes, size_t *hlen, FbErr *err)
{
    unsigned char pre[12];
    size_t got = fread(pre, 1, 8, f);
    if (ferror(f))
        return fb_fail(err, "cannot read %s: %s", path, strerror(errno));
    if (got < NPY_MAGIC_LEN || memcmp(pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
        return fb_fail(err, "%s is not a NumPy .npy file (it does not start with \\x93NUMPY)", path);
    if (got < 8)
        return fb_fail(err, "%s is truncated: the header ends early", path);
    int major = pre[6], minor = pre[7];
    if (!((major == 1 || major == 2 || major == 3) && minor == 0))
        return fb_fail(err, "%s uses .npy format version %d.%d; fitbench reads versions 1.0, 2.0 and 3.0", path,
                       major, minor);
    *lenbytes = major == 1 ? 2 : 4;
    if (fread(pre + 8, 1, *lenbytes, f) != *lenbytes)
        return fb_fail(err, "%s is truncated: the header ends early", path);
    *hlen = (size_t)pre[8] | (size_t)pre[9] << 8;
    if (*lenbytes == 4)
        *hlen |= (size_t)pre[10] << 16 | (size_t)pre[11] << 24;
    if (*hlen > NPY_MAX_HEADER)
        return fb_fail(err, "%s has a %zu-byte header, more than the %zu bytes fitbench accepts", path, *hlen,
                       NPY_MAX_HEADER);
    return 0;
}

/* Why the parsed header h is not a float64 array of at most 2 dimensions fitbench can read: fails with the
 * message, 0 when it is. */
static int check_header(const Hdr *h, const char *path, FbErr *err)
{
    if (h->why) {
        if (h->bad_key[0])
            return fb_fail(err, "%s has a malformed header: unexpected key '%s' (a .npy header has 'descr', 'fortran_order' and 'shape')",
                           path, h->bad_key);
        return fb_fail(err, "%s has a malformed header: %s", path, h->why);
    }
    if (!h->descr_is_str)
        return fb_fail(err, "%s has a structured dtype %s, fitbench needs float64 '<f8'", path, h->descr_raw);
    if (strcmp(h->descr, "<f8") != 0 && strcmp(h->descr, ">f8") != 0)
        return fb_fail(err, "%s has dtype '%s', fitbench needs float64 '<f8'", path, h->descr);
    if (h->shape_overflow)
        return fb_fail(err, "%s has a dimension too large for this machine", path);
    if (h->ndim > 2) {
        char s[128];
        fmt_shape(s, sizeof s, h->shape, h->ndim);
        return fb_fail(err, "%s has %zu dimensions %s; fitbench reads arrays of at most 2", path, h->ndim, s);
    }
    return 0;
}

/* The hlen-byte header text from f, parsed and checked, into *lay.  Fails on a short read, out of memory,
 * or a header check_header refuses.  Leaves f open. */
static int read_header(FILE *f, const char *path, size_t hlen, NpyLayout *lay, FbErr *err)
{
    char *text = fb_malloc(hlen + 1, 1, "the .npy header", err);
    if (!text)
        return -1;
    size_t got = fread(text, 1, hlen, f);
    if (got != hlen) {
        free(text);
        return fb_fail(err, "%s is truncated: the header should be %zu bytes, found %zu", path, hlen, got);
    }
    text[hlen] = '\0';
    Hdr *h = calloc(1, sizeof *h);
    if (!h) {
        free(text);
        return fb_oom(err, "the .npy header", sizeof *h);
    }
    h->s = text;
    h->len = hlen;
    if (memchr(text, '\0', hlen))
        fail_hdr(h, "it contains a NUL byte");
    else
        parse_header(h);
    free(text);
    h->s = NULL;
    int rc = check_header(h, path, err);
    if (rc == 0) {
        lay->nd = h->ndim;
        lay->sh[0] = lay->nd > 0 ? h->shape[0] : 1;
        lay->sh[1] = lay->nd > 1 ? h->shape[1] : 1;
        lay->big = h->descr[0] == '>';
        lay->fortran = h->fortran;
    }
    free(h);
    return rc;
}

/* The n doubles (bytes = 8 n) at file offset `offset` of f (the read position), still in the file's byte
 * order, into *out (the caller frees).  A regular file's size is checked first, so a damaged header cannot
 * make us allocate gigabytes only to find the data missing.  Fails on a short or failed read, or out of
 * memory.  Leaves f open. */
static int read_data(FILE *f, const char *path, size_t offset, size_t n, double **out, FbErr *err)
{
    size_t bytes = n * 8;
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode)) {
        size_t avail = (uintmax_t)st.st_size > offset ? (size_t)st.st_size - offset : 0;
        if (avail < bytes)
            return fb_fail(err, "%s is truncated: expected %zu bytes of data, found %zu", path, bytes, avail);
    }
    double *buf = fb_malloc(n, 8, "the .npy data", err);
    if (!buf)
        return -1;
    size_t got = fread(buf, 1, bytes, f);
    if (got != bytes) {
        int e = ferror(f) ? errno : 0;
        free(buf);
        if (e)
            return fb_fail(err, "cannot read %s: %s", path, strerror(e));
        return fb_fail(err, "%s is truncated: expected %zu bytes of data, found %zu", path, bytes, got);
    }
    *out = buf;
    return 0;
}

/* The raw data of *buf (n = sh[0] * sh[1] elements) to native row-major doubles: byte order in place, and
 * a column-major 2-D array into a new buffer (*buf replaced, the old one freed).  Fails only on out of
 * memory (*buf then freed and NULL). */
static int to_native(double **buf, const NpyLayout *lay, size_t n, FbErr *err)
{
    /* To native doubles in place: each element is read as bytes before its
     * slot is overwritten. */
    double *b = *buf;
    unsigned char *raw = (unsigned char *)b;
    for (size_t i = 0; i < n; i++)
        b[i] = get64(raw + 8 * i, lay->big);
    const size_t *sh = lay->sh;
    if (lay->fortran && lay->nd == 2 && sh[0] > 1 && sh[1] > 1) {
        /* Column-major (r, c): element (i, j) is at j*r + i. */
        double *c = fb_malloc(n, 8, "the .npy data", err);
        if (!c) {
            free(b);
            *buf = NULL;
            return -1;
        }
        for (size_t i = 0; i < sh[0]; i++)
            for (size_t j = 0; j < sh[1]; j++)
                c[i * sh[1] + j] = b[j * sh[0] + i];
        free(b);
        *buf = c;
    }
    return 0;
}

int npy_read(const char *path, double **data, size_t *ndim, size_t shape[2], FbErr *err)
{
    *data = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return fb_fail(err, "cannot read %s: %s", path, strerror(errno));
    size_t lenbytes = 0, hlen = 0;
    NpyLayout lay = {0};
    if (read_preamble(f, path, &lenbytes, &hlen, err) || read_header(f, path, hlen, &lay, err))
        return read_fail(f, -1);
    const size_t *sh = lay.sh;
    if (sh[1] && sh[0] > SIZE_MAX / 8 / sh[1])
        return read_fail(f, fb_fail(err, "%s is too large: shape (%zu, %zu) overflows", path, sh[0], sh[1]));
    size_t n = sh[0] * sh[1];
    double *buf = NULL;
    if (read_data(f, path, 6 + 2 + lenbytes + hlen, n, &buf, err))
        return read_fail(f, -1);
    fclose(f);
    if (to_native(&buf, &lay, n, err))
        return -1;
    *data = buf;
    *ndim = lay.nd;
    shape[0] = sh[0];
    shape[1] = sh[1];
    return 0;
}

const char *npy_shape_text(char *buf, size_t cap, const size_t *shape, size_t ndim)
{
    fmt_shape(buf, cap, shape, ndim);
    return buf;
}
