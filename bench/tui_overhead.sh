#!/usr/bin/env bash
# tui_overhead.sh — what drawing costs: `train N` of a model whose epochs take
# about a microsecond, in the workbench (inside a detached tmux) against
# --plain.  Prints both times and the overhead; the target is ≤ 3%.
# A benchmark, not a test: it exits 0 whatever the number (1 on a setup error).
#
#   bench/tui_overhead.sh build/fitbench [EPOCHS] [RUNS]
set -u
FB=${1:?usage: $0 /path/to/fitbench [epochs] [runs]}
N=${2:-2000000}
RUNS=${3:-3}
FB=$(cd "$(dirname "$FB")" && pwd)/$(basename "$FB")
command -v tmux >/dev/null || { echo "tui_overhead: tmux is not installed" >&2; exit 1; }
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/fbbench.XXXXXX")
SOCK="fbbench-$$"
trap 'tmux -L "$SOCK" kill-server >/dev/null 2>&1; rm -rf "$TMPD"' EXIT
export LC_ALL=C.UTF-8

# gen linear n=200, d=1: one full-batch epoch is a few dgemv calls.
cat > "$TMPD/bench.fit" <<FIT
set timing=yes
gen linear n=200 seed=1
model linear
optim sgd lr=0.01
train $N
FIT

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

# Interleaved, best of RUNS each, so that other load on the machine hits both alike.
: > "$TMPD/plain"
: > "$TMPD/tui"
for _ in $(seq "$RUNS"); do
    plain_run >> "$TMPD/plain"
    tui_run >> "$TMPD/tui"
done
plain=$(best < "$TMPD/plain")
tui=$(best < "$TMPD/tui")
[ -n "$plain" ] && [ -n "$tui" ] || { echo "tui_overhead: could not read the training times" >&2; exit 1; }
awk -v n="$N" -v p="$plain" -v t="$tui" 'BEGIN {
    printf "train %d epochs (gen linear n=200, model linear), best of runs\n", n
    printf "  --plain      %.3f s  (%.2f us/epoch)\n", p, p / n * 1e6
    printf "  workbench    %.3f s  (%.2f us/epoch)\n", t, t / n * 1e6
    printf "  overhead     %+.1f%%  (target <= 3%%)\n", (t - p) / p * 100
}'
