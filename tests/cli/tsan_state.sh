#!/usr/bin/env bash
# tests/cli/tsan_state.sh FITBENCH — process-wide state that several threads may create at once, under
# ThreadSanitizer: the C locale of strutil.c (made on first use; the CSV fast path parses numbers on several
# threads, and a plain "if (!loc) loc = newlocale(...)" raced).  Builds a small driver from the sources with
# gcc -fsanitize=thread (FITBENCH is not used: the race needs a TSan build, which the suite does not make).
# Prints "PASS name" or "FAIL name: why".
set -u
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
t="$(mktemp -d)"
trap 'rm -rf "$t"' EXIT
export HOME="$t/home" XDG_STATE_HOME="$t/state" # (no fitbench runs here; the suite's convention all the same)
mkdir -p "$HOME"
cat >"$t/race.c" <<'C'
#include <pthread.h>
#include <stdio.h>
#include "fitbench/strutil.h"
static void *parse(void *arg)
{
    double v = 0;
    (void)arg;
    return fb_parse_double("1.5e3", 5, &v) && v == 1500.0 ? NULL : (void *)1;
}
int main(void)
{
    pthread_t t[8];
    int bad = 0;
    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, parse, NULL);
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += r != NULL;
    }
    printf("%d wrong\n", bad);
    return bad != 0;
}
C
if ! gcc -std=c17 -D_GNU_SOURCE -O1 -g -fsanitize=thread -Werror=implicit-function-declaration -I"$root/include" "$t/race.c" "$root/src/util/strutil.c" \
    "$root/src/util/err.c" -o "$t/race" -lpthread >"$t/cc.txt" 2>&1; then
  echo "FAIL tsan: could not build the ThreadSanitizer driver: $(head -c 300 "$t/cc.txt")"
  exit 0
fi
# Several runs: the first-use race shows only when two threads get there together.
for i in 1 2 3 4 5; do
  if ! TSAN_OPTIONS="halt_on_error=1 exitcode=66" setarch "$(uname -m)" -R "$t/race" >"$t/out.txt" 2>&1; then
    echo "FAIL tsan: strutil's C locale from 8 threads at once (run $i): $(grep -m1 -E 'WARNING|wrong' "$t/out.txt")"
    exit 0
  fi
done
echo "PASS tsan: strutil's C locale made once from 8 threads at once (5 runs, no data race)"
