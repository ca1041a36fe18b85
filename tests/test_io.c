/* test_io.c — atomic file writes (suite "fileio") and NumPy .npy files (suite "npy"). */
#include <criterion/criterion.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fitbench/err.h"
#include "fitbench/fileio.h"
#include "fitbench/npy.h"

#ifndef FITBENCH_SRCDIR
#define FITBENCH_SRCDIR "."
#endif
#define FIX FITBENCH_SRCDIR "/tests/fixtures/npy/"

/* ---- helpers ------------------------------------------------------------ */

static char tmpdir[256];

static void make_tmpdir(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/fitbench-io-XXXXXX");
    cr_assert(mkdtemp(tmpdir) != NULL);
}

static void remove_tree(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(p);
        else
            unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static void drop_tmpdir(void)
{
    remove_tree(tmpdir);
}

static char *tpath(const char *name)
{
    static char buf[4][1024];
    static int k;
    k = (k + 1) % 4;
    snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
    return buf[k];
}

/* Whole file into a malloc'ed buffer; *len its size.  NULL if unreadable. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    unsigned char *b = malloc(cap);
    size_t got;
    while ((got = fread(b + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap)
            b = realloc(b, cap *= 2);
    }
    fclose(f);
    *len = n;
    return b;
}

static void write_raw(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert(f);
    cr_assert_eq(fwrite(data, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static void assert_content(const char *path, const char *want)
{
    size_t n;
    unsigned char *b = slurp(path, &n);
    cr_assert(b, "cannot read %s", path);
    cr_assert_eq(n, strlen(want), "%s has %zu bytes, want %zu", path, n, strlen(want));
    cr_assert(memcmp(b, want, n) == 0, "%s content differs", path);
    free(b);
}

/* No temp file of ours may be left in dir. */
static void assert_no_temps(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert(d);
    struct dirent *e;
    while ((e = readdir(d)))
        cr_assert(!strstr(e->d_name, ".tmp."), "temp file left behind: %s/%s", dir, e->d_name);
    closedir(d);
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    cr_assert(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static mode_t get_umask(void)
{
    mode_t m = umask(022);
    umask(m);
    return m;
}

/* ---- fileio ------------------------------------------------------------- */

TestSuite(fileio, .init = make_tmpdir, .fini = drop_tmpdir);

Test(fileio, writes_new_file_with_fopen_mode)
{
    FbErr err = {0};
    const char *p = tpath("new.txt");
    cr_assert_eq(atomic_write_file(p, "hello\n", 6, &err), 0, "%s", err.msg);
    assert_content(p, "hello\n");
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0666 & ~get_umask(), "mode %o", (unsigned)(st.st_mode & 0777));
    assert_no_temps(tmpdir);
    cr_assert_eq(count_entries(tmpdir), 1);
}

Test(fileio, mode_follows_umask)
{
    mode_t old = umask(077);
    FbErr err = {0};
    int rc = atomic_write_file(tpath("private.txt"), "x", 1, &err);
    umask(old);
    cr_assert_eq(rc, 0, "%s", err.msg);
    struct stat st;
    cr_assert_eq(stat(tpath("private.txt"), &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0600);
}

Test(fileio, replaces_file_and_keeps_its_mode)
{
    FbErr err = {0};
    const char *p = tpath("r.txt");
    write_raw(p, "old content that is longer\n", 27);
    cr_assert_eq(chmod(p, 0640), 0);
    cr_assert_eq(atomic_write_file(p, "new\n", 4, &err), 0, "%s", err.msg);
    assert_content(p, "new\n");
    struct stat st;
    cr_assert_eq(stat(p, &st), 0);
    cr_assert_eq(st.st_mode & 0777, 0640);
    assert_no_temps(tmpdir);
    cr_assert_eq(count_entries(tmpdir), 1);
}

Test(fileio, stream_nothing_visible_until_commit)
{
    FbErr err = {0};
    const char *p = tpath("s.txt");
    write_raw(p, "before", 6);
    AtomicFile af;
    cr_assert_eq(atomic_open(&af, p, &err), 0, "%s", err.msg);
    cr_assert(af.tmp != NULL);
    for (int i = 0; i < 10000; i++)
        fprintf(af.fp, "%d\n", i);
    assert_content(p, "before"); /* still the old file while writing */
    cr_assert_eq(atomic_commit(&af, &err), 0, "%s", err.msg);
    cr_assert_null(af.fp);
    size_t n;
    unsigned char *b = slurp(p, &n);
    cr_assert(b);
    cr_assert_eq(n, 48890); /* 10 + 90*2 + 900*3 + 9000*4 bytes of digits, plus 10000 newlines */
    cr_assert(memcmp(b, "0\n1\n2\n", 6) == 0);
    cr_assert(memcmp(b + n - 5, "9999\n", 5) == 0);
    free(b);
    assert_no_temps(tmpdir);
}

Test(fileio, abort_leaves_old_file)
{
    FbErr err = {0};
    const char *p = tpath("a.txt");
    write_raw(p, "keep me", 7);
    AtomicFile af;
    cr_assert_eq(atomic_open(&af, p, &err), 0, "%s", err.msg);
    fputs("garbage", af.fp);
    atomic_abort(&af);
    atomic_abort(&af); /* released: harmless */
    atomic_abort(NULL);
    assert_content(p, "keep me");
    assert_no_temps(tmpdir);
    cr_assert_eq(count_entries(tmpdir), 1);
}

Test(fileio, parent_is_a_file_fails_with_enotdir)
{
    FbErr err = {0};
    write_raw(tpath("plain"), "x", 1);
    const char *p = tpath("plain/out.csv");
    cr_assert_eq(atomic_write_file(p, "a", 1, &err), -1);
    char want[1200];
    snprintf(want, sizeof want, "cannot write %s: Not a directory", p);
    cr_assert_str_eq(err.msg, want);
    assert_no_temps(tmpdir);
}

Test(fileio, missing_directory_fails)
{
    FbErr err = {0};
    AtomicFile af;
    const char *p = tpath("nodir/out.csv");
    cr_assert_eq(atomic_open(&af, p, &err), -1);
    char want[1200];
    snprintf(want, sizeof want, "cannot write %s: No such file or directory", p);
    cr_assert_str_eq(err.msg, want);
    cr_assert_null(af.fp);
    cr_assert_null(af.tmp);
    atomic_abort(&af); /* nothing to release, still safe */
}

Test(fileio, target_is_directory_fails)
{
    FbErr err = {0};
    cr_assert_eq(atomic_write_file(tmpdir, "a", 1, &err), -1);
    cr_assert(strstr(err.msg, "Is a directory"), "%s", err.msg);
    cr_assert(strstr(err.msg, tmpdir), "%s", err.msg);
}

/* A write that fails halfway (file size limit: works even as root) must
 * leave the old file byte-identical and no temp behind. */
Test(fileio, failed_write_keeps_old_file_identical)
{
    FbErr err = {0};
    const char *p = tpath("model.txt");
    const char *old = "fitbench-model 1\nold numbers\n";
    write_raw(p, old, strlen(old));
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit saved, lim;
    cr_assert_eq(getrlimit(RLIMIT_FSIZE, &saved), 0);
    lim = saved;
    lim.rlim_cur = 10000;
    cr_assert_eq(setrlimit(RLIMIT_FSIZE, &lim), 0);

    AtomicFile af;
    int rc = atomic_open(&af, p, &err);
    for (int i = 0; rc == 0 && i < 5000; i++)
        fprintf(af.fp, "%.17g\n", i * 0.1); /* ~100 KB: fails at some buffer flush */
    int rc2 = rc == 0 ? atomic_commit(&af, &err) : -1;
    setrlimit(RLIMIT_FSIZE, &saved);

    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(rc2, -1);
    char want[1200];
    snprintf(want, sizeof want, "cannot write %s: File too large", p);
    cr_assert_str_eq(err.msg, want);
    assert_content(p, old);
    assert_no_temps(tmpdir);
    cr_assert_eq(count_entries(tmpdir), 1);
}

Test(fileio, dev_full_reports_no_space)
{
    FbErr err = {0};
    cr_assert_eq(atomic_write_file("/dev/full", "hello", 5, &err), -1);
    cr_assert_str_eq(err.msg, "cannot write /dev/full: No space left on device");

    /* Streamed, more than a stdio buffer: the error is seen by fprintf long
     * before commit, and commit still names it. */
    AtomicFile af;
    cr_assert_eq(atomic_open(&af, "/dev/full", &err), 0, "%s", err.msg);
    cr_assert_null(af.tmp);
    for (int i = 0; i < 20000; i++)
        fprintf(af.fp, "%d,", i);
    errno = 0; /* whatever errno says now, the message must not depend on it */
    cr_assert_eq(atomic_commit(&af, &err), -1);
    cr_assert_str_eq(err.msg, "cannot write /dev/full: No space left on device");
    struct stat st;
    cr_assert_eq(stat("/dev/full", &st), 0);
    cr_assert(S_ISCHR(st.st_mode), "/dev/full must still be a device");
}

Test(fileio, dev_null_succeeds_and_stays_a_device)
{
    FbErr err = {0};
    cr_assert_eq(atomic_write_file("/dev/null", "hello", 5, &err), 0, "%s", err.msg);
    struct stat st;
    cr_assert_eq(stat("/dev/null", &st), 0);
    cr_assert(S_ISCHR(st.st_mode));
}

/* /dev/fd/N shares the descriptor: the write lands at its current offset,
 * after what was already written through it (as for a redirected stdout). */
Test(fileio, dev_fd_shares_the_descriptor)
{
    FbErr err = {0};
    FILE *f = fopen(tpath("log.txt"), "w");
    cr_assert(f);
    fputs("head\n", f);
    fflush(f);
    char p[64];
    snprintf(p, sizeof p, "/dev/fd/%d", fileno(f));
    cr_assert_eq(atomic_write_file(p, "payload\n", 8, &err), 0, "%s", err.msg);
    fputs("tail\n", f);
    cr_assert_eq(fclose(f), 0);
    assert_content(tpath("log.txt"), "head\npayload\ntail\n");
    cr_assert_eq(atomic_write_file("/dev/fd/987", "x", 1, &err), -1);
    cr_assert_str_eq(err.msg, "cannot write /dev/fd/987: Bad file descriptor");
}

Test(fileio, symlink_is_followed_and_kept)
{
    FbErr err = {0};
    write_raw(tpath("real.txt"), "old", 3);
    cr_assert_eq(symlink("real.txt", tpath("link.txt")), 0);
    cr_assert_eq(atomic_write_file(tpath("link.txt"), "new", 3, &err), 0, "%s", err.msg);
    struct stat st;
    cr_assert_eq(lstat(tpath("link.txt"), &st), 0);
    cr_assert(S_ISLNK(st.st_mode), "the link was replaced by a file");
    assert_content(tpath("real.txt"), "new");
    assert_no_temps(tmpdir);
}

Test(fileio, very_long_name_still_works)
{
    char name[251];
    memset(name, 'n', 250);
    name[250] = '\0';
    FbErr err = {0};
    cr_assert_eq(atomic_write_file(tpath(name), "long", 4, &err), 0, "%s", err.msg);
    assert_content(tpath(name), "long");
    cr_assert_eq(count_entries(tmpdir), 1);
}

Test(fileio, empty_file)
{
    FbErr err = {0};
    cr_assert_eq(atomic_write_file(tpath("empty"), NULL, 0, &err), 0, "%s", err.msg);
    assert_content(tpath("empty"), "");
}

Test(fileio, ensure_dir_cases)
{
    FbErr err = {0};
    const char *d = tpath("weights");
    cr_assert_eq(ensure_dir(d, &err), 0, "%s", err.msg);
    struct stat st;
    cr_assert_eq(stat(d, &st), 0);
    cr_assert(S_ISDIR(st.st_mode));
    cr_assert_eq(ensure_dir(d, &err), 0, "%s", err.msg); /* exists: fine */

    write_raw(tpath("afile"), "x", 1);
    cr_assert_eq(ensure_dir(tpath("afile"), &err), -1);
    char want[1200];
    snprintf(want, sizeof want, "cannot create directory %s: it exists and is not a directory",
             tpath("afile"));
    cr_assert_str_eq(err.msg, want);

    const char *deep = tpath("no/such");
    cr_assert_eq(ensure_dir(deep, &err), -1);
    snprintf(want, sizeof want, "cannot create directory %s: No such file or directory", deep);
    cr_assert_str_eq(err.msg, want);
}

/* ---- npy ---------------------------------------------------------------- */

TestSuite(npy, .init = make_tmpdir, .fini = drop_tmpdir);

/* The formulas of tools/make_npy_fixtures.py. */
static double a1(size_t i)
{
    return (double)(i + 1) / 8 - 2;
}

static double a2(size_t i, size_t j)
{
    return 10.0 * (double)i + (double)j + 0.5;
}

static const double SPECIAL[7] = {-0.0, INFINITY, -INFINITY, NAN, 5e-324, 1.7976931348623157e308,
                                  2.2250738585072014e-308};

static void assert_same_bits(double got, double want, size_t i)
{
    if (isnan(want)) {
        cr_assert(isnan(got), "element %zu: want nan, got %.17g", i, got);
        return;
    }
    cr_assert(memcmp(&got, &want, 8) == 0, "element %zu: want %.17g, got %.17g", i, want, got);
}

static void check_2d(const char *name, size_t r, size_t c)
{
    double *x = NULL;
    size_t nd = 9, sh[2] = {0, 0};
    FbErr err = {0};
    cr_assert_eq(npy_read(name, &x, &nd, sh, &err), 0, "%s", err.msg);
    cr_assert_eq(nd, 2);
    cr_assert_eq(sh[0], r);
    cr_assert_eq(sh[1], c);
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < c; j++)
            assert_same_bits(x[i * c + j], a2(i, j), i * c + j);
    free(x);
}

static void check_1d(const char *name, size_t n)
{
    double *x = NULL;
    size_t nd = 9, sh[2] = {0, 0};
    FbErr err = {0};
    cr_assert_eq(npy_read(name, &x, &nd, sh, &err), 0, "%s", err.msg);
    cr_assert_eq(nd, 1);
    cr_assert_eq(sh[0], n);
    cr_assert_eq(sh[1], 1);
    for (size_t i = 0; i < n; i++)
        assert_same_bits(x[i], a1(i), i);
    free(x);
}

static void expect_fail(const char *path, const char *want)
{
    double *x = (double *)&x; /* must come back NULL */
    size_t nd = 0, sh[2] = {0, 0};
    FbErr err = {0};
    cr_assert_eq(npy_read(path, &x, &nd, sh, &err), -1, "%s loaded", path);
    cr_assert_null(x);
    cr_assert_str_eq(err.msg, want);
}

Test(npy, reads_numpy_fixtures)
{
    check_1d(FIX "f64_1d.npy", 5);
    check_2d(FIX "f64_2d_c.npy", 2, 3);
    check_2d(FIX "f64_2d_fortran.npy", 3, 4); /* transposed back to C order */
    check_2d(FIX "f64_be.npy", 2, 3);         /* '>f8' byte-swapped */
    check_2d(FIX "f64_v2.npy", 2, 3);         /* 4-byte header length */
    check_1d(FIX "f64_v3.npy", 4);
    check_2d(FIX "f64_hand.npy", 2, 3);       /* key order, quotes, spaces, trailing comma */
}

Test(npy, reads_0d)
{
    double *x = NULL;
    size_t nd = 9, sh[2] = {0, 0};
    FbErr err = {0};
    cr_assert_eq(npy_read(FIX "f64_0d.npy", &x, &nd, sh, &err), 0, "%s", err.msg);
    cr_assert_eq(nd, 0);
    cr_assert_eq(sh[0], 1);
    cr_assert_eq(sh[1], 1);
    cr_assert_eq(x[0], 3.5);
    free(x);
}

Test(npy, reads_special_values_bit_exact)
{
    double *x = NULL;
    size_t nd, sh[2];
    FbErr err = {0};
    cr_assert_eq(npy_read(FIX "f64_special.npy", &x, &nd, sh, &err), 0, "%s", err.msg);
    cr_assert_eq(nd, 1);
    cr_assert_eq(sh[0], 7);
    for (size_t i = 0; i < 7; i++)
        assert_same_bits(x[i], SPECIAL[i], i);
    cr_assert(signbit(x[0]), "-0.0 lost its sign");
    free(x);
}

Test(npy, rejects_other_dtypes_and_shapes)
{
    expect_fail(FIX "f32.npy", FIX "f32.npy has dtype '<f4', fitbench needs float64 '<f8'");
    expect_fail(FIX "i64.npy", FIX "i64.npy has dtype '<i8', fitbench needs float64 '<f8'");
    expect_fail(FIX "f64_3d.npy", FIX "f64_3d.npy has 3 dimensions (2, 3, 4); fitbench reads arrays of at most 2");
}

Test(npy, rejects_truncated)
{
    expect_fail(FIX "truncated.npy", FIX "truncated.npy is truncated: expected 800 bytes of data, found 120");
}

Test(npy, missing_file)
{
    char want[1200];
    snprintf(want, sizeof want, "cannot read %s: No such file or directory", tpath("none.npy"));
    expect_fail(tpath("none.npy"), want);
}

/* Format 1.0 file with the given header text, padded like numpy, then
 * `ndata` bytes of data (0x00). */
static void make_npy(const char *path, int major, int minor, const char *header, size_t ndata)
{
    size_t lenbytes = major == 1 ? 2 : 4;
    size_t hl = strlen(header) + 1;
    size_t pad = 64 - (6 + 2 + lenbytes + hl) % 64;
    size_t total = hl + pad;
    size_t size = 8 + lenbytes + total + ndata;
    unsigned char *b = calloc(1, size);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = (unsigned char)minor;
    for (size_t k = 0; k < lenbytes; k++)
        b[8 + k] = (unsigned char)(total >> (8 * k));
    memcpy(b + 8 + lenbytes, header, hl - 1);
    memset(b + 8 + lenbytes + hl - 1, ' ', pad);
    b[8 + lenbytes + total - 1] = '\n';
    write_raw(path, b, size);
    free(b);
}

static void expect_fail_hdr(const char *header, const char *tail)
{
    const char *p = tpath("bad.npy");
    make_npy(p, 1, 0, header, 64);
    char want[1200];
    snprintf(want, sizeof want, "%s %s", p, tail);
    expect_fail(p, want);
}

Test(npy, rejects_malformed_headers)
{
    expect_fail_hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (3), }",
                    "has a malformed header: shape is not a tuple (a 1-element tuple needs a trailing comma)");
    expect_fail_hdr("{'descr': '<f8', 'fortran_order': False, }", "has a malformed header: no 'shape' key");
    expect_fail_hdr("{'descr': '<f8', 'fortran_order': 0, 'shape': (3,), }",
                    "has a malformed header: fortran_order is not True or False");
    expect_fail_hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), 'extra': 1}",
                    "has a malformed header: unexpected key 'extra' (a .npy header has 'descr', 'fortran_order' and 'shape')");
    expect_fail_hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (-3,), }",
                    "has a malformed header: a dimension is negative");
    expect_fail_hdr("{'descr': '<f8' 'fortran_order': False, 'shape': (3,), }",
                    "has a malformed header: expected ',' or '}' after a value");
    expect_fail_hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (3,), } x",
                    "has a malformed header: text after the closing '}'");
    expect_fail_hdr("{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, 'shape': (3,)}",
                    "has a malformed header: key 'descr' appears twice");
    expect_fail_hdr("['descr', '<f8']", "has a malformed header: it is not a dict");
    expect_fail_hdr("{'descr': [('a', '<f8'), ('b', '<i4')], 'fortran_order': False, 'shape': (3,), }",
                    "has a structured dtype [('a', '<f8'), ('b', '<i4')], fitbench needs float64 '<f8'");
    expect_fail_hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,), }",
                    "has a dimension too large for this machine");
}

