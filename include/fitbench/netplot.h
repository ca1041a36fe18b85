/* netplot.h — the network drawn: layers as columns of neurons, incoming weights by size and sign, biases, and for
 * two-input problems each neuron's activation over the input plane (text grid and SVG). */
#ifndef FITBENCH_NETPLOT_H
#define FITBENCH_NETPLOT_H

#include <stddef.h>

#include "fitbench/err.h"
#include "fitbench/grid.h"

#define NET_COLS_MAX 17   /* columns of neurons: the inputs and up to 16 layers */
#define NET_DRAW_MAX 8    /* neurons per column drawn one by one (the Playground's widest layer) */
#define NET_DRAW_COLS 8   /* columns drawn one by one: inputs, 6 hidden layers, outputs */

/* What to draw, as plain arrays (borrowed).  Column 0 is the inputs, column
 * c >= 1 the neurons of layer c: W[c] is (sizes[c], sizes[c-1]) row-major
 * (torch.nn.Linear's layout: row j holds neuron j's incoming weights), b[c]
 * is (sizes[c]).  maps[c], when not NULL, is (sizes[c], mny, mnx): neuron
 * j's value at mnx × mny points of the input plane, row 0 the top (largest
 * second input), shaded from lo[c] to hi[c].  Without maps the neurons are
 * drawn as their bias. */
typedef struct NetPlot {
    size_t ncols;
    size_t sizes[NET_COLS_MAX];
    const double *W[NET_COLS_MAX], *b[NET_COLS_MAX];
    char label[NET_COLS_MAX][24];          /* column headers: "x", "h1 relu", "out P(1)" */
    char in_names[NET_DRAW_MAX][16];       /* the inputs' names (column 0) */
    int mnx, mny;
    const double *maps[NET_COLS_MAX];
    double lo[NET_COLS_MAX], hi[NET_COLS_MAX];
    const char *title;
    const char *note;                      /* a sentence under a summary ("" or NULL: none) */
} NetPlot;

/* Shading of a map value: 0..4 from lo to hi (NaN and an empty range: 0). */
int netplot_level(double v, double lo, double hi);

/* A weight's mark against the largest |w| of its layer: 0 weak (< 0.15 of it), 1 medium (< 0.5), 2 strong. */
int netplot_weight_level(double w, double wmax);

/* The glyphs: map shading "·░▒▓█" by level; weights '·' weak, '▪'/'▫' medium, '■'/'□' strong, filled for
 * positive, hollow for negative (so the picture reads without colour). */
uint32_t netplot_map_glyph(int level);
uint32_t netplot_weight_glyph(double w, double wmax);

/* Draw np into g (cleared first).  Every column of at most NET_DRAW_MAX neurons and at most NET_DRAW_COLS
 * columns, if the grid has room: the columns of neurons, each a map (or its bias in brackets) with its bias
 * under it, and before each neuron of column c one mark per incoming weight (top to bottom: the neurons of
 * column c-1), then a two-line key.  Otherwise one line per layer (its size, mean and largest |W|, mean bias)
 * and the note.  Fails on ncols < 2, or columns past NET_COLS_MAX. */
int netplot_render(const NetPlot *np, Grid *g, FbErr *err);

/* The same picture as an SVG document (W × H pixels, clamped to 200..10000): neurons as circles, or as their
 * maps in the viridis ramp; every link a line whose width and opacity grow with |w|, solid blue for positive,
 * dashed red for negative; biases as labels.  A summary (as netplot_render's) for big networks.  *out is
 * malloc'ed (caller frees), *len its length (may be NULL).  Fails as netplot_render or on out of memory. */
int netplot_svg(const NetPlot *np, int width_px, int height_px, char **out, size_t *len, FbErr *err);
/* netplot_svg written atomically to path; fails as netplot_svg or when the file cannot be written. */
int netplot_svg_write(const NetPlot *np, const char *path, int width_px, int height_px, FbErr *err);

#endif
