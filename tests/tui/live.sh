#!/usr/bin/env bash
# live.sh — `fitbench --live lesson.fit` replays in the workbench with the
# plot animating; `pause` waits for a key, `sleep` waits; at the end the
# picture stays until a key, then the terminal is sane.
. "$(dirname "$0")/tuilib.bash"

cat > "$TMPD/lesson.fit" <<'FIT'
# a tiny lesson
echo step one
gen linear n=100 seed=3
model linear
optim sgd lr=0.05
train 100
pause look at the curve
sleep 0.3
echo step two
FIT
start_fb 100 30 --live lesson.fit
wait_for 'look at the curve' 10 || fail "the replay did not reach the pause"
has_braille || fail "no curve drawn during the replay"
screen_text | grep -q '^step two' && fail "pause did not wait"
sleep 0.5
screen_text | grep -q '^step two' && fail "pause did not wait for a key"
send_keys Space
wait_for '^step two' 5 || fail "a key did not end the pause"
wait_for 'replay is done' 5 || fail "no end-of-replay note"
screen_text | grep -Eq '│ epoch +100( |$)' || fail "the status does not show epoch 100"
send_keys q
check_sane "the end of the replay"
[ "$FB_CODE" = 0 ] || fail "exit status $FB_CODE after a good replay"
pass
