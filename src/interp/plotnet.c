/* plotnet.c — plot network: the session's model as a NetPlot (netplot.h), with each neuron's output over the
 * input plane for two-input data; and the values plot neuron L,J shades. */
#include "fitbench/plotview.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/strutil.h"

#define NET_MNX 24 /* samples per neuron map (text maps resample them; SVG draws them) */
#define NET_MNY 16

/* The raw (unscaled) value of input column j of prepared row x: the column holding the term xj
 * (prep_input_column; the pictures that call this check prep_need_inputs first, NaN if not). */
double plotview_raw_input(const Prepared *p, const double *x, size_t j)
{
    long c = prep_input_column(p, j);
    if (c < 0)
        return NAN;
    if (p->spec.scale == SCALE_NONE || !p->scale)
        return x[c];
    return x[c] * p->scale[c] + p->shift[c];
}

void plotview_input_box(const Prepared *p, HeatChart *hc)
{
    size_t n = p->train.n;
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        double a = plotview_raw_input(p, p->train.X + i * p->d, 0), b = plotview_raw_input(p, p->train.X + i * p->d, 1);
        x0 = fmin(x0, a);
        x1 = fmax(x1, a);
        y0 = fmin(y0, b);
        y1 = fmax(y1, b);
    }
    double padx = x1 > x0 ? 0.05 * (x1 - x0) : 1, pady = y1 > y0 ? 0.05 * (y1 - y0) : 1;
    hc->xmin = x0 - padx;
    hc->xmax = x1 + padx;
    hc->ymin = y0 - pady;
    hc->ymax = y1 + pady;
}

/* Where layer l's block starts in plotnet_forward's output for n rows. */
static size_t block_off(const Model *m, size_t l, size_t n)
{
    size_t s = 0;
    for (size_t i = 0; i < l; i++)
        s += m->sizes[i + 1];
    return s * n;
}

size_t plotnet_values_len(const Model *m, size_t n) { return block_off(m, m->nlayers, n); }

/* The output layer as the loss reads it: probabilities for a classifier (sigmoid of one logit, softmax of
 * several), the value itself for a regression.  Z is (n, k). */
static void output_link(LossKind lk, double *Z, size_t n, size_t k)
{
    if (lk != LOSS_BCE && lk != LOSS_HINGE && lk != LOSS_CE)
        return;
    for (size_t i = 0; i < n; i++) {
        double *z = Z + i * k, mx = z[0], sum = 0;
        if (k == 1) {
            z[0] = 1 / (1 + exp(-z[0]));
            continue;
        }
        for (size_t c = 1; c < k; c++)
            mx = fmax(mx, z[c]);
        for (size_t c = 0; c < k; c++)
            sum += (z[c] = exp(z[c] - mx));
        for (size_t c = 0; c < k; c++)
            z[c] /= sum;
    }
}

int plotnet_forward(const Session *s, const double *R, size_t n, double *A, FbErr *err)
{
    const Prepared *p = s->prep;
    const Model *m = &s->ts.model;
    double *X = fb_malloc(n * p->d, sizeof *X, "the picture", err);
    double *Z = X ? fb_malloc(n * m->sizes[m->nlayers], sizeof *Z, "the picture", err) : NULL;
    ModelWork mw;
    memset(&mw, 0, sizeof mw);
    int rc = !Z || prep_transform(p, R, n, X, err) || model_work_init(&mw, m, n ? n : 1, err) ? -1 : 0;
    if (rc == 0) {
        model_forward(m, &mw, X, n, Z);
        for (size_t l = 0; l < m->nlayers; l++)
            memcpy(A + block_off(m, l, n), model_work_output(m, &mw, l), n * m->sizes[l + 1] * sizeof *A);
        output_link(s->setup.loss.kind, A + block_off(m, m->nlayers - 1, n), n, m->sizes[m->nlayers]);
    }
    model_work_free(&mw);
    free(X);
    free(Z);
    return rc;
}

/* Can every neuron be drawn (the network plot's own limits), so that maps are worth computing? */
static bool drawable(const Model *m)
{
    if (m->nlayers + 1 > NET_DRAW_COLS)
        return false;
    for (size_t l = 0; l <= m->nlayers; l++)
        if (m->sizes[l] > NET_DRAW_MAX)
            return false;
    return true;
}

/* Shading range of column c's maps: the activation's own range when it has one, else the values'. */
static void map_range(const Session *s, NetPlot *np, size_t c, const double *v, size_t len)
{
    const Model *m = &s->ts.model;
    LossKind lk = s->setup.loss.kind;
    bool out = c == m->nlayers, cls = lk == LOSS_BCE || lk == LOSS_HINGE || lk == LOSS_CE;
    if ((out && cls) || (!out && c > 0 && m->act == ACT_SIGMOID)) {
        np->lo[c] = 0, np->hi[c] = 1;
        return;
    }
    if (!out && c > 0 && m->act == ACT_TANH) {
        np->lo[c] = -1, np->hi[c] = 1;
        return;
    }
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < len; i++)
        if (isfinite(v[i]))
            lo = fmin(lo, v[i]), hi = fmax(hi, v[i]);
    np->lo[c] = lo < hi ? lo : 0;
    np->hi[c] = lo < hi ? hi : 1;
}

