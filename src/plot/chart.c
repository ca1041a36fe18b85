/* chart.c — charts and heat maps drawn into a character grid: frame layout, Braille canvas, legend (axes: chart_axis.c). */
#include "fitbench/chart.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/strutil.h"

/* ======================================================================
 * Chart description helpers
 * ====================================================================== */

void chart_init(Chart *c)
{
    memset(c, 0, sizeof *c);
}

int chart_add_series(Chart *c, const char *name, const double *x, const double *y, size_t n,
                     SeriesStyle style, FbErr *err)
{
    if (c->nseries < 0 || c->nseries >= CHART_MAX_SERIES)
        return fb_fail(err, "a chart holds at most %d series", CHART_MAX_SERIES);
    Series *s = &c->series[c->nseries];
    memset(s, 0, sizeof *s);
    s->name = name;
    s->x = x;
    s->y = y;
    s->n = n;
    s->style = style;
    return c->nseries++;
}

int chart_add_marker(Chart *c, double x, const char *label, FbErr *err)
{
    if (c->nmarkers < 0 || c->nmarkers >= CHART_MAX_MARKERS)
        return fb_fail(err, "a chart holds at most %d markers", CHART_MAX_MARKERS);
    c->markers[c->nmarkers].x = x;
    c->markers[c->nmarkers].label = label;
    return c->nmarkers++;
}


/* x of point i of s. */
static inline double series_x(const Series *s, size_t i)
{
    if (s->x)
        return s->x[i];
    double dx = s->dx == 0 ? 1 : s->dx;
    return s->x0 + (double)i * dx;
}

static inline bool point_ok(double x, double y, bool logx, bool logy)
{
    return isfinite(x) && isfinite(y) && (!logx || x > 0) && (!logy || y > 0);
}

bool chart_data_range(const Chart *c, double *xlo, double *xhi, double *ylo, double *yhi)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    bool any = false;
    int ns = c->nseries < 0 ? 0 : c->nseries > CHART_MAX_SERIES ? CHART_MAX_SERIES : c->nseries;
    for (int k = 0; k < ns; k++) {
        const Series *s = &c->series[k];
        if (!s->y)
            continue;
        const double *xs = s->x, *ys = s->y;
        const double sx0 = s->x0, sdx = s->dx == 0 ? 1 : s->dx;
        if (s->n > 0 && !xs && !c->logx && !c->logy && sdx > 0 && isfinite(sx0) &&
            isfinite(sx0 + (double)(s->n - 1) * sdx)) {
            /* A history on linear axes: every x is valid, and NaN drops out
             * of the comparisons by itself, so this loop is branch-free;
             * only an infinity sends us to the careful loop below. */
            double a = INFINITY, b = -INFINITY;
            for (size_t i = 0; i < s->n; i++) {
                double y = ys[i];
                a = y < a ? y : a;
                b = y > b ? y : b;
            }
            if (isfinite(a) && isfinite(b)) {
                size_t i0 = 0, i1 = s->n - 1;
                while (isnan(ys[i0]))
                    i0++;
                while (isnan(ys[i1]))
                    i1--;
                any = true;
                x0 = fmin(x0, sx0 + (double)i0 * sdx);
                x1 = fmax(x1, sx0 + (double)i1 * sdx);
                y0 = fmin(y0, a);
                y1 = fmax(y1, b);
                continue;
            }
            if (a == INFINITY && b == -INFINITY)
                continue; /* all NaN */
        }
        for (size_t i = 0; i < s->n; i++) {
            double x = xs ? xs[i] : sx0 + (double)i * sdx, y = ys[i];
            if (!point_ok(x, y, c->logx, c->logy))
                continue;
            any = true;
            if (x < x0)
                x0 = x;
            if (x > x1)
                x1 = x;
            if (y < y0)
                y0 = y;
            if (y > y1)
                y1 = y;
        }
    }
    double dlo = c->logx ? 1 : 0, dhi = c->logx ? 10 : 1;
    if (!any)
        x0 = dlo, x1 = dhi;
    if (c->has_ref && isfinite(c->ref_y) && (!c->logy || c->ref_y > 0)) {
        if (!any)
            y0 = y1 = c->ref_y;
        else {
            if (c->ref_y < y0)
                y0 = c->ref_y;
            if (c->ref_y > y1)
                y1 = c->ref_y;
        }
    } else if (!any) {
        y0 = c->logy ? 1 : 0;
        y1 = c->logy ? 10 : 1;
    }
    if (c->fixed_x)
        x0 = c->xmin, x1 = c->xmax;
    if (c->fixed_y)
        y0 = c->ymin, y1 = c->ymax;
    *xlo = x0, *xhi = x1, *ylo = y0, *yhi = y1;
    return any;
}

/* ======================================================================
 * Frame: rows and columns around the plot area, shared by charts and heat maps
 * ====================================================================== */

typedef struct Frame {
    int header_row;  /* -1 = none */
    int plot_y0, ph; /* plot rows plot_y0 .. plot_y0+ph-1 */
    int axis_row, ticklab_row, xlabel_row; /* xlabel_row -1 = none */
    int axis_col, plot_x0, pw;
    bool dots;       /* ticks map through the Braille dot grid (charts) or cells (heat maps) */
    ChartAxis ax, ay;
    int xcol[CHART_MAX_TICKS]; /* plot-relative cell column of each x tick */
    int yrow[CHART_MAX_TICKS]; /* plot-relative cell row of each y tick */
} Frame;

static bool nonempty(const char *s)
{
    return s && *s;
}

