#!/usr/bin/env bash
# undo_keys.sh — history editing that made GNU Readline 8.2 free an undo list twice (issue 13, found by fuzz_keys)
# leaves both front ends running: a failed non-incremental search (M-n) puts the new line back while the history
# position stays on the entry, so the next history key gives the line's undo list two owners; it was freed twice
# when a line was accepted (RET) or dropped (Ctrl-C).  src/front/rlundo.c repairs the ownership.  Before the fix
# the sanitizer build reported "attempting double-free" and the release build aborted.  A second case (many_case)
# edits 70 history lines first.
. "$(dirname "$0")/tuilib.bash"

alive() { # $1: what was typed, $2: a tag
    send_keys C-a C-k
    send_line "echo alive-$2"
    wait_for "^alive-$2" 5 || fail "after $1 fitbench no longer runs commands (exit: $(screen_text | grep FB_EXIT))"
}

# $1: extra fitbench arguments ("" for the workbench, --plain), $2: a tag
run_case() {
    start_fb 100 30 $1
    [ -n "$1" ] && { wait_for '^fitbench>' 5 || fail "no prompt with $1"; }
    send_line 'echo abc'
    wait_for '^abc' 3 || fail "echo did not run ($2)"
    send_line 'echo def'
    wait_for '^def' 3 || fail "echo did not run ($2)"
    # M-n, a string no line holds, RET: the search fails; then a key, C-p (the undo list gets two owners), RET
    send_keys C-p Escape n q Enter x C-p Enter
    sleep 0.3
    send_keys C-p C-p y Enter
    alive "C-p M-n q RET x C-p RET, C-p C-p y RET" "$2-ret"
    # the same, ended by Ctrl-C instead of RET
    send_keys C-p Escape n q Enter x C-p C-c
    sleep 0.3
    send_keys C-p C-p C-p y C-c
    alive "C-p M-n q RET x C-p C-c, C-p C-p C-p y C-c" "$2-ctrl-c"
    send_line quit
    # exit status 1: the recalled line ("xy") was not a command (DESIGN.md: 1 when a command failed); a signal
    # would give 134 (abort) or 139
    wait_for 'FB_EXIT=1$' 5 || fail "fitbench did not quit as expected ($2): $(screen_text | grep FB_EXIT)"
}

# More than 62 history lines edited and left (each keeps an undo list), then the same keys: the repair once looked
# at the first 62 such lines only, so it missed the two owners the keys made and the next prompt freed a list an
# edited line still held (found by a 10-minute fuzz_keys run; the release build aborted with "double free").
many_case() {
    start_fb 100 30 $1
    [ -n "$1" ] && { wait_for '^fitbench>' 5 || fail "no prompt with $1"; }
    for i in $(seq 0 69); do send_line "echo l$i"; done
    wait_for '^l69' 10 || fail "the 70 lines did not run ($2)"
    for _ in $(seq 0 69); do send_keys C-p x; done
    send_keys Escape '>'
    send_line 'echo abc'
    send_line 'echo def'
    send_keys C-p Escape n q Enter x C-p Enter
    sleep 0.3
    send_keys C-p C-p y Enter
    alive "70 edited lines, then C-p M-n q RET x C-p RET, C-p C-p y RET" "$2-many"
    send_line quit
    wait_for 'FB_EXIT=1$' 5 || fail "fitbench did not quit as expected ($2, many): $(screen_text | grep FB_EXIT)"
}

run_case "" workbench
run_case --plain plain
many_case "" workbench
many_case --plain plain
pass
