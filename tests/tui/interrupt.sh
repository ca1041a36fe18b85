#!/usr/bin/env bash
# interrupt.sh — Ctrl-C during `train 1000000` returns to the prompt within a
# second with the completed epochs kept; Esc does the same.
. "$(dirname "$0")/tuilib.bash"

start_fb 120 40
send_line 'load boston; scale standard; model linear; optim sgd lr=0.001'
wait_for '^optim sgd' 5 || fail "setup failed"
send_line 'train 1000000'
wait_for '▶ training' 5 || fail "no training indicator"
sleep 0.5
t0=$(date +%s.%N)
send_keys C-c
wait_for 'interrupted after [0-9]+ epoch' 1 || fail "Ctrl-C: no 'interrupted' note within a second"
wait_for '^fitbench> *$' 1 || fail "Ctrl-C: no prompt within a second"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN{exit !(b - a < 1.0)}' || fail "Ctrl-C took more than a second"
n=$(screen_text | sed -n 's/.*interrupted after \([0-9]*\) epoch.*/\1/p' | tail -n 1)
[ "${n:-0}" -gt 0 ] || fail "Ctrl-C: no epochs kept"
screen_text | grep -Eq "│ epoch +$n( |$)" || fail "Ctrl-C: the status does not show epoch $n"
send_line 'expect epoch == '"$n"
sleep 0.3
screen_text | grep -q 'expect failed' && fail "Ctrl-C: the history does not hold $n epochs"

send_line 'train 1000000'
wait_for '▶ training' 5 || fail "no training indicator the second time"
sleep 0.3
send_keys Escape
wait_count "interrupted after [0-9]+ epoch" 2 1 || fail "Esc: no 'interrupted' note within a second"
m=$(screen_text | sed -n 's/.*interrupted after \([0-9]*\) epoch.*/\1/p' | tail -n 1)
[ "${m:-0}" -gt 0 ] || fail "Esc: no epochs kept"
screen_text | grep -Eq "│ epoch +$((n + m))( |$)" || fail "Esc: the status does not show epoch $((n + m))"
pass
