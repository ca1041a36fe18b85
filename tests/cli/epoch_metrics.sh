#!/usr/bin/env bash
# tests/cli/epoch_metrics.sh FITBENCH — the per-epoch metric columns of `save history` against scikit-learn.
# Replays every tests/fixtures/epoch_metrics/<name>/script.fit (made by tools/ref_epoch_metrics.py, which computed
# expected.csv with sklearn.metrics on the weights fitbench saved after each epoch; no Python needed here) and
# compares the history's metric columns with expected.csv (1e-9 relative).  Cases: ce mlp (minibatches),
# bce logistic (the fused one-pass path), mse mlp, mse mlp on two threads (the crew), huber linear (fused).
# Then: expect and until= read the columns, and the metric names are checked (bad input).
# Prints "PASS epoch_metrics NAME" / "FAIL epoch_metrics NAME: why".
set -uo pipefail
export LC_ALL=C
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
fixtures="$root/tests/fixtures/epoch_metrics"

for dir in "$fixtures"/*/; do
  name="$(basename "$dir")"
  w="$t/$name"
  mkdir -p "$w"
  cp "$dir/script.fit" "$dir/data.csv" "$w/"
  if ! (cd "$w" && "$fb" -q script.fit >out.txt 2>err.txt); then
    fail "epoch_metrics $name" "exit $?: $(grep -m1 error "$w/err.txt")"
    continue
  fi
  why="$(awk -F, -v hist="$w/history.csv" '
    function abs(x) { return x < 0 ? -x : x }
    /^#/ { next }
    !hdr { hdr = 1; for (i = 1; i <= NF; i++) col[i] = $i; nc = NF; next }
    { for (i = 2; i <= nc; i++) want[$1, col[i]] = $i; rows++ }
    END {
      getline line < hist; nh = split(line, h, ",")
      for (i = 1; i <= nh; i++) at[h[i]] = i
      for (i = 2; i <= nc; i++) if (!(col[i] in at)) { printf "history has no column %s\n", col[i]; exit 1 }
      got_rows = 0
      while ((getline line < hist) > 0) {
        split(line, f, ","); got_rows++
        for (i = 2; i <= nc; i++) {
          g = f[at[col[i]]]; x = want[f[1], col[i]]
          if (g == "" || abs(g - x) > 1e-9 * abs(x) + 1e-12) { printf "epoch %s %s: %s, sklearn %s\n", f[1], col[i], g, x; exit 1 }
        }
      }
      if (got_rows != rows) { printf "%d history rows, want %d\n", got_rows, rows; exit 1 }
    }' "$dir/expected.csv")"
  if [ -z "$why" ]; then pass "epoch_metrics $name"; else fail "epoch_metrics $name" "$why"; fi
done

# expect and until= read the metric columns: the last history row's values, on train and val.
cls="$t/cls3"
acc="$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "val_accuracy") c = i; next } { v = $c } END { print v }' "$cls/history.csv")"
out="$(cd "$cls" && "$fb" -q -c "run script.fit; expect val_accuracy == $acc; expect abs(train_f1 - $(awk -F, 'NR==1{for(i=1;i<=NF;i++)if($i=="train_f1")c=i;next}{v=$c}END{print v}' history.csv)) < 1e-12" 2>&1 >/dev/null)"
check "epoch_metrics expect reads val_accuracy and train_f1" test -z "$out"
out="$(cd "$cls" && "$fb" -q -c 'run script.fit; train 200 until="val_accuracy > 0.7"; save history h2.csv' 2>&1)"
last="$(tail -n 1 "$cls/h2.csv" | cut -d, -f1)"
prev_ok="$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "val_accuracy") c = i; next }
  { if ($c > 0.7) hit++; last = $c } END { print (hit == 1 && last > 0.7) ? "yes" : "no" }' "$cls/h2.csv")"
check "epoch_metrics until= stops at the first epoch with val_accuracy > 0.7 (epoch $last)" test "$prev_ok" = yes
out="$(cd "$cls" && "$fb" -q -c 'run script.fit; expect val_r2 > 0' 2>&1)"
check "epoch_metrics a regression metric on a classifier is an error" grep -q "r2 is a regression metric" <<<"$out"
out="$(cd "$t/reg" && "$fb" -q -c 'run script.fit; expect val_f1 > 0' 2>&1)"
check "epoch_metrics f1 on a regression is an error" grep -q "f1 is a classification metric" <<<"$out"
out="$(cd "$t/reg" && "$fb" -q -c 'run script.fit; expect val_acuracy > 0' 2>&1)"
check "epoch_metrics a misspelt metric gets a suggestion" grep -q "did you mean 'val_accuracy'" <<<"$out"
