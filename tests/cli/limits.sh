#!/usr/bin/env bash
# tests/cli/limits.sh FITBENCH — OpenBLAS under a memory limit: a clear error, never a hang.
# OpenBLAS maps a 128 MiB work buffer per thread and, when it cannot, retries forever; fitbench checks the room
# first (src/math/blas.c, blas.h).  Every run has a time limit: a hang is a FAIL, not a stuck suite.
# Prints "PASS limits: ..." / "FAIL limits: ...", each naming the binary it ran on.
#
# A sanitizer build cannot start under `ulimit -v` at all (ASan maps terabytes of shadow memory first), so with
# one only the last check runs: it lowers the limit of a running fitbench with prlimit, which is also the one
# path of the check the ulimit runs cannot reach (solve's own check, when start-up had no limit).
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
pid=""
stop_child() {
  exec 3>&- 2>/dev/null
  [ -n "$pid" ] && kill "$pid" 2>/dev/null
}
cli_setup "$1" stop_child
pass() { echo "PASS limits: $1 (on $fb)"; }
fail() { echo "FAIL limits: $1 (on $fb)"; }

san=0
if grep -aq __asan_init "$fb" 2>/dev/null || ldd "$fb" 2>/dev/null | grep -q libasan; then san=1; fi
cmds='gen linear n=1000 d=5; model linear; solve'
train='gen linear n=1000 d=5; model mlp hidden=16; train 2; model linear; solve'
# Big enough for a training crew at 2 threads (src/learn/train_crew.c), whose second thread would map a buffer of its own.
crew='gen linear n=5000 d=5; model mlp hidden=64,64; batch 64; train 2'

# run NAME SECONDS ULIMIT_ARGS ENV -- fitbench args: output in $t/out, $t/err, status in $rc, time in $secs.
run() {
  local lim="$1" secs_max="$2" envs="$3"; shift 3
  local t0 t1
  t0=$(date +%s.%N)
  (ulimit $lim; env $envs timeout -k 2 "$secs_max" "$fb" -q "$@" >"$t/out" 2>"$t/err")
  rc=$?
  t1=$(date +%s.%N)
  secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
}

# check_works NAME PATTERN: exit 0, PATTERN on stdout, nothing on stderr, no hang.
check_works() {
  if [ "$rc" -eq 0 ] && grep -q "$2" "$t/out" && [ ! -s "$t/err" ]; then
    pass "$1, ${secs}s"
  else
    fail "$1: exit $rc in ${secs}s: $(head -c 300 "$t/err")"
  fi
}

# check NAME WANT_RC PATTERN: one error line on stderr matching PATTERN, exit WANT_RC, no hang.
check_error() {
  local name="$1" pattern="$2"
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then fail "$name: hung (killed after ${secs}s)"; return 1; fi
  if [ "$rc" -ne 1 ]; then fail "$name: exit $rc, want 1: $(head -c 300 "$t/err")"; return 1; fi
  if [ "$(wc -l <"$t/err")" -ne 1 ] || ! grep -qE "$pattern" "$t/err"; then
    fail "$name: want one line matching '$pattern', got: $(head -c 400 "$t/err")"; return 1
  fi
  pass "$name: exit 1 in ${secs}s: $(cat "$t/err")"
}

if [ "$san" -eq 1 ]; then
  echo "limits: $fb is a sanitizer build, which no ulimit -v lets start: only the prlimit check runs on it"
