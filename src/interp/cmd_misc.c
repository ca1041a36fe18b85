/* cmd_misc.c — run, record, set, expect, echo, pause, sleep, help, quit. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "fitbench/command.h"
#include "fitbench/expr.h"
#include "fitbench/blas.h"
#include "fitbench/script.h"
#include "fitbench/strutil.h"

int cmd_run(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[1];
    args_positional(a, pos, 1); /* one word: command_run checked */
    if (!pos[0]->text[0])
        return fb_fail_at(err, pos[0]->col, "run needs a file name (got '')");
    if (script_file(it, pos[0]->text, err)) {
        if (err->msg[0])
            err->col = pos[0]->col;
        return -1;
    }
    return 0;
}

/* Open path for `record`: appending (what an earlier recording wrote stays), never to a file a script is
 * being read from under any name (a hard link, stdin redirected from it): the reader would read its own
 * new lines forever and fill the disk.  Returns the stream, or NULL with err filled (nothing changed). */
static FILE *record_open(Interp *it, const Tok *t, FbErr *err)
{
    if (!t->text[0]) {
        fb_fail_at(err, t->col, "record needs a file name (got '')");
        return NULL;
    }
    FILE *fp = fopen(t->text, "a");
    if (!fp) {
        fb_fail_at(err, t->col, "cannot record to %s: %s", t->text, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(fp), &st) != 0) {
        fb_fail_at(err, t->col, "cannot record to %s: %s", t->text, strerror(errno));
        fclose(fp);
        return NULL;
    }
    /* (A file being read existed before fopen, so refusing leaves no new empty file behind.) */
    if (script_is_being_read(it, &st)) {
        fb_fail_at(err, t->col, "cannot record to %s: it is a script being run", t->text);
        fclose(fp);
        return NULL;
    }
    return fp;
}

static void record_stop(Interp *it)
{
    fclose(it->record);
    it->record = NULL;
    sink_printf(it->out, "recording to %s stopped\n", it->record_path);
    free(it->record_path);
    it->record_path = NULL;
}

/* A failed `record PATH` changes nothing: a recording in progress goes on, and the message says so. */
int cmd_record(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[1];
    args_positional(a, pos, 1); /* one word: command_run checked */
    if (strcmp(pos[0]->text, "off") == 0) {
        if (it->record)
            record_stop(it);
        return 0;
    }
    FILE *fp = record_open(it, pos[0], err);
    char *p = fp ? strdup(pos[0]->text) : NULL;
    if (fp && !p) {
        fclose(fp);
        fb_oom(err, "a file name", strlen(pos[0]->text));
    }
    if (!p) {
        if (it->record) {
            size_t n = strlen(err->msg);
            snprintf(err->msg + n, sizeof err->msg - n, " (still recording to %s)", it->record_path);
        }
        return -1;
    }
    if (it->record)
        record_stop(it);
    it->record = fp;
    it->record_path = p;
    sink_printf(it->out, "recording successful commands to %s (record off to stop)\n", p);
    return 0;
}

int cmd_set(Interp *it, const Command *row, Args *a, FbErr *err)
{
    Settings *st = &it->s->set;
    long v, nt;
    /* The one setting that can fail goes first: a failed set changes nothing. */
    bool has_threads = args_long(a, "threads", &nt);
    if (has_threads && blas_set_threads((int)nt, err))
        return -1;
    if (args_long(a, "seed", &v))
        st->seed = (unsigned long long)v;
    args_bool(a, "echo", &st->echo);
    args_bool(a, "bail", &st->bail);
    args_bool(a, "timing", &st->timing);
    if (args_long(a, "precision", &v))
        st->precision = (int)v;
    args_num(a, "pace", &st->pace);
    if (has_threads)
        st->threads = (int)nt; /* (set above, where a tight ulimit can refuse new BLAS threads) */
    if (a->n == 1) {
        char pace[48], auto_[40];
        if (st->pace < 0)
            snprintf(pace, sizeof pace, "%s (auto)", fb_fmt(auto_, sizeof auto_, it->live ? PACE_LIVE : 0, 6));
        else
            fb_fmt(pace, sizeof pace, st->pace, 6);
        sink_printf(it->out, "seed=%llu echo=%s bail=%s threads=%d precision=%d timing=%s pace=%s\n",
                    (unsigned long long)st->seed, st->echo ? "yes" : "no", st->bail ? "yes" : "no", st->threads,
                    st->precision, st->timing ? "yes" : "no",
                    pace);
    }
    return 0;
}

