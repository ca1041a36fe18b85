/* tui.c — the full-screen workbench: plot, status and output panes, Readline in callback mode inside ncurses. */
#define NCURSES_WIDECHAR 1
#include "fitbench/tui.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <wchar.h>

#include <curses.h>
#include <term.h>

#include <readline/history.h>
#include <readline/readline.h>

#include "fitbench/chart.h"
#include "fitbench/plotview.h"
#include "fitbench/repl.h"
#include "fitbench/script.h"
#include "fitbench/strutil.h"

/* ---- sizes and timing ----------------------------------------------------- */

#define MIN_W 60           /* below this the screen shows a note, not a broken picture */
#define MIN_H 15
#define SIDE_W 100         /* from this width the status pane sits right of the plot */
#define STATUS_W 30
#define OUT_MAX 10000      /* output pane scrollback, lines */
#define FRAME_S (1.0 / 30) /* at most ~30 redraws a second */
#define DRAW_SHARE 100.0   /* wait at least 100× a redraw's cost: each kind stays ≤ 1% */
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
#define THIN_Q 4           /* train_loss, val_loss, lr, grad_norm */

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

/* Readline's callbacks carry no context pointer, so the workbench keeps
 * itself here while it runs. */
static Tui *T;

/* ---- terminal safety -------------------------------------------------------
 * A signal handler may only use async-signal-safe calls, so the way back to a
 * sane terminal is prepared in advance: the termios the shell had and the
 * escape sequences that leave the alternate screen and show the cursor. */

static volatile sig_atomic_t tui_active;
static volatile sig_atomic_t tui_winch;
static struct termios tui_tio;
static bool tui_have_tio;
static char tui_seq[256];
static size_t tui_seq_len;
static bool tui_atexit_done;
static const int tui_sigs[] = {SIGTERM, SIGHUP, SIGQUIT, SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
#define NSIGS ((int)(sizeof tui_sigs / sizeof tui_sigs[0]))
static struct sigaction tui_old[NSIGS], tui_old_winch;

static void restore_raw(void)
{
    if (!tui_active)
        return;
    tui_active = 0;
    if (tui_seq_len) {
        ssize_t r = write(STDOUT_FILENO, tui_seq, tui_seq_len);
        (void)r;
    }
    if (tui_have_tio)
        tcsetattr(STDIN_FILENO, TCSANOW, &tui_tio);
}

/* SIGTERM, SIGHUP and fatal signals: restore the terminal, then die of the
 * same signal (SA_RESETHAND put the default action back; the raised signal
 * is delivered when the handler returns). */
static void on_fatal(int sig)
{
    int saved = errno;
    restore_raw();
    raise(sig);
    errno = saved;
}

static void on_winch(int sig)
{
    (void)sig;
    tui_winch = 1;
}

static void at_exit_restore(void)
{
    if (tui_active) {
        endwin();
        restore_raw();
    }
}

static void add_seq(const char *cap)
{
    char *s = tigetstr((char *)cap);
    if (!s || s == (char *)-1)
        return;
    size_t n = strlen(s);
    if (tui_seq_len + n < sizeof tui_seq) {
        memcpy(tui_seq + tui_seq_len, s, n);
        tui_seq_len += n;
    }
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_fatal;
    sa.sa_flags = SA_RESETHAND;
    for (int i = 0; i < NSIGS; i++)
        sigaction(tui_sigs[i], &sa, &tui_old[i]);
    /* Ours, not ncurses': the loop re-lays out when it sees the flag. */
    sa.sa_handler = on_winch;
    sa.sa_flags = 0;
    sigaction(SIGWINCH, &sa, &tui_old_winch);
}

static void restore_signals(void)
{
    for (int i = 0; i < NSIGS; i++)
        sigaction(tui_sigs[i], &tui_old[i], NULL);
    sigaction(SIGWINCH, &tui_old_winch, NULL);
}

bool tui_available(void)
{
    const char *term = getenv("TERM");
    return isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && term && *term && strcmp(term, "dumb") != 0;
}

/* ---- small helpers ------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* For the per-batch checks "is it time to look at the keys / redraw": a few
 * nanoseconds (a read of the kernel's tick), precise to a few ms, which is
 * plenty for a 33 ms frame. */
static double coarse_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* UTF-8 to one-column characters: tabs to spaces, controls and bad bytes to '?'.
 * Returns a malloc'ed array (NULL on out of memory), its length in *len. */
static wchar_t *widen(const char *s, size_t n, int *len)
{
    wchar_t *w = malloc((n * 8 + 1) * sizeof *w);
    if (!w)
        return NULL;
    mbstate_t st;
    memset(&st, 0, sizeof st);
    size_t i = 0;
    int k = 0;
    while (i < n) {
        wchar_t c;
        size_t r = mbrtowc(&c, s + i, n - i, &st);
        if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
            memset(&st, 0, sizeof st);
            c = (unsigned char)s[i] < 0x80 && s[i] ? (wchar_t)s[i] : L'?';
            r = 1;
        }
        i += r;
        if (c == L'\t') {
            do
                w[k++] = L' ';
            while (k % 8);
            continue;
        }
        if (c == L'\r')
            continue;
        if (c < 32 || c == 127 || wcwidth(c) != 1)
            c = L'?';
        w[k++] = c;
    }
    w[k] = 0;
    *len = k;
    return w;
}

static OutLine *line_at(Tui *t, size_t i) { return &t->ring[(t->first + i) % OUT_MAX]; }

static void add_line(Tui *t, const char *s, size_t n, int kind)
{
    int len;
    wchar_t *w = widen(s, n, &len);
    if (!w)
        return; /* out of memory: the line is lost, the screen goes on */
    if (t->nlines == OUT_MAX) {
        free(line_at(t, 0)->text);
        t->first = (t->first + 1) % OUT_MAX;
        t->nlines--;
    }
    t->out_dirty = true;
    OutLine *l = line_at(t, t->nlines++);
    l->text = w;
    l->len = len;
    l->kind = kind;
}

static int err_kind(const char *s, size_t n)
{
    char buf[160];
    snprintf(buf, sizeof buf, "%.*s", (int)(n < 159 ? n : 159), s);
    if (strstr(buf, "error:") || strncmp(buf, "error", 5) == 0)
        return LINE_ERR;
    if (strstr(buf, "warning:") || strncmp(buf, "warning", 7) == 0)
        return LINE_WARN;
    return LINE_NOTE;
}

static void maybe_draw(Tui *t);

/* Sink writes: complete lines go to the pane, a trailing part waits. */
static void pane_write(Tui *t, int which, const char *s, size_t n)
{
    Partial *p = &t->part[which];
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            const char *txt = p->len ? p->buf : "";
            int kind = which ? err_kind(txt, p->len) : LINE_OUT;
            add_line(t, txt, p->len, kind);
            p->len = 0;
            if (t->scroll)
                t->scroll++; /* keep what the reader is looking at in place */
            continue;
        }
        if (p->len + 1 >= p->cap) {
            size_t cap = p->cap ? p->cap * 2 : 256;
            char *b = realloc(p->buf, cap);
            if (!b)
                continue;
            p->buf = b;
            p->cap = cap;
        }
        p->buf[p->len++] = s[i];
    }
    maybe_draw(t);
}

