/* runargs.c — the command line's one driver (runargs.h), in the manner of Lua's lua.c: runargs_collect reads the
 * arguments, run_scripts runs the -c commands and script files for either front end, and drive gives the chosen
 * front end's prompt after them.  The workbench's hooks live in tui.c, the plain prompt's here. */
#include "fitbench/runargs.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fitbench/datadirs.h"
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

/* ---- collecting the arguments ------------------------------------------------ */

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

/* A flag without a value: sets its field and returns true, or false when a is not one. */
static bool collect_flag(RunArgs *r, const char *a)
{
    static const struct {
        const char *name;
        size_t field;
    } flags[] = {
        {"-i", offsetof(RunArgs, interactive_after)}, {"--live", offsetof(RunArgs, live)},
        {"--plain", offsetof(RunArgs, plain)},        {"--keep-going", offsetof(RunArgs, keep_going)},
        {"-q", offsetof(RunArgs, quiet)},             {"-", offsetof(RunArgs, read_stdin)},
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strcmp(a, flags[i].name) == 0) {
            *(bool *)((char *)r + flags[i].field) = true;
            return true;
        }
    return false;
}

/* One argument at argv[*i] (an option's value too: *i moves past it).  Returns -1 to go on, or the exit
 * status to end with. */
static int collect_one(RunArgs *r, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strcmp(a, "-c") == 0) {
        if (*i + 1 >= argc)
            return usage_error("%s needs commands after it", a);
        if (r->nwork == RUNARGS_MAX)
            return usage_error("too many %s options and scripts", a);
        r->work_is_cmd[r->nwork] = true;
        r->work[r->nwork++] = argv[++*i];
        r->ncmds++;
    } else if (collect_flag(r, a)) {
    } else if (strcmp(a, "--seed") == 0 || strcmp(a, "--threads") == 0) {
        char most[32];
        if (!setting_value(a + 2, *i + 1 < argc ? argv[*i + 1] : "", a[2] == 's' ? &r->seed : &r->threads, most))
            return usage_error2("%s needs a whole number from 0 to %s", a, most);
        ++*i;
    } else if (strcmp(a, "--version") == 0) {
        printf("fitbench %s\n", FITBENCH_VERSION);
        return finish_output(&(SinkFile){stdout, 0}, 0);
    } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        fputs(usage_text, stdout);
        return finish_output(&(SinkFile){stdout, 0}, 0);
    } else if (a[0] == '-')
        return usage_error("unknown option '%s'", a);
    else if (r->nwork < RUNARGS_MAX) {
        r->work_is_cmd[r->nwork] = false;
        r->work[r->nwork++] = a;
        r->nfiles++;
    } else
        return usage_error("too many scripts (the limit is %s)", "256");
    return -1;
}

int runargs_collect(RunArgs *r, int argc, char **argv)
{
    *r = (RunArgs){.seed = -1, .threads = -1};
    for (int i = 1; i < argc; i++) {
        int status = collect_one(r, argc, argv, &i);
        if (status >= 0)
            return status;
    }
    return -1;
}

/* ---- running the scripts, then the prompt ------------------------------------ */

/* The startup scripts front end f takes (f->scripts), in the order given: -c strings as lines located "-c:N",
 * files through script_file with f's hooks around each.  Returns true when one failed and --keep-going is off
 * (the rest did not run). */
static bool run_scripts(Interp *it, const RunArgs *a, const RunFront *f)
{
    for (int i = 0, c = 0; i < a->nwork && !it->quit; i++) {
        if (a->work_is_cmd[i]) {
            if ((f->scripts & RUN_CMDS) && script_line(it, a->work[i], strlen(a->work[i]), "-c", ++c) &&
                !it->keep_going)
                return true;
            continue;
        }
        if (!(f->scripts & RUN_FILES))
            continue;
        if (f->file_begin)
            f->file_begin(f->ctx, a->work[i]);
        FbErr e = {{0}, 0};
        bool bad = script_file(it, a->work[i], &e) != 0;
        if (bad && e.msg[0])
            script_report(it, NULL, 0, &e);
        if (f->file_end)
            f->file_end(f->ctx);
        if (bad && !it->keep_going)
            return true;
    }
    return false;
}

/* Scripts, then the prompt, for front end f (runargs.h says in which cases the prompt comes).  Returns
 * run_scripts' answer. */
static bool drive(Interp *it, const RunArgs *a, const RunFront *f)
{
    bool stopped = run_scripts(it, a, f);
    if (f->scripts_end)
        f->scripts_end(f->ctx, stopped);
    if (f->want_prompt && !it->quit && (!stopped || f->prompt_after_error))
        f->prompt(f->ctx);
    return stopped;
}