int cmd_expect(Interp *it, const Command *row, Args *a, FbErr *err)
{
    char seen[512];
    double v;
    if (expr_eval(a->raw, interp_lookup, it, &v, seen, sizeof seen, err)) {
        err->col = a->rawcol + (err->col > 0 ? err->col - 1 : 0);
        return -1;
    }
    if (v == 0 || isnan(v))
        return fb_fail_at(err, a->rawcol, "expect failed: %s%s%s%s", a->raw, seen[0] ? " (" : "", seen,
                          seen[0] ? ")" : "");
    return 0;
}

int cmd_echo(Interp *it, const Command *row, Args *a, FbErr *err)
{
    sink_printf(it->out, "%s\n", a->raw ? a->raw : "");
    return 0;
}

int cmd_pause(Interp *it, const Command *row, Args *a, FbErr *err)
{
    if (!it->live || !it->fe || !it->fe->pause)
        return 0;
    /* pause "text": the room sees the text, not its quotes. */
    const char *m = a->raw ? a->raw : "";
    size_t n = strlen(m);
    char buf[1024];
    if (n >= 2 && (m[0] == '"' || m[0] == '\'') && m[n - 1] == m[0] && n - 2 < sizeof buf) {
        memcpy(buf, m + 1, n - 2);
        buf[n - 2] = '\0';
        m = buf;
    }
    it->fe->pause(it->fe->ctx, it, m);
    return 0;
}

int cmd_sleep(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[1];
    double s;
    args_positional(a, pos, 1); /* one word: command_run checked */
    if (!fb_parse_double(pos[0]->text, strlen(pos[0]->text), &s) || !(s >= 0) || s > 3600)
        return command_usage_error(err, row, pos[0]->col, "sleep takes seconds from 0 to 3600 (got '%s')",
                                   pos[0]->text);
    if (!it->live)
        return 0;
    /* Sleep in short slices so Ctrl-C is felt at once. */
    double left = s;
    while (left > 0 && !(it->interrupt && *it->interrupt)) {
        double d = left < 0.05 ? left : 0.05;
        struct timespec ts = {0, (long)(d * 1e9)};
        nanosleep(&ts, NULL);
        left -= d;
        if (it->fe && it->fe->train_batch)
            it->fe->train_batch(it->fe->ctx, it);
    }
    return 0;
}

static void help_command(Interp *it, const Command *c)
{
    sink_printf(it->out, "usage: %s\n  %s\n", c->usage, c->summary);
    if (c->help)
        sink_printf(it->out, "\n%s\n", c->help);
    if (c->opts && c->opts[0].key) {
        sink_printf(it->out, "\noptions:\n");
        for (const OptSpec *o = c->opts; o->key; o++)
            sink_printf(it->out, "  %-26s %s\n", o->key, o->help ? o->help : "");
    }
}

int cmd_help(Interp *it, const Command *row, Args *a, FbErr *err)
{
    const Tok *pos[1];
    if (args_positional(a, pos, 1) == 1) {
        const Command *c = command_find(pos[0]->text);
        if (!c) {
            const char *names[64];
            int n = 0;
            for (const Command *k = commands; k->name && n < 63; k++)
                names[n++] = k->name;
            names[n] = NULL;
            const char *sug = fb_suggest(pos[0]->text, names);
            return fb_fail_at(err, pos[0]->col, "no command '%s'%s%s%s", pos[0]->text, sug ? " (did you mean '" : "",
                              sug ? sug : "", sug ? "'?)" : "");
        }
        help_command(it, c);
        return 0;
    }
    sink_printf(it->out, "fitbench commands (help COMMAND for details; docs/commands.md for all):\n");
    for (const Command *c = commands; c->name; c++)
        sink_printf(it->out, "  %-9s %s\n", c->name, c->summary);
    sink_printf(it->out, "One command per line or separated by ';'. # starts a comment. Options are key=value.\n");
    return 0;
}

int cmd_quit(Interp *it, const Command *row, Args *a, FbErr *err)
{
    it->quit = true;
    return 0;
}
