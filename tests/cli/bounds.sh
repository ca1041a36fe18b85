#!/usr/bin/env bash
# tests/cli/bounds.sh FITBENCH — input that once crashed or misread: a long chain of '-' or '!' in expect and
# until= (stack overflow), W[1e20,1] (read element 0), --threads 2147483648 (int overflow), show confusion
# with thousands of classes (unbounded output), plot settings kept after new data (docs/reliability.md).
# Prints "PASS name" or "FAIL name: why" per case.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t"

chain() { head -c "$2" /dev/zero | tr '\0' "$1"; } # chain CHAR COUNT

# A script line of 1,000,000 '-' (under the 1 MiB line limit) in expect, and of '!' in train until=.
{ echo 'gen linear n=20 seed=1'; echo 'model linear'
  printf 'expect %s1\n' "$(chain - 1000000)"; printf 'train 1 until=%s0\n' "$(chain '!' 1000000)"
  printf 'expect %s1%s\n' "$(chain '(' 400000)" "$(chain ')' 400000)"; echo 'echo survived'; } >deep.fit
"$fb" --keep-going -q deep.fit >out.txt 2>err.txt; rc=$?
check "deep nesting: exit 1, not a crash (status $rc)" test "$rc" -eq 1
check "deep nesting: expect says why" grep -q '^deep.fit:3:[0-9]*: error: expression nested too deeply' err.txt
check "deep nesting: until= says why" grep -q '^deep.fit:4:[0-9]*: error: .*nested too deeply' err.txt
check "deep nesting: parentheses say why" grep -q '^deep.fit:5:[0-9]*: error: expression nested too deeply' err.txt
check "deep nesting: the script went on" grep -qx survived out.txt
"$fb" -q -c "gen linear n=20 seed=1; model linear; expect $(chain - 200)1 > 0" >out.txt 2>err.txt
check "200 signs still evaluate" test "$?" -eq 0

# Indices: whole numbers from 0 up, within the shape; 1e20 once read W[0,1].
for idx in '1e20,0' '0,1e20' '-1,0' '0.5,0' '0,0/0' '1/0,0' '18446744073709551616,0'; do
  "$fb" -q -c "gen linear n=20 seed=1; model linear; expect W[$idx] == W[0,0]" >out.txt 2>err.txt; rc=$?
  check "W[$idx] is refused (exit $rc)" test "$rc" -eq 1
  check "W[$idx] says which index" grep -q 'error: index .* of W is \(too large\|not a whole number >= 0\)' err.txt
done
"$fb" -q -c "gen linear n=20 seed=1; model linear; expect W[0,0] == W[0,0]" >out.txt 2>err.txt
check "W[0,0] still reads" test "$?" -eq 0

# --threads and --seed take set's bounds; 2147483648 once became threads=-2147483648.
for a in "--threads 2147483648" "--threads 257" "--threads -1" "--threads 4294967297" "--seed 9300000000000000000" "--seed x"; do
  # shellcheck disable=SC2086
  "$fb" $a -c set >out.txt 2>err.txt; rc=$?
  check "$a: usage error (exit $rc)" test "$rc" -eq 2
  check "$a: says the range" grep -q "needs a whole number from 0 to" err.txt
done
"$fb" --threads 2 --seed 7 -c set >out.txt 2>err.txt
check "--threads 2 --seed 7 are taken" grep -q "seed=7 .*threads=2 " out.txt
"$fb" -c 'set threads=2147483648' >out.txt 2>err.txt; rc=$?
check "set threads=2147483648 refused" test "$rc" -eq 1

