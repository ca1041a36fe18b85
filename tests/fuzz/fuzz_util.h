/* fuzz_util.h — shared by the libFuzzer targets: one private temp folder per process, input written to a file. */
#ifndef FITBENCH_FUZZ_UTIL_H
#define FITBENCH_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ftw.h>
#include <unistd.h>

static char fuzz_dir_path[4096];

static int fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static void fuzz_dir_remove(void)
{
    nftw(fuzz_dir_path, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS);
}

/* The process's scratch folder (made once, under $TMPDIR or /tmp, removed
 * at exit).  Exits on failure: a harness that cannot make a temp folder
 * cannot fuzz. */
static const char *fuzz_dir(void)
{
    char *dir = fuzz_dir_path;
    if (!dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(dir, sizeof fuzz_dir_path, "%s/fitbench-fuzz.XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            exit(1);
        }
        atexit(fuzz_dir_remove);
    }
    return dir;
}

/* Write data[0..size) to fuzz_dir()/name; the full path goes to path. */
static void fuzz_write(const char *name, const uint8_t *data, size_t size, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", fuzz_dir(), name);
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
}

#endif
