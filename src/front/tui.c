/* tui.c — the workbench's start and end: the terminal's safety net, signals, setting up the screen, and its hooks
 * for the driver (runargs.h): live replays, the prompt's main loop. */
#include "tui_internal.h"

#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <term.h>

#include <readline/readline.h>

#include "fitbench/repl.h"
#include "fitbench/runargs.h"
#include "fitbench/rlkeys.h"
#include "fitbench/script.h"
#include "fitbench/termguard.h"

/* The running workbench (see tui_internal.h). */
Tui *tui_cur;

/* ---- terminal safety -------------------------------------------------------
 * termguard.c restores the terminal on SIGTERM, SIGHUP and fatal signals (on an alternate stack, with the other
 * signals blocked meanwhile); the workbench gives it the sequences that leave the full-screen view, and restores
 * the same way at exit.  SIGWINCH is the workbench's own. */

static volatile sig_atomic_t tui_active;
static volatile sig_atomic_t tui_winch;
static bool tui_atexit_done;
static struct sigaction tui_old_winch;

static void on_winch(int sig)
{
    (void)sig;
    tui_winch = 1;
}

static void at_exit_restore(void)
{
    if (tui_active) {
        endwin();
        termguard_restore();
        tui_active = 0;
    }
    termguard_end();
}

/* The exit sequences (reset attributes, show the cursor, leave the alternate screen) for termguard. */
static void set_exit_seq(void)
{
    static const char *caps[] = {"sgr0", "cnorm", "rmcup"};
    char seq[240];
    size_t len = 0;
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        char *s = tigetstr((char *)caps[i]);
        if (!s || s == (char *)-1)
            continue;
        size_t n = strlen(s);
        if (len + n < sizeof seq) {
            memcpy(seq + len, s, n);
            len += n;
        }
    }
    termguard_set_exit_seq(seq, len);
}

