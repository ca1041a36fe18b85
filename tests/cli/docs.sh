#!/usr/bin/env bash
# tests/cli/docs.sh FITBENCH — docs/commands.md is generated from the help text and must be current.
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
cli_setup "$1"
if diff -q <("$root/tools/gen_commands_doc.sh" "$fb") "$root/docs/commands.md" >/dev/null; then
  echo "PASS docs/commands.md matches help"
else
  echo "FAIL docs/commands.md matches help: run tools/gen_commands_doc.sh build/fitbench > docs/commands.md"
fi
