#!/usr/bin/env bash
# tests/cli/bad_inputs.sh FITBENCH — the catalogue of bad inputs (tests/bad/run.sh), then what the catalogue's
# format cannot express: a read-only folder, a full file system, and the old file kept byte-identical.
# Prints "PASS name" / "FAIL name: why".
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
mnt=""
unmount() {
  chattr -i "$t/ro" 2>/dev/null
  [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
}
cli_setup "$1" unmount
bash "$root/tests/bad/run.sh" "$fb"

export OPENBLAS_NUM_THREADS=1
cd "$t"

# Every kind of file, into a folder where nothing can be created: each save fails with one located error,
# exit 1, and the old files stay byte-identical.  As root chmod does not stop writes, so use chattr +i
# (immutable folder) or a read-only tmpfs; as another user chmod a-w is enough.
mkdir ro
for f in m.fbm h.csv p.svg s.fit; do printf 'old %s\n' "$f" >"ro/$f"; done
mkdir ro/w && printf 'old W\n' >ro/w/W.npy
cp -r ro orig
how=""
if [ "$(id -u)" -ne 0 ]; then chmod a-w ro ro/w && how="chmod"
elif chattr +i ro 2>/dev/null && chattr +i ro/w 2>/dev/null && ! touch ro/probe 2>/dev/null; then how="chattr"
else
  chattr -i ro ro/w 2>/dev/null
  mkdir rofs && mount -t tmpfs -o size=1m tmpfs rofs 2>/dev/null && mnt="$t/rofs" && cp -r ro/. rofs/ &&
    mount -o remount,ro rofs 2>/dev/null && rm -rf ro && ln -s rofs ro && how="read-only tmpfs"
fi
if [ -z "$how" ]; then
  pass "read-only folder (skipped: no way to make one here)"
else
  for kind in "model m.fbm" "history h.csv" "plot p.svg" "session s.fit" "weights w"; do
    set -- $kind
    printf 'gen linear n=20 d=2 seed=1\nmodel linear\nstep 2\nsave %s ro/%s\nexpect epoch == 2\n' "$1" "$2" >c.fit
    "$fb" --keep-going c.fit >out.txt 2>err.txt; rc=$?
    n="$(wc -l <err.txt)"
    if [ "$rc" -ne 1 ] || [ "$n" -ne 1 ] || ! grep -qE "^c.fit:4:[0-9]+: error: cannot (write|create) .*ro/$2" err.txt; then
      fail "read-only folder: save $1 ($how)" "exit $rc, stderr: $(head -c 300 err.txt)"
    elif ! diff -r orig ro >/dev/null 2>&1; then
      fail "read-only folder: save $1 ($how)" "the folder changed: $(diff -r orig ro 2>&1 | head -3 | tr '\n' ' ')"
    else
      pass "read-only folder: save $1 ($how): $(cut -d' ' -f3- err.txt)"
    fi
  done
  printf 'record ro/r.fit\n' >c.fit
  "$fb" c.fit >out.txt 2>err.txt; rc=$?
  if [ "$rc" -eq 1 ] && grep -qE '^c.fit:1:8: error: cannot record to ro/r.fit: ' err.txt; then pass "read-only folder: record"
  else fail "read-only folder: record" "exit $rc, stderr: $(head -c 300 err.txt)"; fi
  chattr -i ro ro/w 2>/dev/null
fi

# A real full file system (a 64 KiB tmpfs), not just RLIMIT_FSIZE: the old model survives a save that runs out of
# space, and no temporary file is left behind.
if mkdir full && mount -t tmpfs -o size=64k tmpfs full 2>/dev/null; then
  [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
  mnt="$t/full"
  printf 'the old model\n' >full/m.fbm && cp full/m.fbm old.fbm
  head -c 100000 /dev/zero >full/filler 2>/dev/null # fill what is left
  printf 'gen linear n=20 d=300 seed=1\nmodel linear\nsave model full/m.fbm\nexpect d == 300\n' >c.fit
  "$fb" --keep-going c.fit >out.txt 2>err.txt; rc=$?
  if [ "$rc" -eq 1 ] && [ "$(wc -l <err.txt)" -eq 1 ] &&
      grep -qx 'c.fit:3:12: error: cannot write full/m.fbm: No space left on device' err.txt &&
      cmp -s full/m.fbm old.fbm && ! ls full | grep -q '\.tmp\.'; then
    pass "full file system keeps the old model"
  else
    fail "full file system keeps the old model" "exit $rc, stderr: $(head -c 300 err.txt), files: $(ls full | tr '\n' ' ')"
  fi
else
  pass "full file system (skipped: cannot mount a tmpfs here; tests/bad/write-full-disk-* use RLIMIT_FSIZE)"
fi

# Real-world CSVs that must load, through the command line (quotes as typed, the locale of a German desktop), and
# what they must show.  The catalogue above has their bad neighbours (csv-thousands-separator, csv-gzip-*, ...).
mkdir -p real && cd real
printf 'x1;x2;y\n-0,388;1,5;2\n0,25;-3;4,75\n1;2;3\n' >eu.csv
printf '\xef\xbb\xbfheight cm,"note, free text",a b,y\n1,x,5,2\n3,z,6,5\n4,x,7,4\n' >q.csv
printf 'a,,x1,y\n1,2,3,4\n5,6,7,9\n' >empty-header.csv
printf 'p\xc2\x9bq,r\x9bs,y\n1,2,3\n4,5,6\n' >c1.csv
gzip -c eu.csv >eu.csv.gz
real() { # name, commands, grep patterns that must all be in stdout
  local name="$1" cmds="$2" ok=1 p; shift 2
  "$fb" -c "$cmds" >out.txt 2>err.txt; rc=$?
  for p in "$@"; do grep -q -- "$p" out.txt || ok=0; done
  if [ "$rc" -eq 0 ] && [ ! -s err.txt ] && [ "$ok" -eq 1 ]; then pass "real CSV: $name"
  else fail "real CSV: $name" "exit $rc, stderr: $(head -c 300 err.txt), stdout: $(head -c 300 out.txt | tr '\n' '|')"; fi
}
real "decimal comma detected with ';'" 'load eu.csv; show data' '^eu.csv: 3 rows, 2 features' 'x1  *0.287333  *0.567263  *-0.388  *1$'
real "decimal=, given" 'load eu.csv sep=";" decimal=,; show data' 'y (target)  *3.25 '
loc="$(locale -a 2>/dev/null | grep -i -m1 '^de_DE\.utf-\?8$')"
if [ -n "$loc" ]; then
  LC_ALL="$loc" real "decimal comma under LC_ALL=$loc" 'load eu.csv; show data' 'x1  *0.287333  *0.567263  *-0.388  *1$'
else
  pass "real CSV: de_DE locale (skipped: no de_DE.UTF-8 locale; scripts/test generates one)"
fi
real "gzip" 'load eu.csv.gz; show data' '^eu.csv.gz: 3 rows, 2 features' 'y (target)  *3.25 '
real 'drop="note, free text" (BOM, blanks in names)' 'load q.csv drop="note, free text"; show data' '^q.csv: 3 rows, 2 features' '^height cm  ' '^a b  '
real "target='a b' onehot=1 (an index)" "load q.csv target='a b' onehot=1; show data" '^q.csv: 3 rows, 4 features' '^a b (target)' '^note, free text=z  '
# A name longer than 16 columns widens the table: every row's numbers end where the header's do (the rows of a
# target named "a long target name" were pushed out of line).
printf 'a long input name,a long target name\n1,2\n3,5\n' >long.csv
"$fb" -c 'load long.csv; show data' >out.txt 2>&1
ends="$(awk '/^column / {h = 1} h && NF >= 5 {print length($0)}' out.txt | sort -u | tr '\n' ' ')"
[ "$(wc -w <<<"$ends")" -eq 1 ] && pass "real CSV: long names keep show data's columns in line" ||
  fail "real CSV: long names keep show data's columns in line" "line lengths $ends"
real "an empty header cell next to x1" 'load empty-header.csv; show data' '^empty-header.csv: 2 rows, 3 features' '^x1_2  ' '^x1  '
"$fb" -c 'load c1.csv; show data' >out.txt 2>err.txt
if grep -q 'p\\u009bq' out.txt && grep -q 'r\\x9bs' out.txt && ! LC_ALL=C grep -qP '\x9b' out.txt; then
  pass "real CSV: C1 controls in names shown escaped"
else
  fail "real CSV: C1 controls in names shown escaped" "$(od -c out.txt | head -5 | tr '\n' '|')"
fi
cd ..
