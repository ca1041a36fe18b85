#!/usr/bin/env bash
# tests/cli/compare_ref.sh FITBENCH — `compare ... cv=K` against scikit-learn's validation_curve and learning_curve
# (shuffle=False) driving tools/ref_cv.py's PyTorch loop over the same folds (tests/fixtures/curves/curves.txt,
# made by tools/ref_curves.py): every value's training rows and the mean and standard deviation of its score on
# the folds' training and validation rows agree to 1e-9 relative.  Prints "PASS compare ref ..." lines.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t" || exit 1
ref="$root/tests/fixtures/curves/curves.txt"

# agree CASE OUTPUT: the table rows of OUTPUT (label, train rows, then mean/std pairs) against the fixture's
# CASE lines in order: ROWS, train_mean, train_std, val_mean, val_std.
agree() {
  awk -v case="$1" 'NR == FNR { if ($1 == case) { n++; for (j = 3; j <= 7; j++) want[n, j - 2] = $j } next }
    $0 !~ /^ / && $1 ~ /=/ && NF == 10 { got++; g[1] = $2; g[2] = $7; g[3] = $8; g[4] = $9; g[5] = $10
      for (j = 1; j <= 5; j++) { w = want[got, j]; d = w - g[j]; if (d < 0) d = -d; s = w < 0 ? -w : w
        if (d > 1e-9 * (s > 1 ? s : 1)) bad = bad " " $1 " col " j ": " g[j] " vs " w } }
    END { if (got != n || n == 0) { print "rows: " got " of " n; exit 1 } if (bad != "") { print bad; exit 1 } }' "$ref" "$2"
}
# CASE | what | commands: each must agree with the fixture's CASE.
while IFS='|' read -r case what cmds; do
  "$fb" -q -c "set precision=17; $cmds" >"$case.out" 2>&1
  if why=$(agree "$case" "$case.out"); then pass "compare ref: $what"
  else fail "compare ref: $what" "$why $(head -c 600 "$case.out")"; fi
done <<'CASES'
iris_lr|lr cv=5 (iris softmax, sgd momentum) = sklearn validation_curve|load iris; scale standard; model softmax; optim sgd lr=0.1 momentum=0.9; compare lr=0.01,0.1,1 cv=5 epochs=20
diabetes_wd|weight_decay cv=3 (diabetes linear, adam) = sklearn validation_curve|load diabetes; scale standard; model linear; optim adam lr=5; compare weight_decay=0.01,1,10 cv=3 epochs=60
diabetes_size|train_size cv=3 (diabetes linear) = sklearn learning_curve|load diabetes; scale standard; model linear; optim adam lr=5; compare train_size=0.25,0.5,1 cv=3 epochs=60
iris_size|train_size cv=5 (iris, stratified) = sklearn learning_curve|load iris; scale standard; model softmax; optim sgd lr=0.1 momentum=0.9; compare train_size=0.1,0.3,1 cv=5 epochs=20
CASES
