/* tui_plot.c — the plot pane: a thinned copy of a long history, drawn through plotview. */
#include "tui_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/plotview.h"

/* ---- a thinned history for the plot -------------------------------------------
 * A plot pane is a few hundred Braille dots wide, yet plotting reads every
 * history row: with millions of sub-microsecond epochs one redraw would cost
 * as much as thousands of epochs.  So the pane plots a thinned copy, kept up
 * to date as rows arrive: the rows fall into buckets of `per` consecutive
 * epochs, and each bucket keeps its first and last row and the rows holding
 * the smallest and largest value of each plotted quantity.  The curve
 * through those rows covers the same dots as the full one (to the bucket's
 * width, far under a dot), lr changes stay visible, and the work per redraw
 * is bounded whatever the history's length. */

static double q_of(const HistRow *r, int q)
{
    if (q >= 4) /* the metrics: train, val of the first, then of the second */
        return q & 1 ? r->val_metric[(q - 4) / 2] : r->train_metric[(q - 4) / 2];
    return q == 0 ? r->train_loss : q == 1 ? r->val_loss : q == 2 ? r->lr : r->grad_norm;
}

static void bucket_add(Bucket *b, const HistRow *r)
{
    if (b->n++ == 0) {
        b->first = *r;
        for (int q = 0; q < THIN_Q; q++)
            b->lo[q] = b->hi[q] = *r;
    }
    b->last = *r;
    for (int q = 0; q < THIN_Q; q++) {
        double v = q_of(r, q);
        if (v < q_of(&b->lo[q], q) || isnan(q_of(&b->lo[q], q)))
            b->lo[q] = *r;
        if (v > q_of(&b->hi[q], q) || isnan(q_of(&b->hi[q], q)))
            b->hi[q] = *r;
    }
}

/* b absorbs c, the bucket right after it. */
static void bucket_merge(Bucket *b, const Bucket *c)
{
    for (int q = 0; q < THIN_Q; q++) {
        double lb = q_of(&b->lo[q], q), lc = q_of(&c->lo[q], q);
        double hb = q_of(&b->hi[q], q), hc = q_of(&c->hi[q], q);
        if (lc < lb || isnan(lb))
            b->lo[q] = c->lo[q];
        if (hc > hb || isnan(hb))
            b->hi[q] = c->hi[q];
    }
    b->last = c->last;
    b->n += c->n;
}

static void thin_reset(Thin *th)
{
    th->nb = 0;
    th->per = 1;
    th->done = 0;
    memset(&th->b[0], 0, sizeof th->b[0]);
}

static int cmp_epoch(const void *a, const void *b)
{
    long x = ((const HistRow *)a)->epoch, y = ((const HistRow *)b)->epoch;
    return (x > y) - (x < y);
}

/* Fold the new rows of h in and write the thinned rows to th->rows.
 * Returns their count, or 0 when h should be plotted as it is (short, or out
 * of memory). */
static size_t thin_update(Thin *th, const History *h)
{
    if (h->n < THIN_FROM)
        return 0;
    if (!th->b && !(th->b = calloc(THIN_BUCKETS + 1, sizeof *th->b)))
        return 0;
    size_t need = (THIN_BUCKETS + 1) * (2 + 2 * THIN_Q);
    if (th->cap < need) {
        HistRow *r = realloc(th->rows, need * sizeof *r);
        if (!r)
            return 0;
        th->rows = r;
        th->cap = need;
    }
    /* Another history (undo, reset, a new model): start over. */
    if (th->done == 0 || th->done > h->n || memcmp(&h->rows[0], &th->first, sizeof th->first) != 0 ||
        memcmp(&h->rows[th->done - 1], &th->last, sizeof th->last) != 0)
        thin_reset(th);
    for (size_t i = th->done; i < h->n; i++) {
        Bucket *open = &th->b[th->nb];
        bucket_add(open, &h->rows[i]);
        if (open->n < th->per)
            continue;
        if (++th->nb == THIN_BUCKETS) { /* full: pairs merge, buckets twice as wide */
            for (size_t k = 0; k < THIN_BUCKETS / 2; k++) {
                th->b[k] = th->b[2 * k];
                bucket_merge(&th->b[k], &th->b[2 * k + 1]);
            }
            th->nb = THIN_BUCKETS / 2;
            th->per *= 2;
        }
        memset(&th->b[th->nb], 0, sizeof th->b[0]);
    }
    th->done = h->n;
    th->first = h->rows[0];
    th->last = h->rows[h->n - 1];
    size_t n = 0;
    for (size_t k = 0; k <= th->nb; k++) {
        const Bucket *b = &th->b[k];
        if (!b->n)
            continue;
        size_t start = n;
        th->rows[n++] = b->first;
        for (int q = 0; q < THIN_Q; q++) {
            th->rows[n++] = b->lo[q];
            th->rows[n++] = b->hi[q];
        }
        th->rows[n++] = b->last;
        qsort(th->rows + start, n - start, sizeof *th->rows, cmp_epoch);
        size_t m = start + 1; /* drop repeats of one epoch */
        for (size_t j = start + 1; j < n; j++)
            if (th->rows[j].epoch != th->rows[m - 1].epoch)
                th->rows[m++] = th->rows[j];
        n = m;
    }
    return n;
}

/* ---- the pane ------------------------------------------------------------------ */

void tui_draw_plot(Tui *t)
{
    const Session *s = t->it->s;
    FbErr e = {{0}, 0};
    /* A shallow copy that differs only in its (thinned) history: read only. */
    Session view;
    size_t n = s->built ? thin_update(&t->thin, &s->ts.hist) : 0;
    if (n) {
        view = *s;
        view.ts.hist.rows = t->thin.rows;
        view.ts.hist.n = n;
        view.ts.hist.cap = t->thin.cap;
        s = &view;
    }
    /* Curves or pictures (boundary, surface): plotview picks the renderer. */
    /* Without colours, or with only the basic eight (whose shades are not contrast-checked), shading is drawn
     * in density characters. */
    bool ok = t->grid && plotview_render(s, t->grid, !t->color || COLORS < 256, &e) == 0;
    if (!ok) {
        for (int y = 0; y < t->plot_h; y++)
            tui_put_text(t, t->plot_y + y, t->plot_x, t->plot_w, y == 0 ? (e.msg[0] ? e.msg : "out of memory") : "",
                         UI_ERR, 0);
        return;
    }
    const Grid *g = t->grid;
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++) {
            const GridCell *c = &g->cells[(size_t)y * g->w + x];
            attr_t a = c->fg == GC_TITLE ? A_BOLD : 0;
            tui_put_wc(t, t->plot_y + y, t->plot_x + x, (wchar_t)c->ch, c->fg == GC_TITLE ? 0 : c->fg, c->bg, a);
        }
}
