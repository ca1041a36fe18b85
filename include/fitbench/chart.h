/* chart.h — line/point charts and heat maps rendered into a plain character grid (Braille dots, axes, legend); no ncurses. */
#ifndef FITBENCH_CHART_H
#define FITBENCH_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fitbench/err.h"
#include "fitbench/grid.h"

/* ---- chart description ---------------------------------------------------- */

#define CHART_MAX_SERIES 8
#define CHART_MAX_MARKERS 16
/* Below this size chart_render writes a one-line "plot too small" note. */
#define CHART_MIN_W 20
#define CHART_MIN_H 6

typedef enum SeriesStyle {
    SERIES_LINE = 0,   /* consecutive finite points joined by lines */
    SERIES_POINTS = 1, /* one dot per point */
    SERIES_DASHED = 2, /* a line in dashes (3 dots on, 3 off along the line); legend "╍╍" */
    SERIES_DOTTED = 3, /* a line in dots (1 on, 2 off); legend "┉┉" */
    SERIES_LONGDASH = 4, /* a line in long dashes (6 on, 2 off); legend "┅┅" */
    SERIES_CROSSES = 5,  /* a small cross of five dots per point; legend "+" */
} SeriesStyle;

/* The legend glyph of a style ("━" line, "╍" dashed, "┉" dotted, "┅" long dashes, "•" points, "+" crosses): the series
 * stay apart without colour. */
uint32_t chart_style_glyph(SeriesStyle st);

/* One curve.  The chart only borrows the arrays (and strings); they must
 * stay alive while rendering.  x may be NULL: point i then has
 * x = x0 + i * dx (dx 0 means 1, so a zeroed Series counts 0, 1, 2, ...).
 * Points whose x or y is NaN/±Inf — or ≤ 0 on a log axis — are skipped and
 * break a line into pieces. */
typedef struct Series {
    const char *name;   /* legend entry; NULL or "" = not in the legend */
    const double *x;    /* n values or NULL */
    const double *y;    /* n values (NULL only when n == 0) */
    size_t n;
    double x0, dx;
    SeriesStyle style;
    uint8_t color;      /* GC_SERIES1.. ; 0 = series index + 1 */
    uint32_t tag;       /* 0, or a character drawn at the series' last point and before its legend entry, so
                         * series sharing a line style stay apart without colour (compare's fifth run on) */
} Series;

/* A vertical marker, e.g. where the learning rate changed ("lr×2"). */
typedef struct ChartMarker {
    double x;
    const char *label;  /* short; NULL = none */
} ChartMarker;

/* What to draw.  Zero-initialise (or chart_init) and fill in.  Strings and
 * arrays are borrowed.  The y range covers all finite data plus the
 * reference line, rounded out to tick steps (on a log axis to decades, or to
 * 1/2/5 × 10^k under two decades); the x range is the data's exact extent
 * (rounded out the same way on a log axis).  A fixed
 * range replaces the computed one and clips data outside it. */
typedef struct Chart {
    const char *title, *xlabel, *ylabel;
    Series series[CHART_MAX_SERIES];
    int nseries;
    bool logx, logy;
    bool has_ref;          /* horizontal reference line at ref_y */
    double ref_y;
    const char *ref_label; /* NULL → the value printed with %.6g */
    ChartMarker markers[CHART_MAX_MARKERS];
    int nmarkers;
    bool fixed_x, fixed_y; /* use xmin..xmax / ymin..ymax as given */
    double xmin, xmax, ymin, ymax;
} Chart;

/* All zero: no title, no series, linear axes. */
void chart_init(Chart *c);
/* Append a series (x may be NULL, see Series).  Returns its index, or -1
 * with err filled when CHART_MAX_SERIES are already there. */
int chart_add_series(Chart *c, const char *name, const double *x, const double *y, size_t n,
                     SeriesStyle style, FbErr *err);
/* Append a vertical marker.  -1 with err filled when CHART_MAX_MARKERS are there. */
int chart_add_marker(Chart *c, double x, const char *label, FbErr *err);

/* Draw c over the whole grid (cleared first).  Layout, top to bottom: a
 * header row (y label left, title centred) when the grid has ≥ 8 rows; the
 * plot with the y axis and its tick labels on the left; the x axis; the x
 * tick labels; the x label when there are ≥ 10 rows.  Lines are Braille dots
 * (2×4 per cell), joined by Bresenham lines on the dot grid; when a cell is
 * shared the series drawn later (higher index) gives it its colour.  The
 * legend (coloured "━━" or "•" + name) goes to the corner that hides the
 * fewest data cells (top right, top left, bottom right, bottom left, in that
 * order on ties).  Grids smaller than CHART_MIN_W × CHART_MIN_H get the
 * note "plot too small" instead; a chart without any finite point gets empty
 * axes and "no data yet".  Fails (-1, err) only on out of memory or invalid
 * arguments (NULL, nseries out of range, a series with n > 0 and y NULL). */
int chart_render(const Chart *c, Grid *g, FbErr *err);

/* ---- axes (shared by the grid and SVG renderers) --------------------------- */

#define CHART_MAX_TICKS 64

/* One axis after layout.  lo/hi are in axis space: log10(value) on a log
 * axis.  ticks[] are tick positions in axis space, with labels already
 * formatted.  On a log axis ticks sit at decades (every `step` decades);
 * when the range spans under two decades and holds fewer than three of
 * them, at 1, 2 and 5 × 10^k instead (labels "20", "0.05", "2e-5"), and a
 * loose range is then rounded out to such values rather than to decades. */
