#!/usr/bin/env bash
# tests/cli/signals.sh FITBENCH — the terminal is restored whatever ends the plain REPL (quit, SIGTERM, SIGHUP,
# SIGSEGV, abort, two signals at once, a storm of them), checked with stty through tmux; SIGPIPE on a closed pipe ends quietly.  (tests/tui/ covers the
# full-screen view.)  Prints "PASS signals NAME" / "FAIL signals NAME: why".
set -u
source "$(dirname "${BASH_SOURCE[0]}")/checks.bash"
# A fresh tmux server (socket) per case: starting one right after killing the last can race.
socks=()
newsock() { sock="fbsig-$$-$1"; socks+=("$sock"); }
stop_tmux() { local s; for s in "${socks[@]}"; do tmux -L "$s" kill-server 2>/dev/null; done; }
cli_setup "$1" stop_tmux
export OPENBLAS_NUM_THREADS=1

# SIGPIPE: output into a pipe whose reader has gone.  Quietly: no message, and no hang.
lots="$(printf 'help; %.0s' $(seq 1 200))"
"$fb" -c "$lots" 2>"$t/err.txt" | head -c 10 >/dev/null
rc="${PIPESTATUS[0]}"
if { [ "$rc" -eq 141 ] || [ "$rc" -eq 0 ]; } && [ ! -s "$t/err.txt" ]; then echo "PASS signals SIGPIPE ends quietly (exit $rc)"
else echo "FAIL signals SIGPIPE ends quietly: exit $rc, stderr: $(head -c 200 "$t/err.txt")"; fi
# The same with SIGPIPE ignored by the parent (Python's subprocess, some CI runners): writes fail with EPIPE, and
# lost output is an error (exit 1 and one line saying so; tests/cli/output.sh), never a hang or a silent 0.
(trap '' PIPE; timeout 20 "$fb" -c "$lots" 2>"$t/err.txt" | head -c 10 >/dev/null; exit "${PIPESTATUS[0]}")
rc=$?
if [ "$rc" -eq 1 ] && [ "$(grep -c . "$t/err.txt")" -eq 1 ] && grep -q 'could not write the output: Broken pipe' "$t/err.txt"
then echo "PASS signals EPIPE is reported (exit $rc)"
else echo "FAIL signals EPIPE is reported: exit $rc, stderr: $(head -c 200 "$t/err.txt")"; fi

command -v tmux >/dev/null || { echo "PASS signals terminal (tmux missing: skipped)"; exit 0; }
case "$fb" in *build-san*) san=1 ;; *) san=0 ;; esac

# The REPL runs under sh (not an interactive shell, which would repair the terminal itself); after it ends,
# stty shows what it left.  The pid file lets the test signal exactly that process.
# Pairs (HUP then TERM at once) and storms (every fatal signal, many times) too: the restore runs once to the end
# with the other signals held back (termguard.c).  After each, `stty -g` must be what it was before fitbench started.
storm() { local p=$1 i s; for i in $(seq 1 30); do for s in HUP TERM QUIT ABRT SEGV BUS; do kill -s "$s" "$p" 2>/dev/null; done; done; }
for how in quit TERM HUP SEGV ABRT pair1 pair2 pair3 storm; do
  newsock "$how"
  rm -f "$t/pid" "$t/stty.txt" "$t/exit.txt" "$t/stty.before" "$t/stty.after"
  tmux -L "$sock" new-session -d -s fb -x 100 -y 30 \
    "sh -c 'cd $t; stty -g > stty.before; echo \$\$ > pid; HOME=$t TERM=xterm XDG_STATE_HOME=$t/state ASAN_OPTIONS=handle_segv=0:handle_abort=0 exec $fb --plain' ; echo \$? > $t/exit.txt; stty -g > $t/stty.after; stty -a > $t/stty.txt; sleep 30"
  ok=0
  for _ in $(seq 1 100); do
    tmux -L "$sock" capture-pane -p -t fb | grep -q 'fitbench>' && { ok=1; break; }
    sleep 0.05
  done
  if [ "$ok" -ne 1 ]; then
    echo "FAIL signals $how: no prompt: $(tmux -L "$sock" capture-pane -p -t fb | tail -3 | tr '\n' '|')"
    tmux -L "$sock" kill-server 2>/dev/null; continue
  fi
  pid="$(cat "$t/pid")"
  case "$how" in
    quit) tmux -L "$sock" send-keys -t fb 'quit' Enter ;;
    pair*) kill -s HUP "$pid"; kill -s TERM "$pid" 2>/dev/null ;;
    storm) kill -s TERM "$pid"; storm "$pid" ;;
    *) kill -s "$how" "$pid" ;;
  esac
  for _ in $(seq 1 100); do [ -s "$t/stty.txt" ] && break; sleep 0.05; done
  st="$(cat "$t/exit.txt" 2>/dev/null)"
  if grep -qE '(^| )icanon( |$)' "$t/stty.txt" 2>/dev/null && grep -qE '(^| )echo( |$)' "$t/stty.txt" &&
     cmp -s "$t/stty.before" "$t/stty.after"; then
    echo "PASS signals $how restores the terminal (exit $st)"
  else
    echo "FAIL signals $how restores the terminal: exit $st, stty: $(grep -oE -- '-?icanon|-?echo( |$)' "$t/stty.txt" 2>/dev/null | tr '\n' ' ') stty -g before $(cat "$t/stty.before" 2>/dev/null) after $(cat "$t/stty.after" 2>/dev/null)"
  fi
  tmux -L "$sock" kill-server 2>/dev/null
