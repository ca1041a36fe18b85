#!/usr/bin/env bash
# tests/cli/fuzz_smoke.sh FITBENCH — build the libFuzzer targets (clang, -Dfuzz=true, in build-fuzz/) and give each
# a short run (15 s each, more while a corpus runs first) from its seed corpus, which holds every input that ever
# crashed or hung.
# Prints "PASS fuzz NAME" / "FAIL fuzz NAME: why".  Runs once: with the sanitizer binary it only says so.
set -u
fb="$1"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
case "$fb" in *build-san*) echo "PASS fuzz smoke (runs once, with the release build)"; exit 0 ;; esac
command -v clang >/dev/null || { echo "FAIL fuzz build: clang is missing (apt-get install clang libclang-rt-dev)"; exit 0; }
dir="${FB_FUZZ_BUILD:-$root/build-fuzz}"
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
log="$(mktemp)"
drop_log() { rm -f "$log"; }
cli_setup "$1" drop_log
if [ ! -f "$dir/build.ninja" ]; then
  if ! CC=clang meson setup "$dir" "$root" -Dfuzz=true -Dtests=false -Dwerror_strict=false \
      -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >"$log" 2>&1; then
    echo "FAIL fuzz build: meson setup: $(tail -3 "$log" | tr '\n' ' ')"; exit 0
  fi
fi
if ! ninja -C "$dir" tests/fuzz/fuzz_csv tests/fuzz/fuzz_csv_parallel tests/fuzz/fuzz_script tests/fuzz/fuzz_modelfile \
    tests/fuzz/fuzz_npy tests/fuzz/fuzz_keys >"$log" 2>&1; then
  echo "FAIL fuzz build: $(grep -m3 -E 'error|FAILED' "$log" | tr '\n' ' ')"; exit 0
