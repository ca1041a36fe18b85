/* tui_internal.h — what the workbench's files (tui*.c) share: the Tui state, its sizes, and their helpers. */
#ifndef FITBENCH_TUI_INTERNAL_H
#define FITBENCH_TUI_INTERNAL_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include "fitbench/tui.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#include <wchar.h>

#include <curses.h>

#include "fitbench/grid.h"
#include "fitbench/history.h"

/* ---- sizes and timing ----------------------------------------------------- */

#define MIN_W 60           /* below this the screen shows a note, not a broken picture */
#define MIN_H 15
#define SIDE_W 100         /* from this width the status pane sits right of the plot */
#define STATUS_W 30
#define OUT_MAX 10000      /* output pane scrollback, lines */
/* At most 10 redraws a second while a command runs (the keys that change
 * the view, space, + - and scrolling, redraw at once).  Each frame costs more than its own drawing
 * time says: the terminal wakes up for it and parses it on the same cores.
 * W2 in the workbench took 3.9% longer than --plain at 30 a second, 1.2% at
 * 10 (medians of 9, bench/tui_overhead.sh, 2-core VM). */
#define FRAME_S (1.0 / 10)
/* Wait at least DRAW_SHARE times a redraw's own cost, for the same reason:
 * what a redraw costs the terminal is not in that figure. */
#define DRAW_SHARE 300.0
/* While a paced command waits (set pace=), the time is idle anyway: a redraw may cost up to a third of it. */
#define PACE_DRAW_SHARE 3.0
#define POLL_S 0.02        /* look at the keyboard every 20 ms while busy */
#define PROMPT "fitbench> "

/* ---- the output pane's lines ------------------------------------------------ */

enum { LINE_OUT, LINE_ERR, LINE_WARN, LINE_NOTE, LINE_CMD };

typedef struct OutLine {
    wchar_t *text; /* one column per character (tabs expanded, controls shown as '?') */
    int len;
    int kind;
} OutLine;

/* A partly written line of one sink. */
typedef struct Partial {
    char *buf;
    size_t len, cap;
} Partial;

#define THIN_FROM 4096     /* shorter histories are plotted as they are */
#define THIN_BUCKETS 1024  /* at most this many buckets (pairs merge beyond) */
#define THIN_Q 8           /* train_loss, val_loss, lr, grad_norm, the two metrics on train and val */

typedef struct Bucket {
    HistRow first, last, lo[THIN_Q], hi[THIN_Q];
    size_t n;
} Bucket;

typedef struct Thin {
    Bucket *b;        /* THIN_BUCKETS + 1: the full ones, then the open one */
    size_t nb;        /* full buckets */
    size_t per;       /* rows per full bucket (a power of two) */
    size_t done;      /* history rows folded in */
    HistRow first, last; /* rows 0 and done-1 as they were: is the cache still this history? */
    HistRow *rows;    /* the thinned rows handed to the plot */
    size_t cap;
} Thin;

/* When the clock was last read, and how many calls to let pass between reads. */
typedef struct Due {
    long calls, skip;
    double last;
} Due;

typedef struct Tui {
    Interp *it;
    FrontEnd fe;
    Sink out_sink, err_sink;
    /* The interpreter's own, given back when the workbench closes. */
    Sink *old_out, *old_err;
    const FrontEnd *old_fe;
    bool old_interactive;
    FILE *devnull;    /* Readline's output while it runs inside ncurses */
    bool interactive; /* the prompt follows the replays */
    int replayed;     /* script files replayed so far */
    Partial part[2];
    /* Scrollback: a ring of OUT_MAX lines, oldest at `first`. */
    OutLine *ring;
    size_t nlines, first;
    int scroll; /* screen rows scrolled back from the newest line */

    /* Layout. */
    int W, H;
    bool small, side;
    int plot_x, plot_y, plot_w, plot_h;
    int stat_x, stat_y, stat_w, stat_h;
    int sep_y, out_y, out_h, cmd_y;
    Grid *grid;
    SCREEN *scr;
    Thin thin;
    bool out_dirty; /* the output pane or its separator changed since drawn */
    bool big_out;   /* Ctrl-O: the output pane takes the plot's rows (long help, explain, show) */

    /* Colour pairs, allocated on first use. */
    bool color;
    short pair[32][32];
    int npairs;

    /* State of the loop. */
    bool busy;      /* a command is running */
    bool training;
    bool paused;
    bool eof;
    bool waiting;   /* pause: "press a key" */
    double lr_pending; /* +/- pressed: the factor for the lr from the next epoch on (1 = none) */
    long train_epoch0;
    double train_t0;
    double pace_s;     /* the running command lasts at least this long (0: as fast as it goes) */
    double pace_t0;    /* when the pace's clock started (moved on by a pause or a change of pace) */
    double next_draw, next_plot, next_poll;
    Due due_batch, due_epoch; /* one each: the two hooks alternate */
    unsigned char in[512];
    size_t inlen, inpos;
    char hist[4096];
    /* Best loss so far, kept incrementally (the history can be long). */
    const HistRow *best_rows;
    size_t best_n;
    double best;
    long best_epoch;
} Tui;