done

# The Readline history is written atomically: with the file size limited (RLIMIT_FSIZE, as a full disk), typing
# a command must leave the old history byte-identical, with no temporary file beside it.
mkdir -p "$t/hs/fitbench"
for i in $(seq 1 150); do echo "echo old history line $i"; done >"$t/hs/fitbench/history"
cp "$t/hs/fitbench/history" "$t/history.orig"
rm -f "$t/exit.txt"
newsock history
tmux -L "$sock" new-session -d -s fb -x 100 -y 30 \
  "sh -c 'cd $t; trap \"\" XFSZ; ulimit -f 1; HOME=$t TERM=xterm XDG_STATE_HOME=$t/hs exec $fb --plain' ; echo \$? > $t/exit.txt; sleep 30"
for _ in $(seq 1 100); do tmux -L "$sock" capture-pane -p -t fb | grep -q 'fitbench>' && break; sleep 0.05; done
tmux -L "$sock" send-keys -t fb 'echo typed while the disk is full' Enter
sleep 0.3
tmux -L "$sock" send-keys -t fb 'quit' Enter
for _ in $(seq 1 100); do [ -s "$t/exit.txt" ] && break; sleep 0.05; done
if ! tmux -L "$sock" capture-pane -p -t fb | grep -q '^typed while the disk is full'; then
  echo "FAIL signals history on a full disk: the command did not run: $(tmux -L "$sock" capture-pane -p -t fb | tail -3 | tr '\n' '|')"
elif ! cmp -s "$t/hs/fitbench/history" "$t/history.orig"; then
  echo "FAIL signals history on a full disk: the old history changed ($(wc -c <"$t/hs/fitbench/history") bytes, was $(wc -c <"$t/history.orig"))"
elif ls "$t/hs/fitbench" | grep -q tmp; then
  echo "FAIL signals history on a full disk: a temporary file was left: $(ls "$t/hs/fitbench" | tr '\n' ' ')"
else
  echo "PASS signals history on a full disk keeps the old history"
fi
tmux -L "$sock" kill-server 2>/dev/null

# `record` flushes after every command: a process killed outright (SIGKILL, nothing can run) loses nothing typed.
rm -f "$t/pid" "$t/r.fit"
newsock record
tmux -L "$sock" new-session -d -s fb -x 100 -y 30 \
  "sh -c 'cd $t; echo \$\$ > pid; HOME=$t TERM=xterm XDG_STATE_HOME=$t/state exec $fb --plain'; sleep 30"
for _ in $(seq 1 100); do tmux -L "$sock" capture-pane -p -t fb | grep -q 'fitbench>' && break; sleep 0.05; done
tmux -L "$sock" send-keys -t fb 'record r.fit' Enter 'gen moons n=30 seed=2' Enter 'model logistic' Enter \
  'step 3' Enter 'echo ready' Enter
for _ in $(seq 1 100); do tmux -L "$sock" capture-pane -p -t fb | grep -q '^ready' && break; sleep 0.05; done
kill -KILL "$(cat "$t/pid")"
sleep 0.2
want=$'gen moons n=30 seed=2\nmodel logistic\nstep 3\necho ready'
if [ "$(cat "$t/r.fit" 2>/dev/null)" = "$want" ]; then echo "PASS signals record survives SIGKILL"
else echo "FAIL signals record survives SIGKILL: r.fit holds '$(tr '\n' '|' <"$t/r.fit" 2>/dev/null)'"; fi
tmux -L "$sock" kill-server 2>/dev/null
