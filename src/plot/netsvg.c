/* netsvg.c — the network picture (netplot.h) as SVG: neurons or their maps, links by |w| and sign, biases. */
#include "fitbench/netplot.h"
#include "svg_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/strbuf.h"
#include "fitbench/strutil.h"

typedef struct NetGeo {
    double colx[NET_COLS_MAX]; /* centre of each column */
    double top, step, r;       /* first neuron's centre row, rows apart, half the neuron's size */
    size_t most;
} NetGeo;

static double ny_at(const NetGeo *G, size_t n, size_t j)
{
    return G->top + ((double)(G->most - n) / 2 + (double)j) * G->step;
}

/* Every link into column c: width and opacity by |w| against the layer's largest; blue solid +, red dashed −. */
static void svg_links(StrBuf *sb, const NetPlot *np, const NetGeo *G, size_t c)
{
    size_t in = np->sizes[c - 1], out = np->sizes[c];
    double wmax = 0;
    for (size_t q = 0; q < in * out; q++)
        wmax = fmax(wmax, fabs(np->W[c][q]));
    for (size_t j = 0; j < out; j++)
        for (size_t i = 0; i < in; i++) {
            double w = np->W[c][j * in + i], t = wmax > 0 ? fabs(w) / wmax : 0;
            strbuf_puts(sb, "<line x1=\"");
            sb_num(sb, G->colx[c - 1] + G->r);
            strbuf_puts(sb, "\" y1=\"");
            sb_num(sb, ny_at(G, in, i));
            strbuf_puts(sb, "\" x2=\"");
            sb_num(sb, G->colx[c] - G->r);
            strbuf_puts(sb, "\" y2=\"");
            sb_num(sb, ny_at(G, out, j));
            strbuf_puts(sb, "\" stroke-width=\"");
            sb_num(sb, 0.3 + 4.7 * t);
            strbuf_puts(sb, "\" stroke-opacity=\"");
            sb_num(sb, 0.15 + 0.85 * t);
            strbuf_printf(sb, "\" stroke=\"%s\"%s/>\n", w >= 0 ? "#1f77b4" : "#d62728",
                          w >= 0 ? "" : " stroke-dasharray=\"4 2\"");
        }
}

/* Neuron j of column c at (x, y): its map as a grid of rects, or a circle; the label under it. */
static void svg_neuron(StrBuf *sb, const NetPlot *np, const NetGeo *G, size_t c, size_t j, double x, double y)
{
    const double *map = np->maps[c] ? np->maps[c] + j * (size_t)np->mnx * (size_t)np->mny : NULL;
    double s = 2 * G->r;
    if (map) {
        double cw = s / np->mnx, chh = s / np->mny;
        strbuf_puts(sb, "<g shape-rendering=\"crispEdges\">\n");
        for (int r = 0; r < np->mny; r++)
            for (int q = 0; q < np->mnx; q++) {
                int lv = netplot_level(map[(size_t)r * np->mnx + q], np->lo[c], np->hi[c]);
                strbuf_puts(sb, "<rect x=\"");
                sb_num(sb, x - G->r + q * cw);
                strbuf_puts(sb, "\" y=\"");
                sb_num(sb, y - G->r + r * chh);
                strbuf_puts(sb, "\" width=\"");
                sb_num(sb, cw + 0.3);
                strbuf_puts(sb, "\" height=\"");
                sb_num(sb, chh + 0.3);
                strbuf_printf(sb, "\" fill=\"%s\"/>\n", heat_color((uint8_t)(GC_HEAT0 + lv * (GC_NHEAT - 1) / 4)));
            }
        strbuf_puts(sb, "</g>\n<rect x=\"");
        sb_num(sb, x - G->r);
        strbuf_puts(sb, "\" y=\"");
        sb_num(sb, y - G->r);
        strbuf_puts(sb, "\" width=\"");
        sb_num(sb, s);
        strbuf_puts(sb, "\" height=\"");
        sb_num(sb, s);
        strbuf_puts(sb, "\" fill=\"none\" stroke=\"#444\"/>\n");
    } else {
        strbuf_puts(sb, "<circle cx=\"");
        sb_num(sb, x);
        strbuf_puts(sb, "\" cy=\"");
        sb_num(sb, y);
        strbuf_puts(sb, "\" r=\"");
        sb_num(sb, G->r);
        strbuf_puts(sb, "\" fill=\"#f4f4f4\" stroke=\"#444\"/>\n");
    }
    char lab[32];
    if (c == 0)
        snprintf(lab, sizeof lab, "%s", np->in_names[j]);
    else
        snprintf(lab, sizeof lab, "b %+.3g", np->b[c][j]);
    text_el(sb, x, y + G->r + 12, "middle", "", lab);
}

