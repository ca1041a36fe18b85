/* err.c — status messages and checked allocation. */
#include "fitbench/err.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vfill(FbErr *err, int col, const char *fmt, va_list ap)
{
    if (!err)
        return;
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    err->col = col;
}

int fb_fail(FbErr *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfill(err, 0, fmt, ap);
    va_end(ap);
    return -1;
}

int fb_fail_at(FbErr *err, int col, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfill(err, col, fmt, ap);
    va_end(ap);
    return -1;
}

int fb_oom(FbErr *err, const char *what, size_t bytes)
{
    if (bytes >= (size_t)1 << 30)
        return fb_fail(err, "out of memory: %s needs %.1f GiB", what, (double)bytes / (1 << 30));
    if (bytes >= (size_t)1 << 20)
        return fb_fail(err, "out of memory: %s needs %.1f MiB", what, (double)bytes / (1 << 20));
    return fb_fail(err, "out of memory: %s needs %zu bytes", what, bytes);
}

void *fb_malloc(size_t n, size_t size, const char *what, FbErr *err)
{
    if (size && n > SIZE_MAX / size) {
        fb_fail(err, "out of memory: %s is too large", what);
        return NULL;
    }
    size_t bytes = (n * size) != 0 ? n * size : 1;
    void *p = malloc(bytes);
    if (!p)
        fb_oom(err, what, bytes);
    return p;
}

void *fb_calloc(size_t n, size_t size, const char *what, FbErr *err)
{
    if (size && n > SIZE_MAX / size) {
        fb_fail(err, "out of memory: %s is too large", what);
        return NULL;
    }
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        fb_oom(err, what, n * size);
    return p;
}

char *fb_strdup(const char *s, FbErr *err)
{
    size_t n = strlen(s) + 1;
    char *p = fb_malloc(n, 1, "a string", err);
    if (p)
        memcpy(p, s, n);
    return p;
}

void fb_free_strings(char **v, size_t n)
{
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}
