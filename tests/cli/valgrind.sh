#!/usr/bin/env bash
# tests/cli/valgrind.sh FITBENCH — the lessons, the examples and a few file and error paths under valgrind
# memcheck: zero errors and zero leaks (definite, indirect or possible).  Prints "PASS valgrind NAME" /
# "FAIL valgrind NAME: why".  Skipped with the sanitizer build (AddressSanitizer and valgrind do not mix).
set -u
fb="$(realpath "$1")"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
case "$fb" in *build-san*) echo "PASS valgrind (skipped with the sanitizer build)"; exit 0 ;; esac
if grep -qa -e __asan_init "$fb" 2>/dev/null; then echo "PASS valgrind (skipped: a sanitizer build)"; exit 0; fi
command -v valgrind >/dev/null || { echo "FAIL valgrind: valgrind is missing (apt-get install valgrind)"; exit 0; }
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
# One BLAS thread and a kernel set valgrind can decode (it has no AVX-512).
export OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=Haswell
vg=(valgrind -q --tool=memcheck --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
  --errors-for-leak-kinds=definite,indirect,possible --track-origins=yes)

run() { # name, expected exit status, fitbench arguments...
  local name="$1" want="$2" rc; shift 2
  (cd "$t" && timeout -k 5 900 "${vg[@]}" --log-file="$t/vg.txt" "$fb" -q "$@" >"$t/out.txt" 2>&1) </dev/null
  rc=$?
  if [ -s "$t/vg.txt" ]; then
    echo "FAIL valgrind $name: $(grep -m3 -E '==[0-9]+== [A-Z]' "$t/vg.txt" | sed 's/==[0-9]*== //' | tr '\n' ' ')"
  elif [ "$rc" -ne "$want" ]; then
    echo "FAIL valgrind $name: exit status $rc, expected $want: $(grep -m1 error "$t/out.txt")"
  else
    echo "PASS valgrind $name"
  fi
}

for f in "$root"/scripts/lessons/*.fit "$root"/scripts/examples/*.fit; do
  [ -e "$f" ] && run "$(basename "$(dirname "$f")")/$(basename "$f")" 0 "$f"
done
# Every file kind written and read back, undo, compare, lrfind, explain, plots as text.
run "files and undo" 0 -c 'load iris; split val=0.2 seed=1; scale standard; model mlp hidden=4; optim adam lr=0.01;
  train 5; save model m.fbm; save weights w; save history h.csv; save plot p.svg; save session s.fit; record r.fit;
  step 2; undo; record off; load model m.fbm; load weights w; compare lr=0.1,0.01 epochs=3; lrfind iters=10;
  explain; plot loss; show params; predict n=3; run s.fit; run r.fit'
# The pictures and instruments of what goes on inside: metric curves, the network, layer distributions, check grad.
run "inside" 0 -c 'gen spiral n=80 seed=1; split val=0.25; model mlp hidden=4,3 act=tanh; optim adam lr=0.03;
  train 5; plot accuracy; plot network; save plot n.svg; plot neuron 1,2; save plot u.svg; plot weights; plot grads;
  plot updates; save plot w.svg; check grad max=5; compare lr=0.1,0.01 epochs=2 metric=f1; save history h.csv;
  undo; gen blobs n=30 d=12 seed=1; model mlp hidden=16; train 2; plot network; save plot b.svg'
# Errors on every layer: each must free what it made on the way out.
printf 'a,b,y\n1,2,3\n4,"5\n' >q.csv && mv q.csv "$t/"
run "errors with --keep-going" 1 --keep-going -c 'load q.csv; load nosuch.csv; gen moons n=30; model mlp hidden=0;
  model mlp hidden=3; optim adma; load model nosuch.fbm; load weights nosuch; save model /dev/full;
  save weights /dev/full; expect epoch == 9; features poly degree=100; model mlp hidden=100000,100000,100000;
  echo "unterminated'
