# tuilib.bash — shared by the tmux-driven workbench tests (sourced, not run).
# Each test: bash tests/tui/NAME.sh /path/to/fitbench ; prints "PASS name" or
# "FAIL name: why" and exits 0 / 1.  A private tmux server (-L fbtest-PID)
# holds one detached session; the screen is read with capture-pane.

TEST_NAME=$(basename "$0" .sh)
FB=${1:-}
HERE=$(cd "$(dirname "$0")" && pwd)
SRCDIR=$(cd "$HERE/../.." && pwd)
SOCK="fbtest-$$"
NSTART=0
TMPD=""

fail() {
    echo "FAIL $TEST_NAME: $*"
    if [ -n "${TUI_DEBUG:-}" ]; then screen_text >&2 || true; fi
    exit 1
}
pass() {
    echo "PASS $TEST_NAME"
    exit 0
}

cleanup() {
    tmux -L "$SOCK" kill-server >/dev/null 2>&1 || true
    # The killed programs may still be writing their history: retry briefly.
    if [ -n "$TMPD" ]; then
        for _ in 1 2 3 4 5; do rm -rf "$TMPD" 2>/dev/null && break; sleep 0.1; done
    fi
}
trap cleanup EXIT

[ -n "$FB" ] || fail "usage: $0 /path/to/fitbench"
[ -x "$FB" ] || fail "$FB is not an executable"
FB=$(cd "$(dirname "$FB")" && pwd)/$(basename "$FB")
command -v tmux >/dev/null || fail "tmux is not installed (scripts/test installs it)"
TMPD=$(mktemp -d "${TMPDIR:-/tmp}/fbtui.XXXXXX")
export LC_ALL=C.UTF-8   # so grep sees Braille as characters
# Never the user's files: whatever this test starts (tmux, the shell, fitbench) has a private home and state folder
# (the history goes to $TMPD/state/fitbench/history).  tests/tui/private_home.sh proves it.
export HOME="$TMPD" XDG_STATE_HOME="$TMPD/state" XDG_CONFIG_HOME="$TMPD/config" INPUTRC=/dev/null

# start_shell W H: a detached W×H session running a plain bash with prompt "$ ".
# The fitbench history goes to the temporary folder, datasets come from the tree.
start_shell() {
    # A fresh server each time: reusing a socket that is being killed races.
    tmux -L "$SOCK" kill-server >/dev/null 2>&1
    NSTART=$((NSTART + 1))
    SOCK="fbtest-$$-$NSTART"
    printf '%s\n' "PS1='\$ '" 'PROMPT_COMMAND=' > "$TMPD/bashrc"
    tmux -L "$SOCK" -f /dev/null new-session -d -x "$1" -y "$2" \
        -e LANG=C.UTF-8 -e LC_ALL=C.UTF-8 -e HOME="$TMPD" -e XDG_STATE_HOME="$TMPD/state" \
        -e FITBENCH_DATA="$SRCDIR/datasets" -e TERM=screen-256color \
        "cd '$TMPD' && exec bash --rcfile '$TMPD/bashrc' --noprofile -i" || fail "tmux would not start"
    tmux -L "$SOCK" set-option -g status off >/dev/null
    tmux -L "$SOCK" set-option -g window-size manual >/dev/null 2>&1 || true
    wait_for '^\$ *$' 5 || fail "the shell did not start"
}

