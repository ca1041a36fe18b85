#!/usr/bin/env bash
# tests/cli/compare_keys.sh FITBENCH — `compare` over every kind of key from the command line: each run's table
# row, the copies' rows and parameters in the report, the same bits at one thread and two (the runs train in
# parallel, each on one thread), and bad input that fails with its message and changes nothing.
# Prints "PASS compare ..." / "FAIL compare ...".
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t" || exit 1

# Every key that changes the model or the features starts from a fresh init; the others from the current state.
"$fb" -q -c 'gen moons n=120 seed=2; split val=0.25; model mlp hidden=8; optim adam lr=0.02; train 2;
  compare hidden=4,8x8 epochs=3; compare act=tanh,relu epochs=3; compare seed=1,2 epochs=3;
  compare lr=0.01,0.1 epochs=3; compare batch=16,full epochs=3; compare train_size=0.5,1 epochs=3;
  compare optim="sgd lr=0.1,adam lr=0.01" epochs=3 metric=accuracy' >keys.out 2>&1
check "compare hidden: two runs, 8x8 has 2 hidden layers (105 parameters)" grep -q "hidden=8x8: .*; 90 training rows, 105 parameters" keys.out
check "compare fresh keys say so" test "$(grep -c 'each run from a fresh init' keys.out)" = 3
check "compare other keys start from the current parameters" test "$(grep -c 'each run from the current parameters' keys.out)" = 4
check "compare train_size: int(0.5 * 90) rows" grep -q "train_size=0.5: .*; 45 training rows" keys.out
check "compare reports the score beside the loss" grep -q "final val .* train_accuracy *val_accuracy" keys.out
check "compare metric= reports the loss beside it" grep -q "final val .* train_loss *val_loss" keys.out

"$fb" -q -c 'gen poly n=80 seed=5; split val=0.25; scale standard; model linear; optim sgd lr=0.05;
  compare degree=1,2,3 epochs=5; compare scale=none,minmax epochs=5' >feat.out 2>&1
check "compare degree: 1, 2, 3 give 1, 2, 3 features" grep -q "degree=3: .*; 60 training rows, 4 parameters" feat.out
check "compare scale" grep -q "^scale=minmax " feat.out

# The same bits at one thread and at two (an MLP big enough for the training crew).
run() { "$fb" -q -c "set precision=17; set threads=$1; gen spiral n=2000 seed=3; split val=0.2 seed=1; model mlp hidden=64;
  optim adam lr=0.01; compare lr=0.01,0.02,0.005 epochs=2" | grep -v '^[0-9]* epochs in'; }
run 1 >t1.out 2>&1
run 2 >t2.out 2>&1
check "compare: the same bits at threads=1 and threads=2" cmp -s t1.out t2.out
alone=$("$fb" -q -c 'set precision=17; set threads=1; gen spiral n=2000 seed=3; split val=0.2 seed=1; model mlp hidden=64;
  optim adam lr=0.02; train 2' 2>&1 | awk '/^epoch 2 /{print $4}')
check "compare's run = the run alone at threads=1" grep -q "^lr=0.02 .* $alone " t2.out

refuses "compare unknown key lists the keys" 'gen linear n=20; model linear; compare colour=1,2' "it varies lr, momentum"
refuses "compare unknown key suggests" 'gen linear n=20; model linear; compare degre=1,2' "did you mean 'degree'"
refuses "compare hidden on a linear model" 'gen linear n=20; model linear; compare hidden=4' "the model is linear"
refuses "compare train_size out of range" 'gen linear n=20; model linear; compare train_size=0' "in (0, 1]"
refuses "compare degree 0" 'gen linear n=20; model linear; compare degree=2,0' "compare degree=0"
refuses "compare two keys" 'gen linear n=20; model linear; compare lr=0.1 degree=2' "one setting at a time"
refuses "compare no values" 'gen linear n=20; model linear; compare lr=,' "needs values"