/* floor(v + 0.5) without a libm call; |v| stays far below 2^62 here. */
static inline long rnd(double v)
{
    double t = v + 0.5;
    long c = (long)t;
    return c - (t < (double)c);
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int tick_col(const Frame *f, double a)
{
    double t = chart_axis_frac(a, f->ax.lo, f->ax.hi, 1e9);
    if (f->dots)
        return clampi((int)lround(t * (2 * f->pw - 1)), 0, 2 * f->pw - 1) / 2;
    return clampi((int)floor(t * f->pw), 0, f->pw - 1);
}

static int tick_row(const Frame *f, double a)
{
    double t = chart_axis_frac(a, f->ay.lo, f->ay.hi, 1e9);
    if (f->dots)
        return clampi((int)lround((1 - t) * (4 * f->ph - 1)), 0, 4 * f->ph - 1) / 4;
    return clampi((int)floor((1 - t) * f->ph), 0, f->ph - 1);
}

static int max_label_width(const ChartAxis *a)
{
    int w = 0;
    for (int i = 0; i < a->nticks; i++) {
        int l = (int)strlen(a->labels[i]);
        if (l > w)
            w = l;
    }
    return w;
}

/* Start column of x tick label i, centred under its tick and kept inside the grid. */
static int xlabel_start(const Frame *f, int i, int gw)
{
    int len = (int)strlen(f->ax.labels[i]);
    int s = f->plot_x0 + f->xcol[i] - len / 2;
    return clampi(s, 0, gw - len > 0 ? gw - len : 0);
}

static bool xlabels_fit(const Frame *f, int gw)
{
    int end = -1000;
    for (int i = 0; i < f->ax.nticks; i++) {
        int s = xlabel_start(f, i, gw);
        if (s < end + 2)
            return false;
        end = s + (int)strlen(f->ax.labels[i]);
    }
    return true;
}

/* Lay out rows, the y axis, then columns and the x axis.  Data ranges are
 * raw values.  Returns false when the grid cannot hold a plot. */
static bool frame_layout(Frame *f, int w, int h, bool header, bool xlabel, double xlo, double xhi,
                         double ylo, double yhi, bool logx, bool logy, bool loosex, bool loosey,
                         bool dots)
{
    memset(f, 0, sizeof *f);
    f->dots = dots;
    if (w < CHART_MIN_W || h < CHART_MIN_H)
        return false;
    int row = 0;
    f->header_row = -1;
    if (header && h >= 8)
        f->header_row = row++;
    f->plot_y0 = row;
    int bottom = 2 + ((xlabel && h >= 10) ? 1 : 0);
    f->ph = h - row - bottom;
    f->axis_row = f->plot_y0 + f->ph;
    f->ticklab_row = f->axis_row + 1;
    f->xlabel_row = (xlabel && h >= 10) ? f->ticklab_row + 1 : -1;

    int ky = f->ph / 3;
    ky = ky < 1 ? 1 : ky > 10 ? 10 : ky;
    chart_axis_layout(&f->ay, ylo, yhi, logy, loosey, ky);
    int lw = max_label_width(&f->ay);
    f->axis_col = lw + 1;
    f->plot_x0 = f->axis_col + 1;
    f->pw = w - f->plot_x0 - 1;
    if (f->pw < 4)
        return false;
    for (int i = 0; i < f->ay.nticks; i++)
        f->yrow[i] = tick_row(f, f->ay.ticks[i]);

    int kx = f->pw / 5; /* room for a label of a few characters per interval */
    kx = kx < 1 ? 1 : kx > 12 ? 12 : kx;
    for (; kx >= 1; kx--) {
        chart_axis_layout(&f->ax, xlo, xhi, logx, loosex, kx);
        for (int i = 0; i < f->ax.nticks; i++)
            f->xcol[i] = tick_col(f, f->ax.ticks[i]);
        if (xlabels_fit(f, w))
            break;
    }
    if (kx < 1) { /* nothing fits cleanly: keep the sparsest layout, labels drawn greedily */
        chart_axis_layout(&f->ax, xlo, xhi, logx, loosex, 1);
        for (int i = 0; i < f->ax.nticks; i++)
            f->xcol[i] = tick_col(f, f->ax.ticks[i]);
    }
    return true;
}

/* Axes, tick marks and labels, header and x label. */
static void frame_draw(const Frame *f, Grid *g, const char *title, const char *xlabel,
                       const char *ylabel)
{
    /* y axis */
    for (int r = 0; r < f->ph; r++)
        grid_put(g, f->axis_col, f->plot_y0 + r, 0x2502 /* │ */, GC_AXIS);
    int lastrow = -1;
    for (int i = f->ay.nticks - 1; i >= 0; i--) { /* top (largest) first */
        int r = f->yrow[i];
        if (r == lastrow)
            continue;
        lastrow = r;
        grid_put(g, f->axis_col, f->plot_y0 + r, 0x2524 /* ┤ */, GC_AXIS);
        int len = (int)strlen(f->ay.labels[i]);
        grid_text(g, f->axis_col - 1 - len, f->plot_y0 + r, f->ay.labels[i], GC_LABEL);
    }
    /* x axis */
    grid_put(g, f->axis_col, f->axis_row, 0x2514 /* └ */, GC_AXIS);
    for (int c = 0; c < f->pw; c++)
        grid_put(g, f->plot_x0 + c, f->axis_row, 0x2500 /* ─ */, GC_AXIS);
    int end = -1000;
    for (int i = 0; i < f->ax.nticks; i++) {
        grid_put(g, f->plot_x0 + f->xcol[i], f->axis_row, 0x252C /* ┬ */, GC_AXIS);
        int s = xlabel_start(f, i, g->w);
        if (s < end + 1)
            continue; /* would collide with the previous label */
        end = s + grid_text(g, s, f->ticklab_row, f->ax.labels[i], GC_LABEL);
    }
    /* header: y label on the left, title centred over the plot */
    if (f->header_row >= 0) {
        int yl = 0;
        if (nonempty(ylabel))
            yl = grid_text_clip(g, 0, f->header_row, ylabel, GC_LABEL, g->w);
        if (nonempty(title)) {
            int tw = grid_text_cols(title);
            int s = f->plot_x0 + (f->pw - tw) / 2;
            if (yl > 0 && s < yl + 2)
                s = yl + 2;
            if (s + tw > g->w)
                s = g->w - tw;
            if (yl > 0 && s < yl + 2)
                s = yl + 2;
            if (s < 0)
                s = 0;
            grid_text_clip(g, s, f->header_row, title, GC_TITLE, g->w - s);
        }
    }
    if (f->xlabel_row >= 0 && nonempty(xlabel)) {
        int tw = grid_text_cols(xlabel);
        int s = f->plot_x0 + (f->pw - tw) / 2;
        if (s + tw > g->w)
            s = g->w - tw;
        if (s < 0)
            s = 0;
        grid_text_clip(g, s, f->xlabel_row, xlabel, GC_LABEL, g->w - s);
    }
}

static void too_small(Grid *g)
{
    grid_clear(g);
    if (g->h > 0)
        grid_text_clip(g, 0, 0, "plot too small", GC_LABEL, g->w);
}

/* ======================================================================
 * Braille canvas
 * ====================================================================== */

typedef struct Canvas {
    int dash_on, dash_period; /* the line being drawn: dots dash_on of every dash_period (0: solid) */
    long dash_n;              /* dots walked along it so far */
    int cw, ch;        /* cells */
    int dw, dh;        /* dots: 2·cw × 4·ch */
    uint8_t *mask;     /* (ch, cw) Braille dot bits */
    uint8_t *color;    /* (ch, cw) colour of the last series that touched the cell */
    int *occ;          /* (ch, cw) occupancy cost for placing text */
} Canvas;

static inline void canvas_dot(Canvas *cv, int x, int y, uint8_t color)
{
    if ((unsigned)x >= (unsigned)cv->dw || (unsigned)y >= (unsigned)cv->dh)
        return;
    /* Braille bit for (column x&1, row y&3): dots 1-2-3-7 left, 4-5-6-8 right. */
    static const uint8_t bit[4][2] = {{0x01, 0x08}, {0x02, 0x10}, {0x04, 0x20}, {0x40, 0x80}};
    size_t i = (size_t)(y >> 2) * cv->cw + (x >> 1);
    cv->mask[i] |= bit[y & 3][x & 1];
    cv->color[i] = color;
}

/* Clip segment to the dot box (Liang–Barsky), then Bresenham. */
static void canvas_line(Canvas *cv, double x0, double y0, double x1, double y1, uint8_t color)
{
    double xmin = -0.5, xmax = cv->dw - 0.5, ymin = -0.5, ymax = cv->dh - 0.5;
    double dx = x1 - x0, dy = y1 - y0;
    double t0 = 0, t1 = 1;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {x0 - xmin, xmax - x0, y0 - ymin, ymax - y0};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return;
            continue;
        }
        double r = q[i] / p[i];
        if (p[i] < 0) {
            if (r > t1)
                return;
            if (r > t0)
                t0 = r;
        } else {
            if (r < t0)
                return;
            if (r < t1)
                t1 = r;
        }
    }
    int ax = (int)rnd(x0 + t0 * dx), ay = (int)rnd(y0 + t0 * dy);
    int bx = (int)rnd(x0 + t1 * dx), by = (int)rnd(y0 + t1 * dy);
    int sx = ax < bx ? 1 : -1, sy = ay < by ? 1 : -1;
    int ddx = abs(bx - ax), ddy = -abs(by - ay);
    int e = ddx + ddy;
    for (;;) {
        if (!cv->dash_period || cv->dash_n++ % cv->dash_period < cv->dash_on)
            canvas_dot(cv, ax, ay, color);
        if (ax == bx && ay == by)
            break;
        int e2 = 2 * e;
        if (e2 >= ddy) {
            e += ddy;
            ax += sx;
        }
        if (e2 <= ddx) {
            e += ddx;
            ay += sy;
        }
    }
}

