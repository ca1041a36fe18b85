/* csv_reader.c — the streaming record reader: RFC 4180 fields, line ends, blank lines, separator detection. */
#include "csv_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_RECORD ((size_t)1 << 30)

void csv_record_free(Record *r)
{
    free(r->text);
    free(r->off);
    free(r->len);
    free(r->line);
    free(r->quoted);
}

const char *csv_field(const Record *r, size_t j)
{
    return r->text + r->off[j];
}

static int rec_append(Reader *rd, Record *r, const char *s, size_t n, FbErr *err)
{
    if (r->tlen + n + 1 > r->tcap) {
        if (r->tlen + n + 1 > MAX_RECORD)
            return fb_fail(err, "%s: row %lu is longer than 1 GiB", rd->path, r->line0);
        size_t cap = r->tcap ? r->tcap : 256;
        while (cap < r->tlen + n + 1)
            cap *= 2;
        char *t = realloc(r->text, cap);
        if (!t)
            return fb_oom(err, "a CSV record", cap);
        r->text = t;
        r->tcap = cap;
    }
    memcpy(r->text + r->tlen, s, n);
    r->tlen += n;
    return 0;
}

static int begin_field(Reader *rd, Record *r, FbErr *err)
{
    if (r->nf == r->fcap) {
        size_t cap = r->fcap ? r->fcap * 2 : 32;
        size_t *off = realloc(r->off, cap * sizeof *off);
        if (off)
            r->off = off;
        size_t *len = realloc(r->len, cap * sizeof *len);
        if (len)
            r->len = len;
        unsigned long *line = realloc(r->line, cap * sizeof *line);
        if (line)
            r->line = line;
        unsigned char *q = realloc(r->quoted, cap);
        if (q)
            r->quoted = q;
        if (!off || !len || !line || !q)
            return fb_oom(err, "CSV fields", cap * 32);
        r->fcap = cap;
    }
    r->off[r->nf] = r->tlen;
    r->len[r->nf] = 0;
    r->line[r->nf] = rd->line;
    r->quoted[r->nf] = 0;
    r->nf++;
    return 0;
}

static bool is_blank(const Reader *rd, char c)
{
    return c == ' ' || (c == '\t' && rd->trim_tab);
}

static int end_field(Reader *rd, Record *r, FbErr *err)
{
    size_t j = r->nf - 1;
    size_t n = r->tlen - r->off[j];
    if (!r->quoted[j])
        while (n > 0 && is_blank(rd, r->text[r->off[j] + n - 1]))
            n--;
    r->len[j] = n;
    r->tlen = r->off[j] + n;
    return rec_append(rd, r, "", 1, err);   /* the terminating NUL */
}

int csv_refill(Reader *rd, FbErr *err)
{
    if (rd->eof) {
        rd->len = rd->pos = 0;
        return 0;
    }
    if (rd->gz) {
        rd->pos = 0;
        return csv_gz_read(rd, err);
    }
    rd->base += (long long)rd->len;
    rd->len = fread(rd->buf, 1, CHUNK, rd->f);
    rd->pos = 0;
    if (rd->len == 0) {
        if (ferror(rd->f))
            return fb_fail(err, "%s: %s", rd->path, strerror(errno ? errno : EIO));
        rd->eof = true;
    }
    return 0;
}

enum { ST_START, ST_UNQUOTED, ST_QUOTED, ST_AFTER_QUOTE };

/* The record scanner's state between characters. */
typedef struct Scan {
    int st;                   /* ST_*: where in a field we are */
    bool started;             /* the record has begun (blank lines before it skipped) */
    unsigned long quote_line; /* the line of the open quote, for "unclosed quote" */
} Scan;

/* What a step of the scanner did: go on, the record ended, no record (end of input), or failed. */
enum { STEP_ON, STEP_DONE, STEP_EOF, STEP_ERR };

/* At the end of the buffer: read more (STEP_ON); at the end of the input, end the record (STEP_DONE), or
 * report none (STEP_EOF) or an unclosed quote (STEP_ERR). */
static int step_refill(Reader *rd, Record *r, const Scan *sc, FbErr *err)
{
    if (csv_refill(rd, err))
        return STEP_ERR;
    if (rd->len != 0)
        return STEP_ON;
    if (sc->st == ST_QUOTED) {
        fb_fail(err, "%s: row %lu: unclosed quote", rd->path, sc->quote_line);
        return STEP_ERR;
    }
    if (!sc->started)
        return STEP_EOF;
    return end_field(rd, r, err) ? STEP_ERR : STEP_DONE;
}

/* Before the record: skip a blank line, or the LF of a CRLF; at any other character start the record and
 * its first field (sc->started). */
