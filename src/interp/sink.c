/* sink.c — output channels. */
#include "fitbench/sink.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/strbuf.h"

void sink_write(Sink *s, const char *text, size_t n)
{
    if (s && s->write && n)
        s->write(s->ctx, text, n);
}

void sink_puts(Sink *s, const char *text) { sink_write(s, text, strlen(text)); }

void sink_printf(Sink *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (s && s->write)
        fb_vformat_to(s->write, s->ctx, fmt, ap);
    va_end(ap);
}

static void file_write(void *ctx, const char *s, size_t n)
{
    SinkFile *f = ctx;
    errno = 0;
    if (fwrite(s, 1, n, f->fp) != n && !f->error)
        f->error = errno ? errno : EIO;
}

Sink sink_file(SinkFile *f) { return (Sink){file_write, f}; }

int sink_file_close(SinkFile *f)
{
    errno = 0;
    int bad = ferror(f->fp) || fflush(f->fp) != 0;
    if (bad && !f->error)
        f->error = errno ? errno : EIO;
    errno = 0;
    if (fclose(f->fp) != 0 && !f->error)
        f->error = errno ? errno : EIO;
    return f->error ? -1 : 0;
}

static void stderr_write(void *ctx, const char *s, size_t n)
{
    SinkFile *out = ctx;
    errno = 0;
    if (out && fflush(out->fp) != 0 && !out->error)
        out->error = errno ? errno : EIO; /* the results waiting in its buffer are lost: say why, at the end */
    else if (!out)
        fflush(stdout);
    fwrite(s, 1, n, stderr);
}

Sink sink_stderr(SinkFile *out) { return (Sink){stderr_write, out}; }

static void buffer_write(void *ctx, const char *s, size_t n)
{
    SinkBuffer *b = ctx;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (!p) {
            b->lost = 1;
            return;
        }
        b->data = p;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

Sink sink_buffer(SinkBuffer *b) { return (Sink){buffer_write, b}; }

void sink_buffer_free(SinkBuffer *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}
