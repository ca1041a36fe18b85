#!/usr/bin/env bash
# tests/cli/compare_curves.sh FITBENCH — compare cv=K (each value through cv's folds: the same numbers as `cv` at
# that value, the same bits at one thread and two) and its pictures: plot validation (score against the knob,
# train and val, mean ± std after cv=, log x over decades), plot learning (against the training rows, from
# compare train_size=), plot path (each weight's final value against the knob); as text (distinct line styles
# for a screen without colour) and as SVG (save plot); and their refusals.  Prints "PASS compare ..." lines.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t" || exit 1

setup='set precision=17; load iris; scale standard; model softmax; optim sgd lr=0.1 momentum=0.9'
"$fb" -q -c "$setup; cv k=5 epochs=10; compare lr=0.1,0.3 cv=5 epochs=10" >cv.out 2>&1
mean=$(awk '$1 == "mean" { print $2, $3, $4, $5 }' cv.out)
std=$(awk '$1 == "std" { print $2, $3, $4, $5 }' cv.out)
row=$(awk '$1 == "lr=0.1" { print $3, $5, $7, $9 "|" $4, $6, $8, $10 }' cv.out)
check "compare cv=5: a value's means and stds are cv's at that value, to the bit" test "$row" = "$mean|$std"
"$fb" -q -c "set threads=1; $setup; compare lr=0.1,0.3 cv=5 epochs=10" >cv1.out 2>&1
"$fb" -q -c "set threads=2; $setup; compare lr=0.1,0.3 cv=5 epochs=10" >cv2.out 2>&1
check "compare cv=5: the same bits at threads=1 and threads=2" cmp -s cv1.out cv2.out
check "compare cv=5 says the folds are stratified" grep -q "cv k=5 on 150 rows (stratified)" cv1.out

# plot validation: after cv= the spread, log x over 0.01..1, four distinct legend glyphs.
"$fb" -q -c "$setup; compare lr=0.01,0.1,1 cv=3 epochs=5; plot validation; save plot v.svg" >v.out 2>&1
check "plot validation: title with the folds' spread" grep -q "validation curve: accuracy against lr (folds' mean ± std)" v.out
check "plot validation: log x (0.01, 0.1, 1)" grep -q "lr (log scale)" v.out
check "plot validation: train, val and their bands in four line styles" \
  test "$(grep -oE '(━━|╍╍|┉┉|┅┅) (train|val)' v.out | awk '{print $1}' | sort -u | wc -l)" = 4
check "plot validation: save plot writes the SVG (6 lines: 2 means, 4 band edges)" \
  test "$(grep -o '<polyline' v.svg 2>/dev/null | wc -l)" = 6
# Without cv=: each run's final value, no band.
"$fb" -q -c 'gen poly n=120 seed=3; split val=0.3 seed=1; scale standard; model linear; optim sgd lr=0.05; compare degree=1,2,4,6 epochs=30; plot validation' >d.out 2>&1
check "plot validation without cv=: r2 against degree, train and val" grep -q "validation curve: r2 against degree$" d.out
check "plot validation without cv=: no band" test "$(grep -c '± std' d.out)" = 0

# plot learning: x is the training rows (int(F n) of 120 train rows per fold).
"$fb" -q -c "$setup; compare train_size=0.25,0.5,1 cv=5 epochs=5; plot learning; save plot l.svg" >l.out 2>&1
check "plot learning: against the training rows" grep -q "learning curve: accuracy against training rows" l.out
check "compare train_size cv=: the plot switches to learning" grep -q "plot learning shows the scores" l.out
check "plot learning: SVG" grep -q "training rows" l.svg

# plot path: each weight against weight_decay (log x), one style each.
"$fb" -q -c 'load diabetes; scale standard; model linear; optim sgd lr=0.1; compare weight_decay=0.001,0.01,0.1,1 epochs=40; plot path; save plot p.svg' >p.out 2>&1
check "plot path: the first 6 of 10 weights against weight_decay" grep -q "path: final weights against weight_decay (the first 6)" p.out
check "plot path: six distinct legend glyphs" test "$(grep -oE '(━━|╍╍|┉┉|┅┅|•|\+) W\[0,[0-9]\]' p.out | awk '{print $1}' | sort -u | wc -l)" = 6
check "plot path: SVG" test "$(grep -c 'W\[0,' p.svg)" -ge 6
"$fb" -q -c 'gen poly n=60 seed=3; model linear; compare degree=1,3 epochs=3; plot path' >p2.out 2>&1
check "plot path refuses runs of different models" grep -q "path: the runs have different weights" p2.out
"$fb" -q -c 'gen linear n=60 seed=3; model linear; plot validation; plot learning; plot path' >p3.out 2>&1
check "the three plots before any compare say what to run" test "$(grep -c 'nothing compared yet' p3.out)" = 3

refuses "compare cv=1" 'gen linear n=20; model linear; compare lr=0.1,0.2 cv=1' "cv= takes the number of folds, 2 to 100"
refuses "compare cv= more folds than rows" 'gen linear n=20; model linear; compare lr=0.1,0.2 cv=30' "k=30 folds need at least 30 rows"
refuses "compare cv= a class with fewer rows than k" 'gen blobs n=20 classes=5 seed=1; model softmax; compare lr=0.1 cv=5' "needs at least k=5 rows of every class"
refuses "compare cv= with metric=f1" 'load iris; model softmax; compare lr=0.1 cv=3 metric=f1' "with cv= the score is accuracy or r2"
