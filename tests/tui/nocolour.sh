#!/usr/bin/env bash
# nocolour.sh — pictures that do not depend on colour.  With NO_COLOR=1 (on a 256-colour terminal) and on a
# monochrome terminal (TERM=xterm-mono): no colour escapes at all (capture-pane -e); plot boundary shades with
# density characters (░ ▒ ▓) so the boundary shows, and the classes keep distinct markers (o, x) with a key under
# the map; the loss plot's train and val curves have distinct legend glyphs (━━ solid, ╍╍ dashed).  In colour the
# same screen does use colours (the check is not vacuous).
. "$(dirname "$0")/tuilib.bash"

cat > "$TMPD/pic.fit" <<'FIT'
gen moons n=200 noise=0.1 seed=5
split val=0.25 seed=1
scale standard
model logistic
features poly degree=3
optim sgd lr=0.5
train 300
plot boundary
pause "the boundary"
plot loss
pause "the curves"
FIT
plot_rows() { screen_text | head -n "$1"; }

for how in NO_COLOR=1 TERM=xterm-mono colour; do
  live_replay "$how" pic.fit 'the boundary'
  shot=$(screen_text)
  if [ "$how" != colour ]; then
    for g in '░' '▓'; do grep -q "$g" <<<"$shot" || fail "$how: no '$g' in the boundary's shading"; done
  fi
  # The map's rows (between the title and the x axis) hold both classes' markers.
  map=$(sed -n '/decision boundary/,/└/p' <<<"$shot")
  grep -q 'o' <<<"$map" && grep -q 'x' <<<"$map" || fail "$how: the map does not show both markers o and x"
  grep -Eq '^ o 0  x 1(  ! wrong)? │ P\(class 1\): 0 .* 1$' <<<"$shot" || fail "$how: no key under the map"
  send_keys Enter
  wait_for 'the curves' 5 || fail "$how: the replay did not reach the curves"
  shot=$(screen_text)
  grep -q '━━ train' <<<"$shot" || fail "$how: no '━━ train' in the legend"
  grep -q '╍╍ val' <<<"$shot" || fail "$how: no '╍╍ val' in the legend"
  [ "$how" = colour ] || [ "$(colour_codes)" -eq 0 ] || fail "$how: colour escapes on the loss plot"
  [ "$(max_width)" -le 80 ] || fail "$how: a line is wider than 80"
  send_keys Enter
  wait_for 'replay is done' 5 || fail "$how: the replay did not end"
  send_keys q
  check_sane "$how"
done
pass
