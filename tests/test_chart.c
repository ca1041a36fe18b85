/* test_chart.c — the plot module: nice ticks, golden grids, edge cases, heat maps, SVG output. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fitbench/chart.h"
#include "fitbench/svg.h"

#ifndef FITBENCH_SRCDIR
#define FITBENCH_SRCDIR "."
#endif

/* ---- helpers ------------------------------------------------------------- */

static char *render_text(const Chart *c, int w, int h)
{
    FbErr err = {{0}, 0};
    Grid *g = grid_new(w, h, &err);
    cr_assert(g, "%s", err.msg);
    cr_assert_eq(chart_render(c, g, &err), 0, "%s", err.msg);
    char *s = grid_to_utf8(g, &err);
    cr_assert(s, "%s", err.msg);
    grid_free(g);
    return s;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    cr_assert(buf);
    size_t got = fread(buf, 1, (size_t)n, f);
    buf[got] = '\0';
    fclose(f);
    return buf;
}

/* Compare text with tests/golden/chart/NAME.txt (stored with a final
 * newline).  FITBENCH_UPDATE_GOLDEN=1 rewrites the file instead: review the
 * result by eye before committing it. */
static void check_golden(const char *name, const char *text)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/golden/chart/%s.txt", FITBENCH_SRCDIR, name);
    const char *upd = getenv("FITBENCH_UPDATE_GOLDEN");
    if (upd && *upd && strcmp(upd, "0") != 0) {
        FILE *f = fopen(path, "wb");
        cr_assert(f, "cannot write %s", path);
        fprintf(f, "%s\n", text);
        fclose(f);
        return;
    }
    char *want = read_all(path);
    cr_assert(want, "missing golden %s (run with FITBENCH_UPDATE_GOLDEN=1 and review it)", path);
    size_t n = strlen(want);
    if (n > 0 && want[n - 1] == '\n')
        want[n - 1] = '\0';
    cr_assert_str_eq(text, want, "grid differs from %s:\n%s\n--- expected ---\n%s", path, text,
                     want);
    free(want);
}

/* The plot-area cell holding Braille dots, counted. */
static int count_braille(const Grid *g)
{
    int n = 0;
    for (int i = 0; i < g->w * g->h; i++)
        if (g->cells[i].ch > 0x2800 && g->cells[i].ch <= 0x28FF)
            n++;
    return n;
}

static int popcount8(unsigned v)
{
    int n = 0;
    for (; v; v >>= 1)
        n += v & 1;
    return n;
}

static int count_dots(const Grid *g)
{
    int n = 0;
    for (int i = 0; i < g->w * g->h; i++)
        if (g->cells[i].ch >= 0x2800 && g->cells[i].ch <= 0x28FF)
            n += popcount8(g->cells[i].ch - 0x2800);
    return n;
}

static bool grid_has(const Grid *g, const char *needle)
{
    FbErr err;
    char *s = grid_to_utf8(g, &err);
    cr_assert(s);
    bool r = strstr(s, needle) != NULL;
    free(s);
    return r;
}

/* Row and column where needle starts in the grid text (ASCII needles), or false. */
static bool grid_find(const Grid *g, const char *needle, int *row, int *col)
{
    size_t n = strlen(needle);
    for (int y = 0; y < g->h; y++)
        for (int x = 0; x + (int)n <= g->w; x++) {
            size_t k = 0;
            while (k < n && g->cells[y * g->w + x + (int)k].ch == (unsigned char)needle[k])
                k++;
            if (k == n) {
                *row = y;
                *col = x;
                return true;
            }
        }
    return false;
}

/* ---- nice ticks ------------------------------------------------------------- */

Test(chart, nice_step)
{
    cr_assert_float_eq(chart_nice_step(10, 5), 2, 1e-12);
    cr_assert_float_eq(chart_nice_step(10, 10), 1, 1e-12);
    cr_assert_float_eq(chart_nice_step(1, 10), 0.1, 1e-15);
    cr_assert_float_eq(chart_nice_step(7, 5), 2, 1e-12);
    cr_assert_float_eq(chart_nice_step(3, 10), 0.5, 1e-12);
    cr_assert_float_eq(chart_nice_step(0.9, 4), 0.5, 1e-12);
    cr_assert_float_eq(chart_nice_step(100, 10), 10, 1e-12);
    cr_assert_float_eq(chart_nice_step(101, 10), 20, 1e-12);
    cr_assert_float_eq(chart_nice_step(1, 1), 1, 1e-12);
    cr_assert_float_eq(chart_nice_step(1e300, 5), 2e299, 1e287);
    cr_assert_float_eq(chart_nice_step(1e-300, 5), 2e-301, 1e-313);
    /* nonsense in, 1 out */
    cr_assert_eq(chart_nice_step(0, 5), 1);
    cr_assert_eq(chart_nice_step(-3, 5), 1);
    cr_assert_eq(chart_nice_step(NAN, 5), 1);
    cr_assert_eq(chart_nice_step(INFINITY, 5), 1);
}

Test(chart, ticks)
{
    double t[16];
    int n = chart_ticks(0, 1, 0.2, t, 16);
    cr_assert_eq(n, 6);
    for (int i = 0; i < 6; i++)
        cr_assert_float_eq(t[i], 0.2 * i, 1e-12);
    n = chart_ticks(-1, 1, 0.5, t, 16);
    cr_assert_eq(n, 5);
    cr_assert_eq(t[2], 0.0);
    cr_assert(!signbit(t[2]));
    n = chart_ticks(0.13, 0.87, 0.2, t, 16); /* inside only */
    cr_assert_eq(n, 4);
    cr_assert_float_eq(t[0], 0.2, 1e-12);
    cr_assert_float_eq(t[3], 0.8, 1e-12);
    cr_assert_eq(chart_ticks(0, 100, 1, t, 16), 16); /* capped */
    cr_assert_eq(chart_ticks(1, 0, 1, t, 16), 0);
    cr_assert_eq(chart_ticks(0, 1, 0, t, 16), 0);
}

Test(chart, tick_labels)
{
    char b[32];
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 0.25, 0.05), "0.25");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 120, 20), "120");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 100, 100), "100");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, -3, 1), "-3");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 0, 0.1), "0");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 0.1 * 3, 0.1), "0.3");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 0.5, 0.05), "0.5");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 2.5e-7, 5e-8), "2.5e-7");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 1e6, 2e5), "1e6");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 1.4e6, 2e5), "1.4e6");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 1e300, 2e299), "1e300");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 0.0002, 0.0001), "0.0002");
    cr_assert_str_eq(chart_fmt_tick(b, sizeof b, 21.5, 0.5), "21.5");

    cr_assert_str_eq(chart_fmt_decade(b, sizeof b, -3), "1e-3");
    cr_assert_str_eq(chart_fmt_decade(b, sizeof b, -2), "0.01");
    cr_assert_str_eq(chart_fmt_decade(b, sizeof b, -1), "0.1");
    cr_assert_str_eq(chart_fmt_decade(b, sizeof b, 0), "1");
    cr_assert_str_eq(chart_fmt_decade(b, sizeof b, 1), "10");
    cr_assert_str_eq(chart_fmt_decade(b, sizeof b, 3), "1000");
    cr_assert_str_eq(chart_fmt_decade(b, sizeof b, 4), "1e4");
    cr_assert_str_eq(chart_fmt_decade(b, sizeof b, -300), "1e-300");
}