static void install_signals(void)
{
    termguard_begin(STDIN_FILENO);
    /* Ours, not ncurses': the loop re-lays out when it sees the flag. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_winch;
    sa.sa_flags = 0;
    sigaction(SIGWINCH, &sa, &tui_old_winch);
}

static void restore_signals(void)
{
    termguard_end();
    sigaction(SIGWINCH, &tui_old_winch, NULL);
}

bool tui_available(void)
{
    const char *term = getenv("TERM");
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0;
}

void tui_service_winch(Tui *t)
{
    if (tui_winch) {
        tui_winch = 0;
        tui_relayout(t);
    }
}

/* ---- setting up and tearing down the screen ------------------------------------- */

/* Braille and box drawing need a UTF-8 character type; numbers keep the C
 * locale (only LC_CTYPE changes).  A C/POSIX environment on a UTF-8 terminal
 * is common (containers), so C.UTF-8 is tried when the user's is not UTF-8. */
static void utf8_ctype(void)
{
    if (!setlocale(LC_CTYPE, "") || strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");
}

static int screen_open(Tui *t, FbErr *err)
{
    install_signals(); /* before ncurses changes the terminal: termguard keeps the settings it had */
    if (!tui_atexit_done) {
        atexit(at_exit_restore);
        tui_atexit_done = true;
    }
    /* newterm rather than initscr: initscr exits the program on failure. */
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        restore_signals();
        return fb_fail(err, "cannot start the full-screen view on terminal '%s'", getenv("TERM"));
    }
    set_term(scr);
    t->scr = scr;
    set_exit_seq();
    tui_active = 1;
    cbreak(); /* keep ISIG: Ctrl-C stays SIGINT, which training watches */
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    /* Flow control off, so Ctrl-S / Ctrl-Q reach readline. */
    struct termios tio;
    if (tcgetattr(STDIN_FILENO, &tio) == 0) {
        tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
        tcsetattr(STDIN_FILENO, TCSANOW, &tio);
        def_prog_mode();
    }
    /* NO_COLOR (no-color.org: set and not empty) and terminals with fewer than 8 colours: characters only. */
    const char *nc = getenv("NO_COLOR");
    t->color = !(nc && *nc) && has_colors() && start_color() != ERR && COLORS >= 8;
    if (t->color)
        use_default_colors();
    tui_layout(t);
    return 0;
}

static void screen_close(Tui *t)
{
    if (tui_active) {
        endwin();
        termguard_set_exit_seq(NULL, 0); /* endwin has left the screen */
        termguard_restore();
        tui_active = 0;
    }
    restore_signals();
    if (t->scr)
        delscreen(t->scr);
    t->scr = NULL;
}

static void tui_free(Tui *t)
{
    for (size_t i = 0; i < t->nlines; i++)
        free(tui_line_at(t, i)->text);
    free(t->ring);
    free(t->part[0].buf);
    free(t->part[1].buf);
    grid_free(t->grid);
    free(t->thin.b);
    free(t->thin.rows);
}

/* The workbench's state, before the screen.  Returns the new Tui (tui_free and free it, and fclose its devnull),
 * or NULL when out of memory or /dev/null cannot be opened (err says). */
static Tui *tui_new(Interp *it, bool interactive, FbErr *err)
{
    Tui *t = calloc(1, sizeof *t);
    if (!t || !(t->ring = calloc(OUT_MAX, sizeof *t->ring))) {
        free(t);
        fb_oom(err, "the workbench", sizeof *t + OUT_MAX * sizeof(OutLine));
        return NULL;
    }
    t->devnull = fopen("/dev/null", "w");
    if (!t->devnull) {
        free(t->ring);
        free(t);
        fb_fail(err, "cannot open /dev/null");
        return NULL;
    }
    t->it = it;
    t->interactive = interactive;
    t->due_batch = t->due_epoch = (Due){0, 1, 0};
    return t;
}

/* Point the interpreter's output, errors and front-end hooks at the workbench (tui_close gives them back). */
static void take_interp(Tui *t, Interp *it)
{
    t->out_sink = (Sink){tui_out_write, t};
    t->err_sink = (Sink){tui_err_write, t};
    t->fe = (FrontEnd){.ctx = t,
                       .train_begin = tui_fe_train_begin,
                       .train_end = tui_fe_train_end,
                       .train_epoch = tui_fe_train_epoch,
                       .train_batch = tui_fe_train_batch,
                       .work_allowed = tui_fe_work_allowed,
                       .redraw = tui_fe_redraw,
                       .pause = tui_fe_pause};
    t->old_out = it->out;
    t->old_err = it->err;
    t->old_fe = it->fe;
    t->old_interactive = it->interactive;
    it->out = &t->out_sink;
    it->err = &t->err_sink;
    it->fe = &t->fe;
}

/* ---- the driver's hooks (runargs.h): live replays, then the prompt ------------ */

/* Before a script file: show it as a command and draw. */
static void replay_begin(void *ctx, const char *path)
{
    Tui *t = ctx;
    tui_note(t, LINE_CMD, "%srun %s", PROMPT, path);
    t->busy = true;
    tui_force_draw(t);
    t->replayed++;
}

static void replay_end(void *ctx)
{
    Tui *t = ctx;
    tui_flush_partials(t);
    t->busy = false;
}

/* After the replays, when no prompt follows: leave the final picture up until the reader has seen it. */
static void replays_done(void *ctx, bool stopped)
{
    Tui *t = ctx;
    if ((t->replayed > 0 || stopped) && !t->interactive && !t->it->quit)
        tui_fe_pause(t, t->it, stopped ? "the replay stopped at an error: press a key to leave"
                                       : "the replay is done: press a key to leave");
}

/* The prompt: Readline in callback mode until quit, Ctrl-D or a lost terminal; the history saved at the end. */
static void prompt_loop(void *ctx)
{
    Tui *t = ctx;
    Interp *it = t->it;
    it->interactive = true;
    fb_interrupted = 0;
    rl_callback_handler_install(PROMPT, tui_on_line);
    tui_force_draw(t);
    while (!t->eof && !it->quit) {
        tui_service_winch(t);
        if (fb_interrupted)
            tui_prompt_interrupted(t);
        if (t->inpos >= t->inlen && !rlkeys_pending()) {
            int r = tui_fill_input(t, 1000);
            if (r < 0)
                break;
            if (r == 0)
                continue;
        }
        rlkeys_read_char();
    }
    rl_callback_handler_remove();
    tui_save_history(t);
}

int tui_open(Interp *it, bool interactive, RunFront *f, FbErr *err)
{
    Tui *t = tui_new(it, interactive, err);
    if (!t)
        return -1;
    utf8_ctype();
    if (screen_open(t, err)) {
        fclose(t->devnull);
        tui_free(t);
        free(t);
        return -1;
    }
    tui_cur = t;
    take_interp(t, it);
    tui_readline_setup(t, t->devnull);
    tui_note(t, LINE_NOTE, "fitbench %s \u2014 type help for the commands, quit or Ctrl-D to leave", FITBENCH_VERSION);
    *f = (RunFront){.ctx = t,
                    .scripts = RUN_FILES | RUN_CMDS,
                    .want_prompt = interactive,
                    .prompt_after_error = true,
                    .file_begin = replay_begin,
                    .file_end = replay_end,
                    .scripts_end = replays_done,
                    .prompt = prompt_loop};
    return 0;
}

void tui_close(RunFront *f)
{
    Tui *t = f->ctx;
    Interp *it = t->it;
    tui_flush_partials(t);
    it->out = t->old_out;
    it->err = t->old_err;
    it->fe = t->old_fe;
    it->interactive = t->old_interactive;
    screen_close(t);
    /* The last error stays visible in the shell once the screen is gone. */
    if (it->failed)
        for (size_t i = t->nlines; i > 0; i--) {
            const OutLine *l = tui_line_at(t, i - 1);
            if (l->kind == LINE_ERR) {
                fprintf(stderr, "%ls\n", l->text);
                break;
            }
        }
    tui_cur = NULL;
    FILE *devnull = t->devnull;
    tui_free(t);
    free(t);
    fclose(devnull);
    f->ctx = NULL;
}
