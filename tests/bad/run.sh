#!/usr/bin/env bash
# tests/bad/run.sh FITBENCH [CASE...] — the catalogue of bad inputs.  Prints "PASS bad/NAME" or "FAIL bad/NAME: why".
#
# One folder per case (tests/bad/README.md describes the format):
#   cmd.fit       the script, run as `FITBENCH cmd.fit` in a scratch copy of the folder
#   expected.txt  the exact standard error: one located error line
#   setup.sh      optional: makes inputs too big or too odd to commit (run in the scratch folder first)
#   limits        optional: `ulimit` arguments for the run, e.g. "-v 300000" (SIGXFSZ is ignored, so "-f" gives EFBIG)
#   check.sh      optional: must exit 0 afterwards, e.g. "the old file is byte-identical"
# Each case runs twice, stopping at the first error and with --keep-going (lines after the error then
# prove the session unchanged, with expect): both must exit 1 with exactly expected.txt on stderr, within
# the time limit, and with no sanitizer report.
set -u
fb="$(realpath "$1")"; shift
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
limit="${FB_BAD_TIMEOUT:-60}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export OPENBLAS_NUM_THREADS=1 LC_ALL=C
tmp="$(mktemp -d)"
trap 'chattr -R -i "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export HOME="$tmp/.home" XDG_STATE_HOME="$tmp/.state"
mkdir -p "$HOME" "$XDG_STATE_HOME"

cases=("$@")
if [ ${#cases[@]} -eq 0 ]; then
  for d in "$here"/*/; do [ -f "$d/cmd.fit" ] && cases+=("$(basename "$d")"); done
fi

run_case() { # name, mode ("" or --keep-going) -> sets why
  local name="$1" mode="$2" src="$here/$1" dir="$tmp/$1$2" rc lim=""
  mkdir -p "$dir" && cp -r "$src"/. "$dir"/
  if [ -f "$dir/setup.sh" ] && ! (cd "$dir" && bash setup.sh >setup.log 2>&1); then
    why="setup.sh failed: $(tail -1 "$dir/setup.log")"; return
  fi
  [ -f "$dir/limits" ] && lim="$(cat "$dir/limits")"
  (cd "$dir" && trap '' XFSZ && { [ -z "$lim" ] || ulimit $lim; } &&
    exec timeout -k 5 "$limit" "$fb" $mode cmd.fit >out.txt 2>err.txt) </dev/null
  rc=$?
  if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then why="${mode:-bail}: no answer within ${limit}s (a hang?)"; return; fi
  if grep -qE 'Sanitizer|runtime error:|LeakSanitizer' "$dir/err.txt" "$dir/out.txt"; then
    why="${mode:-bail}: sanitizer report: $(grep -m1 -E 'Sanitizer|runtime error:' "$dir/err.txt" "$dir/out.txt")"; return
  fi
  if [ "$rc" -ne 1 ]; then why="${mode:-bail}: exit status $rc, expected 1 (stderr: $(head -c 300 "$dir/err.txt"))"; return; fi
  if ! cmp -s "$dir/err.txt" "$dir/expected.txt"; then
    why="${mode:-bail}: stderr differs: got '$(head -c 400 "$dir/err.txt")', expected '$(head -c 400 "$dir/expected.txt")'"
    return
  fi
  if [ -f "$dir/check.sh" ] && ! (cd "$dir" && bash check.sh >check.log 2>&1); then
    why="${mode:-bail}: check.sh: $(tail -1 "$dir/check.log")"; return
  fi
}

asan=0
grep -qa -e __asan_init -e AddressSanitizer "$fb" 2>/dev/null && asan=1

for name in "${cases[@]}"; do
  why=""
  if [ "$asan" -eq 1 ] && grep -q -- '-v' "$here/$name/limits" 2>/dev/null; then
    echo "PASS bad/$name (skipped: AddressSanitizer cannot run under ulimit -v; the release build runs it)"
    continue
  fi
  run_case "$name" ""
  [ -z "$why" ] && run_case "$name" --keep-going
  # Control bytes in a message are shown, not sent to the terminal.
  if [ -z "$why" ]; then echo "PASS bad/$name"; else printf 'FAIL bad/%s: %s\n' "$name" "$(printf '%s' "$why" | tr '\n' '~' | cat -v)"; fi
done