Test(npy, accepts_python2_longs_and_ignores_trailing_bytes)
{
    const char *p = tpath("py2.npy");
    make_npy(p, 1, 0, "{'descr': '<f8', 'fortran_order': True, 'shape': (2L, 1L), }", 24);
    double *x = NULL;
    size_t nd, sh[2];
    FbErr err = {0};
    cr_assert_eq(npy_read(p, &x, &nd, sh, &err), 0, "%s", err.msg);
    cr_assert_eq(nd, 2);
    cr_assert_eq(sh[0], 2);
    cr_assert_eq(sh[1], 1);
    cr_assert_eq(x[0], 0.0);
    free(x);
}

Test(npy, rejects_bad_versions_and_magic)
{
    const char *p = tpath("v.npy");
    char want[1200];
    make_npy(p, 4, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 8);
    snprintf(want, sizeof want, "%s uses .npy format version 4.0; fitbench reads versions 1.0, 2.0 and 3.0", p);
    expect_fail(p, want);
    make_npy(p, 1, 1, "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", 8);
    snprintf(want, sizeof want, "%s uses .npy format version 1.1; fitbench reads versions 1.0, 2.0 and 3.0", p);
    expect_fail(p, want);

    write_raw(p, "a,b\n1,2\n", 8);
    snprintf(want, sizeof want, "%s is not a NumPy .npy file (it does not start with \\x93NUMPY)", p);
    expect_fail(p, want);
    write_raw(p, "", 0);
    expect_fail(p, want);
    write_raw(p, "\x93NUMPY\x01", 7);
    snprintf(want, sizeof want, "%s is truncated: the header ends early", p);
    expect_fail(p, want);
    write_raw(p, "\x93NUMPY\x01\x00\x76\x00{'descr'", 18);
    snprintf(want, sizeof want, "%s is truncated: the header should be 118 bytes, found 8", p);
    expect_fail(p, want);
}

