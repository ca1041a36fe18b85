/* rlkeys.c — the key-input path into GNU Readline's callback mode and the guards that keep keys from crashing it
 * (see rlkeys.h for the Readline 8.2 bug they work around). */
#include "fitbench/rlkeys.h"
#include "fitbench/rlline.h"
#include "fitbench/rlsearch.h"
#include "fitbench/rlundo.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <readline/history.h>
#include <readline/readline.h>

bool rlkeys_guard = true;

static RlKeySource src;
static int held = -1; /* the prefix key the isearch guard owes Readline, or -1 */

/* ---- the byte queue ------------------------------------------------------------ */

static unsigned char q_buf[4096];
static size_t q_head, q_len;
static int (*q_refill)(void *);
static void *q_refill_ctx;

size_t rlkeys_queue_push(const unsigned char *b, size_t n)
{
    if (q_head > 0 && q_len > 0)
        memmove(q_buf, q_buf + q_head, q_len);
    q_head = 0;
    size_t room = sizeof q_buf - q_len;
    if (n > room)
        n = room;
    memcpy(q_buf + q_len, b, n);
    q_len += n;
    return n;
}

size_t rlkeys_queue_len(void) { return q_len; }

void rlkeys_queue_clear(void) { q_head = q_len = 0; }

static int q_getc(void *ctx)
{
    (void)ctx;
    while (q_len == 0)
        if (!q_refill || !q_refill(q_refill_ctx))
            return EOF;
    q_len--;
    return q_buf[q_head++];
}

static int q_avail(void *ctx)
{
    (void)ctx;
    return q_len > 0;
}

RlKeySource rlkeys_queue_source(int (*refill)(void *), void *refill_ctx)
{
    q_refill = refill;
    q_refill_ctx = refill_ctx;
    return (RlKeySource){q_getc, q_avail, NULL};
}

/* ---- the isearch guard: Readline's getc and input-available hooks ---------------- */

/* A key that makes incremental search index into another keymap (C-x, ESC, ...). */
static bool prefix_key(int c)
{
    Keymap m = rl_get_keymap();
    return c >= 0 && c < ANYOTHERKEY && m && m[c].type == ISKMAP;
}

/* Before Readline acts on a key (rlundo.h); not inside a search, whose context holds undo lists out of sight. */
static void repair_undo(void)
{
    if (rlkeys_guard && !RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH)) {
        rlundo_repair();
        rlline_repair(); /* no invalid UTF-8 for vi motions to loop on (rlline.h) */
    }
}

static int rlk_getc(FILE *fp)
{
    (void)fp;
    if (rl_done)
        return '\n'; /* a finished line Readline has not handed over (rlkeys_read_char): accept it, use no key */
    if (held >= 0) {
        int c = held;
        held = -1;
        repair_undo();
        return c;
    }
    if (rlkeys_guard)
        rlsearch_repair(); /* before the key is read: Readline searches from there (rlsearch.h) */
    int c = src.getc(src.ctx);
    repair_undo();
    if (c == EOF || !rlkeys_guard || !RL_ISSTATE(RL_STATE_ISEARCH) || !prefix_key(c))
        return c;
    /* End the search with C-j (an isearch terminator we set: nothing is pushed back), then hand over the key.
     * A lone ESC only ends the search, as Readline does when no key follows it at once. */
    if (c != '\033' || src.avail(src.ctx))
        held = c;
    return '\n';
}

static int rlk_avail(void) { return held >= 0 || src.avail(src.ctx); }

bool rlkeys_pending(void) { return held >= 0; }

void rlkeys_read_char(void)
{
    rl_callback_read_char();
    if (rl_done && RL_ISSTATE(RL_STATE_CALLBACK)) /* still installed: the line function did not remove it */
        rl_callback_read_char();
}

void rlkeys_reset(void) { held = -1; }

