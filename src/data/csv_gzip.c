/* csv_gzip.c — gzip-compressed CSVs (.csv.gz): decompressed with zlib as they are read, one buffer at a time.
 *
 * A file is read as gzip when it starts with the gzip magic bytes 1f 8b, whatever its name.  The
 * decompressed text goes straight into the reader's CHUNK buffer, so memory is that buffer plus the
 * compressed input buffer and zlib's 32 KiB window: the decompressed file is never held whole.  Several
 * gzip members one after the other (`cat a.gz b.gz`) are one file, as gzip -d reads them.
 *
 * A failure (corrupt data, a bad checksum, a file cut short, bytes after the last member) is kept until the
 * text decompressed before it has been parsed, so its message names the row the reader had reached. */
#include "csv_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

struct CsvGz {
    z_stream zs;
    unsigned char *in;       /* CHUNK bytes of compressed input */
    bool in_eof;             /* the file has no more bytes */
    bool member_end;         /* the last inflate ended a member: the file may end here */
    const char *failure;     /* what went wrong, reported on the next read (static text or zs.msg) */
    char detail[128];
};

bool csv_gz_magic(const char *buf, size_t len)
{
    return len >= 2 && (unsigned char)buf[0] == 0x1f && (unsigned char)buf[1] == 0x8b;
}

int csv_gz_start(Reader *rd, FbErr *err)
{
    CsvGz *g = fb_calloc(1, sizeof *g, "the gzip reader", err);
    if (!g)
        return -1;
    if (!(g->in = fb_malloc(CHUNK, 1, "the gzip input buffer", err))) {
        free(g);
        return -1;
    }
    /* 16 + MAX_WBITS: a gzip header and trailer (CRC-32 and length checked), not zlib or raw deflate. */
    int zr = inflateInit2(&g->zs, 16 + MAX_WBITS);
    if (zr != Z_OK) {
        free(g->in);
        free(g);
        return zr == Z_MEM_ERROR ? fb_oom(err, "the gzip reader", sizeof(z_stream))
                                 : fb_fail(err, "%s: cannot start zlib (%d)", rd->path, zr);
    }
    /* What the plain reader already read is the start of the compressed data. */
    memcpy(g->in, rd->buf, rd->len);
    g->zs.next_in = g->in;
    g->zs.avail_in = (uInt)rd->len;
    rd->gz = g;
    rd->len = rd->pos = 0;
    rd->base = 0;
    return 0;
}

void csv_gz_end(Reader *rd)
{
    CsvGz *g = rd->gz;
    if (!g)
        return;
    inflateEnd(&g->zs);
    free(g->in);
    free(g);
    rd->gz = NULL;
}

/* More compressed input when zlib has used it all.  false on a read error (g->failure set). */
static bool fill_input(Reader *rd, CsvGz *g)
{
    if (g->zs.avail_in > 0 || g->in_eof)
        return true;
    size_t n = fread(g->in, 1, CHUNK, rd->f);
    if (n == 0) {
        if (ferror(rd->f)) {
            snprintf(g->detail, sizeof g->detail, "%s", strerror(errno ? errno : EIO));
            g->failure = g->detail;
            return false;
        }
        g->in_eof = true;
    }
    g->zs.next_in = g->in;
    g->zs.avail_in = (uInt)n;
    return true;
}

/* One inflate step into the output zlib points at.  0 to go on, 1 at the clean end of the file, -1 on a
 * failure (g->failure set). */
static int inflate_step(Reader *rd, CsvGz *g)
{
    if (!fill_input(rd, g))
        return -1;
    if (g->zs.avail_in == 0) {
        if (g->member_end)
            return 1;
        g->failure = "the compressed file ends early (truncated?)";
        return -1;
    }
    if (g->member_end) {
        /* Bytes after a member: another member, or not gzip at all. */
        if (g->zs.next_in[0] != 0x1f) {
            g->failure = "bytes after the end of the compressed data (not gzip)";
            return -1;
        }
        inflateReset(&g->zs);
        g->member_end = false;
    }
    int zr = inflate(&g->zs, Z_NO_FLUSH);
    if (zr == Z_STREAM_END) {
        g->member_end = true;
        return 0;
    }
    if (zr == Z_OK || zr == Z_BUF_ERROR)
        return 0;
    if (zr == Z_MEM_ERROR) {
        g->failure = "out of memory in zlib";
        return -1;
    }
    snprintf(g->detail, sizeof g->detail, "the compressed data is corrupt (%s)",
             g->zs.msg ? g->zs.msg : "zlib error");
    g->failure = g->detail;
    return -1;
}

int csv_gz_read(Reader *rd, FbErr *err)
{
    CsvGz *g = rd->gz;
    if (g->failure)
        return fb_fail(err, "%s: row %lu: %s", rd->path, rd->line, g->failure);
    g->zs.next_out = (unsigned char *)rd->buf;
    g->zs.avail_out = CHUNK;
    int st = 0;
    while (g->zs.avail_out > 0 && st == 0)
        st = inflate_step(rd, g);
    rd->len = CHUNK - g->zs.avail_out;
    if (st < 0 && rd->len == 0)   /* nothing before the failure: report it now */
        return fb_fail(err, "%s: row %lu: %s", rd->path, rd->line, g->failure);
    if (st == 1 && rd->len == 0)
        rd->eof = true;
    return 0;
}

const char *csv_gz_damage(Reader *rd)
{
    CsvGz *g = rd->gz;
    if (!g)
        return NULL;
    int st = 0;
    while (st == 0 && !g->failure) {
        g->zs.next_out = (unsigned char *)rd->buf;
        g->zs.avail_out = CHUNK;
        while (g->zs.avail_out > 0 && st == 0)
            st = inflate_step(rd, g);
    }
    return g->failure;
}