/* Every neuron's map: nbuf holds the inputs' maps, then each layer's, neuron by neuron (sizes[c], mny, mnx). */
static int net_maps(const Session *s, PlotView *pv, FbErr *err)
{
    const Model *m = &s->ts.model;
    NetPlot *np = &pv->np;
    size_t ns = (size_t)NET_MNX * NET_MNY, nv = plotnet_values_len(m, ns);
    HeatChart box;
    plotview_input_box(s->prep, &box);
    double *R = fb_malloc(ns * 2 + nv, sizeof *R, "the picture", err);
    pv->nbuf = R ? fb_malloc(ns * m->sizes[0] + nv, sizeof *pv->nbuf, "the picture", err) : NULL;
    if (!pv->nbuf) {
        free(R);
        return -1;
    }
    double xs[NET_MNX], ys[NET_MNY], *A = R + ns * 2;
    chart_heat_coords(&box, NET_MNX, NET_MNY, xs, ys);
    for (size_t p = 0; p < ns; p++)
        R[p * 2] = xs[p % NET_MNX], R[p * 2 + 1] = ys[p / NET_MNX];
    if (plotnet_forward(s, R, ns, A, err)) {
        free(R);
        return -1;
    }
    /* The inputs' maps are the model's inputs: the prepared features (scaled, expanded) at the same points. */
    double *X0 = fb_malloc(ns * m->sizes[0], sizeof *X0, "the picture", err);
    if (!X0 || prep_transform(s->prep, R, ns, X0, err)) {
        free(X0);
        free(R);
        return -1;
    }
    double *dst = pv->nbuf;
    for (size_t c = 0; c <= m->nlayers; c++) {
        size_t k = m->sizes[c];
        const double *src = c == 0 ? X0 : A + block_off(m, c - 1, ns);
        for (size_t j = 0; j < k; j++)
            for (size_t p = 0; p < ns; p++)
                dst[j * ns + p] = src[p * k + j]; /* (ns, k) rows → neuron j's map */
        np->maps[c] = dst;
        map_range(s, np, c, dst, k * ns);
        dst += k * ns;
    }
    np->mnx = NET_MNX, np->mny = NET_MNY;
    free(X0);
    free(R);
    return 0;
}

static void net_labels(const Session *s, NetPlot *np)
{
    const Model *m = &s->ts.model;
    LossKind lk = s->setup.loss.kind;
    snprintf(np->label[0], sizeof np->label[0], "inputs");
    for (size_t c = 1; c < m->nlayers; c++)
        snprintf(np->label[c], sizeof np->label[c], "h%zu %s", c, act_name(m->act));
    const char *o = lk == LOSS_CE ? "P(class)" : lk == LOSS_BCE || lk == LOSS_HINGE ? "P(1)" : "value";
    snprintf(np->label[m->nlayers], sizeof np->label[0], "out %s", o);
    const Prepared *p = s->prep;
    for (size_t j = 0; j < m->sizes[0] && j < NET_DRAW_MAX; j++)
        snprintf(np->in_names[j], sizeof np->in_names[j], "%s", p->names && p->names[j] ? p->names[j] : "x");
}

/* Why the picture is a summary, or what it leaves out: a sentence for the note. */
static void net_note(const Session *s, PlotView *pv)
{
    const Model *m = &s->ts.model;
    size_t widest = 0;
    for (size_t l = 1; l <= m->nlayers; l++)
        widest = m->sizes[l] > widest ? m->sizes[l] : widest;
    if (!drawable(m))
        snprintf(pv->note, sizeof pv->note,
                 "%zu inputs, %zu layers, up to %zu neurons wide: more than can be drawn neuron by neuron (up to %d "
                 "layers of %d), so each layer is one line: its neurons, the mean and largest |W| of the weights into "
                 "them, and their mean bias.%s",
                 m->sizes[0], m->nlayers, widest, NET_DRAW_COLS - 2, NET_DRAW_MAX,
                 s->data && s->data->d != 2 ? " Neuron maps need exactly two inputs (gen spiral, say); plot weights "
                                              "shows how each layer's weights are spread."
                                            : "");
    else if (!s->data || s->data->d != 2)
        snprintf(pv->note, sizeof pv->note, "neuron maps need exactly two inputs; this data has %zu",
                 s->data ? s->data->d : 0);
}

int plotnet_build(const Session *s, PlotView *pv, FbErr *err)
{
    if (!s->data || !s->prep || !s->built)
        return fb_fail(err, "plot network needs a model: gen spiral; model mlp hidden=8,8, say");
    const Model *m = &s->ts.model;
    NetPlot *np = &pv->np;
    pv->net = true;
    np->ncols = m->nlayers + 1;
    for (size_t c = 0; c < np->ncols; c++) {
        np->sizes[c] = m->sizes[c];
        if (c) {
            np->W[c] = m->params + m->woff[c - 1];
            np->b[c] = m->params + m->boff[c - 1];
        }
    }
    net_labels(s, np);
    net_note(s, pv);
    np->note = pv->note;
    if (drawable(m) && s->data->d == 2 && prep_need_inputs(s->prep, "", NULL) == 0 && net_maps(s, pv, err))
        return -1;
    snprintf(pv->title, sizeof pv->title, "the network at epoch %ld: %s, loss %s", s->ts.epoch,
             model_kind_name(m->kind), loss_name(s->setup.loss.kind));
    np->title = pv->title;
    return 0;
}
