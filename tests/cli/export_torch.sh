#!/usr/bin/env bash
# tests/cli/export_torch.sh FITBENCH — `save torch PATH.py` and `save sklearn PATH.py` (docs/export.md).
#   - bad input (no Python needed): no model, data from stdin, a data file that is gone, a log that does not
#     replay, a command the script cannot replay, a name without .py, sklearn for a model without a closed form;
#     each a clear error, and no file written;
#   - with python3-torch: sessions spanning every model, loss, optimizer and schedule, full batch, in-order and
#     shuffled minibatches, CSV (shipped, one-hot, missing=mean) and generated data with split, scaling and
#     polynomial features, and commands changing the setup between trainings.  Each is exported, the script
#     run, and its history compared with fitbench's `save history` row for row (epoch and step equal,
#     train_loss and val_loss within 1e-9 relative, lr 1e-12) and its final parameters with `save weights`
#     (1e-9 of the largest); every script passes `python3 -m py_compile` and pyflakes;
#   - torchrun --nproc_per_node=2 (gloo, loopback) on a full-batch and a minibatch session: the same history;
#   - save sklearn: LinearRegression and Ridge give solve's coefficients to 1e-9.
# Without python3-torch (or numpy, sklearn, pyflakes) the Python parts print "SKIP ...", counted as skipped.
set -uo pipefail
export LC_ALL=C
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t" || exit 1

# ---- bad input: a clear error naming what is missing, and nothing written
# bad NAME EXPECTED COMMANDS [STDIN]: run COMMANDS in a fresh folder (stdin from the file STDIN, or none).
bad() {
  local name="$1" want="$2" cmds="$3" in="${4:-/dev/null}" out
  rm -rf "$t/bad" && mkdir -p "$t/bad" && cd "$t/bad" || return
  out="$("$fb" -q -c "$cmds" 2>&1 <"$in")"
  verdict "$name" "$want" "$out"
}
verdict() {
  if ! grep -q -- "$2" <<<"$3"; then
    fail "export bad input: $1" "expected '$2', got: $(tail -1 <<<"$3")"
  elif [ -e x.py ] || [ -e x_start ]; then
    fail "export bad input: $1" "a file was written on error: $(ls)"
  else
    pass "export bad input: $1"
  fi
  cd "$t" || exit 1
}
printf 'a,b,y\n1,2,3\n2,1,4\n3,3,5\n4,2,7\n' >"$t/small.csv"
bad "no data or model" "no data" "save torch x.py"
bad "no model" "no model" "gen linear; save torch x.py"
bad "name without .py" "must end in .py" "gen linear; model linear; save torch x.txt"
bad "data from stdin (a file)" "stdin or a pipe" "load /dev/stdin; model linear; save torch x.py" "$t/small.csv"
rm -rf "$t/bad" && mkdir -p "$t/bad" && cd "$t/bad" &&
  out="$(cat "$t/small.csv" | "$fb" -q -c "load /dev/stdin; model linear; save torch x.py" 2>&1)"
verdict "data from stdin (a pipe)" "stdin or a pipe" "$out"
# The file goes away while the session runs: commands come one line at a time on stdin (fitbench -).
rm -rf "$t/bad" && mkdir -p "$t/bad" && cd "$t/bad" && cp "$t/small.csv" gone.csv
out="$({ echo "load gone.csv; model linear; train 2"; sleep 1; rm gone.csv; echo "save torch x.py"; } | "$fb" -q - 2>&1)"
verdict "data file gone" "gone.csv is gone" "$out"
bad "log that does not replay" "does not rebuild it" "gen linear n=50; model linear; train 3; set seed=9; save torch x.py"
bad "solve in the middle of a run" "line 4 (\`solve\`)" "gen linear n=50; model linear; train 3; solve; train 2; save torch x.py"
bad "step batch mid-epoch" "middle of an epoch" "gen linear n=50; model linear; batch 10; step batch 2; save torch x.py"
bad "sklearn for an mlp" "model linear with loss mse" "gen linear n=50; model mlp; save sklearn x.py"
bad "sklearn for adamw" "adamw" "gen linear n=50; model linear; optim adamw; save sklearn x.py"
bad "ddp= for sklearn" "ddp= is for save torch" "gen linear n=50; model linear; save sklearn x.py ddp=yes"

