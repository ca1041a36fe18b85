/* plotview.h — the picture the plot pane shows, built from the session: curves (loss, lr, grad, compare, lrfind, fit) or heat maps (boundary, surface). */
#ifndef FITBENCH_PLOTVIEW_H
#define FITBENCH_PLOTVIEW_H

#include "fitbench/chart.h"
#include "fitbench/err.h"
#include "fitbench/netplot.h"
#include "fitbench/session.h"

/* A Chart or a HeatChart plus the arrays and strings they borrow.  Owns
 * them: plotview_free.  When `heat` is set the picture is hc (boundary,
 * surface) and chart is empty; otherwise chart is the picture. */
typedef struct PlotView {
    Chart chart;
    double *x, *y1, *y2;  /* (n) epoch, first and second series */
    char title[160];
    char reflabel[64];
    char marks[CHART_MAX_MARKERS][24];
    /* Added for fit, compare, lrfind, boundary and surface. */
    bool heat;
    HeatChart hc;
    uint8_t *samples;     /* (hc.ny, hc.nx) colour indices */
    double *px, *py;      /* (hc.npoints) points drawn on the heat map */
    uint8_t *pcolor;      /* (hc.npoints) */
    uint32_t *pglyph;     /* (hc.npoints) the character of each point (a class's marker, a path's digit) */
    char rtext[GC_NHEAT + 1]; /* plain text: the character of each heat level */
    uint32_t shade[GC_NHEAT]; /* the workbench without colour: the density character of each heat level */
    char key[200];        /* the workbench's key under a heat map: what the points are (" " = none) */
    char ramp_lo[40], ramp_hi[40]; /* the shading's ends, printed either side of the ramp in the key */
    char xlabel[64], ylabel[64];
    char names[CHART_MAX_SERIES][64];
    char note[512];       /* a key for the picture, printed under it in plain text ("" = none) */
    double *buf;          /* extra arrays of the curves (fit, compare, lrfind) */
    /* plot network: when `net` is set the picture is np (chart and hc empty). */
    bool net;
    NetPlot np;
    double *nbuf;         /* the neurons' maps np.maps point into */
} PlotView;

/* Build what `plot` shows for s (s->plot, s->plot_logy, s->plot_x, ...).
 * Heat maps get a fixed resolution (about 96 × 64 samples), good for SVG.
 * Fails on out of memory or when the picture does not fit the session (plot
 * boundary without a two-input classifier, an unknown parameter or column);
 * a session without history gives an empty chart. */
int plotview_build(const Session *s, PlotView *pv, FbErr *err);

/* Same, with heat maps sampled nx × ny (ignored for curves; 0 = default). */
int plotview_build_sized(const Session *s, PlotView *pv, int nx, int ny, FbErr *err);

/* The plot settings just given (x= when x, p1=/p2= when p) name a column of the data / parameters of the
 * model, for the plot s->plot shows: 0, or -1 with err filled ("no input column 'x9'").  The builders
 * above do not fail on such names: set before the data or model changed, they fall back to the first
 * column / parameters and say so in the title. */
int plotview_check_names(const Session *s, bool x, bool p, FbErr *err);

/* The box of a picture over the two raw inputs: the training points' range, padded by a twentieth on each
 * side, into hc's xmin..ymax (boundary, plot neuron, plot network's maps). */
void plotview_input_box(const Prepared *p, HeatChart *hc);

/* The raw (unscaled) value of input column j of prepared row x (p->d values). */
double plotview_raw_input(const Prepared *p, const double *x, size_t j);

/* plot network (plotnet.c): np from the session's model, with maps for two-input data.  Fails without a
 * model or on out of memory. */
int plotnet_build(const Session *s, PlotView *pv, FbErr *err);

/* Every layer's outputs at raw input rows R (n, ds->d): layer l's (n, sizes[l+1]) block after the previous
 * ones, plotnet_values_len doubles in all; the output layer as the loss reads it (probabilities for a
 * classifier).  Fails on out of memory. */
int plotnet_forward(const Session *s, const double *R, size_t n, double *A, FbErr *err);
size_t plotnet_values_len(const Model *m, size_t n);

/* plot weights, grads, updates (plotlayers.c): each layer's weight or gradient quantiles, or its update ratio
 * with the 1e-3 reference line, over the epochs of the session's layer log.  Fails on out of memory. */
bool plotlayers_is(const char *plot);
int plotlayers_build(const Session *s, PlotView *pv, FbErr *err);

/* plot validation, learning, path (plotcurves.c): the last compare's final scores against the values it tried
 * or the training rows (with the folds' spread after cv=), or each weight's final value against the values.
 * Fails on out of memory. */
bool plotcurves_is(const char *plot);
int plotcurves_build(const Session *s, PlotView *pv, FbErr *err);
/* plot roc (plotroc.c): a binary classifier's ROC curve on the validation split (the training split when there
 * is none) with the chance diagonal, its AUC in the key; fpr on x, tpr on y, both 0..1.  Fails, saying why, with
 * no model, for a regression or more than two classes, when the split holds one class only or a score is NaN,
 * or on out of memory. */
int plotroc_build(const Session *s, PlotView *pv, FbErr *err);
/* The scores it plots: the class-1 score of each row of that split (the logit, or z1 - z0 for two outputs),
 * *score and *truth (n each, malloc'd: the caller frees), *val whether the split is the validation one.  Fails
 * as plotroc_build's checks, or on out of memory (nothing to free then). */
int plotroc_scores(const Session *s, double **score, int **truth, size_t *n, bool *val, FbErr *err);

/* Is s->plot a heat map (boundary, surface)? */
bool plotview_is_heat(const Session *s);
void plotview_free(PlotView *pv);  /* NULL-safe */

/* Render what `plot` shows into g (cleared first), whatever its kind: curves
 * through chart_render, pictures (boundary, surface) through
 * chart_heat_render with a key on the last row (the points' markers, then
 * the shading's ramp between its two ends).  shade_glyphs: heat levels as
 * density characters (░▒▓) rather than colours, for a terminal without
 * (enough) colours.  Fails on out of memory. */
int plotview_render(const Session *s, Grid *g, bool shade_glyphs, FbErr *err);

/* Render the plot as UTF-8 text of w × h cells (malloc'ed; caller frees).
 * Heat maps become characters (a ramp per level, a letter per point class)
 * and their key follows on one more line.  Fails as plotview_render. */
char *plotview_text(const Session *s, int w, int h, FbErr *err);

#endif
