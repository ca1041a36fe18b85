/* tui_screen.c — the screen: colours, layout, the command line, and when and how the whole screen is redrawn. */
#include "tui_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <readline/readline.h>

/* ---- colours ---------------------------------------------------------------- */

/* The terminal colour of a grid colour index (-1 = the terminal's default).
 * With 256 colours grid_xterm256's palette, else the nearest basic one. */
static short term_color(uint8_t c)
{
    static const short s8[GC_NSERIES] = {COLOR_CYAN, COLOR_YELLOW,  COLOR_GREEN, COLOR_RED,
                                         COLOR_MAGENTA, COLOR_YELLOW, COLOR_BLUE, COLOR_WHITE};
    static const short h8[GC_NHEAT] = {COLOR_BLUE, COLOR_BLUE, COLOR_BLUE, COLOR_BLUE,
                                       COLOR_RED, COLOR_RED, COLOR_RED, COLOR_RED};
    if (COLORS >= 256)
        return (short)grid_xterm256(c);
    if (c >= GC_SERIES1 && c < GC_SERIES1 + GC_NSERIES)
        return s8[c - GC_SERIES1];
    if (c >= GC_HEAT0 && c < GC_HEAT0 + GC_NHEAT)
        return h8[c - GC_HEAT0];
    switch (c) {
    case GC_REF: return COLOR_YELLOW;
    case GC_MARKER: return COLOR_MAGENTA;
    default: return -1;
    }
}

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

void tui_put_wc(Tui *t, int y, int x, wchar_t c, int fg, int bg, attr_t attr)
{
    cchar_t cc;
    wchar_t s[2] = {c ? c : L' ', 0};
    setcchar(&cc, s, attr, pair_of(t, fg, bg), NULL);
    mvadd_wch(y, x, &cc);
}

/* Text at (y, x) clipped to w columns; the rest of the w columns blanked. */
void tui_put_text(Tui *t, int y, int x, int w, const char *s, int fg, attr_t attr)
{
    int len;
    wchar_t *ws = tui_widen(s, strlen(s), &len);
    int k = 0;
    for (; k < w && ws && k < len; k++)
        tui_put_wc(t, y, x + k, ws[k], fg, 0, attr);
    for (; k < w; k++)
        tui_put_wc(t, y, x + k, L' ', 0, 0, 0);
    free(ws);
}

/* ---- layout ----------------------------------------------------------------
 * Wide screens:                          Narrow screens:
 *   plot            │ status               status (two lines)
 *   ────────── output ──────────          plot
 *   output lines                          ──── output ────
 *   fitbench> _                           output lines / prompt    */

