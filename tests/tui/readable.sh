#!/usr/bin/env bash
# readable.sh — readable anywhere: during a pause PgUp scrolls the output pane back and does not count as the key
# that goes on; Ctrl-O gives the output pane the plot's rows (at the prompt and during a pause) and gives them
# back; output wraps at word boundaries; at 80×24 the pause leaves the status's setup line whole; at epoch 0 the
# loss plot's x axis starts at the epoch (no -1); --live under TERM=dumb says it cannot draw the workbench and
# its pauses wait for Enter in plain mode.
. "$(dirname "$0")/tuilib.bash"

words="alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar papa quebec"
words="$words romeo sierra tango uniform victor whiskey xray yankee zulu"
cat > "$TMPD/p.fit" <<FIT
gen moons n=100 seed=1
model logistic
help
echo $words
echo MARK-BEFORE
pause "look back"
echo MARK-AFTER
FIT
start_fb 80 24 --live p.fit
wait_for '❚❚ look back' 10 || fail "the replay did not reach the pause"
# The status's second line is the setup, whole, not the pause's note.
line2=$(screen_text | sed -n 2p)
grep -q 'paused' <<<"$line2" && fail "the pause note is on the status's setup line: $line2"
grep -q 'batch full' <<<"$line2" || fail "the setup line is cut: $line2"
# Epoch 0: the x axis starts at 0.
xt=$(screen_text | grep -A1 '└' | tail -n 1)
grep -Eq '^ *0 ' <<<"$xt" && ! grep -q -- '-' <<<"$xt" || fail "the x axis at epoch 0 is not 0..: '$xt'"
# Word wrap: every screen line of the echoed words is made of whole words.
n=0
while IFS= read -r l; do
  first=${l%% *}
  grep -qw -- "$first" <<<"$words" || continue # not a line of the echo
  n=$((n + 1))
  for wd in $l; do grep -qw -- "$wd" <<<"$words" || fail "a word was cut at a line's end: '$wd' in '$l'"; done
done < <(screen_text | sed -n '/── output/,$p')
[ "$n" -ge 2 ] || fail "the echoed words did not wrap onto two lines or more ($n)"

# PgUp during the pause: scrolls back, and the script does not go on.
send_keys PageUp
wait_for 'lines back' 3 || fail "PgUp during a pause did not scroll the output back"
sleep 0.5
screen_text | grep -q 'MARK-AFTER' && fail "PgUp counted as the key that ends the pause"
send_keys PageDown
wait_gone 'lines back' 3 || fail "PgDn did not come back to the newest output"
# Ctrl-O during the pause: the output pane takes the plot's rows (help's first lines come into view).
sep0=$(screen_text | grep -n '── output' | cut -d: -f1)
send_keys C-o
sleep 0.3
sep1=$(screen_text | grep -n '── output' | cut -d: -f1)
[ -n "$sep1" ] && [ "$sep1" -lt "$sep0" ] || fail "Ctrl-O did not enlarge the output pane (separator at $sep0, then $sep1)"
screen_text | grep -q 'MARK-AFTER' && fail "Ctrl-O counted as the key that ends the pause"
send_keys C-o
sleep 0.3
[ "$(screen_text | grep -n '── output' | cut -d: -f1)" = "$sep0" ] || fail "a second Ctrl-O did not give the plot back"
send_keys Enter
wait_for '^MARK-AFTER' 5 || fail "Enter did not end the pause"
wait_for 'replay is done' 5 || fail "no end of the replay"
send_keys q
check_sane "the replay"

# At the prompt: Ctrl-O after help shows more of it.
start_fb 80 24
send_line 'help'
wait_for 'quit' 5 || fail "no help at the prompt"
before=$(screen_text | grep -c .)
sep0=$(screen_text | grep -n '── output' | cut -d: -f1)
send_keys C-o
sleep 0.3
sep1=$(screen_text | grep -n '── output' | cut -d: -f1)
[ -n "$sep1" ] && [ "$sep1" -lt "$sep0" ] || fail "Ctrl-O at the prompt did not enlarge the output pane"
send_keys C-o
send_line 'quit'
check_sane "quit"

# TERM=dumb: no workbench, says so; the pause waits for Enter.
start_shell 80 24
send_line "TERM=dumb '$FB' --live p.fit; echo FB_EXIT=\$?"
wait_for 'look back \(press Enter\)' 5 || fail "--live under TERM=dumb did not show the pause"
tmux -L "$SOCK" capture-pane -p -S -300 | grep -q 'TERM=dumb) cannot draw the workbench' ||
  fail "--live under TERM=dumb did not say it cannot draw the workbench"
sleep 0.5
screen_text | grep -q '^MARK-AFTER' && fail "the plain pause did not wait"
send_keys Enter
wait_for '^MARK-AFTER' 5 || fail "Enter did not end the plain pause"
wait_for '^FB_EXIT=0' 5 || fail "the plain replay did not end with status 0"
pass