/* Raw value → dot coordinate along one axis (y flipped so row 0 is the top). */
typedef struct DotMap {
    double lo, hi;
    bool log;
    double n1;   /* dots − 1 */
    bool flip;
    bool half;   /* hi − lo overflows: work with halves */
    double k;    /* n1 / (hi − lo), or n1 / (hi/2 − lo/2) when half */
    double lim;  /* far-off points saturate here so clipping stays finite */
} DotMap;

static DotMap dotmap_make(double lo, double hi, bool log, int dots, bool flip)
{
    DotMap m = {lo, hi, log, dots - 1, flip, false, 0, 0};
    m.half = !isfinite(hi - lo);
    m.k = m.half ? m.n1 / (hi * 0.5 - lo * 0.5) : m.n1 / (hi - lo);
    m.lim = 1e9 * (m.n1 > 1 ? m.n1 : 1);
    return m;
}

static inline double dotmap(const DotMap *m, double v)
{
    double a = m->log ? log10(v) : v;
    double t = m->half ? (a * 0.5 - m->lo * 0.5) * m->k : (a - m->lo) * m->k;
    if (!(t > -m->lim))
        t = -m->lim;
    if (!(t < m->lim))
        t = m->lim;
    return m->flip ? m->n1 - t : t;
}

/* A line series being drawn: the pen and the current run, the points that fall in one dot column, drawn as a
 * vertical stroke from their lowest to their highest y and joined to the previous run's end. */
