/* fuzz_script.c — libFuzzer target: the interpreter runs a whole script on a session with a tiny dataset.
 *
 * Confinement: the process works inside its own temp folder, `load NAME`
 * looks only there, and inputs naming another place (a '/' or '..') are
 * skipped, so file-writing commands (save, record) can only touch the
 * folder; what an input creates is removed after it.  Inputs with numbers
 * of three or more digits (or exponents, hex) are skipped too: `train
 * 100000000` is a long run, not a hang, and would drown the fuzzer.
 *
 * Inputs may be as long as the longest script line (SCRIPT_MAX_LINE, 1 MiB; run with -max_len=1048576):
 * a short cap hid a stack overflow that takes 20,000 '-' in a row.  Longer inputs are skipped. */
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "fitbench/command.h"
#include "fitbench/script.h"

#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void null_write(void *ctx, const char *s, size_t n) { (void)ctx, (void)s, (void)n; }

/* Files every input may use: made once, then restored before each input
 * (an input may overwrite or append to them: `record s.fit`). */
static const char *const keep[] = {"d.csv", "c.csv", "s.fit", "self.fit", "m.fbm", "w/W1.npy", "w/b1.npy",
                                   "w/W2.npy", "w/b2.npy", NULL};
static char *kept[16];
static size_t kept_len[16];

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = malloc(1 << 16);
    *len = buf ? fread(buf, 1, 1 << 16, f) : 0;
    fclose(f);
    return buf;
}

static void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *e;
            char sub[8192];
            while ((e = readdir(d)))
                if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                    snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
                    remove_tree(sub);
                }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* Remove what the last input made or changed, and put the kept files back. */
static void clean(void)
{
    DIR *d = opendir(".");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            remove_tree(e->d_name);
    closedir(d);
    if (mkdir("w", 0777) != 0)
        abort();
    for (int i = 0; keep[i]; i++) {
        FILE *f = fopen(keep[i], "wb");
        if (!f || fwrite(kept[i], 1, kept_len[i], f) != kept_len[i] || fclose(f) != 0)
            abort();
    }
}

static volatile sig_atomic_t no_interrupt;
static Sink null_sink = {null_write, NULL};
static const char *dirs[2];

static int run_text(const char *text, size_t len)
{
    Session s;
    session_init(&s);
    Interp it;
    interp_init(&it, &s, &null_sink, &null_sink);
    it.data_dirs = dirs;
    it.interrupt = &no_interrupt;
    it.keep_going = true; /* reach every line */
    /* The tiny dataset every script starts with. */
    int rc = script_line(&it, "gen linear n=12 d=2 noise=0.1 seed=3", 36, "setup", 1);
    if (rc == 0 && len) {
        FILE *fp = fmemopen((void *)text, len, "r");
        if (fp) {
            script_stream(&it, fp, "fuzz.fit");
            fclose(fp);
        }
    }
    interp_free(&it);
    session_free(&s);
    return rc;
}

static void setup_once(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    dirs[0] = fuzz_dir();
    static const char d_csv[] = "a,b,y\n1,2,3\n2,1,4.5\n3,3,6\n4,0,5\n5,2,8\n6,1,7.5\n";
    static const char c_csv[] = "x1,x2,label\n0.1,0.2,cat\n0.9,0.8,dog\n0.2,0.1,cat\n0.8,0.9,dog\n0.5,0.4,bird\n0.4,0.6,bird\n";
    static const char s_fit[] = "model mlp hidden=3\noptim adam lr=0.01\nstep 2\n";
    static const char self_fit[] = "echo once\nrun self.fit\n";
    char path[4200];
    fuzz_write("d.csv", (const uint8_t *)d_csv, sizeof d_csv - 1, path, sizeof path);
    fuzz_write("c.csv", (const uint8_t *)c_csv, sizeof c_csv - 1, path, sizeof path);
    fuzz_write("s.fit", (const uint8_t *)s_fit, sizeof s_fit - 1, path, sizeof path);
    fuzz_write("self.fit", (const uint8_t *)self_fit, sizeof self_fit - 1, path, sizeof path);
    static const char make[] = "model mlp hidden=3; step 3; save model m.fbm; save weights w";
    if (run_text(make, sizeof make - 1) != 0)
        abort();
    for (int i = 0; keep[i]; i++)
        if (!(kept[i] = slurp(keep[i], &kept_len[i])))
            abort();
}

/* Should this input be run?  See the top of the file. */
static int acceptable(const uint8_t *d, size_t n)
{
    int digits = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = d[i];
        if (c == '/')
            return 0;
        if (c == '.' && i + 1 < n && d[i + 1] == '.')
            return 0;
        if (c >= '0' && c <= '9') {
            if (++digits >= 3)
                return 0;
            if (i + 1 < n && (d[i + 1] == 'e' || d[i + 1] == 'E' || d[i + 1] == 'x' || d[i + 1] == 'X' ||
                              d[i + 1] == 'p' || d[i + 1] == 'P'))
                return 0;
        } else {
            digits = 0;
        }
    }
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > SCRIPT_MAX_LINE || !acceptable(data, size))
        return -1; /* not added to the corpus */
    /* Work in the temp folder, and come back: libFuzzer reads its corpus by relative paths. */
    int home = open(".", O_RDONLY | O_DIRECTORY);
    if (home < 0 || chdir(fuzz_dir()) != 0)
        abort();
    setup_once();
    run_text((const char *)data, size);
    clean();
    if (fchdir(home) != 0)
        abort();
    close(home);
    return 0;
}
