#!/usr/bin/env bash
# quit_sane.sh — after `quit`, and after Ctrl-D, the terminal is sane
# (stty shows icanon, echo, isig, icrnl, opost) and the shell works.
. "$(dirname "$0")/tuilib.bash"

start_fb 100 30
send_line 'gen linear n=50; model linear; train 20'
wait_for '^epoch 20 ' 5 || fail "training did not run"
send_line 'quit'
check_sane "quit"

start_fb 100 30
send_keys C-d
check_sane "Ctrl-D"
pass
