/* layerlog.c — per-layer quantiles of weights and gradients and the update/weight ratio per epoch (layerlog.h). */
#include "fitbench/layerlog.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const double layerlog_quantiles[LAYERLOG_Q] = {0.05, 0.25, 0.5, 0.75, 0.95};

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Quantiles of v (n) at layerlog_quantiles, linear between order statistics (numpy's default), from at most
 * LAYERLOG_SAMPLE evenly spaced values; absolute values when mag.  NaN when n == 0. */
static void quantiles(const double *v, size_t n, bool mag, double *scratch, double out[LAYERLOG_Q])
{
    size_t k = n > LAYERLOG_SAMPLE ? LAYERLOG_SAMPLE : n;
    for (size_t i = 0; i < k; i++) {
        double x = v[k == n ? i : i * n / k];
        scratch[i] = mag ? fabs(x) : x;
    }
    qsort(scratch, k, sizeof *scratch, cmp_dbl);
    for (int q = 0; q < LAYERLOG_Q; q++) {
        if (k == 0) {
            out[q] = NAN;
            continue;
        }
        double pos = layerlog_quantiles[q] * (double)(k - 1);
        size_t lo = (size_t)pos;
        double f = pos - (double)lo;
        out[q] = lo + 1 < k ? scratch[lo] + f * (scratch[lo + 1] - scratch[lo]) : scratch[lo];
    }
}

static double ratio(const Model *m, size_t l, const double *prev)
{
    if (!prev)
        return NAN;
    double dd = 0, pp = 0;
    for (size_t q = m->woff[l]; q < m->boff[l] + m->sizes[l + 1]; q++) {
        double d = m->params[q] - prev[q];
        dd += d * d, pp += prev[q] * prev[q];
    }
    return pp > 0 ? sqrt(dd / pp) : NAN;
}

/* Drop every other row (those at odd multiples of every): the spacing doubles. */
static void thin(LayerLog *lg)
{
    size_t k = 0;
    for (size_t r = 0; r < lg->n; r++)
        if (lg->epoch[r] % (2 * lg->every) == 0) {
            lg->epoch[k] = lg->epoch[r];
            memmove(lg->s + k * lg->nl, lg->s + r * lg->nl, lg->nl * sizeof *lg->s);
            k++;
        }
    lg->n = k;
    lg->every *= 2;
}

int layerlog_add(LayerLog *lg, long epoch, const Model *m, const double *prev, double *scratch, FbErr *err)
{
    if (lg->nl != m->nlayers || (lg->n && epoch <= lg->epoch[lg->n - 1])) {
        layerlog_free(lg); /* another model, or the past rewritten (undo keeps its own copy): start over */
        lg->nl = m->nlayers;
    }
    if (!lg->epoch) {
        lg->epoch = fb_malloc(LAYERLOG_ROWS, sizeof *lg->epoch, "the layer statistics", err);
        lg->s = lg->epoch ? fb_malloc(LAYERLOG_ROWS * lg->nl, sizeof *lg->s, "the layer statistics", err) : NULL;
        if (!lg->s) {
            layerlog_free(lg);
            return -1;
        }
        lg->every = 1;
    }
    if (lg->n == LAYERLOG_ROWS)
        thin(lg);
    if (epoch % lg->every != 0)
        return 0;
    LayerStat *row = lg->s + lg->n * lg->nl;
    for (size_t l = 0; l < m->nlayers; l++) {
        size_t nw = m->sizes[l] * m->sizes[l + 1];
        quantiles(m->params + m->woff[l], nw, false, scratch, row[l].wq);
        quantiles(m->grads + m->woff[l], nw, true, scratch, row[l].gq);
        row[l].ratio = ratio(m, l, prev);
    }
    lg->epoch[lg->n++] = epoch;
    return 0;
}

void layerlog_free(LayerLog *lg)
{
    if (!lg)
        return;
    free(lg->epoch);
    free(lg->s);
    memset(lg, 0, sizeof *lg);
}

int layerlog_clone(LayerLog *dst, const LayerLog *src, FbErr *err)
{
    *dst = *src;
    dst->epoch = NULL;
    dst->s = NULL;
    if (!src->epoch)
        return 0;
    dst->epoch = fb_malloc(LAYERLOG_ROWS, sizeof *dst->epoch, "the layer statistics", err);
    dst->s = dst->epoch ? fb_malloc(LAYERLOG_ROWS * src->nl, sizeof *dst->s, "the layer statistics", err) : NULL;
    if (!dst->s) {
        layerlog_free(dst);
        return -1;
    }
    memcpy(dst->epoch, src->epoch, src->n * sizeof *dst->epoch);
    memcpy(dst->s, src->s, src->n * src->nl * sizeof *dst->s);
    return 0;
}