# start_fb W H [ARGS...]: a shell, then fitbench in it; waits for the prompt.
start_fb() {
    local w=$1 h=$2
    shift 2
    start_shell "$w" "$h"
    send_line "ulimit -c 0; '$FB' $*; echo FB_EXIT=\$?"
    if [ $# -eq 0 ]; then wait_for '^fitbench>' 5 || fail "no fitbench prompt in the workbench"; fi
}

send_line() { tmux -L "$SOCK" send-keys -l -- "$1" && tmux -L "$SOCK" send-keys Enter; }
send_keys() { tmux -L "$SOCK" send-keys "$@"; }
screen_text() { tmux -L "$SOCK" capture-pane -p; }

# wait_for REGEX SECONDS: poll the screen until grep -E finds REGEX.
wait_for() {
    local re=$1 secs=${2:-5} i=0 n
    n=$(awk "BEGIN{print int($secs*20)}")
    while [ "$i" -le "$n" ]; do
        if screen_text 2>/dev/null | grep -Eq -- "$re"; then return 0; fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# wait_gone REGEX SECONDS: poll until REGEX is no longer on the screen.
wait_gone() {
    local re=$1 secs=${2:-5} i=0 n
    n=$(awk "BEGIN{print int($secs*20)}")
    while [ "$i" -le "$n" ]; do
        if ! screen_text 2>/dev/null | grep -Eq -- "$re"; then return 0; fi
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

has_braille() { screen_text | grep -qP '[\x{2800}-\x{28FF}]'; }

# The pid of the program running in the pane's shell (fitbench).
fb_pid() {
    local sh
    sh=$(tmux -L "$SOCK" display-message -p '#{pane_pid}')
    pgrep -P "$sh" | head -n 1
}

# After fitbench has gone: the shell prompt is back and stty shows a sane,
# line-mode terminal.  $1 describes how it left.  Sets FB_CODE to fitbench's
# exit status.
check_sane() {
    wait_for 'FB_EXIT=' 5 || fail "fitbench did not exit after $1"
    FB_CODE=$(screen_text | sed -n 's/^FB_EXIT=\([0-9]*\).*/\1/p' | tail -n 1)
    send_keys C-l
    send_line "stty -a | tr ' ;' '\n\n' | grep -E '^-?(icanon|echo|isig|icrnl|opost)\$' | tr '\n' ' '; echo STTY_\$((6*7))"
    wait_for 'STTY_42$' 5 || fail "the shell does not answer after $1"
    local line
    line=$(screen_text | grep -E 'STTY_42$' | tail -n 1)
    for flag in icanon echo isig icrnl opost; do
        echo " $line " | grep -q " $flag " || fail "after $1 the terminal lacks '$flag' (stty: $line)"
    done
}

# The widest line on the screen, in characters (awk may count bytes).
max_width() {
    local line max=0
    while IFS= read -r line; do
        [ "${#line}" -gt "$max" ] && max=${#line}
    done < <(screen_text)
    echo "$max"
}

# wait_count REGEX N SECONDS: poll until at least N screen lines match REGEX.
wait_count() {
    local re=$1 want=$2 secs=${3:-5} i=0 n
    n=$(awk "BEGIN{print int($secs*20)}")
    while [ "$i" -le "$n" ]; do
        [ "$(screen_text 2>/dev/null | grep -Ec -- "$re")" -ge "$want" ] && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

# colour_codes: how many lines of the screen hold a colour escape (SGR 30-37, 40-47, 90-97, 100-107, 38;/48;).
colour_codes() { tmux -L "$SOCK" capture-pane -e -p | grep -cP '\x1b\[[0-9;]*?(?<![0-9])(3[0-7]|4[0-7]|9[0-7]|10[0-7]|38;|48;)[0-9;]*m'; }

# live_replay HOW FIT PAUSE: an 80×24 shell running `fitbench --live FIT` in colour (HOW = colour) or under the
# environment HOW (NO_COLOR=1, TERM=xterm-mono), until PAUSE is on the screen; then the screen's colours must
# match HOW (some colour escapes in colour, none without).  Fails the test when either does not hold.
live_replay() {
  local how="$1" fit="$2" pause="$3" env="" n
  start_shell 80 24
  [ "$how" != colour ] && env="$how"
  send_line "ulimit -c 0; env $env '$FB' --live $fit; echo FB_EXIT=\$?"
  wait_for "$pause" 15 || fail "$how: the replay did not reach '$pause'"
  n=$(colour_codes)
  if [ "$how" = colour ]; then
    [ "$n" -gt 0 ] || fail "colour: no colour escapes on a colour terminal"
  else
    [ "$n" -eq 0 ] || fail "$how: $n lines with colour escapes"
  fi
}

# at_both_prompts FUNC: FUNC workbench in a 100×30 workbench, then FUNC plain at `--plain`, each session ended with
# quit (status 0 asserted).
at_both_prompts() {
    start_fb 100 30
    "$1" workbench
    send_line 'quit'
    wait_for 'FB_EXIT=0' 5 || fail "workbench: did not quit cleanly"
    start_fb 100 30 --plain
    wait_for '^fitbench>' 5 || fail "no plain prompt"
    "$1" plain
    send_line 'quit'
    wait_for 'FB_EXIT=0' 5 || fail "plain: did not quit cleanly"
}
