/* main.c — the command line: choose the front end, run scripts and -c commands, set the exit status. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fitbench/command.h"
#include "fitbench/datadirs.h"
#include "fitbench/blas.h"
#include "fitbench/repl.h"
#include "fitbench/script.h"
#include "fitbench/strutil.h"
#include "fitbench/tui.h"

static const char usage_text[] =
    "usage: fitbench [options] [FILE.fit ...]\n"
    "       fitbench -c 'load boston; model linear; solve; eval'\n"
    "\n"
    "  FILE.fit        replay scripts with plain output; stop at the first error\n"
    "  -c COMMANDS     run commands (';' separates them); may be repeated\n"
    "  -               read commands from standard input\n"
    "  -i              stay interactive after the scripts and commands\n"
    "  --live          replay in the workbench with animation (pause and sleep are honoured)\n"
    "  --plain         no full-screen view, plain lines\n"
    "  --keep-going    do not stop at errors\n"
    "  -q              quiet: no per-epoch lines\n"
    "  --seed S        the default seed (set seed=S)\n"
    "  --threads N     BLAS threads (set threads=N)\n"
    "  --version       print the version\n"
    "  --help          this text\n"
    "\n"
    "Exit status: 0 ok, 1 a command or an expect failed or the output could not be written, 2 usage error.\n"
    "Type 'help' at the prompt for the commands; docs/commands.md describes them all.\n";

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "fitbench: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (try fitbench --help)\n");
    return 2;
}

static int usage_error2(const char *fmt, const char *arg, const char *arg2)
{
    fprintf(stderr, "fitbench: ");
    fprintf(stderr, fmt, arg, arg2);
    fprintf(stderr, " (try fitbench --help)\n");
    return 2;
}

/* --seed and --threads take what `set seed=` / `set threads=` take: the bounds are those of the set
 * command's option table (threads 0 to 256: 2147483648 once wrapped to a negative int).  most receives
 * the upper bound, for the message. */
static bool setting_value(const char *key, const char *text, long *out, char most[32])
{
    const Command *set = command_find("set");
    for (const OptSpec *o = set ? set->opts : NULL; o && o->key; o++)
        if (strcmp(o->key, key) == 0) {
            fb_fmt(most, 32, o->max, 6);
            return fb_parse_long(text, out) && (double)*out >= o->min && (double)*out <= o->max;
        }
    snprintf(most, 32, "?");
    return false;
}

/* The end of every run that wrote to stdout: flush and close it, and if any of the output was lost (a
 * full disk, a pipe closed early while SIGPIPE is ignored) say so on stderr and make the status 1. */
static int finish_output(SinkFile *so, int status)
{
    if (sink_file_close(so) == 0)
        return status;
    fprintf(stderr, "fitbench: error: could not write the output: %s (some of it is lost)\n", strerror(so->error));
    return status ? status : 1;
}

/* A library failure before anything runs: status 1, as for a failed command. */
static int fatal(const FbErr *e)
{
    fprintf(stderr, "fitbench: error: %s\n", e->msg);
    return 1;
}