typedef struct LineRun {
    Canvas *cv;
    const DotMap *my;
    uint8_t color;
    bool pen; /* previous run exists and is connected to */
    double pen_x, pen_y;
    bool run;
    long run_col;
    double run_fx0, run_fx1, y_first, y_last, y_min, y_max;
} LineRun;

/* Draw the current run, if any: the join from the pen, the column's extent; the pen moves to its end. */
static void run_flush(LineRun *r)
{
    if (!r->run)
        return;
    double fy0 = dotmap(r->my, r->y_first), fy1 = dotmap(r->my, r->y_last);
    if (r->pen)
        canvas_line(r->cv, r->pen_x, r->pen_y, r->run_fx0, fy0, r->color);
    double a = dotmap(r->my, r->y_min), b = dotmap(r->my, r->y_max);
    canvas_line(r->cv, (double)r->run_col, a, (double)r->run_col, b, r->color);
    r->pen = true;
    r->pen_x = r->run_fx1;
    r->pen_y = fy1;
    r->run = false;
}

/* Point (x at dot fx, in column col; y): extends the run in that column, or draws the run and starts one. */
static void run_add(LineRun *r, long col, double fx, double y)
{
    if (r->run && col == r->run_col) {
        if (y < r->y_min)
            r->y_min = y;
        if (y > r->y_max)
            r->y_max = y;
        r->y_last = y;
        r->run_fx1 = fx;
    } else {
        run_flush(r);
        r->run = true;
        r->run_col = col;
        r->run_fx0 = r->run_fx1 = fx;
        r->y_first = r->y_last = r->y_min = r->y_max = y;
    }
}

/* Evenly spaced increasing x (a history: x = x0 + i·dx) on a linear axis: the dot column only grows with i,
 * so the points after i in column col are an index range found by estimate-and-check, and only y is scanned.
 * Folds them into the run; returns the last index taken (i when none). */
static size_t run_block(LineRun *r, const Series *s, const DotMap *mx, size_t i, long col, double x0, double dx)
{
    const double *ys = s->y;
    const bool logy = r->my->log;
    /* last index j ≥ i still in this column */
    double jest = ((col + 0.5) / mx->k + mx->lo - x0) / dx;
    size_t j = i;
    if (jest > (double)i)
        j = jest >= (double)(s->n - 1) ? s->n - 1 : (size_t)jest;
    while (j > i && rnd(dotmap(mx, x0 + (double)j * dx)) != col)
        j--;
    while (j + 1 < s->n && rnd(dotmap(mx, x0 + (double)(j + 1) * dx)) == col)
        j++;
    size_t t = i + 1;
    for (; t <= j; t++) {
        double v = ys[t];
        if (!isfinite(v) || (logy && !(v > 0)))
            break; /* the general step handles the gap */
        if (v < r->y_min)
            r->y_min = v;
        if (v > r->y_max)
            r->y_max = v;
    }
    if (t > i + 1) {
        r->y_last = ys[t - 1];
        r->run_fx1 = dotmap(mx, x0 + (double)(t - 1) * dx);
    }
    return t - 1;
}

/* One series as a line, decimated: consecutive points that land in the same
 * dot column become one vertical run (their min..max), and runs are joined
 * by lines, which is what drawing every segment would give at this
 * resolution.  y extremes are kept raw and mapped once per run, so a log
 * axis costs two log10 per column, not per point. */
static void draw_line_series(Canvas *cv, const Series *s, const DotMap *mx, const DotMap *my,
                             uint8_t color)
{
    LineRun r = {.cv = cv, .my = my, .color = color};
    const bool logx = mx->log, logy = my->log;
    const double *xs = s->x, *ys = s->y;
    const double x0 = s->x0, dx = s->dx == 0 ? 1 : s->dx;
    /* A history on a linear axis takes the fast path (run_block). */
    const bool blocks = !xs && dx > 0 && !logx && !mx->half && !mx->flip;
    for (size_t i = 0; i < s->n; i++) {
        double x = xs ? xs[i] : x0 + (double)i * dx, y = ys[i];
        if (!point_ok(x, y, logx, logy)) {
            run_flush(&r);
            r.pen = false;
            continue;
        }
        double fx = dotmap(mx, x);
        long col = rnd(fx);
        run_add(&r, col, fx, y);
        if (blocks && i + 1 < s->n)
            i = run_block(&r, s, mx, i, col, x0, dx);
    }
    run_flush(&r);
}

static void draw_point_series(Canvas *cv, const Series *s, const DotMap *mx, const DotMap *my,
                              uint8_t color, bool cross)
{
    for (size_t i = 0; i < s->n; i++) {
        double x = series_x(s, i), y = s->y[i];
        if (!point_ok(x, y, mx->log, my->log))
            continue;
        double fx = dotmap(mx, x), fy = dotmap(my, y);
        if (fx < -0.5 || fx >= cv->dw - 0.5 || fy < -0.5 || fy >= cv->dh - 0.5)
            continue;
        int dx = (int)rnd(fx), dy = (int)rnd(fy);
        canvas_dot(cv, dx, dy, color);
        if (cross) { /* a point of another kind: a cross of five dots */
            canvas_dot(cv, dx - 1, dy, color);
            canvas_dot(cv, dx + 1, dy, color);
            canvas_dot(cv, dx, dy - 1, color);
            canvas_dot(cv, dx, dy + 1, color);
        }
    }
}

