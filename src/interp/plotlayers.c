/* plotlayers.c — plot weights, grads, updates: each layer's distribution over the epochs from the layer log
 * (layerlog.h): the median and the 5 % / 95 % quantiles of its weights or gradient magnitudes, or its update
 * size against its weights with cs231n's 1e-3 rule of thumb. */
#include "fitbench/plotview.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LAYERS_BANDED 4 /* layers drawn with their band (two series each) */

bool plotlayers_is(const char *plot)
{
    return !strcmp(plot, "weights") || !strcmp(plot, "grads") || !strcmp(plot, "updates");
}

/* Layer l's curves: the median (a line) and the 5 % and 95 % quantiles (points, one series) of the weights
 * (grads false) or the gradient magnitudes; x, y, px, py have room for n and 2n values. */
static int band(Chart *c, const LayerLog *lg, size_t l, bool grads, double *x, double *y, double *px, double *py,
                char *name, size_t size, FbErr *err)
{
    for (size_t r = 0; r < lg->n; r++) {
        const LayerStat *st = &lg->s[r * lg->nl + l];
        const double *q = grads ? st->gq : st->wq;
        x[r] = (double)lg->epoch[r];
        y[r] = q[2];
        px[2 * r] = px[2 * r + 1] = x[r];
        py[2 * r] = q[0];
        py[2 * r + 1] = q[LAYERLOG_Q - 1];
    }
    snprintf(name, size, grads ? "|dW%zu| median" : "W%zu median", l + 1);
    int a = chart_add_series(c, name, x, y, lg->n, SERIES_LINE, err);
    int b = a < 0 ? -1 : chart_add_series(c, NULL, px, py, 2 * lg->n, SERIES_POINTS, err);
    if (b < 0)
        return -1;
    c->series[a].color = c->series[b].color = (uint8_t)(GC_SERIES1 + l % GC_NSERIES);
    return 0;
}

int plotlayers_build(const Session *s, PlotView *pv, FbErr *err)
{
    Chart *c = &pv->chart;
    const LayerLog *lg = &s->ts.llog;
    size_t n = s->built ? lg->n : 0, nl = s->built ? lg->nl : 0;
    bool upd = !strcmp(s->plot, "updates"), grads = !strcmp(s->plot, "grads");
    size_t shown = upd ? (nl < CHART_MAX_SERIES ? nl : CHART_MAX_SERIES) : (nl < LAYERS_BANDED ? nl : LAYERS_BANDED);
    /* per layer: x, y (n each) and the band's points (2n each) */
    pv->buf = fb_malloc(shown * 6 * (n ? n : 1) + 1, sizeof(double), "the plot", err);
    if (!pv->buf)
        return -1;
    c->xlabel = "epoch";
    c->logy = upd || grads || s->plot_logy;
    for (size_t l = 0; l < shown; l++) {
        double *x = pv->buf + l * 6 * n, *y = x + n, *px = y + n, *py = px + 2 * n;
        if (!upd) {
            if (band(c, lg, l, grads, x, y, px, py, pv->names[l], sizeof pv->names[l], err))
                return -1;
            continue;
        }
        for (size_t r = 0; r < n; r++)
            x[r] = (double)lg->epoch[r], y[r] = lg->s[r * nl + l].ratio;
        snprintf(pv->names[l], sizeof pv->names[l], "layer %zu", l + 1);
        if (chart_add_series(c, pv->names[l], x, y, n, SERIES_LINE, err) < 0)
            return -1;
    }
    char more[48] = "";
    if (shown < nl)
        snprintf(more, sizeof more, " (layers 1-%zu of %zu)", shown, nl);
    if (upd) {
        c->ylabel = "||update|| / ||weights||";
        c->has_ref = true;
        c->ref_y = 1e-3;
        c->ref_label = "1e-3 rule of thumb";
        snprintf(pv->title, sizeof pv->title, "update / weights per layer (each epoch's last)%s", more);
    } else {
        c->ylabel = grads ? "|gradient|" : "weight";
        snprintf(pv->title, sizeof pv->title, "%s per layer: median, dots 5 %%/95 %%%s", grads ? "|gradient|" : "weights",
                 more);
    }
    if (lg->every > 1 && strlen(pv->title) + 24 < sizeof pv->title)
        snprintf(pv->title + strlen(pv->title), sizeof pv->title - strlen(pv->title), ", every %ld epochs",
                 lg->every);
    return 0;
}
