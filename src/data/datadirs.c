/* datadirs.c — the folders `load NAME` searches for shipped datasets, in their documented order (datadirs.h). */
#include "fitbench/datadirs.h"

#include <libgen.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef FITBENCH_DATADIR
#define FITBENCH_DATADIR "/usr/local/share/fitbench"
#endif
#ifndef FITBENCH_SOURCE_DIR
#define FITBENCH_SOURCE_DIR ""
#endif

static void add(DataDirs *dd, int *n, const char *a, const char *b)
{
    if (*n == DATADIRS_MAX || !*a)
        return;
    snprintf(dd->dir[*n], PATH_MAX, "%s%s", a, b);
    dd->list[*n] = dd->dir[*n];
    (*n)++;
}

void datadirs_find(DataDirs *dd, const char *argv0)
{
    int n = 0;
    const char *env = getenv("FITBENCH_DATA");
    if (env && *env)
        add(dd, &n, env, "");
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0) {
        snprintf(exe, sizeof exe, "%s", argv0 ? argv0 : ".");
        len = (ssize_t)strlen(exe);
    }
    exe[len] = '\0';
    const char *bin = dirname(exe);
    char probe[PATH_MAX];
    snprintf(probe, sizeof probe, "%s/build.ninja", bin);
    struct stat st;
    bool in_build = stat(probe, &st) == 0;
    if (in_build)
        add(dd, &n, FITBENCH_SOURCE_DIR, FITBENCH_SOURCE_DIR[0] ? "/datasets" : "");
    add(dd, &n, bin, "/../share/fitbench/datasets");
    add(dd, &n, FITBENCH_DATADIR, "/datasets");
    add(dd, &n, bin, "/../datasets");
    if (!in_build)
        add(dd, &n, FITBENCH_SOURCE_DIR, FITBENCH_SOURCE_DIR[0] ? "/datasets" : "");
    dd->list[n] = NULL;
}