fi
echo "PASS fuzz build"
secs="${FB_FUZZ_SECONDS:-15}"
# Inputs are written to files: on a tmpfs when there is one (fuzz_csv_parallel writes 2 MiB per input).
shm=/dev/shm; { [ -d "$shm" ] && [ -w "$shm" ]; } || shm="${TMPDIR:-/tmp}"
export OPENBLAS_NUM_THREADS=1 ASAN_OPTIONS="detect_leaks=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for target in csv csv_parallel script modelfile npy keys; do
  # A scratch copy of the corpus: the run may add inputs, the committed seeds stay as they are.
  mkdir -p "$t/$target" "$t/art-$target"
  cp "$root/tests/fuzz/corpus/$target"/* "$t/$target/"
  maxlen=4096; [ "$target" = script ] && maxlen=1024; [ "$target" = keys ] && maxlen=1024
  # fuzz_keys: GNU Readline leaks a few bytes on some key paths (its own allocations, not fitbench's): no leak check.
  leaks=1; [ "$target" = keys ] && leaks=0
  # csv_parallel turns each input into a 2 MiB file loaded three times: a second or two per input at worst.
  slow=10; [ "$target" = csv_parallel ] && slow=30
  # The slack past the run is for replaying the corpus first (3000 scripts take ~30 s of CPU, minutes on a busy machine).
  (cd "$t" && TMPDIR="$shm" ASAN_OPTIONS="detect_leaks=$leaks" timeout -k 5 $((secs + 300)) "$dir/tests/fuzz/fuzz_$target" \
      -detect_leaks=$leaks -max_total_time="$secs" -timeout=$slow \
      -rss_limit_mb=2048 -max_len=$maxlen -dict="$root/tests/fuzz/$target.dict" -artifact_prefix="$t/art-$target/" \
      "$t/$target" >"$t/$target.log" 2>&1)
  rc=$?
  if [ "$rc" -eq 0 ] && ! ls "$t/art-$target" | grep -q .; then
    echo "PASS fuzz $target ($(grep -oE 'Done [0-9]+ runs in [0-9]+ s' "$t/$target.log" | tail -1 | cut -d' ' -f2,5)s)"
  else
    why="$(grep -m1 -E 'ERROR|SUMMARY|Test unit written' "$t/$target.log")"
    echo "FAIL fuzz $target: exit $rc: $why"
    ls "$t/art-$target" | head -3 | while read -r a; do
      echo "  input (base64): $(base64 -w0 "$t/art-$target/$a" | head -c 2000)"
    done
  fi
done

# The key target reaches the crash its guards prevent: with them off (FB_FUZZ_NO_KEY_GUARD=1), Ctrl-R Ctrl-X a from
# the seed corpus must crash Readline (a SEGV in rl_callback_read_char), and with them on it must not.
seed="$root/tests/fuzz/corpus/keys/isearch_ctrl_x_key"
(cd "$t" && ASAN_OPTIONS=detect_leaks=0 FB_FUZZ_NO_KEY_GUARD=1 timeout 60 "$dir/tests/fuzz/fuzz_keys" "$seed" >"$t/noguard.log" 2>&1)
rc=$?
if [ "$rc" -ne 0 ] && grep -q 'SEGV.*rl_callback_read_char\|in rl_callback_read_char' "$t/noguard.log"; then
  echo "PASS fuzz keys without the guard crashes on Ctrl-R Ctrl-X a (exit $rc)"
else
  echo "FAIL fuzz keys without the guard: Ctrl-R Ctrl-X a did not crash Readline (exit $rc): $(grep -m1 ERROR "$t/noguard.log")"
fi

# The same for Readline's failed forward search that leaves its position past the end of a shorter line
# (src/front/rlsearch.h): `aaaaaaaaaa` RET C-p C-s z C-r trips the target's check without the guard, not with it.
seed="$root/tests/fuzz/corpus/keys/regress-isearch-past-line"
for guard in 1 0; do
  (cd "$t" && ASAN_OPTIONS=detect_leaks=0 FB_FUZZ_NO_KEY_GUARD=$((1 - guard)) timeout 60 "$dir/tests/fuzz/fuzz_keys" \
    "$seed" >"$t/isearch-$guard.log" 2>&1)
  rc=$?
  tripped=0; grep -q 'past the end of its line' "$t/isearch-$guard.log" && tripped=1
  if [ "$guard" = 1 ] && [ "$rc" -eq 0 ] && [ "$tripped" = 0 ]; then
    echo "PASS fuzz keys with the guard: a failed forward search stays inside its line"
  elif [ "$guard" = 0 ] && [ "$rc" -ne 0 ] && [ "$tripped" = 1 ]; then
    echo "PASS fuzz keys without the guard: a failed forward search leaves its position past the line (exit $rc)"
  else
    echo "FAIL fuzz keys isearch position (guard=$guard): exit $rc: $(grep -m1 -E 'ERROR|past the end' "$t/isearch-$guard.log")"
  fi
done

# Readline's vi end-of-word motion loops for ever on a byte of the line that is not UTF-8, and on a valid character
# that cannot be shown (src/front/rlline.h): each corpus input (vi mode, \xf1 \xaf, ESC, `*`, which needs the state
# its first run leaves, libFuzzer running a file input twice; vi mode, `d`, U+6F5D7, ESC, `*`) hangs without the
# guard (killed after 20 s) and takes milliseconds with it.
for name in invalid-utf8 unprintable-char; do
  seed="$root/tests/fuzz/corpus/keys/regress-vi-end-word-$name"
  for guard in 1 0; do
    (cd "$t" && ASAN_OPTIONS=detect_leaks=0 FB_FUZZ_NO_KEY_GUARD=$((1 - guard)) timeout 20 "$dir/tests/fuzz/fuzz_keys" \
      "$seed" >"$t/utf8-$guard.log" 2>&1)
    rc=$?
    if [ "$guard" = 1 ] && [ "$rc" -eq 0 ]; then
      echo "PASS fuzz keys with the guard: $name in the line does not hang vi's end-of-word motion"
    elif [ "$guard" = 0 ] && [ "$rc" -eq 124 ]; then
      echo "PASS fuzz keys without the guard: vi's end-of-word motion hangs on $name (killed after 20 s)"
    else
      echo "FAIL fuzz keys $name (guard=$guard): exit $rc: $(grep -m1 -E 'ERROR' "$t/utf8-$guard.log")"
    fi
  done
done
