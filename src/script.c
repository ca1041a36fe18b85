/* script.c — lines to commands: splitting, comments, locations, nesting and bail. */
#include "fitbench/script.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

void script_report(Interp *it, const char *file, long line, const FbErr *e)
{
    it->failed = 1;
    if (!e->msg[0])
        return;
    if (file)
        sink_printf(it->err, "%s:%ld:%d: error: %s\n", file, line, e->col > 0 ? e->col : 1, e->msg);
    else
        sink_printf(it->err, "error: %s\n", e->msg);
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

int script_stream(Interp *it, FILE *fp, const char *name)
{
    char *buf = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    for (;;) {
        ssize_t n = getline(&buf, &cap, fp);
        if (n < 0)
            break;
        lineno++;
        FbErr e = {{0}, 1};
        if ((size_t)n > SCRIPT_MAX_LINE) {
            snprintf(e.msg, sizeof e.msg, "line %ld is %zd bytes long; the limit is %d", lineno, n, SCRIPT_MAX_LINE);
        } else if (memchr(buf, '\0', (size_t)n)) {
            snprintf(e.msg, sizeof e.msg, "%s is not a text script (a NUL byte on line %ld)", name ? name : "input",
                     lineno);
        }
        if (e.msg[0]) {
            script_report(it, name, lineno, &e);
            rc = -1;
            if (!it->keep_going)
                break;
            continue;
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
    for (int i = 0; i < it->depth; i++)
        if (strcmp(it->stack[i], real) == 0) {
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
