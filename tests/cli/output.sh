#!/usr/bin/env bash
# tests/cli/output.sh FITBENCH — output that cannot be written is an error: a full disk or a closed pipe
# gives exit status 1 and a message on stderr, never a silent 0 (docs/reliability.md).
# Prints "PASS name" or "FAIL name: why" per case.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
cd "$t"

msg='fitbench: error: could not write the output'

# Standard output on a full disk (/dev/full): status 1 and the reason, for commands, scripts, --help, --version.
printf 'gen linear n=50 seed=1\nmodel linear\ntrain 5\nshow params\n' >s.fit
for c in "-c help" "s.fit" "--help" "--version" "-q -c echo"; do
  # shellcheck disable=SC2086
  "$fb" $c >/dev/full 2>err.txt; rc=$?
  check "full disk: $c exits 1" test "$rc" -eq 1
  check "full disk: $c says why" grep -q "$msg: No space left on device" err.txt
done
printf 'help\n' | "$fb" - >/dev/full 2>err.txt; rc=$?
check "full disk: stdin script exits 1" test "$rc" -eq 1

# A closed standard output (the shell's >&-).
"$fb" -c help >&- 2>err.txt; rc=$?
check "closed stdout exits 1" test "$rc" -eq 1
check "closed stdout says why" grep -q "$msg" err.txt

# A pipe whose reader leaves early, with lots of output (more than a pipe holds).
many="$(printf 'help; %.0s' $(seq 100))"
# SIGPIPE left as it is (the default): killed by it, as cat or grep would be (status 141, not 0).
"$fb" -c "$many" 2>err.txt | head -c1 >/dev/null; rc="${PIPESTATUS[0]}"
check "closed pipe: killed by SIGPIPE (status $rc)" test "$rc" -eq 141
# SIGPIPE ignored (as some parents leave it): the write fails with EPIPE, which is an error.
(trap '' PIPE; "$fb" -c "$many" 2>err.txt | head -c1 >/dev/null; echo "${PIPESTATUS[0]}" >rc.txt)
check "closed pipe, SIGPIPE ignored: exits 1" test "$(cat rc.txt)" -eq 1
check "closed pipe, SIGPIPE ignored: says why" grep -q "$msg: Broken pipe" err.txt

# A failed command keeps its own status and message; the output error is added, not swapped in.
"$fb" -c 'help; optim adma' >/dev/full 2>err.txt; rc=$?
check "failed command and full disk: exit 1" test "$rc" -eq 1
check "failed command and full disk: both said" \
  bash -c "grep -q \"unknown optimizer 'adma'\" err.txt && grep -q '$msg' err.txt"

# Output that is written is not an error.
"$fb" -c help >ok.txt 2>err.txt; rc=$?
check "written output exits 0" test "$rc" -eq 0
check "written output: nothing on stderr" test ! -s err.txt
"$fb" -c "$many" 2>err.txt | cat >/dev/null; rc="${PIPESTATUS[0]}"
check "a pipe read to the end exits 0" test "$rc" -eq 0
