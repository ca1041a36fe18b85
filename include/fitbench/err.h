/* err.h — how library code reports failure: a status code and a message, never printing. */
#ifndef FITBENCH_ERR_H
#define FITBENCH_ERR_H

#include <stddef.h>

/* Every fallible library function returns int: 0 on success, -1 on failure
 * with *err filled.  `col` is an optional 1-based column hint into the
 * command line that caused the error (0 = none); the interpreter turns it into
 * `file:line:col`. */
typedef struct FbErr {
    char msg[1024];
    int col;
} FbErr;

/* Fill err (if non-NULL) with a printf-style message; always returns -1 so
 * callers can `return fb_fail(err, ...)`. */
int fb_fail(FbErr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Same, with a column hint. */
int fb_fail_at(FbErr *err, int col, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The out-of-memory failure, naming what was being allocated and its size. */
int fb_oom(FbErr *err, const char *what, size_t bytes);

/* Checked allocation helpers: return NULL and fill err on failure (or on
 * size overflow of n*size).  Memory is released with free(). */
void *fb_malloc(size_t n, size_t size, const char *what, FbErr *err);
void *fb_calloc(size_t n, size_t size, const char *what, FbErr *err);
char *fb_strdup(const char *s, FbErr *err);

/* Frees the n strings of v (NULL entries allowed, as in a half-built array) and v itself.  NULL-safe. */
void fb_free_strings(char **v, size_t n);

#endif
