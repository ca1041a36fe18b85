#!/usr/bin/env bash
# signals.sh — SIGTERM, SIGHUP and a fatal signal (SIGSEGV) to fitbench leave
# the terminal sane, and fitbench dies of that signal.
. "$(dirname "$0")/tuilib.bash"

for sig in TERM HUP SEGV; do
    start_fb 100 30
    # Busy training or idle at the prompt: both must restore.
    if [ "$sig" = TERM ]; then
        send_line 'load boston; scale standard; model linear; optim sgd lr=0.001; train 1000000'
        wait_for '▶ training' 5 || fail "SIG$sig: training did not start"
    fi
    pid=$(fb_pid)
    [ -n "$pid" ] || fail "SIG$sig: cannot find the fitbench process"
    kill -"$sig" "$pid"
    check_sane "SIG$sig"
    want=$((128 + $(kill -l "$sig")))
    [ "$FB_CODE" = "$want" ] || fail "SIG$sig: exit status $FB_CODE, not $want (death by the signal)"
done
pass
