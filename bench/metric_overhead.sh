#!/usr/bin/env bash
# bench/metric_overhead.sh A_FB_BENCH B_FB_BENCH DATA [ROUNDS] — an A/B of two fb_bench builds (say main, without
# the per-epoch metrics, against a branch with them) on W2 (logistic, batch 32, 1 thread: the fused path's pass)
# and W3b (MLP 64-128-64-10, batch 64, ce, on 1 thread and on 2: the chunked and the crew passes).  The sides
# alternate in every round; each run's figure is fb_bench's median epoch time (the epoch's seconds include the
# end-of-epoch pass that computes the loss and, on B, the metrics); the medians over the rounds are compared, of
# the median epoch and of the fastest epoch of each run (the fastest is the least disturbed on a shared machine).
# DATA holds w2/ and w3b/ as bench/run.py makes them (make_mb_data).  Prints one line per workload.
set -euo pipefail
a="$1" b="$2" data="$3" rounds="${4:-7}"
run() { "$1" mb "$2" "$3" "$4" "$5" "$6" | awk -F= '$1 == "epoch_s" { m = $2 } $1 == "epoch_min_s" { b = $2 } END { print m, b }'; }
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
col() { cut -d' ' -f"$1" <"$2" | median; }
for w in "W2 w2 10 1 32 -" "W3b-1t w3b 3 1 64 128,64" "W3b-2t w3b 3 2 64 128,64"; do
  set -- $w
  name="$1" dir="$data/$2" ep="$3" th="$4" bs="$5" hid="$6"
  [ "$hid" = - ] && hid=""
  : >"/tmp/mo.$$.a"; : >"/tmp/mo.$$.b"
  for ((r = 0; r < rounds; r++)); do
    if ((r % 2)); then
      run "$b" "$dir" "$ep" "$th" "$bs" "$hid" >>"/tmp/mo.$$.b"; run "$a" "$dir" "$ep" "$th" "$bs" "$hid" >>"/tmp/mo.$$.a"
    else
      run "$a" "$dir" "$ep" "$th" "$bs" "$hid" >>"/tmp/mo.$$.a"; run "$b" "$dir" "$ep" "$th" "$bs" "$hid" >>"/tmp/mo.$$.b"
    fi
  done
  ma="$(col 1 "/tmp/mo.$$.a")" mb="$(col 1 "/tmp/mo.$$.b")" fa="$(col 2 "/tmp/mo.$$.a")" fb="$(col 2 "/tmp/mo.$$.b")"
  awk -v n="$name" -v a="$ma" -v b="$mb" -v fa="$fa" -v fb="$fb" -v r="$rounds" \
    'BEGIN { printf "%-7s median epoch A %.4g ms B %.4g ms (%+.1f%%); fastest epoch A %.4g ms B %.4g ms (%+.1f%%); %d rounds\n",
             n, a * 1e3, b * 1e3, (b / a - 1) * 100, fa * 1e3, fb * 1e3, (fb / fa - 1) * 100, r }'
  rm -f "/tmp/mo.$$.a" "/tmp/mo.$$.b"
done
