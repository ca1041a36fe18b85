/* tui_train.c — the train hooks: keys while a command runs (stop, pause, lr ±), live redraws, `pause`. */
#include "tui_internal.h"

#include <string.h>

#include "fitbench/strutil.h"

/* Is it time to look at the clock-driven work (keys, drawing)?  Reading even
 * the coarse clock after every one of millions of sub-microsecond epochs
 * shows up in the timings, so the clock is read every `skip` calls, with
 * skip adapted to about one read per clock tick. */
static bool due(Tui *t, Due *d)
{
    if (++d->calls < d->skip)
        return false;
    d->calls = 0;
    double now = coarse_s();
    double dt = now - d->last;
    d->last = now;
    if (dt < 0.001 && d->skip < 4096)
        d->skip *= 2;
    else if (dt > 0.004 && d->skip > 1)
        d->skip /= 2;
    return now >= t->next_poll || now >= t->next_draw || now >= t->next_plot;
}

/* + and -: double or halve the lr from the next epoch on.  The change waits
 * for the epoch to end (a minibatch epoch keeps one lr, as its history row
 * says) and is then made as `optim NAME lr=X schedule=scale` would make it:
 * the optimizer's lr and the schedule's current and base lr, so a schedule
 * keeps its shape.  It is marked in the session's live log, so the command is
 * logged (save session, record) as the training before it, that optim line
 * and the training after it, and replays bit for bit. */
static void lr_key(Tui *t, double f)
{
    Session *s = t->it->s;
    char a[32];
    if (!s->live.open || s->live.closed) {
        tui_note(t, LINE_WARN, "%s", s->live.closed ? s->live.closed : "the lr keys act on train and step only");
        tui_force_draw(t);
        return;
    }
    double p = tui_pending(t) * f, lr = s->ts.sched.lr * p, olr = s->setup.opt.lr * p;
    if (!(lr >= 1e-300 && lr <= 1e100 && olr >= 1e-300 && olr <= 1e100)) {
        tui_note(t, LINE_WARN, "lr stays at %s: %s would be out of range",
                 fb_fmt(a, sizeof a, s->ts.sched.lr * tui_pending(t), 6), f > 1 ? "doubling" : "halving");
        tui_force_draw(t);
        return;
    }
    t->lr_pending = p;
    /* Keys are read after a minibatch, so the epoch in progress is epoch+1 even when that batch ended it. */
    tui_note(t, LINE_NOTE, "lr %s %s from epoch %ld", f > 1 ? "\u00d72 \u2192" : "\u00f72 \u2192",
             fb_fmt(a, sizeof a, lr, 6), s->ts.epoch + 2);
    tui_force_draw(t);
}

/* Make the change the keys asked for, now: between epochs, or when training stops. */
static void lr_apply(Tui *t)
{
    if (tui_pending(t) == 1.0)
        return;
    Session *s = t->it->s;
    double lr = s->setup.opt.lr * tui_pending(t);
    t->lr_pending = 1.0;
    FbErr e;
    if (session_lr_mark(s, lr, &e))
        tui_note(t, LINE_ERR, "error: the lr stays: %s", e.msg);
    tui_force_draw(t);
}

/* ---- pace (set pace=SECONDS) ----
 * A paced command waits after each unit of work (an epoch; an update for step batch and lrfind) until
 * done/total of the pace has passed since it started, so the room sees it happen.  It only waits: the updates and
 * their order are those of an unpaced run, bit for bit. */

/* The pace a command starts with: the session's, else PACE_LIVE in a --live replay and 0 at the prompt. */
static double pace_of(const Interp *it)
{
    double p = it->s->set.pace;
    return p >= 0 ? p : it->live ? PACE_LIVE : 0;
}

/* Change the pace of the running command to p, keeping its place: the share of the pace already shown stays. */
static void pace_change(Tui *t, Interp *it, double p)
{
    double now = now_s(), frac;
    if (t->pace_s > 0)
        frac = (now - t->pace_t0) / t->pace_s;
    else
        frac = it->work_total > 0 ? (double)it->work_done / (double)it->work_total : 1;
    t->pace_s = p;
    t->pace_t0 = now - frac * p;
    tui_force_draw(t);
}

