#!/usr/bin/env bash
# tests/cli/plot_network.sh FITBENCH — plot network and plot neuron from the command line: the text picture in
# plain mode, `save plot` as SVG that parses as XML (xmllint, else Python's xml.etree), a big model's summary.
# (The character grid itself is tests/test_netplot.c.)
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t"
xml_ok() { # FILE: well-formed XML?
  if command -v xmllint >/dev/null; then xmllint --noout "$1" 2>/dev/null
  else python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' "$1" 2>/dev/null; fi
}
base='gen spiral n=300 seed=1; split val=0.3; model mlp hidden=8,8 act=tanh; optim adam lr=0.03; train 50'
"$fb" -q -c "$base; plot network; save plot net.svg; plot neuron 1,2; save plot neuron.svg" >out.txt 2>err.txt
check "plot_network runs" test -s out.txt -a ! -s err.txt
check "plot_network prints the picture" grep -q 'the network at epoch 50' out.txt
check "plot_network 17 neurons with weights in" test "$(grep -o '→' out.txt | wc -l)" -eq 17
check "plot_network key" grep -q 'weights in, top to bottom' out.txt
check "plot_network SVG is XML" xml_ok net.svg
check "plot_network SVG one line per weight" test "$(grep -c '<line ' net.svg)" -eq $((2 * 8 + 8 * 8 + 8))
check "plot_neuron prints its map" grep -q 'layer 1 neuron 2 (tanh)' out.txt
check "plot_neuron SVG is XML" xml_ok neuron.svg
# Text through the sink only when there is no terminal; a tiny grid still works (summary or too small).
"$fb" -q -c "gen blobs n=60 d=784 classes=3 seed=1; model mlp hidden=128,64; plot network; save plot big.svg" >big.txt 2>&1
check "plot_network big model: one line per layer" grep -q '^h1 relu  *128' big.txt
check "plot_network big model explains" grep -q 'exactly two inputs' big.txt
check "plot_network big model SVG is XML" xml_ok big.svg
"$fb" -q -c "load iris; model mlp hidden=8; plot network" >iris.txt 2>&1
check "plot_network four inputs: neurons as biases, no maps" grep -q 'each neuron shows its bias' iris.txt
# The Playground's largest: six hidden layers of 8 are still drawn neuron by neuron (plain text is 100 columns).
"$fb" -q -c "gen spiral n=200 seed=1; model mlp hidden=8,8,8,8,8,8 act=tanh; train 3; plot network" >six.txt 2>&1
check "plot_network 6 layers of 8: 49 neurons drawn" test "$(grep -o '→' six.txt | wc -l)" -eq 49
check "plot_network 6 layers of 8: no line wider than 100" test "$(LC_ALL=C.UTF-8 wc -L <six.txt)" -le 100
"$fb" -q -c "gen spiral n=200 seed=1; model mlp hidden=8,8,8,8,8,8,8 act=tanh; plot network" >seven.txt 2>&1
check "plot_network 7 hidden layers: summarised" grep -q 'one line' seven.txt