Test(chart, axis_layout)
{
    ChartAxis a;
    /* linear, loose: rounded out to the ticks */
    chart_axis_layout(&a, 0.13, 0.87, false, true, 5);
    cr_assert_float_eq(a.step, 0.2, 1e-15);
    cr_assert_float_eq(a.lo, 0, 1e-15);
    cr_assert_float_eq(a.hi, 1, 1e-15);
    cr_assert_eq(a.nticks, 6);
    cr_assert_str_eq(a.labels[1], "0.2");
    /* linear, tight: range kept, ticks inside */
    chart_axis_layout(&a, 0, 37, false, false, 8);
    cr_assert_eq(a.lo, 0);
    cr_assert_eq(a.hi, 37);
    cr_assert_float_eq(a.step, 5, 1e-12);
    cr_assert_eq(a.nticks, 8);
    cr_assert_str_eq(a.labels[7], "35");
    /* log over several decades: whole decades */
    chart_axis_layout(&a, 1.5e-3, 5, true, true, 10);
    cr_assert_float_eq(a.lo, -3, 1e-12);
    cr_assert_float_eq(a.hi, 1, 1e-12);
    cr_assert_eq(a.nticks, 5);
    cr_assert_str_eq(a.labels[0], "1e-3");
    cr_assert_str_eq(a.labels[1], "0.01");
    cr_assert_str_eq(a.labels[4], "10");
    /* log over less than a decade: 1-2-5 ticks */
    chart_axis_layout(&a, 21.9, 101.9, true, true, 10);
    cr_assert_float_eq(a.lo, log10(20), 1e-12);
    cr_assert_float_eq(a.hi, log10(200), 1e-12);
    cr_assert_eq(a.nticks, 4);
    cr_assert_str_eq(a.labels[0], "20");
    cr_assert_str_eq(a.labels[1], "50");
    cr_assert_str_eq(a.labels[2], "100");
    cr_assert_str_eq(a.labels[3], "200");
    chart_axis_layout(&a, 2e-6, 4e-6, true, true, 10);
    cr_assert_str_eq(a.labels[0], "2e-6");
    cr_assert_str_eq(a.labels[1], "5e-6");
    /* log over 600 decades: every 100 */
    chart_axis_layout(&a, 1e-300, 1e300, true, true, 6);
    cr_assert_float_eq(a.step, 100, 1e-9);
    cr_assert_str_eq(a.labels[0], "1e-300");
    cr_assert_str_eq(a.labels[a.nticks - 1], "1e300");
    /* one value: widened around it */
    chart_axis_layout(&a, 5, 5, false, true, 5);
    cr_assert(a.lo < 5 && a.hi > 5);
    chart_axis_layout(&a, 0, 0, false, false, 5);
    cr_assert(a.lo < 0 && a.hi > 0);
    chart_axis_layout(&a, 1, 1, true, true, 5);
    cr_assert(a.lo < 0 && a.hi > 0);
    /* a span that overflows a double */
    chart_axis_layout(&a, -1e308, 1e308, false, true, 4);
    cr_assert(isfinite(a.lo) && isfinite(a.hi) && a.lo <= -1e308 && a.hi >= 1e308);
    cr_assert(a.nticks >= 3);
    for (int i = 0; i < a.nticks; i++)
        cr_assert(isfinite(a.ticks[i]));
}

/* ---- the grid itself ---------------------------------------------------------- */

Test(chart, grid_text_and_utf8)
{
    FbErr err;
    Grid *g = grid_new(8, 3, &err);
    cr_assert(g);
    cr_assert_eq(grid_text(g, 1, 0, "lr×2", GC_LABEL), 4);
    cr_assert_eq(g->cells[3].ch, 0xD7u);
    cr_assert_eq(g->cells[3].fg, GC_LABEL);
    cr_assert_eq(grid_text(g, 5, 1, "abcdef", 0), 6); /* clipped at the edge */
    grid_text(g, 0, 2, "a\tb\xff", 0);                  /* control → '?', bad byte → U+FFFD */
    char *s = grid_to_utf8(g, &err);
    cr_assert_str_eq(s, " lr×2\n     abc\na?b\xEF\xBF\xBD");
    free(s);
    grid_put(g, -1, 0, 'x', 0); /* ignored */
    grid_put(g, 8, 0, 'x', 0);
    grid_clear(g);
    s = grid_to_utf8(g, &err);
    cr_assert_str_eq(s, "\n\n");
    free(s);
    grid_free(g);
    grid_free(NULL);

    Grid *z = grid_new(0, 0, &err);
    cr_assert(z);
    s = grid_to_utf8(z, &err);
    cr_assert_str_eq(s, "");
    free(s);
    grid_free(z);
    cr_assert_null(grid_new(-1, 3, &err));
    cr_assert_null(grid_new(1 << 20, 1 << 20, &err));
}

Test(chart, ansi_output)
{
    FbErr err;
    Grid *g = grid_new(4, 1, &err);
    grid_text(g, 0, 0, "ab", GC_SERIES1);
    char *s = grid_to_ansi(g, &err);
    cr_assert(strstr(s, "\x1b[38;5;") != NULL);
    cr_assert(strstr(s, "ab\x1b[0m") != NULL);
    free(s);
    grid_free(g);
}

/* ---- Braille geometry, checked against the dot layout by hand ------------------- */

/* A constant line at the top and the bottom of a fixed 0..1 range lands on
 * dot row 0 (dots 1+4 = U+2809 ⠉) and the last dot row (dots 7+8 = U+28C0 ⣀). */
Test(chart, braille_rows)
{
    double top[2] = {1, 1}, bot[2] = {0, 0}, xs[2] = {0, 1};
    Chart c;
    chart_init(&c);
    chart_add_series(&c, NULL, xs, top, 2, SERIES_LINE, NULL);
    chart_add_series(&c, NULL, xs, bot, 2, SERIES_LINE, NULL);
    c.fixed_x = c.fixed_y = true;
    c.xmin = 0, c.xmax = 1, c.ymin = 0, c.ymax = 1;
    FbErr err;
    Grid *g = grid_new(30, 7, &err); /* no header, no x label: plot rows 0..4 */
    cr_assert_eq(chart_render(&c, g, &err), 0);
    int first = -1, last = -1;
    for (int x = 0; x < g->w; x++) {
        if (g->cells[x].ch == 0x2809) {
            if (first < 0)
                first = x;
            last = x;
            cr_assert_eq(g->cells[x].fg, GC_SERIES1);
            cr_assert_eq(g->cells[4 * g->w + x].ch, 0x28C0);
            cr_assert_eq(g->cells[4 * g->w + x].fg, GC_SERIES1 + 1);
        }
    }
    /* The line spans the whole plot width: from just right of the axis to w-2. */
    cr_assert_eq(g->cells[first - 1].ch, 0x2524u, "axis tick ┤ left of the plot");
    cr_assert_eq(last, g->w - 2);
    cr_assert_eq(count_braille(g), 2 * (last - first + 1));
    grid_free(g);
}