/* < slower (twice as long), > faster (half), e: straight to the end.  < and > set the session's pace for the
 * commands after this one too; e only this command's. */
static void pace_key(Tui *t, Interp *it, unsigned char c)
{
    Session *s = it->s;
    double p = t->pace_s;
    if (c == 'e') {
        pace_change(t, it, 0);
        tui_note(t, LINE_NOTE, "straight to the end of this command");
        return;
    }
    if (c == '<' || c == ',')
        p = p > 0 ? p * 2 : 1;
    else
        p = p > 0.25 ? p / 2 : 0;
    if (p > 3600)
        p = 3600;
    s->set.pace = p;
    pace_change(t, it, p);
}

/* Keys while a command runs.  Returns 1 when the user asked to stop. */
static int training_keys(Tui *t)
{
    int stop = 0;
    while (tui_fill_input(t, 0) > 0) {
        while (t->inpos < t->inlen) {
            unsigned char c = t->in[t->inpos++];
            if (c == 0x1b) {
                if (t->inpos < t->inlen && (t->in[t->inpos] == '[' || t->in[t->inpos] == 'O')) {
                    /* An escape sequence: PageUp/PageDown scroll, the rest is ignored. */
                    size_t j = t->inpos + 1;
                    while (j < t->inlen && !(t->in[j] >= 0x40 && t->in[j] <= 0x7e))
                        j++;
                    if (j < t->inlen && t->in[j] == '~' && j == t->inpos + 2) {
                        if (t->in[t->inpos + 1] == '5')
                            tui_scroll_by(t, t->out_h - 1);
                        else if (t->in[t->inpos + 1] == '6')
                            tui_scroll_by(t, -(t->out_h - 1));
                    }
                    t->inpos = j < t->inlen ? j + 1 : t->inlen;
                } else
                    stop = 1; /* Esc on its own */
            } else if (c == 3) {
                stop = 1;
            } else if (c == 15) {
                tui_toggle_big_output(t);
            } else if (c == ' ' && t->training) {
                t->paused = !t->paused;
                tui_force_draw(t);
            } else if ((c == '+' || c == '=') && t->training) {
                lr_key(t, 2.0);
            } else if ((c == '-' || c == '_') && t->training) {
                lr_key(t, 0.5);
            } else if (t->training && c && strchr("<>,.e", c)) {
                pace_key(t, t->it, c);
            }
        }
    }
    return stop;
}

/* Keys now, and the pause (space) they may start; resize.  Returns 1 when the user asked to stop. */
static int poll_keys(Tui *t, Interp *it)
{
    tui_service_winch(t);
    int stop = training_keys(t);
    double p0 = now_s();
    bool was = t->paused;
    if (was && it->hold)
        atomic_store(it->hold, 1);
    while (t->paused && !stop && !(it->interrupt && *it->interrupt)) {
        tui_force_draw(t);
        if (tui_fill_input(t, 250) < 0)
            break;
        tui_service_winch(t);
        stop = training_keys(t);
    }
    if (was)
        t->pace_t0 += now_s() - p0; /* the pace's clock stood still while paused */
    if (was && it->hold)
        atomic_store(it->hold, 0);
    if (stop) {
        t->paused = false;
        if (it->interrupt)
            *it->interrupt = 1; /* as Ctrl-C: "interrupted after N epochs; the state is kept" */
    }
    return stop;
}

/* The work of the train_epoch / train_batch hooks: keys, resize, redraw. */
static int tick(Tui *t, Interp *it)
{
    if (!due(t, &t->due_batch))
        return 0;
    double now = coarse_s();
    int stop = 0;
    if (now >= t->next_poll) {
        t->next_poll = now + POLL_S;
        stop = poll_keys(t, it);
    }
    tui_maybe_draw(t);
    return stop;
}

/* Hold the command back until work_done/work_total of the pace has passed, drawing and reading keys meanwhile.
 * Returns 1 when the user asked to stop. */
