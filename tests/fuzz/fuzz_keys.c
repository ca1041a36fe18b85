/* fuzz_keys.c — libFuzzer target: random key streams into GNU Readline's callback mode, set up by the function
 * both front ends use (rlkeys_setup: fitbench's variables, bindings and the guards against Readline 8.2's
 * callback-mode crash), with the workbench's extra key bindings and the interpreter's completion.
 *
 * Each input is a byte stream typed at an empty prompt: the bytes go through rlkeys' queue, one
 * rlkeys_read_char() per turn, as the front ends drive it; a finished line goes into the history, as at the
 * prompt (nothing runs; the history grows from input to input, to 1000 lines).  Each input is followed by
 * C-g C-g C-g C-x ( C-x ) C-g (the macro keys only ring the bell now: keyboard macros are off, rlkeys.c); the
 * editing mode and macro recording are reset between inputs.  Locale C.UTF-8 as
 * in the workbench (FB_FUZZ_LOCALE=C: as at the plain prompt).  FB_FUZZ_NO_KEY_GUARD=1 in the environment turns
 * the guards off, to show the crash they prevent (docs/reliability.md); FB_FUZZ_TRACE=1 prints each key read and
 * the line after each turn on stderr, to follow a replayed fault. */
#include <readline/history.h>
#include <readline/readline.h>

#include "fitbench/command.h"
#include "fitbench/repl.h"
#include "fitbench/rlkeys.h"
#include "fitbench/rlsearch.h"
#include "fitbench/session.h"

#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Readline's "the last command was a kill" flag (rlprivate.h): cleared before each input, so kills do not append to
 * the same kill-ring entry from one input to the next. */
extern int _rl_last_command_was_kill;

/* Yank and kill can double the line every few keys; past this size an input is cut short, and numeric arguments
 * (M-digits, vi counts) are capped at MAX_ARG, so the fuzzer does not spend its time in Readline's quadratic cursor
 * arithmetic in UTF-8 (each motion rescans the line from its start: vi `e` with a count of 999 on a 4 KiB line of
 * multibyte text takes over 10 s).  (args_split, which completion runs, was quadratic in the '=' of a word when this
 * cap was set; it is linear now.)  Slow, not broken: a person would have to type for minutes to get there. */
#define MAX_LINE 1024
#define MAX_ARG 20
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static Session sess;
static Interp interp;
static Sink null_sink;
static int lines;

static void null_write(void *ctx, const char *s, size_t n) { (void)ctx, (void)s, (void)n; }

/* Stand-ins for the workbench's page-up, page-down and repaint keys (the same key sequences, so the keymaps have
 * the same shape). */
static int stand_in(int count, int key)
{
    (void)count, (void)key;
    return 0;
}

/* As the front ends do: the line goes into the history, which keeps its last 1000 lines (repl_save_history). */
static void on_line(char *line)
{
    if (line && *line) {
        add_history(line);
        stifle_history(1000);
    }
    free(line);
    lines++;
}

static char **complete(const char *text, int start, int end)
{
    (void)end;
    return repl_attempt_completion(&interp, text, start);
}

/* The key source: the queue, and before each key Readline reads, a check that an incremental search is inside its
 * line (Readline 8.2's fault in rlsearch.h compares bytes past its end, which ASan sees only when they happen to
 * match; this check sees it every time).  The guards repair it first; FB_FUZZ_NO_KEY_GUARD=1 shows it. */
static RlKeySource queue;

static int checked_getc(void *ctx)
{
    if (!rlsearch_consistent()) {
        fprintf(stderr, "fuzz_keys: the incremental search is past the end of its line (rlsearch.h)\n");
        abort();
    }
    int c = queue.getc(ctx);
    if (getenv("FB_FUZZ_TRACE"))
        fprintf(stderr, "  key 0x%02x: isearch=%d line='%s' state=%#lx\n", (unsigned)c, RL_ISSTATE(RL_STATE_ISEARCH) != 0,
                rl_line_buffer, rl_readline_state);
    return c;
}

static int checked_avail(void *ctx) { return queue.avail(ctx); }