/* A diagonal over a square dot grid sets exactly one dot per dot column. */
Test(chart, braille_diagonal)
{
    FbErr err;
    Grid *g = grid_new(30, 7, &err); /* plot: ph = 5 rows = 20 dots */
    double y[2] = {0, 1};
    Chart c;
    chart_init(&c);
    chart_add_series(&c, NULL, NULL, y, 2, SERIES_LINE, NULL);
    c.fixed_y = true, c.ymin = 0, c.ymax = 1;
    cr_assert_eq(chart_render(&c, g, &err), 0);
    /* plot width: w − (label width "1" + space + axis) − right margin */
    int pw = 30 - 3 - 1;
    /* Bresenham over 2·pw dot columns and 20 dot rows: x-major, one dot per column. */
    cr_assert_eq(count_dots(g), 2 * pw);
    /* bottom-left cell has the lowest-left dot (dot 7), top-right the highest-right (dot 4) */
    cr_assert(((g->cells[4 * g->w + 3].ch - 0x2800) & 0x40) != 0);
    cr_assert(((g->cells[0 * g->w + 3 + pw - 1].ch - 0x2800) & 0x08) != 0);
    grid_free(g);
}

/* ---- golden grids ---------------------------------------------------------------- */

static void decay(double *y, int n, double a, double tau, double floor_)
{
    for (int i = 0; i < n; i++)
        y[i] = floor_ + a * exp(-i / tau);
}

Test(chart, golden_line)
{
    double y[61];
    decay(y, 61, 8, 12, 1);
    Chart c;
    chart_init(&c);
    c.title = "training loss";
    c.xlabel = "epoch";
    c.ylabel = "loss";
    chart_add_series(&c, "train", NULL, y, 61, SERIES_LINE, NULL);
    char *s = render_text(&c, 60, 16);
    check_golden("line", s);
    /* independent of the golden: nice labels and the data's x extent */
    cr_assert(strstr(s, "10 ┤") && strstr(s, " 0 ┤") && strstr(s, " 2 ┤"));
    cr_assert(strstr(s, "60") && strstr(s, "━━ train"));
    free(s);
}

Test(chart, golden_logy)
{
    double y[101];
    for (int i = 0; i <= 100; i++)
        y[i] = 5 * pow(10, -i / 25.0); /* 5 .. 5e-4: four decades */
    Chart c;
    chart_init(&c);
    c.title = "log loss";
    c.ylabel = "loss";
    c.logy = true;
    chart_add_series(&c, NULL, NULL, y, 101, SERIES_LINE, NULL);
    char *s = render_text(&c, 60, 16);
    check_golden("logy", s);
    /* A straight line on a log axis: its dots fall on one Bresenham line, so
     * every decade label is present and the curve reaches both ends. */
    cr_assert(strstr(s, "1e-4 ┤") && strstr(s, "1e-3 ┤") && strstr(s, "0.01 ┤") &&
              strstr(s, " 0.1 ┤") && strstr(s, "   1 ┤") && strstr(s, "  10 ┤"));
    free(s);
}

Test(chart, golden_overlay_legend)
{
    double a[81], b[81], x[81];
    for (int i = 0; i <= 80; i++) {
        x[i] = i * 0.5;
        a[i] = 1 - exp(-i / 10.0);       /* accuracy-like: rises to the top right */
        b[i] = 0.9 * (1 - exp(-i / 25.0));
    }
    Chart c;
    chart_init(&c);
    c.title = "accuracy";
    c.xlabel = "epoch";
    chart_add_series(&c, "lr=0.3", x, a, 81, SERIES_LINE, NULL);
    chart_add_series(&c, "lr=0.03", x, b, 81, SERIES_LINE, NULL);
    char *s = render_text(&c, 60, 16);
    check_golden("overlay", s);
    free(s);

    /* Rising curves fill the top right, so the legend goes top left. */
    FbErr err;
    Grid *g = grid_new(60, 16, &err);
    chart_render(&c, g, &err);
    int r1, c1, r2, c2;
    cr_assert(grid_find(g, "lr=0.3", &r1, &c1));
    cr_assert(grid_find(g, "lr=0.03", &r2, &c2));
    cr_assert_eq(r2, r1 + 1);
    cr_assert_eq(c1, c2);
    cr_assert(c1 < 20, "legend at the left (col %d)", c1);
    cr_assert_eq(r1, 1, "legend on the first plot row");
    /* the key is coloured like its series */
    cr_assert_eq(g->cells[r1 * g->w + c1 - 3].ch, 0x2501u);
    cr_assert_eq(g->cells[r1 * g->w + c1 - 3].fg, GC_SERIES1);
    cr_assert_eq(g->cells[r2 * g->w + c2 - 3].fg, GC_SERIES1 + 1);
    grid_free(g);
}

Test(chart, golden_reference_and_markers)
{
    double y[121];
    for (int i = 0; i <= 120; i++)
        y[i] = 21.895 + (i < 40 ? 60 * exp(-i / 15.0) : 60 * exp(-40 / 15.0) * exp(-(i - 40) / 6.0));
    Chart c;
    chart_init(&c);
    c.title = "loss";
    c.xlabel = "epoch";
    chart_add_series(&c, "train", NULL, y, 121, SERIES_LINE, NULL);
    c.has_ref = true;
    c.ref_y = 21.895;
    c.ref_label = "closed form 21.895";
    chart_add_marker(&c, 40, "lr×2", NULL);
    chart_add_marker(&c, 90, "lr÷10", NULL);
    char *s = render_text(&c, 70, 18);
    check_golden("reference", s);
    cr_assert(strstr(s, "closed form 21.895") && strstr(s, "lr×2") && strstr(s, "lr÷10"));
    cr_assert(strstr(s, "╌") && strstr(s, "╎"));
    free(s);
}

