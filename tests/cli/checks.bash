# tests/cli/checks.bash — sourced by every tests/cli script: the shared set-up (cli_setup) and the PASS/FAIL lines
# scripts/test counts.  (Not a test itself: scripts/test runs tests/cli/*.sh only.)
#   source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
#   cli_setup "$1" [CLEANUP]
cli_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)" # tests/cli
root="$(cd "$cli_dir/../.." && pwd)"                     # the source tree

# cli_setup FITBENCH [CLEANUP]: fb is FITBENCH as an absolute path (the scripts change folder); t is a new temporary
# folder, removed at exit after the function CLEANUP (when named) has run; HOME and XDG_STATE_HOME point into it,
# so no test touches the user's own files (tests/cli/isolation.sh).  The working folder is left as it is.
cli_setup() {
  fb="$(realpath "${1:?usage: $0 path/to/fitbench}")"
  t="$(mktemp -d)"
  cli_cleanup_first="${2:-}"
  trap cli_cleanup EXIT
  export HOME="$t/home" XDG_STATE_HOME="$t/state" # never the user's own files (tests/cli/isolation.sh)
  mkdir -p "$HOME" "$XDG_STATE_HOME"
}
cli_cleanup() {
  [ -z "${cli_cleanup_first:-}" ] || "$cli_cleanup_first"
  rm -rf "$t"
}

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; }
check() { # name, test-command...: PASS when the command succeeds
  local name="$1"; shift
  if "$@"; then pass "$name"; else fail "$name" "$*"; fi
}
refuses() { # name, commands, message: PASS when `fitbench -q -c COMMANDS` fails and says MESSAGE (a fixed string)
  if "$fb" -q -c "$2" >refused.out 2>&1; then fail "$1" "succeeded"; return; fi
  if grep -qF "$3" refused.out; then pass "$1"; else fail "$1" "$(cat refused.out)"; fi
}
