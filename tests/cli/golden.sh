#!/usr/bin/env bash
# tests/cli/golden.sh FITBENCH — replay tests/golden/*.fit and compare stdout+stderr with the committed *.out.
# Regenerate after an intended change with: FITBENCH_UPDATE_GOLDEN=1 bash tests/cli/golden.sh build/fitbench
# (then read the diff: it is the test).
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
dir="$root/tests/golden"
for f in "$dir"/*.fit; do
  name="$(basename "$f" .fit)"
  flags=()
  [ "$name" = errors ] && flags=(--keep-going)
  actual="$(cd "$dir" && "$fb" "${flags[@]}" "$name.fit" 2>&1)"
  if [ -n "${FITBENCH_UPDATE_GOLDEN:-}" ]; then
    printf '%s\n' "$actual" >"$dir/$name.out"
  fi
  if diff -u "$dir/$name.out" <(printf '%s\n' "$actual") >/tmp/golden-$$.diff; then
    echo "PASS golden $name"
  else
    echo "FAIL golden $name: $(head -12 /tmp/golden-$$.diff | tail -8 | tr '\n' '|')"
  fi
  rm -f /tmp/golden-$$.diff
done
