/* rlline.h — keeps the line GNU Readline 8.2 edits valid UTF-8, so its vi motions cannot loop for ever. */
#ifndef FITBENCH_RLLINE_H
#define FITBENCH_RLLINE_H

#include <stdbool.h>
#include <stddef.h>

/* The fault (Readline 8.2, vi_mode.c and mbutil.c, found by tests/fuzz/fuzz_keys.c: a hang).  In a UTF-8 locale
 * a byte that starts a character without the bytes that should follow it (a pasted Latin-1 é, \xf1\xaf at the end
 * of a line) stays in the line as it is; vi's end-of-word motions (E, e, and `*`, which moves to the end of the word
 * before completing) then step from such a byte back to where they started, and loop for ever inside one key
 * (typed: M-C-m for vi mode, the bytes \xf1 \xaf, ESC, `*`).  A valid character that cannot be shown (wcwidth
 * -1: an unassigned code point such as U+6F5D7, \xf1\xaf\x97\x97) does the same (typed: M-C-m, `d`, those four
 * bytes, ESC, `*`; the key fuzzer's ninth fault).
 *
 * The repair: before each key, every byte of the line that is not part of a valid character (by mbrtowc, as
 * Readline reads it) or is part of a character wcwidth calls unprintable becomes '?'.  One byte for one byte, so
 * the cursor, the mark and the undo records keep their places.  Nothing happens outside a multibyte locale. */

/* Replace the invalid and unprintable bytes of s[0..n) by '?' as above (the locale's rules).  Returns how many were
 * replaced.  Never fails. */
size_t rlline_sanitize(char *s, size_t n);

/* The same on Readline's line (rl_line_buffer, rl_end).  Returns true when a byte was replaced.  Never fails. */
bool rlline_repair(void);

#endif
