#!/usr/bin/env bash
# tests/torch_history.sh — replay every tests/fixtures/torch_history/<name>/script.fit and compare the train_loss
# column of its saved history with PyTorch's (expected.csv, made by tools/torch_history.py) to 1e-9 relative.
# Usage: tests/torch_history.sh path/to/fitbench.  No Python needed.  Prints "PASS name" or "FAIL name: why" per
# fixture; exits 1 if any failed.
set -uo pipefail
export LC_ALL=C  # awk reads and prints numbers with a decimal point whatever the locale
fitbench="${1:?usage: $0 path/to/fitbench}"
case "$fitbench" in /*) ;; *) fitbench="$PWD/$fitbench" ;; esac
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fixtures="$here/fixtures/torch_history"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export HOME="$tmp/home" XDG_STATE_HOME="$tmp/state" # never the user's own files (tests/cli/isolation.sh)
mkdir -p "$HOME"

failed=0 count=0
for dir in "$fixtures"/*/; do
  [ -f "$dir/script.fit" ] || continue
  name="$(basename "$dir")"
  count=$((count + 1))
  work="$tmp/$name"
  cp -r "$dir" "$work"
  if ! out="$(cd "$work" && "$fitbench" -q script.fit 2>&1)"; then
    echo "FAIL $name: fitbench exited with an error: $(printf '%s' "$out" | tail -1)"
    failed=$((failed + 1))
    continue
  fi
  if [ ! -f "$work/history.csv" ]; then
    echo "FAIL $name: no history.csv written"
    failed=$((failed + 1))
    continue
  fi
  # expected.csv: epoch,train_loss.  history.csv: the train_loss column found by its header name.
  why="$(awk -F, -v tol=1e-9 '
    function abs(x) { return x < 0 ? -x : x }
    NR == FNR { if (FNR > 1) want[$1] = $2; nwant = FNR - 1; next }
    FNR == 1 { for (i = 1; i <= NF; i++) { if ($i == "train_loss") col = i; if ($i == "epoch") ecol = i } next }
    {
      e = $ecol; got = $col + 0
      if (!(e in want)) { printf "unexpected epoch %s in the history\n", e; bad = 1; exit }
      w = want[e] + 0; seen++
      d = abs(got - w); m = abs(got) > abs(w) ? abs(got) : abs(w)
      if (d > tol * m) { printf "epoch %s: train_loss %.17g, torch %.17g (relative error %.3g)\n", e, got, w, d / m; bad = 1; exit }
    }
    END {
      if (bad) exit 1
      if (!col) { print "history.csv has no train_loss column"; exit 1 }
      if (seen != nwant) { printf "%d history rows, expected %d\n", seen, nwant; exit 1 }
    }' "$work/expected.csv" "$work/history.csv")"
  if [ $? -eq 0 ]; then
    echo "PASS $name"
  else
    echo "FAIL $name: $why"
    failed=$((failed + 1))
  fi
done
if [ "$count" -eq 0 ]; then
  echo "FAIL torch_history: no fixtures under $fixtures"
  exit 1
fi
[ "$failed" -eq 0 ]