/* ======================================================================
 * Text placement inside the plot
 * ====================================================================== */

#define OCC_TEXT 1000 /* cost of covering text already placed: almost never do it */

/* Sum of occupancy over a w×1.. box at plot cell (x, y); INT_MAX-ish when outside. */
static long box_cost(const Canvas *cv, int x, int y, int w, int h)
{
    if (x < 0 || y < 0 || x + w > cv->cw || y + h > cv->ch)
        return -1;
    long c = 0;
    for (int r = y; r < y + h; r++)
        for (int k = x; k < x + w; k++)
            c += cv->occ[(size_t)r * cv->cw + k];
    return c;
}

static void box_claim(Canvas *cv, int x, int y, int w, int h)
{
    for (int r = y; r < y + h; r++)
        for (int k = x; k < x + w; k++)
            if (r >= 0 && k >= 0 && r < cv->ch && k < cv->cw)
                cv->occ[(size_t)r * cv->cw + k] += OCC_TEXT;
}

typedef struct Spot {
    int x, y;
} Spot;

/* The candidate with the least cost (first on ties), or -1 when none fits. */
static int best_spot(const Canvas *cv, const Spot *cand, int n, int w, int h)
{
    int best = -1;
    long bestc = 0;
    for (int i = 0; i < n; i++) {
        long c = box_cost(cv, cand[i].x, cand[i].y, w, h);
        if (c < 0)
            continue;
        if (best < 0 || c < bestc) {
            best = i;
            bestc = c;
        }
    }
    return best;
}

/* ======================================================================
 * chart_render
 * ====================================================================== */

static uint8_t series_color(const Chart *c, int k)
{
    uint8_t col = c->series[k].color;
    return col ? col : (uint8_t)(GC_SERIES1 + k % GC_NSERIES);
}

int chart_check(const Chart *c, const char *who, FbErr *err)
{
    if (!c)
        return fb_fail(err, "%s: no chart", who);
    if (c->nseries < 0 || c->nseries > CHART_MAX_SERIES)
        return fb_fail(err, "%s: %d series (at most %d)", who, c->nseries, CHART_MAX_SERIES);
    if (c->nmarkers < 0 || c->nmarkers > CHART_MAX_MARKERS)
        return fb_fail(err, "%s: %d markers (at most %d)", who, c->nmarkers, CHART_MAX_MARKERS);
    for (int k = 0; k < c->nseries; k++)
        if (c->series[k].n > 0 && !c->series[k].y)
            return fb_fail(err, "%s: series %d has %zu points but no y values", who, k + 1, c->series[k].n);
    if ((c->fixed_x && !(c->xmin < c->xmax)) || (c->fixed_y && !(c->ymin < c->ymax)))
        return fb_fail(err, "%s: a fixed range needs min < max", who);
    if ((c->fixed_x && c->logx && !(c->xmin > 0)) || (c->fixed_y && c->logy && !(c->ymin > 0)))
        return fb_fail(err, "%s: a fixed log range needs min > 0", who);
    return 0;
}

/* One chart being drawn: the frame, the Braille canvas of the data, and the
 * overlay of reference line and marker lines (drawn where there is no data). */
typedef struct Plot {
    Frame f;
    Canvas cv;
    DotMap mx, my;
    uint32_t *over;    /* (ph, pw) overlay code points, 0 = none */
    uint8_t *overc;    /* (ph, pw) their colours */
    int ref_row;       /* plot row of the reference line, -1 = none */
    int mcol[CHART_MAX_MARKERS]; /* plot column of each marker, -1 = off the plot */
} Plot;

/* Fails (-1, err filled) on out of memory, with nothing left allocated. */
static int plot_alloc(Plot *p, FbErr *err)
{
    size_t ncell = (size_t)p->f.pw * (size_t)p->f.ph;
    p->cv = (Canvas){.cw = p->f.pw, .ch = p->f.ph, .dw = 2 * p->f.pw, .dh = 4 * p->f.ph};
    p->cv.mask = fb_calloc(ncell, 1, "a plot canvas", err);
    p->cv.color = fb_calloc(ncell, 1, "a plot canvas", err);
    p->cv.occ = fb_calloc(ncell, sizeof *p->cv.occ, "a plot canvas", err);
    p->over = fb_calloc(ncell, sizeof *p->over, "a plot canvas", err);
    p->overc = fb_calloc(ncell, 1, "a plot canvas", err);
    if (p->cv.mask && p->cv.color && p->cv.occ && p->over && p->overc)
        return 0;
    free(p->cv.mask), free(p->cv.color), free(p->cv.occ), free(p->over), free(p->overc);
    return -1;
}

static void plot_free(Plot *p)
{
    free(p->cv.mask), free(p->cv.color), free(p->cv.occ), free(p->over), free(p->overc);
}