static void out_write(void *ctx, const char *s, size_t n) { pane_write(ctx, 0, s, n); }
static void err_write(void *ctx, const char *s, size_t n) { pane_write(ctx, 1, s, n); }

static void flush_partials(Tui *t)
{
    for (int i = 0; i < 2; i++)
        if (t->part[i].len)
            pane_write(t, i, "\n", 1);
}

static void note(Tui *t, int kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(Tui *t, int kind, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    add_line(t, buf, strlen(buf), kind);
}

/* ---- colours ---------------------------------------------------------------- */

/* The terminal colour of a grid colour index (-1 = the terminal's default).
 * With 256 colours the palette of grid_to_ansi, else the nearest basic one. */
static short term_color(uint8_t c)
{
    static const short s256[GC_NSERIES] = {32, 208, 34, 160, 133, 37, 69, 244};
    static const short h256[GC_NHEAT] = {53, 54, 61, 67, 73, 72, 113, 184};
    static const short s8[GC_NSERIES] = {COLOR_BLUE, COLOR_YELLOW,  COLOR_GREEN, COLOR_RED,
                                         COLOR_MAGENTA, COLOR_CYAN, COLOR_BLUE, COLOR_WHITE};
    static const short h8[GC_NHEAT] = {COLOR_BLUE, COLOR_BLUE, COLOR_CYAN, COLOR_CYAN,
                                       COLOR_GREEN, COLOR_GREEN, COLOR_YELLOW, COLOR_YELLOW};
    bool rich = COLORS >= 256;
    if (c >= GC_SERIES1 && c < GC_SERIES1 + GC_NSERIES)
        return rich ? s256[c - GC_SERIES1] : s8[c - GC_SERIES1];
    if (c >= GC_HEAT0 && c < GC_HEAT0 + GC_NHEAT)
        return rich ? h256[c - GC_HEAT0] : h8[c - GC_HEAT0];
    switch (c) {
    case GC_AXIS: return rich ? 245 : -1;
    case GC_LABEL: return rich ? 250 : -1;
    case GC_REF: return rich ? 178 : COLOR_YELLOW;
    case GC_MARKER: return rich ? 139 : COLOR_MAGENTA;
    default: return -1;
    }
}

/* Extra pseudo-indices for the panes' own text. */
enum { UI_ERR = 24, UI_WARN, UI_NOTE, UI_CMD, UI_DIM, UI_HEAD };

static short ui_color(int c)
{
    switch (c) {
    case UI_ERR: return COLOR_RED;
    case UI_WARN: return COLOR_YELLOW;
    case UI_NOTE: return COLOR_CYAN;
    case UI_CMD: return COLOR_GREEN;
    case UI_HEAD: return COLOR_CYAN;
    case UI_DIM: return COLORS >= 256 ? 245 : -1;
    default: return term_color((uint8_t)c);
    }
}

static short pair_of(Tui *t, int fg, int bg)
{
    if (!t->color || fg < 0 || fg >= 32 || bg < 0 || bg >= 32 || (fg == 0 && bg == 0))
        return 0;
    if (t->pair[fg][bg])
        return t->pair[fg][bg] > 0 ? t->pair[fg][bg] : 0;
    if (t->npairs + 1 >= COLOR_PAIRS) {
        t->pair[fg][bg] = -1;
        return 0;
    }
    short p = (short)++t->npairs;
    if (init_pair(p, ui_color(fg), bg ? ui_color(bg) : -1) == ERR) {
        t->pair[fg][bg] = -1;
        return 0;
    }
    t->pair[fg][bg] = p;
    return p;
}

static void put_wc(Tui *t, int y, int x, wchar_t c, int fg, int bg, attr_t attr)
{
    cchar_t cc;
    wchar_t s[2] = {c ? c : L' ', 0};
    setcchar(&cc, s, attr, pair_of(t, fg, bg), NULL);
    mvadd_wch(y, x, &cc);
}

/* Text at (y, x) clipped to w columns; the rest of the w columns blanked. */
static void put_text(Tui *t, int y, int x, int w, const char *s, int fg, attr_t attr)
{
    int len;
    wchar_t *ws = widen(s, strlen(s), &len);
    int k = 0;
    for (; k < w && ws && k < len; k++)
        put_wc(t, y, x + k, ws[k], fg, 0, attr);
    for (; k < w; k++)
        put_wc(t, y, x + k, L' ', 0, 0, 0);
    free(ws);
}

/* ---- layout ----------------------------------------------------------------
 * Wide screens:                          Narrow screens:
 *   plot            │ status               status (two lines)
 *   ────────── output ──────────          plot
 *   output lines                          ──── output ────
 *   fitbench> _                           output lines / prompt    */

static void layout(Tui *t)
{
    getmaxyx(stdscr, t->H, t->W);
    t->small = t->W < MIN_W || t->H < MIN_H;
    t->cmd_y = t->H - 1;
    if (t->small)
        return;
    t->out_h = t->H / 5 < 3 ? 3 : t->H / 5 > 12 ? 12 : t->H / 5;
    t->out_y = t->cmd_y - t->out_h;
    t->sep_y = t->out_y - 1;
    t->side = t->W >= SIDE_W;
    if (t->side) {
        t->stat_w = STATUS_W;
        t->plot_x = 0;
        t->plot_y = 0;
        t->plot_w = t->W - STATUS_W - 1;
        t->plot_h = t->sep_y;
        t->stat_x = t->plot_w + 1;
        t->stat_y = 0;
        t->stat_h = t->sep_y;
    } else {
        t->stat_x = 0;
        t->stat_y = 0;
        t->stat_w = t->W;
        t->stat_h = 2;
        t->plot_x = 0;
        t->plot_y = 2;
        t->plot_w = t->W;
        t->plot_h = t->sep_y - 2;
    }
    FbErr e;
    grid_free(t->grid);
    t->grid = grid_new(t->plot_w, t->plot_h, &e);
}

/* ---- a thinned history for the plot -------------------------------------------
 * A plot pane is a few hundred Braille dots wide, yet plotting reads every
 * history row: with millions of sub-microsecond epochs one redraw would cost
 * as much as thousands of epochs.  So the pane plots a thinned copy, kept up
 * to date as rows arrive: the rows fall into buckets of `per` consecutive
 * epochs, and each bucket keeps its first and last row and the rows holding
 * the smallest and largest value of each plotted quantity.  The curve
 * through those rows covers the same dots as the full one (to the bucket's
 * width, far under a dot), lr changes stay visible, and the work per redraw
 * is bounded whatever the history's length. */

static double q_of(const HistRow *r, int q)
{
    return q == 0 ? r->train_loss : q == 1 ? r->val_loss : q == 2 ? r->lr : r->grad_norm;
}

static void bucket_add(Bucket *b, const HistRow *r)
{
    if (b->n++ == 0) {
        b->first = *r;
        for (int q = 0; q < THIN_Q; q++)
            b->lo[q] = b->hi[q] = *r;
    }
    b->last = *r;
    for (int q = 0; q < THIN_Q; q++) {
        double v = q_of(r, q);
        if (v < q_of(&b->lo[q], q) || isnan(q_of(&b->lo[q], q)))
            b->lo[q] = *r;
        if (v > q_of(&b->hi[q], q) || isnan(q_of(&b->hi[q], q)))
            b->hi[q] = *r;
    }
}

/* b absorbs c, the bucket right after it. */
static void bucket_merge(Bucket *b, const Bucket *c)
{
    for (int q = 0; q < THIN_Q; q++) {
        double lb = q_of(&b->lo[q], q), lc = q_of(&c->lo[q], q);
        double hb = q_of(&b->hi[q], q), hc = q_of(&c->hi[q], q);
        if (lc < lb || isnan(lb))
            b->lo[q] = c->lo[q];
        if (hc > hb || isnan(hb))
            b->hi[q] = c->hi[q];
    }
    b->last = c->last;
    b->n += c->n;
}

static void thin_reset(Thin *th)
{
    th->nb = 0;
    th->per = 1;
    th->done = 0;
    memset(&th->b[0], 0, sizeof th->b[0]);
}

static int cmp_epoch(const void *a, const void *b)
{
    long x = ((const HistRow *)a)->epoch, y = ((const HistRow *)b)->epoch;
    return (x > y) - (x < y);
}

/* Fold the new rows of h in and write the thinned rows to th->rows.
 * Returns their count, or 0 when h should be plotted as it is (short, or out
 * of memory). */
static size_t thin_update(Thin *th, const History *h)
{
    if (h->n < THIN_FROM)
        return 0;
    if (!th->b && !(th->b = calloc(THIN_BUCKETS + 1, sizeof *th->b)))
        return 0;
    size_t need = (THIN_BUCKETS + 1) * (2 + 2 * THIN_Q);
    if (th->cap < need) {
        HistRow *r = realloc(th->rows, need * sizeof *r);
        if (!r)
            return 0;
        th->rows = r;
        th->cap = need;
    }
    /* Another history (undo, reset, a new model): start over. */
    if (th->done == 0 || th->done > h->n || memcmp(&h->rows[0], &th->first, sizeof th->first) != 0 ||
        memcmp(&h->rows[th->done - 1], &th->last, sizeof th->last) != 0)
        thin_reset(th);
    for (size_t i = th->done; i < h->n; i++) {
        Bucket *open = &th->b[th->nb];
        bucket_add(open, &h->rows[i]);
        if (open->n < th->per)
            continue;
        if (++th->nb == THIN_BUCKETS) { /* full: pairs merge, buckets twice as wide */
            for (size_t k = 0; k < THIN_BUCKETS / 2; k++) {
                th->b[k] = th->b[2 * k];
                bucket_merge(&th->b[k], &th->b[2 * k + 1]);
            }
            th->nb = THIN_BUCKETS / 2;
            th->per *= 2;
        }
        memset(&th->b[th->nb], 0, sizeof th->b[0]);
    }
    th->done = h->n;
    th->first = h->rows[0];
    th->last = h->rows[h->n - 1];
    size_t n = 0;
    for (size_t k = 0; k <= th->nb; k++) {
        const Bucket *b = &th->b[k];
        if (!b->n)
            continue;
        size_t start = n;
        th->rows[n++] = b->first;
        for (int q = 0; q < THIN_Q; q++) {
            th->rows[n++] = b->lo[q];
            th->rows[n++] = b->hi[q];
        }
        th->rows[n++] = b->last;
        qsort(th->rows + start, n - start, sizeof *th->rows, cmp_epoch);
        size_t m = start + 1; /* drop repeats of one epoch */
        for (size_t j = start + 1; j < n; j++)
            if (th->rows[j].epoch != th->rows[m - 1].epoch)
                th->rows[m++] = th->rows[j];
        n = m;
    }
    return n;
}

/* ---- the panes ---------------------------------------------------------------- */

static void draw_plot(Tui *t)
{
    const Session *s = t->it->s;
    FbErr e = {{0}, 0};
    /* A shallow copy that differs only in its (thinned) history: read only. */
    Session view;
    size_t n = s->built ? thin_update(&t->thin, &s->ts.hist) : 0;
    if (n) {
        view = *s;
        view.ts.hist.rows = t->thin.rows;
        view.ts.hist.n = n;
        view.ts.hist.cap = t->thin.cap;
        s = &view;
    }
    /* Curves or pictures (boundary, surface): plotview picks the renderer. */
    bool ok = t->grid && plotview_render(s, t->grid, &e) == 0;
    if (!ok) {
        for (int y = 0; y < t->plot_h; y++)
            put_text(t, t->plot_y + y, t->plot_x, t->plot_w, y == 0 ? (e.msg[0] ? e.msg : "out of memory") : "",
                     UI_ERR, 0);
        return;
    }
    const Grid *g = t->grid;
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++) {
            const GridCell *c = &g->cells[(size_t)y * g->w + x];
            attr_t a = c->fg == GC_TITLE ? A_BOLD : 0;
            put_wc(t, t->plot_y + y, t->plot_x + x, (wchar_t)c->ch, c->fg == GC_TITLE ? 0 : c->fg, c->bg, a);
        }
}

