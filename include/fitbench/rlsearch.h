/* rlsearch.h — keeps GNU Readline 8.2's incremental search inside the line it searches. */
#ifndef FITBENCH_RLSEARCH_H
#define FITBENCH_RLSEARCH_H

#include <stdbool.h>

/* The fault (Readline 8.2, isearch.c, found by tests/fuzz/fuzz_keys.c: a heap-buffer-overflow in strncmp).  When
 * a forward search (C-s) fails, Readline has already stepped onto the next history line to look at it, and when
 * that line is shorter than the search string it gives up there: the search now points at that line (often the
 * empty new line) but keeps the position it had in the longer line before.  The next key that searches from there
 * (C-r, which turns the search round, or C-s again) compares bytes past the end of the short line.  Typed:
 * `aaaaaaaaaa` RET, C-p, C-s, `z`, C-r.
 *
 * The repair: before each key is read during an incremental search, a position past the end of the searched line
 * is put back at its end.  Only with Readline 8.2, whose private search context this reads; with another version
 * it does nothing (and rlsearch_consistent says true). */

/* Repair as above.  Returns true when the position had to be moved.  Never fails. */
bool rlsearch_repair(void);

/* Whether no incremental search is running or its position lies within its line (for tests/fuzz/fuzz_keys.c). */
bool rlsearch_consistent(void);

#endif