/* A header claiming a huge array must fail on size, not try to allocate it. */
Test(npy, huge_shape_in_small_file)
{
    const char *p = tpath("huge.npy");
    char want[1200];
    make_npy(p, 1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (100000000, 100000), }", 16);
    snprintf(want, sizeof want, "%s is truncated: expected 80000000000000 bytes of data, found 16", p);
    expect_fail(p, want);
    make_npy(p, 1, 0, "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296), }", 16);
    snprintf(want, sizeof want, "%s is too large: shape (4294967296, 4294967296) overflows", p);
    expect_fail(p, want);
}

static void roundtrip(size_t ndim, const size_t *shape, const double *data, size_t n)
{
    const char *p = tpath("rt.npy");
    FbErr err = {0};
    cr_assert_eq(npy_write(p, data, ndim, shape, &err), 0, "%s", err.msg);
    double *x = NULL;
    size_t nd, sh[2];
    cr_assert_eq(npy_read(p, &x, &nd, sh, &err), 0, "%s", err.msg);
    cr_assert_eq(nd, ndim);
    for (size_t k = 0; k < 2; k++)
        cr_assert_eq(sh[k], k < ndim ? shape[k] : 1);
    for (size_t i = 0; i < n; i++)
        assert_same_bits(x[i], data[i], i);
    free(x);
    assert_no_temps(tmpdir);
}

