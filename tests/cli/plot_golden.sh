#!/usr/bin/env bash
# tests/cli/plot_golden.sh FITBENCH — the heat-map pictures (plot surface, plot boundary) byte for byte: the text
# chart printed without a terminal and the SVG of `save plot`, compared with tests/golden/plots/NAME.out and
# NAME.svg.  Regenerate after an intended change with:
#   FITBENCH_UPDATE_GOLDEN=1 bash tests/cli/plot_golden.sh build/fitbench   (then read the diff: it is the test)
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
dir="$root/tests/golden/plots"
cd "$t"

# golden NAME COMMANDS: run them (-q, plain), compare stdout+stderr and, when they saved p.svg, the SVG.
golden() {
  local name="$1" cmds="$2" out what
  rm -f p.svg
  out="$("$fb" -q -c "set timing=no; $cmds" 2>&1)"
  if [ -n "${FITBENCH_UPDATE_GOLDEN:-}" ]; then
    printf '%s\n' "$out" >"$dir/$name.out"
    [ -e p.svg ] && cp p.svg "$dir/$name.svg"
  fi
  what=""
  diff -q "$dir/$name.out" <(printf '%s\n' "$out") >/dev/null || what="text differs"
  if [ -e "$dir/$name.svg" ]; then
    [ -e p.svg ] || what="$what; no SVG written"
    [ -e p.svg ] && ! cmp -s "$dir/$name.svg" p.svg && what="$what; SVG differs"
  fi
  if [ -z "$what" ]; then echo "PASS plot golden $name"; else echo "FAIL plot golden $name: ${what#; }"; fi
}

# The loss surface of a linear model under mse (the bowl's lowest point found from six losses), with the
# session's path and two compare runs' paths.
golden surface_linear 'gen linear n=60 d=2 noise=0.3 seed=4; split val=0.2 seed=1; model linear;
  optim sgd lr=0.1; train 15; compare lr=0.01,0.05 epochs=8; plot surface; save plot p.svg'
# An MLP's surface over two named parameters (no bowl: the coarse search widens the box).
golden surface_mlp 'gen moons n=80 seed=2; scale standard; model mlp hidden=3; optim adam lr=0.05;
  train 10; plot surface p1=W2[0,1] p2=b1[0]; save plot p.svg'
# p1=/p2= the model built since does not have: the first two parameters, and the title says so.
golden surface_stale 'gen linear n=20 d=3 seed=1; model mlp hidden=4; plot surface p1=W2[0,3] p2=b1[0];
  model linear; plot surface'
# Six compare runs: four line styles, so each run's number marks its curve's end and its legend entry.
golden compare_six 'gen moons n=120 noise=0.2 seed=1; split val=0.3 seed=1; model mlp hidden=4; loss bce;
  optim sgd lr=0.1; compare lr=0.01,0.03,0.1,0.3,1,3 epochs=20; plot compare'
# Two classes: P(class 1) in shades, the training points.
golden boundary_bce 'gen moons n=80 noise=0.2 seed=3; scale standard; model mlp hidden=6; optim adam lr=0.05;
  train 15; plot boundary; save plot p.svg'
# Three classes: one shade per predicted class.
golden boundary_classes 'gen blobs n=90 classes=3 seed=5; model softmax; optim sgd lr=0.1; train 10;
  plot boundary; save plot p.svg'
# No model yet: the points alone.
golden boundary_data 'gen circles n=60 seed=1; plot boundary; save plot p.svg'
exit 0