static int pace_wait(Tui *t, Interp *it)
{
    int stop = 0;
    while (!stop && t->pace_s > 0 && it->work_total > 0 && !(it->interrupt && *it->interrupt)) {
        double target = t->pace_t0 + t->pace_s * (double)it->work_done / (double)it->work_total;
        double left = target - now_s();
        if (left <= 0)
            break;
        tui_maybe_draw(t);
        int ms = (int)(1000 * (left < POLL_S ? left : POLL_S)) + 1;
        if (tui_fill_input(t, ms) < 0)
            break;
        stop = poll_keys(t, it);
    }
    return stop;
}

long tui_fe_work_allowed(void *ctx, Interp *it)
{
    Tui *t = ctx;
    if (t->paused)
        return it->work_done;
    if (t->pace_s <= 0 || it->work_total <= 0)
        return it->work_total;
    double f = (now_s() - t->pace_t0) / t->pace_s;
    if (f < 0)
        return it->work_done;
    return f >= 1 ? it->work_total : (long)(f * (double)it->work_total) + 1;
}

void tui_fe_train_begin(void *ctx, Interp *it)
{
    Tui *t = ctx;
    t->training = true;
    t->paused = false;
    t->lr_pending = 1.0;
    t->train_epoch0 = it->s->ts.epoch;
    t->train_t0 = t->pace_t0 = now_s();
    t->pace_s = pace_of(it);
    t->next_poll = 0;
    t->due_batch = t->due_epoch = (Due){0, 1, 0};
    tui_force_draw(t);
}

void tui_fe_train_end(void *ctx, Interp *it)
{
    Tui *t = ctx;
    /* sleep's once-in-50-ms calls must not wait for thousands of calls */
    t->due_batch = t->due_epoch = (Due){0, 1, 0};
    (void)it;
    lr_apply(t); /* a key read in the last epoch counts from the next command on */
    t->training = false;
    t->paused = false;
    t->pace_s = 0;
    tui_force_draw(t);
}

/* Keys are read after a batch only: stopping there makes train_run report
 * "interrupted after N epochs", as Ctrl-C does. */
int tui_fe_train_batch(void *ctx, Interp *it)
{
    Tui *t = ctx;
    int stop = tick(t, it);
    return stop || t->pace_s <= 0 || it->hold ? stop : pace_wait(t, it); /* work elsewhere: work_allowed paces it */
}

int tui_fe_train_epoch(void *ctx, Interp *it)
{
    Tui *t = ctx;
    lr_apply(t);
    if (t->pace_s > 0)
        return pace_wait(t, it);
    if (due(t, &t->due_epoch))
        tui_maybe_draw(t);
    return 0;
}

void tui_fe_redraw(void *ctx, Interp *it)
{
    (void)it;
    tui_force_draw(ctx);
}

/* During a pause: the keys that only change the view (PgUp, PgDn, Ctrl-O), all of them used up; false when
 * the input holds any other key. */
static bool pause_view_key(Tui *t)
{
    size_t at = t->inpos;
    while (at < t->inlen) {
        size_t k = tui_page_key(t, t->in + at, t->inlen - at);
        if (k) {
            at += k;
        } else if (t->in[at] == 15) {
            tui_toggle_big_output(t);
            at++;
        } else {
            return false;
        }
    }
    t->inpos = t->inlen = 0;
    return true;
}

/* `pause [msg]` in a live replay: show the message and wait for any key. */
void tui_fe_pause(void *ctx, Interp *it, const char *msg)
{
    Tui *t = ctx;
    tui_flush_partials(t);
    tui_note(t, LINE_NOTE, "\u275a\u275a %s", msg && *msg ? msg : "paused");
    t->scroll = 0;
    t->waiting = true;
    tui_force_draw(t);
    t->inpos = t->inlen = 0;
    for (;;) {
        int r = tui_fill_input(t, 500);
        if (r < 0 || (it->interrupt && *it->interrupt))
            break;
        tui_service_winch(t);
        if (r > 0 && pause_view_key(t))
            continue; /* PgUp, PgDn, Ctrl-O: looking around, not "go on" */
        if (r > 0) {
            t->inpos = t->inlen = 0; /* the key (and any sequence it started) is used up */
            break;
        }
    }
    t->waiting = false;
    tui_force_draw(t);
}