Test(chart, golden_points)
{
    double x[40], y[40];
    for (int i = 0; i < 40; i++) {
        x[i] = -2 + 4.0 * i / 39;
        y[i] = x[i] * x[i] - 1 + 0.3 * sin(7 * i);
    }
    double fx[2] = {-2, 2}, fy[2] = {1.5, 1.5};
    Chart c;
    chart_init(&c);
    c.title = "fit";
    c.xlabel = "x";
    c.ylabel = "y";
    chart_add_series(&c, "data", x, y, 40, SERIES_POINTS, NULL);
    chart_add_series(&c, "model", fx, fy, 2, SERIES_LINE, NULL);
    char *s = render_text(&c, 50, 14);
    check_golden("points", s);
    cr_assert(strstr(s, " • data") && strstr(s, "━━ model"));
    cr_assert(strstr(s, "-2 ┤") && strstr(s, " 4 ┤") && strstr(s, "-1.5"));
    free(s);
}

/* ---- edge cases ------------------------------------------------------------------- */

Test(chart, too_small)
{
    Chart c;
    chart_init(&c);
    double y[3] = {1, 2, 3};
    chart_add_series(&c, "a", NULL, y, 3, SERIES_LINE, NULL);
    int sizes[][2] = {{19, 6}, {20, 5}, {5, 1}, {1, 30}, {0, 0}, {200, 2}};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *s = render_text(&c, sizes[i][0], sizes[i][1]);
        char want[32];
        snprintf(want, sizeof want, "%.*s", sizes[i][0], "plot too small");
        while (strlen(want) > 0 && want[strlen(want) - 1] == ' ')
            want[strlen(want) - 1] = '\0'; /* rows are trimmed */
        size_t wl = strlen(want);
        if (sizes[i][1] > 0)
            cr_assert(strncmp(s, want, wl) == 0, "%dx%d: %s", sizes[i][0], sizes[i][1], s);
        for (const char *p = s; *p; p++)
            cr_assert(p < s + wl || *p == '\n', "only the note: %s", s);
        free(s);
    }
    /* exactly the minimum draws a chart */
    char *s = render_text(&c, CHART_MIN_W, CHART_MIN_H);
    cr_assert(strstr(s, "└") && !strstr(s, "too small"));
    free(s);
}

Test(chart, no_data)
{
    Chart c;
    chart_init(&c);
    c.title = "loss";
    chart_add_series(&c, "train", NULL, NULL, 0, SERIES_LINE, NULL);
    char *s = render_text(&c, 40, 12);
    check_golden("empty", s);
    cr_assert(strstr(s, "no data yet") && strstr(s, "└") && strstr(s, "┤"));
    free(s);
    /* all-NaN data is no data either */
    double y[3] = {NAN, INFINITY, -INFINITY};
    c.series[0].y = y;
    c.series[0].n = 3;
    FbErr err;
    Grid *g = grid_new(40, 12, &err);
    cr_assert_eq(chart_render(&c, g, &err), 0);
    cr_assert(grid_has(g, "no data yet"));
    cr_assert_eq(count_dots(g), 0);
    grid_free(g);
}

Test(chart, one_point_and_constant)
{
    FbErr err;
    Grid *g = grid_new(40, 12, &err);
    double one[1] = {3.5};
    Chart c;
    chart_init(&c);
    chart_add_series(&c, NULL, NULL, one, 1, SERIES_LINE, NULL);
    cr_assert_eq(chart_render(&c, g, &err), 0);
    cr_assert_eq(count_dots(g), 1, "one point, one dot");
    cr_assert(!grid_has(g, "no data"));
    cr_assert(grid_has(g, "3.5"), "the value sits between visible ticks");

    double flat[50];
    for (int i = 0; i < 50; i++)
        flat[i] = -7.25;
    c.series[0].y = flat;
    c.series[0].n = 50;
    cr_assert_eq(chart_render(&c, g, &err), 0);
    /* one horizontal run of dots, one dot per dot column of the plot */
    int dots = count_dots(g), cells = count_braille(g);
    cr_assert(cells >= 30, "visible across the width (%d cells)", cells);
    cr_assert_eq(dots, 2 * cells);
    grid_free(g);
}

Test(chart, gaps_at_nan_and_log_nonpositive)
{
    FbErr err;
    Grid *g = grid_new(44, 8, &err); /* no header: plot rows 0..5 */
    double y[11] = {1, 1, 1, 1, NAN, 1, 1, 1, 1, 1, 1};
    Chart c;
    chart_init(&c);
    chart_add_series(&c, NULL, NULL, y, 11, SERIES_LINE, NULL);
    c.fixed_y = true, c.ymin = 0, c.ymax = 2;
    cr_assert_eq(chart_render(&c, g, &err), 0);
    /* x = 3 and x = 5 are not joined: some plot cell on the line's row is empty between them */
    int row = -1;
    for (int y2 = 0; y2 < g->h && row < 0; y2++)
        for (int x = 0; x < g->w; x++)
            if (g->cells[y2 * g->w + x].ch > 0x2800 && g->cells[y2 * g->w + x].ch <= 0x28FF) {
                row = y2;
                break;
            }
    cr_assert(row >= 0);
    int runs = 0;
    bool in = false;
    for (int x = 0; x < g->w; x++) {
        bool b = g->cells[row * g->w + x].ch > 0x2800 && g->cells[row * g->w + x].ch <= 0x28FF;
        if (b && !in)
            runs++;
        in = b;
    }
    cr_assert_eq(runs, 2, "the NaN splits the line in two");

    /* log axis: zeros and negatives are skipped the same way, no crash */
    double ly[6] = {10, 1, 0, -5, 0.1, 0.01};
    c.series[0].y = ly;
    c.series[0].n = 6;
    c.fixed_y = false;
    c.logy = true;
    cr_assert_eq(chart_render(&c, g, &err), 0);
    cr_assert(grid_has(g, "0.01 ┤") && grid_has(g, "   1 ┤"));
    cr_assert(count_dots(g) > 0);
    grid_free(g);
}

Test(chart, extreme_values)
{
    FbErr err;
    Grid *g = grid_new(60, 14, &err);
    double y[4] = {1e-300, 1e300, 1e-300, 1e300};
    Chart c;
    chart_init(&c);
    chart_add_series(&c, NULL, NULL, y, 4, SERIES_LINE, NULL);
    cr_assert_eq(chart_render(&c, g, &err), 0);
    cr_assert(grid_has(g, "1e300"));
    cr_assert(count_dots(g) > 10);
    c.logy = true;
    cr_assert_eq(chart_render(&c, g, &err), 0);
    cr_assert(grid_has(g, "1e-300") && grid_has(g, "1e300"));
    cr_assert(count_dots(g) > 10);
    double big[3] = {-1.7e308, 1.7e308, 0};
    c.logy = false;
    c.series[0].y = big;
    c.series[0].n = 3;
    cr_assert_eq(chart_render(&c, g, &err), 0);
    cr_assert(count_dots(g) > 10);

    /* negatives: zero gets a tick between them */
    double neg[5] = {-4, -1, 0.5, 2, 3.7};
    c.series[0].y = neg;
    c.series[0].n = 5;
    cr_assert_eq(chart_render(&c, g, &err), 0);
    cr_assert(grid_has(g, " 0 ┤") && grid_has(g, "-4 ┤"));

    /* every x the same value: a vertical stroke in one dot column */
    double xs[3] = {3, 3, 3}, ys[3] = {1, 5, 2};
    c.series[0].x = xs;
    c.series[0].y = ys;
    c.series[0].n = 3;
    cr_assert_eq(chart_render(&c, g, &err), 0);
    cr_assert(count_dots(g) >= 8);
    cr_assert(grid_has(g, "3"));

    /* a fixed range that clips most of the data */
    double wild[4] = {-1e200, 0.5, 1e200, 0.25};
    c.series[0].x = NULL;
    c.series[0].y = wild;
    c.series[0].n = 4;
    c.fixed_y = true, c.ymin = 0, c.ymax = 1;
    cr_assert_eq(chart_render(&c, g, &err), 0);
    cr_assert(count_dots(g) > 0);
    grid_free(g);
}