# show confusion with 300 classes: 20 classes and a summary line, not 300 rows of 300 columns.
# Two rows of each of 300 classes, and 300 more rows among c000..c006.
awk 'BEGIN { srand(3); print "x1,x2,label"; for (i = 0; i < 900; i++) printf "%.3f,%.3f,c%03d\n", rand(), rand(), (i < 600 ? i % 300 : i % 7) }' >many.csv
"$fb" -q -c 'load many.csv; model softmax; show confusion; eval' >out.txt 2>err.txt; rc=$?
check "many classes: show confusion works" test "$rc" -eq 0
lines="$(sed -n '/^confusion/,/^accuracy/p' out.txt | wc -l)"
check "many classes: bounded ($lines lines)" test "$lines" -le 25
check "many classes: says what is left out" grep -q '^(300 classes: the 20 with the most rows are shown; the other 280 classes hold [0-9]* of the 900 rows' out.txt
width="$(sed -n '/^confusion/,/^accuracy/p' out.txt | awk '{ if (length($0) > w) w = length($0) } END { print w }')"
check "many classes: bounded width ($width)" test "$width" -le 250
acc1="$(awk '/^accuracy/ { print $2 }' out.txt)"; acc2="$(awk '$1 == "train" { print $4 }' out.txt)"
check "many classes: accuracy agrees with eval ($acc1, $acc2)" test "$acc1" = "$acc2"
# The most frequent classes (c000..c006, a third of the rows) are among those shown.
check "many classes: the biggest classes are shown" bash -c "sed -n '/^confusion/,/^accuracy/p' out.txt | grep -c '^c00[0-6] ' | grep -qx 7"
"$fb" -q -c 'gen blobs n=60 classes=3 seed=1; model softmax; show confusion' >out.txt 2>err.txt
check "few classes: the whole matrix" bash -c "grep -q precision out.txt && ! grep -q 'classes: the' out.txt && test \$(grep -c '^[012] ' out.txt) -eq 3"

# Plot settings from before new data: x= and p1=/p2= no longer apply, the plot is drawn anyway and says so.
"$fb" -q -c 'gen linear n=20 d=3 seed=1; model linear; plot fit x=x2; gen linear n=20 d=1 seed=1; plot fit' >out.txt 2>err.txt; rc=$?
check "stale x=: plot fit still draws (exit $rc)" test "$rc" -eq 0
check "stale x=: says so" grep -q 'fit: y against x0; x=x2 is not in this data' out.txt
"$fb" -q -c 'gen linear n=20 d=3 seed=1; model mlp hidden=4; plot surface p1=W2[0,3] p2=b1[0]; model linear; plot surface' >out.txt 2>err.txt; rc=$?
check "stale p1=: plot surface still draws (exit $rc)" test "$rc" -eq 0
check "stale p1=: says so" grep -q 'loss over W\[0,0\] and W\[0,1\], epoch 0; p1=/p2= not in this model' out.txt
# Names given now are still checked.
"$fb" -q -c 'gen linear n=20 d=3 seed=1; model linear; plot fit x=x9' >out.txt 2>err.txt; rc=$?
check "x=x9 given now: refused" bash -c "test $rc -eq 1 && grep -q \"no input column 'x9'\" err.txt"
"$fb" -q -c 'gen linear n=20 d=3 seed=1; model linear; plot surface p1=W[0,7]' >out.txt 2>err.txt; rc=$?
check "p1=W[0,7] given now: refused" bash -c "test $rc -eq 1 && grep -q 'outside the parameter' err.txt"

# set pace= takes seconds from 0 to 3600; a batch run is never paced (it would otherwise take an hour).
for v in -1 x 3601 nan; do
  "$fb" -q -c "set pace=$v" >out.txt 2>err.txt; rc=$?
  check "set pace=$v is refused (exit $rc)" bash -c "test $rc -eq 1 && grep -q 'pace' err.txt"
done
"$fb" -q -c 'set' >out.txt 2>err.txt
check "set shows the automatic pace" grep -q 'pace=0 (auto)$' out.txt
start=$(date +%s)
"$fb" -q -c 'set pace=3600; set; gen linear n=20 seed=1; model linear; train 300; expect epoch == 300' >out.txt 2>err.txt
rc=$?
check "set pace=3600 in a batch run: trains at once (exit $rc)" \
  bash -c "test $rc -eq 0 && test $(( $(date +%s) - start )) -lt 20 && grep -q 'pace=3600$' out.txt"
