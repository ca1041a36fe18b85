/* plotview.h — the chart the plot pane shows, built from the session (loss, lr or gradient-norm curves). */
#ifndef FITBENCH_PLOTVIEW_H
#define FITBENCH_PLOTVIEW_H

#include "fitbench/chart.h"
#include "fitbench/err.h"
#include "fitbench/session.h"

/* A Chart plus the arrays and strings it borrows.  Owns them: plotview_free. */
typedef struct PlotView {
    Chart chart;
    double *x, *y1, *y2;  /* (n) epoch, first and second series */
    char title[160];
    char reflabel[64];
    char marks[CHART_MAX_MARKERS][24];
} PlotView;

/* Build what `plot` shows for s (s->plot, s->plot_logy).  Fails on out of
 * memory; a session without history gives an empty chart. */
int plotview_build(const Session *s, PlotView *pv, FbErr *err);
void plotview_free(PlotView *pv);  /* NULL-safe */

/* Render what `plot` shows into g (cleared first), whatever its kind: curves
 * through chart_render, pictures (boundary, surface) through
 * chart_heat_render.  Fails on out of memory. */
int plotview_render(const Session *s, Grid *g, FbErr *err);

/* Render the plot as UTF-8 text of w × h cells (malloc'ed; caller frees). */
char *plotview_text(const Session *s, int w, int h, FbErr *err);

#endif
