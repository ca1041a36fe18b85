#!/usr/bin/env bash
# bench/compare_parallel.sh FITBENCH [ROUNDS] [EPOCHS] — k independent runs of `compare` on 2 cores against the
# same runs one after another: `compare lr=...` with 4 values on an MLP (2-32-1 relu, spiral n=4000, batch 32,
# Adam; each run trains on one thread), at `set threads=2` (two runs at a time, each in a child process) and
# `set threads=1` (one after another), the two sides alternating for ROUNDS rounds (default 7).  Prints each round's wall times, the
# medians and their ratio (one after another / parallel; the target is >= 1.8 on 2 cores), the load average
# before and after (the machine is shared: read the ratio with it), the ratio of the fastest runs of each side,
# and whether both sides printed the same
# table (they must: the runs are the same bits at any thread count).  A third side, two separate fitbench processes
# with two runs each, measures what the machine gives two independent jobs in the same minute (on a shared VM the
# second core's speed varies): compare's share of it is the part that is fitbench's.
set -u
fb=$(realpath "${1:?usage: bench/compare_parallel.sh FITBENCH [ROUNDS] [EPOCHS]}"); rounds=${2:-7}; epochs=${3:-300}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
export HOME=$tmp XDG_STATE_HOME=$tmp
cmds="set timing=no; gen spiral n=4000 seed=1; model mlp hidden=32; optim adam lr=0.01; batch 32"
cmds="$cmds; compare lr=0.001,0.003,0.01,0.03 epochs=$epochs"
run() { # threads -> seconds of wall time; the output goes to $tmp/out.THREADS
  local t0 t1
  t0=$(date +%s.%N); "$fb" -q -c "set threads=$1; $cmds" >"$tmp/out.$1" 2>&1; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
# The machine's own share, measured in the same rounds: two separate fitbench processes side by side, each
# training two of the four runs one after another (what two cores give two independent jobs right now).
half="set timing=no; gen spiral n=4000 seed=1; model mlp hidden=32; optim adam lr=0.01; batch 32"
run_two() {
  local t0 t1
  t0=$(date +%s.%N)
  "$fb" -q -c "set threads=1; $half; compare lr=0.001,0.003 epochs=$epochs" >/dev/null 2>&1 &
  "$fb" -q -c "set threads=1; $half; compare lr=0.01,0.03 epochs=$epochs" >/dev/null 2>&1
  wait; t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg); cpus: $(nproc)"
one=(); two=(); sep=()
for r in $(seq "$rounds"); do
  a=$(run 1); b=$(run 2); c=$(run_two)
  one+=("$a"); two+=("$b"); sep+=("$c")
  printf 'round %d: one after another %.3f s, parallel %.3f s (%.2fx); two separate processes %.3f s (%.2fx)\n' \
    "$r" "$a" "$b" "$(echo "$a / $b" | bc -l)" "$c" "$(echo "$a / $c" | bc -l)"
done
m1=$(median "${one[@]}"); m2=$(median "${two[@]}"); m3=$(median "${sep[@]}")
printf 'median: one after another %.3f s, parallel %.3f s, ratio %.2fx (target >= 1.8)\n' "$m1" "$m2" "$(echo "$m1 / $m2" | bc -l)"
printf 'the machine now: two separate processes %.3f s, %.2fx; compare reaches %.0f%% of it\n' "$m3" \
  "$(echo "$m1 / $m3" | bc -l)" "$(echo "100 * $m3 / $m2" | bc -l)"
f1=$(printf '%s\n' "${one[@]}" | sort -g | head -1); f2=$(printf '%s\n' "${two[@]}" | sort -g | head -1)
printf 'fastest: one after another %.3f s, parallel %.3f s, ratio %.2fx (the least disturbed runs)\n' "$f1" "$f2" \
  "$(echo "$f1 / $f2" | bc -l)"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
if cmp -s "$tmp/out.1" "$tmp/out.2"; then echo "tables: identical"; else echo "tables: DIFFER"; fi
