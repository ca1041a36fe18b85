/* blas.c — OpenBLAS's process-wide state, owned here alone: its thread count (blas_threads, blas_set_threads,
 * blas_single_begin/end) and room for its work buffers under a memory limit (blas_reserve, blas_ready,
 * blas_callers_fit).  The only file that calls openblas_* (tools/check_layers). */
#include "fitbench/blas.h"

#include <cblas.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#define BLAS_BUFFER ((size_t)128 << 20) /* OpenBLAS 0.3's BUFFER_SIZE on x86-64: one per thread */
#define BLAS_SLACK ((size_t)4 << 20)    /* kept free for the mappings malloc and the threads make meanwhile */

static bool blas_mapped;      /* the main thread's buffer is mapped: no later BLAS call there maps one */
static int blas_workers = -1; /* worker threads OpenBLAS has started (-1: not known yet) */
static int blas_callers;      /* other threads of ours that have been let call BLAS (their buffers stay in the pool) */

/* The tighter of the two limits OpenBLAS's mmap can run into. */
typedef struct Room {
    char flag;                /* 'v' (RLIMIT_AS, against VmSize) or 'd' (RLIMIT_DATA, against VmData) */
    size_t limit, used;       /* bytes */
} Room;

/* false when neither soft limit is set: two getrlimit calls, the whole cost
 * of the check in the usual case. */
static bool blas_room(Room *r)
{
    struct rlimit as, data;
    bool has_as = getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY;
    bool has_data = getrlimit(RLIMIT_DATA, &data) == 0 && data.rlim_cur != RLIM_INFINITY;
    if (!has_as && !has_data)
        return false;
    size_t vm = 0, vd = 0; /* KiB */
    FILE *f = fopen("/proc/self/status", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "VmSize: %zu", &vm) != 1)
                sscanf(line, "VmData: %zu", &vd);
        fclose(f);
    }
    Room a = {'v', has_as ? (size_t)as.rlim_cur : SIZE_MAX, vm * 1024};
    Room d = {'d', has_data ? (size_t)data.rlim_cur : SIZE_MAX, vd * 1024};
    size_t left_a = a.limit > a.used ? a.limit - a.used : 0, left_d = d.limit > d.used ? d.limit - d.used : 0;
    *r = left_d < left_a ? d : a;
    return true;
}

static size_t room_left(const Room *r)
{
    return r->limit > r->used ? r->limit - r->used : 0;
}

/* Buffers the workers have mapped: large anonymous read-write mappings, in
 * buffers (neighbours merge into one line).  Before main does any work
 * nothing else that large is mapped. */
static size_t blas_buffers_mapped(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return 0;
    size_t count = 0;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        unsigned long lo, hi, off, inode;
        char perms[8], dev[16];
        int end = 0;
        if (sscanf(line, "%lx-%lx %7s %lx %15s %lu %n", &lo, &hi, perms, &off, dev, &inode, &end) == 6 && inode == 0 &&
            strcmp(perms, "rw-p") == 0 && (line[end] == '\n' || line[end] == '\0'))
            count += (hi - lo) / BLAS_BUFFER;
    }
    fclose(f);
    return count;
}

/* A new thread's stack, as pthread_create will map it. */
static size_t thread_stack(void)
{
    pthread_attr_t a;
    size_t size = (size_t)8 << 20, guard = 4096;
    if (pthread_getattr_default_np(&a) == 0) {
        pthread_attr_getstacksize(&a, &size);
        pthread_attr_getguardsize(&a, &guard);
        pthread_attr_destroy(&a);
    }
    return size + guard;
}

/* The ulimit figure (KiB, rounded up to a thousand) that leaves `need` bytes beyond `used`. */
static unsigned long ulimit_for(size_t used, size_t need)
{
    unsigned long kib = (unsigned long)((used + need + 1023) / 1024);
    return (kib + 999) / 1000 * 1000;
}

/* OpenBLAS maps the calling thread's buffer now: its first level-3 call does. */
static void blas_map_now(void)
{
    double a = 1.0, c = 0.0;
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, 1, 1, 1.0, &a, 1, 0.0, &c, 1);
    blas_mapped = true;
}