else
  # The reported hang: under 150 MB, with OpenBLAS's own thread count, and with one and two threads.
  for th in default 1 2; do
    envs=""; [ "$th" = default ] || envs="OPENBLAS_NUM_THREADS=$th"
    run "-v 150000" 10 "$envs" -c "$cmds"
    check_error "ulimit -v 150000, OPENBLAS_NUM_THREADS=$th" \
      '^fitbench: error: not enough memory for OpenBLAS: its work buffers? needs? .*128 MiB.* the limit \(ulimit -v 150000\) leaves [0-9.]+ MiB; raise it to ulimit -v [0-9]+ or more'
  done

  # The figure named is right: at it, solving and training (dgemm on every thread) work; just below, the error.
  for th in 1 2; do
    run "-v 100000" 10 "OPENBLAS_NUM_THREADS=$th" -c "$cmds"
    need="$(grep -oE 'raise it to ulimit -v [0-9]+' "$t/err" | grep -oE '[0-9]+$')"
    if [ -z "$need" ]; then fail "OPENBLAS_NUM_THREADS=$th: no figure in: $(cat "$t/err")"; continue; fi
    run "-v $need" 20 "OPENBLAS_NUM_THREADS=$th" -c "$train"
    check_works "ulimit -v $need (the figure named for OPENBLAS_NUM_THREADS=$th): train and solve work" \
      'solved least squares'
    run "-v $((need - 1000))" 10 "OPENBLAS_NUM_THREADS=$th" -c "$train"
    check_error "ulimit -v $((need - 1000)), OPENBLAS_NUM_THREADS=$th" "raise it to ulimit -v [0-9]+ or more"
    # 20 MB above the figure (the bigger data's room) but 130 MiB short of a crew thread's buffer: the crew is
    # left out and training goes on without it, never waiting for a buffer that cannot be mapped.
    run "-v $((need + 20000))" 20 "OPENBLAS_NUM_THREADS=$th" -c "$crew"
    check_works "ulimit -v $((need + 20000)), OPENBLAS_NUM_THREADS=$th: an MLP the size of a crew's trains" 'epoch 2'
  done

  # A crew whose members' own buffers (batch 8000: 4000 rows each) take the room its second thread's BLAS buffer
  # would need: across these limits it trains with or without the crew, never waiting on a buffer.
  big_batch='gen blobs n=16000 d=100 classes=10 seed=1; model mlp hidden=128; loss ce; batch 8000; train 2'
  for lim in 420000 480000 520000 560000 600000; do
    run "-v $lim" 20 "OPENBLAS_NUM_THREADS=2" -c "$big_batch"
    if [ "$rc" -eq 0 ] && grep -q 'epoch 2' "$t/out"; then
      pass "ulimit -v $lim, 2 threads, batch 8000: trains, ${secs}s"
    elif [ "$rc" -eq 1 ] && [ "$(wc -l <"$t/err")" -eq 1 ]; then
      pass "ulimit -v $lim, 2 threads, batch 8000: one clear error in ${secs}s: $(cat "$t/err")"
    else
      fail "ulimit -v $lim, 2 threads, batch 8000: exit $rc in ${secs}s: $(head -c 300 "$t/err")"
    fi
  done

  # Room at start-up, but the data takes it before the first BLAS call (an MLP's first forward pass; a linear
  # model's eval): refused when the model is built, with the figure that would do; at that figure it builds and
  # trains (what comes after, like eval's predictions, may need more memory: that is an ordinary error).
  big='gen linear n=600000 d=20'
  for m in 'model mlp hidden=8' 'model linear'; do
    run "-v 250000" 10 "OPENBLAS_NUM_THREADS=1" -c "$big; $m; train 1; eval"
    check_error "data first, then $m, ulimit -v 250000" \
      '^-c:1:27: error: not enough memory for OpenBLAS: its work buffer needs 128 MiB, but the limit \(ulimit -v 250000\) leaves [0-9.]+ MiB; raise it to ulimit -v [0-9]+ or more$'
    need="$(grep -oE 'raise it to ulimit -v [0-9]+' "$t/err" | grep -oE '[0-9]+$')"
    [ -n "$need" ] || continue
    run "-v $need" 20 "OPENBLAS_NUM_THREADS=1" -c "$big; $m; train 1"
    check_works "data first, then $m, at the figure named (ulimit -v $need): builds and trains" '^1 epoch in'
  done

  # The data-segment limit stops the same mappings.
  run "-d 100000" 10 "OPENBLAS_NUM_THREADS=1" -c "$cmds"
  check_error "ulimit -d 100000" 'not enough memory for OpenBLAS: .*\(ulimit -d 100000\) leaves'

  # More threads than the limit leaves room for: refused before OpenBLAS starts them.
  run "-v 100000" 10 "OPENBLAS_NUM_THREADS=1" -c "$cmds"
  one="$(grep -oE 'raise it to ulimit -v [0-9]+' "$t/err" | grep -oE '[0-9]+$')"
  run "-v ${one:-200000}" 10 "OPENBLAS_NUM_THREADS=1" --threads 3 -c "$cmds"
  check_error "--threads 3 under ulimit -v ${one:-200000}" \
    '^fitbench: error: not enough memory for 3 BLAS threads: OpenBLAS would start 2 more'
  # The same from a session: `set threads=3` fails at its line, with one clear error and no hang.
  run "-v ${one:-200000}" 10 "OPENBLAS_NUM_THREADS=1" -c "set seed=5 threads=3"
  check_error "set threads=3 under ulimit -v ${one:-200000}" \
    'error: not enough memory for 3 BLAS threads: OpenBLAS would start 2 more'
