#!/usr/bin/env bash
# pace_compare.sh — a paced compare (set pace=, and --live) holds its runs back in their processes as a paced train
# does: one second into `compare` at pace 4 s it still runs with part of its work done, its table is the unpaced
# one, and e goes straight to the end.
. "$(dirname "$0")/tuilib.bash"

setup='set threads=2; gen moons n=200 seed=3; split val=0.25 seed=1; model mlp hidden=8; optim adam lr=0.01; batch 20'
cmp_cmd='compare lr=0.003,0.01,0.03,0.1 epochs=200'
(cd "$TMPD" && "$FB" -q -c "$setup; $cmp_cmd" | sed -n '/final train/,/^lr=0.1 /p' > plain.txt) || fail "the unpaced compare failed"
[ "$(wc -l < "$TMPD/plain.txt")" -eq 5 ] || fail "the unpaced table: $(cat "$TMPD/plain.txt")"

start_fb 120 40
send_line "$setup; set pace=4; $cmp_cmd"
wait_for '▶ [0-9]*/800' 5 || fail "no progress in the status"
sleep 1
shot=$(screen_text)
grep -q 'final train' <<<"$shot" && fail "one second into a compare paced at 4 s its table is out"
w=$(sed -n 's/.*▶ \([0-9][0-9]*\)\/800.*/\1/p' <<<"$shot" | head -n 1)
[ -n "$w" ] && [ "$w" -gt 0 ] && [ "$w" -lt 800 ] || fail "one second into a compare paced at 4 s the status shows ${w:-no} epochs of 800"
grep -q 'pace 4 s' <<<"$shot" || fail "the status does not show the pace (pace 4 s)"
wait_for 'final train' 10 || fail "the paced compare did not end"
sleep 0.3
screen_text | sed -n '/final train/,/^lr=0.1 /p' > "$TMPD/paced.txt"
cmp -s "$TMPD/paced.txt" "$TMPD/plain.txt" || fail "the paced table differs: $(diff "$TMPD/plain.txt" "$TMPD/paced.txt")"

send_line "set pace=60; $cmp_cmd"
wait_for '▶ [0-9]*/800' 5 || fail "no progress in the status (pace 60)"
sleep 0.5
send_keys e
wait_for '^fitbench> *$' 3 || fail "e did not take the paced compare to its end within 3 s"
screen_text | grep -q 'the plot shows the curves' || fail "after e the compare did not report"
# Space: the runs' processes stop using the CPU while paused, and go on after.
send_line "set pace=0; compare lr=0.01,0.1 epochs=1000000"
wait_for '▶ training' 5 || fail "no training indicator (unpaced)"
fb=$(pgrep -P "$(tmux -L "$SOCK" display -p '#{pane_pid}')" | head -n 1)
kids=""
for i in $(seq 50); do kids=$(pgrep -P "$fb" | tr '\n' ' '); [ "$(wc -w <<<"$kids")" -ge 2 ] && break; sleep 0.1; done
[ "$(wc -w <<<"$kids")" -ge 2 ] || fail "compare did not start two processes (fitbench $fb: $kids)"
cpu() { local s=0 k; for k in $kids; do s=$((s + $(awk '{print $14 + $15}' "/proc/$k/stat" 2>/dev/null || echo 0))); done; echo "$s"; }
send_keys Space
wait_for 'paused at' 3 || fail "space did not pause"
sleep 0.3
c1=$(cpu); sleep 1; c2=$(cpu)
[ $((c2 - c1)) -le 3 ] || fail "while paused the runs' processes used $((c2 - c1)) ticks of CPU in a second"
send_keys Space
wait_for '▶ training' 3 || fail "space did not resume"
sleep 0.5; c3=$(cpu)
[ $((c3 - c2)) -ge 10 ] || fail "after resuming the runs' processes used only $((c3 - c2)) ticks in half a second"
send_keys C-c
wait_for 'nothing kept' 3 || fail "Ctrl-C did not stop the compare"

send_line 'quit'
check_sane "quit"
pass
