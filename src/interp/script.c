/* script.c — lines to commands: splitting, comments, locations, nesting and bail. */
#include "fitbench/script.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fitbench/strutil.h"

void script_report(Interp *it, const char *file, long line, const FbErr *e)
{
    it->failed = 1;
    if (!e->msg[0])
        return;
    /* An error is one line, whatever bytes it quotes from a file or a
     * command: control characters are shown as C escapes, never sent to the
     * terminal, where an ESC could clear the screen or change its settings. */
    char msg[4 * sizeof e->msg];
    fb_show_controls(msg, sizeof msg, e->msg);
    if (file) {
        char where[4 * 1024];
        snprintf(where, sizeof where, "%s", file);
        char shown[4 * sizeof where];
        fb_show_controls(shown, sizeof shown, where);
        sink_printf(it->err, "%s:%ld:%d: error: %s\n", shown, line, e->col > 0 ? e->col : 1, msg);
    } else {
        sink_printf(it->err, "error: %s\n", msg);
    }
}

int script_line(Interp *it, const char *line, size_t len, const char *file, long lineno)
{
    size_t i = 0;
    while (i < len && !it->quit) {
        size_t start = i;
        char quote = 0;
        bool comment = false;
        for (; i < len; i++) {
            char c = line[i];
            if (quote) {
                if (c == '\\' && quote == '"' && i + 1 < len)
                    i++;
                else if (c == quote)
                    quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == ';') {
                break;
            } else if (c == '#') {
                comment = true;
                break;
            }
        }
        size_t end = i;
        while (start < end && (line[start] == ' ' || line[start] == '\t'))
            start++;
        while (end > start && (line[end - 1] == ' ' || line[end - 1] == '\t' || line[end - 1] == '\r'))
            end--;
        if (end > start) {
            if (it->s->set.echo)
                sink_printf(it->out, "> %.*s\n", (int)(end - start), line + start);
            FbErr e = {{0}, 0};
            /* Where this command came from, for messages printed after it ran (record). */
            const char *ofile = it->file;
            long oline = it->line;
            it->file = file;
            it->line = lineno;
            int rc = command_run(it, line + start, end - start, (int)start + 1, &e);
            it->file = ofile;
            it->line = oline;
            if (rc) {
                script_report(it, file, lineno, &e);
                return -1;
            }
        }
        if (comment)
            break;
        i++; /* past ';' */
    }
    return 0;
}

static int script_stream_lines(Interp *it, FILE *fp, const char *name);

/* Read one line (with its '\n') into *buf, never holding more than
 * SCRIPT_MAX_LINE + 1 bytes: a longer line is counted, not stored, and
 * reading stops at SCRIPT_MAX_LINE + 1 so an endless line (/dev/zero, a
 * log piped in) costs neither memory nor time.  *nul is set when the line
 * holds a NUL byte.  Returns the bytes seen (at most SCRIPT_MAX_LINE + 1),
 * 0 at end of input, -1 on a read error or out of memory (errno says which). */
static ssize_t read_line(FILE *fp, char **buf, size_t *cap, bool *nul)
{
    size_t n = 0;
    *nul = false;
    for (;;) {
        int c = getc(fp);
        if (c == EOF)
            break;
        if (n + 2 > *cap) {
            size_t nc = *cap ? *cap * 2 : 256;
            if (nc > SCRIPT_MAX_LINE + 2)
                nc = SCRIPT_MAX_LINE + 2;
            char *nb = realloc(*buf, nc);
            if (!nb)
                return -1;
            *buf = nb;
            *cap = nc;
        }
        (*buf)[n++] = (char)c;
        if (c == '\0')
            *nul = true;
        if (c == '\n' || n > SCRIPT_MAX_LINE)
            break;
    }
    if (ferror(fp))
        return -1;
    if (*buf)
        (*buf)[n] = '\0';
    return (ssize_t)n;
}

bool script_is_being_read(const Interp *it, const struct stat *st)
{
    for (int i = 0; i < it->nreading; i++) {
        struct stat rs;
        if (fstat(fileno(it->reading[i]), &rs) == 0 && rs.st_dev == st->st_dev && rs.st_ino == st->st_ino)
            return true;
    }
    return false;
}