/* Every series onto the canvas; the cells they touch become occupied for text. */
static void plot_series(const Chart *c, Plot *p)
{
    for (int k = 0; k < c->nseries; k++) {
        const Series *s = &c->series[k];
        if (s->n == 0)
            continue;
        p->cv.dash_n = 0;
        static const int on[6] = {0, 0, 3, 1, 6, 0}, period[6] = {0, 0, 6, 3, 8, 0};
        int st = s->style >= 0 && s->style < 6 ? (int)s->style : 0;
        p->cv.dash_on = on[st];
        p->cv.dash_period = period[st];
        if (s->style == SERIES_POINTS || s->style == SERIES_CROSSES)
            draw_point_series(&p->cv, s, &p->mx, &p->my, series_color(c, k), s->style == SERIES_CROSSES);
        else
            draw_line_series(&p->cv, s, &p->mx, &p->my, series_color(c, k));
    }
    p->cv.dash_period = 0;
    size_t ncell = (size_t)p->f.pw * (size_t)p->f.ph;
    for (size_t i = 0; i < ncell; i++)
        p->cv.occ[i] = p->cv.mask[i] ? 1 : 0;
}

/* The reference line (╌) and the marker lines (╎) into the overlay. */
static void plot_rules(const Chart *c, Plot *p)
{
    const Frame *f = &p->f;
    p->ref_row = -1;
    if (c->has_ref && isfinite(c->ref_y) && (!c->logy || c->ref_y > 0)) {
        double fy = dotmap(&p->my, c->ref_y);
        if (fy >= -0.5 && fy < p->cv.dh - 0.5) {
            p->ref_row = (int)rnd(fy) / 4;
            for (int x = 0; x < f->pw; x++) {
                p->over[(size_t)p->ref_row * f->pw + x] = 0x254C; /* ╌ */
                p->overc[(size_t)p->ref_row * f->pw + x] = GC_REF;
            }
        }
    }
    for (int m = 0; m < c->nmarkers; m++) {
        p->mcol[m] = -1;
        double x = c->markers[m].x;
        if (!isfinite(x) || (c->logx && !(x > 0)))
            continue;
        double fx = dotmap(&p->mx, x);
        if (fx < -0.5 || fx >= p->cv.dw - 0.5)
            continue;
        p->mcol[m] = (int)rnd(fx) / 2;
        for (int y = 0; y < f->ph; y++) {
            p->over[(size_t)y * f->pw + p->mcol[m]] = 0x254E; /* ╎ */
            p->overc[(size_t)y * f->pw + p->mcol[m]] = GC_MARKER;
        }
    }
}

/* Data wins over the overlay, cell by cell. */
static void plot_composite(const Plot *p, Grid *g)
{
    const Frame *f = &p->f;
    for (int y = 0; y < f->ph; y++)
        for (int x = 0; x < f->pw; x++) {
            size_t i = (size_t)y * f->pw + x;
            if (p->cv.mask[i])
                grid_put(g, f->plot_x0 + x, f->plot_y0 + y, 0x2800u + p->cv.mask[i], p->cv.color[i]);
            else if (p->over[i])
                grid_put(g, f->plot_x0 + x, f->plot_y0 + y, p->over[i], p->overc[i]);
        }
}

uint32_t chart_style_glyph(SeriesStyle st)
{
    switch (st) {
    case SERIES_POINTS: return 0x2022; /* • */
    case SERIES_DASHED: return 0x254D; /* ╍ */
    case SERIES_DOTTED: return 0x2509; /* ┉ */
    case SERIES_LONGDASH: return 0x2505; /* ┅ */
    case SERIES_CROSSES: return '+';
    default: return 0x2501;            /* ━ */
    }
}

/* Is (col, row) one of the n cells in at[]? */
static bool cell_taken(const Spot *at, int n, int col, int row)
{
    for (int i = 0; i < n; i++)
        if (at[i].x == col && at[i].y == row)
            return true;
    return false;
}

/* Each tagged series' tag over the cell of its last point inside the plot (drawn after the data); when an
 * earlier tag has that cell, the nearest free cell of the same column (above, below, then further). */
static void plot_tags(const Chart *c, Plot *p, Grid *g)
{
    Spot at[CHART_MAX_SERIES];
    int nat = 0;
    for (int k = 0; k < c->nseries; k++) {
        const Series *s = &c->series[k];
        size_t i = s->n;
        while (s->tag && i > 0 && !point_ok(series_x(s, i - 1), s->y[i - 1], c->logx, c->logy))
            i--;
        if (!s->tag || i == 0)
            continue;
        double fx = dotmap(&p->mx, series_x(s, i - 1)), fy = dotmap(&p->my, s->y[i - 1]);
        if (fx < -0.5 || fx >= p->cv.dw - 0.5 || fy < -0.5 || fy >= p->cv.dh - 0.5)
            continue; /* clipped away (a fixed range) */
        int col = (int)rnd(fx) / 2, row = (int)rnd(fy) / 4, r = row;
        for (int d = 1; (r < 0 || r >= p->f.ph || cell_taken(at, nat, col, r)) && d <= 2 * p->f.ph; d++)
            r = row + (d % 2 ? -(d + 1) / 2 : d / 2);
        if (r < 0 || r >= p->f.ph || cell_taken(at, nat, col, r))
            continue;
        at[nat++] = (Spot){col, r};
        grid_put(g, p->f.plot_x0 + col, p->f.plot_y0 + r, s->tag, series_color(c, k));
    }
}

