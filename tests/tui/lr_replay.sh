#!/usr/bin/env bash
# lr_replay.sh — an lr changed with + during training is in the session log:
# `save session` and `record` replay it (with fitbench -q FILE) to the same
# history, bit for bit, as the workbench made live.
. "$(dirname "$0")/tuilib.bash"

EPOCHS=400000
start_fb 120 40
send_line 'record r.fit'
wait_for '^recording' 5 || fail "record did not start"
# Minibatches (a key pressed inside an epoch) and a step schedule (the lr is
# scaled, the schedule keeps its place).
send_line 'load boston; split val=0.2 seed=1; scale standard; model linear; optim sgd lr=0.001 momentum=0.5; schedule step step_size=300000 gamma=0.5; batch 64'
wait_for '^batch 64' 5 || fail "setup failed"
send_line "train $EPOCHS"
wait_for '▶ training' 5 || fail "no training indicator"
send_keys Space
wait_for 'paused at epoch' 2 || fail "space: no 'paused' indicator"
send_keys '+'
wait_for 'lr ×2 → 0\.002 from epoch [0-9]+' 2 || fail "+: no note of the new lr"
screen_text | grep -Eq '│ lr +0\.002( |$)' || fail "+: the status does not show lr 0.002"
send_keys Space
# Let it finish by itself: the log must hold the epochs before and after the key.
wait_for "epoch $EPOCHS " 60 || fail "training did not finish"
wait_for '^fitbench> *$' 5
send_line 'save session s.fit; save history live.csv; record off'
wait_for '^saved [0-9]+ commands to s\.fit' 5 || fail "save session failed"
wait_for '^fitbench> *$' 5
send_line 'quit'
check_sane "quit"

cd "$TMPD" || fail "no temporary folder"
[ -f live.csv ] || fail "save history wrote nothing"
# The key split the train: train E1, the lr line, train E2 with E1 + E2 = EPOCHS.
grep -qx 'optim sgd lr=0.002 schedule=scale' s.fit || fail "no lr line in the session: $(tr '\n' '|' < s.fit)"
mapfile -t parts < <(sed -n 's/^train \([0-9]*\)$/\1/p' s.fit)
[ "${#parts[@]}" -eq 2 ] && [ "$((parts[0] + parts[1]))" -eq "$EPOCHS" ] ||
    fail "the train is not logged as two parts of $EPOCHS epochs: $(tr '\n' '|' < s.fit)"
diff <(grep -E '^(train|optim) ' s.fit) <(grep -E '^(train|optim) ' r.fit) >/dev/null ||
    fail "record wrote other lines than the session log: $(tr '\n' '|' < r.fit)"
# Epochs at both lrs, the change exactly after the first part.
for lr in 0.001 0.002; do
    awk -F, -v lr="$lr" 'NR > 1 && $5 + 0 == lr + 0 {f = 1} END {exit !f}' live.csv ||
        fail "the live history has no epoch with lr $lr"
done
awk -F, -v e="${parts[0]}" '$1 == e {a = $5} $1 == e + 1 {b = $5} END {exit !(a == 0.001 && b == 0.002)}' live.csv ||
    fail "the lr does not double after epoch ${parts[0]}"
# Replay both files without the workbench; every column but the wall time must match.
for f in s r; do
    { grep -v '^save ' "$f.fit"; echo "save history $f.csv"; } > "replay-$f.fit" # record has the saves too
    FITBENCH_DATA="$SRCDIR/datasets" "$FB" -q "replay-$f.fit" > "replay-$f.out" 2>&1 || fail "fitbench -q replay-$f.fit failed: $(tail -3 "replay-$f.out")"
    [ "$(wc -l < "$f.csv")" -eq "$(wc -l < live.csv)" ] || fail "$f.fit replays $(wc -l < "$f.csv") rows, live has $(wc -l < live.csv)"
    cmp -s <(cut -d, -f1-6 live.csv) <(cut -d, -f1-6 "$f.csv") ||
        fail "$f.fit does not replay the live history: $(diff <(cut -d, -f1-6 live.csv) <(cut -d, -f1-6 "$f.csv") | head -4 | tr '\n' '|')"
done
pass
