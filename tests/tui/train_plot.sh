#!/usr/bin/env bash
# train_plot.sh — after training boston in the workbench (120×40 and 100×30),
# the screen shows a Braille loss curve with axes and legend, and the status
# pane shows epoch 200 and the loss.
. "$(dirname "$0")/tuilib.bash"

CMD='load boston; scale standard; model linear; loss mse; optim sgd lr=0.01; train 200'
for size in "120 40" "100 30"; do
    set -- $size
    start_fb "$1" "$2"
    send_line "$CMD"
    wait_for '^epoch 200  train_loss' 10 || fail "$1×$2: training did not finish"
    has_braille || fail "$1×$2: no Braille characters on the screen"
    screen_text | grep -q '┤' || fail "$1×$2: no y axis ticks"
    screen_text | grep -q '└' || fail "$1×$2: no x axis"
    screen_text | grep -Eq '━━ train' || fail "$1×$2: no legend entry 'train'"
    screen_text | grep -Eq '│ epoch +200( |$)' || fail "$1×$2: the status pane does not show epoch 200"
    # The loss the status shows is the one the output pane printed.
    loss=$(screen_text | sed -n 's/^epoch 200  train_loss \([0-9.e+-]*\).*/\1/p' | tail -n 1)
    [ -n "$loss" ] || fail "$1×$2: no final loss printed"
    screen_text | grep -Eq "│ train loss +$loss( |\$)" || fail "$1×$2: the status pane does not show train loss $loss"
    screen_text | grep -q '200 *$' || fail "$1×$2: the x axis does not reach 200"
    # Nothing wider than the window.
    [ "$(max_width)" -le "$1" ] || fail "$1×$2: a line is wider than the window"
    [ "$(screen_text | wc -l)" -eq "$2" ] || fail "$1×$2: the screen is not $2 lines"
done
pass