fi

# The limit lowered while fitbench runs (prlimit): start-up saw none, so solve's own check must catch it; the
# next solve, with the limit lifted again, works.  Commands come through a FIFO, so each step waits for the last.
if ! command -v prlimit >/dev/null; then
  fail "prlimit is missing (Debian package util-linux)"
  exit 0
fi
mkfifo "$t/in"
"$fb" -q --keep-going - <"$t/in" >"$t/out" 2>"$t/err" &
pid=$!
exec 3>"$t/in"
echo 'gen linear n=1000 d=5' >&3
echo 'model linear' >&3
# Wait (at most 60 s) until it reads its input: past start-up, and past the two commands.
ready=0
for _ in $(seq 600); do
  if read -r nr arg _ <"/proc/$pid/syscall" 2>/dev/null && [ "$nr" = 0 ] && [ "$arg" = 0x0 ]; then ready=1; break; fi
  sleep 0.1
done
if [ "$ready" -eq 0 ]; then
  fail "prlimit: fitbench never came to read its input"
  exit 0
fi
vm="$(awk '/^VmSize/ { print $2 }' "/proc/$pid/status")"
soft=$(((vm + 65536) * 1024)) # 64 MiB of room: the buffer needs 128
prlimit --pid "$pid" --as="$soft:unlimited"
echo solve >&3
got=0
for _ in $(seq 300); do
  grep -q error "$t/err" && { got=1; break; }
  sleep 0.1
done
prlimit --pid "$pid" --as=unlimited:unlimited
echo solve >&3
exec 3>&-
for _ in $(seq 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$pid" 2>/dev/null; then
  fail "limit lowered after start (prlimit --as=$soft): hung"
  exit 0
fi
wait "$pid"
rc=$?
pid=""
want='^<stdin>:3:1: error: solve: not enough memory for OpenBLAS: its work buffer needs 128 MiB, but the limit \(ulimit -v [0-9]+\) leaves [0-9.]+ MiB; raise it to ulimit -v [0-9]+ or more$'
if [ "$got" -eq 0 ]; then
  fail "limit lowered after start (prlimit): no error within 30 s of solve (OpenBLAS retrying its mapping: a hang, until the limit was lifted)"
elif [ "$rc" -eq 1 ] && [ "$(wc -l <"$t/err")" -eq 1 ] && grep -qE "$want" "$t/err" &&
  [ "$(grep -c 'solved least squares' "$t/out")" -eq 1 ]; then
  pass "limit lowered after start (prlimit), then lifted: one clear error, then the next solve works: $(cat "$t/err")"
else
  fail "limit lowered after start (prlimit): exit $rc, stderr: $(head -c 400 "$t/err"); stdout: $(tail -c 200 "$t/out")"
fi
