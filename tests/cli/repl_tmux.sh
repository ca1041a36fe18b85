#!/usr/bin/env bash
# tests/cli/repl_tmux.sh FITBENCH — the plain Readline prompt driven through tmux: completion, Ctrl-C, history, keys
# that crashed Readline's callback mode, Ctrl-D.
set -u
fb="$1"
command -v tmux >/dev/null || { echo "PASS repl (tmux missing: skipped by scripts/test install)"; exit 0; }
sock="fbrepl-$$"
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
stop_tmux() { tmux -L "$sock" kill-server 2>/dev/null; }
cli_setup "$1" stop_tmux
tm() { tmux -L "$sock" "$@"; }
screen() { tm capture-pane -p -t fb; }
wait_for() { # regex, seconds
  local i
  for ((i = 0; i < ${2:-5} * 20; i++)); do
    screen | grep -qE -- "$1" && return 0
    sleep 0.05
  done
  return 1
}
check() { if "$@"; then echo "PASS repl $name"; else echo "FAIL repl $name: $(screen | tail -5 | tr '\n' '|')"; fi; }

tm new-session -d -s fb -x 100 -y 30 "cd $t && HOME=$t XDG_STATE_HOME=$t/state TERM=xterm $fb --plain; echo EXITED-\$?; sleep 30"
name="prompt appears"; check wait_for '^fitbench>' 5
tm send-keys -t fb 'opt' Tab
name="tab completes a command"; check wait_for '^fitbench> optim ?$' 3
tm send-keys -t fb 'ad' Tab Tab
name="tab lists values"; check wait_for 'adagrad' 3
tm send-keys -t fb C-c
sleep 0.2
tm send-keys -t fb 'echo cleared' Enter
name="Ctrl-C clears the line"; check wait_for '^cleared$' 3
tm send-keys -t fb 'load boston; scale standard; model linear; optim sgd lr=0.001; train 100000000' Enter
sleep 1
tm send-keys -t fb C-c
name="Ctrl-C stops training"; check wait_for 'interrupted after [0-9]+ epochs' 3
tm send-keys -t fb 'expect epoch > 0; echo kept' Enter
name="epochs kept after Ctrl-C"; check wait_for '^kept$' 3
# Keys that crashed Readline 8.2's callback mode (issue 13): Ctrl-R, a prefix key, any key; and their relatives.
for keys in "C-r C-x a" "C-r C-x )" "C-r Escape x" "C-x a" "C-x C-g" "C-y Escape y" "C-x ) C-x e" "Escape [200~ x"; do
  # shellcheck disable=SC2086
  tm send-keys -t fb $keys
  sleep 0.2
  tm send-keys -t fb C-a C-k 'echo still-here' Enter
  name="survives $keys"; check wait_for '^still-here$' 3
  tm send-keys -t fb C-l
done
tm send-keys -t fb C-d
name="Ctrl-D quits with status 0"; check wait_for 'EXITED-0' 3
name="history saved"; check grep -q 'echo kept' "$t/state/fitbench/history"
exit 0
