/* sink.h — where command output goes: a FILE, the TUI's log pane, or a growing buffer (tests). */
#ifndef FITBENCH_SINK_H
#define FITBENCH_SINK_H

#include <stddef.h>
#include <stdio.h>

/* One output channel.  write() receives raw bytes; it never fails from the
 * caller's point of view (a closed pipe is the front end's business). */
typedef struct Sink {
    void (*write)(void *ctx, const char *s, size_t n);
    void *ctx;
} Sink;

void sink_write(Sink *s, const char *text, size_t n);
void sink_puts(Sink *s, const char *text);
void sink_printf(Sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A sink writing to fp. */
Sink sink_file(FILE *fp);

/* A sink writing to stderr that flushes stdout first, so messages and
 * results keep their order when both go to one file or pipe. */
Sink sink_stderr(void);

/* A sink appending to a malloc'ed, NUL-terminated buffer.  The buffer is
 * owned by the SinkBuffer; sink_buffer_free releases it.  If growing fails the
 * text is dropped and `lost` is set (tests check it). */
typedef struct SinkBuffer {
    char *data;
    size_t len, cap;
    int lost;
} SinkBuffer;
Sink sink_buffer(SinkBuffer *b);
void sink_buffer_free(SinkBuffer *b);

#endif
