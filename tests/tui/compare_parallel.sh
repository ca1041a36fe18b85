#!/usr/bin/env bash
# compare_parallel.sh — compare in the workbench: its runs train side by side (the status shows training, the
# plot holds every run's curve while they grow); Ctrl-C stops them all within a second and, no run having
# finished, keeps nothing (the session is untouched); then plot validation, learning and path after compare
# on a monochrome terminal, each series with its own legend glyph and no colour escapes.
. "$(dirname "$0")/tuilib.bash"

start_fb 120 40
send_line 'set threads=2; gen spiral n=3000 seed=1; model mlp hidden=32; optim adam lr=0.01; batch 16'
wait_for '^optim adam' 5 || fail "setup failed"
send_line 'compare lr=0.001,0.003,0.01,0.03 epochs=1000000'
wait_for '▶ training' 5 || fail "no training indicator"
sleep 1.5
shot=$(screen_text)
for v in 0.001 0.003 0.01 0.03; do
  grep -q "lr=$v" <<<"$shot" || fail "the live plot has no curve for lr=$v"
done
t0=$(date +%s.%N)
send_keys C-c
wait_for 'interrupted before any run finished; nothing kept' 2 || fail "Ctrl-C: no note"
wait_for '^fitbench> *$' 2 || fail "Ctrl-C: no prompt"
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN{exit !(b - a < 2.0)}' || fail "Ctrl-C took more than 2 s"
send_line 'expect epoch == 0'
sleep 0.3
screen_text | grep -q 'expect failed' && fail "compare changed the session"
send_keys C-d
sleep 0.3

cat > "$TMPD/curves.fit" <<'FIT'
load iris
split val=0.25 seed=1
scale standard
model softmax
optim sgd lr=0.1 momentum=0.9
compare lr=0.01,0.1,1 cv=3 epochs=10
pause "validation"
compare train_size=0.2,0.5,1 epochs=10
plot learning
pause "learning"
compare weight_decay=0.001,0.01,0.1 epochs=10
plot path
pause "path"
FIT
glyphs() { screen_text | grep -oE '(━━|╍╍|┉┉|┅┅|•|\+) [A-Za-z]' | awk '{print $1}' | sort -u | wc -l; }
start_shell 100 32
send_line "ulimit -c 0; env TERM=xterm-mono '$FB' --live curves.fit; echo FB_EXIT=\$?"
wait_for 'validation curve: accuracy against lr' 20 || fail "no validation curve"
[ "$(glyphs)" -ge 4 ] || fail "plot validation: fewer than 4 legend glyphs without colour"
[ "$(colour_codes)" = 0 ] || fail "plot validation: colour escapes on a mono terminal"
send_keys Enter
wait_for 'learning curve: accuracy against training rows' 20 || fail "no learning curve"
[ "$(glyphs)" -ge 2 ] || fail "plot learning: fewer than 2 legend glyphs"
send_keys Enter
wait_for 'path: final weights against weight_decay' 20 || fail "no path"
[ "$(glyphs)" -ge 6 ] || fail "plot path: fewer than 6 legend glyphs"
[ "$(colour_codes)" = 0 ] || fail "plot path: colour escapes on a mono terminal"
send_keys Enter
pass
