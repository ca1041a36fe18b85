#!/usr/bin/env bash
# history_full_disk.sh — the workbench writes the Readline history atomically: with the file size limited (ulimit
# -f, as a nearly full disk; SIGXFSZ ignored so writes fail with EFBIG), typing commands leaves the old history
# byte-identical and no temporary file beside it; with room again, the new lines are saved.  (Issue 13: it was cut
# from 13,992 to 4,096 bytes.)
. "$(dirname "$0")/tuilib.bash"

hist="$TMPD/state/fitbench/history"
mkdir -p "$TMPD/state/fitbench"
for i in $(seq 1 400); do echo "echo an old history line number $i"; done >"$hist"
cp "$hist" "$TMPD/history.orig"
[ "$(wc -c <"$hist")" -gt 4096 ] || fail "the test history is too small to be cut"

start_shell 100 30
send_line "trap '' XFSZ; ulimit -S -f 4; ulimit -c 0; '$FB'; echo FB_EXIT=\$?"
wait_for '^fitbench>' 5 || fail "no fitbench prompt in the workbench"
send_line 'echo typed while the disk is full'
wait_for '^typed while the disk is full' 5 || fail "the command did not run"
send_line 'echo and another'
wait_for '^and another' 5 || fail "the second command did not run"
send_line 'quit'
wait_for 'FB_EXIT=0' 5 || fail "fitbench did not quit"
cmp -s "$hist" "$TMPD/history.orig" || fail "the old history changed on a full disk ($(wc -c <"$hist") bytes, was $(wc -c <"$TMPD/history.orig"))"
ls "$TMPD/state/fitbench" | grep -q tmp && fail "a temporary file was left: $(ls "$TMPD/state/fitbench" | tr '\n' ' ')"

# Room again: the history is written, old lines and new.
send_line 'ulimit -S -f unlimited'
send_line "'$FB'; echo FB_EXIT2=\$?"
wait_for '^fitbench>' 5 || fail "no fitbench prompt the second time"
send_line 'echo written with room'
wait_for '^written with room' 5 || fail "the command did not run the second time"
send_line 'quit'
wait_for 'FB_EXIT2=0' 5 || fail "fitbench did not quit the second time"
grep -qx 'echo written with room' "$hist" || fail "with room again the new line was not saved"
grep -qx 'echo an old history line number 400' "$hist" || fail "with room again the old lines were lost"
pass
