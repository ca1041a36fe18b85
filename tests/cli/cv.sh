#!/usr/bin/env bash
# tests/cli/cv.sh FITBENCH — `cv` against a PyTorch loop over scikit-learn's folds (tests/fixtures/cv/runs.txt, made
# by tools/ref_cv.py): every fold's train and validation loss and score within 1e-9 relative; the row-to-fold file
# (save=) against sklearn's KFold; the session left as it was; and bad input (docs/commands.md, "cv").
# Prints "PASS cv ..." / "FAIL cv ...".
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t" || exit 1
ref="$root/tests/fixtures/cv/runs.txt"

# compare CASE OUTPUT: the fold rows of OUTPUT against the fixture's rows for CASE.
compare() {
  awk -v case="$1" 'NR == FNR { if ($1 == case) { for (j = 3; j <= 6; j++) want[$2, j - 2] = $j; n++ } next }
    $1 ~ /^[0-9]+$/ && NF == 6 { got++; for (j = 1; j <= 4; j++) { w = want[$1, j]; g = $(j + 2)
        d = w - g; if (d < 0) d = -d; s = w < 0 ? -w : w; if (d > 1e-9 * (s > 1 ? s : 1)) { bad = bad " fold " $1 " col " j ": " g " vs " w } } }
    END { if (got != n || n == 0) { print "rows: " got " of " n; exit 1 } if (bad != "") { print bad; exit 1 } }' "$ref" "$2"
}

"$fb" -q -c 'set precision=17; load iris; scale standard; model softmax; optim sgd lr=0.1 momentum=0.9; cv k=5 epochs=20' >iris.out 2>&1
if why=$(compare iris_softmax iris.out); then pass "cv iris softmax (StratifiedKFold 5, sgd momentum) = torch loop"
else fail "cv iris softmax" "$why $(head -c 400 iris.out)"; fi

"$fb" -q -c 'set precision=17; load diabetes; scale standard; model linear; optim adam lr=5; cv k=3 epochs=60 save=folds.csv' >diab.out 2>&1
if why=$(compare diabetes_linear diab.out); then pass "cv diabetes linear (KFold 3, adam) = torch loop"
else fail "cv diabetes linear" "$why $(head -c 400 diab.out)"; fi
# KFold(3) on 442 rows: 148, 147, 147 rows in order.
want=$(awk 'BEGIN { print "row,fold"; for (i = 0; i < 442; i++) print i "," (i < 148 ? 0 : i < 295 ? 1 : 2) }')
if [ "$(cat folds.csv 2>/dev/null)" = "$want" ]; then pass "cv save= writes every row's fold (KFold order)"
else fail "cv save=" "folds.csv differs from KFold(3): $(head -c 200 folds.csv 2>&1)"; fi

# The session is unchanged: the same parameters and history after cv as before.
"$fb" -q -c 'set precision=17; load iris; model softmax; train 3; save weights w1; save history h1.csv; cv k=3 epochs=5; save weights w2; save history h2.csv; expect epoch == 3' >same.out 2>&1
check "cv leaves the session's parameters as they were" diff -r w1 w2
check "cv leaves the session's history as it was" cmp -s h1.csv h2.csv

# Bad input: each fails with its message and changes nothing.
bad() { # name, commands, expected message
  if "$fb" -q -c "$2" >bad.out 2>&1; then fail "cv $1" "succeeded"; return; fi
  if grep -qF "$3" bad.out; then pass "cv $1"; else fail "cv $1" "$(cat bad.out)"; fi
}
bad "without data" 'cv' 'no data yet'
bad "without a model" 'gen blobs n=20; cv' 'no model yet'
bad "k=1" 'gen blobs n=20 classes=2; model logistic; cv k=1' 'k must be'
bad "k greater than the rows" 'gen blobs n=20 classes=2; model logistic; cv k=30' 'k=30 folds need at least 30 rows; there are 20'
bad "a class with fewer rows than k" 'gen blobs n=20 classes=2; model logistic; cv k=11' \
  'stratify=yes needs at least k=11 rows of every class; one class has 10'
bad "stratify on a regression target" 'load diabetes; model linear; cv stratify=yes' 'needs a class target'
bad "an unknown option" 'gen blobs n=20 classes=2; model logistic; cv folds=3' "unknown option 'folds' for cv"
bad "epochs=0" 'gen blobs n=20 classes=2; model logistic; cv epochs=0' 'epochs must be >= 1'
bad "save into a missing folder" 'gen blobs n=20 classes=2; model logistic; cv save=nowhere/f.csv' 'cannot write nowhere/f.csv'
