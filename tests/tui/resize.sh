#!/usr/bin/env bash
# resize.sh — the workbench re-lays out on SIGWINCH: 100×30 → 80×24 stays
# whole (status, plot, legend, prompt); too small a window shows a clear note
# instead of a broken picture; growing again restores everything.
. "$(dirname "$0")/tuilib.bash"

start_fb 100 30
send_line 'load boston; scale standard; model linear; loss mse; optim sgd lr=0.01; train 200'
wait_for '│ epoch +200( |$)' 10 || fail "training did not finish"

tmux -L "$SOCK" resize-window -x 80 -y 24
# The narrow layout puts the status on the top two lines.
wait_for '^epoch 200  train 23\.' 5 || fail "80×24: the status line is not at the top"
screen=$(screen_text)
[ "$(echo "$screen" | wc -l)" -eq 24 ] || fail "80×24: the screen is not 24 lines"
echo "$screen" | head -n 1 | grep -q '^epoch 200 ' || fail "80×24: line 1 is not the status"
echo "$screen" | sed -n 2p | grep -q 'linear' || fail "80×24: line 2 does not show the model"
echo "$screen" | grep -qP '[\x{2800}-\x{28FF}]' || fail "80×24: no Braille curve"
echo "$screen" | grep -q '━━ train' || fail "80×24: no legend"
echo "$screen" | grep -q '└' || fail "80×24: no x axis"
echo "$screen" | grep -q '── output ─' || fail "80×24: no output pane separator"
echo "$screen" | tail -n 1 | grep -q '^fitbench> *$' || fail "80×24: the prompt is not on the last line"
[ "$(echo "$screen" | grep -c '│ epoch')" -eq 0 ] || fail "80×24: leftovers of the wide layout"
[ "$(max_width)" -le 80 ] || fail "80×24: lines wider than 80"
# Exactly one x axis and one legend: no doubled picture.
[ "$(echo "$screen" | grep -c '└')" -eq 1 ] || fail "80×24: more than one x axis"

tmux -L "$SOCK" resize-window -x 50 -y 12
wait_for 'needs a 60×15 terminal' 5 || fail "50×12: no 'too small' note"
screen_text | grep -qP '[\x{2800}-\x{28FF}]' && fail "50×12: a broken plot is still drawn"

tmux -L "$SOCK" resize-window -x 120 -y 40
wait_for '│ epoch +200( |$)' 5 || fail "120×40: the status pane did not come back"
wait_gone 'needs a 60' 2 || fail "120×40: the 'too small' note stayed"
has_braille || fail "120×40: no curve after growing"
# Still usable: a command typed now runs.
send_line 'echo still here'
wait_for '^still here' 5 || fail "the prompt does not run commands after resizing"
pass
