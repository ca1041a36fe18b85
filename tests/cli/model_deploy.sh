#!/usr/bin/env bash
# tests/cli/model_deploy.sh FITBENCH — a saved model is a deployable artefact (issue 12 item 3, issue 13):
# trained on a CSV with a text class column, a one-hot column, missing values, scaling and poly features,
# then a NEW process with no data loaded predicts raw rows bit for bit as the training process did; bad
# input is refused with a clear message and changes nothing; the model/weights file findings of issue 13.
# Prints "PASS name" or "FAIL name: why" per case.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t"

cat >train.csv <<'CSV'
id,x1,city,x2,species
1,1.5,Paris,2.0,cat
2,2.5,Rome,,dog
3,,Paris,3.5,cat
4,4.0,Lyon,1.0,bird
5,3.0,,2.5,dog
6,0.5,Rome,0.5,bird
7,2.0,Lyon,4.0,cat
8,3.5,Paris,1.5,dog
9,1.0,Rome,3.0,bird
10,2.2,Lyon,2.2,cat
11,2.7,"Rome",3.1,dog
12,0.7,Paris,NA,bird
CSV
# Raw rows as in the original CSV: a header, missing cells, quoted text, one row without a target.
cat >new.csv <<'CSV'
id,x1,city,x2,species
21,1.25,Lyon,2.75,cat
22,,Rome,0.25,dog
23,3.75,"Paris",,bird
24,2.5,,1.5,
CSV
# The same rows without the header and without the target column.
printf '21,1.25,Lyon,2.75\n22,,Rome,0.25\n23,3.75,Paris,\n24,2.5,,1.5\n' >bare.csv
setup='load train.csv target=species drop=id onehot=city missing=mean; split test=0.25 seed=3; scale standard; features poly degree=2; model softmax; optim adam lr=0.05; train 25'
row='22,,Rome,0.25'

"$fb" -q -c "$setup; set precision=17; predict new.csv out=before.csv; predict $row; predict $row,dog; save model m.fbm" >before.txt 2>err.txt
check "train and save" test -s m.fbm
check "model file is version 3" grep -qx 'fitbench-model 3' m.fbm
check "load says which rows the mean fills came from" grep -qx 'missing cells hold the column means of all 12 rows, computed before any split' before.txt
grep -E '^ +row |^ +[0-9]+  |\(p:' before.txt >before.rows

"$fb" -q -c "load model m.fbm; set precision=17; predict new.csv out=after.csv; predict $row; predict $row,dog" >after.txt 2>err.txt
check "new process, no data: load model and predict" test "$?" -eq 0
grep -E '^ +row |^ +[0-9]+  |\(p:' after.txt >after.rows
check "raw CSV predictions bit-identical in a new process" cmp -s before.csv after.csv
check "command-line row bit-identical in a new process" bash -c "test \$(wc -l <after.rows) -eq 7 && cmp -s before.rows after.rows"
check "output names the class and gives probabilities" grep -qx 'species,predicted_species,p_bird,p_cat,p_dog' after.csv
check "row without a target keeps an empty target" grep -q '^,[a-z]*,' after.csv
check "probabilities sum to 1" awk -F, 'NR>1 { s=$3+$4+$5; if (s<0.999999999 || s>1.000000001) bad=1 } END { exit bad }' after.csv
check "command-line row names the class" grep -Eq '^(bird|cat|dog)  \(p: bird=' after.rows
check "command-line row with its target" grep -q 'target dog$' after.rows

# Without header and target: the same predictions (the probability columns).
"$fb" -q -c "load model m.fbm; predict bare.csv out=bare_out.csv" >/dev/null 2>&1
check "rows without header or target" cmp -s <(cut -d, -f2- after.csv | tail -n +2) <(tail -n +2 bare_out.csv)

# predict out= on a split names the class and gives probabilities (it wrote raw logits before).
"$fb" -q -c "$setup; predict test out=split.csv" >/dev/null 2>&1
check "split predictions name the class with probabilities" grep -qx 'species,predicted_species,p_bird,p_cat,p_dog' split.csv
check "split predictions hold class names" bash -c "tail -n +2 split.csv | cut -d, -f1,2 | grep -Eqx '(bird|cat|dog),(bird|cat|dog)'"

# Loading over the same data keeps the model's own statistics: the same raw predictions.
"$fb" -q -c "load train.csv target=species drop=id onehot=city missing=mean; split test=0.5 seed=9; load model m.fbm; set precision=17; predict new.csv out=over.csv" >/dev/null 2>err.txt
check "load model over data keeps the model's statistics" cmp -s before.csv over.csv

# A second save of the loaded model writes the same file.
"$fb" -q -c "load model m.fbm; save model m2.fbm" >/dev/null 2>&1
check "loaded model saves back identically" cmp -s m.fbm m2.fbm

# Bad input: a clear error, nothing changed.
expect_err() { # name, expected-substring, commands
  local name="$1" want="$2"; shift 2
  "$fb" -c "$1" >out.txt 2>err.txt; local rc=$?
  if [ "$rc" -eq 1 ] && grep -qF -- "$want" err.txt; then pass "$name"; else fail "$name" "rc=$rc: $(cat err.txt)"; fi
}
expect_err "wrong number of values" "a row has 3 values; the model reads 5 (id,x1,city,x2,species) or 4 without the target (id,x1,city,x2)" \
  "load model m.fbm; predict 1,2,3"
expect_err "unknown category" "column 'city': unknown value 'Berlin' (the model knows 'Lyon', 'Paris', 'Rome')" \
  "load model m.fbm; predict 1,2,Berlin,3"