int script_stream(Interp *it, FILE *fp, const char *name)
{
    /* Known while it is read, so `record` can refuse to append to it (under any name: a hard link, /dev/stdin). */
    bool listed = it->nreading < (int)(sizeof it->reading / sizeof it->reading[0]);
    if (listed)
        it->reading[it->nreading++] = fp;
    int rc = script_stream_lines(it, fp, name);
    if (listed)
        it->nreading--;
    return rc;
}

static int script_stream_lines(Interp *it, FILE *fp, const char *name)
{
    char *buf = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    for (;;) {
        bool nul;
        errno = 0;
        ssize_t n = read_line(fp, &buf, &cap, &nul);
        if (n == 0)
            break;
        FbErr e = {{0}, 1};
        if (n < 0) {
            /* A read error is not the end of the script: say so. */
            snprintf(e.msg, sizeof e.msg, "cannot read %s: %s", name ? name : "input", strerror(errno ? errno : EIO));
            script_report(it, name, lineno + 1, &e);
            rc = -1;
            break;
        }
        lineno++;
        /* Neither a line over the limit nor a binary file is a script: stop
         * reading it (even with --keep-going; the rest is no better). */
        if (nul) {
            snprintf(e.msg, sizeof e.msg, "%s is not a text script (a NUL byte on line %ld)", name ? name : "input",
                     lineno);
        } else if ((size_t)n > SCRIPT_MAX_LINE) {
            snprintf(e.msg, sizeof e.msg, "line %ld is longer than %d bytes, the limit", lineno, SCRIPT_MAX_LINE);
        }
        if (e.msg[0]) {
            script_report(it, name, lineno, &e);
            rc = -1;
            break;
        }
        while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            n--;
        size_t off = 0;
        if (lineno == 1 && n >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
            off = 3; /* a UTF-8 BOM from a Windows editor */
        if (lineno == 1 && n >= 2 && buf[0] == '#' && buf[1] == '!')
            continue; /* #!/usr/bin/env fitbench */
        if (script_line(it, buf + off, (size_t)n - off, name, lineno)) {
            rc = -1;
            if (it->s->set.bail && !it->keep_going && !it->interactive)
                break;
        }
        if (it->interrupt && *it->interrupt && !it->interactive) {
            /* Ctrl-C (or Esc in the workbench) ends a script, not just its training. */
            FbErr ie = {"interrupted", 1};
            script_report(it, name, lineno, &ie);
            rc = -1;
            break;
        }
        if (it->quit)
            break;
    }
    free(buf);
    return rc;
}

int script_file(Interp *it, const char *path, FbErr *err)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return fb_fail(err, "cannot open %s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return fb_fail(err, "%s is a directory, not a script", path);
    char *real = realpath(path, NULL);
    if (!real)
        return fb_fail(err, "cannot open %s: %s", path, strerror(errno));
    bool running = script_is_being_read(it, &st); /* the same file under another name too (a hard link) */
    for (int i = 0; i < it->depth && !running; i++)
        running = strcmp(it->stack[i], real) == 0;
    if (running) {
        free(real);
        return fb_fail(err, "%s runs itself (a script may not run a script that is already running)", path);
    }
    /* Running the file `record` appends to would read its own new lines forever. */
    struct stat rst;
    if (it->record && fstat(fileno(it->record), &rst) == 0 && rst.st_dev == st.st_dev && rst.st_ino == st.st_ino) {
        free(real);
        return fb_fail(err, "%s is the file being recorded to; run it after 'record off'", path);
    }
    if (it->depth == RUN_MAX_DEPTH) {
        free(real);
        return fb_fail(err, "scripts nest more than %d deep", RUN_MAX_DEPTH);
    }
    FILE *fp = fopen(path, "r");
    if (!fp) {
        free(real);
        return fb_fail(err, "cannot open %s: %s", path, strerror(errno));
    }
    it->stack[it->depth++] = real;
    bool was_interactive = it->interactive;
    it->interactive = false; /* a script is a script, even when started from the prompt */
    int rc = script_stream(it, fp, path);
    it->interactive = was_interactive;
    free(it->stack[--it->depth]);
    fclose(fp);
    if (rc) {
        err->msg[0] = '\0'; /* reported inside */
        return -1;
    }
    return 0;
}
