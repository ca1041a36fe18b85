#!/usr/bin/env bash
# tests/cli/features.sh FITBENCH — per-term features (`features add|drop|none|poly`, `show features`; issue 17
# part 2): on a CSV with named columns (one with a blank, one with an operator), a model trained on added and
# dropped terms predicts raw rows in the training process, and a NEW process that loads the saved model (with and
# without data) predicts them bit for bit (out= writes %.17g); the model file lists the terms (version 3) and a
# version 2 file still loads; undo, record and replay rebuild the same columns; bad terms are refused with a
# clear message and change nothing.  Prints "PASS name" or "FAIL name: why" per case.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t" || exit 1
people="$root/tests/fixtures/features/people.csv"
cp "$people" p.csv

terms='features add age*income "sin([monthly rent])" "cos(x0*[x-ray])" income^2; features drop age'
setup="load p.csv; $terms; split val=0.25 seed=3; scale standard; model mlp hidden=5 act=tanh; optim adam lr=0.05; train 30"
"$fb" -q -c "$setup; predict p.csv out=before.csv; save model m.fbm; show features" >shown.txt 2>err.txt
check "train on added and dropped terms, save model" test -s m.fbm -a -s before.csv
sed -n '/in column order/,$p' shown.txt >cols.txt
printf '%s\n' '   1  income' '   2  [monthly rent]' '   3  [x-ray]' '   4  age*income' '   5  sin([monthly rent])' \
  '   6  cos(age*[x-ray])' '   7  income^2' >want_cols.txt
check "show features: inputs first, added terms after, dropped gone" cmp -s <(tail -n +2 cols.txt) want_cols.txt
check "model file is version 3 with its terms" grep -qx 'fitbench-model 3' m.fbm
check "model file lists the terms in the x-index form" \
  bash -c "sed -n '/^terms 7\$/,/^scale/p' m.fbm | tr '\n' ' ' | grep -qF 'terms 7 x1 x2 x3 x0*x1 sin(x2) cos(x0*x3) x1^2 scale'"

# A new process, no data: the model's own terms and scaler.
"$fb" -q -c "load model m.fbm; predict p.csv out=after.csv; show features" >shown2.txt 2>err2.txt
check "new process, no data: predictions bit for bit" cmp -s before.csv after.csv
check "new process: show features lists the model's terms" grep -qxF '   6  cos(age*[x-ray])' shown2.txt
# A new process over the same data: load model sets the terms.
"$fb" -q -c "load p.csv; load model m.fbm; predict p.csv out=after2.csv; show config" >cfg.txt 2>&1
check "new process over the data: predictions bit for bit" cmp -s before.csv after2.csv
check "show config after load model says the terms" grep -q 'features  7 terms' cfg.txt

# The same columns from a poly shortcut: a version 2 style degree, then terms edited.
"$fb" -q -c "load p.csv; features poly degree=2; features drop x0^2; features add sin(x1); model linear; solve; predict p.csv out=b2.csv; save model m2.fbm" >/dev/null 2>&1
"$fb" -q -c "load model m2.fbm; predict p.csv out=a2.csv" >/dev/null 2>&1
check "poly then drop and add: reload bit for bit" cmp -s b2.csv a2.csv

# Old files still load: a version 2 file (degree 2) predicts as the version 3 file written from it.
"$fb" -q -c "load p.csv; features poly degree=2; model linear; solve; predict p.csv out=p3.csv; save model m3.fbm" >/dev/null 2>&1
awk 'NR==1{print "fitbench-model 2"; next} /^terms /{n=$2; print "degree 2"; skip=n; next} skip>0{skip--; next} {print}' \
  m3.fbm >v2.fbm
"$fb" -q -c "load model v2.fbm; predict p.csv out=p2.csv" >/dev/null 2>v2err.txt
check "a version 2 file (degree 2) loads and predicts as version 3" cmp -s p3.csv p2.csv