/* The best loss so far (validation when there is one), updated from where
 * it was last looked at; a shorter or different history starts over. */
static void update_best(Tui *t, const History *h)
{
    if (h->rows != t->best_rows || h->n < t->best_n || !t->training) {
        t->best_rows = h->rows;
        t->best_n = 0;
        t->best = INFINITY;
        t->best_epoch = -1;
    }
    bool val = h->n && !isnan(h->rows[0].val_loss);
    for (size_t i = t->best_n; i < h->n; i++) {
        double v = val ? h->rows[i].val_loss : h->rows[i].train_loss;
        if (v < t->best) {
            t->best = v;
            t->best_epoch = h->rows[i].epoch;
        }
    }
    t->best_n = h->n;
}

static const char *fmt6(char *buf, size_t n, double x)
{
    if (isnan(x))
        return "-";
    return fb_fmt(buf, n, x, 6);
}

/* The rows of the status pane, in order; the setup rows follow S_DATA. */
enum { S_EPOCH, S_STEPS, S_TRAIN, S_VAL, S_BEST, S_LR, S_GRAD, S_TIME, S_DATA };

typedef struct StatusText {
    char k[16][12];
    char v[16][96];
    int n;
} StatusText;

static void stat_add(StatusText *st, const char *k, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void stat_add(StatusText *st, const char *k, const char *fmt, ...)
{
    if (st->n == 16)
        return;
    snprintf(st->k[st->n], sizeof st->k[0], "%s", k);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(st->v[st->n], sizeof st->v[0], fmt, ap);
    va_end(ap);
    st->n++;
}

static void model_summary(const Session *s, char *buf, size_t n)
{
    if (!s->built) {
        snprintf(buf, n, "%s", s->mspec.set ? model_kind_name(s->mspec.kind) : "none yet");
        return;
    }
    const Model *m = &s->ts.model;
    size_t k = (size_t)snprintf(buf, n, "%s ", model_kind_name(m->kind));
    for (size_t l = 0; l <= m->nlayers && k < n; l++)
        k += (size_t)snprintf(buf + k, n - k, "%s%zu", l ? "\u2192" : "", m->sizes[l]);
    if (m->kind == MODEL_MLP && k < n)
        k += (size_t)snprintf(buf + k, n - k, " %s", act_name(m->act));
    if (k < n)
        snprintf(buf + k, n - k, ", %zu params", m->nparams);
}

/* The lr to show: a change of +/- waiting for the epoch to end is shown at once. */
static double pending(const Tui *t) { return t->lr_pending > 0 ? t->lr_pending : 1.0; }

static void optim_summary(const Tui *t, char *buf, size_t n)
{
    const OptCfg *o = &t->it->s->setup.opt;
    char a[32], b[32];
    size_t k = (size_t)snprintf(buf, n, "%s lr=%s", optim_name(o->kind), fb_fmt(a, sizeof a, o->lr * pending(t), 4));
    if ((o->kind == OPT_SGD || o->kind == OPT_RMSPROP) && o->momentum != 0 && k < n)
        k += (size_t)snprintf(buf + k, n - k, " mom=%s", fb_fmt(b, sizeof b, o->momentum, 3));
    if (o->weight_decay != 0 && k < n)
        snprintf(buf + k, n - k, " wd=%s", fb_fmt(b, sizeof b, o->weight_decay, 3));
}

static void status_text(Tui *t, StatusText *st)
{
    Session *s = t->it->s;
    const History *h = &s->ts.hist;
    const HistRow *r = s->built ? history_last(h) : NULL;
    char a[40];
    memset(st, 0, sizeof *st);
    st->n = 0;
    if (r)
        stat_add(st, "epoch", "%ld", r->epoch);
    else
        stat_add(st, "epoch", "-");
    if (r)
        stat_add(st, "updates", "%ld", r->steps);
    else
        stat_add(st, "updates", "-");
    stat_add(st, "train loss", "%s", r ? fmt6(a, sizeof a, r->train_loss) : "-");
    stat_add(st, "val loss", "%s", r ? fmt6(a, sizeof a, r->val_loss) : "-");
    if (r) {
        update_best(t, h);
        if (t->best_epoch >= 0)
            stat_add(st, "best", "%s @%ld%s", fmt6(a, sizeof a, t->best), t->best_epoch,
                     !isnan(r->val_loss) ? " (val)" : "");
        else
            stat_add(st, "best", "-");
    } else
        stat_add(st, "best", "-");
    stat_add(st, "lr", "%s", fmt6(a, sizeof a, (s->built ? s->ts.sched.lr : s->setup.opt.lr) * pending(t)));
    stat_add(st, "grad norm", "%s", r ? fmt6(a, sizeof a, r->grad_norm) : "-");
    /* Time per epoch: the mean of the last few, in a readable unit. */
    double sum = 0;
    size_t cnt = 0;
    for (size_t i = h->n; i > 1 && cnt < 50 && s->built; i--, cnt++)
        sum += h->rows[i - 1].seconds;
    if (cnt) {
        double per = sum / (double)cnt;
        if (per < 1e-3)
            stat_add(st, "time/epoch", "%s \u00b5s", fb_fmt(a, sizeof a, per * 1e6, 3));
        else if (per < 1)
            stat_add(st, "time/epoch", "%s ms", fb_fmt(a, sizeof a, per * 1e3, 3));
        else
            stat_add(st, "time/epoch", "%s s", fb_fmt(a, sizeof a, per, 3));
    } else
        stat_add(st, "time/epoch", "-");
    char big[96];
    if (s->data) {
        const Dataset *ds = s->data;
        const char *src = ds->source ? ds->source : "";
        const char *slash = strrchr(src, '/');
        stat_add(st, "data", "%.40s %zu\u00d7%zu", slash && strncmp(src, "gen ", 4) != 0 ? slash + 1 : src, ds->n,
                 ds->d);
        if (s->prep)
            stat_add(st, "split", "train %zu  val %zu  test %zu", s->prep->train.n, s->prep->val.n, s->prep->test.n);
    } else
        stat_add(st, "data", "none yet");
    model_summary(s, big, sizeof big);
    stat_add(st, "model", "%s", big);
    stat_add(st, "loss", "%s", s->built || s->loss_set ? loss_name(s->setup.loss.kind) : "-");
    optim_summary(t, big, sizeof big);
    stat_add(st, "optim", "%s", big);
    stat_add(st, "schedule", "%s", sched_name(s->setup.sched.kind));
    if (s->setup.batch)
        stat_add(st, "batch", "%zu%s", s->setup.batch, s->setup.shuffle ? " shuffled" : "");
    else
        stat_add(st, "batch", "full");
    stat_add(st, "plot", "%s%s", s->plot, s->plot_logy ? " (log)" : "");
}

/* What the training / waiting state line says. */
static void activity(Tui *t, char *buf, size_t n, int *color)
{
    *color = UI_NOTE;
    if (t->waiting)
        snprintf(buf, n, "paused: press a key to go on");
    else if (t->training && t->paused)
        snprintf(buf, n, "\u275a\u275a paused at epoch %ld", t->it->s->ts.epoch), *color = UI_WARN;
    else if (t->training) {
        double el = now_s() - t->train_t0;
        long done = t->it->s->ts.epoch - t->train_epoch0;
        char a[32];
        snprintf(buf, n, "\u25b6 training: %ld epochs, %s s", done, fb_fmt(a, sizeof a, el, 3));
        *color = UI_CMD;
    } else if (t->busy)
        snprintf(buf, n, "working\u2026");
    else
        buf[0] = '\0';
}

static void draw_status(Tui *t)
{
    StatusText st;
    status_text(t, &st);
    char act[96];
    int acol;
    activity(t, act, sizeof act, &acol);
    if (t->side) {
        int x = t->stat_x + 1, w = t->stat_w - 1, y = t->stat_y;
        int end = t->stat_y + t->stat_h;
        put_text(t, y++, x, w, "fitbench", UI_HEAD, A_BOLD);
        for (int i = 0; i < st.n && y < end - 1; i++) {
            if (i == S_DATA && y + 2 < end)
                put_text(t, y++, x, w, "", 0, 0); /* a gap between progress and setup */
            put_text(t, y, x, 11, st.k[i], UI_DIM, 0);
            /* Long values continue on the next rows, under the value column. */
            int len, vw = w - 11;
            wchar_t *ws = widen(st.v[i], strlen(st.v[i]), &len);
            for (int off = 0; y < end - 1 && (off == 0 || off < len); y++) {
                if (off)
                    put_text(t, y, x, 11, "", 0, 0);
                int take = len - off;
                if (take > vw) { /* break at the last space that fits */
                    take = vw;
                    for (int j = vw; j > 0; j--)
                        if (ws[off + j] == L' ') {
                            take = j;
                            break;
                        }
                }
                int k = 0;
                for (; ws && k < take; k++)
                    put_wc(t, y, x + 11 + k, ws[off + k], 0, 0, i == S_EPOCH || i == S_TRAIN || i == S_VAL ? A_BOLD : 0);
                for (; k < vw; k++)
                    put_wc(t, y, x + 11 + k, L' ', 0, 0, 0);
                off += take;
                while (ws && off < len && ws[off] == L' ')
                    off++;
            }
            free(ws);
        }
        while (y < end - 1)
            put_text(t, y++, x, w, "", 0, 0);
        if (y < end)
            put_text(t, y, x, w, act, acol, A_BOLD);
        for (int r = 0; r < t->stat_h; r++)
            put_wc(t, t->stat_y + r, t->plot_w, L'\u2502', UI_DIM, 0, 0);
        return;
    }
    /* Two lines: progress, then setup. */
    char l1[1024], l2[1024];
    int k = snprintf(l1, sizeof l1, "epoch %s  train %s", st.v[S_EPOCH], st.v[S_TRAIN]);
    if (strcmp(st.v[S_VAL], "-") != 0)
        k += snprintf(l1 + k, sizeof l1 - (size_t)k, "  val %s", st.v[S_VAL]);
    snprintf(l1 + k, sizeof l1 - (size_t)k, "  best %s  lr %s  |g| %s", st.v[S_BEST], st.v[S_LR], st.v[S_GRAD]);
    if ((int)strlen(l1) + (int)strlen(st.v[S_TIME]) + 5 < t->W)
        snprintf(l1 + strlen(l1), sizeof l1 - strlen(l1), "  %s/ep", st.v[S_TIME]);
    snprintf(l2, sizeof l2, "%s \u00b7 %s \u00b7 %s \u00b7 %s \u00b7 batch %s", st.v[S_DATA], st.v[st.n - 6], st.v[st.n - 5],
             st.v[st.n - 4], st.v[st.n - 2]);
    put_text(t, t->stat_y, 0, t->W, l1, 0, A_BOLD);
    if (act[0]) {
        int len;
        wchar_t *w = widen(act, strlen(act), &len);
        free(w);
        int x = t->W - len - 1;
        put_text(t, t->stat_y + 1, 0, x > 0 ? x : 0, l2, UI_DIM, 0);
        if (x > 0)
            put_text(t, t->stat_y + 1, x, len + 1, act, acol, A_BOLD);
    } else
        put_text(t, t->stat_y + 1, 0, t->W, l2, UI_DIM, 0);
}

/* Screen rows a line takes when wrapped to w columns. */
static int rows_of(const OutLine *l, int w) { return l->len <= w ? 1 : (l->len + w - 1) / w; }

static int total_rows(Tui *t)
{
    int n = 0;
    for (size_t i = 0; i < t->nlines; i++)
        n += rows_of(line_at(t, i), t->W);
    return n;
}

static void draw_separator(Tui *t)
{
    const char *hint;
    char buf[160];
    if (t->training)
        hint = " Esc/Ctrl-C stop \u00b7 space pause \u00b7 +/- lr\u00d72 ";
    else if (t->waiting)
        hint = " any key: go on ";
    else if (t->scroll) {
        snprintf(buf, sizeof buf, " %d lines back \u00b7 PgDn ", t->scroll);
        hint = buf;
    } else
        hint = " PgUp/PgDn scroll \u00b7 Tab complete \u00b7 Ctrl-R search ";
    for (int x = 0; x < t->W; x++)
        put_wc(t, t->sep_y, x, x == t->plot_w && t->side ? L'\u2534' : L'\u2500', UI_DIM, 0, 0);
    put_text(t, t->sep_y, 2, 8, " output ", UI_DIM, 0);
    int len;
    wchar_t *w = widen(hint, strlen(hint), &len);
    free(w);
    if (len + 12 < t->W)
        put_text(t, t->sep_y, t->W - len - 2, len, hint, t->training || t->scroll ? UI_WARN : UI_DIM, 0);
}

static void draw_output(Tui *t)
{
    int w = t->W, h = t->out_h;
    /* Walk back from the newest line: skip `scroll` rows, then fill bottom up. */
    int skip = t->scroll, y = h - 1;
    for (size_t i = t->nlines; i > 0 && y >= 0; i--) {
        const OutLine *l = line_at(t, i - 1);
        int r = rows_of(l, w);
        for (int k = r - 1; k >= 0 && y >= 0; k--) {
            if (skip > 0) {
                skip--;
                continue;
            }
            int fg = l->kind == LINE_ERR ? UI_ERR : l->kind == LINE_WARN ? UI_WARN : l->kind == LINE_NOTE ? UI_NOTE
                   : l->kind == LINE_CMD ? UI_CMD : 0;
            attr_t a = l->kind == LINE_CMD ? A_BOLD : 0;
            int x = 0;
            for (int j = k * w; j < l->len && x < w; j++, x++)
                put_wc(t, t->out_y + y, x, l->text[j], fg, 0, a);
            for (; x < w; x++)
                put_wc(t, t->out_y + y, x, L' ', 0, 0, 0);
            y--;
        }
    }
    for (; y >= 0; y--)
        put_text(t, t->out_y + y, 0, w, "", 0, 0);
}

/* The command line: readline's prompt and buffer, scrolled so the cursor shows. */
static void draw_cmdline(Tui *t)
{
    int y = t->cmd_y, W = t->W;
    if (t->busy || t->waiting) {
        put_text(t, y, 0, W, t->waiting ? "press a key to go on" : "", UI_DIM, 0);
        move(y, 0);
        return;
    }
    const char *prompt = rl_display_prompt ? rl_display_prompt : PROMPT;
    int plen, blen;
    wchar_t *pw = widen(prompt, strlen(prompt), &plen);
    size_t n = rl_line_buffer ? strlen(rl_line_buffer) : 0;
    size_t point = rl_point < 0 ? 0 : (size_t)rl_point > n ? n : (size_t)rl_point;
    wchar_t *bw = widen(rl_line_buffer ? rl_line_buffer : "", n, &blen);
    int cur_len = 0;
    wchar_t *cw = widen(rl_line_buffer ? rl_line_buffer : "", point, &cur_len);
    free(cw);
    if (!pw || !bw) {
        free(pw);
        free(bw);
        return;
    }
    int cursor = plen + cur_len;
    int off = cursor >= W - 1 ? cursor - (W - 1) + W / 4 : 0;
    for (int x = 0; x < W; x++) {
        int i = x + off;
        if (i < plen)
            put_wc(t, y, x, pw[i], UI_CMD, 0, A_BOLD);
        else if (i - plen < blen)
            put_wc(t, y, x, bw[i - plen], 0, 0, 0);
        else
            put_wc(t, y, x, L' ', 0, 0, 0);
    }
    free(pw);
    free(bw);
    move(y, cursor - off < W ? cursor - off : W - 1);
}

static void draw_small(Tui *t)
{
    erase();
    char a[96], b[96];
    snprintf(a, sizeof a, "fitbench needs a %d\u00d7%d terminal", MIN_W, MIN_H);
    snprintf(b, sizeof b, "this one is %d\u00d7%d: please make it larger", t->W, t->H);
    int y = t->H / 2 - 1 > 0 ? t->H / 2 - 1 : 0;
    int len;
    free(widen(a, strlen(a), &len));
    put_text(t, y, len < t->W ? (t->W - len) / 2 : 0, t->W, a, UI_WARN, A_BOLD);
    free(widen(b, strlen(b), &len));
    if (y + 1 < t->cmd_y)
        put_text(t, y + 1, len < t->W ? (t->W - len) / 2 : 0, t->W, b, 0, 0);
}

/* Draw the screen.  with_plot: the plot pane too (it costs time in
 * proportion to the history; the rest costs about the same every time). */
static void draw_screen(Tui *t, bool with_plot)
{
    if (t->small)
        draw_small(t);
    else {
        if (with_plot)
            draw_plot(t);
        draw_status(t);
        if (with_plot || t->out_dirty) {
            draw_separator(t);
            draw_output(t);
            t->out_dirty = false;
        }
    }
    draw_cmdline(t);
    curs_set(t->busy || t->waiting ? 0 : 1);
    refresh();
}

/* Redraw what is due.  The plot and the rest are throttled apart: each
 * waits at least FRAME_S (~30 a second) and DRAW_SHARE times its own last
 * cost, so however long the history grows, drawing stays about 1% of the
 * time each, and the epoch counter keeps moving while a long history's plot
 * is redrawn only every few seconds. */
static void maybe_draw(Tui *t)
{
    double now = coarse_s();
    if (now < t->next_draw && now < t->next_plot)
        return;
    bool plot = now >= t->next_plot;
    double t0 = now_s();
    if (plot && !t->small) {
        draw_plot(t);
        double t1 = now_s(), gap = (t1 - t0) * DRAW_SHARE;
        t->next_plot = t1 + (gap > FRAME_S ? gap : FRAME_S);
        t0 = t1;
    }
    draw_screen(t, false);
    double t1 = now_s(), gap = (t1 - t0) * DRAW_SHARE;
    t->next_draw = t1 + (gap > FRAME_S ? gap : FRAME_S);
}

static void force_draw(Tui *t)
{
    t->next_draw = t->next_plot = 0;
    t->out_dirty = true; /* the state behind the separator's hints may have changed */
    maybe_draw(t);
}

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

static void relayout(Tui *t)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
        resizeterm(ws.ws_row, ws.ws_col);
        rl_set_screen_size(ws.ws_row, ws.ws_col);
    }
    layout(t);
    clearok(curscr, TRUE);
    erase();
    force_draw(t);
}

