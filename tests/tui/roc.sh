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
colour_codes() { tmux -L "$SOCK" capture-pane -e -p | grep -cP '\x1b\[[0-9;]*?(?<![0-9])(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;|48;)[0-9;]*m'; }

for how in NO_COLOR=1 TERM=xterm-mono colour; do
  start_shell 80 24
  env=""; [ "$how" != colour ] && env="$how"
  send_line "ulimit -c 0; env $env '$FB' --live roc.fit; echo FB_EXIT=\$?"
  wait_for 'the roc' 15 || fail "$how: the replay did not reach plot roc"
  shot=$(screen_text)
  n=$(colour_codes)
  if [ "$how" = colour ]; then
    [ "$n" -gt 0 ] || fail "colour: no colour escapes on a colour terminal"
  else
    [ "$n" -eq 0 ] || fail "$how: $n lines with colour escapes"
  fi
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
