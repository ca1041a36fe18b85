#!/usr/bin/env bash
# tests/cli/plot_layers.sh FITBENCH — plot weights, grads, updates: the text pictures name every layer, the
# updates picture carries the 1e-3 reference line, `save plot` writes XML, and before a model they are empty
# charts, not errors.  (The numbers behind them are tests/test_layerlog.c.)
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t"
xml_ok() {
  if command -v xmllint >/dev/null; then xmllint --noout "$1" 2>/dev/null
  else python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1" 2>/dev/null; fi
}
base='gen spiral n=200 seed=1; model mlp hidden=8,8 act=tanh; optim adam lr=0.03; batch 32; train 40'
"$fb" -q -c "$base; plot weights; save plot w.svg; plot grads; save plot g.svg; plot updates; save plot u.svg" \
  >out.txt 2>err.txt
check "plot_layers runs" test ! -s err.txt
check "plot_layers weights: three layers" test "$(grep -cE '━━ W[123] median' out.txt)" -eq 3
check "plot_layers grads: three layers" test "$(grep -cE '━━ \|dW[123]\| median' out.txt)" -eq 3
check "plot_layers updates: reference line" grep -q '1e-3 rule of thumb' out.txt
check "plot_layers updates: three layers" test "$(grep -cE '━━ layer [123]' out.txt)" -eq 3
for f in w g u; do check "plot_layers $f.svg is XML" xml_ok $f.svg; done
"$fb" -q -c "gen spiral n=50; plot updates" >empty.txt 2>&1
check "plot_layers before a model: an empty chart" grep -q 'no data yet' empty.txt
"$fb" -q -c "gen spiral n=200 seed=1; model mlp hidden=4,4,4,4,4; train 3; plot weights" >many.txt 2>&1
check "plot_layers more than four layers: says which are shown" grep -q 'layers 1-4 of 6' many.txt