Test(npy, round_trip)
{
    double d[12];
    for (size_t i = 0; i < 12; i++)
        d[i] = sin((double)i) * 1e10 / 3;
    roundtrip(1, (size_t[]){12}, d, 12);
    roundtrip(2, (size_t[]){3, 4}, d, 12);
    roundtrip(2, (size_t[]){12, 1}, d, 12);
    roundtrip(0, NULL, d, 1);
    roundtrip(1, (size_t[]){0}, NULL, 0);
    roundtrip(1, (size_t[]){7}, SPECIAL, 7);
}

static void same_as_numpy(const char *ref, const double *data, size_t ndim, const size_t *shape)
{
    const char *p = tpath("ours.npy");
    FbErr err = {0};
    cr_assert_eq(npy_write(p, data, ndim, shape, &err), 0, "%s", err.msg);
    size_t n1, n2;
    unsigned char *ours = slurp(p, &n1), *theirs = slurp(ref, &n2);
    cr_assert(ours && theirs, "cannot read %s", ref);
    cr_assert_eq(n1, n2, "%s: %zu bytes, numpy wrote %zu", ref, n1, n2);
    for (size_t i = 0; i < n1; i++)
        cr_assert_eq(ours[i], theirs[i], "%s differs from numpy at byte %zu", ref, i);
    free(ours);
    free(theirs);
}

