#!/usr/bin/env bash
# lessons.sh — every lesson in scripts/lessons/ played under --live as a class would see it: at 80×24 and 160×45,
# in colour, with NO_COLOR=1 and with TERM=xterm-mono (36 plays, two at a time, at pace 0.3 s so the suite stays
# short).  At each pause it checks what the lesson says is on the screen there — the `#> PATTERN` lines written
# in the lesson above that pause (grep -P on the captured screen; `#> @classes`: at least two distinct class
# markers on the map; `#> @legend`: at least two distinct legend glyphs) — and, at every pause, that no line is
# wider than the terminal and (without colour) that capture-pane -e shows no colour escapes; then it presses
# Enter.  The last `#>` lines (after the last pause) are checked at the end of the replay.  Exit status 0.
#   bash tests/tui/lessons.sh build/fitbench [LESSON.fit ...]
. "$(dirname "$0")/tuilib.bash"
shift
lessons=()
for l in "$@"; do lessons+=("$(realpath "$l")"); done
[ ${#lessons[@]} -gt 0 ] || lessons=("$SRCDIR"/scripts/lessons/*.fit)
PACE=${LESSON_PACE:-0.3}

# The pauses of a lesson, one per line: MESSAGE<TAB>PATTERN<TAB>PATTERN...; the end of the replay last.
pauses_of() {
  awk '
    /^[ \t]*#> / { sub(/^[ \t]*#> /, ""); pats = pats "\t" $0; next }
    /^[ \t]*pause([ \t]|$)/ {
      m = $0; sub(/^[ \t]*pause[ \t]*/, "", m); sub(/[ \t]+#.*$/, "", m)
      if (m ~ /^".*"$/ || m ~ /^\047.*\047$/) m = substr(m, 2, length(m) - 2)
      if (m == "") m = "paused"
      print m pats; pats = ""; next }
    END { print "the replay is done" pats }' "$1"
}


# The distinct class markers on a heat map: the plot rows (after the y axis, before a status pane).
map_markers() {
  screen_text | grep -E '^ *[-0-9.e]* *[┤│]' | sed -E 's/^ *[-0-9.e]* *[┤│]//; s/│.*$//' | grep -o '[ox+#*%@&]' | sort -u | wc -l
}
legend_glyphs() { screen_text | grep -oE '(━━|╍╍|┉┉|┅┅|•) [^ ]' | cut -c1-2 | sort -u | wc -l; }

# check_pause WHAT W MODE PATTERNS...: the screen now against the patterns.
check_pause() {
  local what=$1 w=$2 mode=$3 p shot
  shift 3
  shot=$(screen_text)
  for p in "$@"; do
    case "$p" in
      @classes) [ "$(map_markers)" -ge 2 ] || { echo "$what: fewer than two class markers on the map"; return 1; } ;;
      @legend) [ "$(legend_glyphs)" -ge 2 ] || { echo "$what: fewer than two distinct legend glyphs"; return 1; } ;;
      *) grep -qP -- "$p" <<<"$shot" || { echo "$what: /$p/ is not on the screen"; return 1; } ;;
    esac
  done
  [ "$(max_width)" -le "$w" ] || { echo "$what: a line is $(max_width) wide"; return 1; }
  if [ "$mode" != colour ] && [ "$(colour_codes)" -ne 0 ]; then echo "$what: colour escapes"; return 1; fi
  return 0
}

# play LESSON WxH MODE: one replay, every pause checked; prints nothing on success, the reason on failure.
play() {
  local lesson=$1 size=$2 mode=$3 w=${2%x*} h=${2#*x} env="" k=0 msg line head
  local name
  name=$(basename "$lesson" .fit)
  [ "$mode" != colour ] && env=$mode
  start_shell "$w" "$h" >/dev/null
  send_line "ulimit -c 0; env $env '$FB' -c 'set pace=$PACE' --live '$lesson'; echo FB_EXIT=\$?"
  while IFS= read -r line; do
    k=$((k + 1))
    IFS=$'\t' read -r -a parts <<<"$line"
    msg=${parts[0]}
    head=$(printf '%s' "${msg:0:24}" | sed 's/[][\\.^$*+?(){}|]/\\&/g')
    wait_for "❚❚ $head|replay stopped at an error" 90 || { echo "$name $size $mode: pause $k ($msg) never came"; return 1; }
    if screen_text | grep -q 'replay stopped at an error'; then
      echo "$name $size $mode: an error before pause $k: $(screen_text | grep -m1 -A1 'error:' | tr '\n' ' ')"; return 1
    fi
    wait_for 'key: go on' 5 || { echo "$name $size $mode: pause $k is not waiting"; return 1; }
    sleep 0.3 # the last frame
    check_pause "$name $size $mode pause $k ($msg)" "$w" "$mode" "${parts[@]:1}" || return 1
    send_keys Enter
  done < <(pauses_of "$lesson")
  wait_for 'FB_EXIT=' 10 || { echo "$name $size $mode: did not end after the last pause"; return 1; }
  screen_text | grep -q '^FB_EXIT=0' || { echo "$name $size $mode: exit status $(screen_text | grep -o 'FB_EXIT=[0-9]*')"; return 1; }
  return 0
}

jobs_file="$TMPD/jobs"
: > "$jobs_file"
for l in "${lessons[@]}"; do
  for size in 80x24 160x45; do
    for mode in colour NO_COLOR=1 TERM=xterm-mono; do
      printf '%s %s %s\n' "$l" "$size" "$mode" >> "$jobs_file"
    done
  done
done
export -f play check_pause pauses_of colour_codes map_markers legend_glyphs start_shell send_line send_keys \
  screen_text wait_for max_width fail
export FB TMPD SRCDIR PACE TEST_NAME
n=0
while read -r l size mode; do
  n=$((n + 1))
  ( NSTART=$((n * 10)); SOCK="fbtest-$$-$n"; out=$(play "$l" "$size" "$mode" 2>&1); rc=$?
    tmux -L "fbtest-$$-$((n * 10 + 1))" kill-server >/dev/null 2>&1
    [ $rc -eq 0 ] || echo "$out" >> "$TMPD/failures" ) &
  # two at a time
  if [ $((n % 2)) -eq 0 ]; then wait; fi
done < "$jobs_file"
wait
if [ -s "$TMPD/failures" ]; then
  fail "$(wc -l < "$TMPD/failures") of $n replays: $(head -n 3 "$TMPD/failures" | tr '\n' ';')"
fi
pass
