/* grid.c — the character grid charts draw into: cells, UTF-8 text, and output as plain or ANSI-coloured text. */
#include "fitbench/grid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ======================================================================
 * Grid
 * ====================================================================== */

#define GRID_MAX_CELLS (1 << 24)

Grid *grid_new(int w, int h, FbErr *err)
{
    if (w < 0 || h < 0 || (h > 0 && w > GRID_MAX_CELLS / (h ? h : 1))) {
        fb_fail(err, "grid size %d x %d is out of range", w, h);
        return NULL;
    }
    Grid *g = fb_malloc(1, sizeof *g, "a plot grid", err);
    if (!g)
        return NULL;
    g->w = w;
    g->h = h;
    g->cells = fb_malloc((size_t)w * (size_t)h, sizeof *g->cells, "a plot grid", err);
    if (!g->cells) {
        free(g);
        return NULL;
    }
    grid_clear(g);
    return g;
}

void grid_free(Grid *g)
{
    if (!g)
        return;
    free(g->cells);
    free(g);
}

void grid_clear(Grid *g)
{
    size_t n = (size_t)g->w * (size_t)g->h;
    for (size_t i = 0; i < n; i++)
        g->cells[i] = (GridCell){' ', 0, 0};
}

void grid_put(Grid *g, int x, int y, uint32_t ch, uint8_t fg)
{
    if (x < 0 || y < 0 || x >= g->w || y >= g->h)
        return;
    g->cells[(size_t)y * g->w + x] = (GridCell){ch, fg, 0};
}

/* Decode one UTF-8 codepoint at *s, advancing it.  Invalid bytes → U+FFFD
 * (one byte consumed); control characters → '?'. */
static uint32_t utf8_next(const char **ps)
{
    const unsigned char *s = (const unsigned char *)*ps;
    uint32_t c = s[0];
    int len = 1;
    uint32_t min = 0;
    if (c < 0x80) {
        len = 1;
    } else if ((c & 0xE0) == 0xC0) {
        len = 2, c &= 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
        len = 3, c &= 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
        len = 4, c &= 0x07, min = 0x10000;
    } else {
        *ps += 1;
        return 0xFFFD;
    }
    for (int i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *ps += 1;
            return 0xFFFD;
        }
        c = (c << 6) | (s[i] & 0x3F);
    }
    *ps += len;
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0xFFFD;
    if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
        return '?';
    return c;
}

int grid_text_cols(const char *s)
{
    int n = 0;
    while (*s) {
        utf8_next(&s);
        n++;
    }
    return n;
}

int grid_text(Grid *g, int x, int y, const char *utf8, uint8_t fg)
{
    int n = 0;
    if (!utf8)
        return 0;
    while (*utf8) {
        uint32_t c = utf8_next(&utf8);
        grid_put(g, x + n, y, c, fg);
        n++;
    }
    return n;
}

int grid_text_clip(Grid *g, int x, int y, const char *s, uint8_t fg, int maxw)
{
    int n = 0;
    if (!s)
        return 0;
    while (*s && n < maxw) {
        grid_put(g, x + n, y, utf8_next(&s), fg);
        n++;
    }
    return n;
}

static size_t utf8_put(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static uint32_t cell_char(const GridCell *c)
{
    return (c->ch == 0 || c->ch > 0x10FFFF) ? ' ' : c->ch;
}

/* The last cell of a w-cell row that shows anything (a character, or with
 * colours a background), -1 for none: trailing blanks are not written. */
static int last_shown(const GridCell *row, int w, bool colours)
{
    int last = w - 1;
    while (last >= 0 && cell_char(&row[last]) == ' ' && (!colours || row[last].bg == 0))
        last--;
    return last;
}

int grid_xterm256(uint8_t c)
{
    /* Okabe–Ito: sky blue, orange, bluish green, orange-red, reddish purple, yellow, azure, light grey. */
    static const int series[GC_NSERIES] = {74, 214, 36, 208, 175, 227, 39, 250};
    /* blue (certain class 0, low loss) .. navy | maroon .. crimson (certain class 1, high loss): all dark */
    static const int heat[GC_NHEAT] = {20, 19, 18, 17, 52, 53, 88, 89};
    if (c >= GC_SERIES1 && c < GC_SERIES1 + GC_NSERIES)
        return series[c - GC_SERIES1];
    if (c >= GC_HEAT0 && c < GC_HEAT0 + GC_NHEAT)
        return heat[c - GC_HEAT0];
    switch (c) {
    case GC_AXIS: return 245;
    case GC_LABEL: return 250;
    case GC_REF: return 178;
    case GC_MARKER: return 139;
    default: return -1;
    }
}

/* SGR parameters for a colour index as foreground (bg=false) or background. */
static int ansi_color(char *out, size_t size, uint8_t c, bool bg)
{
    int code = grid_xterm256(c);
    if (code < 0)
        return snprintf(out, size, "%d", bg ? 49 : 39);
    return snprintf(out, size, "%d;5;%d", bg ? 48 : 38, code);
}

/* The grid as lines of UTF-8 text, trailing blanks dropped; with colours, an SGR escape wherever the colours
 * change and a reset at the end of each coloured line.  Returns a new string (caller frees), or NULL on out of
 * memory (err). */
static char *grid_lines(const Grid *g, bool colours, FbErr *err)
{
    /* Worst case per cell: an escape (≤ 32 bytes) + 4 bytes of text. */
    size_t cap = colours ? (size_t)g->w * (size_t)g->h * 40 + (size_t)g->h * 8 + 16
                         : (size_t)g->w * (size_t)g->h * 4 + (size_t)g->h + 1;
    char *buf = fb_malloc(cap, 1, "plot text", err);
    if (!buf)
        return NULL;
    size_t len = 0;
    for (int y = 0; y < g->h; y++) {
        if (y > 0)
            buf[len++] = '\n';
        const GridCell *row = g->cells + (size_t)y * g->w;
        int last = last_shown(row, g->w, colours), curfg = -1, curbg = -1;
        for (int x = 0; x <= last; x++) {
            if (colours && (row[x].fg != curfg || row[x].bg != curbg)) {
                char a[16], b[16];
                ansi_color(a, sizeof a, row[x].fg, false);
                ansi_color(b, sizeof b, row[x].bg, true);
                len += (size_t)snprintf(buf + len, cap - len, "\x1b[%s;%sm", a, b);
                curfg = row[x].fg;
                curbg = row[x].bg;
            }
            len += utf8_put(buf + len, cell_char(&row[x]));
        }
        if (curfg >= 0)
            len += (size_t)snprintf(buf + len, cap - len, "\x1b[0m");
    }
    buf[len] = '\0';
    return buf;
}

char *grid_to_utf8(const Grid *g, FbErr *err) { return grid_lines(g, false, err); }

char *grid_to_ansi(const Grid *g, FbErr *err) { return grid_lines(g, true, err); }