static void service_winch(Tui *t)
{
    if (tui_winch) {
        tui_winch = 0;
        relayout(t);
    }
}

/* ---- scrolling ---------------------------------------------------------------- */

static void scroll_by(Tui *t, int rows)
{
    if (t->small)
        return;
    int max = total_rows(t) - t->out_h;
    t->scroll += rows;
    if (t->scroll > max)
        t->scroll = max;
    if (t->scroll < 0)
        t->scroll = 0;
    force_draw(t);
}

static int rl_pageup(int count, int key)
{
    (void)count, (void)key;
    scroll_by(T, T->out_h - 1);
    return 0;
}

static int rl_pagedown(int count, int key)
{
    (void)count, (void)key;
    scroll_by(T, -(T->out_h - 1));
    return 0;
}

static int rl_repaint(int count, int key)
{
    (void)count, (void)key;
    clearok(curscr, TRUE);
    force_draw(T);
    return 0;
}

/* ---- keyboard input ------------------------------------------------------------ */

/* Read what the terminal has into the input buffer, waiting up to timeout_ms
 * (-1: until something comes).  Returns 1 when bytes are there, 0 on timeout
 * or a signal, -1 when the terminal is gone. */
static int fill_input(Tui *t, int timeout_ms)
{
    if (t->inpos < t->inlen)
        return 1;
    struct pollfd pf = {.fd = STDIN_FILENO, .events = POLLIN};
    int r = poll(&pf, 1, timeout_ms);
    if (r <= 0)
        return r < 0 && errno != EINTR ? -1 : 0;
    ssize_t n = read(STDIN_FILENO, t->in, sizeof t->in);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : -1;
    if (n == 0)
        return -1;
    t->inpos = 0;
    t->inlen = (size_t)n;
    return 1;
}