Test(chart, invalid_arguments)
{
    FbErr err = {{0}, 0};
    Grid *g = grid_new(40, 10, &err);
    Chart c;
    chart_init(&c);
    chart_add_series(&c, "a", NULL, NULL, 5, SERIES_LINE, NULL);
    cr_assert_eq(chart_render(&c, g, &err), -1);
    cr_assert(strstr(err.msg, "no y values"));
    chart_init(&c);
    c.fixed_y = true, c.ymin = 1, c.ymax = 1;
    cr_assert_eq(chart_render(&c, g, &err), -1);
    chart_init(&c);
    for (int i = 0; i < CHART_MAX_SERIES; i++)
        cr_assert_eq(chart_add_series(&c, NULL, NULL, NULL, 0, SERIES_LINE, &err), i);
    cr_assert_eq(chart_add_series(&c, NULL, NULL, NULL, 0, SERIES_LINE, &err), -1);
    for (int i = 0; i < CHART_MAX_MARKERS; i++)
        cr_assert_eq(chart_add_marker(&c, i, NULL, &err), i);
    cr_assert_eq(chart_add_marker(&c, 0, NULL, &err), -1);
    cr_assert_eq(chart_render(NULL, g, &err), -1);
    grid_free(g);
}

Test(chart, later_series_wins_shared_cells)
{
    FbErr err;
    Grid *g = grid_new(30, 8, &err);
    double y[3] = {1, 2, 3};
    Chart c;
    chart_init(&c);
    chart_add_series(&c, NULL, NULL, y, 3, SERIES_LINE, NULL);
    chart_add_series(&c, NULL, NULL, y, 3, SERIES_LINE, NULL);
    c.series[1].color = 5;
    cr_assert_eq(chart_render(&c, g, &err), 0);
    int n = 0;
    for (int i = 0; i < g->w * g->h; i++)
        if (g->cells[i].ch > 0x2800 && g->cells[i].ch <= 0x28FF) {
            cr_assert_eq(g->cells[i].fg, 5);
            n++;
        }
    cr_assert(n > 0);
    grid_free(g);
}

/* Thinning per dot column must light exactly the dots that drawing every
 * segment would light. */
Test(chart, decimation_matches_full_drawing)
{
    enum { N = 20000 };
    static double y[N];
    for (int i = 0; i < N; i++)
        y[i] = sin(i * 0.01) + 0.3 * sin(i * 0.37);
    FbErr err;
    Grid *g = grid_new(80, 20, &err);
    Chart c;
    chart_init(&c);
    chart_add_series(&c, NULL, NULL, y, N, SERIES_LINE, NULL);
    c.fixed_x = c.fixed_y = true;
    c.xmin = 0, c.xmax = N - 1, c.ymin = -1.5, c.ymax = 1.5;
    cr_assert_eq(chart_render(&c, g, &err), 0);
    /* no header and no x label: plot rows 0..h-3, x axis on row h-2 */
    int ph = g->h - 2, arow = g->h - 2, x0 = -1, pw = 0;
    for (int x = 0; x < g->w; x++) {
        uint32_t ch = g->cells[arow * g->w + x].ch;
        if (ch == 0x2514)
            x0 = x + 1;
        else if (x0 >= 0 && (ch == 0x2500 || ch == 0x252C))
            pw++;
    }
    cr_assert(x0 > 0 && pw > 50);
    int dw = 2 * pw, dh = 4 * ph;
    static unsigned char want[200][100];
    memset(want, 0, sizeof want);
    /* every segment, endpoints rounded to dots, by the textbook integer Bresenham */
    for (int i = 0; i + 1 < N; i++) {
        long xa = lround(i / (double)(N - 1) * (dw - 1));
        long xb = lround((i + 1) / (double)(N - 1) * (dw - 1));
        long ya = lround((1.5 - y[i]) / 3 * (dh - 1)), yb = lround((1.5 - y[i + 1]) / 3 * (dh - 1));
        long ddx = labs(xb - xa), ddy = -labs(yb - ya), sx = xa < xb ? 1 : -1, sy = ya < yb ? 1 : -1;
        long e = ddx + ddy;
        for (;;) {
            want[xa][ya] = 1;
            if (xa == xb && ya == yb)
                break;
            long e2 = 2 * e;
            if (e2 >= ddy)
                e += ddy, xa += sx;
            if (e2 <= ddx)
                e += ddx, ya += sy;
        }
    }
    static const unsigned bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    int mismatch = 0;
    for (int dx = 0; dx < dw; dx++)
        for (int dy = 0; dy < dh; dy++) {
            uint32_t ch = g->cells[(dy / 4) * g->w + x0 + dx / 2].ch;
            bool on = ch >= 0x2800 && ch <= 0x28FF && ((ch - 0x2800) & bit[dy % 4][dx % 2]);
            if (on != (want[dx][dy] != 0)) {
                if (mismatch < 5)
                    cr_log_warn("dot (%d, %d): drawn %d, segments %d", dx, dy, on, want[dx][dy]);
                mismatch++;
            }
        }
    cr_assert_eq(mismatch, 0);

    /* Explicit x takes the general path; a history takes the per-column
     * block path: both must light the same dots, with NaN gaps too. */
    static double xs[N];
    for (int i = 0; i < N; i++)
        xs[i] = i;
    for (int i = 7000; i < 7100; i++)
        y[i] = NAN;
    Grid *g2 = grid_new(80, 20, &err);
    cr_assert_eq(chart_render(&c, g, &err), 0);
    c.series[0].x = xs;
    cr_assert_eq(chart_render(&c, g2, &err), 0);
    for (int i = 0; i < g->w * g->h; i++)
        cr_assert_eq(g->cells[i].ch, g2->cells[i].ch, "cell %d", i);
    grid_free(g2);
    grid_free(g);
}

/* Long series render (the speed of this is measured in bench/chart_render.c, not
 * here: unit tests are not timed). */
