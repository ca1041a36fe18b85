#!/usr/bin/env bash
# tests/cli/penalty.sh FITBENCH — `loss ... l1= l2=` end to end:
#  - every case of tests/fixtures/penalty/cases (tools/ref_penalty.py: PyTorch 1.13, the penalty added to the loss
#    before backward(), every optimizer, l1/l2/both, linear and mlp, full batch and minibatches): the train_loss of
#    every epoch and every final parameter agree to 1e-9 relative; a parameter torch leaves at exactly 0 (l1's
#    subgradient at a weight whose data gradient is 0) is exactly 0;
#  - defaults change nothing; the same name keeps the options not given; bad values are refused, nothing changed;
#  - undo, record/replay, `save session` and the model file keep the penalty.
# No Python needed.  Prints "PASS name" or "FAIL name: why" per case.
set -u
export LC_ALL=C
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cp -r "$root/tests/fixtures/penalty" "$t/penalty"

# ---- the PyTorch references
count=0
for dir in "$t"/penalty/cases/*/; do
  name="penalty_torch_$(basename "$dir")"
  count=$((count + 1))
  if ! (cd "$dir" && "$fb" -q script.fit >params.out 2>err.txt); then
    fail "$name" "fitbench failed: $(tail -1 "$dir/err.txt")"
    continue
  fi
  why="$(awk -F, -v tol=1e-9 '
    function abs(x) { return x < 0 ? -x : x }
    function cmp(what, got, w,   d, m) {
      if (w == 0) { if (got != 0) { printf "%s: %.17g, torch exactly 0\n", what, got; bad = 1 } return }
      d = abs(got - w); m = abs(got) > abs(w) ? abs(got) : abs(w)
      if (d > tol * m) { printf "%s: %.17g, torch %.17g (relative error %.3g)\n", what, got, w, d / m; bad = 1 }
    }
    FILENAME ~ /expected.csv$/ { if (FNR > 1) want[$1] = $2; nwant = FNR - 1; next }
    FILENAME ~ /params.csv$/ { if (FNR > 1) { pw[substr($0, 1, length($0) - length($NF) - 1)] = $NF; np++ } next }
    FILENAME ~ /history.csv$/ {
      if (FNR == 1) { for (i = 1; i <= NF; i++) { if ($i == "train_loss") col = i; if ($i == "epoch") ecol = i } next }
      seen++; if (!bad) cmp("epoch " $ecol " train_loss", $col + 0, want[$ecol] + 0); next
    }
    /^  / { split($0, f, " "); got[f[1]] = f[length(f)]; ngot++ }
    END {
      if (seen != nwant && !bad) { printf "%d history rows, expected %d\n", seen, nwant; bad = 1 }
      for (p in pw) { if (bad) break; if (!(p in got)) { printf "no parameter %s shown\n", p; bad = 1; break }
                      cmp(p, got[p] + 0, pw[p] + 0) }
      if (ngot != np && !bad) { printf "%d parameters shown, torch has %d\n", ngot, np; bad = 1 }
      exit bad
    }' "$dir/expected.csv" "$dir/params.csv" "$dir/history.csv" "$dir/params.out")"
  if [ $? -eq 0 ]; then pass "$name"; else fail "$name" "$why"; fi
done
check "penalty_torch fixtures present" test "$count" -ge 60
zero_ok=yes
for d in "$t"/penalty/cases/zero_*/; do grep -qE '^  W\[0,1\] +z +0$' "$d/params.out" || zero_ok=no; done
check "penalty l1 leaves a weight at exactly 0 there (sign(0) = 0)" test "$zero_ok" = yes

cd "$t"
base='set precision=17; load boston; scale standard; split val=0.2 seed=3; model mlp hidden=5 act=tanh; init torch seed=4; optim adam lr=0.01; batch 64'

