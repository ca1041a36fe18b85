/* grid.h — a plain character grid with colour indices, the surface charts draw into; no ncurses. */
#ifndef FITBENCH_GRID_H
#define FITBENCH_GRID_H

#include <stdbool.h>
#include <stdint.h>

#include "fitbench/err.h"

/* ---- colour indices stored in grid cells --------------------------------
 * The grid only names colours; the front end maps them to terminal colour
 * pairs (tui) or ANSI/SVG colours.  0 is the terminal's default colour. */
enum {
    GC_DEFAULT = 0,
    GC_SERIES1 = 1,  /* series colours are 1..GC_NSERIES (series i → i+1 by default) */
    GC_NSERIES = 8,
    GC_AXIS = 9,     /* axis lines and tick marks */
    GC_LABEL = 10,   /* tick labels, axis labels, legend names */
    GC_REF = 11,     /* horizontal reference line and its label */
    GC_MARKER = 12,  /* vertical markers and their labels */
    GC_TITLE = 13,   /* the title line */
    GC_HEAT0 = 16,   /* heat-map ramp: GC_HEAT0 .. GC_HEAT0+GC_NHEAT-1, low to high */
    GC_NHEAT = 8,
};

/* ---- the character grid -------------------------------------------------- */

/* One screen cell: a Unicode codepoint (always one column wide; 0 and ' '
 * are blank) with foreground and background colour indices (GC_*).  bg is
 * only used by heat maps (the lower half of '▀'); elsewhere it is 0. */
typedef struct GridCell {
    uint32_t ch;
    uint8_t fg;
    uint8_t bg;
} GridCell;

/* w columns × h rows, row-major, row 0 at the top: cell (x, y) is
 * cells[y * w + x]. */
typedef struct Grid {
    int w, h;
    GridCell *cells;
} Grid;

/* A blank w × h grid (w, h ≥ 0).  NULL with err filled on out of memory or
 * absurd sizes.  Free with grid_free. */
Grid *grid_new(int w, int h, FbErr *err);
/* NULL-safe. */
void grid_free(Grid *g);
/* Every cell blank (' ', colours 0). */
void grid_clear(Grid *g);
/* Set one cell; silently ignored outside the grid. */
void grid_put(Grid *g, int x, int y, uint32_t ch, uint8_t fg);
/* Write UTF-8 text starting at (x, y), one column per codepoint, clipped at
 * the grid edge.  Control characters become '?', invalid UTF-8 U+FFFD.
 * Returns the number of columns the text needs (even if clipped). */
int grid_text(Grid *g, int x, int y, const char *utf8, uint8_t fg);
/* The grid as UTF-8 text: rows joined by '\n' (no final newline), trailing
 * blanks of each row trimmed, colours dropped.  Malloc'ed, the caller frees;
 * NULL with err filled on out of memory. */
char *grid_to_utf8(const Grid *g, FbErr *err);
/* Like grid_text, but writes at most maxw columns (nothing when maxw <= 0).
 * Returns the columns written. */
int grid_text_clip(Grid *g, int x, int y, const char *utf8, uint8_t fg, int maxw);
/* Columns a UTF-8 string takes in the grid (one per codepoint). */
int grid_text_cols(const char *utf8);
/* The xterm 256-colour code of colour index c, -1 for the terminal's default.  One palette for every
 * terminal picture (the workbench, grid_to_ansi): the series and point colours are Okabe–Ito's colour-blind
 * safe set (sky blue, orange, bluish green, ...), all light; the heat ramp runs from blue (low) through
 * near-black to red (high), all dark, so every point colour stands out on every shade by a contrast ratio
 * of at least GRID_MIN_CONTRAST (WCAG's, for graphics; tests/test_chart.c checks every pair). */
int grid_xterm256(uint8_t c);
#define GRID_MIN_CONTRAST 3.0

/* Same, with ANSI SGR colour escapes (grid_xterm256's palette) for plain mode on a colour terminal.
 * Caller frees. */
char *grid_to_ansi(const Grid *g, FbErr *err);

#endif
