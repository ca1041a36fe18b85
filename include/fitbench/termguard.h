/* termguard.h — the terminal's safety net for both front ends: whatever ends the program (SIGTERM, SIGHUP, SIGQUIT,
 * a crash, abort, a stack overflow, several of these at once), the terminal gets back the settings it had and leaves
 * the full-screen view first. */
#ifndef FITBENCH_TERMGUARD_H
#define FITBENCH_TERMGUARD_H

#include <stddef.h>

/* Start guarding terminal fd (the one Readline / ncurses will change): remember its settings now, and catch the
 * fatal signals (SIGTERM SIGHUP SIGQUIT SIGSEGV SIGABRT SIGBUS SIGFPE SIGILL).  The handler runs on an alternate
 * signal stack (so a stack overflow can still run it) with all of those signals blocked (so a second one waits
 * until the first has restored everything), restores, then lets the signal kill the program as it would have.
 * Returns 0, or -1 when fd is not a terminal (nothing to guard; nothing is installed).  A second call while guarding
 * does nothing and returns 0. */
int termguard_begin(int fd);

/* Bytes to write to the terminal before its settings are restored, e.g. ncurses' leave-the-alternate-screen, show
 * the cursor and reset-attributes sequences (copied; at most 240 bytes; n = 0: none).  A CAN (0x18) goes first, to
 * end any escape sequence the program was writing when it was stopped. */
void termguard_set_exit_seq(const char *seq, size_t n);

/* Put the terminal back now: write the exit sequence, restore the settings.  Async-signal-safe and idempotent
 * (each call does the whole restore, so a call interrupted by another changes nothing).  Does nothing when not
 * guarding. */
void termguard_restore(void);

/* Stop guarding: the previous signal actions come back; the terminal is not touched (the front end has restored it
 * its own way).  Does nothing when not guarding. */
void termguard_end(void);

#endif
