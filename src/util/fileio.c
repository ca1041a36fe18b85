/* fileio.c — atomic file writes: temp beside the target, fsync, rename; direct writes to devices. */
#include "fitbench/fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* What the stdio cookie writes through.  Recording the first errno here
 * (rather than trusting errno at commit time) is what lets a disk-full
 * error seen by an earlier fprintf still be reported as "No space left on
 * device". */
typedef struct WState {
    int fd;
    int err;      /* first write/close error, 0 if none */
    char *target; /* the file actually replaced: path, or what a symlink points to (owned) */
} WState;

static ssize_t ws_write(void *cookie, const char *buf, size_t n)
{
    WState *s = cookie;
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(s->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (!s->err)
                s->err = w < 0 ? errno : EIO;
            break;
        }
        done += (size_t)w;
    }
    return (ssize_t)done; /* short count: stdio sets the error flag */
}

static int ws_seek(void *cookie, off64_t *pos, int whence)
{
    WState *s = cookie;
    off_t r = lseek(s->fd, (off_t)*pos, whence);
    if (r < 0)
        return -1;
    *pos = (off64_t)r;
    return 0;
}

static int ws_close(void *cookie)
{
    WState *s = cookie;
    int r = close(s->fd);
    s->fd = -1;
    /* On Linux the descriptor is gone even after EINTR; only real errors count
     * (NFS reports a failed write-back here). */
    if (r != 0 && errno != EINTR) {
        if (!s->err)
            s->err = errno;
        return -1;
    }
    return 0;
}

static bool has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

/* The descriptor a path like /dev/stdout, /dev/fd/3 or /proc/self/fd/3
 * names, or -1. */
static int own_fd(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0)
        return 1;
    if (strcmp(path, "/dev/stderr") == 0)
        return 2;
    const char *num = NULL;
    if (has_prefix(path, "/dev/fd/"))
        num = path + strlen("/dev/fd/");
    else if (has_prefix(path, "/proc/self/fd/"))
        num = path + strlen("/proc/self/fd/");
    if (!num || *num < '0' || *num > '9')
        return -1;
    char *end;
    long v = strtol(num, &end, 10);
    return *end == '\0' && v <= INT_MAX ? (int)v : -1;
}

/* The process umask without changing it (umask() can only be read by
 * setting it, which would race with other threads creating files). */
static mode_t current_umask(void)
{
    FILE *f = fopen("/proc/self/status", "re");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "Umask:", 6) == 0) {
                fclose(f);
                return (mode_t)strtoul(line + 6, NULL, 8) & 0777;
            }
        }
        fclose(f);
    }
    mode_t m = umask(022);
    umask(m);
    return m;
}

/* "dir/name" -> "dir", "name" -> ".", "/name" -> "/".  Caller frees. */
static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static void fsync_dir(const char *target)
{
    char *dir = dir_of(target);
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: some filesystems refuse directory fsync */
        close(fd);
    }
    free(dir);
}

/* Free everything af owns; leaves it zeroed so a second release is harmless. */
static void release(AtomicFile *af)
{
    WState *s = af->state;
    if (s) {
        if (s->fd >= 0)
            close(s->fd);
        free(s->target);
        free(s);
    }
    free(af->path);
    free(af->tmp);
    memset(af, 0, sizeof *af);
}

/* mkstemp beside target: "<target>.tmp.XXXXXX", or a short name when the
 * target's name is already near the length limit. */
static int make_temp(const char *target, char **tmp_out)
{
    size_t n = strlen(target);
    char *tmp = malloc(n + sizeof ".tmp.XXXXXX");
    if (!tmp) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(tmp, target, n);
    memcpy(tmp + n, ".tmp.XXXXXX", sizeof ".tmp.XXXXXX");
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0 && errno == ENAMETOOLONG) {
        char *dir = dir_of(target);
        char *alt = dir ? malloc(strlen(dir) + sizeof "/.fitbench.tmp.XXXXXX") : NULL;
        if (!alt) {
            free(dir);
            free(tmp);
            errno = ENOMEM;
            return -1;
        }
        strcpy(alt, dir);
        strcat(alt, "/.fitbench.tmp.XXXXXX");
        free(dir);
        free(tmp);
        tmp = alt;
        fd = mkostemp(tmp, O_CLOEXEC);
    }
    if (fd < 0) {
        int e = errno;
        free(tmp);
        errno = e;
        return -1;
    }
    *tmp_out = tmp;
    return fd;
}

/* A device, FIFO or /dev/stdout-like name, written straight through (appending).  -1 with errno on
 * failure. */
static int open_direct(const char *path)
{
    int own = own_fd(path);
    if (own < 0)
        return open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC);
    /* Share the descriptor (and so the file offset) with our own
     * stdout: reopening a redirected stdout would write at offset 0
     * over what was printed.  Flush what is printed first so the
     * order on screen is the order of the commands. */
    if (own == 1)
        fflush(stdout);
    return fcntl(own, F_DUPFD_CLOEXEC, 3);
}

/* A regular file: s->target (the file a symlink points to, keeping the link; the caller's release frees
 * it) and a temporary file beside it, s->fd named af->tmp, with the mode (and, for root, the owner) of the
 * file it replaces (`old`, NULL when there is none) or what fopen would give.  Fails on out of memory or
 * when the temporary file cannot be made. */
