#!/usr/bin/env bash
# tests/cli/cli.sh FITBENCH — the command line as a user meets it: exit codes, error locations, stdin, -c.
# Prints "PASS name" or "FAIL name: why" per case.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t"

# A script whose line 3 is wrong: located error, exit 1, nothing after line 3 runs.
printf 'load boston\nmodel linear\noptim adma lr=0.1\necho AFTER\n' >bad.fit
"$fb" bad.fit >out.txt 2>err.txt; rc=$?
check "line-3 error exits 1" test "$rc" -eq 1
check "line-3 error message" grep -qx "bad.fit:3:7: error: unknown optimizer 'adma' (did you mean 'adam'?)" err.txt
check "nothing after the error runs" bash -c '! grep -q AFTER out.txt'

# --keep-going runs the rest but still exits 1.
"$fb" --keep-going bad.fit >out.txt 2>err.txt; rc=$?
check "keep-going exit 1" test "$rc" -eq 1
check "keep-going continues" grep -q AFTER out.txt

# Usage errors exit 2.
"$fb" --bogus >/dev/null 2>err.txt; rc=$?
check "unknown flag exits 2" test "$rc" -eq 2
check "unknown flag message" grep -q "unknown option '--bogus'" err.txt
"$fb" -c >/dev/null 2>&1; rc=$?
check "-c without commands exits 2" test "$rc" -eq 2
"$fb" --version | grep -q '^fitbench [0-9]' && pass "--version" || fail "--version" "no version line"
"$fb" --help | grep -q 'usage: fitbench' && pass "--help" || fail "--help" "no usage"

# -c: several commands, errors located in the -c string.
"$fb" -c 'load boston; model linear; solve; expect r2 > 0.74' >out.txt 2>err.txt; rc=$?
check "-c solve exits 0" test "$rc" -eq 0
"$fb" -c 'load boston; model linear; train 5 patience=0' >out.txt 2>err.txt; rc=$?
check "-c error exits 1" test "$rc" -eq 1
check "-c error location" grep -qx -- "-c:1:45: error: patience must be >= 1 (got 0)" err.txt

# expect failing fails the script with its location.
printf 'load boston\nmodel linear\nsolve\nexpect train_loss < 21\n' >exp.fit
"$fb" exp.fit >out.txt 2>err.txt; rc=$?
check "failed expect exits 1" test "$rc" -eq 1
check "failed expect location" grep -q '^exp.fit:4:8: error: expect failed: train_loss < 21 (train_loss = 21.8948' err.txt

# stdin, not a terminal: plain lines, no prompt noise, errors located as <stdin>.
printf 'load boston\nmodel linear\nsolve\neval\n' | "$fb" >out.txt 2>err.txt; rc=$?
check "stdin session exits 0" test "$rc" -eq 0
check "stdin has no prompt" bash -c '! grep -q "fitbench>" out.txt'
check "stdin eval output" grep -q '^train *506' out.txt
printf 'load boston\nmodl linear\necho AFTER\n' | "$fb" - >out.txt 2>err.txt; rc=$?
check "stdin error exits 1" test "$rc" -eq 1
check "stdin error location" grep -qx "<stdin>:2:1: error: unknown command 'modl' (did you mean 'model'?)" err.txt
check "stdin stops at the error" bash -c '! grep -q AFTER out.txt'

# Shipped datasets load from any directory.
( cd / && "$fb" -c 'load iris; show data' ) >out.txt 2>&1; rc=$?
check "load by name from /" test "$rc" -eq 0
check "iris classes" grep -q 'setosa, versicolor, virginica' out.txt

# The same script run twice gives identical history files (timing column aside).
cat >hist.fit <<'FIT'
gen moons n=300 noise=0.2 seed=3
split val=0.25 seed=1
scale standard
model mlp hidden=8 act=tanh
optim adam lr=0.02
batch 16
train 30
save history h.csv
FIT
"$fb" -q hist.fit >/dev/null 2>&1 && cut -d, -f1-6,8- h.csv >h1.csv
"$fb" -q hist.fit >/dev/null 2>&1 && cut -d, -f1-6,8- h.csv >h2.csv
check "history header" test "$(head -1 h.csv)" = \
  "epoch,step,train_loss,val_loss,lr,grad_norm,seconds,train_accuracy,val_accuracy,train_f1,val_f1"
check "history has epoch 0..30" test "$(wc -l <h.csv)" -eq 32
check "same script, same history" cmp -s h1.csv h2.csv

# Numbers are read in the C locale whatever LC_ALL says.
if locale -a 2>/dev/null | grep -qi '^de_DE.utf-\?8$'; then
  printf 'a;b\n1.5;2\n2.5;3\n3.5;5\n' >semi.csv
  LC_ALL=de_DE.UTF-8 "$fb" -c 'load semi.csv; model linear; optim sgd lr=0.5; expect n == 3' >out.txt 2>&1; rc=$?
  check "C locale under de_DE" test "$rc" -eq 0
fi

# Output to a closed pipe ends quietly (no error spew).
"$fb" -c 'load digits; show data' 2>err.txt | head -1 >/dev/null
check "closed pipe is quiet" test ! -s err.txt

# save session replays to the same history.
"$fb" -q -c 'gen xor n=200 seed=2; scale standard; model mlp hidden=6; optim sgd lr=0.2 momentum=0.9; batch 20; train 5; optim sgd lr=0.1; train 5; save session s.fit; save history a.csv' >/dev/null 2>&1
"$fb" -q s.fit -c 'save history b.csv' >/dev/null 2>&1
cut -d, -f1-6 a.csv >a6.csv; cut -d, -f1-6 b.csv >b6.csv 2>/dev/null
check "saved session replays identically" cmp -s a6.csv b6.csv
exit 0
