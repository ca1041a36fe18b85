/* netplot.c — the network as a character grid: columns of neurons with their maps, weight marks, biases (netplot.h). */
#include "fitbench/netplot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fitbench/strutil.h"

static const uint32_t map_ramp[5] = {0x00B7, 0x2591, 0x2592, 0x2593, 0x2588}; /* · ░ ▒ ▓ █ */

int netplot_level(double v, double lo, double hi)
{
    if (isnan(v) || !(hi > lo))
        return 0;
    int k = (int)floor((v - lo) / (hi - lo) * 5);
    return k < 0 ? 0 : k > 4 ? 4 : k;
}

int netplot_weight_level(double w, double wmax)
{
    double t = wmax > 0 ? fabs(w) / wmax : 0;
    return t < 0.15 ? 0 : t < 0.5 ? 1 : 2;
}

uint32_t netplot_map_glyph(int level) { return map_ramp[level < 0 ? 0 : level > 4 ? 4 : level]; }

uint32_t netplot_weight_glyph(double w, double wmax)
{
    int l = netplot_weight_level(w, wmax);
    if (l == 0)
        return 0x00B7;                            /* · */
    if (w >= 0)
        return l == 1 ? 0x25AA : 0x25A0;          /* ▪ ■ */
    return l == 1 ? 0x25AB : 0x25A1;              /* ▫ □ */
}

static double layer_wmax(const NetPlot *np, size_t c)
{
    double m = 0;
    for (size_t q = 0; q < np->sizes[c] * np->sizes[c - 1]; q++)
        m = fmax(m, fabs(np->W[c][q]));
    return m;
}

/* The layout of the drawn picture; ok false when it does not fit. */
typedef struct NetLayout {
    bool ok, labels;      /* labels: a bias row under every map */
    int band, mh, mw;     /* rows per neuron, map rows and columns */
    int top;              /* first row of the neurons */
    int colx[NET_COLS_MAX], gapx[NET_COLS_MAX];
    size_t most;          /* neurons in the fullest column */
} NetLayout;

static NetLayout layout(const NetPlot *np, const Grid *g)
{
    NetLayout L = {.top = 2};
    if (np->ncols > NET_DRAW_COLS)
        return L;
    for (size_t c = 0; c < np->ncols; c++) {
        if (np->sizes[c] > NET_DRAW_MAX || np->sizes[c] == 0)
            return L;
        L.most = np->sizes[c] > L.most ? np->sizes[c] : L.most;
    }
    int avail_h = g->h - L.top - 2; /* two key rows at the bottom */
    L.band = avail_h / (int)L.most;
    if (L.band < 1)
        return L;
    L.labels = L.band >= 3;
    L.mh = L.labels ? L.band - 2 : L.band;
    int gaps = 0;
    for (size_t c = 1; c < np->ncols; c++)
        gaps += (int)np->sizes[c - 1] + 3;
    int mw = (g->w - 1 - gaps) / (int)np->ncols;
    int cap = np->maps[1] ? 2 * L.mh + 2 : 8;
    L.mw = mw > cap ? cap : mw > 14 ? 14 : mw;
    if (L.mw < (np->maps[1] ? 3 : 5))
        return L;
    int x = (g->w - 1 - gaps - L.mw * (int)np->ncols) / 2;
    for (size_t c = 0; c < np->ncols; c++) {
        L.colx[c] = x;
        x += L.mw;
        if (c + 1 < np->ncols) {
            L.gapx[c] = x;
            x += (int)np->sizes[c] + 3;
        }
    }
    L.ok = true;
    return L;
}

static int neuron_y(const NetLayout *L, size_t n, size_t j)
{
    return L->top + (int)(L->most - n) * L->band / 2 + (int)j * L->band;
}