# ---- defaults: l1=0 l2=0 is the loss without a penalty, bit for bit
"$fb" -q -c "$base; loss mse; train 5; save history a.csv" >/dev/null 2>&1
"$fb" -q -c "$base; loss mse l1=0 l2=0; train 5; save history b.csv" >/dev/null 2>&1
check "penalty 0 changes nothing" cmp -s <(cut -d, -f1-6 a.csv) <(cut -d, -f1-6 b.csv)
"$fb" -q -c "$base; loss mse l2=0.01; train 5; save history c.csv" >/dev/null 2>&1
check "penalty l2 changes the history" test "$(cut -d, -f3 a.csv | tail -1)" != "$(cut -d, -f3 c.csv | tail -1)"

# ---- the same name keeps the options not given; another name starts from the defaults
"$fb" -q -c "$base; loss huber delta=2 l2=0.1; loss huber l1=0.01; show config; loss mae; show config" >out.txt 2>&1
check "penalty same name keeps delta and l2" grep -qx 'loss      huber delta=2 l1=0.01 l2=0.10000000000000001' out.txt
check "penalty another name starts afresh" grep -qx 'loss      mae' out.txt

# ---- bad values: refused with the column, nothing changed
for bad in "l1=-1" "l2=-0.5" "l1=inf" "l2=-inf" "l1=nan" "l2=abc" "l1="; do
  "$fb" -q -c "$base; loss mse l1=0.5; loss mse $bad; show config" >out.txt 2>err.txt
  rc=$?
  check "penalty bad $bad refused" test "$rc" -ne 0
  check "penalty bad $bad says where" grep -qE '^-c:1:[0-9]+: error: l[12]' err.txt
done
"$fb" -q --keep-going -c "$base; loss mse l1=0.5" -c "loss mse l2=-1" -c "show config" >out.txt 2>err.txt
check "penalty bad value changes nothing" grep -qx 'loss      mse l1=0.5' out.txt
"$fb" -q -c "$base; loss mse l1=1e400" >out.txt 2>err.txt
check "penalty overflowing value refused" grep -q 'error: l1' err.txt

# ---- undo
"$fb" -q -c "$base; loss mse l1=0.5; loss mse l2=0.25; undo; show config; undo; show config" >out.txt 2>&1
check "penalty undo restores the previous penalty" test "$(grep '^loss  ' out.txt | head -1)" = "loss      mse l1=0.5"
check "penalty undo twice: no penalty" test "$(grep '^loss  ' out.txt | tail -1)" = "loss      mse"

# ---- record, replay, save session
"$fb" -q -c "record rec.fit; $base; loss mse l1=0.02 l2=0.01; train 4; save history r1.csv; save session s.fit" \
  >/dev/null 2>&1
check "penalty recorded" grep -q 'loss mse l1=0.02 l2=0.01' rec.fit
"$fb" -q rec.fit -c "save history r2.csv" >/dev/null 2>&1
check "penalty record replays the same history" cmp -s <(cut -d, -f1-6 r1.csv) <(cut -d, -f1-6 r2.csv)
"$fb" -q s.fit -c "show config" >out.txt 2>&1
check "penalty save session keeps it" grep -qx 'loss      mse l1=0.02 l2=0.01' out.txt

# ---- the model file
"$fb" -q -c "$base; loss mse l1=0.02 l2=0.01; train 2; save model m.fbm; loss mse l1=0 l2=0; save model n.fbm" \
  >/dev/null 2>&1
check "penalty in the model file" grep -qxE 'l1 0.02(0+[0-9]*)?' m.fbm
check "penalty-free model file has no penalty lines" test "$(grep -cE '^l[12] ' n.fbm)" -eq 0
"$fb" -q -c "load boston; load model m.fbm; show config" >out.txt 2>&1
check "penalty load model restores it" grep -qx 'loss      mse l1=0.02 l2=0.01' out.txt
sed 's/^l2 .*/l2 -1/' m.fbm >bad.fbm
"$fb" -q -c "load boston; load model bad.fbm" >out.txt 2>err.txt
check "penalty negative in a model file refused" grep -q 'l2 must be a finite number >= 0' err.txt