# ---- the Python side
py=""
for cand in python3 /usr/bin/python3; do
  if "$cand" -c 'import torch, numpy' 2>/dev/null; then py="$cand"; break; fi
done
if [ -z "$py" ]; then
  echo "SKIP export torch: no python3 with torch and numpy (Debian: python3-torch python3-numpy)"
  exit 0
fi
flakes=""
"$py" -m pyflakes --version >/dev/null 2>&1 && flakes=1

# cmp.py [FITBENCH_HISTORY SCRIPT_HISTORY] FITBENCH_WEIGHTS SCRIPT_WEIGHTS: "ok ..." or the first difference.
# Histories: epoch and step equal, train_loss and val_loss within 1e-9 relative, lr 1e-12; weights (every .npy
# of fitbench's folder): within 1e-9 of the largest.
cat >"$t/cmp.py" <<'PY'
import csv, os, sys
import numpy as np


def history(fitbench, script):
    a, b = (list(csv.DictReader(open(p))) for p in (fitbench, script))
    if len(a) != len(b):
        sys.exit("%d history rows, fitbench has %d" % (len(b), len(a)))
    worst = 0.0
    for r, s in zip(a, b):
        if (r["epoch"], r["step"]) != (s["epoch"], s["step"]):
            sys.exit("row %s: epoch/step %s/%s, fitbench %s/%s" % (r["epoch"], s["epoch"], s["step"], r["epoch"],
                                                                   r["step"]))
        for k, tol in (("train_loss", 1e-9), ("val_loss", 1e-9), ("lr", 1e-12)):
            if (r[k] == "") != (s[k] == ""):
                sys.exit("epoch %s: %s '%s', fitbench '%s'" % (r["epoch"], k, s[k], r[k]))
            if r[k] == "":
                continue
            x, y = float(r[k]), float(s[k])
            e = abs(x - y) / max(abs(x), abs(y), 1e-300)
            if e > tol:
                sys.exit("epoch %s: %s %.17g, fitbench %.17g (relative error %.3g)" % (r["epoch"], k, y, x, e))
            if k != "lr":
                worst = max(worst, e)
    return "%d rows, losses within %.2g relative, " % (len(a), worst)


def weights(fitbench, script):
    worst = 0.0
    for f in sorted(os.listdir(fitbench)):
        x, y = np.load(os.path.join(fitbench, f)), np.load(os.path.join(script, f))
        if x.shape != y.shape:
            sys.exit("%s: shape %s, fitbench %s" % (f, y.shape, x.shape))
        worst = max(worst, float(np.max(np.abs(x - y))) / max(float(np.max(np.abs(x))), 1e-300))
    if worst > 1e-9:
        sys.exit("parameters differ by %.3g of the largest" % worst)
    return "parameters within %.2g" % worst


args = sys.argv[1:]
print("ok: " + (history(*args[:2]) if len(args) == 4 else "") + weights(*args[-2:]))
PY

# one_case LABEL NAME FITBENCH_COMMANDS SCRIPT COMPARE...: in a fresh folder run fitbench, then the script (python),
# then COMPARE (a command printing "ok ..." or why not); then py_compile and pyflakes on the script.
one_case() {
  local label="$1" name="$2" cmds="$3" script="$4" why out
  shift 4
  mkdir -p "$t/$label-$name" && cd "$t/$label-$name" || exit 1
  if ! "$fb" -q -c "$cmds" >fb.out 2>&1; then
    fail "export $label $name" "fitbench: $(grep -m1 error fb.out)"
  elif ! "$py" "$script" >py.out 2>&1; then
    fail "export $label $name" "the script failed: $(tail -1 py.out)"
  elif why="$("$@" 2>&1)"; then
    pass "export $label $name ($why)"
  else
    fail "export $label $name" "$why"
  fi
  check "export $label script $name: py_compile" "$py" -m py_compile "$script"
  if [ -n "$flakes" ]; then
    out="$("$py" -m pyflakes "$script" 2>&1)"
    check "export $label script $name: pyflakes clean" test -z "$out"
  fi
  cd "$t" || exit 1
}