/* Legend: one row per named series, in the corner that hides the least data. */
static void plot_legend(const Chart *c, Plot *p, Grid *g)
{
    const Frame *f = &p->f;
    int nleg = 0, namew = 0, tagw = 0;
    for (int k = 0; k < c->nseries; k++)
        if (nonempty(c->series[k].name)) {
            nleg++;
            int l = grid_text_cols(c->series[k].name);
            if (l > namew)
                namew = l;
            if (c->series[k].tag)
                tagw = 2; /* "3 ━━ name" */
        }
    if (nleg == 0 || nleg > f->ph)
        return;
    if (namew > f->pw - 4 - tagw)
        namew = f->pw - 4 - tagw;
    int lw = namew + 4 + tagw; /* " ━━ name" or "━━ name " */
    if (namew <= 0)
        return;
    Spot cand[4] = {{f->pw - lw, 0}, {0, 0}, {f->pw - lw, f->ph - nleg}, {0, f->ph - nleg}};
    int b = best_spot(&p->cv, cand, 4, lw, nleg);
    if (b < 0)
        return;
    bool right = cand[b].x > 0;
    int r = cand[b].y;
    for (int k = 0; k < c->nseries; k++) {
        const Series *s = &c->series[k];
        if (!nonempty(s->name))
            continue;
        int x = f->plot_x0 + cand[b].x, y = f->plot_y0 + r;
        for (int j = 0; j < lw; j++)
            grid_put(g, x + j, y, ' ', 0);
        if (right)
            x++;
        uint8_t sc = series_color(c, k);
        if (tagw) {
            grid_put(g, x, y, s->tag ? s->tag : ' ', sc);
            x += tagw;
        }
        uint32_t gl = chart_style_glyph(s->style);
        bool pts = s->style == SERIES_POINTS || s->style == SERIES_CROSSES;
        grid_put(g, x, y, pts ? ' ' : gl, sc);
        grid_put(g, x + 1, y, gl, sc);
        grid_text_clip(g, x + 3, y, s->name, GC_LABEL, namew);
        r++;
    }
    box_claim(&p->cv, cand[b].x, cand[b].y, lw, nleg);
}

/* Text at the first free spot of cand (plot-relative), claimed so later labels avoid it. */
static void plot_label(Plot *p, Grid *g, const Spot *cand, int nc, const char *text, int lw, uint8_t color)
{
    int b = best_spot(&p->cv, cand, nc, lw, 1);
    if (b < 0)
        return;
    grid_text_clip(g, p->f.plot_x0 + cand[b].x, p->f.plot_y0 + cand[b].y, text, color, lw);
    box_claim(&p->cv, cand[b].x, cand[b].y, lw, 1);
}

/* The reference line's label above or below it, at its right or left end; each
 * marker's label next to its line, as high as possible. */
static void plot_rule_labels(const Chart *c, Plot *p, Grid *g)
{
    const Frame *f = &p->f;
    if (p->ref_row >= 0) {
        char buf[64];
        const char *label = c->ref_label ? c->ref_label : fb_fmt(buf, sizeof buf, c->ref_y, 6);
        int lw = grid_text_cols(label);
        if (lw > f->pw - 2)
            lw = f->pw - 2;
        int rx = f->pw - lw - 1, rr = p->ref_row;
        Spot cand[6] = {{rx, rr - 1}, {rx, rr + 1}, {1, rr - 1}, {1, rr + 1}, {rx, rr}, {1, rr}};
        if (lw > 0)
            plot_label(p, g, cand, 6, label, lw, GC_REF);
    }
    for (int m = 0; m < c->nmarkers; m++) {
        if (p->mcol[m] < 0 || !nonempty(c->markers[m].label))
            continue;
        int lw = grid_text_cols(c->markers[m].label);
        if (lw > f->pw - 1)
            lw = f->pw - 1;
        Spot cand[8];
        int nc = 0;
        for (int r = 0; r < f->ph && r < 4; r++) {
            cand[nc++] = (Spot){p->mcol[m] + 1, r};
            cand[nc++] = (Spot){p->mcol[m] - lw, r};
        }
        plot_label(p, g, cand, nc, c->markers[m].label, lw, GC_MARKER);
    }
}

int chart_render(const Chart *c, Grid *g, FbErr *err)
{
    if (!g)
        return fb_fail(err, "chart_render: no grid");
    if (chart_check(c, "chart_render", err))
        return -1;
    grid_clear(g);
    double xlo, xhi, ylo, yhi;
    bool any = chart_data_range(c, &xlo, &xhi, &ylo, &yhi);
    Plot p;
    bool header = nonempty(c->title) || nonempty(c->ylabel);
    /* x: exact data extent (log: decades); y: rounded out to ticks; fixed: as given. */
    if (!frame_layout(&p.f, g->w, g->h, header, nonempty(c->xlabel), xlo, xhi, ylo, yhi, c->logx, c->logy,
                      c->logx && !c->fixed_x, !c->fixed_y, true)) {
        too_small(g);
        return 0;
    }
    if (plot_alloc(&p, err))
        return -1;
    p.mx = dotmap_make(p.f.ax.lo, p.f.ax.hi, c->logx, p.cv.dw, false);
    p.my = dotmap_make(p.f.ay.lo, p.f.ay.hi, c->logy, p.cv.dh, true);
    plot_series(c, &p);
    plot_rules(c, &p);
    plot_composite(&p, g);
    plot_tags(c, &p, g);
    frame_draw(&p.f, g, c->title, c->xlabel, c->ylabel);
    plot_legend(c, &p, g);
    plot_rule_labels(c, &p, g);
    if (!any) {
        const char *msg = "no data yet";
        int lw = (int)strlen(msg) < p.f.pw ? (int)strlen(msg) : p.f.pw;
        grid_text_clip(g, p.f.plot_x0 + (p.f.pw - lw) / 2, p.f.plot_y0 + (p.f.ph - 1) / 2, msg, GC_LABEL, lw);
    }
    plot_free(&p);
    return 0;
}

