/* tui.c — the workbench's start and end: the terminal's safety net, signals, setting up the screen, the main loop. */
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
    t->color = has_colors() && start_color() != ERR;
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

int tui_run(Interp *it, const char *const *scripts, int n, bool interactive, FbErr *err)
{
    Tui *t = calloc(1, sizeof *t);
    if (!t || !(t->ring = calloc(OUT_MAX, sizeof *t->ring))) {
        free(t);
        return fb_oom(err, "the workbench", sizeof *t + OUT_MAX * sizeof(OutLine));
    }
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull) {
        free(t->ring);
        free(t);
        return fb_fail(err, "cannot open /dev/null");
    }
    utf8_ctype();
    t->it = it;
    t->due_batch = t->due_epoch = (Due){0, 1, 0};
    if (screen_open(t, err)) {
        fclose(devnull);
        tui_free(t);
        free(t);
        return -1;
    }
    tui_cur = t;
    t->out_sink = (Sink){tui_out_write, t};
    t->err_sink = (Sink){tui_err_write, t};
    t->fe = (FrontEnd){.ctx = t,
                       .train_begin = tui_fe_train_begin,
                       .train_end = tui_fe_train_end,
                       .train_epoch = tui_fe_train_epoch,
                       .train_batch = tui_fe_train_batch,
                       .redraw = tui_fe_redraw,
                       .pause = tui_fe_pause};
    Sink *old_out = it->out, *old_err = it->err;
    const FrontEnd *old_fe = it->fe;
    bool old_interactive = it->interactive;
    it->out = &t->out_sink;
    it->err = &t->err_sink;
    it->fe = &t->fe;
    tui_readline_setup(t, devnull);
    tui_note(t, LINE_NOTE, "fitbench %s \u2014 type help for the commands, quit or Ctrl-D to leave", FITBENCH_VERSION);

    /* Live replays first. */
    bool stopped = false;
    for (int i = 0; i < n && !it->quit && !stopped; i++) {
        tui_note(t, LINE_CMD, "%srun %s", PROMPT, scripts[i]);
        t->busy = true;
        tui_force_draw(t);
        FbErr e = {{0}, 0};
        if (script_file(it, scripts[i], &e)) {
            if (e.msg[0])
                script_report(it, NULL, 0, &e);
            stopped = !it->keep_going;
        }
        tui_flush_partials(t);
        t->busy = false;
    }
    if (n > 0 && !interactive && !it->quit) {
        /* Leave the final picture up until the reader has seen it. */
        tui_fe_pause(t, it, stopped ? "the replay stopped at an error: press a key to leave"
                                    : "the replay is done: press a key to leave");
    }

    if (interactive && !it->quit) {
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
            rl_callback_read_char();
        }
        rl_callback_handler_remove();
        tui_save_history(t);
    }

    tui_flush_partials(t);
    it->out = old_out;
    it->err = old_err;
    it->fe = old_fe;
    it->interactive = old_interactive;
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
    tui_free(t);
    free(t);
    fclose(devnull);
    return 0;
}
