#!/usr/bin/env bash
# keys.sh — keys while training: space pauses (the epoch count stands still)
# and resumes; + and - double and halve the lr, the status and the history
# show it, and the plot marks the change.
. "$(dirname "$0")/tuilib.bash"

start_fb 120 40
send_line 'load boston; scale standard; model linear; optim sgd lr=0.001'
wait_for '^optim sgd' 5 || fail "setup failed"
send_line 'train 1000000'
wait_for '▶ training' 5 || fail "no training indicator"
send_keys Space
wait_for 'paused at epoch' 2 || fail "space: no 'paused' indicator"
e1=$(screen_text | sed -n 's/.*paused at epoch \([0-9]*\).*/\1/p' | head -n 1)
sleep 0.6
e2=$(screen_text | sed -n 's/.*│ epoch *\([0-9]*\).*/\1/p' | head -n 1)
[ -n "$e1" ] && [ "$e1" = "$e2" ] || fail "space: training went on while paused ($e1 → $e2)"
send_keys '+'
wait_for 'lr ×2 → 0\.002' 2 || fail "+: no note of the new lr"
screen_text | grep -Eq '│ lr +0\.002( |$)' || fail "+: the status does not show lr 0.002"
send_keys Space
wait_for '▶ training' 2 || fail "space: training did not resume"
sleep 0.3
send_keys '-' '-'
wait_for 'lr ÷2 → 0\.0005' 2 || fail "-: no note of the halved lr"
send_keys C-c
wait_for 'interrupted after' 2 || fail "Ctrl-C did not stop"
wait_for '│ lr +0\.0005( |$)' 2 || fail "the status does not show lr 0.0005 after training"
# The history records the lr of every epoch: all three values are there.
send_line 'save history h.csv'
wait_for '^fitbench> *$' 5
sleep 0.3
[ -f "$TMPD/h.csv" ] || fail "save history wrote nothing"
for lr in 0.001 0.002 0.0005; do
    awk -F, -v lr="$lr" 'NR > 1 && $5 + 0 == lr + 0 {f = 1} END {exit !f}' "$TMPD/h.csv" ||
        fail "the history has no epoch with lr $lr"
done
# The plot marks where the lr changed.
screen_text | grep -q 'lr=0\.002' || fail "no lr marker on the plot"
pass
