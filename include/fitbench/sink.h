/* sink.h — where command output goes: a FILE, the TUI's log pane, or a growing buffer (tests). */
#ifndef FITBENCH_SINK_H
#define FITBENCH_SINK_H

#include <stddef.h>
#include <stdio.h>

/* One output channel.  write() receives raw bytes; it never fails from the
 * caller's point of view: a file sink remembers a failed write (SinkFile.error)
 * and the front end turns it into an error and exit status 1 at the end. */
typedef struct Sink {
    void (*write)(void *ctx, const char *s, size_t n);
    void *ctx;
} Sink;

void sink_write(Sink *s, const char *text, size_t n);
void sink_puts(Sink *s, const char *text);
void sink_printf(Sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A sink writing to f->fp (not owned until sink_file_close).  A write that fails (a full disk, a pipe
 * whose reader is gone when SIGPIPE is ignored) drops that text and keeps the first errno in f->error;
 * later writes are still tried.  Make it as `SinkFile f = {stdout, 0}`; f must outlive the sink. */
typedef struct SinkFile {
    FILE *fp;
    int error;
} SinkFile;
Sink sink_file(SinkFile *f);

/* Flush and close f->fp, then say whether everything written through the sink (or straight to fp)
 * reached it: 0, or -1 with f->error set to the first errno (EIO when the C library gave none). */
int sink_file_close(SinkFile *f);

/* A sink writing to stderr that flushes the results sink out->fp (stdout when out is NULL) first, so
 * messages and results keep their order when both go to one file or pipe; a failed flush is kept in
 * out->error like a failed write. */
Sink sink_stderr(SinkFile *out);

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
