#!/usr/bin/env bash
# tests/cli/isolation.sh FITBENCH — the tests never touch the user's own files: every test script that starts
# fitbench points HOME and XDG_STATE_HOME at its temporary folder (fitbench keeps its Readline history under
# $XDG_STATE_HOME, else ~/.local/state).  Proved three ways: each script says so; a sentinel HOME catches a
# fitbench run that was not pointed elsewhere (the control); and the quick test scripts, run with HOME at a
# sentinel folder and XDG_STATE_HOME unset, leave it empty.  Prints "PASS name" / "FAIL name: why".
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1" # never the user's own files (this very check)

# 1. Every test script that starts fitbench exports both into a temporary folder made by mktemp: by itself, or
#    by sourcing tests/cli/checks.bash and calling its cli_setup, which does so (checked first).
sets_home() { grep -Eq '^ *export HOME="\$(t|tmp)/[a-z]+" XDG_STATE_HOME="\$(t|tmp)/[a-z]+"' "$1"; }
if sets_home "$cli_dir/checks.bash" && grep -Eq '^ *t="\$\(mktemp -d\)"' "$cli_dir/checks.bash"; then
  echo "PASS tests/cli/checks.bash: cli_setup sets HOME and XDG_STATE_HOME"
else
  echo "FAIL tests/cli/checks.bash: cli_setup sets HOME and XDG_STATE_HOME: no mktemp folder or no export line"
fi
uses_setup() {
  grep -qF 'source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"' "$1" && grep -Eq '^ *cli_setup "\$1"' "$1"
}
for f in "$root"/tests/cli/*.sh "$root"/tests/run_scripts.sh "$root"/tests/torch_history.sh; do
  name="${f#"$root"/}"
  if sets_home "$f" || uses_setup "$f"; then
    echo "PASS $name sets HOME and XDG_STATE_HOME"
  else
    echo "FAIL $name sets HOME and XDG_STATE_HOME: neither an 'export HOME=\"\$t/home\" XDG_STATE_HOME=\"\$t/state\"' line nor cli_setup \"\$1\" of checks.bash"
  fi
done

# 2. The control: an interactive fitbench (on a pseudo-terminal, so it keeps a history) with HOME at a sentinel
# and no XDG_STATE_HOME writes there, so a sentinel that stays empty means something.
sentinel="$t/sentinel-control"
mkdir -p "$sentinel"
if command -v script >/dev/null; then
  printf 'echo hi\nquit\n' | (unset XDG_STATE_HOME; HOME="$sentinel" TERM=dumb timeout 30 \
    script -qec "'$fb' --plain" /dev/null >/dev/null 2>&1)
  if [ -n "$(find "$sentinel" -type f)" ]; then
    echo "PASS sentinel control: an unconfined interactive run writes into HOME"
  else
    echo "FAIL sentinel control: an interactive run with HOME=$sentinel wrote nothing there"
  fi
else
  echo "FAIL sentinel control: script(1) is missing (apt-get install bsdutils)"
fi

# 3. The quick test scripts, started with HOME at a sentinel and XDG_STATE_HOME unset, leave it empty.
sentinel="$t/sentinel"
mkdir -p "$sentinel"
for s in cli.sh golden.sh docs.sh output.sh record.sh; do
  (unset XDG_STATE_HOME; HOME="$sentinel" bash "$root/tests/cli/$s" "$fb" >"$t/out-$s" 2>&1)
  if [ -z "$(find "$sentinel" -mindepth 1)" ]; then
    echo "PASS $s leaves a sentinel HOME empty"
  else
    echo "FAIL $s leaves a sentinel HOME empty: it made $(find "$sentinel" -mindepth 1 | head -3 | tr '\n' ' ')"
    rm -rf "${sentinel:?}"/* "${sentinel:?}"/.[!.]*
  fi
done