Test(chart, large_series)
{
    enum { N = 100000 };
    double *y = malloc(3 * N * sizeof *y);
    cr_assert(y);
    for (int i = 0; i < N; i++) {
        y[i] = 1 + exp(-i / 9000.0) + 0.05 * sin(i * 0.3);
        y[N + i] = 1.2 + exp(-i / 15000.0) + 0.05 * sin(i * 0.2);
        y[2 * N + i] = 1.1 + exp(-i / 30000.0);
    }
    Chart c;
    chart_init(&c);
    c.title = "three long curves";
    for (int k = 0; k < 3; k++)
        chart_add_series(&c, "s", NULL, y + k * N, N, SERIES_LINE, NULL);
    FbErr err;
    Grid *g = grid_new(120, 40, &err);
    for (int rep = 0; rep < 2; rep++) {
        c.logy = rep;
        cr_assert_eq(chart_render(&c, g, &err), 0);
        int braille = 0;
        for (int i = 0; i < g->w * g->h; i++)
            braille += g->cells[i].ch >= 0x2801 && g->cells[i].ch <= 0x28FF;
        cr_assert(braille > 100, "only %d braille cells", braille);
    }
    grid_free(g);
    free(y);
}

/* ---- heat maps --------------------------------------------------------------------- */

static char colch(uint8_t c)
{
    return c < 10 ? (char)('0' + c) : (char)('a' + c - 10);
}

/* The grid text, then the fg and bg colour of every cell, one character each. */
static char *dump_with_colors(const Grid *g)
{
    FbErr err;
    char *t = grid_to_utf8(g, &err);
    size_t n = strlen(t) + 2 * (size_t)(g->w + 1) * g->h + 64;
    char *s = malloc(n);
    size_t len = (size_t)snprintf(s, n, "%s\n-- fg --", t);
    for (int y = 0; y < g->h; y++) {
        s[len++] = '\n';
        for (int x = 0; x < g->w; x++)
            s[len++] = colch(g->cells[y * g->w + x].fg);
    }
    len += (size_t)snprintf(s + len, n - len, "\n-- bg --");
    for (int y = 0; y < g->h; y++) {
        s[len++] = '\n';
        for (int x = 0; x < g->w; x++)
            s[len++] = colch(g->cells[y * g->w + x].bg);
    }
    s[len] = '\0';
    free(t);
    return s;
}

Test(chart, heat_map)
{
    FbErr err;
    Grid *g = grid_new(40, 14, &err);
    HeatChart hc = {.title = "decision boundary", .xlabel = "x1", .ylabel = "x2",
                    .xmin = -2, .xmax = 2, .ymin = -1, .ymax = 1};
    int nx, ny;
    chart_heat_size(&hc, g, &nx, &ny);
    cr_assert(nx > 20 && ny > 10);
    double *xs = malloc(nx * sizeof *xs), *ys = malloc(ny * sizeof *ys);
    uint8_t *sm = malloc((size_t)nx * ny);
    chart_heat_coords(&hc, nx, ny, xs, ys);
    cr_assert_float_eq(xs[0], -2 + 2.0 / nx, 1e-12);
    cr_assert_float_eq(ys[0], 1 - 1.0 / ny, 1e-12);
    /* class 1 above the line y = x/2, class 2 below */
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
            sm[j * nx + i] = ys[j] > xs[i] / 2 ? GC_SERIES1 : GC_SERIES1 + 1;
    double px[3] = {-1.5, 1.5, 0.0}, py[3] = {0.5, -0.5, 0.999};
    uint8_t pc[3] = {GC_SERIES1, GC_SERIES1 + 1, GC_SERIES1 + 1};
    hc.samples = sm, hc.nx = nx, hc.ny = ny;
    hc.px = px, hc.py = py, hc.pcolor = pc, hc.npoints = 3;
    cr_assert_eq(chart_heat_render(&hc, g, &err), 0, "%s", err.msg);
    char *s = dump_with_colors(g);
    check_golden("heat", s);
    free(s);
    /* every plot cell is ▀ or ●; top-left is class 1 in both halves, bottom-left class 2 */
    int halfs = 0, dots = 0;
    for (int i = 0; i < g->w * g->h; i++) {
        halfs += g->cells[i].ch == 0x2580;
        dots += g->cells[i].ch == 0x25CF;
    }
    cr_assert_eq(dots, 3);
    cr_assert_eq(halfs + dots, nx * ny / 2);
    free(xs), free(ys), free(sm);

    /* invalid input */
    hc.samples = NULL;
    cr_assert_eq(chart_heat_render(&hc, g, &err), -1);
    hc.samples = (const uint8_t *)"x";
    hc.nx = hc.ny = 1;
    hc.xmax = hc.xmin;
    cr_assert_eq(chart_heat_render(&hc, g, &err), -1);
    grid_free(g);

    cr_assert_eq(chart_heat_level(0, 0, 1), GC_HEAT0);
    cr_assert_eq(chart_heat_level(1, 0, 1), GC_HEAT0 + GC_NHEAT - 1);
    cr_assert_eq(chart_heat_level(0.49, 0, 1), GC_HEAT0 + 3);
    cr_assert_eq(chart_heat_level(-5, 0, 1), GC_HEAT0);
    cr_assert_eq(chart_heat_level(NAN, 0, 1), GC_DEFAULT);
}

/* ---- SVG ----------------------------------------------------------------------------- */

/* A small well-formedness check: tags nest and close, attribute values are
 * quoted, & only starts the five XML entities, no raw '<' in text. */
static bool xml_ok(const char *s, char *why, size_t whysz)
{
    char stack[64][32];
    int depth = 0;
    const char *p = s;
    if (strncmp(p, "<?xml", 5) == 0)
        p = strstr(p, "?>") + 2;
    int roots = 0;
    while (*p) {
        if (*p == '&') {
            static const char *ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
            bool ok = false;
            for (int i = 0; i < 5; i++)
                ok |= strncmp(p, ents[i], strlen(ents[i])) == 0;
            if (!ok) {
                snprintf(why, whysz, "bad entity at %.20s", p);
                return false;
            }
            p++;
            continue;
        }
        if (*p != '<') {
            if (*p == '>') {
                snprintf(why, whysz, "stray > at %.20s", p);
                return false;
            }
            p++;
            continue;
        }
        bool close = p[1] == '/';
        const char *n = p + 1 + close;
        size_t nl = strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-");
        if (nl == 0 || nl >= 32) {
            snprintf(why, whysz, "bad tag at %.20s", p);
            return false;
        }
        const char *q = n + nl;
        bool inq = false;
        while (*q && (inq || (*q != '>'))) {
            if (*q == '"')
                inq = !inq;
            else if (inq && *q == '<') {
                snprintf(why, whysz, "< in attribute at %.20s", q);
                return false;
            }
            q++;
        }
        if (!*q) {
            snprintf(why, whysz, "unterminated tag");
            return false;
        }
        bool selfclose = q[-1] == '/';
        if (close) {
            if (depth == 0 || strncmp(stack[depth - 1], n, nl) || stack[depth - 1][nl]) {
                snprintf(why, whysz, "mismatched close at %.20s", p);
                return false;
            }
            depth--;
        } else if (!selfclose) {
            if (depth == 0)
                roots++;
            memcpy(stack[depth], n, nl);
            stack[depth][nl] = '\0';
            depth++;
        } else if (depth == 0) {
            roots++;
        }
        p = q + 1;
    }
    if (depth != 0 || roots != 1) {
        snprintf(why, whysz, "depth %d roots %d at end", depth, roots);
        return false;
    }
    return true;
}