static bool drawable(const NetPlot *np)
{
    if (np->ncols > NET_DRAW_COLS)
        return false;
    for (size_t c = 0; c < np->ncols; c++)
        if (np->sizes[c] > NET_DRAW_MAX)
            return false;
    return true;
}

/* Too big to draw: one line of text per layer (the text picture's summary) and the note. */
static int svg_summary(StrBuf *sb, const NetPlot *np, int W)
{
    Grid *g = grid_new(W / 8 > 40 ? W / 8 : 40, (int)np->ncols + 12, NULL);
    if (!g)
        return -1;
    FbErr e;
    NetPlot copy = *np;
    copy.title = NULL;
    netplot_render(&copy, g, &e);
    char *text = grid_to_utf8(g, NULL);
    if (!text) {
        grid_free(g);
        return -1;
    }
    strbuf_puts(sb, "<g font-family=\"DejaVu Sans Mono, monospace\" xml:space=\"preserve\">\n");
    int y = 0;
    for (char *line = text, *nl; line; line = nl ? nl + 1 : NULL, y++) {
        nl = strchr(line, '\n');
        if (nl)
            *nl = 0;
        if (*line)
            text_el(sb, 20, 50 + 16 * y, "start", "", line);
    }
    free(text);
    strbuf_puts(sb, "</g>\n");
    grid_free(g);
    return 0;
}

int netplot_svg(const NetPlot *np, int width_px, int height_px, char **out, size_t *len, FbErr *err)
{
    *out = NULL;
    if (len)
        *len = 0;
    if (np->ncols < 2 || np->ncols > NET_COLS_MAX)
        return fb_fail(err, "plot network: %zu columns of neurons (2 to %d)", np->ncols, NET_COLS_MAX);
    int W = width_px < 200 ? 200 : width_px > 10000 ? 10000 : width_px;
    int H = height_px < 200 ? 200 : height_px > 10000 ? 10000 : height_px;
    StrBuf sb = {0};
    sb_open(&sb, W, H, np->title);
    if (np->title)
        text_el(&sb, W / 2.0, 22, "middle", " font-weight=\"bold\" font-size=\"14\"", np->title);
    if (!drawable(np)) {
        if (svg_summary(&sb, np, W))
            sb.oom = true;
        strbuf_puts(&sb, "</svg>\n");
        return sb_finish(&sb, out, len, err);
    }
    NetGeo G = {.top = 70};
    for (size_t c = 0; c < np->ncols; c++)
        G.most = np->sizes[c] > G.most ? np->sizes[c] : G.most;
    G.step = (H - 100.0) / (double)G.most;
    double colw = (W - 40.0) / (double)np->ncols;
    G.r = fmin(G.step * 0.32, colw * 0.22);
    for (size_t c = 0; c < np->ncols; c++) {
        G.colx[c] = 20 + colw * ((double)c + 0.5);
        text_el(&sb, G.colx[c], 50, "middle", "", np->label[c]);
    }
    for (size_t c = 1; c < np->ncols; c++)
        svg_links(&sb, np, &G, c);
    for (size_t c = 0; c < np->ncols; c++)
        for (size_t j = 0; j < np->sizes[c]; j++)
            svg_neuron(&sb, np, &G, c, j, G.colx[c], ny_at(&G, np->sizes[c], j));
    text_el(&sb, 20, H - 12, "start", "",
            "links: width and opacity by |w| against the layer's largest; blue solid positive, red dashed negative");
    strbuf_puts(&sb, "</svg>\n");
    return sb_finish(&sb, out, len, err);
}

int netplot_svg_write(const NetPlot *np, const char *path, int width_px, int height_px, FbErr *err)
{
    char *svg = NULL;
    size_t len = 0;
    int rc = netplot_svg(np, width_px, height_px, &svg, &len, err);
    return write_rendered(rc, svg, len, path, err);
}
