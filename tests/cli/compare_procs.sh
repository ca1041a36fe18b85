#!/usr/bin/env bash
# tests/cli/compare_procs.sh FITBENCH — compare's runs train in child processes (two at a time here): none outlives
# fitbench when it is killed, a run whose process dies fails the command with its name and the signal and leaves the
# session as it was, and Ctrl-C (SIGINT to the whole process group, as a terminal sends it) stops every run.
# Prints "PASS compare_procs ..." / "FAIL compare_procs ...".
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t" || exit 1
setup='set threads=2; gen spiral n=2000 seed=1; model mlp hidden=16; optim adam lr=0.01; batch 16'

# watchdog PID: kill PID after 60 s should it still run (a test never hangs).
watchdog() { ( sleep 60; kill -KILL "$1" 2>/dev/null ) >/dev/null 2>&1 & }
# children PID: the pids of PID's child processes (fitbench's training runs), one per line.
children() { pgrep -P "$1" 2>/dev/null; }
# wait_children PID N: up to 10 s for PID to have N children.
wait_children() {
  local i
  for i in $(seq 100); do [ "$(children "$1" | wc -l)" -ge "$2" ] && return 0; sleep 0.1; done
  return 1
}
# gone PIDS...: up to 2 s for every one of PIDS to have ended (a zombie counts as ended).
gone() {
  local i p left
  for i in $(seq 20); do
    left=0
    for p in "$@"; do
      [ -r "/proc/$p/stat" ] && [ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ] && left=1
    done
    [ "$left" = 0 ] && return 0
    sleep 0.1
  done
  return 1
}

# 1. SIGTERM to fitbench while two runs train: both runs' processes end with it.
"$fb" -q -c "$setup; compare lr=0.001,0.01,0.1 epochs=10000000" >term.out 2>&1 &
pid=$!
watchdog "$pid"
if wait_children "$pid" 2; then
  kids=$(children "$pid" | tr '\n' ' ')
  kill -TERM "$pid"
  wait "$pid"; st=$?
  check "compare_procs: SIGTERM ends fitbench (status 143)" test "$st" = 143
  # shellcheck disable=SC2086
  check "compare_procs: no run's process outlives fitbench" gone $kids
else
  fail "compare_procs: two runs in processes" "fitbench $pid had $(children "$pid" | wc -l) children after 10 s"
  kill -KILL "$pid" 2>/dev/null
fi

# 2. A run's process killed: the command fails naming the run and the signal; the session is as before.
printf '%s\n' "$setup" 'compare lr=0.001,0.01 epochs=10000000' 'expect epoch == 0' 'echo still here' >kill.fit
"$fb" -q --keep-going kill.fit >kill.out 2>&1 &
pid=$!
watchdog "$pid"
if wait_children "$pid" 2; then
  kill -KILL "$(children "$pid" | head -1)"
  wait "$pid"
  check "compare_procs: a killed run fails the command, named with its signal" \
    grep -qE "compare: the process training lr=0\.0(01|1) ended before the run did \(signal 9\)" kill.out
  check "compare_procs: after a killed run the session is as before" \
    bash -c "grep -q 'still here' kill.out && ! grep -q 'expect failed' kill.out"
else
  fail "compare_procs: two runs in processes (kill)" "no children"
  kill -KILL "$pid" 2>/dev/null
fi

# 3. Ctrl-C: SIGINT to fitbench's process group stops every run; no run finished, so nothing is kept.
set -m
"$fb" -q -c "$setup; compare lr=0.001,0.01,0.1 epochs=10000000" >int.out 2>&1 &
pid=$!
set +m
watchdog "$pid"
if wait_children "$pid" 2; then
  kids=$(children "$pid" | tr '\n' ' ')
  kill -INT -- "-$pid"
  wait "$pid"
  check "compare_procs: Ctrl-C stops every run, nothing kept" grep -q "interrupted before any run finished; nothing kept" int.out
  # shellcheck disable=SC2086
  check "compare_procs: Ctrl-C leaves no run's process" gone $kids
else
  fail "compare_procs: two runs in processes (Ctrl-C)" "no children"
  kill -KILL "$pid" 2>/dev/null
fi