static int step_begin(Reader *rd, Record *r, char c, Scan *sc, FbErr *err)
{
    bool cr = rd->pending_cr;
    rd->pending_cr = false;
    if (c == '\n' || c == '\r') { /* a blank line, or the LF of a CRLF */
        rd->pos++;
        if (!(cr && c == '\n'))
            rd->line++;
        rd->pending_cr = c == '\r';
        return STEP_ON;
    }
    sc->started = true;
    r->line0 = rd->line;
    return begin_field(rd, r, err) ? STEP_ERR : STEP_ON;
}

/* ST_START: blanks before a field, its opening quote, or the first character of an unquoted field. */
static void step_start(Reader *rd, Record *r, char c, Scan *sc)
{
    if (is_blank(rd, c)) {
        rd->pos++;
    } else if (c == '"') {
        rd->pos++;
        r->quoted[r->nf - 1] = 1;
        sc->quote_line = rd->line;
        sc->st = ST_QUOTED;
    } else {
        sc->st = ST_UNQUOTED;
    }
}

/* ST_UNQUOTED, the fast path: copy the run up to the next separator or line end; a separator starts the
 * next field, a line end ends the record (STEP_DONE). */
static int step_unquoted(Reader *rd, Record *r, Scan *sc, FbErr *err)
{
    const char *b = rd->buf;
    size_t s = rd->pos, e = s;
    char sep = rd->sep;
    while (e < rd->len && b[e] != sep && b[e] != '\n' && b[e] != '\r' && b[e] != '\0')
        e++;
    if (rec_append(rd, r, b + s, e - s, err))
        return STEP_ERR;
    rd->pos = e;
    if (e == rd->len || b[e] == '\0')
        return STEP_ON;
    rd->pos++;
    if (b[e] == sep) {
        if (end_field(rd, r, err) || begin_field(rd, r, err))
            return STEP_ERR;
        sc->st = ST_START;
        return STEP_ON;
    }
    rd->line++;
    rd->pending_cr = b[e] == '\r';
    return end_field(rd, r, err) ? STEP_ERR : STEP_DONE;
}

/* ST_QUOTED: copy the run up to the next quote (line ends included, counted). */
static int step_quoted(Reader *rd, Record *r, Scan *sc, FbErr *err)
{
    const char *b = rd->buf;
    size_t s = rd->pos, e = s;
    while (e < rd->len && b[e] != '"' && b[e] != '\0') {
        if (b[e] == '\n')
            rd->line++;
        e++;
    }
    if (rec_append(rd, r, b + s, e - s, err))
        return STEP_ERR;
    rd->pos = e;
    if (e < rd->len && b[e] == '"') {
        rd->pos++;
        sc->st = ST_AFTER_QUOTE;
    }
    return STEP_ON;
}

/* ST_AFTER_QUOTE: a closing quote, or the first of a doubled one. */
static int step_after_quote(Reader *rd, Record *r, char c, Scan *sc, FbErr *err)
{
    rd->pos++;
    if (c == '"') {
        if (rec_append(rd, r, "\"", 1, err))
            return STEP_ERR;
        sc->st = ST_QUOTED;
    } else if (c == rd->sep) {
        if (end_field(rd, r, err) || begin_field(rd, r, err))
            return STEP_ERR;
        sc->st = ST_START;
    } else if (c == '\n' || c == '\r') {
        rd->line++;
        rd->pending_cr = c == '\r';
        return end_field(rd, r, err) ? STEP_ERR : STEP_DONE;
    } else if (!is_blank(rd, c)) {
        if (rec_append(rd, r, &c, 1, err))
            return STEP_ERR;
        sc->st = ST_UNQUOTED;
    }
    return STEP_ON;
}

/* The next record, blank or not, into r: 1 with a record, 0 at the end of the input, -1 on error. */
static int scan_record(Reader *rd, Record *r, FbErr *err)
{
    r->tlen = 0;
    r->nf = 0;
    Scan sc = {ST_START, false, 0};
    for (;;) {
        int step;
        if (rd->pos == rd->len && (step = step_refill(rd, r, &sc, err)) != STEP_ON)
            return step == STEP_DONE ? 1 : step == STEP_EOF ? 0 : -1;
        char c = rd->buf[rd->pos];
        if (c == '\0')
            return fb_fail(err, "%s: row %lu: NUL byte (is this a binary file, or UTF-16?)", rd->path, rd->line);
        if (!sc.started) {
            if (step_begin(rd, r, c, &sc, err) == STEP_ERR)
                return -1;
            if (!sc.started)
                continue;
        }
        if (sc.st == ST_START) {
            step_start(rd, r, c, &sc);
            continue;
        }
        step = sc.st == ST_UNQUOTED ? step_unquoted(rd, r, &sc, err)
               : sc.st == ST_QUOTED ? step_quoted(rd, r, &sc, err)
                                    : step_after_quote(rd, r, c, &sc, err);
        if (step != STEP_ON)
            return step == STEP_DONE ? 1 : -1;
    }
}