void rlkeys_cancel_line(void)
{
    rl_callback_sigcleanup(); /* ends a search, an argument, a pending key sequence (may put the saved line back) */
    if (rlkeys_guard)
        rlundo_repair();
    rl_free_line_state();
    rl_replace_line("", 0);
    rl_point = rl_end = 0;
    using_history(); /* the next line starts after the last history entry */
    held = -1;
}

/* ---- safe bindings: nothing bound may longjmp to Readline's top level ------------- */

/* Readline's abort target (rlprivate.h: `extern procenv_t _rl_top_level`, a sigjmp_buf on POSIX systems). */
extern sigjmp_buf _rl_top_level;

/* Run a Readline command with the abort target pointing at this live frame: if the command aborts (a yank with
 * an empty kill ring, C-x ( while defining a macro, ...), Readline has rung the bell and reset its state, and the
 * longjmp lands here instead of in a dead frame. */
static int guarded(rl_command_func_t *f, int count, int key)
{
    sigjmp_buf saved;
    memcpy(saved, _rl_top_level, sizeof saved);
    volatile int r = 0;
    if (sigsetjmp(_rl_top_level, 0) == 0)
        r = f(count, key);
    else
        r = 0;
    memcpy(_rl_top_level, saved, sizeof saved);
    return r;
}

/* Readline's abort without the longjmp: the bell, no message, no pending input, no argument, no region. */
static int rlk_abort(int count, int key)
{
    (void)count, (void)key;
    rl_ding();
    rl_clear_pending_input();
    rl_deactivate_mark();
    rl_numeric_arg = 1;
    rl_explicit_arg = 0;
    rl_clear_message();
    return 0;
}

/* An unbound key where Readline would abort: only the bell. */
static int rlk_unbound(int count, int key)
{
    (void)count, (void)key;
    rl_ding();
    return 0;
}

static void show_original_last(void);

/* The commands that can abort, each behind guarded().  The yank-pop commands check which command ran last, so
 * they are shown the original rather than its wrapper. */
static int w_yank(int c, int k) { return guarded(rl_yank, c, k); }
static int w_yank_pop(int c, int k)
{
    show_original_last();
    return guarded(rl_yank_pop, c, k);
}
static int w_vi_yank_pop(int c, int k)
{
    show_original_last();
    return guarded(rl_vi_yank_pop, c, k);
}

/* The commands that free the edited line's whole undo list (accept-line, the history searches that copy a line in,
 * search-again, the first switch to vi command mode), after the undo-list repair (rlundo.h): a keyboard macro's
 * keys do not pass through rlk_getc, so a macro could move to an edited history line and run one of them before
 * any repair.  The history searches check which command ran last, so they are shown the original. */
#define REPAIRED(name, fn)                                                                                        \
    static int name(int c, int k)                                                                                  \
    {                                                                                                              \
        rlundo_repair();                                                                                           \
        show_original_last();                                                                                      \
        return fn(c, k);                                                                                           \
    }
REPAIRED(w_newline, rl_newline)
REPAIRED(w_hsearch_fwd, rl_history_search_forward)
REPAIRED(w_hsearch_back, rl_history_search_backward)
REPAIRED(w_hsubstr_fwd, rl_history_substr_search_forward)
REPAIRED(w_hsubstr_back, rl_history_substr_search_backward)
REPAIRED(w_nsearch_again_fwd, rl_noninc_forward_search_again)
REPAIRED(w_nsearch_again_back, rl_noninc_reverse_search_again)
REPAIRED(w_vi_search_again, rl_vi_search_again)
REPAIRED(w_vi_movement, rl_vi_movement_mode)

/* Readline 8.2's history_tokenize_word (histexpand.c) steps over the character after a backslash; when a history
 * line ends in a lone backslash that step lands on the line's NUL and the loop's own step goes past it, so
 * yank-last-arg, yank-nth-arg and vi's `_` (which take words of history lines) read the memory after that line:
 * a heap-buffer-overflow found by fuzz_keys (fault 8, docs/reliability.md).  Before they run, every history line
 * that ends in an odd run of backslashes gets a second NUL after its first, so the step past the end reads that
 * and stops: the words are the same, nothing outside the line is read.  Not during a search, whose context holds
 * pointers to the lines.  A line that cannot grow (no memory) makes the key ring the bell. */