/* ======================================================================
 * Heat maps
 * ====================================================================== */

static bool heat_frame(const HeatChart *hc, const Grid *g, Frame *f)
{
    return frame_layout(f, g->w, g->h, nonempty(hc->title) || nonempty(hc->ylabel),
                        nonempty(hc->xlabel), hc->xmin, hc->xmax, hc->ymin, hc->ymax, false, false,
                        false, false, false);
}

void chart_heat_size(const HeatChart *hc, const Grid *g, int *nx, int *ny)
{
    Frame f;
    if (!heat_frame(hc, g, &f)) {
        *nx = *ny = 0;
        return;
    }
    *nx = f.pw;
    *ny = 2 * f.ph;
}

void chart_heat_coords(const HeatChart *hc, int nx, int ny, double *xs, double *ys)
{
    for (int i = 0; i < nx; i++)
        xs[i] = hc->xmin + (i + 0.5) * (hc->xmax - hc->xmin) / nx;
    for (int j = 0; j < ny; j++)
        ys[j] = hc->ymax - (j + 0.5) * (hc->ymax - hc->ymin) / ny;
}

uint8_t chart_heat_level(double v, double lo, double hi)
{
    if (isnan(v))
        return GC_DEFAULT;
    if (!(hi > lo))
        return GC_HEAT0;
    double t = (v - lo) / (hi - lo);
    int k = (int)floor(t * GC_NHEAT);
    return (uint8_t)(GC_HEAT0 + clampi(k, 0, GC_NHEAT - 1));
}

int chart_heat_render(const HeatChart *hc, Grid *g, FbErr *err)
{
    if (!hc || !g)
        return fb_fail(err, "chart_heat_render: no chart or grid");
    if (hc->nx < 0 || hc->ny < 0 || ((size_t)hc->nx * (size_t)hc->ny > 0 && !hc->samples))
        return fb_fail(err, "chart_heat_render: %d x %d samples but no sample array", hc->nx,
                       hc->ny);
    if (!isfinite(hc->xmin) || !isfinite(hc->xmax) || !isfinite(hc->ymin) ||
        !isfinite(hc->ymax) || !(hc->xmin < hc->xmax) || !(hc->ymin < hc->ymax))
        return fb_fail(err, "chart_heat_render: the ranges need finite min < max");
    if (hc->npoints > 0 && (!hc->px || !hc->py))
        return fb_fail(err, "chart_heat_render: %zu points but no coordinates", hc->npoints);
    grid_clear(g);
    Frame f;
    if (!heat_frame(hc, g, &f)) {
        too_small(g);
        return 0;
    }
    /* Nearest sample for each half cell: sample rows 2·ph per plot, columns pw. */
    if (hc->nx > 0 && hc->ny > 0) {
        for (int y = 0; y < f.ph; y++)
            for (int x = 0; x < f.pw; x++) {
                int i = (int)((x + 0.5) * hc->nx / f.pw);
                int jt = (int)((2 * y + 0.5) * hc->ny / (2.0 * f.ph));
                int jb = (int)((2 * y + 1.5) * hc->ny / (2.0 * f.ph));
                i = clampi(i, 0, hc->nx - 1);
                jt = clampi(jt, 0, hc->ny - 1);
                jb = clampi(jb, 0, hc->ny - 1);
                GridCell *cell = &g->cells[(size_t)(f.plot_y0 + y) * g->w + f.plot_x0 + x];
                cell->ch = 0x2580; /* ▀: fg paints the upper half, bg the lower */
                cell->fg = hc->samples[(size_t)jt * hc->nx + i];
                cell->bg = hc->samples[(size_t)jb * hc->nx + i];
                if (hc->shade) { /* one character: the denser of the two levels */
                    int l = (cell->fg > cell->bg ? cell->fg : cell->bg) - GC_HEAT0;
                    cell->ch = l >= 0 && l < GC_NHEAT ? hc->shade[l] : ' ';
                    cell->fg = l >= 0 && l < GC_NHEAT ? (uint8_t)(GC_HEAT0 + l) : GC_DEFAULT;
                    cell->bg = GC_DEFAULT;
                }
            }
    }
    for (size_t p = 0; p < hc->npoints; p++) {
        double x = hc->px[p], y = hc->py[p];
        if (!isfinite(x) || !isfinite(y))
            continue;
        double tx = (x - hc->xmin) / (hc->xmax - hc->xmin);
        double ty = (hc->ymax - y) / (hc->ymax - hc->ymin);
        if (!(tx >= 0 && tx <= 1 && ty >= 0 && ty <= 1))
            continue;
        int cx = clampi((int)floor(tx * f.pw), 0, f.pw - 1);
        int half = clampi((int)floor(ty * 2 * f.ph), 0, 2 * f.ph - 1);
        GridCell *cell = &g->cells[(size_t)(f.plot_y0 + half / 2) * g->w + f.plot_x0 + cx];
        /* Keep the background of the half the point falls in. */
        uint8_t bg = cell->ch == 0x2580 ? ((half & 1) ? cell->bg : cell->fg) : cell->bg;
        cell->ch = hc->pglyph && hc->pglyph[p] ? hc->pglyph[p] : 0x25CF; /* ● */
        cell->fg = hc->pcolor ? hc->pcolor[p] : GC_DEFAULT;
        cell->bg = bg;
    }
    frame_draw(&f, g, hc->title, hc->xlabel, hc->ylabel);
    return 0;
}
