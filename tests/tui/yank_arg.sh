#!/usr/bin/env bash
# yank_arg.sh — M-. (yank-last-arg) takes the last word of the previous line, also when that line ends in a lone
# backslash.  Readline 8.2's word splitter steps past the end of such a line and reads the memory after it (a
# heap-buffer-overflow fuzz_keys found, fault 8 in docs/reliability.md); fitbench gives such lines a second NUL
# before the key runs, so the word is `c\` and nothing past the line is read.  What lay past the line decided
# whether the fault showed, so this test checks the behaviour kept, not the fault.  Workbench and plain prompt.
. "$(dirname "$0")/tuilib.bash"

check() { # check WHERE
    send_line 'echo hello world'
    wait_for '^hello world' 3 || fail "$1: echo did not run"
    sleep 0.3
    send_keys M-.
    wait_for '^fitbench> world$' 2 || fail "$1: M-. did not yank the last word"
    send_keys C-u
    send_line 'echo ab c\'
    wait_for '^ab c\\$' 3 || fail "$1: echo with a backslash did not run"
    sleep 0.3
    send_keys M-.
    wait_for '^fitbench> c\\$' 2 || fail "$1: M-. after a line ending in a backslash did not yank 'c\\'"
    send_keys C-u
    send_line 'echo still-here'
    wait_for '^still-here' 3 || fail "$1: fitbench did not go on"
}

at_both_prompts check
pass