/* A bias in at most w columns: +0.31, +0.3, then +.3 (|b| < 1) or +3 when the map is narrow. */
static void fmt_bias(char *buf, size_t size, double b, int w)
{
    snprintf(buf, size, "%+.2f", b);
    if ((int)strlen(buf) > w)
        snprintf(buf, size, "%+.1f", b);
    if ((int)strlen(buf) > w && fabs(b) < 0.95) {
        snprintf(buf, size, "%+.1f", b); /* "+0.3" -> "+.3" */
        memmove(buf + 1, buf + 2, strlen(buf + 2) + 1);
    } else if ((int)strlen(buf) > w)
        snprintf(buf, size, "%+.0f", b);
}

/* Neuron j of column c: its map (or its bias in brackets) and the label under it. */
static void draw_neuron(const NetPlot *np, const NetLayout *L, Grid *g, size_t c, size_t j)
{
    int x = L->colx[c], y = neuron_y(L, np->sizes[c], j);
    char lab[32] = "";
    if (c == 0)
        snprintf(lab, sizeof lab, "%s", np->in_names[j]);
    else
        fmt_bias(lab, sizeof lab, np->b[c][j], np->maps[c] ? L->mw : L->mw - 2);
    const double *map = np->maps[c] ? np->maps[c] + j * (size_t)np->mnx * (size_t)np->mny : NULL;
    if (!map) {
        char box[40];
        snprintf(box, sizeof box, c == 0 ? "%s" : "(%s)", lab); /* an input: its name; a neuron: its bias */
        grid_text_clip(g, x, y + (L->mh - 1) / 2, box, c == 0 ? GC_LABEL : GC_SERIES1 + 2, L->mw);
        return;
    }
    for (int r = 0; r < L->mh; r++)
        for (int q = 0; q < L->mw; q++) {
            int sx = q * np->mnx / L->mw, sy = r * np->mny / L->mh;
            int lv = netplot_level(map[(size_t)sy * np->mnx + sx], np->lo[c], np->hi[c]);
            grid_put(g, x + q, y + r, netplot_map_glyph(lv), (uint8_t)(GC_HEAT0 + lv * (GC_NHEAT - 1) / 4));
        }
    if (L->labels)
        grid_text_clip(g, x, y + L->mh, lab, GC_LABEL, L->mw);
}

/* Before neuron j of column c: one mark per incoming weight, then an arrow. */
static void draw_links(const NetPlot *np, const NetLayout *L, Grid *g, size_t c, size_t j, double wmax)
{
    size_t in = np->sizes[c - 1];
    int x = L->gapx[c - 1] + 1, y = neuron_y(L, np->sizes[c], j) + (L->mh - 1) / 2;
    for (size_t i = 0; i < in; i++) {
        double w = np->W[c][j * in + i];
        int lv = netplot_weight_level(w, wmax);
        grid_put(g, x + (int)i, y, netplot_weight_glyph(w, wmax),
                 lv == 0 ? GC_AXIS : w >= 0 ? GC_SERIES1 : GC_SERIES1 + 3);
    }
    grid_put(g, x + (int)in, y, 0x2192, GC_AXIS); /* → */
}

