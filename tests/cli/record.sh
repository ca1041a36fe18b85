#!/usr/bin/env bash
# tests/cli/record.sh FITBENCH — `record` never appends to a script that is being read (under any name), and a
# failed `record PATH` changes nothing: the recording in progress goes on (docs/reliability.md).
# Prints "PASS name" or "FAIL name: why" per case.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t"

# Run fitbench bounded in time and file size: a script recording into itself grows without end.
run() { (ulimit -f 4096; timeout 20 "$fb" "$@"); }

# A hard link to the running script: realpath differs, the file is the same.
printf 'echo one\nrecord link.fit\necho two\n' >self.fit
ln self.fit link.fit
before="$(cat self.fit)"
run --keep-going self.fit >out.txt 2>err.txt; rc=$?
check "hard link: refused (exit 1)" test "$rc" -eq 1
check "hard link: says why" grep -q "self.fit:2:8: error: cannot record to link.fit: it is a script being run" err.txt
check "hard link: the script is unchanged" test "$(cat self.fit)" = "$before"

# Commands read from stdin redirected from a file: recording into that file, by name or as /dev/stdin.
for target in in.fit /dev/stdin; do
  printf 'echo one\nrecord %s\necho two\n' "$target" >in.fit
  before="$(cat in.fit)"
  run --keep-going - <in.fit >out.txt 2>err.txt; rc=$?
  check "stdin from a file, record $target: refused" test "$rc" -eq 1
  check "stdin from a file, record $target: says why" grep -q "cannot record to $target: it is a script being run" err.txt
  check "stdin from a file, record $target: unchanged" test "$(cat in.fit)" = "$before"
done

# A nested script recording into the script that runs it (through a hard link).
printf 'echo outer\nrun inner.fit\necho after\n' >outer.fit
ln outer.fit outer-link.fit
printf 'record outer-link.fit\necho inner\n' >inner.fit
before="$(cat outer.fit)"
run --keep-going outer.fit >out.txt 2>err.txt; rc=$?
check "nested: refused" test "$rc" -eq 1
check "nested: outer script unchanged" test "$(cat outer.fit)" = "$before"

# `run` of a hard link to the running script is the script running itself.
printf 'echo once\nrun again.fit\n' >loop.fit
ln loop.fit again.fit
run loop.fit >out.txt 2>err.txt; rc=$?
check "run a hard link to itself: refused" test "$rc" -eq 1
check "run a hard link to itself: says why" grep -q "loop.fit:2:5: error: again.fit runs itself" err.txt
check "run a hard link to itself: ran once" test "$(grep -c once out.txt)" -eq 1

# A failed `record PATH` leaves the recording in progress running, and says so.
printf 'record good.fit\necho one\nrecord no-such-dir/x.fit\necho two\nrecord self.fit\necho three\nrecord off\necho four\n' >keep.fit
printf 'run keep.fit\n' >self.fit
run --keep-going self.fit >out.txt 2>err.txt; rc=$?
check "failed record: exit 1" test "$rc" -eq 1
check "failed record: says the old one goes on" \
  grep -q "keep.fit:3:8: error: cannot record to no-such-dir/x.fit: No such file or directory (still recording to good.fit)" err.txt
check "refused record: says the old one goes on" \
  grep -q "keep.fit:5:8: error: cannot record to self.fit: it is a script being run (still recording to good.fit)" err.txt
check "failed record: the recording went on" test "$(grep -c '^echo' good.fit)" -eq 3
check "failed record: two, three recorded; four not" \
  bash -c 'grep -qx "echo two" good.fit && grep -qx "echo three" good.fit && ! grep -q four good.fit'
check "refused record made no file" test ! -e no-such-dir

# Recording to an ordinary file still works, appending.
printf 'echo old\n' >rec.fit
run -c 'record rec.fit; echo new; record off' >out.txt 2>err.txt; rc=$?
check "ordinary record: exit 0" test "$rc" -eq 0
check "ordinary record: appended" test "$(cat rec.fit)" = "$(printf 'echo old\necho new')"
