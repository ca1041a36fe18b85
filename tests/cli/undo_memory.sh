#!/usr/bin/env bash
# tests/cli/undo_memory.sh FITBENCH — undo snapshots share the training history (docs/reliability.md, "Undo memory").
# Issue 13: after `train 2000000`, twenty `optim` commands took fitbench from 115 MB to 2.3 GB (each snapshot copied
# the 2,000,001 history rows), and under `ulimit -v` every state-changing command then failed.
#   1. peak memory (max RSS, /usr/bin/time) of a long training with and without twenty state-changing commands
#      and ten optim/train/undo/train rounds after it: the second may use at most 10% + 8 MB more;
#   2. (release build) the issue's run under `ulimit -v`: train 2000000, twenty optim commands, twenty undos,
#      all succeed.  A sanitizer build cannot start under `ulimit -v` (ASan maps terabytes of shadow memory), so
#      there only check 1 runs, on a shorter training (ASan is ~10x slower).
# Prints "PASS undo_memory: ..." / "FAIL undo_memory: ...".
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
pass() { echo "PASS undo_memory: $1 (on $fb)"; }
fail() { echo "FAIL undo_memory: $1 (on $fb)"; }

san=0
if grep -aq __asan_init "$fb" 2>/dev/null || ldd "$fb" 2>/dev/null | grep -q libasan; then san=1; fi
epochs=2000000
[ "$san" -eq 1 ] && epochs=200000
base="gen linear n=20 seed=1; model linear; optim sgd lr=0.01; train $epochs"
more="$base"
for i in $(seq 1 20); do more="$more; optim sgd lr=0.0$((i % 9 + 1))"; done
for i in $(seq 1 10); do more="$more; optim sgd lr=0.01; train 1; undo; train 1"; done
more="$more; expect epoch == $((epochs + 10))"

if [ ! -x /usr/bin/time ]; then
  fail "/usr/bin/time is missing (Debian package time; scripts/test installs it)"
else
  ok=1
  for v in base more; do
    if ! /usr/bin/time -f '%M' -o "$t/$v.kb" timeout -k 2 600 "$fb" -q -c "${!v}" >"$t/$v.out" 2>"$t/$v.err"; then
      fail "$v run failed: $(tail -c 300 "$t/$v.err")"
      ok=0
    fi
  done
  if [ "$ok" -eq 1 ]; then
    a=$(tail -1 "$t/base.kb") b=$(tail -1 "$t/more.kb")
    if [ "$b" -le $((a + a / 10 + 8192)) ]; then
      pass "train $epochs: max RSS $a KB; with 30 snapshots and 10 undo rounds after it $b KB"
    else
      fail "train $epochs: max RSS $a KB, but $b KB with 30 snapshots and 10 undo rounds after it"
    fi
  fi
fi

if [ "$san" -eq 0 ]; then
  # The issue's run.  2,000,001 rows are 112 MB; the old copies needed 20 x 112 MB more.
  cmds="$base"
  for i in $(seq 1 20); do cmds="$cmds; optim sgd lr=0.0$((i % 9 + 1))"; done
  for i in $(seq 1 20); do cmds="$cmds; undo"; done
  cmds="$cmds; expect epoch == $epochs; optim sgd lr=0.05; train 1; expect epoch == $((epochs + 1))"
  (ulimit -v 900000; timeout -k 2 600 "$fb" -q -c "$cmds" >"$t/u.out" 2>"$t/u.err")
  rc=$?
  if [ "$rc" -eq 0 ] && [ ! -s "$t/u.err" ]; then
    pass "ulimit -v 900000: train $epochs, 20 optim, 20 undo, train 1"
  else
    fail "ulimit -v 900000: exit $rc: $(tail -c 300 "$t/u.err")"
  fi
fi
