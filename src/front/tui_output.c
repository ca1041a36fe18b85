/* tui_output.c — the output pane: the scrollback ring, the sinks that fill it, its drawing and scrolling. */
#include "tui_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/strbuf.h"

/* UTF-8 to one-column characters: tabs to spaces, controls and bad bytes to '?'.
 * Returns a malloc'ed array (NULL on out of memory), its length in *len. */
wchar_t *tui_widen(const char *s, size_t n, int *len)
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

OutLine *tui_line_at(Tui *t, size_t i) { return &t->ring[(t->first + i) % OUT_MAX]; }

void tui_add_line(Tui *t, const char *s, size_t n, int kind)
{
    int len;
    wchar_t *w = tui_widen(s, n, &len);
    if (!w)
        return; /* out of memory: the line is lost, the screen goes on */
    if (t->nlines == OUT_MAX) {
        free(tui_line_at(t, 0)->text);
        t->first = (t->first + 1) % OUT_MAX;
        t->nlines--;
    }
    t->out_dirty = true;
    OutLine *l = tui_line_at(t, t->nlines++);
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

/* Sink writes: complete lines go to the pane, a trailing part waits. */
static void pane_write(Tui *t, int which, const char *s, size_t n)
{
    Partial *p = &t->part[which];
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n') {
            const char *txt = p->len ? p->buf : "";
            int kind = which ? err_kind(txt, p->len) : LINE_OUT;
            tui_add_line(t, txt, p->len, kind);
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
    tui_maybe_draw(t);
}

void tui_out_write(void *ctx, const char *s, size_t n) { pane_write(ctx, 0, s, n); }
void tui_err_write(void *ctx, const char *s, size_t n) { pane_write(ctx, 1, s, n); }

void tui_flush_partials(Tui *t)
{
    for (int i = 0; i < 2; i++)
        if (t->part[i].len)
            pane_write(t, i, "\n", 1);
}

typedef struct Note {
    Tui *t;
    int kind;
} Note;

static void put_note(void *ctx, const char *s, size_t n)
{
    Note *note = ctx;
    tui_add_line(note->t, s, n, note->kind);
}

void tui_note(Tui *t, int kind, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fb_vformat_to(put_note, &(Note){t, kind}, fmt, ap);
    va_end(ap);
}

/* ---- drawing the pane ---------------------------------------------------------- */

/* Word wrap: the row of l that starts at *s ends before the returned index; *s moves to the next row's start.
 * A row breaks after the last space that fits (the spaces at the break are dropped), or at w columns when a
 * word is longer than the row. */
static int wrap_row(const OutLine *l, int *s, int w)
{
    int a = *s, e = a + w;
    if (e >= l->len) {
        *s = l->len;
        return l->len;
    }
    int b = e;
    while (b > a && l->text[b] != L' ')
        b--;
    if (b == a) { /* one long word: cut it */
        *s = e;
        return e;
    }
    int next = b;
    while (next < l->len && l->text[next] == L' ')
        next++;
    while (b > a && l->text[b - 1] == L' ')
        b--;
    *s = next;
    return b;
}

/* Screen rows a line takes when wrapped to w columns. */
static int rows_of(const OutLine *l, int w)
{
    if (l->len <= w)
        return 1;
    int n = 0;
    for (int s = 0; s < l->len; n++)
        wrap_row(l, &s, w);
    return n;
}

static int total_rows(Tui *t)
{
    int n = 0;
    for (size_t i = 0; i < t->nlines; i++)
        n += rows_of(tui_line_at(t, i), t->W);
    return n;
}

void tui_draw_separator(Tui *t)
{
    const char *hint;
    char buf[160];
    if (t->training && t->W >= 100)
        hint = " Esc stop \u00b7 space pause \u00b7 +/- lr\u00d72 \u00b7 </> slower/faster \u00b7 e end ";
    else if (t->training)
        hint = " Esc stop \u00b7 space pause \u00b7 +/- lr \u00b7 </> pace \u00b7 e end ";
    else if (t->waiting && t->scroll) {
        snprintf(buf, sizeof buf, " %d lines back \u00b7 PgDn \u00b7 any other key: go on ", t->scroll);
        hint = buf;
    } else if (t->waiting && t->W >= 80)
        hint = " PgUp scroll \u00b7 ^O output \u00b7 any other key: go on ";
    else if (t->waiting)
        hint = " any key: go on ";
    else if (t->scroll) {
        snprintf(buf, sizeof buf, " %d lines back \u00b7 PgDn ", t->scroll);
        hint = buf;
    } else
        hint = " PgUp/PgDn scroll \u00b7 ^O output \u00b7 Tab complete \u00b7 Ctrl-R search ";
    for (int x = 0; x < t->W; x++)
        tui_put_wc(t, t->sep_y, x, x == t->plot_w && t->side ? L'\u2534' : L'\u2500', UI_DIM, 0, 0);
    tui_put_text(t, t->sep_y, 2, 8, " output ", UI_DIM, 0);
    int len;
    wchar_t *w = tui_widen(hint, strlen(hint), &len);
    free(w);
    if (len + 12 < t->W)
        tui_put_text(t, t->sep_y, t->W - len - 2, len, hint, t->training || t->scroll ? UI_WARN : UI_DIM, 0);
}

void tui_draw_output(Tui *t)
{
    int w = t->W, h = t->out_h;
    /* Walk back from the newest line: skip `scroll` rows, then fill bottom up. */
    int skip = t->scroll, y = h - 1;
    for (size_t i = t->nlines; i > 0 && y >= 0; i--) {
        const OutLine *l = tui_line_at(t, i - 1);
        int r = rows_of(l, w);
        for (int k = r - 1; k >= 0 && y >= 0; k--) {
            if (skip > 0) {
                skip--;
                continue;
            }
            int fg = l->kind == LINE_ERR ? UI_ERR : l->kind == LINE_WARN ? UI_WARN : l->kind == LINE_NOTE ? UI_NOTE
                   : l->kind == LINE_CMD ? UI_CMD : 0;
            attr_t a = l->kind == LINE_CMD ? A_BOLD : 0;
            int x = 0, st = 0, end = l->len;
            for (int q = 0; q <= k; q++) {
                int from = st;
                end = wrap_row(l, &st, w);
                if (q == k)
                    st = from;
            }
            for (int j = st; j < end && x < w; j++, x++)
                tui_put_wc(t, t->out_y + y, x, l->text[j], fg, 0, a);
            for (; x < w; x++)
                tui_put_wc(t, t->out_y + y, x, L' ', 0, 0, 0);
            y--;
        }
    }
    for (; y >= 0; y--)
        tui_put_text(t, t->out_y + y, 0, w, "", 0, 0);
}

/* ---- scrolling ---------------------------------------------------------------- */

void tui_scroll_by(Tui *t, int rows)
{
    if (t->small)
        return;
    int max = total_rows(t) - t->out_h;
    t->scroll += rows;
    if (t->scroll > max)
        t->scroll = max;
    if (t->scroll < 0)
        t->scroll = 0;
    tui_force_draw(t);
}
