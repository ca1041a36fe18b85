#!/usr/bin/env bash
# tests/cli/roc.sh FITBENCH — `plot roc` (issue 17 part 5): the text picture of a binary classifier (logistic + bce,
# softmax + ce over two classes, hinge) with the AUC in the legend, equal to `show confusion`'s roc_auc, and the
# split in the title (val, or train when there is none); `save plot roc.svg` is well-formed XML with the curve
# and its key; NO_COLOR changes nothing in the text; a regression, three classes, no model or no data are refused
# with a clear message.  With python3-sklearn, the AUC of `predict val out=` probabilities by roc_auc_score
# equals the legend's.  Prints "PASS name" or "FAIL name: why" per case.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t" || exit 1
xml_ok() { python3 -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$1" 2>/dev/null ||
  xmllint --noout "$1" 2>/dev/null; }

sess='gen moons n=200 noise=0.3 seed=5; split val=0.25 seed=1; model logistic; loss bce; optim adam lr=0.05; train 40'
"$fb" -q -c "$sess; plot roc; show confusion; save plot roc.svg; predict val out=p.csv" >out.txt 2>err.txt
auc="$(sed -n 's/.*━━ ROC, AUC \([0-9.]*\).*/\1/p' out.txt | head -1)"
check "plot roc: the legend has the AUC" test -n "$auc"
check "plot roc: the title names the validation split" grep -q 'ROC on the val split, 50 rows' out.txt
check "plot roc: the chance line is in the legend" grep -q '╍╍ chance' out.txt
check "plot roc: axes labelled" grep -q 'false positive rate' out.txt
conf="$(sed -n 's/^roc_auc \([0-9.]*\)$/\1/p' out.txt)"
check "plot roc: the AUC equals show confusion's roc_auc ($auc, $conf)" \
  python3 -c "import sys; a, b = map(float, sys.argv[1:]); sys.exit(abs(a - b) > 5e-5)" "$auc" "$conf"
check "save plot roc.svg is XML" xml_ok roc.svg
check "save plot roc.svg has the curve's key" grep -q 'ROC, AUC' roc.svg
"$fb" -q -c "$sess; plot roc" >c.txt 2>&1
NO_COLOR=1 "$fb" -q -c "$sess; plot roc" >nc.txt 2>&1
check "NO_COLOR: the same text" cmp -s <(grep -v 'epochs in' c.txt) <(grep -v 'epochs in' nc.txt)
check "NO_COLOR: no escapes" test "$(grep -c $'\e' nc.txt)" = 0

out="$("$fb" -q -c "gen moons n=60 seed=2; model logistic; loss bce; train 5; plot roc" 2>&1)"
check "no validation split: the title says train" grep -q 'ROC on the train split (no val), 60 rows' <<<"$out"
out="$("$fb" -q -c "gen blobs n=60 classes=2 seed=3; split val=0.5; model softmax; loss ce; train 5; plot roc" 2>&1)"
check "softmax over two classes: a curve" grep -q '━━ ROC, AUC' <<<"$out"
out="$("$fb" -q -c "gen moons n=60 seed=2; model logistic; loss hinge; train 5; plot roc" 2>&1)"
check "hinge: a curve of its scores" grep -q '━━ ROC, AUC' <<<"$out"

bad() {
  local name="$1" want="$2" cmds="$3" out
  out="$("$fb" -q -c "$cmds" 2>&1)"
  if grep -qF -- "$want" <<<"$out"; then pass "plot roc refused: $name"; else fail "plot roc refused: $name" "expected '$want', got: $out"; fi
}
bad "regression" "plot roc is for binary classifiers (this model uses loss mse, a regression)" "gen sine; model linear; train 2; plot roc"
bad "three classes" "plot roc is for two classes and 'species' has 3" "load iris; model softmax; loss ce; train 2; plot roc"
bad "no model" "plot roc needs a model" "gen moons; plot roc"
bad "no data" "plot roc needs data" "plot roc"
printf 'a,c\n1,0\n2,1\n3,0\n4,1\n5,1\n6,1\n' >one.csv
bad "one class in the split" "needs both classes among the rows" "load one.csv; split val=0.3 shuffle=no; model logistic; loss bce; plot roc"

# The AUC against scikit-learn's roc_auc_score on the probabilities predict writes (%.17g).
if /usr/bin/python3 -c "import sklearn" 2>/dev/null; then
  cat >auc.py <<'PY'
import csv, sys
from sklearn.metrics import roc_auc_score
rows = list(csv.DictReader(open(sys.argv[2])))
y = [int(float(r["y"])) for r in rows]
p = [float(r["p_1"]) for r in rows]
sys.exit(1 if abs(roc_auc_score(y, p) - float(sys.argv[1])) > 5e-5 else 0)
PY
  check "AUC equals sklearn roc_auc_score of predict's probabilities" /usr/bin/python3 auc.py "$auc" p.csv
else
  echo "SKIP plot roc against sklearn: no python3-sklearn"
fi
exit 0