static int rl_getc_cb(FILE *fp)
{
    (void)fp;
    for (;;) {
        if (T->inpos < T->inlen)
            return T->in[T->inpos++];
        int r = fill_input(T, -1);
        if (r < 0)
            return EOF;
        if (r == 0)
            service_winch(T); /* Ctrl-C is handled by the loop once readline returns */
    }
}

static int rl_avail_cb(void)
{
    if (T->inpos < T->inlen)
        return 1;
    struct pollfd pf = {.fd = STDIN_FILENO, .events = POLLIN};
    return poll(&pf, 1, 0) > 0;
}

static void rl_redisplay_cb(void)
{
    draw_cmdline(T);
    refresh();
}

static void rl_prep_cb(int meta) { (void)meta; }
static void rl_deprep_cb(void) {}

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
        note(t, LINE_WARN, "%s", s->live.closed ? s->live.closed : "the lr keys act on train and step only");
        force_draw(t);
        return;
    }
    double p = pending(t) * f, lr = s->ts.sched.lr * p, olr = s->setup.opt.lr * p;
    if (!(lr >= 1e-300 && lr <= 1e100 && olr >= 1e-300 && olr <= 1e100)) {
        note(t, LINE_WARN, "lr stays at %s: %s would be out of range",
             fb_fmt(a, sizeof a, s->ts.sched.lr * pending(t), 6), f > 1 ? "doubling" : "halving");
        force_draw(t);
        return;
    }
    t->lr_pending = p;
    /* Keys are read after a minibatch, so the epoch in progress is epoch+1 even when that batch ended it. */
    note(t, LINE_NOTE, "lr %s %s from epoch %ld", f > 1 ? "\u00d72 \u2192" : "\u00f72 \u2192",
         fb_fmt(a, sizeof a, lr, 6), s->ts.epoch + 2);
    force_draw(t);
}