static void draw_full(const NetPlot *np, const NetLayout *L, Grid *g)
{
    for (size_t c = 0; c < np->ncols; c++) {
        int room = c + 1 < np->ncols ? L->mw + (int)np->sizes[c] + 2 : g->w - L->colx[c];
        grid_text_clip(g, L->colx[c], 1, np->label[c], GC_LABEL, room);
        double wmax = c ? layer_wmax(np, c) : 0;
        for (size_t j = 0; j < np->sizes[c]; j++) {
            draw_neuron(np, L, g, c, j);
            if (c)
                draw_links(np, L, g, c, j, wmax);
        }
    }
    /* The key in full when it fits, else in short (the workbench's plot pane is 68 columns at 100). */
    static const char *const wkey[2] = {
        "weights in, top to bottom: \u25a0\u25a1 big +/-  \u25aa\u25ab medium  \u00b7 small (vs the layer's max)",
        "weights in: \u25a0\u25a1 big +/-  \u25aa\u25ab medium  \u00b7 small (per layer)"};
    static const char *const mkey[2] = {
        "maps: output over the input plane, \u00b7\u2591\u2592\u2593\u2588 low to high; under a map: its bias",
        "maps: output over the inputs, \u00b7\u2591\u2592\u2593\u2588 low to high; under: bias"};
    const char *wk = grid_text_cols(wkey[0]) <= g->w ? wkey[0] : wkey[1];
    const char *mk = np->maps[1] ? (grid_text_cols(mkey[0]) <= g->w ? mkey[0] : mkey[1]) : "each neuron shows its bias";
    grid_text_clip(g, 0, g->h - 2, wk, GC_LABEL, g->w);
    grid_text_clip(g, 0, g->h - 1, mk, GC_LABEL, g->w);
}

/* One line per layer: its size, activation, mean and largest |W|, mean bias; then the note. */
static void draw_summary(const NetPlot *np, Grid *g)
{
    int y = 2;
    char line[256];
    snprintf(line, sizeof line, "%-12s %7s  %10s  %10s  %10s", "layer", "neurons", "mean |W|", "max |W|", "mean b");
    grid_text_clip(g, 0, y++, line, GC_LABEL, g->w);
    snprintf(line, sizeof line, "%-12.12s %7zu", np->label[0], np->sizes[0]);
    grid_text_clip(g, 0, y++, line, 0, g->w);
    for (size_t c = 1; c < np->ncols && y < g->h - 3; c++) {
        size_t nw = np->sizes[c] * np->sizes[c - 1];
        double sa = 0, mx = 0, sb = 0;
        for (size_t q = 0; q < nw; q++) {
            sa += fabs(np->W[c][q]);
            mx = fmax(mx, fabs(np->W[c][q]));
        }
        for (size_t j = 0; j < np->sizes[c]; j++)
            sb += np->b[c][j];
        char a[24], m[24], b[24];
        snprintf(line, sizeof line, "%-12.12s %7zu  %10s  %10s  %10s", np->label[c], np->sizes[c],
                 fb_fmt(a, sizeof a, nw ? sa / (double)nw : 0, 4), fb_fmt(m, sizeof m, mx, 4),
                 fb_fmt(b, sizeof b, np->sizes[c] ? sb / (double)np->sizes[c] : 0, 4));
        grid_text_clip(g, 0, y++, line, 0, g->w);
    }
    /* The note, wrapped at spaces. */
    const char *p = np->note ? np->note : "";
    for (y++; *p && y < g->h; y++) {
        int n = (int)strlen(p), cut = n;
        if (n > g->w - 1) {
            cut = g->w - 1;
            while (cut > 0 && p[cut] != ' ')
                cut--;
            if (cut == 0)
                cut = g->w - 1;
        }
        snprintf(line, sizeof line, "%.*s", cut < (int)sizeof line - 1 ? cut : (int)sizeof line - 1, p);
        grid_text_clip(g, 0, y, line, GC_LABEL, g->w);
        p += cut;
        while (*p == ' ')
            p++;
    }
}

int netplot_render(const NetPlot *np, Grid *g, FbErr *err)
{
    if (np->ncols < 2 || np->ncols > NET_COLS_MAX)
        return fb_fail(err, "plot network: %zu columns of neurons (2 to %d)", np->ncols, NET_COLS_MAX);
    grid_clear(g);
    if (np->title) {
        int tw = grid_text_cols(np->title);
        grid_text_clip(g, tw < g->w ? (g->w - tw) / 2 : 0, 0, np->title, GC_TITLE, g->w);
    }
    NetLayout L = layout(np, g);
    if (L.ok)
        draw_full(np, &L, g);
    else
        draw_summary(np, g);
    return 0;
}