# A CSV with a text column (one-hot) and missing cells (missing=mean).
cat >"$t/houses.csv" <<'CSV'
city,size,age,price
Milan,3.5,10,200
Paris,,5,310
Rome,2.0,NA,150
Milan,4.1,20,260
Paris,1.5,3,190
NA,3.3,15,210
Milan,2.2,8,170
Paris,5.0,1,420
Rome,,12,205
Milan,3.0,7,230
Paris,2.5,9,240
Rome,4.4,4,300
Rome,3.9,6,280
Milan,1.8,30,140
Paris,4.6,2,390
Rome,2.7,11,215
CSV

# NAME|COMMANDS: each exported after its commands and compared.
sessions=(
  "moons_terms_sin_cos_drop_logistic_adam|gen moons n=120 noise=0.2 seed=3; features add x0*x1 x0^2 sin(x0) cos(x1); features drop x1; split val=0.25 seed=2; scale standard; model logistic; loss bce; optim adam lr=0.05; train 20"
  "iris_mlp_tanh_ce_adam_step_shuffled|load iris; split val=0.2; scale standard; model mlp hidden=8 act=tanh; loss ce; optim adam lr=0.01; batch 16; schedule step step_size=5 gamma=0.5; train 20"
  "boston_linear_mse_sgd_nesterov_multistep_full|load boston; scale standard; model linear; optim sgd lr=0.01 momentum=0.9 nesterov=yes; schedule multistep milestones=10,20 gamma=0.5; train 30; optim sgd lr=0.005; train 10"
  "moons_poly3_minmax_logistic_bce_rmsprop_exp_inorder|gen moons n=200 noise=0.2; features poly degree=3; scale minmax; model logistic; loss bce; optim rmsprop lr=0.01 centered=yes; batch 32 shuffle=no; schedule exp gamma=0.97; train 30"
  "spiral_split3_softmax_ce_adagrad_cosine|gen spiral n=150 classes=3; split val=0.25 test=0.1; scale standard; model softmax; optim adagrad lr=0.1 lr_decay=0.01 initial_accumulator_value=0.1; schedule cosine t_max=10 eta_min=0.001; batch 50; train 25"
  "sine_mlp_relu_huber_adamw_onecycle_past_total|gen sine n=100; scale standard; model mlp hidden=16,8 act=relu; loss huber delta=0.5; optim adamw lr=0.01 amsgrad=yes; schedule onecycle total_steps=20; train 25"
  "cancer_logistic_hinge_sgd_plateau_rescale|load breast_cancer; split val=0.2 seed=3; scale standard; model logistic; loss hinge; optim sgd lr=0.05 momentum=0.9 nesterov=yes; schedule plateau patience=2 factor=0.5; train 30; optim sgd lr=0.01 schedule=scale; train 10; optim sgd weight_decay=0.01; train 5"
  "houses_onehot_missing_linear_huber_then_mse|load $t/houses.csv onehot=city missing=mean; split val=0.25; scale standard; model linear; loss huber delta=2; optim adam lr=0.1; batch 3; train 10; loss mse; batch 4 shuffle=no; train 10"
  "blobs_mlp_sigmoid_sgd_then_adam_onecycle3|gen blobs n=120 d=3 classes=4; scale standard; model mlp hidden=6 act=sigmoid; optim sgd lr=0.1 momentum=0.5; batch 20; train 5; optim adam lr=0.01; schedule onecycle total_steps=10 three_phase=yes anneal=linear; train 12"
  "linear_patience_until_multistep|gen linear n=200 d=3 noise=0.5; split val=0.3; model linear; optim sgd lr=0.05; train 200 patience=3; train 20 until=epoch>205; schedule multistep milestones=3,3,8 gamma=0.5; train 10"
  "diabetes_mlp_linear_mae_sgd_dampening_shuffled|load diabetes; scale minmax; model mlp hidden=5 act=linear; loss mae; optim sgd lr=0.05 momentum=0.5 dampening=0.1 weight_decay=0.001; batch 64; train 15"
  "xor_mlp_relu_bce_rmsprop_plateau_max|gen xor n=200; split val=0.2; scale standard; model mlp hidden=8 act=relu; loss bce; optim rmsprop lr=0.003 momentum=0.5; batch 25; schedule plateau mode=max threshold_mode=abs cooldown=1 patience=1; train 20"
  "circles_two_runs_he_then_xavier_hinge|gen circles n=160; model mlp hidden=6 act=tanh; loss hinge; init he seed=4; optim sgd lr=0.05; train 5; init xavier seed=2; batch 40; train 10"
  "poly_minmax_linear_normal_init_adam_exp|gen poly n=100; features poly degree=4; scale minmax; model linear; init normal std=0.1 seed=5; optim adam lr=0.05 weight_decay=0.01; schedule exp gamma=0.9; train 20"
  "wine_softmax_adamw_cosine_then_rmsprop|load wine; scale standard; model softmax; optim adamw lr=0.01; batch 32; schedule cosine t_max=8; train 15; optim rmsprop lr=0.001; train 5"
)
for s in "${sessions[@]}"; do
  one_case torch "${s%%|*}" "${s#*|}; save history fb.csv; save weights fb_final; save torch run.py" run.py \
    "$py" "$t/cmp.py" fb.csv run_history.csv fb_final run_final