/* Make the change the keys asked for, now: between epochs, or when training stops. */
static void lr_apply(Tui *t)
{
    if (pending(t) == 1.0)
        return;
    Session *s = t->it->s;
    double lr = s->setup.opt.lr * pending(t);
    t->lr_pending = 1.0;
    FbErr e;
    if (session_lr_mark(s, lr, &e))
        note(t, LINE_ERR, "error: the lr stays: %s", e.msg);
    force_draw(t);
}

/* Keys while a command runs.  Returns 1 when the user asked to stop. */
static int training_keys(Tui *t)
{
    int stop = 0;
    while (fill_input(t, 0) > 0) {
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
                            scroll_by(t, t->out_h - 1);
                        else if (t->in[t->inpos + 1] == '6')
                            scroll_by(t, -(t->out_h - 1));
                    }
                    t->inpos = j < t->inlen ? j + 1 : t->inlen;
                } else
                    stop = 1; /* Esc on its own */
            } else if (c == 3) {
                stop = 1;
            } else if (c == ' ' && t->training) {
                t->paused = !t->paused;
                force_draw(t);
            } else if ((c == '+' || c == '=') && t->training) {
                lr_key(t, 2.0);
            } else if ((c == '-' || c == '_') && t->training) {
                lr_key(t, 0.5);
            }
        }
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
        service_winch(t);
        stop = training_keys(t);
        while (t->paused && !stop && !(it->interrupt && *it->interrupt)) {
            force_draw(t);
            if (fill_input(t, 250) < 0)
                break;
            service_winch(t);
            stop = training_keys(t);
        }
        if (stop) {
            t->paused = false;
            if (it->interrupt)
                *it->interrupt = 1; /* as Ctrl-C: "interrupted after N epochs; the state is kept" */
        }
    }
    maybe_draw(t);
    return stop;
}