static bool pad_trailing_escapes(void)
{
    HIST_ENTRY **h = history_list();
    for (int i = 0; h && h[i] && i < history_length; i++) {
        char *l = h[i]->line;
        size_t n = l ? strlen(l) : 0, run = 0;
        while (run < n && l[n - 1 - run] == '\\')
            run++;
        if (run % 2 == 0)
            continue;
        char *p = realloc(l, n + 2);
        if (!p)
            return false;
        p[n + 1] = '\0';
        h[i]->line = p;
    }
    return true;
}

#define ARG_YANK(name, fn)                                                                                        \
    static int name(int c, int k)                                                                                  \
    {                                                                                                              \
        show_original_last();                                                                                      \
        if (!RL_ISSTATE(RL_STATE_ISEARCH | RL_STATE_NSEARCH) && !pad_trailing_escapes()) {                         \
            rl_ding();                                                                                             \
            return 0;                                                                                              \
        }                                                                                                          \
        return guarded(fn, c, k);                                                                                  \
    }
ARG_YANK(w_yank_nth_arg, rl_yank_nth_arg)
ARG_YANK(w_yank_last_arg, rl_yank_last_arg)
ARG_YANK(w_vi_yank_arg, rl_vi_yank_arg)

/* Readline binds ESC [ 2 0 0 ~ (a terminal's "paste begins") to bracketed-paste-begin whatever
 * enable-bracketed-paste says; that command reads to the end marker and, when the input ends first, runs strlen
 * past the end of its buffer (a heap overflow found by fuzz_keys).  Bracketed paste is off, so the terminal never
 * sends the marker: typed by hand it only rings the bell.  Not part of the switchable guard. */
static int rlk_no_paste(int count, int key)
{
    return rlk_unbound(count, key);
}

static const struct {
    rl_command_func_t *orig, *safe;
} safe_cmds[] = {
    {rl_bracketed_paste_begin, rlk_no_paste}, /* first: always replaced */
    {rl_abort, rlk_abort},
    {rl_yank, w_yank},
    {rl_yank_pop, w_yank_pop},
    {rl_vi_yank_pop, w_vi_yank_pop},
    /* Keyboard macros (C-x ( ... C-x ), C-x e) are off: Readline 8.2 erases only the last key of a C-x e typed
     * while a macro is being defined, so the macro keeps a C-x that later runs it again: an endless replay inside
     * one key, with the line growing until memory runs out (found by fuzz_keys).  Their keys also bypass the key
     * source's guards.  The keys ring the bell; a string macro from ~/.inputrc still works. */
    {rl_start_kbd_macro, rlk_unbound},
    {rl_end_kbd_macro, rlk_unbound},
    {rl_call_last_kbd_macro, rlk_unbound},
    /* operate-and-get-next (C-o) re-enters the next history line with the current one's undo list: after
     * history moves and revert-line, Readline 8.2 frees that list twice (the fuzz input in docs/reliability.md).
     * fitbench has no use for it; the key rings the bell. */
    {rl_operate_and_get_next, rlk_unbound},
    {rl_newline, w_newline},
    {rl_history_search_forward, w_hsearch_fwd},
    {rl_history_search_backward, w_hsearch_back},
    {rl_history_substr_search_forward, w_hsubstr_fwd},
    {rl_history_substr_search_backward, w_hsubstr_back},
    {rl_noninc_forward_search_again, w_nsearch_again_fwd},
    {rl_noninc_reverse_search_again, w_nsearch_again_back},
    {rl_vi_search_again, w_vi_search_again},
    {rl_vi_movement_mode, w_vi_movement},
    {rl_yank_nth_arg, w_yank_nth_arg},
    {rl_yank_last_arg, w_yank_last_arg},
    {rl_vi_yank_arg, w_vi_yank_arg},
};
#define NSAFE (sizeof safe_cmds / sizeof safe_cmds[0])

