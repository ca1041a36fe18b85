/* fileio.h — atomic file writes (temp, fsync, rename) so a failed write leaves the old file intact. */
#ifndef FITBENCH_FILEIO_H
#define FITBENCH_FILEIO_H

#include <stddef.h>
#include <stdio.h>

#include "fitbench/err.h"

/* An open atomic write.  Write through `fp`; nothing appears at `path` until
 * atomic_commit succeeds.
 *
 * Special targets: when path already exists and is not a regular file (a
 * terminal, /dev/null, /dev/full, a FIFO), or names a descriptor
 * (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/...), there is nothing to
 * preserve and a temp file could not replace it, so fp writes straight to
 * it (appending, never truncating; /dev/stdout and /dev/fd/N share the
 * process's own descriptor, after flushing stdout) and `tmp` is NULL.  Errors are still
 * reported: /dev/full fails at atomic_commit with "No space left on
 * device".
 * A symlink to a regular file is followed: the file it points to is replaced
 * and the link is kept. */
typedef struct AtomicFile {
    FILE *fp;
    char *path;  /* final path (owned) */
    char *tmp;   /* temporary path in the same directory (owned); NULL when writing directly */
    void *state; /* private: the descriptor and the first write error (owned) */
} AtomicFile;

/* Create a temporary file beside path ("<path>.tmp.XXXXXX").  Fails (err
 * names the path and the reason, e.g. "cannot write out.csv: No such file
 * or directory") when the directory is missing or not writable, or when
 * path is a directory.  On failure af holds nothing to release. */
int atomic_open(AtomicFile *af, const char *path, FbErr *err);

/* Flush, fsync, close and rename over path, then fsync the directory (best
 * effort).  The new file gets the mode of the file it replaces, or
 * 0666 & ~umask when new, as fopen would.  On any failure (disk full, I/O
 * error, including a write error seen earlier on fp) the temporary file is
 * removed, path is untouched and err says why ("cannot write out.csv: No
 * space left on device").  Always releases af. */
int atomic_commit(AtomicFile *af, FbErr *err);

/* Give up: close and remove the temporary file.  NULL-safe, never fails. */
void atomic_abort(AtomicFile *af);

/* Write `len` bytes to path atomically.  Fails as atomic_open/atomic_commit. */
int atomic_write_file(const char *path, const void *data, size_t len, FbErr *err);

/* Create directory path (one level, mode 0777 & ~umask) if it does not
 * exist.  Fails with the reason when it cannot ("cannot create directory
 * w: No such file or directory"), or when path exists and is not a
 * directory. */
int ensure_dir(const char *path, FbErr *err);

#endif
