#!/usr/bin/env bash
# tests/cli/counts.sh FITBENCH — every count a command takes refuses a number above its maximum with an
# error that names the maximum (2147483648, one past a 32-bit int, and a number past a 64-bit long), and
# takes the maximum itself where that is cheap to check.  Prints "PASS name" or "FAIL name: why" per case.
set -u
cli_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fb="$1"
t="$(mktemp -d)"
trap 'rm -rf "$t"' EXIT
export HOME="$t/home" XDG_STATE_HOME="$t/state"
mkdir -p "$HOME"
cd "$t"
source "$cli_dir/checks.bash"

setup='gen linear n=20 seed=1; model linear'
"$fb" -q -c "$setup" >base.txt 2>&1 || echo "FAIL setup: $setup"
# command with the count replaced by N | the maximum as printed
while IFS='|' read -r cmd max; do
  for n in 2147483648 99999999999999999999; do
    line="${cmd//N/$n}"
    "$fb" -q -c "$setup; $line" >out.txt 2>err.txt; rc=$?
    check "'$line' is refused (exit $rc)" test "$rc" -eq 1
    check "'$line' names the maximum $max" grep -q "error: .*[^0-9]$max[^0-9]" err.txt
    check "'$line' prints nothing more than the setup" cmp -s out.txt base.txt
  done
done <<'LIST'
train N|1000000000
step N|1000000000
step batch N|1000000000
train 1 patience=N|1000000000
compare lr=0.1,0.2 epochs=N|1000000000
lrfind iters=N|1000000
predict n=N|1000000000
schedule step step_size=N|1000000000
schedule cosine t_max=N|1000000000
schedule onecycle total_steps=N|1000000000
schedule plateau patience=N|1000000000
schedule plateau cooldown=N|1000000000
schedule multistep milestones=N|1000000000
gen linear n=N|100000000
LIST

# The maximum itself is taken (where taking it costs nothing).
for line in 'schedule step step_size=1000000000' 'schedule onecycle total_steps=1000000000' \
            'schedule multistep milestones=1000000000' 'predict n=1000000000' 'train 1 patience=1000000000'; do
  "$fb" -q -c "$setup; split val=0.2; $line" >out.txt 2>err.txt
  check "'$line' is taken" test "$?" -eq 0
done
