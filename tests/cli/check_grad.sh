#!/usr/bin/env bash
# tests/cli/check_grad.sh FITBENCH — `check grad` end to end: every layer "fine" on a fresh MLP, the parameters
# and the history untouched (bit for bit), max= and rows= shrink the check and the report says so.
# (The numbers against every model x loss pair and the wrong-gradient cases are tests/test_gradcheck.c.)
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t"
base='gen spiral n=200 seed=2; split val=0.2; model mlp hidden=8,8 act=tanh; optim adam lr=0.01; train 5'
"$fb" -q -c "$base; save weights w1; save history h1.csv; check grad; save weights w2; save history h2.csv" >out.txt 2>err.txt
rc=$?
check "check_grad runs" test "$rc" -eq 0
check "check_grad three layers, each fine" test "$(grep -cE '^[123] +[0-9]+ +[0-9]+ +[0-9.e+-]+  fine ' out.txt)" -eq 3
check "check_grad every parameter checked" grep -qE '^2 +72 +72 ' out.txt
ok=yes
for f in W1 b1 W2 b2 W3 b3; do cmp -s "w1/$f.npy" "w2/$f.npy" || ok=no; done
check "check_grad leaves the parameters bit for bit" test "$ok" = yes
check "check_grad leaves the history" cmp -s <(cut -d, -f1-6 h1.csv) <(cut -d, -f1-6 h2.csv)
"$fb" -q -c "$base; check grad max=5 rows=50 eps=1e-6" >out2.txt 2>&1
check "check_grad max= and rows=" grep -qE '^2 +72 +5 ' out2.txt
check "check_grad names the rows" grep -q 'the first 50 training rows' out2.txt
"$fb" -q -c "$base; check grad max=0" >out3.txt 2>&1
check "check_grad max=0 checks all" grep -qE '^1 +24 +24 ' out3.txt