static int open_temp(AtomicFile *af, WState *s, const char *path, const struct stat *old, FbErr *err)
{
    struct stat lst;
    /* Replace the file a symlink points to, keeping the link. */
    if (old && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode))
        s->target = realpath(path, NULL);
    if (!s->target)
        s->target = strdup(path);
    if (!s->target)
        return fb_oom(err, "a file name", strlen(path) + 1);
    s->fd = make_temp(s->target, &af->tmp);
    if (s->fd < 0)
        return fb_fail(err, "cannot write %s: %s", path, strerror(errno));
    /* mkstemp makes 0600; give the file what fopen would (or what the
     * replaced file had).  Best effort: some filesystems refuse. */
    if (old) {
        if (geteuid() == 0 && fchown(s->fd, old->st_uid, old->st_gid) != 0) {
            /* keep going: the owner is a nicety, the data is what matters */
        }
        (void)fchmod(s->fd, old->st_mode & 07777);
    } else {
        (void)fchmod(s->fd, 0666 & ~current_umask());
    }
    return 0;
}

int atomic_open(AtomicFile *af, const char *path, FbErr *err)
{
    memset(af, 0, sizeof *af);
    if (!path || !*path)
        return fb_fail(err, "cannot write a file with an empty name");

    struct stat st;
    bool exists = stat(path, &st) == 0;
    if (exists && S_ISDIR(st.st_mode))
        return fb_fail(err, "cannot write %s: Is a directory", path);
    /* Devices, FIFOs and /dev/stdout-like names: nothing to preserve, and a
     * rename would replace the device node (we may run as root), so write
     * straight through.  Append, so /dev/stdout redirected to a file does not
     * clobber what the program already printed there. */
    bool direct = (exists && !S_ISREG(st.st_mode)) || has_prefix(path, "/proc/") ||
                  has_prefix(path, "/dev/fd/") || strcmp(path, "/dev/stdout") == 0 ||
                  strcmp(path, "/dev/stderr") == 0;

    WState *s = calloc(1, sizeof *s);
    af->path = strdup(path);
    if (!s || !af->path) {
        free(s);
        release(af);
        return fb_oom(err, "a file name", strlen(path) + 1);
    }
    s->fd = -1;
    af->state = s;

    if (direct) {
        s->fd = open_direct(path);
        if (s->fd < 0) {
            int e = errno;
            release(af);
            return fb_fail(err, "cannot write %s: %s", path, strerror(e));
        }
    } else if (open_temp(af, s, path, exists ? &st : NULL, err)) {
        release(af);
        return -1;
    }

    cookie_io_functions_t io = {.read = NULL, .write = ws_write, .seek = ws_seek, .close = ws_close};
    af->fp = fopencookie(s, "w", io);
    if (!af->fp) {
        if (af->tmp)
            unlink(af->tmp);
        release(af);
        return fb_fail(err, "cannot write %s: out of memory", path);
    }
    return 0;
}

int atomic_commit(AtomicFile *af, FbErr *err)
{
    if (!af || !af->fp) {
        if (af)
            release(af);
        return fb_fail(err, "internal error: atomic_commit on a file that is not open");
    }
    WState *s = af->state;
    int e = 0;
    if (fflush(af->fp) != 0 || ferror(af->fp))
        e = s->err ? s->err : EIO;
    /* fsync on a temp file: the data must be on disk before the rename makes
     * it visible.  Devices and FIFOs are not synced (many reject it). */
    if (!e && af->tmp && fsync(s->fd) != 0 && errno != EINVAL && errno != EROFS)
        e = errno;
    if (fclose(af->fp) != 0 && !e)
        e = s->err ? s->err : EIO;
    af->fp = NULL;
    if (!e && af->tmp && rename(af->tmp, s->target) != 0)
        e = errno;
    if (e) {
        if (af->tmp)
            unlink(af->tmp);
        fb_fail(err, "cannot write %s: %s", af->path, strerror(e));
        release(af);
        return -1;
    }
    if (af->tmp)
        fsync_dir(s->target);
    release(af);
    return 0;
}

void atomic_abort(AtomicFile *af)
{
    if (!af)
        return;
    if (af->fp)
        fclose(af->fp);
    af->fp = NULL;
    if (af->tmp)
        unlink(af->tmp);
    release(af);
}

int atomic_write_file(const char *path, const void *data, size_t len, FbErr *err)
{
    AtomicFile af;
    if (atomic_open(&af, path, err) != 0)
        return -1;
    if (len)
        (void)fwrite(data, 1, len, af.fp); /* a short write sets the error flag; commit reports it */
    return atomic_commit(&af, err);
}

int ensure_dir(const char *path, FbErr *err)
{
    if (!path || !*path)
        return fb_fail(err, "cannot create a directory with an empty name");
    if (mkdir(path, 0777) == 0)
        return 0;
    int e = errno;
    struct stat st;
    if (e == EEXIST) {
        if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            return 0;
        return fb_fail(err, "cannot create directory %s: it exists and is not a directory", path);
    }
    return fb_fail(err, "cannot create directory %s: %s", path, strerror(e));
}
