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

# ---- check grad with the penalty: every layer fine (the numerical side is the penalised loss: tests/test_penalty.c)
"$fb" -q -c "$base; loss mse l1=0.01 l2=0.05; train 2; check grad" >out.txt 2>&1
check "penalty check grad fine" test "$(grep -cE '^[12] +[0-9]+ +[0-9]+ +[0-9.e+-]+  fine ' out.txt)" -eq 2

# ---- solve: l1 refused, nothing changed
"$fb" -q --keep-going -c "$base; model linear; loss mse l1=0.1; save weights w0" -c solve -c "save weights w1" \
  >out.txt 2>err.txt
check "penalty solve refuses l1" grep -q 'solve has no closed form for the l1 penalty' err.txt
check "penalty solve refusal changes nothing" cmp -s w0/W.npy w1/W.npy

# ---- save torch / save sklearn (python3-torch, python3-sklearn)
py=""
for cand in python3 /usr/bin/python3; do
  if "$cand" -c 'import torch, numpy, sklearn' 2>/dev/null; then py="$cand"; break; fi
done
if [ -z "$py" ]; then
  echo "SKIP penalty export: no python3 with torch, numpy and sklearn"
  exit 0
fi
# cmp.py FITBENCH_HISTORY SCRIPT_HISTORY FITBENCH_WEIGHTS SCRIPT_WEIGHTS: train_loss, val_loss and grad_norm of every
# row within 1e-9 relative, every final parameter within 1e-9 of the largest ("-" for no history).
cat >"$t/cmp.py" <<'PY'
import csv, os, sys
import numpy as np
fh, sh, fw, sw = sys.argv[1:]
worst = 0.0
if fh != "-":
    a, b = list(csv.DictReader(open(fh))), list(csv.DictReader(open(sh)))
    if len(a) != len(b):
        sys.exit("%d rows, fitbench %d" % (len(b), len(a)))
    for r, s in zip(a, b):
        for k in ("train_loss", "val_loss", "grad_norm"):
            if r[k] == "" and s[k] == "":
                continue
            x, y = float(r[k]), float(s[k])
            e = abs(x - y) / max(abs(x), abs(y), 1e-300)
            if e > 1e-9:
                sys.exit("epoch %s %s: %.17g, fitbench %.17g" % (r["epoch"], k, y, x))
            worst = max(worst, e)
for f in sorted(os.listdir(fw)):
    x, y = np.load(os.path.join(fw, f)), np.load(os.path.join(sw, f))
    e = float(np.max(np.abs(x - y))) / max(float(np.max(np.abs(x))), 1e-300)
    if e > 1e-9:
        sys.exit("%s differs by %.3g of the largest" % (f, e))
    worst = max(worst, e)
print("ok %.2g" % worst)
PY
export_case() { # NAME COMMANDS KIND(torch|sklearn)
  local name="$1" cmds="$2" kind="$3" why
  mkdir -p "$t/ex_$name" && cd "$t/ex_$name" || exit 1
  if [ "$kind" = torch ]; then
    "$fb" -q -c "$cmds; save history fb.csv; save weights fb_w; save torch run.py" >fb.out 2>&1 &&
      "$py" run.py >py.out 2>&1 && why="$("$py" "$t/cmp.py" fb.csv run_history.csv fb_w run_final 2>&1)"
  else
    "$fb" -q -c "$cmds; solve; save weights fb_w; save sklearn sk.py" >fb.out 2>&1 &&
      "$py" sk.py >py.out 2>&1 && why="$("$py" "$t/cmp.py" - - fb_w sk_coef 2>&1)"
  fi
  local rc=$?
  if [ $rc -eq 0 ]; then pass "penalty export $kind $name ($why)"
  else fail "penalty export $kind $name" "$(tail -1 fb.out) $(tail -1 py.out 2>/dev/null) ${why:-}"; fi
  cd "$t" || exit 1
}
export_case mlp_ce_adam_both "load iris; split val=0.2; scale standard; model mlp hidden=8 act=tanh; loss ce l1=0.01 l2=0.02; optim adam lr=0.01; batch 16; train 10; loss ce l2=0; train 5" torch
export_case linear_mse_sgd_l2_then_l1 "load diabetes; split val=0.2; scale standard; model linear; loss mse l2=0.05; optim sgd lr=0.05 momentum=0.9; train 20; loss mse l1=0.1 l2=0; batch 32 shuffle=no; train 10" torch
export_case logistic_bce_rmsprop_l1 "gen moons n=200; scale standard; model logistic; loss bce l1=0.02; optim rmsprop lr=0.01; batch 25; train 15" torch
# big enough for the thread crew (set threads=2): its passes over whole splits, and the one-thread steps a
# penalised minibatch takes (src/learn/train.c)
export_case crew_mlp_ce_adam_both "set threads=2; gen spiral n=400 seed=3; scale standard; model mlp hidden=64,64 act=tanh; loss ce l1=0.001 l2=0.01; optim adam lr=0.01; batch 32; train 4" torch
export_case ridge_l2 "load diabetes; scale standard; model linear; loss mse l2=0.1" sklearn
export_case ridge_l2_and_wd "load boston; scale standard; model linear; loss mse l2=0.1; optim sgd weight_decay=0.05" sklearn
export_case ridge_l2_poly "gen linear n=80 d=3; features poly degree=2; model linear; loss mse l2=0.02" sklearn
# torchrun, two processes: the penalty is added once (by rank 0) to the summed shares
mkdir -p "$t/ex_ddp" && cd "$t/ex_ddp" || exit 1
if "$fb" -q -c "gen sine n=120; split val=0.2; scale standard; model mlp hidden=8 act=tanh; loss mse l1=0.01 l2=0.03; optim sgd lr=0.1 momentum=0.9; batch 32; train 10; save history fb.csv; save weights fb_w; save torch run.py" >fb.out 2>&1 &&
  timeout 300 "$py" -m torch.distributed.run --standalone --nproc_per_node=2 --redirects 1 --tee 1 run.py --ddp \
    --history ddp.csv --weights ddp_w >ddp.out 2>&1 && why="$("$py" "$t/cmp.py" fb.csv ddp.csv fb_w ddp_w 2>&1)"; then
  pass "penalty export torchrun 2 processes ($why)"
else
  fail "penalty export torchrun 2 processes" "$(tail -1 ddp.out 2>/dev/null) ${why:-}"
fi
mkdir -p "$t/ex_l1" && cd "$t/ex_l1" || exit 1
"$fb" -q -c "load diabetes; model linear; loss mse l1=0.1; save sklearn x.py" >out.txt 2>err.txt
check "penalty save sklearn refuses l1" grep -q 'save sklearn: the l1 penalty has no closed form' err.txt
check "penalty save sklearn l1: no file" test ! -e x.py
