/* rlundo.h — keeps GNU Readline 8.2's undo lists owned once: the repair that stops its undo-list double frees. */
#ifndef FITBENCH_RLUNDO_H
#define FITBENCH_RLUNDO_H

#include <stdbool.h>

/* The fault (Readline 8.2, found by tests/fuzz/fuzz_keys.c).  An undo list belongs to one line: the line being
 * edited (rl_undo_list), a history line edited and left (its entry's data), or the new line put aside while the
 * user looks at history (Readline's saved line).  When a non-incremental search fails (M-n / M-p, RET, no match)
 * Readline puts the saved line back but leaves the history position on the entry it was on; the next history key
 * then saves that entry's undo list as "the new line" *and* stores it in the entry, so two owners free it: a double
 * free when the line is accepted, at Ctrl-C, or at the next prompt.  The same can follow history-search-forward/
 * -backward, which drops the saved line.  Typed by hand: `abc` RET `def` RET, C-p M-n `q` RET `x` C-p RET, C-p C-p
 * `y` RET (tests/tui/undo_keys.sh).
 *
 * Readline's own design shares records too: on a history line edited earlier, new edits go in front of the entry's
 * list (rl_undo_list = [new... -> entry's list]), and several commands then free the edited line's whole list
 * (the first switch to vi command mode, history-search, search-again), leaving the entry's pointer dangling (found
 * by fuzz_keys: a heap-use-after-free).
 *
 * And a motion that cannot move (C-p on the first history line, fetch-history) from a history line with no new
 * line put aside (the failed search above leaves this state) puts the edited list aside as the new line, stores it
 * in the entry too, then frees the new line: the entry's pointer dangles (`abc` RET, C-p, M-n `q` RET, `x`, C-p).
 * So whenever the user is on a history line and nothing is put aside, the repair puts the current text aside.
 *
 * The repair: whenever two owners share undo records, all but one give up their claim: the line being edited
 * keeps its list, then the older of two history entries, and the saved line gives up first; records only the one
 * giving up held are freed, shared ones stay with the other owner.  So a history line being edited holds its undo
 * list alone (Readline stores it back in the entry when the line is left).  The line's text is untouched; only undo
 * steps that could not be kept consistently are lost. */

/* Check ownership and repair it as above: walks the undo lists of the saved line, the edited line and every history
 * entry (a pointer test per history line and a pass over the lists that exist).  Returns true when something was
 * repaired.  When the few bytes per history entry it needs cannot be had, it repairs nothing (the next call looks
 * again). */
bool rlundo_repair(void);

/* rlkeys.c runs rlundo_repair before every key it hands Readline (outside incremental and non-incremental search,
 * whose contexts hold undo lists out of sight) and before each command that frees the edited line's list (also
 * inside a keyboard macro, whose keys bypass the key source); the front ends' Ctrl-C path runs it through
 * rlkeys_cancel_line. */

#endif