static void fe_train_begin(void *ctx, Interp *it)
{
    Tui *t = ctx;
    t->training = true;
    t->paused = false;
    t->lr_pending = 1.0;
    t->train_epoch0 = it->s->ts.epoch;
    t->train_t0 = now_s();
    t->next_poll = 0;
    t->due_batch = t->due_epoch = (Due){0, 1, 0};
    force_draw(t);
}

static void fe_train_end(void *ctx, Interp *it)
{
    Tui *t = ctx;
    /* sleep's once-in-50-ms calls must not wait for thousands of calls */
    t->due_batch = t->due_epoch = (Due){0, 1, 0};
    (void)it;
    lr_apply(t); /* a key read in the last epoch counts from the next command on */
    t->training = false;
    t->paused = false;
    force_draw(t);
}

/* Keys are read after a batch only: stopping there makes train_run report
 * "interrupted after N epochs", as Ctrl-C does. */
static int fe_train_batch(void *ctx, Interp *it) { return tick(ctx, it); }

static int fe_train_epoch(void *ctx, Interp *it)
{
    (void)it;
    Tui *t = ctx;
    lr_apply(t);
    if (due(t, &t->due_epoch))
        maybe_draw(t);
    return 0;
}

static void fe_redraw(void *ctx, Interp *it)
{
    (void)it;
    force_draw(ctx);
}

/* `pause [msg]` in a live replay: show the message and wait for any key. */
static void fe_pause(void *ctx, Interp *it, const char *msg)
{
    Tui *t = ctx;
    flush_partials(t);
    note(t, LINE_NOTE, "\u275a\u275a %s", msg && *msg ? msg : "paused");
    t->scroll = 0;
    t->waiting = true;
    force_draw(t);
    t->inpos = t->inlen = 0;
    for (;;) {
        int r = fill_input(t, 500);
        if (r < 0 || (it->interrupt && *it->interrupt))
            break;
        service_winch(t);
        if (r > 0) {
            t->inpos = t->inlen = 0; /* the key (and any sequence it started) is used up */
            break;
        }
    }
    t->waiting = false;
    force_draw(t);
}

/* ---- Readline: lines, history, completion ------------------------------------- */

static void save_history(Tui *t)
{
    if (!t->hist[0])
        return;
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", t->hist, (long)getpid());
    stifle_history(1000);
    if (write_history(tmp) == 0 && rename(tmp, t->hist) == 0)
        return;
    unlink(tmp); /* the old history stays as it was */
}

static void run_line(Tui *t, const char *line)
{
    t->busy = true;
    t->scroll = 0;
    fb_interrupted = 0;
    force_draw(t);
    script_line(t->it, line, strlen(line), NULL, 0);
    flush_partials(t);
    fb_interrupted = 0;
    t->busy = false;
}

static void on_line(char *line)
{
    Tui *t = T;
    if (!line) {
        t->eof = true;
        return;
    }
    if (*line) {
        add_history(line);
        save_history(t);
    }
    note(t, LINE_CMD, "%s%s", PROMPT, line);
    run_line(t, line);
    free(line);
    if (t->it->quit)
        t->eof = true;
    force_draw(t);
}

/* Same rules as the plain prompt (repl.c). */
static char **complete_cb(const char *text, int start, int end)
{
    (void)end;
    return repl_attempt_completion(T->it, text, start);
}

/* Several matches: list them in the output pane, in columns. */
static void show_matches_cb(char **matches, int num, int max_length)
{
    Tui *t = T;
    int colw = max_length + 2, cols = t->W / (colw > 0 ? colw : 1);
    if (cols < 1)
        cols = 1;
    char line[1024];
    size_t k = 0;
    for (int i = 1; i <= num; i++) {
        k += (size_t)snprintf(line + k, sizeof line - k, "%-*s", colw, matches[i]);
        if (k >= sizeof line)
            k = sizeof line - 1;
        if (i % cols == 0 || i == num) {
            while (k > 0 && line[k - 1] == ' ')
                k--;
            add_line(t, line, k, LINE_OUT);
            k = 0;
        }
    }
    t->scroll = 0;
    force_draw(t);
}

/* Ctrl-C at the prompt: drop the line, a fresh prompt. */
static void prompt_interrupted(Tui *t)
{
    fb_interrupted = 0;
    rl_free_line_state();
    rl_callback_sigcleanup();
    rl_replace_line("", 0);
    rl_point = rl_end = 0;
    rl_on_new_line();
    rl_set_prompt(PROMPT);
    force_draw(t);
}

