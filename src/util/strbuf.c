/* strbuf.c — text built in memory (strbuf.h): printf into a small or a heap buffer, a growing string. */
#include "fitbench/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fb_vformat_to(FbPut put, void *ctx, const char *fmt, va_list ap)
{
    char small[1024];
    va_list first;
    va_copy(first, ap);
    int n = vsnprintf(small, sizeof small, fmt, first);
    va_end(first);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof small) {
        if (n)
            put(ctx, small, (size_t)n);
        return n;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) { /* keep what fits rather than nothing */
        put(ctx, small, sizeof small - 1);
        return -1;
    }
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    put(ctx, big, (size_t)n);
    free(big);
    return n;
}

void strbuf_reserve(StrBuf *sb, size_t extra)
{
    if (sb->oom || sb->len + extra + 1 <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 4096;
    while (cap < sb->len + extra + 1)
        cap *= 2;
    char *p = realloc(sb->buf, cap);
    if (!p) {
        sb->oom = true;
        return;
    }
    sb->buf = p;
    sb->cap = cap;
}

void strbuf_put(StrBuf *sb, const char *s, size_t n)
{
    strbuf_reserve(sb, n);
    if (sb->oom)
        return;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = '\0';
}

void strbuf_puts(StrBuf *sb, const char *s) { strbuf_put(sb, s, strlen(s)); }

static void put_strbuf(void *ctx, const char *s, size_t n) { strbuf_put(ctx, s, n); }

void strbuf_printf(StrBuf *sb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (fb_vformat_to(put_strbuf, sb, fmt, ap) < 0)
        sb->oom = true;
    va_end(ap);
}
