/* test_netplot.c — plot network's character grid on the Playground's spiral with hidden=8,8: one map per neuron,
 * one mark per weight whose glyph follows |w| and its sign; the summary for a big model; the SVG's structure. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/plotview.h"
#include "harness.h"

static void run_ok(H *h, const char *line)
{
    cr_assert_eq(h_run(h, line), 0, "'%s' failed: %s", line, h_err(h));
}

static bool is_map_glyph(uint32_t ch)
{
    for (int l = 0; l < 5; l++)
        if (ch == netplot_map_glyph(l))
            return true;
    return false;
}

static uint32_t cell(const Grid *g, int x, int y) { return g->cells[(size_t)y * g->w + x].ch; }

Test(netplot, spiral_8_8_maps_and_weight_marks)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen spiral n=300 seed=1; split val=0.3; model mlp hidden=8,8 act=tanh; optim adam lr=0.03; "
               "train 60; plot network");
    const Model *m = &h.s.ts.model;
    FbErr e;
    Grid *g = grid_new(110, 44, &e);
    cr_assert_not_null(g);
    cr_assert_eq(plotview_render(&h.s, g, false, &e), 0, "%s", e.msg);
    /* Every arrow starts a neuron of layers 1..3: its marks to the left (one per input neuron), its map right. */
    size_t seen[4] = {0};
    int mapw = -1, ax[3], nax = 0;
    /* The arrows' columns, left to right, are layers 1, 2, 3. */
    for (int x = 0; x < g->w; x++)
        for (int y = 0; y < g->h; y++)
            if (cell(g, x, y) == 0x2192) {
                cr_assert(nax < 3, "arrows in more than three columns");
                ax[nax++] = x;
                break;
            }
    cr_assert_eq(nax, 3);
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x < g->w; x++) {
            if (cell(g, x, y) != 0x2192)
                continue;
            /* Which layer: the fan-in is the run of marks before the arrow. */
            int in = 0;
            while (x - 1 - in >= 0 && cell(g, x - 1 - in, y) != ' ' && cell(g, x - 1 - in, y) != 0)
                in++;
            size_t l = x == ax[0] ? 1 : x == ax[1] ? 2 : 3;
            cr_assert_eq((size_t)in, m->sizes[l - 1], "row %d: %d marks before the arrow", y, in);
            size_t j = seen[l]++;
            cr_assert(j < m->sizes[l], "more neurons than layer %zu has", l);
            const double *W = m->params + m->woff[l - 1];
            double wmax = 0;
            for (size_t q = 0; q < m->sizes[l] * m->sizes[l - 1]; q++)
                wmax = fmax(wmax, fabs(W[q]));
            for (int i = 0; i < in; i++) {
                double w = W[j * (size_t)in + (size_t)i];
                cr_expect_eq(cell(g, x - in + i, y), netplot_weight_glyph(w, wmax), "layer %zu neuron %zu input %d",
                             l, j, i);
            }
            /* the map: a run of map glyphs after "→ " */
            int w = 0;
            while (x + 2 + w < g->w && is_map_glyph(cell(g, x + 2 + w, y)))
                w++;
            cr_expect(w >= 3, "layer %zu neuron %zu has no map (%d glyphs)", l, j, w);
            if (mapw < 0)
                mapw = w;
            cr_expect_eq(w, mapw, "maps of one width");
        }
    cr_expect_eq(seen[1], 8);
    cr_expect_eq(seen[2], 8);
    cr_expect_eq(seen[3], 1);
    /* the shading rule itself: weak, medium, strong by |w| / max, filled for +, hollow for - */
    cr_expect_eq(netplot_weight_glyph(0.1, 1), 0x00B7);
    cr_expect_eq(netplot_weight_glyph(0.3, 1), 0x25AA);
    cr_expect_eq(netplot_weight_glyph(-0.3, 1), 0x25AB);
    cr_expect_eq(netplot_weight_glyph(0.9, 1), 0x25A0);
    cr_expect_eq(netplot_weight_glyph(-0.9, 1), 0x25A1);
    for (double a = 0; a < 1; a += 0.01)
        cr_expect(netplot_weight_level(a, 1) <= netplot_weight_level(a + 0.01, 1), "levels grow with |w|");
    grid_free(g);
    h_free(&h);
}

