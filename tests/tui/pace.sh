#!/usr/bin/env bash
# pace.sh — under --live a `train 300` is an animation of about 3 s (set pace=): a capture one second in shows an
# epoch strictly between 0 and 300, and the history it leaves is the one an unpaced run leaves (every column but the
# wall time).  The keys: > halves the pace, < doubles it, e goes straight to the end; the status shows the pace.
. "$(dirname "$0")/tuilib.bash"

setup='gen linear n=200 seed=3; model linear; optim sgd lr=0.01; batch 50'
printf '%s\n' "$setup" 'echo START' 'train 300' 'save history paced.csv' > "$TMPD/paced.fit"
start_fb 100 30 --live paced.fit
wait_for '^START' 10 || fail "the replay did not start"
sleep 1
shot=$(screen_text)
e=$(sed -n 's/.*│ *epoch  *\([0-9][0-9]*\).*/\1/p' <<<"$shot" | head -n 1)
[ -n "$e" ] || fail "no epoch in the status one second in"
[ "$e" -gt 0 ] && [ "$e" -lt 300 ] || fail "one second into a paced train 300 the status shows epoch $e"
grep -q 'pace 3 s' <<<"$shot" || fail "the status does not show the pace (pace 3 s)"
wait_for 'replay is done' 10 || fail "the paced replay did not end"
send_keys q
check_sane "the paced replay"
[ -s "$TMPD/paced.csv" ] || fail "no paced history"
(cd "$TMPD" && "$FB" -q -c "$setup; train 300; save history plain.csv" >/dev/null) || fail "the unpaced run failed"
cut -d, -f1-6 "$TMPD/paced.csv" > "$TMPD/a" && cut -d, -f1-6 "$TMPD/plain.csv" > "$TMPD/b"
[ "$(wc -l < "$TMPD/a")" -eq 302 ] || fail "the paced history has $(wc -l < "$TMPD/a") lines, not 302"
cmp -s "$TMPD/a" "$TMPD/b" || fail "the paced history differs from the unpaced one"

# The keys, at the prompt with a long pace.
start_fb 100 30
send_line "$setup; set pace=40; train 300"
wait_for 'pace 40 s' 5 || fail "set pace=40 is not in the status"
send_keys '>'
wait_for 'pace 20 s' 5 || fail "> did not halve the pace"
send_keys '<' '<'
wait_for 'pace 80 s' 5 || fail "< < did not double the pace twice"
sleep 0.5
send_keys e
wait_for 'straight to the end' 3 || fail "e did not note the end"
wait_for '^epoch 300 ' 3 || fail "e did not finish the training at once"
send_line 'set'
wait_for 'pace=80' 3 || fail "the keys did not set the session's pace"
send_line 'save history keys.csv'
wait_for 'history' 3
sleep 0.3
cut -d, -f1-6 "$TMPD/keys.csv" > "$TMPD/c"
cmp -s "$TMPD/c" "$TMPD/b" || fail "the history after the pace keys differs from the unpaced one"
send_line 'quit'
check_sane "quit"
pass