/* The plain front end: after the scripts, standard input when "-" was given; its prompt is Readline's on a
 * terminal, or else the commands on standard input (unless "-" has read them already). */
typedef struct Plain {
    Interp *it;
    const RunArgs *a;
} Plain;

static void plain_scripts_end(void *ctx, bool stopped)
{
    Plain *p = ctx;
    if (!stopped && p->a->read_stdin && !p->it->quit)
        script_stream(p->it, stdin, "<stdin>");
}

static void plain_prompt(void *ctx)
{
    Plain *p = ctx;
    if (isatty(STDIN_FILENO)) {
        p->it->interactive = true;
        repl_run(p->it);
    } else if (!p->a->read_stdin) {
        script_stream(p->it, stdin, "<stdin>");
    }
}

/* `pause` in a --live replay that could not have the workbench: the message, then a line from the terminal
 * (nothing to wait for when standard input is not one). */
static void plain_pause(void *ctx, Interp *it, const char *msg)
{
    (void)ctx;
    printf("\u275a\u275a %s (press Enter)", msg && *msg ? msg : "paused");
    fflush(stdout);
    if (isatty(STDIN_FILENO)) {
        int c;
        while ((c = getchar()) != EOF && c != '\n')
            ;
        clearerr(stdin);
    } else {
        putchar('\n');
    }
    (void)it;
}

/* The workbench when it can run here and is wanted, else (or when its screen cannot be set up) plain mode. */
static void run_front_end(Interp *it, const RunArgs *a)
{
    bool batch = a->ncmds || a->nfiles || a->read_stdin;
    bool tui = !a->plain && tui_available() && !a->read_stdin && (a->live || !batch || a->interactive_after);
    if (tui) {
        /* The -c commands run inside the workbench (tui_open's RunFront takes them), in their place among the
         * files: run in plain mode first, their output would vanish behind the full screen. */
        RunFront f;
        FbErr e = {{0}, 0};
        if (tui_open(it, !a->live || a->interactive_after || a->nfiles == 0, &f, &e) == 0) {
            drive(it, a, &f);
            tui_close(&f);
            return;
        }
        fprintf(stderr, "fitbench: %s; using plain mode%s\n", e.msg, a->live ? ", each pause waits for Enter" : "");
    } else if (a->live && !a->plain) {
        const char *term = getenv("TERM");
        if (isatty(STDOUT_FILENO) && isatty(STDIN_FILENO))
            fprintf(stderr, "fitbench: --live: this terminal (TERM=%s) cannot draw the workbench; replaying in plain "
                            "mode, each pause waits for Enter\n",
                    term && *term ? term : "unset");
        else
            fprintf(stderr, "fitbench: --live: not a terminal, so no workbench; replaying in plain mode\n");
    }
    /* Pauses in plain mode: the only hook (a FrontEnd without train hooks leaves the per-epoch lines on). */
    static const FrontEnd plain_fe = {.pause = plain_pause};
    if (a->live)
        it->fe = &plain_fe;
    Plain p = {it, a};
    drive(it, a,
          &(RunFront){.ctx = &p,
                      .scripts = RUN_CMDS | RUN_FILES,
                      .want_prompt = !batch || a->interactive_after,
                      .scripts_end = plain_scripts_end,
                      .prompt = plain_prompt});
}

/* The settings the command line gives the interpreter and the session. */
static void apply_args(Interp *it, Session *s, const RunArgs *a)
{
    it->keep_going = a->keep_going;
    it->quiet = a->quiet;
    it->live = a->live;
    it->interrupt = &fb_interrupted;
    if (a->keep_going)
        s->set.bail = false;
    if (a->seed >= 0)
        s->set.seed = (unsigned long long)a->seed;
    if (a->threads >= 0)
        s->set.threads = (int)a->threads;
}

int runargs_run(const RunArgs *a, const char *argv0)
{
    Session s;
    session_init(&s);
    SinkFile so = {stdout, 0};
    Sink out = sink_file(&so), errs = sink_stderr(&so);
    Interp it;
    interp_init(&it, &s, &out, &errs);
    DataDirs dd; /* where `load NAME` looks (datadirs.h) */
    datadirs_find(&dd, argv0);
    it.data_dirs = dd.list;
    apply_args(&it, &s, a);
    repl_install_sigint();
    run_front_end(&it, a);
    int status = it.failed ? 1 : 0;
    interp_free(&it);
    session_free(&s);
    return finish_output(&so, status);
}
