#!/usr/bin/env bash
# tui_overhead.sh — what drawing costs: training in the workbench (inside a
# detached tmux) against --plain.
#
#   w2      (the default; W7 in bench/RESULTS.md) W2's workload: logistic
#           regression, n=2e5 d=20, batch 32 shuffled, one thread as in W2,
#           EPOCHS epochs (100) of ~7 ms each, the live plot redrawn as they
#           come.
#   stress  a model whose epochs take about a microsecond, EPOCHS (2e6) of
#           them: the per-epoch cost of the workbench's bookkeeping.
#
# Prints both times and the overhead: the median, over RUNS pairs of
# interleaved runs, of the workbench's time against --plain's; the target is
# <= 3%.
# A benchmark, not a test: it exits 0 whatever the number (1 on a setup error).
#
#   bench/tui_overhead.sh build/fitbench [w2|stress] [EPOCHS] [RUNS]
set -u
FB=${1:?usage: $0 /path/to/fitbench [w2|stress] [epochs] [runs]}
MODE=${2:-w2}
case "$MODE" in
w2) N=${3:-100}; RUNS=${4:-15} ;;
stress) N=${3:-2000000}; RUNS=${4:-5} ;;
*) echo "tui_overhead: mode is w2 or stress, not '$MODE'" >&2; exit 1 ;;
esac
FB=$(cd "$(dirname "$FB")" && pwd)/$(basename "$FB")
command -v tmux >/dev/null || { echo "tui_overhead: tmux is not installed" >&2; exit 1; }
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/fbbench.XXXXXX")
SOCK="fbbench-$$"
trap 'tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$TMPD"' EXIT
export LC_ALL=C.UTF-8

if [ "$MODE" = w2 ]; then
    WHAT="gen blobs n=200000 d=20 classes=2, model logistic, loss bce, batch 32"
    cat > "$TMPD/bench.fit" <<FIT
set timing=yes
set threads=1
gen blobs n=200000 d=20 classes=2 seed=1
model logistic
loss bce
optim sgd lr=0.1
batch 32
train $N
FIT
else
    # gen linear n=200, d=1: one full-batch epoch is a few dgemv calls.
    WHAT="gen linear n=200, model linear"
    cat > "$TMPD/bench.fit" <<FIT
set timing=yes
gen linear n=200 seed=1
model linear
optim sgd lr=0.01
train $N
FIT
fi

secs_of() { sed -n 's/^[0-9]* epochs in \([0-9.e+-]*\) s.*/\1/p' | tail -n 1; }

plain_run() { "$FB" --plain -q "$TMPD/bench.fit" | secs_of; }

tui_run() {
    tmux -L "$SOCK" kill-server >/dev/null 2>&1
    sleep 0.2
    tmux -L "$SOCK" -f /dev/null new-session -d -x 120 -y 40 -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 \
        -e HOME="$TMPD" -e TERM=screen-256color "'$FB' --live '$TMPD/bench.fit'" || return 1
    local i=0 s=""
    while [ $i -lt 1200 ]; do # up to two minutes
        s=$(tmux -L "$SOCK" capture-pane -p 2>/dev/null | secs_of)
        [ -n "$s" ] && break
        sleep 0.1
        i=$((i + 1))
    done
    tmux -L "$SOCK" send-keys q >/dev/null 2>&1
    echo "$s"
}

best() { sort -g | head -n 1; }

# Interleaved, so that other load on the machine hits both alike; each pair of runs compared, and the median
# of those comparisons taken.
: > "$TMPD/plain"
: > "$TMPD/tui"
for _ in $(seq "$RUNS"); do
    plain_run >> "$TMPD/plain"
    tui_run >> "$TMPD/tui"
done
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
[ "$(wc -l < "$TMPD/plain")" -eq "$RUNS" ] && [ "$(wc -l < "$TMPD/tui")" -eq "$RUNS" ] ||
    { echo "tui_overhead: could not read the training times" >&2; exit 1; }
plain=$(median < "$TMPD/plain")
tui=$(median < "$TMPD/tui")
# Each workbench run against the --plain run just before it: the machine's drift cancels in the pair.
pair=$(paste "$TMPD/plain" "$TMPD/tui" | awk '{ print ($2 - $1) / $1 * 100 }' | median)
awk -v n="$N" -v p="$plain" -v t="$tui" -v pair="$pair" -v r="$RUNS" -v what="$WHAT" \
    -v pl="$(tr '\n' ' ' < "$TMPD/plain")" -v tl="$(tr '\n' ' ' < "$TMPD/tui")" 'BEGIN {
    printf "train %d epochs (%s), %d runs each, interleaved\n", n, what, r
    printf "  --plain      median %.3f s  (%.2f us/epoch)  runs: %s\n", p, p / n * 1e6, pl
    printf "  workbench    median %.3f s  (%.2f us/epoch)  runs: %s\n", t, t / n * 1e6, tl
    printf "  overhead     %+.1f%% (median over the %d pairs of runs; of the medians %+.1f%%)  (target <= 3%%)\n",
        pair, r, (t - p) / p * 100
}'
