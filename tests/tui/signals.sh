#!/usr/bin/env bash
# signals.sh — whatever signals end the workbench, the terminal is restored: one signal (SIGTERM while training,
# SIGHUP and SIGSEGV at the prompt), pairs close together (SIGHUP then SIGTERM during `train`, five times: issue 13
# saw the alternate screen left on and the tty raw in 2 of 5), and storms (many fatal signals at once).  After
# each: fitbench died of the first signal, the shell's prompt is on the normal screen (tmux #{alternate_on} is 0),
# `stty -g` is what it was before fitbench started, and stty shows a line-mode terminal.
. "$(dirname "$0")/tuilib.bash"

alt_on() { tmux -L "$SOCK" display-message -p '#{alternate_on}'; }

# start_guarded: a shell that saved `stty -g`, then the workbench training (or idle when $1 = idle).
start_guarded() {
    start_shell 100 30
    send_line "stty -g > '$TMPD/stty.before'; echo SAVED_\$((6*7))"
    wait_for 'SAVED_42$' 5 || fail "the shell did not save stty"
    send_line "ulimit -c 0; '$FB'; echo FB_EXIT=\$?"
    wait_for '^fitbench>' 5 || fail "no fitbench prompt in the workbench"
    [ "$(alt_on)" = 1 ] || fail "the workbench is not on the alternate screen"
    if [ "$1" = train ]; then
        send_line 'load boston; scale standard; model linear; optim sgd lr=0.001; train 100000000'
        wait_for '▶ training' 5 || fail "$2: training did not start"
    fi
    pid=$(fb_pid)
    [ -n "$pid" ] || fail "$2: cannot find the fitbench process"
}

# after_death WHAT SIG...: the checks above; fitbench died of one of the signals SIG... (of two signals sent at once,
# either may be the one delivered first).
after_death() {
    check_sane "$1"
    [ "$(alt_on)" = 0 ] || fail "after $1 the terminal is still on the alternate screen"
    send_line "stty -g > '$TMPD/stty.after'; echo COMPARED_\$((6*7))"
    wait_for 'COMPARED_42$' 5 || fail "after $1 the shell does not answer"
    cmp -s "$TMPD/stty.before" "$TMPD/stty.after" ||
        fail "after $1 stty -g differs: before $(cat "$TMPD/stty.before"), after $(cat "$TMPD/stty.after")"
    local what=$1 s ok=0
    shift
    for s in "$@"; do [ "$FB_CODE" = "$((128 + $(kill -l "$s")))" ] && ok=1; done
    [ "$ok" = 1 ] || fail "$what: exit status $FB_CODE, not death by SIG$*"
}

for sig in TERM HUP SEGV; do
    mode=idle; [ "$sig" = TERM ] && mode=train
    start_guarded "$mode" "SIG$sig"
    kill -"$sig" "$pid"
    after_death "SIG$sig" "$sig"
done

# Pairs: SIGHUP then SIGTERM at once, during training; five runs.
for run in 1 2 3 4 5; do
    start_guarded train "pair $run"
    kill -HUP "$pid"; kill -TERM "$pid" 2>/dev/null
    after_death "SIGHUP+SIGTERM (run $run)" HUP TERM
done

# Storms: the first fatal signal, then many more of every kind while the handler runs.
for first in TERM QUIT; do
    start_guarded train "storm $first"
    kill -"$first" "$pid"
    for _ in $(seq 1 30); do
        for s in HUP TERM QUIT ABRT SEGV BUS; do kill -"$s" "$pid" 2>/dev/null; done
    done
    after_death "a storm of signals after SIG$first" "$first" HUP TERM QUIT ABRT SEGV BUS
done
pass
