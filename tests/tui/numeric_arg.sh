#!/usr/bin/env bash
# numeric_arg.sh — a line accepted after a numeric argument (M-3 RET) runs at once, in the workbench and at the
# plain prompt.  Readline 8.2's callback mode kept such a line until the next key and ran that key on it first
# (M-3 RET then x ran "echo onex"); when the key was C-s, the search kept lines the finished line then freed
# (a heap-use-after-free: tests/fuzz/corpus/keys/regress-numeric-arg-accept-then-search).
. "$(dirname "$0")/tuilib.bash"

check() { # check WHERE: the prompt is on the screen
    send_keys 'echo one' Escape 3 Enter
    wait_for '^one$' 2 || fail "$1: M-3 RET did not run the line at once"
    send_keys 'x'
    sleep 0.3
    screen_text | grep -q 'onex' && fail "$1: the key after M-3 RET went into the accepted line"
    send_keys C-u
    send_line 'echo two'
    wait_for '^two$' 2 || fail "$1: the next line did not run"
    # M-3 RET, then C-r and C-g (C-s would be XOFF at the plain prompt): the search starts on a new line and ends
    # cleanly.
    send_keys 'echo three' Escape 3 Enter C-r C-g
    wait_for '^three$' 2 || fail "$1: M-3 RET C-r did not run the line"
    send_line 'echo four'
    wait_for '^four$' 2 || fail "$1: fitbench did not go on after M-3 RET C-r C-g"
}

at_both_prompts check
pass
