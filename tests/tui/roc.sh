#!/usr/bin/env bash
# roc.sh — `plot roc` in the workbench's plot pane: the curve with its AUC and the chance line in the legend,
# told apart by their glyphs (━━ solid, ╍╍ dashed) with NO_COLOR=1 and on a monochrome terminal (TERM=xterm-mono:
# no colour escapes at all), and in colour with colours; the title names the split; nothing wider than 80.
. "$(dirname "$0")/tuilib.bash"

cat > "$TMPD/roc.fit" <<'FIT'
gen moons n=200 noise=0.3 seed=5
split val=0.25 seed=1
model logistic
loss bce
optim adam lr=0.05
train 40
plot roc
pause "the roc"
FIT

for how in NO_COLOR=1 TERM=xterm-mono colour; do
  live_replay "$how" roc.fit 'the roc'
  shot=$(screen_text)
  grep -Eq '━━ ROC, AUC 0\.[0-9]+' <<<"$shot" || fail "$how: no '━━ ROC, AUC ...' in the legend"
  grep -q '╍╍ chance' <<<"$shot" || fail "$how: no '╍╍ chance' in the legend"
  grep -q 'ROC on the val split, 50 rows' <<<"$shot" || fail "$how: the title does not name the split"
  grep -q 'false positive rate' <<<"$shot" || fail "$how: no x label"
  [ "$(max_width)" -le 80 ] || fail "$how: a line is wider than 80"
  send_keys Enter
  wait_for 'replay is done' 5 || fail "$how: the replay did not end"
  send_keys q
  check_sane "$how"
done
pass