Test(netplot, inputs_maps_follow_the_input_plane)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen spiral n=300 seed=1; model mlp hidden=8,8; plot network");
    PlotView pv;
    FbErr e;
    cr_assert_eq(plotview_build(&h.s, &pv, &e), 0, "%s", e.msg);
    cr_assert(pv.net);
    cr_assert_not_null(pv.np.maps[0]);
    size_t ns = (size_t)pv.np.mnx * (size_t)pv.np.mny;
    /* x0's map grows to the right, x1's upward (row 0 is the top) */
    const double *x0 = pv.np.maps[0], *x1 = pv.np.maps[0] + ns;
    cr_expect(x0[pv.np.mnx - 1] > x0[0]);
    cr_expect(x1[0] > x1[ns - 1]);
    /* the output map is P(class 1) in [0, 1], one per output neuron */
    for (size_t p = 0; p < ns; p++)
        cr_expect(pv.np.maps[3][p] >= 0 && pv.np.maps[3][p] <= 1);
    plotview_free(&pv);
    h_free(&h);
}

Test(netplot, big_model_is_summarised_and_says_why)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen blobs n=100 d=784 classes=3 seed=1; model mlp hidden=128,64; plot network");
    FbErr e;
    char *text = plotview_text(&h.s, 78, 40, &e);
    cr_assert_not_null(text, "%s", e.msg);
    cr_expect(strstr(text, "784") != NULL);
    cr_expect(strstr(text, "one line") != NULL, "%s", text);
    cr_expect(strstr(text, "exactly two inputs") != NULL, "%s", text);
    cr_expect(strstr(text, "h1 relu") != NULL && strstr(text, "128") != NULL, "%s", text);
    cr_expect(strstr(text, "\u2192") == NULL, "no neuron drawn one by one");
    free(text);
    h_free(&h);
}

Test(netplot, svg_has_one_element_per_neuron_and_link)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen circles n=200 seed=1; model mlp hidden=4,3; plot network");
    PlotView pv;
    FbErr e;
    cr_assert_eq(plotview_build(&h.s, &pv, &e), 0, "%s", e.msg);
    char *svg;
    cr_assert_eq(netplot_svg(&pv.np, 800, 500, &svg, NULL, &e), 0, "%s", e.msg);
    size_t lines = 0, frames = 0;
    for (const char *p = svg; (p = strstr(p, "<line ")); p++)
        lines++;
    for (const char *p = svg; (p = strstr(p, "fill=\"none\" stroke=\"#444\"")); p++)
        frames++;
    cr_expect_eq(lines, 2 * 4 + 4 * 3 + 3 * 1, "one line per weight");
    cr_expect_eq(frames, 2 + 4 + 3 + 1, "one framed map per neuron");
    cr_expect(strstr(svg, "stroke-dasharray") != NULL, "negative weights dashed");
    free(svg);
    plotview_free(&pv);
    h_free(&h);
}

/* Completion: `plot ` offers the new pictures, `plot metric ` the history's metrics, `check ` grad. */
static bool completes(H *h, const char *before, const char *word, const char *want)
{
    char **v = command_complete(&h->it, before, word);
    bool found = false;
    for (size_t i = 0; v && v[i]; i++) {
        found = found || strncmp(v[i], want, strlen(want)) == 0;
        free(v[i]);
    }
    free(v);
    return found;
}

Test(netplot, completion_of_the_new_words)
{
    H h;
    h_init(&h);
    cr_expect(completes(&h, "plot ", "netw", "network"));
    cr_expect(completes(&h, "plot ", "upd", "updates"));
    cr_expect(completes(&h, "plot ", "acc", "accuracy"));
    cr_expect(completes(&h, "plot metric ", "f", "f1"));
    cr_expect(completes(&h, "plot metric ", "rm", "rmse"));
    cr_expect(completes(&h, "check ", "g", "grad"));
    cr_expect(completes(&h, "check grad ", "ep", "eps"));
    cr_expect(completes(&h, "compare lr=0.1,0.2 ", "metric=ac", "metric=accuracy"));
    h_free(&h);
}

/* The key under the network is whole at any width it fits in: in full at 110 columns, in short in the workbench's
 * 68-column plot pane (the full key was cut at "(vs the lay"). */
Test(netplot, key_fits_the_width)
{
    H h;
    h_init(&h);
    run_ok(&h, "gen circles n=200 seed=1; model mlp hidden=4 act=tanh; plot network");
    FbErr e;
    int widths[2] = {110, 64};
    const char *want[2][2] = {{"(vs the layer's max)", "under a map: its bias"}, {"(per layer)", "under: bias"}};
    for (int k = 0; k < 2; k++) {
        Grid *g = grid_new(widths[k], 30, &e);
        cr_assert_not_null(g);
        cr_assert_eq(plotview_render(&h.s, g, false, &e), 0, "%s", e.msg);
        char *txt = grid_to_utf8(g, &e);
        cr_assert_not_null(txt);
        for (int i = 0; i < 2; i++)
            cr_assert(strstr(txt, want[k][i]), "width %d: '%s' missing:\n%s", widths[k], want[k][i], txt);
        free(txt);
        grid_free(g);
    }
    h_free(&h);
}
