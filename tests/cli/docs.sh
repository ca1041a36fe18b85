#!/usr/bin/env bash
# tests/cli/docs.sh FITBENCH — docs/commands.md is generated from the help text and must be current.
set -u
root="$(cd "$(dirname "$0")/../.." && pwd)"
t="$(mktemp -d)"
trap 'rm -rf "$t"' EXIT
export HOME="$t/home" XDG_STATE_HOME="$t/state" # never the user's own files (tests/cli/isolation.sh)
mkdir -p "$HOME"
if diff -q <("$root/tools/gen_commands_doc.sh" "$1") "$root/docs/commands.md" >/dev/null; then
  echo "PASS docs/commands.md matches help"
else
  echo "FAIL docs/commands.md matches help: run tools/gen_commands_doc.sh build/fitbench > docs/commands.md"
fi