/* Readline compares rl_last_func with its own commands (a second yank-pop, a repeated history search): it is shown
 * the original of a wrapper that ran last. */
static void show_original_last(void)
{
    for (size_t s = 0; s < NSAFE; s++)
        if (rl_last_func == safe_cmds[s].safe)
            rl_last_func = safe_cmds[s].orig;
}

/* Every keymap reachable from the roots, and whether some path to it passes a map that shadows a function (its
 * ANYOTHERKEY entry is set): Readline then backs up to that function on an unbound key instead of aborting. */
#define MAX_MAPS 128
static Keymap maps[MAX_MAPS];
static bool map_shadowed[MAX_MAPS];
static int nmaps;

static void collect(Keymap m, bool shadow, int depth)
{
    if (!m || depth > 16)
        return;
    shadow = shadow || m[ANYOTHERKEY].function != NULL;
    int i = 0;
    while (i < nmaps && maps[i] != m)
        i++;
    if (i < nmaps) {
        if (map_shadowed[i] || !shadow)
            return; /* seen with at least this much shadowing */
        map_shadowed[i] = true;
    } else {
        if (nmaps == MAX_MAPS)
            return;
        maps[nmaps] = m;
        map_shadowed[nmaps++] = shadow;
    }
    for (int k = 0; k < ANYOTHERKEY; k++)
        if (m[k].type == ISKMAP) {
            Keymap child; /* an ISKMAP entry keeps the keymap in its function pointer */
            memcpy(&child, &m[k].function, sizeof child);
            collect(child, shadow, depth + 1);
        }
}

static void safe_bindings(bool guard)
{
    nmaps = 0;
    static const char *roots[] = {"emacs-standard", "vi-command", "vi-insert"};
    for (size_t r = 0; r < sizeof roots / sizeof roots[0]; r++)
        collect(rl_get_keymap_by_name(roots[r]), false, 0);
    for (int i = 0; i < nmaps; i++)
        for (int k = 0; k <= ANYOTHERKEY; k++) { /* ANYOTHERKEY: what ESC alone runs in vi insert mode */
            KEYMAP_ENTRY *e = &maps[i][k];
            if (e->type != ISFUNC)
                continue;
            if (!e->function && k < ANYOTHERKEY && !map_shadowed[i] && guard)
                e->function = rlk_unbound;
            for (size_t s = 0; s < (guard ? NSAFE : 1); s++)
                if (e->function == safe_cmds[s].orig)
                    e->function = safe_cmds[s].safe;
        }
}

/* ---- the set-up ------------------------------------------------------------------ */

void rlkeys_setup(const RlKeySource *source, const RlKeyExtras *extras)
{
    src = *source;
    held = -1;
    rl_readline_name = "fitbench"; /* before rl_initialize: ~/.inputrc may say $if fitbench */
    rl_catch_signals = 0;          /* fitbench's own handlers decide (repl.h, termguard.h) */
    rl_getc_function = rlk_getc;
    rl_input_available_hook = rlk_avail;
    rl_initialize();
    rl_completer_word_break_characters = " \t\n;";
    /* Bracketed-paste detection pushes keys back into Readline (see rlkeys.h). */
    rl_variable_bind("enable-bracketed-paste", "off");
    /* The terminator the isearch guard sends (C-j) must end a search; ESC keeps doing so. */
    rl_variable_bind("isearch-terminators", "\\e\\C-j");
    /* Completion never asks "Display all N possibilities? (y or n)" nor pages (a key there can abort). */
    rl_variable_bind("page-completions", "off");
    rl_completion_query_items = 0;
    if (extras && extras->page_up)
        rl_bind_keyseq("\\e[5~", extras->page_up);
    if (extras && extras->page_down)
        rl_bind_keyseq("\\e[6~", extras->page_down);
    if (extras && extras->repaint)
        rl_bind_key('\f', extras->repaint);
    safe_bindings(rlkeys_guard);
}