void tui_layout(Tui *t)
{
    getmaxyx(stdscr, t->H, t->W);
    t->small = t->W < MIN_W || t->H < MIN_H;
    t->cmd_y = t->H - 1;
    if (t->small)
        return;
    t->out_h = t->H / 4 < 3 ? 3 : t->H / 4 > 12 ? 12 : t->H / 4;
    if (t->big_out) /* every row but the command line, the separator and a narrow screen's status */
        t->out_h = t->H - 2 - (t->W >= SIDE_W ? 0 : 2);
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

/* The command line: readline's prompt and buffer, scrolled so the cursor shows. */
void tui_draw_cmdline(Tui *t)
{
    int y = t->cmd_y, W = t->W;
    if (t->busy || t->waiting) {
        tui_put_text(t, y, 0, W, t->waiting ? "press a key to go on" : "", UI_DIM, 0);
        move(y, 0);
        return;
    }
    const char *prompt = rl_display_prompt ? rl_display_prompt : PROMPT;
    int plen, blen;
    wchar_t *pw = tui_widen(prompt, strlen(prompt), &plen);
    size_t n = rl_line_buffer ? strlen(rl_line_buffer) : 0;
    size_t point = rl_point < 0 ? 0 : (size_t)rl_point > n ? n : (size_t)rl_point;
    wchar_t *bw = tui_widen(rl_line_buffer ? rl_line_buffer : "", n, &blen);
    int cur_len = 0;
    wchar_t *cw = tui_widen(rl_line_buffer ? rl_line_buffer : "", point, &cur_len);
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
            tui_put_wc(t, y, x, pw[i], UI_CMD, 0, A_BOLD);
        else if (i - plen < blen)
            tui_put_wc(t, y, x, bw[i - plen], 0, 0, 0);
        else
            tui_put_wc(t, y, x, L' ', 0, 0, 0);
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
    free(tui_widen(a, strlen(a), &len));
    tui_put_text(t, y, len < t->W ? (t->W - len) / 2 : 0, t->W, a, UI_WARN, A_BOLD);
    free(tui_widen(b, strlen(b), &len));
    if (y + 1 < t->cmd_y)
        tui_put_text(t, y + 1, len < t->W ? (t->W - len) / 2 : 0, t->W, b, 0, 0);
}

/* Draw the screen.  with_plot: the plot pane too (it costs time in
 * proportion to the history; the rest costs about the same every time). */
static void draw_screen(Tui *t, bool with_plot)
{
    if (t->small)
        draw_small(t);
    else {
        if (with_plot)
            tui_draw_plot(t);
        tui_draw_status(t);
        if (with_plot || t->out_dirty) {
            tui_draw_separator(t);
            tui_draw_output(t);
            t->out_dirty = false;
        }
    }
    tui_draw_cmdline(t);
    curs_set(t->busy || t->waiting ? 0 : 1);
    refresh();
}

/* Redraw what is due.  The plot and the rest are throttled apart: each
 * waits at least FRAME_S (10 a second) and DRAW_SHARE times its own last
 * cost, so however long the history grows, drawing stays well under 1% of
 * the time each, and the epoch counter keeps moving while a long history's
 * plot is redrawn only every few seconds. */
void tui_maybe_draw(Tui *t)
{
    double now = coarse_s();
    if (now < t->next_draw && now < t->next_plot)
        return;
    bool plot = now >= t->next_plot;
    double t0 = now_s(), share = t->training && t->pace_s > 0 ? PACE_DRAW_SHARE : DRAW_SHARE;
    if (plot && !t->small) {
        tui_draw_plot(t);
        double t1 = now_s(), gap = (t1 - t0) * share;
        t->next_plot = t1 + (gap > FRAME_S ? gap : FRAME_S);
        t0 = t1;
    }
    draw_screen(t, false);
    double t1 = now_s(), gap = (t1 - t0) * share;
    t->next_draw = t1 + (gap > FRAME_S ? gap : FRAME_S);
}

void tui_force_draw(Tui *t)
{
    t->next_draw = t->next_plot = 0;
    t->out_dirty = true; /* the state behind the separator's hints may have changed */
    tui_maybe_draw(t);
}

void tui_toggle_big_output(Tui *t)
{
    t->big_out = !t->big_out;
    t->scroll = 0;
    tui_layout(t);
    clearok(curscr, TRUE);
    erase();
    tui_force_draw(t);
}

size_t tui_page_key(Tui *t, const unsigned char *in, size_t n)
{
    if (n < 4 || in[0] != 0x1b || in[1] != '[' || in[3] != '~' || (in[2] != '5' && in[2] != '6'))
        return 0;
    tui_scroll_by(t, in[2] == '5' ? t->out_h - 1 : -(t->out_h - 1));
    tui_force_draw(t);
    return 4;
}

void tui_relayout(Tui *t)
{
    struct winsize ws;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0) {
        resizeterm(ws.ws_row, ws.ws_col);
        rl_set_screen_size(ws.ws_row, ws.ws_col);
    }
    tui_layout(t);
    clearok(curscr, TRUE);
    erase();
    tui_force_draw(t);
}
