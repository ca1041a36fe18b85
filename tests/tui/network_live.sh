#!/usr/bin/env bash
# network_live.sh — `plot network` in the workbench while `train` runs: the picture (neuron maps, weight marks,
# the title's epoch) is redrawn during training, and reads the same state as the status pane once stopped.
. "$(dirname "$0")/tuilib.bash"

start_fb 140 45
send_line 'gen spiral n=300 seed=1; split val=0.3; model mlp hidden=8,8 act=tanh; optim adam lr=0.03; plot network'
wait_for 'the network at epoch 0' 10 || fail "plot network did not show before training"
send_line 'train 200000'
wait_for 'the network at epoch [1-9][0-9]*' 10 || fail "the picture did not follow training"
# The workbench redraws a picture at most every 300 times its drawing cost (tui_screen.c): on a loaded machine
# that can be seconds apart, so wait for the title to move rather than for a fixed time.
title_epoch() { screen_text | sed -n 's/.*the network at epoch \([0-9]*\).*/\1/p' | head -n 1; }
e1=$(title_epoch) e2=$e1
for _ in $(seq 150); do e2=$(title_epoch); [ "$e2" != "$e1" ] && break; sleep 0.1; done
[ -n "$e1" ] && [ -n "$e2" ] && [ "$e2" -gt "$e1" ] || fail "the title's epoch did not move during training ($e1, $e2)"
screen_text | grep -q '[▓█]' || fail "no neuron maps on the screen"
screen_text | grep -q '[■□]' || fail "no strong-weight marks on the screen"
[ "$(screen_text | grep -o '→' | wc -l)" -ge 17 ] || fail "fewer than 17 neurons with incoming weights (8 + 8 + 1)"
screen_text | grep -Eq '│ accuracy +[0-9.]+ / [0-9.]+' || fail "the status pane does not show the accuracy (train / val)"
screen_text | grep -Eq '│ f1 +[0-9.]+ / [0-9.]+' || fail "the status pane does not show the macro F1 (train / val)"
send_keys C-c
wait_for 'interrupted after' 10 || fail "Ctrl-C did not stop training"
sleep 0.3
ep=$(screen_text | sed -n 's/.*the network at epoch \([0-9]*\).*/\1/p' | head -n 1)
screen_text | grep -Eq "│ epoch +$ep( |$)" || fail "the picture's epoch $ep is not the status pane's"
[ "$(max_width)" -le 140 ] || fail "a line is wider than the window"
pass
