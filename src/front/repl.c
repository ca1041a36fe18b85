/* repl.c — Readline in callback mode: one prompt loop that Ctrl-C can interrupt cleanly. */
#include "fitbench/repl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "fitbench/fileio.h"
#include "fitbench/rlkeys.h"
#include "fitbench/termguard.h"
#include "fitbench/script.h"

volatile sig_atomic_t fb_interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    fb_interrupted = 1;
}

void repl_install_sigint(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

/* mkdir -p, quietly: a missing history folder only costs the history. */
static void make_dirs(char *path)
{
    for (char *p = path + 1; *p; p++)
        if (*p == '/') {
            *p = '\0';
            mkdir(path, 0755);
            *p = '/';
        }
    mkdir(path, 0755);
}

char *repl_history_path(char *buf, size_t size)
{
    const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char dir[4096];
    if (state && *state)
        snprintf(dir, sizeof dir, "%s/fitbench", state);
    else if (home && *home)
        snprintf(dir, sizeof dir, "%s/.local/state/fitbench", home);
    else
        return NULL;
    make_dirs(dir);
    snprintf(buf, size, "%s/history", dir);
    return buf;
}

/* Readline's callbacks carry no context pointer, so the REPL keeps its
 * interpreter here while it runs. */
static Interp *repl_it;
static bool repl_eof;
static char repl_hist[4096];

int repl_save_history(const char *path, FbErr *err)
{
    stifle_history(1000);
    /* Written as write_history would, but through atomic_open/commit: every write is checked and fsynced before
     * the rename, so a full disk or a read-only folder leaves the old history as it was. */
    AtomicFile af;
    if (atomic_open(&af, path, err))
        return -1;
    HIST_ENTRY **h = history_list();
    for (int i = 0; h && h[i]; i++) {
        fputs(h[i]->line, af.fp);
        fputc('\n', af.fp);
    }
    return atomic_commit(&af, err);
}

/* Failing costs only the new lines, so the prompt stays quiet about it. */
static void save_history_atomically(void)
{
    FbErr e;
    if (repl_hist[0])
        repl_save_history(repl_hist, &e);
}

static void on_line(char *line)
{
    if (!line) {
        repl_eof = true;
        fputc('\n', stdout);
        return;
    }
    if (*line) {
        add_history(line);
        save_history_atomically();
    }
    /* Run with readline's terminal settings undone, so output and Ctrl-C
     * behave as in a normal program. */
    rl_callback_handler_remove();
    fb_interrupted = 0;
    script_line(repl_it, line, strlen(line), NULL, 0);
    fflush(stdout);
    free(line);
    if (!repl_it->quit)
        rl_callback_handler_install("fitbench> ", on_line);
}

static const char *path_commands[] = {"load", "run", "record", "save", NULL};

char **repl_attempt_completion(Interp *it, const char *text, int start)
{
    rl_attempted_completion_over = 1;
    /* Only the command this word belongs to (after the last ';'). */
    int seg = start;
    while (seg > 0 && rl_line_buffer[seg - 1] != ';')
        seg--;
    char *before = strndup(rl_line_buffer + seg, (size_t)(start - seg));
    if (!before)
        return NULL;
    char **v = command_complete(it, before, text);
    char first[32] = "";
    sscanf(before, " %31s", first);
    free(before);
    size_t n = 0;
    while (v && v[n])
        n++;
    if (n == 0) {
        free(v);
        if (!strchr(text, '='))
            for (int i = 0; path_commands[i]; i++)
                if (strcmp(first, path_commands[i]) == 0)
                    rl_attempted_completion_over = 0; /* readline completes file names */
        return NULL;
    }
    /* readline wants [0] = the longest common prefix (or the one match), then the matches. */
    char **m = malloc((n + 2) * sizeof *m);
    size_t lcp = strlen(v[0]);
    for (size_t i = 1; i < n; i++) {
        size_t k = 0;
        while (k < lcp && v[i][k] == v[0][k])
            k++;
        lcp = k;
    }
    char *common = m && n > 1 ? strndup(v[0], lcp) : NULL;
    if (!m || (n > 1 && !common)) {
        for (size_t i = 0; i < n; i++)
            free(v[i]);
        free(v);
        free(m);
        return NULL;
    }
    if (n == 1) {
        m[0] = v[0];
        m[1] = NULL;
    } else {
        m[0] = common;
        for (size_t i = 0; i < n; i++)
            m[i + 1] = v[i];
        m[n + 1] = NULL;
    }
    free(v);
    rl_completion_append_character = '\0'; /* candidates carry their own ' ' or '=' */
    return m;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    return repl_attempt_completion(repl_it, text, start);
}

/* The prompt's key source (rlkeys.h): a queue refilled with what the terminal has. */
static int refill_stdin(void *ctx)
{
    (void)ctx;
    unsigned char b[512];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, b, sizeof b);
        if (n > 0) {
            rlkeys_queue_push(b, (size_t)n);
            return 1;
        }
        if (n == 0 || errno != EINTR)
            return 0;
    }
}

int repl_run(Interp *it)
{
    repl_it = it;
    repl_eof = false;
    rl_catch_sigwinch = 1;
    rl_attempted_completion_function = complete;
    rlkeys_queue_clear();
    RlKeySource keys = rlkeys_queue_source(refill_stdin, NULL);
    rlkeys_setup(&keys, NULL);
    rl_variable_bind("show-all-if-ambiguous", "on"); /* list choices at the first Tab */
    using_history();
    if (repl_history_path(repl_hist, sizeof repl_hist))
        read_history(repl_hist);
    fb_interrupted = 0;
    termguard_begin(STDIN_FILENO); /* before Readline changes the terminal (termguard.h) */
    rl_callback_handler_install("fitbench> ", on_line);
    while (!repl_eof && !it->quit) {
        if (rlkeys_queue_len() > 0 || rlkeys_pending()) {
            rlkeys_read_char();
            continue;
        }
        fd_set fds;
        FD_ZERO(&fds);
        FD_SET(STDIN_FILENO, &fds);
        int r = select(STDIN_FILENO + 1, &fds, NULL, NULL, NULL);
        if (r < 0 && errno == EINTR) {
            if (fb_interrupted) {
                /* Ctrl-C at the prompt: drop the line, new prompt. */
                fb_interrupted = 0;
                rlkeys_cancel_line();
                rl_crlf();
                rl_on_new_line();
                rl_redisplay();
            }
            continue;
        }
        if (r < 0)
            break;
        rlkeys_read_char();
    }
    if (!it->quit)
        rl_callback_handler_remove();
    termguard_end();
    save_history_atomically();
    repl_it = NULL;
    return 0;
}
