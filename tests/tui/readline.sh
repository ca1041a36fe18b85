#!/usr/bin/env bash
# readline.sh — the command line is GNU Readline: Tab completes ("opt" →
# "optim "), a second Tab lists candidates, Up recalls history, Ctrl-R
# searches it, PageUp/PageDown scroll the output pane.
. "$(dirname "$0")/tuilib.bash"

start_fb 120 40
send_keys 'opt' Tab
wait_for '^fitbench> optim *$' 2 || fail "opt<Tab> did not complete to 'optim '"
send_keys 'ad' Tab
wait_for '^fitbench> optim ada$' 2 || fail "optim ad<Tab> did not complete to 'optim ada'"
send_keys Tab
wait_for '^adagrad +adam +adamw' 2 || fail "the second Tab did not list adagrad adam adamw"
send_keys 'm' Enter
wait_for '^optim adam ' 5 || fail "the completed command did not run"

send_line 'echo first-line'
wait_for '^first-line' 5 || fail "echo did not run"
send_keys C-r 'first'
wait_for "reverse-i-search.*first': echo first-line" 2 || fail "Ctrl-R did not find 'echo first-line'"
send_keys Enter
wait_for '^fitbench> *$' 2 || fail "Ctrl-R + Enter did not run the line"
wait_count '^first-line' 2 2 || fail "the found line did not run"
send_keys Up
wait_for '^fitbench> echo first-line$' 2 || fail "Up did not recall 'echo first-line'"
send_keys Up
wait_for '^fitbench> optim adam$' 2 || fail "Up Up did not recall 'optim adam'"
send_keys C-u

# Enough output to scroll: help lists every command.
send_line 'help'
wait_for '^fitbench> *$' 5
last=$(screen_text | sed -n '/── output/,$p' | sed -n '2p')
send_keys PageUp
wait_for 'lines back' 2 || fail "PageUp: no 'lines back' note"
[ "$(screen_text | sed -n '/── output/,$p' | sed -n '2p')" != "$last" ] || fail "PageUp did not scroll"
send_keys PageDown PageDown PageDown PageDown PageDown PageDown PageDown PageDown
wait_gone 'lines back' 2 || fail "PageDown did not come back to the end"
pass