int main(int argc, char **argv)
{
    /* First of all, even before --version: under a tight ulimit -v OpenBLAS would hang (blas.h).  _exit, as
     * its exit handler would wait for worker threads that never got their buffers. */
    FbErr blas_err = {{0}, 0};
    if (blas_reserve(&blas_err))
        _exit(fatal(&blas_err));
    bool interactive_after = false, keep_going = false, quiet = false, live = false, plain = false;
    /* -c strings and script files run in the order they are given. */
    const char *work[256];
    bool work_is_cmd[256];
    int nwork = 0, ncmds = 0, nfiles = 0;
    const char *files[256];
    bool read_stdin = false;
    long seed = -1, threads = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0) {
            if (i + 1 >= argc)
                return usage_error("%s needs commands after it", a);
            if (nwork == 256)
                return usage_error("too many %s options and scripts", a);
            work_is_cmd[nwork] = true;
            work[nwork++] = argv[++i];
            ncmds++;
        } else if (strcmp(a, "-i") == 0)
            interactive_after = true;
        else if (strcmp(a, "--live") == 0)
            live = true;
        else if (strcmp(a, "--plain") == 0)
            plain = true;
        else if (strcmp(a, "--keep-going") == 0)
            keep_going = true;
        else if (strcmp(a, "-q") == 0)
            quiet = true;
        else if (strcmp(a, "--seed") == 0 || strcmp(a, "--threads") == 0) {
            char most[32];
            if (!setting_value(a + 2, i + 1 < argc ? argv[i + 1] : "", a[2] == 's' ? &seed : &threads, most))
                return usage_error2("%s needs a whole number from 0 to %s", a, most);
            i++;
        } else if (strcmp(a, "--version") == 0) {
            printf("fitbench %s\n", FITBENCH_VERSION);
            return finish_output(&(SinkFile){stdout, 0}, 0);
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage_text, stdout);
            return finish_output(&(SinkFile){stdout, 0}, 0);
        } else if (strcmp(a, "-") == 0)
            read_stdin = true;
        else if (a[0] == '-')
            return usage_error("unknown option '%s'", a);
        else if (nwork < 256) {
            work_is_cmd[nwork] = false;
            work[nwork++] = a;
            files[nfiles++] = a;
        } else
            return usage_error("too many scripts (the limit is %s)", "256");
    }

    /* More BLAS threads start more workers, each mapping a buffer at once: checked before anything is set. */
    if (threads >= 0 && blas_set_threads((int)threads, &blas_err))
        return fatal(&blas_err);

    Session s;
    session_init(&s);
    SinkFile so = {stdout, 0};
    Sink out = sink_file(&so), errs = sink_stderr(&so);
    Interp it;
    interp_init(&it, &s, &out, &errs);
    DataDirs dd; /* where `load NAME` looks (datadirs.h) */
    datadirs_find(&dd, argv[0]);
    it.data_dirs = dd.list;
    it.keep_going = keep_going;
    it.quiet = quiet;
    it.live = live;
    it.interrupt = &fb_interrupted;
    if (keep_going)
        s.set.bail = false;
    if (seed >= 0)
        s.set.seed = (unsigned long long)seed;
    if (threads >= 0)
        s.set.threads = (int)threads;
    repl_install_sigint();

    bool batch = ncmds || nfiles || read_stdin;
    bool tui = !plain && tui_available() && !read_stdin && (live || !batch || interactive_after);
    if (tui) {
        /* -c commands run first in plain mode would scroll away; run them inside too. */
        for (int i = 0, c = 0; i < nwork && !it.quit; i++)
            if (work_is_cmd[i] && script_line(&it, work[i], strlen(work[i]), "-c", ++c) && !keep_going)
                goto done;
        FbErr e = {{0}, 0};
        if (tui_run(&it, files, nfiles, !live || interactive_after || nfiles == 0, &e) == 0)
            goto done;
        fprintf(stderr, "fitbench: %s; using plain mode\n", e.msg);
        it.live = false;
    }
    for (int i = 0, c = 0; i < nwork && !it.quit; i++) {
        if (work_is_cmd[i]) {
            if (tui) /* already run above */
                continue;
            if (script_line(&it, work[i], strlen(work[i]), "-c", ++c) && !keep_going)
                goto done;
            continue;
        }
        FbErr e = {{0}, 0};
        if (script_file(&it, work[i], &e)) {
            if (e.msg[0])
                script_report(&it, NULL, 0, &e);
            if (!keep_going)
                goto done;
        }
    }
    if (read_stdin && !it.quit)
        script_stream(&it, stdin, "<stdin>");
    if ((!batch || interactive_after) && !it.quit) {
        if (isatty(STDIN_FILENO)) {
            it.interactive = true;
            repl_run(&it);
        } else if (!read_stdin) {
            script_stream(&it, stdin, "<stdin>");
        }
    }
done:;
    int status = it.failed ? 1 : 0;
    interp_free(&it);
    session_free(&s);
    return finish_output(&so, status);
}
