#!/usr/bin/env bash
# startup.sh — the one driver (src/front/runargs.c) in a terminal: -i after a script that fails keeps the
# workbench's prompt; a failing -c command ends before the workbench opens; a terminal the full-screen view
# cannot start on falls back to the plain prompt after the -c commands ran.
. "$(dirname "$0")/tuilib.bash"

printf 'echo first\nbogus\necho never\n' > "$TMPD/bad.fit"

# -i with a failing script: the error is shown, the rest of the script does not run, the prompt comes.
start_fb 100 30 -i bad.fit
wait_for "bad.fit:2:1: error: unknown command 'bogus'" 10 || fail "the script's error is not shown"
wait_for '^fitbench>' 5 || fail "no prompt after a failed replay with -i"
screen_text | grep -q '^never' && fail "the script went on after its error"
send_line "quit"
wait_for 'FB_EXIT=' 5 || fail "quit did not end the workbench"
screen_text | grep -q "^bad.fit:2:1: error" || fail "the last error is not left in the shell"
check_sane "quit after a failed replay"
[ "$FB_CODE" = 1 ] || fail "exit status $FB_CODE after a failed replay (want 1)"

# -i -c runs its commands inside the workbench (their output is on its screen); a failing one stops the later
# ones, the prompt follows with the error shown, and the exit status is 1.
start_shell 100 30
send_line "'$FB' -i -c 'echo one; bogus' -c 'echo two'; echo FB_EXIT=\$?"
wait_for '^fitbench>' 10 || fail "fitbench -i -c with an error did not reach the workbench's prompt"
screen_text | grep -q '^one' || fail "the -c commands before the error did not run inside the workbench"
screen_text | grep -q "unknown command 'bogus'" || fail "the -c error is not on the workbench's screen"
screen_text | grep -q '^two' && fail "a -c command after the error ran"
send_line "quit"
wait_for 'FB_EXIT=' 5 || fail "fitbench -i -c did not quit"
screen_text | grep -q '^FB_EXIT=1' || fail "a failing -c command did not exit 1"

# A terminal without a terminfo entry: the -c commands run, then the plain prompt.
start_shell 100 30
send_line "TERM=fitbench-no-such-term '$FB' -i -c 'echo hello'; echo FB_EXIT=\$?"
wait_for 'using plain mode' 10 || fail "no fall-back note on a terminal without terminfo"
wait_for '^hello' 5 || fail "the -c command did not run before the fall-back"
wait_for 'fitbench> ?$' 5 || fail "no plain prompt after the fall-back"
send_line "quit"
wait_for '^FB_EXIT=0' 5 || fail "the plain prompt did not quit with status 0"
pass
