/* strbuf.h — text built in memory: printf to a callback, through a stack or heap buffer; and a
 * growing string (StrBuf) for documents assembled piece by piece (the SVG writer). */
#ifndef FITBENCH_STRBUF_H
#define FITBENCH_STRBUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Where formatted text goes: n bytes at s (not NUL-terminated). */
typedef void (*FbPut)(void *ctx, const char *s, size_t n);

/* Format fmt with ap (vsnprintf) and hand the text to put(ctx, ...), through a stack buffer when it is short and
 * a heap one when not; put is not called for empty text.  Returns the text's length, or -1 when the format fails
 * (put not called) or memory runs out (put then gets the text cut to its first 1023 bytes). */
int fb_vformat_to(FbPut put, void *ctx, const char *fmt, va_list ap);

/* A growing NUL-terminated string.  Start from (StrBuf){0}; buf is NULL until something is added.  When growing
 * fails, oom is set, the text added so far stays, and every later addition is dropped; the owner frees buf. */
typedef struct StrBuf {
    char *buf;
    size_t len, cap;
    bool oom;
} StrBuf;

/* Make room for extra more bytes (and the NUL); sets sb->oom when that fails. */
void strbuf_reserve(StrBuf *sb, size_t extra);

/* Append n bytes of s / the string s / the formatted text (oom set when out of memory or the format fails). */
void strbuf_put(StrBuf *sb, const char *s, size_t n);
void strbuf_puts(StrBuf *sb, const char *s);
void strbuf_printf(StrBuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