done
[ -n "$flakes" ] || echo "SKIP export scripts: pyflakes (Debian: python3-pyflakes) is not installed"

# ---- torchrun: two processes on this machine (gloo over loopback), each its slice of every batch
# (--redirects 1 --tee 1: Debian's torch 1.13 under Python 3.11 cannot parse the default "0"; docs/export.md)
# NAME|SAVE OPTIONS|SCRIPT FLAGS|COMMANDS: the first exported with ddp=yes (no flag needed under torchrun).
ddp=(
  "full_batch|ddp=yes||gen sine n=120; split val=0.2; scale standard; model mlp hidden=8 act=tanh; optim sgd lr=0.1 momentum=0.9; schedule exp gamma=0.98; train 30"
  "shuffled_minibatches||--ddp|load iris; split val=0.2; scale standard; model mlp hidden=8 act=relu; optim adam lr=0.01; batch 16; train 15"
)
for s in "${ddp[@]}"; do
  IFS='|' read -r name opt flag cmds <<<"$s"
  d="$t/ddp_$name"
  mkdir -p "$d" && cd "$d" || exit 1
  if ! "$fb" -q -c "$cmds; save history fb.csv; save weights fb_final; save torch run.py $opt" >fb.out 2>&1; then
    fail "export torchrun $name" "fitbench: $(grep -m1 error fb.out)"
  elif ! timeout 300 "$py" -m torch.distributed.run --standalone --nproc_per_node=2 --redirects 1 --tee 1 \
      run.py $flag --history ddp.csv --weights ddp_final >ddp.out 2>&1; then
    fail "export torchrun $name" "torchrun failed: $(grep -m1 -i error ddp.out)"
  elif why="$("$py" "$t/cmp.py" fb.csv ddp.csv fb_final ddp_final 2>&1)"; then
    pass "export torchrun --nproc_per_node=2 $name ${opt:-$flag} ($why)"
  else
    fail "export torchrun $name" "$why"
  fi
  cd "$t" || exit 1
done

# ---- save sklearn: the closed form against solve's coefficients
if ! "$py" -c 'import sklearn' 2>/dev/null; then
  echo "SKIP export sklearn: no scikit-learn for $py (Debian: python3-sklearn)"
  exit 0
fi
sk=(
  "boston_least_squares|load boston; split val=0.2; scale standard; model linear"
  "boston_ridge|load boston; scale minmax; model linear; optim sgd weight_decay=0.1"
  "houses_onehot_missing_drop_poly2_two_targets|load $t/houses.csv target=price,age onehot=city missing=drop; split val=0.2 seed=4; features poly degree=2; scale standard; model linear; optim adam weight_decay=0.01"
  "gen_poly3|gen poly n=80 seed=3; features poly degree=3; model linear"
  "terms_products_sin_drop|gen linear n=60 d=2 seed=4; features add x0*x1 sin(x1) x1^3; features drop x0; model linear"
)
for s in "${sk[@]}"; do
  one_case sklearn "${s%%|*}" "${s#*|}; solve; save weights fb_coef; save sklearn fit.py" fit.py \
    "$py" "$t/cmp.py" fb_coef fit_coef
done