# Undo and record/replay.
"$fb" -q -c "load p.csv; features add age^2; features add sin(age); undo; show features" >undo.txt 2>&1
check "undo takes back features add" grep -qxF '   5  age^2' undo.txt
check "undo: the undone term is gone" test "$(sed -n '/in column order/,$p' undo.txt | grep -c 'sin(age)')" = 0
"$fb" -q -c "record rec.fit; $setup; predict p.csv out=r1.csv" >/dev/null 2>&1
"$fb" -q -c "run rec.fit; predict p.csv out=r2.csv" >/dev/null 2>&1
check "record and replay: the same predictions bit for bit" cmp -s before.csv r2.csv
check "the recording holds the features commands" grep -qF 'features drop age' rec.fit

# A new table: poly degree is made again for its width; terms edited one by one go when the columns differ.
printf 'a,b,c,y\n1,2,3,4\n2,3,4,5\n3,1,2,3\n' >other.csv
out="$("$fb" -q -c "load p.csv; features add age*income; load other.csv; show features" 2>&1)"
check "a table with other columns drops edited terms" grep -qF 'features: 3 (degree 1)' <<<"$out"
out="$("$fb" -q -c "load p.csv; features poly degree=2; load other.csv; show features" 2>&1)"
check "a table with other columns keeps poly degree" grep -qF 'features: 9 (degree 2)' <<<"$out"

# Bad input: a clear error at the word, nothing changed (show features after it lists the inputs).
want_after='   1  age|   2  income|   3  [monthly rent]|   4  [x-ray]|   5  age^2|'
bad() {
  local name="$1" want="$2" cmd="$3" out
  printf '%s\n' "load p.csv" "features add age^2" "$cmd" "show features" >bad.fit
  out="$("$fb" -q --keep-going bad.fit 2>&1)"
  if ! grep -qF -- "$want" <<<"$out"; then
    fail "features bad input: $name" "expected '$want', got: $out"
  elif [ "$(sed -n '/in column order/,$p' <<<"$out" | tail -n +2 | tr '\n' '|')" != "$want_after" ]; then
    fail "features bad input: $name" "the terms changed: $out"
  else
    pass "features bad input: $name"
  fi
}
bad "unknown column" "no column named 'height'" "features add height*age"
bad "unknown position" "no column named 'x4'" "features add x4"
bad "duplicate of a term" "'age*age' is already a feature (column 5)" "features add age*age"
bad "duplicate in one command" "'income*age' is already a feature" "features add age*income income*age"
bad "a constant" "is a constant" "features add age^0"
bad "a number" "is a constant" "features add 2"
bad "a blank name unbracketed" "no column named 'monthly'" "features add \"monthly rent\""
bad "unknown function" "no column named 'tan'" "features add tan(age)"
bad "power too high" "a power must be 0 .. 10" "features add age^11"
bad "drop a term that is not there" "'sin(age)' is not a feature" "features drop sin(age)"
bad "drop twice" "named twice" "features drop age age"
bad "drop everything" "drops every feature" "features drop age income \"[monthly rent]\" [x-ray] age^2"
bad "add with no term" "needs at least one term" "features add"
bad "degree with add" "degree= goes with features poly" "features add income^2 degree=2"
bad "none with a term" "features none takes no terms" "features none age"
bad "unknown word" "unknown feature expansion 'toggle'" "features toggle age"
out="$("$fb" -q -c "gen moons n=40; features add x0*x1 sin(x0); model logistic; loss bce; train 3; plot boundary" 2>&1)"
check "plot boundary with the inputs kept and terms added" grep -q 'decision' <<<"$out"
out="$("$fb" -q -c "gen moons n=40; features add x0*x1; features drop x0; model logistic; loss bce; plot boundary" 2>&1)"
check "plot boundary with an input dropped: a clear error" grep -qF "the features dropped 'x0'" <<<"$out"
out="$("$fb" -q -c "features add x0" 2>&1)"
check "features add with no data: a clear error" grep -q 'no data' <<<"$out"
exit 0