static void readline_setup(Tui *t, FILE *devnull)
{
    rl_readline_name = "fitbench";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_instream = stdin;
    rl_outstream = devnull; /* ncurses owns the screen; readline must not write to it */
    rl_prep_term_function = rl_prep_cb;
    rl_deprep_term_function = rl_deprep_cb;
    rl_getc_function = rl_getc_cb;
    rl_input_available_hook = rl_avail_cb;
    rl_redisplay_function = rl_redisplay_cb;
    rl_completion_display_matches_hook = show_matches_cb;
    rl_completer_word_break_characters = " \t\n;";
    rl_attempted_completion_function = complete_cb;
    rl_initialize();
    rl_variable_bind("bell-style", "none");
    rl_variable_bind("enable-bracketed-paste", "off");
    rl_variable_bind("show-all-if-unmodified", "on"); /* the second Tab lists, as in bash */
    rl_bind_keyseq("\\e[5~", rl_pageup);
    rl_bind_keyseq("\\e[6~", rl_pagedown);
    rl_bind_key('\f', rl_repaint);
    rl_set_screen_size(t->H, t->W);
    using_history();
    if (repl_history_path(t->hist, sizeof t->hist))
        read_history(t->hist);
}

/* ---- setting up and tearing down the screen ------------------------------------- */

/* Braille and box drawing need a UTF-8 character type; numbers keep the C
 * locale (only LC_CTYPE changes).  A C/POSIX environment on a UTF-8 terminal
 * is common (containers), so C.UTF-8 is tried when the user's is not UTF-8. */
static void utf8_ctype(void)
{
    if (!setlocale(LC_CTYPE, "") || strcmp(nl_langinfo(CODESET), "UTF-8") != 0)
        setlocale(LC_CTYPE, "C.UTF-8");
}

static int screen_open(Tui *t, FbErr *err)
{
    if (tcgetattr(STDIN_FILENO, &tui_tio) == 0)
        tui_have_tio = true;
    install_signals();
    if (!tui_atexit_done) {
        atexit(at_exit_restore);
        tui_atexit_done = true;
    }
    /* newterm rather than initscr: initscr exits the program on failure. */
    SCREEN *scr = newterm(NULL, stdout, stdin);
    if (!scr) {
        restore_signals();
        return fb_fail(err, "cannot start the full-screen view on terminal '%s'", getenv("TERM"));
    }
    set_term(scr);
    t->scr = scr;
    tui_seq_len = 0;
    add_seq("sgr0");
    add_seq("cnorm");
    add_seq("rmcup");
    tui_active = 1;
    cbreak(); /* keep ISIG: Ctrl-C stays SIGINT, which training watches */
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    /* Flow control off, so Ctrl-S / Ctrl-Q reach readline. */
    struct termios tio;
    if (tcgetattr(STDIN_FILENO, &tio) == 0) {
        tio.c_iflag &= ~(tcflag_t)(IXON | IXOFF);
        tcsetattr(STDIN_FILENO, TCSANOW, &tio);
        def_prog_mode();
    }
    t->color = has_colors() && start_color() != ERR;
    if (t->color)
        use_default_colors();
    layout(t);
    return 0;
}

static void screen_close(Tui *t)
{
    if (tui_active) {
        endwin();
        tui_active = 0;
        if (tui_have_tio)
            tcsetattr(STDIN_FILENO, TCSANOW, &tui_tio);
    }
    restore_signals();
    if (t->scr)
        delscreen(t->scr);
    t->scr = NULL;
}

static void tui_free(Tui *t)
{
    for (size_t i = 0; i < t->nlines; i++)
        free(line_at(t, i)->text);
    free(t->ring);
    free(t->part[0].buf);
    free(t->part[1].buf);
    grid_free(t->grid);
    free(t->thin.b);
    free(t->thin.rows);
}

int tui_run(Interp *it, const char *const *scripts, int n, bool interactive, FbErr *err)
{
    Tui *t = calloc(1, sizeof *t);
    if (!t || !(t->ring = calloc(OUT_MAX, sizeof *t->ring))) {
        free(t);
        return fb_oom(err, "the workbench", sizeof *t + OUT_MAX * sizeof(OutLine));
    }
    FILE *devnull = fopen("/dev/null", "w");
    if (!devnull) {
        free(t->ring);
        free(t);
        return fb_fail(err, "cannot open /dev/null");
    }
    utf8_ctype();
    t->it = it;
    t->due_batch = t->due_epoch = (Due){0, 1, 0};
    if (screen_open(t, err)) {
        fclose(devnull);
        tui_free(t);
        free(t);
        return -1;
    }
    T = t;
    t->out_sink = (Sink){out_write, t};
    t->err_sink = (Sink){err_write, t};
    t->fe = (FrontEnd){.ctx = t,
                       .train_begin = fe_train_begin,
                       .train_end = fe_train_end,
                       .train_epoch = fe_train_epoch,
                       .train_batch = fe_train_batch,
                       .redraw = fe_redraw,
                       .pause = fe_pause};
    Sink *old_out = it->out, *old_err = it->err;
    const FrontEnd *old_fe = it->fe;
    bool old_interactive = it->interactive;
    it->out = &t->out_sink;
    it->err = &t->err_sink;
    it->fe = &t->fe;
    readline_setup(t, devnull);
    note(t, LINE_NOTE, "fitbench %s \u2014 type help for the commands, quit or Ctrl-D to leave", FITBENCH_VERSION);

    /* Live replays first. */
    bool stopped = false;
    for (int i = 0; i < n && !it->quit && !stopped; i++) {
        note(t, LINE_CMD, "%srun %s", PROMPT, scripts[i]);
        t->busy = true;
        force_draw(t);
        FbErr e = {{0}, 0};
        if (script_file(it, scripts[i], &e)) {
            if (e.msg[0])
                script_report(it, NULL, 0, &e);
            stopped = !it->keep_going;
        }
        flush_partials(t);
        t->busy = false;
    }
    if (n > 0 && !interactive && !it->quit) {
        /* Leave the final picture up until the reader has seen it. */
        fe_pause(t, it, stopped ? "the replay stopped at an error: press a key to leave"
                                : "the replay is done: press a key to leave");
    }

    if (interactive && !it->quit) {
        it->interactive = true;
        fb_interrupted = 0;
        rl_callback_handler_install(PROMPT, on_line);
        force_draw(t);
        while (!t->eof && !it->quit) {
            service_winch(t);
            if (fb_interrupted)
                prompt_interrupted(t);
            if (t->inpos >= t->inlen) {
                int r = fill_input(t, 1000);
                if (r < 0)
                    break;
                if (r == 0)
                    continue;
            }
            rl_callback_read_char();
        }
        rl_callback_handler_remove();
        save_history(t);
    }

    flush_partials(t);
    it->out = old_out;
    it->err = old_err;
    it->fe = old_fe;
    it->interactive = old_interactive;
    screen_close(t);
    /* The last error stays visible in the shell once the screen is gone. */
    if (it->failed)
        for (size_t i = t->nlines; i > 0; i--) {
            const OutLine *l = line_at(t, i - 1);
            if (l->kind == LINE_ERR) {
                fprintf(stderr, "%ls\n", l->text);
                break;
            }
        }
    T = NULL;
    tui_free(t);
    free(t);
    fclose(devnull);
    return 0;
}