Test(npy, writer_matches_numpy_byte_for_byte)
{
    double d[1000];
    for (size_t i = 0; i < 1000; i++)
        d[i] = a1(i);
    same_as_numpy(FIX "ref_1d.npy", d, 1, (size_t[]){3});
    same_as_numpy(FIX "ref_1000.npy", d, 1, (size_t[]){1000});
    double m[6];
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 3; j++)
            m[i * 3 + j] = a2(i, j);
    same_as_numpy(FIX "ref_2d.npy", m, 2, (size_t[]){2, 3});
    double s = 3.5;
    same_as_numpy(FIX "ref_0d.npy", &s, 0, NULL);
    same_as_numpy(FIX "ref_empty.npy", NULL, 1, (size_t[]){0});
    same_as_numpy(FIX "ref_empty2d.npy", NULL, 2, (size_t[]){0, 7});
    same_as_numpy(FIX "ref_special.npy", SPECIAL, 1, (size_t[]){7});
}

Test(npy, header_is_aligned_to_64)
{
    /* Whatever the shape's digit count, the data starts at a multiple of 64
     * (empty arrays: the file is just the header). */
    size_t shapes[][2] = {{0, 1}, {0, 99999}, {123456789, 0}, {0, 123456789012345}, {1, 0}};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        const char *p = tpath("al.npy");
        FbErr err = {0};
        cr_assert_eq(npy_write(p, NULL, 2, shapes[k], &err), 0, "%s", err.msg);
        size_t n;
        unsigned char *b = slurp(p, &n);
        cr_assert(b);
        cr_assert_eq(n % 64, 0, "shape %zu: header of %zu bytes", k, n);
        cr_assert_eq(b[n - 1], '\n');
        free(b);
        double *x = NULL;
        size_t nd, sh[2];
        cr_assert_eq(npy_read(p, &x, &nd, sh, &err), 0, "%s", err.msg);
        cr_assert_eq(sh[0], shapes[k][0]);
        cr_assert_eq(sh[1], shapes[k][1]);
        free(x);
    }
}

Test(npy, write_errors)
{
    FbErr err = {0};
    double d[8] = {0};
    cr_assert_eq(npy_write("/dev/full", d, 1, (size_t[]){8}, &err), -1);
    cr_assert_str_eq(err.msg, "cannot write /dev/full: No space left on device");
    cr_assert_eq(npy_write(tpath("x.npy"), d, 3, (size_t[]){2, 2, 2}, &err), -1);
    char want[1200];
    snprintf(want, sizeof want, "cannot write %s: fitbench writes arrays of at most 2 dimensions, not 3",
             tpath("x.npy"));
    cr_assert_str_eq(err.msg, want);
    cr_assert_eq(npy_write(tpath("nodir/x.npy"), d, 1, (size_t[]){8}, &err), -1);
    cr_assert(strstr(err.msg, "No such file or directory"), "%s", err.msg);
    assert_no_temps(tmpdir);
}
