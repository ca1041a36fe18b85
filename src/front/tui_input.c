/* tui_input.c — keyboard input and GNU Readline in callback mode: lines, history, completion, scroll keys. */
#include "tui_internal.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "fitbench/repl.h"
#include "fitbench/rlkeys.h"
#include "fitbench/script.h"

/* ---- scroll keys --------------------------------------------------------------- */

static int rl_pageup(int count, int key)
{
    (void)count, (void)key;
    tui_scroll_by(tui_cur, tui_cur->out_h - 1);
    return 0;
}

static int rl_pagedown(int count, int key)
{
    (void)count, (void)key;
    tui_scroll_by(tui_cur, -(tui_cur->out_h - 1));
    return 0;
}

static int rl_big_output(int count, int key)
{
    (void)count, (void)key;
    tui_toggle_big_output(tui_cur);
    return 0;
}

static int rl_repaint(int count, int key)
{
    (void)count, (void)key;
    clearok(curscr, TRUE);
    tui_force_draw(tui_cur);
    return 0;
}

/* ---- keyboard input ------------------------------------------------------------ */

/* Read what the terminal has into the input buffer, waiting up to timeout_ms
 * (-1: until something comes).  Returns 1 when bytes are there, 0 on timeout
 * or a signal, -1 when the terminal is gone. */
int tui_fill_input(Tui *t, int timeout_ms)
{
    if (t->inpos < t->inlen)
        return 1;
    struct pollfd pf = {.fd = STDIN_FILENO, .events = POLLIN};
    int r = poll(&pf, 1, timeout_ms);
    if (r <= 0)
        return r < 0 && errno != EINTR ? -1 : 0;
    ssize_t n = read(STDIN_FILENO, t->in, sizeof t->in);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0)
        return -1;
    t->inpos = 0;
    t->inlen = (size_t)n;
    return 1;
}

/* The workbench's key source for Readline (rlkeys.h): its input buffer, refilled from the terminal. */
static int key_getc(void *ctx)
{
    Tui *t = ctx;
    for (;;) {
        if (t->inpos < t->inlen)
            return t->in[t->inpos++];
        int r = tui_fill_input(t, -1);
        if (r < 0)
            return EOF;
        if (r == 0)
            tui_service_winch(t); /* Ctrl-C is handled by the loop once readline returns */
    }
}

static int key_avail(void *ctx)
{
    Tui *t = ctx;
    if (t->inpos < t->inlen)
        return 1;
    struct pollfd pf = {.fd = STDIN_FILENO, .events = POLLIN};
    return poll(&pf, 1, 0) > 0;
}

static void rl_redisplay_cb(void)
{
    tui_draw_cmdline(tui_cur);
    refresh();
}

static void rl_prep_cb(int meta) { (void)meta; }
static void rl_deprep_cb(void) {}

/* ---- Readline: lines, history, completion ------------------------------------- */

void tui_save_history(Tui *t)
{
    FbErr e;
    if (t->hist[0])
        repl_save_history(t->hist, &e); /* atomic; a failure keeps the old file and costs only the new lines */
}

static void run_line(Tui *t, const char *line)
{
    t->busy = true;
    t->scroll = 0;
    fb_interrupted = 0;
    tui_force_draw(t);
    script_line(t->it, line, strlen(line), NULL, 0);
    tui_flush_partials(t);
    fb_interrupted = 0;
    t->busy = false;
}

void tui_on_line(char *line)
{
    Tui *t = tui_cur;
    if (!line) {
        t->eof = true;
        return;
    }
    if (*line) {
        add_history(line);
        tui_save_history(t);
    }
    tui_note(t, LINE_CMD, "%s%s", PROMPT, line);
    run_line(t, line);
    free(line);
    if (t->it->quit)
        t->eof = true;
    tui_force_draw(t);
}

/* Same rules as the plain prompt (repl.c). */
static char **complete_cb(const char *text, int start, int end)
{
    (void)end;
    return repl_attempt_completion(tui_cur->it, text, start);
}

/* Several matches: list them in the output pane, in columns. */
static void show_matches_cb(char **matches, int num, int max_length)
{
    Tui *t = tui_cur;
    int colw = max_length + 2, cols = t->W / (colw > 0 ? colw : 1);
    if (cols < 1)
        cols = 1;
    char line[1024];
    size_t k = 0;
    for (int i = 1; i <= num; i++) {
        k += (size_t)snprintf(line + k, sizeof line - k, "%-*s", colw, matches[i]);
        if (k >= sizeof line)
            k = sizeof line - 1;
        if (i % cols == 0 || i == num) {
            while (k > 0 && line[k - 1] == ' ')
                k--;
            tui_add_line(t, line, k, LINE_OUT);
            k = 0;
        }
    }
    t->scroll = 0;
    tui_force_draw(t);
}

/* Ctrl-C at the prompt: drop the line, a fresh prompt. */
void tui_prompt_interrupted(Tui *t)
{
    fb_interrupted = 0;
    rlkeys_cancel_line();
    rl_on_new_line();
    rl_set_prompt(PROMPT);
    tui_force_draw(t);
}

void tui_readline_setup(Tui *t, FILE *devnull)
{
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_instream = stdin;
    rl_outstream = devnull; /* ncurses owns the screen; readline must not write to it */
    rl_prep_term_function = rl_prep_cb;
    rl_deprep_term_function = rl_deprep_cb;
    rl_redisplay_function = rl_redisplay_cb;
    rl_completion_display_matches_hook = show_matches_cb;
    rl_attempted_completion_function = complete_cb;
    RlKeySource keys = {key_getc, key_avail, t};
    RlKeyExtras extras = {rl_pageup, rl_pagedown, rl_repaint};
    rlkeys_setup(&keys, &extras); /* rl_initialize() and the guarded bindings */
    rl_bind_key(15, rl_big_output); /* Ctrl-O: the output pane over the plot, and back */
    rl_variable_bind("bell-style", "none");
    rl_variable_bind("show-all-if-unmodified", "on"); /* the second Tab lists, as in bash */
    rl_set_screen_size(t->H, t->W);
    using_history();
    if (repl_history_path(t->hist, sizeof t->hist))
        read_history(t->hist);
}
