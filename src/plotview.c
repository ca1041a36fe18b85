/* plotview.c — turning the training history into the chart of the plot pane. */
#include "fitbench/plotview.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/strutil.h"

void plotview_free(PlotView *pv)
{
    if (!pv)
        return;
    free(pv->x);
    free(pv->y1);
    free(pv->y2);
    memset(pv, 0, sizeof *pv);
}

int plotview_build(const Session *s, PlotView *pv, FbErr *err)
{
    memset(pv, 0, sizeof *pv);
    chart_init(&pv->chart);
    Chart *c = &pv->chart;
    const History *h = &s->ts.hist;
    size_t n = s->built ? h->n : 0;
    pv->x = fb_malloc(n ? n : 1, sizeof(double), "the plot", err);
    pv->y1 = pv->x ? fb_malloc(n ? n : 1, sizeof(double), "the plot", err) : NULL;
    pv->y2 = pv->y1 ? fb_malloc(n ? n : 1, sizeof(double), "the plot", err) : NULL;
    if (!pv->y2) {
        plotview_free(pv);
        return -1;
    }
    bool has_val = false;
    for (size_t i = 0; i < n; i++) {
        const HistRow *r = &h->rows[i];
        pv->x[i] = (double)r->epoch;
        has_val = has_val || !isnan(r->val_loss);
        if (strcmp(s->plot, "lr") == 0)
            pv->y1[i] = r->lr;
        else if (strcmp(s->plot, "grad") == 0)
            pv->y1[i] = r->grad_norm;
        else {
            pv->y1[i] = r->train_loss;
            pv->y2[i] = r->val_loss;
        }
    }
    c->logy = s->plot_logy;
    c->xlabel = "epoch";
    const char *what = strcmp(s->plot, "lr") == 0 ? "learning rate" : strcmp(s->plot, "grad") == 0 ? "gradient norm"
                                                                                                   : "loss";
    c->ylabel = what;
    if (strcmp(s->plot, "loss") == 0) {
        snprintf(pv->title, sizeof pv->title, "%s loss%s", s->built ? loss_name(s->setup.loss.kind) : "",
                 c->logy ? " (log scale)" : "");
        if (chart_add_series(c, "train", pv->x, pv->y1, n, SERIES_LINE, err))
            goto fail;
        if (has_val && chart_add_series(c, "val", pv->x, pv->y2, n, SERIES_LINE, err) < 0)
            goto fail;
        if (isfinite(s->optimum)) {
            char v[32];
            c->has_ref = true;
            c->ref_y = s->optimum;
            snprintf(pv->reflabel, sizeof pv->reflabel, "closed form %s", fb_fmt(v, sizeof v, s->optimum, 5));
            c->ref_label = pv->reflabel;
        }
        /* Mark where the lr changed (a new optim, the TUI's +/- keys). */
        for (size_t i = 2; i < n && c->nmarkers < CHART_MAX_MARKERS; i++)
            if (h->rows[i].lr != h->rows[i - 1].lr && s->setup.sched.kind == SCHED_CONSTANT) {
                char v[16];
                snprintf(pv->marks[c->nmarkers], sizeof pv->marks[0], "lr=%s", fb_fmt(v, sizeof v, h->rows[i].lr, 3));
                chart_add_marker(c, pv->x[i - 1], pv->marks[c->nmarkers], err);
            }
    } else {
        snprintf(pv->title, sizeof pv->title, "%s per epoch%s", what, c->logy ? " (log scale)" : "");
        if (chart_add_series(c, s->plot, pv->x, pv->y1, n, SERIES_LINE, err))
            goto fail;
    }
    c->title = pv->title;
    return 0;
fail:
    plotview_free(pv);
    return -1;
}

int plotview_render(const Session *s, Grid *g, FbErr *err)
{
    PlotView pv;
    if (plotview_build(s, &pv, err))
        return -1;
    int rc = chart_render(&pv.chart, g, err);
    plotview_free(&pv);
    return rc;
}

char *plotview_text(const Session *s, int w, int h, FbErr *err)
{
    Grid *g = grid_new(w, h, err);
    char *text = NULL;
    if (g && plotview_render(s, g, err) == 0)
        text = grid_to_utf8(g, err);
    grid_free(g);
    return text;
}
