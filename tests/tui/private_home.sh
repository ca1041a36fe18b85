#!/usr/bin/env bash
# private_home.sh — the workbench tests never touch the user's files: every other tests/tui/*.sh runs with HOME
# pointing at an empty sentinel folder (and XDG_STATE_HOME unset, so a test that forgot its own would write the
# history to $HOME/.local/state/fitbench/history); afterwards the sentinel must still be empty.
. "$(dirname "$0")/tuilib.bash"

sentinel="$TMPD/sentinel-home"
mkdir -p "$sentinel"
ran=0
for t in "$HERE"/*.sh; do
    [ "$(basename "$t")" = private_home.sh ] && continue
    out=$(HOME="$sentinel" XDG_STATE_HOME='' XDG_CONFIG_HOME='' bash "$t" "$FB" 2>&1)
    echo "$out" | grep -q '^PASS' || fail "$(basename "$t") did not pass under the sentinel home: $(echo "$out" | tail -1)"
    ran=$((ran + 1))
done
[ "$ran" -ge 5 ] || fail "only $ran workbench tests ran"
left=$(find "$sentinel" -mindepth 1 | head -5)
[ -z "$left" ] || fail "the workbench tests wrote into HOME: $left"
pass