typedef struct ChartAxis {
    bool log;
    double lo, hi;
    double step;       /* tick spacing in axis space */
    int nticks;
    double ticks[CHART_MAX_TICKS];
    char labels[CHART_MAX_TICKS][24];
} ChartAxis;

/* The smallest step of the form {1, 2, 5} × 10^k with span / step ≤
 * max_intervals (span > 0 and finite, max_intervals ≥ 1; otherwise 1). */
double chart_nice_step(double span, int max_intervals);
/* The multiples of step inside [lo, hi] (with a tolerance of step·1e-9),
 * ascending, at most cap of them; returns how many were written.  Values
 * within step·1e-9 of zero are written as exactly 0. */
int chart_ticks(double lo, double hi, double step, double *out, int cap);
/* A linear tick label: value v on an axis with the given step, with just
 * enough digits that neighbouring labels differ ("0.25", "120", "-3",
 * "2.5e-7", "1e300"), C locale.  Returns buf. */
char *chart_fmt_tick(char *buf, size_t size, double v, double step);
/* A decade label 10^e: "0.01", "0.1", "1", "10", "100", "1000" for
 * -2 ≤ e ≤ 3, else "1e-3", "1e4", "1e-300".  Returns buf. */
char *chart_fmt_decade(char *buf, size_t size, int e);

/* Lay out one axis over the data range [dlo, dhi] (raw values; on a log
 * axis both must be > 0).  loose rounds the range out to the outer ticks;
 * otherwise the range is kept and ticks lie inside it.  Empty or one-value
 * ranges are widened so something is visible.  max_intervals bounds the
 * tick count.  Never fails. */
void chart_axis_layout(ChartAxis *ax, double dlo, double dhi, bool log, bool loose,
                       int max_intervals);

/* How far a lies from lo towards hi (0 at lo, 1 at hi; a is already log10'd on a log axis), robust to
 * hi - lo overflowing.  Far-off values are clamped to ±lim so later clipping stays finite. */
double chart_axis_frac(double a, double lo, double hi, double lim);

/* The data ranges chart_render and svg_render_chart use: finite points
 * (positive on log axes) of all series, plus the reference line for y; a
 * fixed range wins.  Returns false when there is no such point (the ranges
 * are then 0..1, or 1..10 on log axes, unless fixed). */
bool chart_data_range(const Chart *c, double *xlo, double *xhi, double *ylo, double *yhi);

/* The invariants both renderers (chart_render, svg_render_chart) need: at most CHART_MAX_SERIES series and
 * CHART_MAX_MARKERS markers, y values for every non-empty series, fixed ranges with min < max (and > 0 on a
 * log axis).  Returns 0, or -1 with err saying what is wrong, prefixed by `who`. */
int chart_check(const Chart *c, const char *who, FbErr *err);

/* ---- heat maps ------------------------------------------------------------ */

/* A colour per sample over a rectangle of the plane, for decision boundaries
 * and loss surfaces, with optional points on top.  samples is (ny, nx)
 * row-major, row 0 at the top (y = ymax), column 0 at the left (x = xmin);
 * sample (i, j) stands for the point given by chart_heat_coords.  The
 * renderer resamples (nearest) to two samples per cell vertically: a cell
 * shows '▀' with fg = upper sample, bg = lower sample (or, with shade, the
 * denser level's character).  Points are drawn as their glyph ('●' by
 * default) in their colour over the cell's background.  All borrowed. */
typedef struct HeatChart {
    const char *title, *xlabel, *ylabel;
    double xmin, xmax, ymin, ymax;
    const uint8_t *samples;   /* (ny, nx) colour indices */
    int nx, ny;
    const double *px, *py;    /* npoints each */
    const uint8_t *pcolor;    /* npoints colour indices (NULL: GC_DEFAULT) */
    const uint32_t *pglyph;   /* npoints characters (a class's marker, a path's digit; NULL: '●') */
    size_t npoints;
    /* Without colour: the character of each heat level (GC_NHEAT of them, light to dense, e.g. " ·░░▒▒▓▓"),
     * one per cell (the denser of its two samples) instead of coloured half blocks.  NULL: colours. */
    const uint32_t *shade;
} HeatChart;

/* The sample resolution that maps one-to-one onto the plot area of g
 * (plot columns × 2·plot rows); both 0 when g is too small. */
void chart_heat_size(const HeatChart *hc, const Grid *g, int *nx, int *ny);
/* Sample centres: xs[i] = xmin + (i + 0.5)·(xmax − xmin)/nx (nx values),
 * ys[j] = ymax − (j + 0.5)·(ymax − ymin)/ny (ny values, top to bottom). */
void chart_heat_coords(const HeatChart *hc, int nx, int ny, double *xs, double *ys);
/* The ramp colour GC_HEAT0 + k for v on [lo, hi] split into GC_NHEAT equal
 * bins (clamped; NaN → GC_DEFAULT). */
uint8_t chart_heat_level(double v, double lo, double hi);
/* Draw hc over the whole grid (cleared first): axes with tick labels (ranges
 * as given, ticks inside), header and x label as chart_render.  Too small a
 * grid gets "plot too small".  Fails (-1, err) on invalid arguments
 * (samples NULL with nx·ny > 0, an empty or non-finite range) or out of memory. */
int chart_heat_render(const HeatChart *hc, Grid *g, FbErr *err);

#endif
