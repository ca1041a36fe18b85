/* rlkeys.h — the key-input path into GNU Readline's callback mode, shared by the workbench, the plain prompt and
 * the key fuzz target: Readline's settings and bindings, and the guards that keep key sequences from crashing it. */
#ifndef FITBENCH_RLKEYS_H
#define FITBENCH_RLKEYS_H

#include <stdbool.h>
#include <stddef.h>

/* Why the guards exist (Readline 8.2, callback mode).  readline_internal_char() points Readline's abort target
 * (_rl_top_level, a sigjmp_buf) at its own stack frame and returns; rl_callback_read_char() then loops while input
 * is pushed back inside Readline, and an abort in a later turn of that loop (an unbound key after a prefix such as
 * C-x, C-g, a yank with an empty kill ring, ...) longjmps into the dead frame: SIGSEGV.  Incremental search pushes
 * back two keys when a prefix key ends it (Ctrl-R, Ctrl-X, then any key), bracketed-paste detection pushes back up
 * to five, keyboard macros replay many.  So:
 *  - during an incremental search a prefix key (C-x, ESC, ...) is preceded by C-j, which ends the search without
 *    pushing anything back; the key then acts on the line found, as in Emacs.  ESC with nothing after it only ends
 *    the search (Readline's own behaviour for a lone ESC);
 *  - bracketed paste is off (its prefix detection pushes keys back);
 *  - nothing bound calls Readline's abort: unbound keys where Readline would abort, C-g / abort, the yank
 *    commands and the keyboard-macro commands are bound to versions that ring the bell and return instead.
 * Also: ESC [ 2 0 0 ~ typed with bracketed paste off only rings the bell (Readline's paste command overruns its
 * buffer when the input ends inside a paste).
 * tests/fuzz/fuzz_keys.c feeds random key streams through exactly this set-up. */

/* Where the keys come from.  getc: the next byte, waiting for it; EOF when the input is gone.  avail: non-zero
 * when a byte can be read without waiting.  ctx is passed to both. */
typedef struct RlKeySource {
    int (*getc)(void *ctx);
    int (*avail)(void *ctx);
    void *ctx;
} RlKeySource;

/* Extra commands a front end binds (NULL: that key keeps Readline's default).  The fuzz target passes stand-ins
 * so its keymaps have the same shape as the workbench's. */
typedef struct RlKeyExtras {
    int (*page_up)(int count, int key);   /* ESC [ 5 ~ */
    int (*page_down)(int count, int key); /* ESC [ 6 ~ */
    int (*repaint)(int count, int key);   /* C-l */
} RlKeyExtras;

/* Set by the key fuzz target only, to prove the crash the guards prevent: false turns the isearch guard and the
 * abort-safe bindings off (not the paste fix) (rlkeys_setup must be called after changing it).  Default true. */
extern bool rlkeys_guard;

/* Configure Readline for callback mode with keys from src (copied): the getc and input-available hooks, no
 * signal handling by Readline, rl_initialize() (which reads ~/.inputrc: the settings made here after it win),
 * fitbench's variables, the extra bindings, then the guards described above.  Hooks the front end sets before the
 * call (redisplay, completion) stay.  Never fails. */
void rlkeys_setup(const RlKeySource *src, const RlKeyExtras *extras);

/* One turn of Readline's callback mode: rl_callback_read_char(), then, when Readline finished a line without handing
 * it over, a second turn that hands it over.  Readline 8.2 returns from a numeric argument (M-3 RET) and from a vi
 * motion without delivering a line the command accepted; it would run the next key on that line first (M-3 RET
 * then x ran "versionx") and, when that key starts an incremental search, free the lines the search holds (a
 * heap-use-after-free found by fuzz_keys).  In the second turn the getc hook answers RET without reading input.
 * Front ends and the fuzz target call this instead of rl_callback_read_char.  Never fails. */
void rlkeys_read_char(void);

/* A key held back by the isearch guard is waiting: call rl_callback_read_char() again before waiting for input. */
bool rlkeys_pending(void);

/* Forget a held-back key (Ctrl-C at the prompt, a new line handler). */
void rlkeys_reset(void);

/* Ctrl-C at the prompt: end whatever Readline was in the middle of (a search, an argument, a key sequence),
 * repair undo ownership (rlundo.h), drop the line and its undo list, go back to the end of the history and forget
 * a held-back key.  The caller then redraws its prompt.  Never fails. */
void rlkeys_cancel_line(void);

/* A byte queue for front ends without their own buffer (the plain prompt, the fuzz target).  rlkeys_queue_push
 * appends n bytes (as many as fit in its 4 KiB; returns how many); rlkeys_queue_source gives a source reading it
 * whose getc calls refill(refill_ctx) when the queue is empty (refill pushes bytes and returns 1, or returns 0 at
 * the end of input: getc then gives EOF).  refill may be NULL. */
size_t rlkeys_queue_push(const unsigned char *b, size_t n);
size_t rlkeys_queue_len(void);
void rlkeys_queue_clear(void);
RlKeySource rlkeys_queue_source(int (*refill)(void *), void *refill_ctx);

#endif