/* Extra pseudo-indices for the panes' own text. */
enum { UI_ERR = 24, UI_WARN, UI_NOTE, UI_CMD, UI_DIM, UI_HEAD };

/* Readline's callbacks carry no context pointer, so the workbench keeps
 * itself here while it runs. */
extern Tui *tui_cur;

/* ---- clocks ------------------------------------------------------------------ */

static inline double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* For the per-batch checks "is it time to look at the keys / redraw": a few
 * nanoseconds (a read of the kernel's tick), precise to a few ms, which is
 * plenty for a 33 ms frame. */
static inline double coarse_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* ---- the output pane (tui_output.c) -------------------------------------------- */

/* UTF-8 to one-column characters: tabs to spaces, controls and bad bytes to '?'.
 * Returns a malloc'ed array the caller frees (NULL on out of memory), its length in *len. */
wchar_t *tui_widen(const char *s, size_t n, int *len);

/* Line i of the scrollback, 0 = the oldest kept. */
OutLine *tui_line_at(Tui *t, size_t i);

/* Append a line of kind LINE_*; out of memory loses the line, nothing else. */
void tui_add_line(Tui *t, const char *s, size_t n, int kind);

/* The Sink write functions of the output and error sinks (ctx: the Tui). */
void tui_out_write(void *ctx, const char *s, size_t n);
void tui_err_write(void *ctx, const char *s, size_t n);

/* End the sinks' partly written lines, so they show. */
void tui_flush_partials(Tui *t);

/* A printf-formatted line of kind LINE_* in the output pane (cut at 511 bytes). */
void tui_note(Tui *t, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Draw the separator line with its key hints / the output pane's lines. */
void tui_draw_separator(Tui *t);
void tui_draw_output(Tui *t);

/* Scroll the output pane back by rows (forward when negative), within the scrollback. */
void tui_scroll_by(Tui *t, int rows);

/* ---- the screen (tui_screen.c) ------------------------------------------------- */

/* One character / a text clipped to w columns at (y, x); fg, bg: grid or UI_* colours. */
void tui_put_wc(Tui *t, int y, int x, wchar_t c, int fg, int bg, attr_t attr);
void tui_put_text(Tui *t, int y, int x, int w, const char *s, int fg, attr_t attr);

/* Place the panes for the current screen size (and make the plot's grid). */
void tui_layout(Tui *t);

/* Draw the command line and put the cursor on it. */
void tui_draw_cmdline(Tui *t);

/* Redraw what is due / everything now. */
void tui_maybe_draw(Tui *t);
void tui_force_draw(Tui *t);

/* Take the terminal's new size and redraw. */
void tui_relayout(Tui *t);

/* Ctrl-O: give the output pane the plot's rows, or give them back; redraws. */
void tui_toggle_big_output(Tui *t);

/* A page-key sequence at in[0..n) (ESC [ 5 ~ / ESC [ 6 ~): scroll the output pane a page and return the bytes it
 * took; 0 when it is not one. */
size_t tui_page_key(Tui *t, const unsigned char *in, size_t n);

/* ---- the plot and status panes (tui_plot.c, tui_status.c) ---------------------- */

void tui_draw_plot(Tui *t);
void tui_draw_status(Tui *t);

/* The factor +/- asked for that the lr has not taken yet (1 = none). */
double tui_pending(const Tui *t);

/* ---- the train hooks (tui_train.c): the FrontEnd members, see command.h --------- */

void tui_fe_train_begin(void *ctx, Interp *it);
void tui_fe_train_end(void *ctx, Interp *it);
int tui_fe_train_batch(void *ctx, Interp *it);
long tui_fe_work_allowed(void *ctx, Interp *it); /* FrontEnd.work_allowed: the pace's share of the work by now */
int tui_fe_train_epoch(void *ctx, Interp *it);
void tui_fe_redraw(void *ctx, Interp *it);
void tui_fe_pause(void *ctx, Interp *it, const char *msg);

/* ---- keyboard and Readline (tui_input.c) --------------------------------------- */

/* Fill t->in from the terminal, waiting up to timeout_ms (-1: no limit).
 * 1: bytes are there, 0: timeout or a signal, -1: the terminal is gone. */
int tui_fill_input(Tui *t, int timeout_ms);

/* Write Readline's history to t->hist atomically (repl_save_history: on failure the old file stays). */
void tui_save_history(Tui *t);

/* Readline's line handler: run the line (NULL: end of input). */
void tui_on_line(char *line);

/* Ctrl-C at the prompt: drop the line, a fresh prompt. */
void tui_prompt_interrupted(Tui *t);

/* Set Readline up for callback mode inside the screen; it writes to devnull. */
void tui_readline_setup(Tui *t, FILE *devnull);

/* ---- signals (tui.c) ----------------------------------------------------------- */

/* Re-lay out the screen if SIGWINCH came since the last look. */
void tui_service_winch(Tui *t);

#endif