expect_err "unknown class" "column 'species': unknown class 'fish' (the model knows 'bird', 'cat', 'dog')" \
  "load model m.fbm; predict 1,2,Rome,3,fish"
expect_err "not a number" "column 'x1': 'abc' is not a number" "load model m.fbm; predict 1,abc,Rome,3"
printf 'id,x1,city,x2\n1,2,Rome,3\n2,1,Oslo,2\n' >oslo.csv
expect_err "unknown category in a file names the row" "oslo.csv: row 3: column 'city': unknown value 'Oslo'" \
  "load model m.fbm; predict oslo.csv out=o.csv"
check "a failed predict writes no file" test ! -e o.csv
printf 'a,b,species\n1,2,cat\n3,4,dog\n5,6,cat\n' >other.csv
expect_err "model for other columns" "m.fbm was made for 5 feature columns; the data has 2" \
  "load other.csv; model linear; load model m.fbm"
"$fb" -c "load other.csv; model logistic; load model m.fbm; expect W[0,0] == 0" --keep-going >out.txt 2>err.txt
check "model for other columns changes nothing" bash -c "! grep -q 'expect failed' err.txt && grep -q 'nothing changed' err.txt"
printf 'id,x1,city,x2,species\n1,1,Paris,2,cat\n2,2,Rome,3,dog\n3,3,Lyon,1,cat\n' >twoclass.csv
expect_err "data with other classes" "m.fbm knows 3 classes" \
  "load twoclass.csv target=species drop=id onehot=city; load model m.fbm"

# Issue 13: a model wider than 100,000 features saves and loads back.
awk 'BEGIN { for (r = 0; r < 3; r++) { s = ""; for (j = 0; j < 100001; j++) s = s (j ? "," : "") ((r * 7 + j) % 5); print s "," r } }' >wide.csv
"$fb" -q -c "load wide.csv header=no; model linear; step 1; save model wide.fbm; load model wide.fbm" >out.txt 2>err.txt
check "a 100001-feature model loads back" test "$?" -eq 0

# Issue 13: non-finite parameters in a model file are refused at load, naming the line.
sed '/^params /{n;s/.*/nan/}' m.fbm >nan.fbm
expect_err "NaN parameter refused at load" "parameter 1 of" "load model nan.fbm"
expect_err "NaN parameter message" "finite numbers only" "load model nan.fbm"

# Issue 13: save weights is all or nothing when a later file cannot be replaced.
"$fb" -q -c "gen linear n=20 d=2 seed=1; model linear; step 2; save weights w" >/dev/null 2>&1
cp w/W.npy W.orig
rm w/b.npy && mkdir -p w/b.npy/keep
"$fb" -q -c "gen linear n=20 d=2 seed=1; model linear; step 5; save weights w" >out.txt 2>err.txt
check "save weights fails when b.npy cannot be replaced" grep -q "nothing saved" err.txt
check "save weights left W.npy as it was" cmp -s w/W.npy W.orig
check "save weights left no staging folder" bash -c "! ls -A w | grep -q saving"

# Issue 13: non-finite .npy weights are refused at load; 0-d/1-d shapes are described right.
"$fb" -q -c "gen linear n=20 d=2 seed=1; model linear; step 2; save weights v" >/dev/null 2>&1
python_free_nan() { # overwrite the last 8 bytes (the last weight) of $1 with a little-endian NaN
  printf '\x00\x00\x00\x00\x00\x00\xf8\x7f' | dd of="$1" bs=1 seek=$(($(stat -c %s "$1") - 8)) conv=notrunc status=none
}
python_free_nan v/W.npy
expect_err "NaN weight refused at load" "v/W.npy holds NaN at index 1: weights must be finite numbers" \
  "gen linear n=20 d=2 seed=1; model linear; load weights v"
"$fb" -q -c "gen linear n=20 d=1 seed=1; model linear; step 2; save weights one" >/dev/null 2>&1
cp one/b.npy v/W.npy
expect_err "1-d W shape message" "v/W.npy has shape (1,) (1 dimension), the model needs (1, 2)" \
  "gen linear n=20 d=2 seed=1; model linear; load weights v"

# A European CSV (';' and decimal commas) and its gzip: the model file keeps the decimal mark, so a new process
# reads the raw rows as load did; a .csv.gz is read as load reads it.
printf 'x1;x2;y\n-0,388;1,5;2,25\n1,25;-0,5;0,75\n2,5;0,25;3,5\n0,125;2;1,0\n3;1,75;4,5\n-1,5;0,5;0,25\n' >eu.csv
printf 'x1;x2;y\n0,75;1,25;1\n-2,5;0,5;2\n' >eu_new.csv
gzip -c eu_new.csv >eu_new.csv.gz
"$fb" -q -c "load eu.csv; scale standard; model linear; solve; set precision=17; predict eu_new.csv out=eu_before.csv; save model eu.fbm" >/dev/null 2>err.txt
check "decimal comma: the model file says so" grep -qx 'decimal comma' eu.fbm
"$fb" -q -c "load model eu.fbm; predict eu_new.csv out=eu_after.csv; predict eu_new.csv.gz out=eu_gz.csv; predict '0,75;1,25'" >eu_row.txt 2>err.txt
check "decimal comma: a new process predicts the raw rows bit for bit" cmp -s eu_before.csv eu_after.csv
check "decimal comma: a gzip file predicts as the plain one" cmp -s eu_after.csv eu_gz.csv
check "decimal comma: a command-line row with decimal commas" bash -c "test -s eu_row.txt && ! grep -q error err.txt"
