#!/usr/bin/env bash
# tests/run_scripts.sh FITBENCH — every lesson and example must pass its own expect lines in batch mode.
set -u
fb="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
t="$(mktemp -d)"
trap 'rm -rf "$t"' EXIT
export HOME="$t/home" XDG_STATE_HOME="$t/state" # never the user's own files (tests/cli/isolation.sh)
mkdir -p "$HOME"
for f in "$root"/scripts/lessons/*.fit "$root"/scripts/examples/*.fit; do
  [ -e "$f" ] || continue
  name="$(basename "$(dirname "$f")")/$(basename "$f")"
  if (cd "$t" && "$fb" -q "$f" >"$t/out.txt" 2>&1); then
    echo "PASS $name"
  else
    echo "FAIL $name: $(grep -m1 'error' "$t/out.txt")"
  fi
done