/* Read the next non-blank record into r.  Returns 1 with a record, 0 at the
 * end of the file, -1 on error (unclosed quote, NUL byte, read error, OOM). */
int csv_read_record(Reader *rd, Record *r, FbErr *err)
{
    for (;;) {
        int rc = scan_record(rd, r, err);
        /* A line of blanks only is a blank line too. */
        if (rc == 1 && r->nf == 1 && r->len[0] == 0 && !r->quoted[0])
            continue;
        return rc;
    }
}

/* Calls fn(field, length, ctx) for each unquoted field (blanks trimmed) of
 * the buffered text from rd->pos, separated by sep, over at most max_records
 * records; quoted fields are skipped. */
static void scan_fields(const Reader *rd, char sep, size_t max_records,
                        void (*fn)(const char *, size_t, void *), void *ctx)
{
    const char *b = rd->buf, *end = rd->buf + rd->len;
    const char *p = b + rd->pos;
    size_t records = 0;
    while (p < end && (*p == '\n' || *p == '\r'))   /* blank lines before the first record */
        p++;
    while (p < end && records < max_records) {
        while (p < end && (*p == ' ' || *p == '\t') && *p != sep)
            p++;
        if (p < end && *p == '"') {            /* skip a quoted field */
            for (p++; p < end; p++)
                if (*p == '"' && !(p + 1 < end && p[1] == '"'))
                    break;
                else if (*p == '"')
                    p++;
            for (p++; p < end && *p != sep && *p != '\n' && *p != '\r'; p++)
                ;
        } else {
            const char *s = p;
            while (p < end && *p != sep && *p != '\n' && *p != '\r')
                p++;
            const char *e = p;
            while (e > s && (e[-1] == ' ' || (e[-1] == '\t' && sep != '\t')))
                e--;
            if (p < end || rd->eof || rd->len < CHUNK)   /* a field cut by the buffer's end is not looked at */
                fn(s, (size_t)(e - s), ctx);
        }
        if (p < end && *p != sep) {
            records++;
            while (p < end && (*p == '\n' || *p == '\r'))
                p++;
        } else if (p < end) {
            p++;
        }
    }
}

typedef struct SepVote {
    size_t fields, comma_numbers, other_commas;
} SepVote;

static void vote_semicolon(const char *s, size_t n, void *ctx)
{
    SepVote *v = ctx;
    v->fields++;
    if (csv_comma_number(s, n))
        v->comma_numbers++;
    else if (memchr(s, ',', n))
        v->other_commas++;
}

/* Pick the separator that occurs most often in the first record (outside
 * quotes) of the buffered text; ',' wins ties and is the default.  But a
 * record of ';'-separated numbers with decimal commas ("-0,388;1,2;3", a
 * European spreadsheet) has as many commas as semicolons or more: when every
 * comma in the first record is inside such a number, ';' it is. */
char csv_detect_sep(const Reader *rd)
{
    size_t count[3] = {0, 0, 0};
    const char seps[3] = {',', ';', '\t'};
    bool inq = false, content = false;
    for (size_t i = rd->pos; i < rd->len; i++) {
        char c = rd->buf[i];
        if (c == '"')
            inq = !inq;
        if (inq)
            continue;
        if (c == '\n' || c == '\r') {
            if (content)
                break;
            continue;
        }
        content = true;
        for (int k = 0; k < 3; k++)
            count[k] += c == seps[k];
    }
    if (count[1] > 0 && count[1] >= count[2]) {
        SepVote v = {0, 0, 0};
        scan_fields(rd, ';', 1, vote_semicolon, &v);
        if (v.comma_numbers > 0 && v.other_commas == 0)
            return ';';
    }
    int best = 0;
    for (int k = 1; k < 3; k++)
        if (count[k] > count[best])
            best = k;
    return seps[best];
}

typedef struct DecVote {
    size_t comma, point;
} DecVote;

static void vote_decimal(const char *s, size_t n, void *ctx)
{
    DecVote *v = ctx;
    double x;
    if (memchr(s, ',', n) && (csv_comma_number(s, n) || csv_number_hint(s, n, ',', true)))
        v->comma++;
    else if (memchr(s, '.', n) && csv_parse_number(s, n, '.', &x) && !csv_grouped_digits(s, n))
        v->point++;   /* "1.234" is no vote: a point, or a thousands separator among decimal commas */
}

/* Decimal commas are assumed only with ';' as the separator, when the first
 * records (up to 1000 in the buffer) hold numbers with a decimal comma and
 * none with a decimal point ("1.234", which could be either, does not count). */
char csv_detect_decimal(const Reader *rd)
{
    if (rd->sep != ';')
        return '.';
    DecVote v = {0, 0};
    scan_fields(rd, ';', 1000, vote_decimal, &v);
    return v.comma > 0 && v.point == 0 ? ',' : '.';
}
