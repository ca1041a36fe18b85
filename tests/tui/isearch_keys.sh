#!/usr/bin/env bash
# isearch_keys.sh — keys that crashed GNU Readline 8.2's callback mode (issue 13) leave the workbench running:
# Ctrl-R then a prefix key (Ctrl-X, ESC) then any key, an unbound Ctrl-X key, Ctrl-X Ctrl-G, a yank with an empty
# kill ring, keyboard-macro keys out of order, the bracketed-paste marker, vi mode (M-C-j) and its ESC.  After
# each, the workbench still runs a command.  Also: a prefix key ends the search and acts on the line found (C-x
# C-u undoes nothing harmful; ESC alone only ends the search).
. "$(dirname "$0")/tuilib.bash"

alive() { # $1: what was typed
    send_keys C-a C-k
    send_line "echo alive-$2"
    wait_for "^alive-$2" 3 || fail "after $1 the workbench no longer runs commands (exit: $(screen_text | grep FB_EXIT))"
}

start_fb 100 30
send_line 'echo first-line'
wait_for '^first-line' 3 || fail "echo did not run"
send_keys C-r C-x a;            alive "C-r C-x a" 1
send_keys C-r C-x C-x a;        alive "C-r C-x C-x a" 2
send_keys C-r fir C-x q;        alive "C-r fir C-x q" 3
send_keys C-r Escape x;         alive "C-r ESC x" 4
send_keys C-r C-x C-g a;        alive "C-r C-x C-g a" 5
send_keys C-x a C-x C-g C-g;    alive "C-x a, C-x C-g, C-g" 6
send_keys C-y Escape y;         alive "C-y M-y (empty kill ring)" 7
send_keys C-x ')' C-x e;        alive "C-x ) C-x e (no macro)" 8
send_keys C-x '(' C-x '(' C-x ')'; alive "C-x ( C-x (" 9
send_keys Escape '[200~' x;     alive "the paste marker" 10
send_keys C-r fir Escape;      # ESC alone ends the search, the line found stays
wait_for '^fitbench> echo first-line$' 3 || fail "ESC did not end the search on the line found"
send_keys Enter
sleep 0.5
screen_text | grep -A3 '^alive-10' | grep -q '^first-line' || fail "the line found by C-r ... ESC did not run"
# vi mode from the keyboard (M-C-j), then its ESC and a search in it
send_keys Escape C-j Escape 0 C-r C-x a Escape C-r x Escape S
send_line 'echo alive-11'
wait_for '^alive-11' 3 || fail "after vi mode (M-C-j), ESC 0 C-r C-x a, ESC C-r x ESC, the workbench no longer runs commands"
pass
