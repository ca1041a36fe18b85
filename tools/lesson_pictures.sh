#!/usr/bin/env bash
# lesson_pictures.sh — the pictures in docs/teaching.md: each lesson's key moment as the room sees it.
#   bash tools/lesson_pictures.sh build/fitbench [OUTDIR]        (OUTDIR defaults to docs/img)
# Plays every lesson under `fitbench --live` in a private tmux server at 100×30 (HOME is a temporary folder), once
# in colour and once with NO_COLOR=1; at the pause whose message matches the lesson's row below it saves
#   OUTDIR/lesson-NN.txt  the NO_COLOR screen (the text block in docs/teaching.md), and
#   OUTDIR/lesson-NN.svg  the colour screen rendered by termtosvg (Debian package termtosvg; installed when
#                         missing and running as root), one SVG text cell per terminal cell.
# Exit status 1 when a lesson does not reach its moment or a tool is missing.
set -u
fb=$(realpath "$1")
src=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$src/docs/img}
W=100 H=30
mkdir -p "$out" || exit 1

# lesson file, then an ERE for the message of the pause that shows the lesson's key moment.
moments=(
  "01-linear-regression.fit" "landed on the closed form"
  "02-learning-rate.fit" "overshot more than it gained"
  "03-momentum-and-adam.fit" "plain SGD crawls"
  "04-under-and-overfitting.fit" "They parted"
  "05-logistic-regression.fit" "boundary bends around"
  "06-mlp-spiral.fit" "regions wound around"
  "07-hidden-neurons.fit" "box the inner circle"
  "08-bias-and-variance.fit" "val r2 peaks at degree 3"
)

if ! command -v termtosvg >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get install -y termtosvg >/dev/null || { echo "lesson_pictures: apt-get install termtosvg failed" >&2; exit 1; }
  else
    echo "lesson_pictures: needs termtosvg (apt-get install termtosvg)" >&2
    exit 1
  fi
fi

tmp=$(mktemp -d /tmp/fb-pictures-XXXX)
sock=fbpict$$
tm() { tmux -L "$sock" "$@"; }
trap 'tm kill-server 2>/dev/null; rm -rf "$tmp"' EXIT

# capture LESSON PATTERN ENV FILE [-e]: plays LESSON, pressing Enter at every pause, and saves the screen at
# the pause whose text matches PATTERN into FILE (with colour codes when -e).  Fails when it never comes.
capture() {
  local lesson=$1 pat=$2 env=$3 file=$4 flag=${5:-} screen last=""
  mkdir -p "$tmp/home"
  tm -f /dev/null new-session -d -s play -x $W -y $H \
    "env TERM=xterm-256color HOME=$tmp/home XDG_STATE_HOME=$tmp/home/state $env $fb --live $lesson; sleep 600"
  for _ in $(seq 1 3000); do
    sleep 0.1
    screen=$(tm capture-pane -p -t play 2>/dev/null) || break
    grep -qiE 'press a key|any key: go on' <<<"$screen" && [ "$screen" != "$last" ] || continue
    if grep -qE "❚❚ .*($pat)" <<<"$screen"; then
      tm capture-pane $flag -p -t play > "$file"
      tm kill-server
      return 0
    fi
    last=$screen
    tm send-keys -t play Enter
    sleep 0.3
  done
  tm kill-server 2>/dev/null
  return 1
}

# svg ANSI SVG: the screen in ANSI (one line per terminal row) drawn by termtosvg.  Each row is put at its
# place with a cursor move, so no row can wrap or scroll the screen; xml:space keeps runs of blanks in
# renderers that ignore the template's CSS white-space.
svg() {
  local cast=$tmp/screen.cast frames=$tmp/frames
  rm -rf "$frames"
  {
    printf '{"version": 2, "width": %d, "height": %d}\n' $W $H
    printf '[0.0, "o", "'
    awk '{ printf "\\u001b[%d;1H", NR; gsub(/\\/, "\\\\"); gsub(/"/, "\\\""); gsub(/\033/, "\\u001b"); printf "%s\\u001b[0m", $0 }' "$1"
    printf '"]\n[1.0, "o", "\\u001b[?25l"]\n'
  } > "$cast"
  termtosvg render "$cast" "$frames" -s >/dev/null 2>&1 || return 1
  local last
  last=$(ls "$frames"/*.svg | tail -n 1)
  sed '0,/<svg /s//<svg xml:space="preserve" /' "$last" > "$2"
}

status=0
for ((i = 0; i < ${#moments[@]}; i += 2)); do
  lesson=$src/scripts/lessons/${moments[i]} pat=${moments[i + 1]}
  n=${moments[i]%%-*}
  if capture "$lesson" "$pat" NO_COLOR=1 "$out/lesson-$n.txt" &&
     capture "$lesson" "$pat" "" "$tmp/colour.ansi" -e && svg "$tmp/colour.ansi" "$out/lesson-$n.svg"; then
    echo "lesson $n: $out/lesson-$n.svg, $out/lesson-$n.txt"
  else
    echo "lesson $n: the pause /$pat/ was not reached (or termtosvg failed)" >&2
    status=1
  fi
done
exit $status