int blas_reserve(FbErr *err)
{
    int threads = openblas_get_num_threads();
    if (threads < 1)
        threads = 1;
    blas_workers = threads - 1;
    Room r;
    if (!blas_room(&r))
        return 0;
    size_t mapped = blas_buffers_mapped();
    if (mapped > (size_t)blas_workers)
        mapped = (size_t)blas_workers;
    size_t need = ((size_t)threads - mapped) * BLAS_BUFFER + BLAS_SLACK;
    if (need > room_left(&r)) {
        char alt[200] = "";
        if (threads > 1) {
            /* One thread: no workers, so neither their stacks nor their buffers. */
            size_t extra = (size_t)blas_workers * thread_stack() + mapped * BLAS_BUFFER;
            size_t used1 = r.used > extra ? r.used - extra : 0;
            snprintf(alt, sizeof alt, ", or use one BLAS thread (OPENBLAS_NUM_THREADS=1 needs ulimit -%c %lu)", r.flag,
                     ulimit_for(used1, BLAS_BUFFER + BLAS_SLACK));
        }
        char what[128];
        if (threads == 1)
            snprintf(what, sizeof what, "its work buffer needs 128 MiB");
        else
            snprintf(what, sizeof what, "its work buffers need %zu MiB more (128 MiB for each of %d BLAS threads)",
                     (need - BLAS_SLACK) >> 20, threads);
        return fb_fail(err, "not enough memory for OpenBLAS: %s, but the limit (ulimit -%c %lu) leaves %.1f MiB; "
                       "raise it to ulimit -%c %lu or more%s", what, r.flag, (unsigned long)(r.limit / 1024),
                       (double)room_left(&r) / (1 << 20), r.flag, ulimit_for(r.used, need), alt);
    }
    return 0;
}

/* blas_threads_fit: before raising OpenBLAS's thread count to `threads` (each new worker maps a stack and a
 * buffer at once): fails when a limit leaves no room for them.  0 without a limit or when no new worker
 * starts. */
static int blas_threads_fit(int threads, FbErr *err)
{
    if (blas_workers < 0)
        blas_workers = openblas_get_num_threads() - 1;
    if (threads - 1 <= blas_workers)
        return 0;
    size_t add = (size_t)(threads - 1 - blas_workers);
    Room r;
    if (blas_room(&r)) {
        size_t need = add * (BLAS_BUFFER + thread_stack()) + BLAS_SLACK;
        if (need > room_left(&r))
            return fb_fail(err, "not enough memory for %d BLAS threads: OpenBLAS would start %zu more, each with "
                           "a 128 MiB work buffer and a stack (%zu MiB in all), but the limit (ulimit -%c %lu) "
                           "leaves %.1f MiB; raise it to ulimit -%c %lu or more", threads, add,
                           (need - BLAS_SLACK) >> 20, r.flag, (unsigned long)(r.limit / 1024),
                           (double)room_left(&r) / (1 << 20), r.flag, ulimit_for(r.used, need));
    }
    blas_workers = threads - 1;
    return 0;
}

bool blas_callers_fit(int extra)
{
    if (extra <= blas_callers)
        return true;
    Room r;
    if (blas_room(&r)) {
        size_t need = (size_t)(extra - blas_callers) * (BLAS_BUFFER + thread_stack()) + BLAS_SLACK;
        if (need > room_left(&r))
            return false;
    }
    blas_callers = extra;
    return true;
}

int blas_ready(const char *prefix, FbErr *err)
{
    if (!prefix)
        prefix = "";
    Room r;
    if (blas_mapped || !blas_room(&r))
        return 0;
    if (BLAS_BUFFER + BLAS_SLACK > room_left(&r))
        return fb_fail(err, "%snot enough memory for OpenBLAS: its work buffer needs 128 MiB, but the limit "
                       "(ulimit -%c %lu) leaves %.1f MiB; raise it to ulimit -%c %lu or more", prefix, r.flag,
                       (unsigned long)(r.limit / 1024), (double)room_left(&r) / (1 << 20), r.flag,
                       ulimit_for(r.used, BLAS_BUFFER + BLAS_SLACK));
    blas_map_now();
    return 0;
}

int blas_threads(void)
{
    return openblas_get_num_threads();
}

int blas_set_threads(int threads, FbErr *err)
{
    if (threads < 0)
        return fb_fail(err, "the BLAS thread count must be 0 (one per processor) or more (got %d)", threads);
    int n = threads ? threads : openblas_get_num_procs();
    if (blas_threads_fit(n, err))
        return -1;
    openblas_set_num_threads(n);
    return 0;
}

int blas_single_begin(void)
{
    int threads = openblas_get_num_threads();
    openblas_set_num_threads(1);
    return threads;
}

void blas_single_end(int threads)
{
    openblas_set_num_threads(threads);
}
