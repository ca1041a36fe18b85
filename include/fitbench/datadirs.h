/* datadirs.h — where `load NAME` finds the shipped datasets: $FITBENCH_DATA, a build's source tree, the installed tree, a source tree. */
#ifndef FITBENCH_DATADIRS_H
#define FITBENCH_DATADIRS_H

#include <limits.h>

enum { DATADIRS_MAX = 6 };

/* The folders to search, in order, NULL-terminated in list (which points into dir). */
typedef struct DataDirs {
    char dir[DATADIRS_MAX][PATH_MAX];
    const char *list[DATADIRS_MAX + 1];
} DataDirs;

/* Fill dd with where the shipped datasets may be, in this order (docs/file-formats.md):
 *   1. $FITBENCH_DATA, when set;
 *   2. when the program runs from a meson build directory (build.ninja beside the executable), in the
 *      tree or out of it: the datasets/ of the source tree that build was configured from;
 *   3. the installed tree: BIN/../share/fitbench/datasets beside the executable (so a tree installed
 *      with --destdir or moved elsewhere works), then PREFIX/share/fitbench/datasets as configured;
 *   4. a source tree: BIN/../datasets (an executable in SRC/build/), then the configured source tree's.
 * The executable is /proc/self/exe, or argv0 when that cannot be read.  Folders that do not exist are
 * listed all the same (the lookup just finds nothing there).  Never fails. */
void datadirs_find(DataDirs *dd, const char *argv0);

#endif