static void no_prep(int meta) { (void)meta; }
static void no_deprep(void) {}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    /* The workbench's character type (tui.c: UTF-8, where Readline reads multibyte keys); FB_FUZZ_LOCALE=C gives
     * the plain prompt's byte-oriented one. */
    const char *loc = getenv("FB_FUZZ_LOCALE");
    if (!setlocale(LC_CTYPE, loc && *loc ? loc : "C.UTF-8"))
        abort();
    const char *off = getenv("FB_FUZZ_NO_KEY_GUARD");
    if (off && *off && strcmp(off, "0") != 0)
        rlkeys_guard = false;
    /* File-name completion (after load, run, ...) lists the current folder: run it in a small one. */
    null_sink = (Sink){null_write, NULL};
    session_init(&sess);
    interp_init(&interp, &sess, &null_sink, &null_sink);
    rl_instream = stdin;
    rl_outstream = fopen("/dev/null", "w");
    if (!rl_outstream)
        abort();
    rl_prep_term_function = no_prep;
    rl_deprep_term_function = no_deprep;
    rl_attempted_completion_function = complete;
    queue = rlkeys_queue_source(NULL, NULL); /* EOF when the input is used up */
    RlKeySource src = {checked_getc, checked_avail, queue.ctx};
    RlKeyExtras extras = {stand_in, stand_in, stand_in};
    rlkeys_setup(&src, &extras);
    rl_variable_bind("bell-style", "none");
    using_history();
    return 0;
}

/* FB_FUZZ_LOG=DIR writes every input to DIR/0000000, 0000001, ... in order: a fault that needs the history earlier
 * inputs left behind is then repeated by running the target on those files in one process (docs/reliability.md). */
static void log_input(const uint8_t *data, size_t size)
{
    static unsigned long n;
    const char *dir = getenv("FB_FUZZ_LOG");
    if (!dir || !*dir)
        return;
    char path[4096];
    snprintf(path, sizeof path, "%s/%07lu", dir, n++);
    FILE *f = fopen(path, "wb");
    if (f) {
        fwrite(data, 1, size, f);
        fclose(f);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    log_input(data, size);
    rlkeys_queue_clear();
    rlkeys_reset();
    _rl_last_command_was_kill = 0;
    rl_callback_handler_install("> ", on_line);
    size_t off = 0;
    /* Feed in chunks, as the terminal delivers them: a turn may read several bytes (a key sequence, typeahead). */
    while ((off < size || rlkeys_queue_len() > 0 || rlkeys_pending()) && rl_end < MAX_LINE) {
        if (rlkeys_queue_len() == 0 && off < size)
            off += rlkeys_queue_push(data + off, size - off > 64 ? 64 : size - off);
        if (rl_numeric_arg > MAX_ARG)
            rl_numeric_arg = MAX_ARG;
        rlkeys_read_char();
        if (getenv("FB_FUZZ_TRACE"))
            fprintf(stderr, "turn: isearch=%d line='%s' point=%d history=%d/%d\n", RL_ISSTATE(RL_STATE_ISEARCH) != 0,
                    rl_line_buffer, rl_point, where_history(), history_length);
    }
    /* Three C-g (the first may be taken literally, by quoted-insert) end whatever the input left half done: a
     * key sequence, a search, an argument (Readline frees a pending command's data only when it completes); then
     * C-x ( C-x ) records an empty keyboard macro, so the next input does not replay this one's (with its numeric
     * arguments, a replay runs in one turn, where MAX_ARG cannot cap it). */
    rlkeys_queue_clear();
    rlkeys_queue_push((const unsigned char *)"\a\a\a\030(\030)\a", 8);
    while (rlkeys_queue_len() > 0 || rlkeys_pending())
        rlkeys_read_char();
    rlkeys_cancel_line(); /* as Ctrl-C at the prompt does */
    rl_callback_handler_remove();
    if (RL_ISSTATE(RL_STATE_MACRODEF))
        rl_readline_state &= ~(unsigned long)RL_STATE_MACRODEF;
    rl_emacs_editing_mode(1, 0);
    /* The history is kept from one input to the next, as a session keeps it.  An earlier version cleared it here,
     * under Readline's feet, and one run hit a double free in rl_revert_line (Readline's undo list) that did not
     * reproduce from its input alone; fitbench never clears the history. */
    return 0;
}
