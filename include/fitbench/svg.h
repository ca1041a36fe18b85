/* svg.h — a Chart (chart.h) written as a standalone SVG picture for slides and handouts (`save plot`). */
#ifndef FITBENCH_SVG_H
#define FITBENCH_SVG_H

#include <stddef.h>

#include "fitbench/chart.h"
#include "fitbench/err.h"

/* The chart as an SVG 1.1 document of width_px × height_px (each clamped to
 * 200..10000): white background, title, axis labels, gridlines and tick
 * labels (the same nice ticks and log decades as chart_render), one
 * <polyline> per unbroken piece of each line series (NaN/Inf and, on log
 * axes, values ≤ 0 break a line), one <circle> per point of a point series,
 * the dashed reference line and vertical markers with their labels, and a
 * legend in the corner with the fewest data points.  Long series are thinned
 * per pixel column to the first, lowest, highest and last point of that
 * column (what the eye sees is unchanged).  Numbers are printed with %.6g in
 * the C locale; text is XML-escaped.  On success *out is a malloc'ed
 * NUL-terminated string the caller frees and *len its length (len may be
 * NULL).  Fails (-1, err; *out NULL) on invalid charts (as chart_render) or
 * out of memory. */
int svg_render_chart(const Chart *c, int width_px, int height_px, char **out, size_t *len,
                     FbErr *err);

/* svg_render_chart written to path atomically (temp file, fsync, rename).
 * Fails as svg_render_chart, or when the file cannot be written (err names
 * the path and the reason; an existing file is left intact). */
int svg_write_chart(const Chart *c, const char *path, int width_px, int height_px, FbErr *err);

/* A HeatChart (boundary, surface) as SVG: one rect per run of equal samples
 * in the viridis ramp, axes over the exact ranges, points as white-rimmed
 * circles in their colours.  Output and failures as svg_render_chart. */
int svg_render_heat(const HeatChart *hc, int width_px, int height_px, char **out, size_t *len, FbErr *err);
/* svg_render_heat written atomically to path; fails as svg_write_chart. */
int svg_write_heat(const HeatChart *hc, const char *path, int width_px, int height_px, FbErr *err);

#endif