static int count_str(const char *s, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* Points in the first polyline after from. */
static int polyline_points(const char *from)
{
    const char *p = strstr(from, "<polyline");
    cr_assert(p);
    p = strstr(p, "points=\"") + 8;
    int n = 0;
    for (; *p != '"'; p++)
        n += *p == ',';
    return n;
}

Test(chart, svg_basic)
{
    double y[25], y2[25];
    for (int i = 0; i < 25; i++) {
        y[i] = 10 * exp(-i / 5.0);
        y2[i] = 12 * exp(-i / 7.0);
    }
    y2[10] = NAN;
    Chart c;
    chart_init(&c);
    c.title = "loss <train> & val";
    c.xlabel = "epoch";
    c.ylabel = "loss";
    chart_add_series(&c, "a<b", NULL, y, 25, SERIES_LINE, NULL);
    chart_add_series(&c, "val \"x\"", NULL, y2, 25, SERIES_LINE, NULL);
    c.has_ref = true, c.ref_y = 0.5, c.ref_label = "closed form 0.5";
    chart_add_marker(&c, 12, "lr×2", NULL);
    char *svg;
    size_t len;
    FbErr err;
    cr_assert_eq(svg_render_chart(&c, 640, 400, &svg, &len, &err), 0, "%s", err.msg);
    cr_assert_eq(len, strlen(svg));
    char why[128] = "";
    cr_assert(xml_ok(svg, why, sizeof why), "%s", why);
    cr_assert(strstr(svg, "a&lt;b"));
    cr_assert(!strstr(svg, "a<b"));
    cr_assert(strstr(svg, "loss &lt;train&gt; &amp; val"));
    cr_assert(strstr(svg, "val &quot;x&quot;"));
    cr_assert(strstr(svg, "lr×2") && strstr(svg, "closed form 0.5"));
    /* series 1: one polyline of 25 points; series 2: split at the NaN into 10 + 14 */
    cr_assert_eq(count_str(svg, "<polyline"), 3);
    const char *first = strstr(svg, "<polyline fill=\"none\" stroke=\"#1f77b4\"");
    cr_assert(first);
    cr_assert_eq(polyline_points(first), 25);
    const char *second = strstr(svg, "<polyline fill=\"none\" stroke=\"#ff7f0e\"");
    cr_assert(second);
    cr_assert_eq(polyline_points(second), 10);
    cr_assert_eq(polyline_points(strstr(second, "/>")), 14);
    cr_assert(strstr(svg, "stroke-dasharray=\"6 4\""));
    cr_assert(strstr(svg, "width=\"640\" height=\"400\""));
    free(svg);

    /* log axis and decade labels; points style as circles */
    c.logy = true;
    c.series[1].style = SERIES_POINTS;
    cr_assert_eq(svg_render_chart(&c, 640, 400, &svg, NULL, &err), 0);
    cr_assert(xml_ok(svg, why, sizeof why), "%s", why);
    cr_assert(strstr(svg, ">0.1</text>") && strstr(svg, ">10</text>"));
    cr_assert_eq(count_str(svg, "<circle"), 24 + 1); /* 24 finite points + legend dot */
    free(svg);

    /* no data */
    Chart e;
    chart_init(&e);
    cr_assert_eq(svg_render_chart(&e, 300, 200, &svg, NULL, &err), 0);
    cr_assert(xml_ok(svg, why, sizeof why), "%s", why);
    cr_assert(strstr(svg, "no data yet"));
    free(svg);
}

Test(chart, svg_thins_long_series)
{
    enum { N = 100000 };
    double *y = malloc(N * sizeof *y);
    for (int i = 0; i < N; i++)
        y[i] = sin(i * 0.001) + 0.1 * sin(i * 0.5);
    Chart c;
    chart_init(&c);
    chart_add_series(&c, "long", NULL, y, N, SERIES_LINE, NULL);
    char *svg;
    FbErr err;
    cr_assert_eq(svg_render_chart(&c, 800, 500, &svg, NULL, &err), 0);
    int pts = polyline_points(svg);
    cr_assert(pts <= 4 * 800 && pts > 2 * 700, "%d points", pts);
    char why[128];
    cr_assert(xml_ok(svg, why, sizeof why), "%s", why);
    free(svg);
    free(y);
}

Test(chart, svg_write_file)
{
    char dir[] = "/tmp/fitbench-chart-XXXXXX";
    cr_assert(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/plot.svg", dir);
    double y[3] = {3, 2, 1};
    Chart c;
    chart_init(&c);
    chart_add_series(&c, "s", NULL, y, 3, SERIES_LINE, NULL);
    FbErr err;
    cr_assert_eq(svg_write_chart(&c, path, 400, 300, &err), 0, "%s", err.msg);
    char *got = read_all(path), *want;
    cr_assert_eq(svg_render_chart(&c, 400, 300, &want, NULL, &err), 0);
    cr_assert_str_eq(got, want);
    free(got);
    free(want);
    char bad[300];
    snprintf(bad, sizeof bad, "%s/no/such/dir/plot.svg", dir);
    cr_assert_eq(svg_write_chart(&c, bad, 400, 300, &err), -1);
    cr_assert(strlen(err.msg) > 0);
    unlink(path);
    rmdir(dir);
}

/* ---- pictures that do not depend on colour -------------------------------------- */

/* WCAG relative luminance of an xterm-256 colour (the 6x6x6 cube and the grey ramp). */
static double xterm_lum(int code)
{
    static const int lv[6] = {0, 95, 135, 175, 215, 255};
    int rgb[3];
    if (code >= 232)
        rgb[0] = rgb[1] = rgb[2] = 8 + 10 * (code - 232);
    else {
        cr_assert(code >= 16, "colour %d is one of the terminal's own sixteen: its value is unknown", code);
        int i = code - 16;
        rgb[0] = lv[i / 36], rgb[1] = lv[(i / 6) % 6], rgb[2] = lv[i % 6];
    }
    double w[3] = {0.2126, 0.7152, 0.0722}, l = 0;
    for (int k = 0; k < 3; k++) {
        double c = rgb[k] / 255.0;
        l += w[k] * (c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4));
    }
    return l;
}

/* Every point colour (the series colours, which plot boundary and plot surface use for classes and paths)
 * against every shade of the heat ramp: a contrast ratio of at least GRID_MIN_CONTRAST. */
Test(chart, palette_contrast_points_on_every_shade)
{
    for (int p = GC_SERIES1; p < GC_SERIES1 + GC_NSERIES; p++)
        for (int h = GC_HEAT0; h < GC_HEAT0 + GC_NHEAT; h++) {
            double a = xterm_lum(grid_xterm256((uint8_t)p)), b = xterm_lum(grid_xterm256((uint8_t)h));
            double r = (fmax(a, b) + 0.05) / (fmin(a, b) + 0.05);
            cr_expect(r >= GRID_MIN_CONTRAST, "point colour %d (xterm %d) on shade %d (xterm %d): contrast %.2f",
                      p, grid_xterm256((uint8_t)p), h, grid_xterm256((uint8_t)h), r);
        }
    cr_assert_eq(grid_xterm256(GC_DEFAULT), -1);
}

/* Solid, dashed and dotted lines: distinct legend glyphs, and a dashed line lights fewer dots than the same line
 * solid, in runs (some cells of its path are empty). */
Test(chart, line_styles_differ_without_colour)
{
    cr_assert_neq(chart_style_glyph(SERIES_LINE), chart_style_glyph(SERIES_DASHED));
    cr_assert_neq(chart_style_glyph(SERIES_DASHED), chart_style_glyph(SERIES_DOTTED));
    cr_assert_neq(chart_style_glyph(SERIES_LINE), chart_style_glyph(SERIES_POINTS));
    cr_assert_neq(chart_style_glyph(SERIES_LONGDASH), chart_style_glyph(SERIES_DASHED));
    cr_assert_neq(chart_style_glyph(SERIES_LONGDASH), chart_style_glyph(SERIES_LINE));
    double y[2] = {1, 1};
    int dots[2] = {0, 0};
    for (int k = 0; k < 2; k++) {
        Chart c;
        chart_init(&c);
        c.fixed_y = true, c.ymin = 0, c.ymax = 2;
        chart_add_series(&c, k ? "val" : "train", NULL, y, 2, k ? SERIES_DASHED : SERIES_LINE, NULL);
        FbErr err;
        Grid *g = grid_new(40, 10, &err);
        cr_assert_eq(chart_render(&c, g, &err), 0);
        for (int i = 0; i < g->w * g->h; i++)
            if (g->cells[i].ch > 0x2800 && g->cells[i].ch <= 0x28FF)
                dots[k] += __builtin_popcount(g->cells[i].ch - 0x2800);
        char *s = grid_to_utf8(g, &err);
        cr_assert(strstr(s, k ? "\u254d\u254d val" : "\u2501\u2501 train"), "%s", s);
        free(s);
        grid_free(g);
    }
    cr_assert(dots[1] > dots[0] / 3 && dots[1] < dots[0] * 2 / 3, "solid %d dots, dashed %d", dots[0], dots[1]);
}

/* A heat map with shade characters: one character per cell (the denser level), no background colours, and the
 * points as their own glyphs. */
Test(chart, heat_map_shade_glyphs_and_point_glyphs)
{
    FbErr err;
    Grid *g = grid_new(30, 12, &err);
    static const uint32_t shade[GC_NHEAT] = {' ', ' ', 0xB7, 0xB7, 0x2591, 0x2591, 0x2592, 0x2593};
    HeatChart hc = {.xmin = 0, .xmax = 1, .ymin = 0, .ymax = 1, .shade = shade};
    int nx, ny;
    chart_heat_size(&hc, g, &nx, &ny);
    uint8_t *sm = malloc((size_t)nx * ny);
    for (int j = 0; j < ny; j++)
        for (int i = 0; i < nx; i++)
            sm[j * nx + i] = (uint8_t)(GC_HEAT0 + (i * GC_NHEAT) / nx); /* left light, right dense */
    double px[2] = {0.1, 0.9}, py[2] = {0.5, 0.5};
    uint8_t pc[2] = {GC_SERIES1, GC_SERIES1 + 1};
    uint32_t pg[2] = {'o', 'x'};
    hc.samples = sm, hc.nx = nx, hc.ny = ny, hc.px = px, hc.py = py, hc.pcolor = pc, hc.pglyph = pg, hc.npoints = 2;
    cr_assert_eq(chart_heat_render(&hc, g, &err), 0, "%s", err.msg);
    int halves = 0, dense = 0, o = 0, x = 0, bg = 0;
    for (int i = 0; i < g->w * g->h; i++) {
        halves += g->cells[i].ch == 0x2580;
        dense += g->cells[i].ch == 0x2593;
        o += g->cells[i].ch == 'o';
        x += g->cells[i].ch == 'x';
        bg += g->cells[i].bg != 0;
    }
    cr_assert_eq(halves, 0);
    cr_assert_eq(bg, 0);
    cr_assert(dense > 0);
    cr_assert(o >= 1 && x >= 1, "o %d x %d", o, x);
    free(sm);
    grid_free(g);
}

/* A tagged series: its tag sits on its last point's cell and before its legend entry; untagged ones get neither
 * (compare's fifth run on shares a line style with an earlier one: the tag tells them apart without colour). */
Test(chart, series_tag_at_end_and_in_legend)
{
    double y1[5] = {1, 2, 3, 4, 5}, y2[5] = {5, 4, 3, 2, 1};
    Chart c;
    chart_init(&c);
    FbErr err = {{0}, 0};
    cr_assert_geq(chart_add_series(&c, "up", NULL, y1, 5, SERIES_LINE, &err), 0);
    int k = chart_add_series(&c, "down", NULL, y2, 5, SERIES_LINE, &err);
    cr_assert_geq(k, 0);
    c.series[k].tag = '7';
    char *s = render_text(&c, 50, 16);
    cr_assert(strstr(s, "7 ━━ down"), "the tag before the legend entry:\n%s", s);
    cr_assert(strstr(s, "  ━━ up"), "an untagged entry keeps its place:\n%s", s);
    /* The last point of "down" (x = 4, y = 1) is the bottom-right cell of the plot: the row above the x axis,
     * the column under the last x tick. */
    const char *axis = strstr(s, "└");
    cr_assert(axis);
    const char *prev_end = axis;
    while (prev_end > s && prev_end[-1] != '\n')
        prev_end--;
    const char *line = prev_end - 1;
    while (line > s && line[-1] != '\n')
        line--;
    char row[256];
    size_t n = (size_t)(prev_end - 1 - line);
    cr_assert_lt(n, sizeof row);
    memcpy(row, line, n);
    row[n] = '\0';
    size_t len = strlen(row);
    cr_assert(len > 0 && row[len - 1] == '7', "the tag on the last point's cell, at the right end: '%s'\n%s", row, s);
    int sevens = 0;
    for (const char *q = s; *q; q++)
        sevens += *q == '7';
    cr_assert_eq(sevens, 2, "the tag twice (legend and curve end), nothing else:\n%s", s);
    free(s);
}
