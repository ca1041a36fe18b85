# tests/cli/checks.bash — sourced by the cli test scripts: the PASS/FAIL lines scripts/test counts.
# (Not a test itself: scripts/test runs tests/cli/*.sh only.)
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
check() { # name, test-command...: PASS when the command succeeds
  local name="$1"; shift
  if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}
