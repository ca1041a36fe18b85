/* svg.c — charts as standalone SVG: layout in pixels, polylines per series, legend, XML escaping. */
#include "fitbench/svg.h"
#include "svg_internal.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/fileio.h"
#include "fitbench/strbuf.h"
#include "fitbench/strutil.h"

/* ---- the document: a growing string (strbuf.h) with numbers and XML text -------- */

void sb_num(StrBuf *sb, double v)
{
    char tmp[32];
    if (v == 0)
        v = 0; /* no "-0" */
    strbuf_puts(sb, fb_fmt(tmp, sizeof tmp, v, 6));
}

/* XML text: escapes & < > " ', drops characters XML 1.0 forbids and
 * replaces invalid UTF-8 by U+FFFD. */
void sb_xml(StrBuf *sb, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    while (*p) {
        unsigned c = *p;
        if (c < 0x80) {
            switch (c) {
            case '&': strbuf_puts(sb, "&amp;"); break;
            case '<': strbuf_puts(sb, "&lt;"); break;
            case '>': strbuf_puts(sb, "&gt;"); break;
            case '"': strbuf_puts(sb, "&quot;"); break;
            case '\'': strbuf_puts(sb, "&apos;"); break;
            default:
                if (c >= 0x20 || c == '\t')
                    strbuf_put(sb, (const char *)p, 1);
                else
                    strbuf_puts(sb, "?");
            }
            p++;
            continue;
        }
        int len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = len > 0;
        for (int i = 1; ok && i < len; i++)
            ok = (p[i] & 0xC0) == 0x80;
        if (ok) {
            unsigned cp = c & (len == 2 ? 0x1F : len == 3 ? 0x0F : 0x07);
            for (int i = 1; i < len; i++)
                cp = (cp << 6) | (p[i] & 0x3F);
            static const unsigned min[5] = {0, 0, 0x80, 0x800, 0x10000};
            ok = cp >= min[len] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) &&
                 cp != 0xFFFE && cp != 0xFFFF;
        }
        if (ok) {
            strbuf_put(sb, (const char *)p, (size_t)len);
            p += len;
        } else {
            strbuf_puts(sb, "\xEF\xBF\xBD");
            p++;
        }
    }
}

/* ---- colours ---------------------------------------------------------------- */

static const char *svg_color(uint8_t c)
{
    /* The matplotlib "tab10" colours: familiar from Python plots. */
    static const char *series[GC_NSERIES] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                             "#9467bd", "#17becf", "#e377c2", "#7f7f7f"};
    if (c >= GC_SERIES1 && c < GC_SERIES1 + GC_NSERIES)
        return series[c - GC_SERIES1];
    switch (c) {
    case GC_REF: return "#b8860b";
    case GC_MARKER: return "#8b5a8b";
    default: return "#333333";
    }
}

/* The dash pattern of a line style, as an attribute ("" for solid lines). */
static const char *svg_dash(SeriesStyle st)
{
    return st == SERIES_DASHED     ? " stroke-dasharray=\"7 4\""
           : st == SERIES_DOTTED   ? " stroke-dasharray=\"2 3\""
           : st == SERIES_LONGDASH ? " stroke-dasharray=\"14 4\""
                                   : "";
}

/* ---- geometry ------------------------------------------------------------- */

typedef struct Box {
    double x0, y0, w, h; /* plot area in pixels */
    ChartAxis ax, ay;
} Box;

/* Far-off points (fixed ranges) are clamped; the clip path hides them. */
static double frac(double a, double lo, double hi) { return chart_axis_frac(a, lo, hi, 1e4); }

static double px_x(const Box *b, double raw)
{
    double a = b->ax.log ? log10(raw) : raw;
    return b->x0 + frac(a, b->ax.lo, b->ax.hi) * b->w;
}

static double px_y(const Box *b, double raw)
{
    double a = b->ay.log ? log10(raw) : raw;
    return b->y0 + (1 - frac(a, b->ay.lo, b->ay.hi)) * b->h;
}

static inline double sx(const Series *s, size_t i)
{
    if (s->x)
        return s->x[i];
    return s->x0 + (double)i * (s->dx == 0 ? 1 : s->dx);
}

static inline bool ok_point(double x, double y, const Box *b)
{
    return isfinite(x) && isfinite(y) && (!b->ax.log || x > 0) && (!b->ay.log || y > 0);
}

/* ---- series ----------------------------------------------------------------- */

typedef struct Pt {
    double x, y;
} Pt;

/* Emit a point of the current polyline, opening the element when needed. */
static void poly_point(StrBuf *sb, bool *open, const char *color, double x, double y, Pt *last,
                       size_t *count)
{
    if (*open && last->x == x && last->y == y)
        return;
    if (!*open) {
        strbuf_printf(sb, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
                      "stroke-linejoin=\"round\" points=\"", color);
        *open = true;
    } else {
        strbuf_puts(sb, " ");
    }
    sb_num(sb, x);
    strbuf_puts(sb, ",");
    sb_num(sb, y);
    *last = (Pt){x, y};
    (*count)++;
}

/* End the current polyline; a piece of one point gets a dot so it shows. */
static void poly_close(StrBuf *sb, bool *open, const char *color, const Pt *last, size_t *count)
{
    if (*open) {
        strbuf_puts(sb, "\"/>\n");
        if (*count == 1) {
            strbuf_printf(sb, "<circle fill=\"%s\" r=\"2\" cx=\"", color);
            sb_num(sb, last->x);
            strbuf_puts(sb, "\" cy=\"");
            sb_num(sb, last->y);
            strbuf_puts(sb, "\"/>\n");
        }
    }
    *open = false;
    *count = 0;
}

/* A line series: pieces between invalid points, thinned per pixel column to
 * first / min / max / last (min and max in the order they occurred). */
static void svg_line(StrBuf *sb, const Series *s, const Box *b, const char *color)
{
    bool open = false, run = false;
    Pt last = {0, 0};
    size_t count = 0;
    long col = 0;
    Pt first = {0, 0}, lo = {0, 0}, hi = {0, 0}, end = {0, 0};
    size_t ilo = 0, ihi = 0;

#define FLUSH()                                                                      \
    do {                                                                             \
        if (run) {                                                                   \
            poly_point(sb, &open, color, first.x, first.y, &last, &count);           \
            Pt a = ilo <= ihi ? lo : hi, c2 = ilo <= ihi ? hi : lo;                  \
            poly_point(sb, &open, color, a.x, a.y, &last, &count);                   \
            poly_point(sb, &open, color, c2.x, c2.y, &last, &count);                 \
            poly_point(sb, &open, color, end.x, end.y, &last, &count);               \
            run = false;                                                             \
        }                                                                            \
    } while (0)

    for (size_t i = 0; i < s->n; i++) {
        double x = sx(s, i), y = s->y[i];
        if (!ok_point(x, y, b)) {
            FLUSH();
            poly_close(sb, &open, color, &last, &count);
            continue;
        }
        Pt p = {px_x(b, x), px_y(b, y)};
        long c = lround(p.x);
        if (run && c == col) {
            if (p.y < lo.y)
                lo = p, ilo = i;
            if (p.y > hi.y)
                hi = p, ihi = i;
            end = p;
            continue;
        }
        FLUSH();
        run = true;
        col = c;
        first = lo = hi = end = p;
        ilo = ihi = i;
    }
    FLUSH();
    poly_close(sb, &open, color, &last, &count);
#undef FLUSH
}

static void svg_points(StrBuf *sb, const Series *s, const Box *b, const char *color)
{
    strbuf_printf(sb, "<g fill=\"%s\">\n", color);
    for (size_t i = 0; i < s->n; i++) {
        double x = sx(s, i), y = s->y[i];
        if (!ok_point(x, y, b))
            continue;
        strbuf_puts(sb, "<circle cx=\"");
        sb_num(sb, px_x(b, x));
        strbuf_puts(sb, "\" cy=\"");
        sb_num(sb, px_y(b, y));
        strbuf_puts(sb, "\" r=\"2.5\"/>\n");
    }
    strbuf_puts(sb, "</g>\n");
}

/* Data points of all series inside a pixel rectangle (for the legend corner). */
static size_t points_in(const Chart *c, const Box *b, double x0, double y0, double w, double h)
{
    size_t n = 0;
    for (int k = 0; k < c->nseries; k++) {
        const Series *s = &c->series[k];
        size_t stride = s->n > 20000 ? s->n / 20000 : 1; /* a sample is enough to compare corners */
        for (size_t i = 0; i < s->n; i += stride) {
            double x = sx(s, i), y = s->y[i];
            if (!ok_point(x, y, b))
                continue;
            double px = px_x(b, x), py = px_y(b, y);
            if (px >= x0 && px <= x0 + w && py >= y0 && py <= y0 + h)
                n++;
        }
    }
    return n;
}

static uint8_t scolor(const Chart *c, int k)
{
    return c->series[k].color ? c->series[k].color : (uint8_t)(GC_SERIES1 + k % GC_NSERIES);
}

/* Rough text width in pixels for a 12 px sans-serif font. */
static double text_w(const char *s)
{
    size_t n = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n++;
    return 7.0 * (double)n;
}

static void line_el(StrBuf *sb, double x1, double y1, double x2, double y2)
{
    strbuf_puts(sb, "<line x1=\"");
    sb_num(sb, x1);
    strbuf_puts(sb, "\" y1=\"");
    sb_num(sb, y1);
    strbuf_puts(sb, "\" x2=\"");
    sb_num(sb, x2);
    strbuf_puts(sb, "\" y2=\"");
    sb_num(sb, y2);
    strbuf_puts(sb, "\"/>\n");
}

void text_el(StrBuf *sb, double x, double y, const char *anchor, const char *extra, const char *text)
{
    strbuf_puts(sb, "<text x=\"");
    sb_num(sb, x);
    strbuf_puts(sb, "\" y=\"");
    sb_num(sb, y);
    strbuf_printf(sb, "\" text-anchor=\"%s\"%s>", anchor, extra);
    sb_xml(sb, text);
    strbuf_puts(sb, "</text>\n");
}

static bool has(const char *s)
{
    return s && *s;
}

/* The document's opening: XML declaration, the <svg> element, the title, a white page. */
void sb_open(StrBuf *sb, int W, int H, const char *title)
{
    strbuf_puts(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    strbuf_printf(sb,
              "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
              "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"DejaVu Sans, Arial, "
              "sans-serif\" font-size=\"12\">\n",
              W, H, W, H);
    if (has(title)) {
        strbuf_puts(sb, "<title>");
        sb_xml(sb, title);
        strbuf_puts(sb, "</title>\n");
    }
    strbuf_printf(sb, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", W, H);
}

/* Hand the finished document to the caller, or report that growing it failed. */
int sb_finish(StrBuf *sb, char **out, size_t *len, FbErr *err)
{
    if (sb->oom) {
        free(sb->buf);
        return fb_oom(err, "an SVG picture", sb->cap * 2);
    }
    *out = sb->buf;
    if (len)
        *len = sb->len;
    return 0;
}

/* Write a rendered document (rc from the renderer) atomically and free it. */
int write_rendered(int rc, char *svg, size_t len, const char *path, FbErr *err)
{
    if (rc != 0)
        return -1;
    rc = atomic_write_file(path, svg, len, err);
    free(svg);
    return rc;
}

/* The plot box of a W×H picture with the given title and axis labels, and its axes over the given ranges
 * (round: widen the range out to ticks): y ticks as the height allows, then as many x ticks as fit with
 * their labels apart. */
static void box_layout(Box *b, int W, int H, const char *title, const char *xlabel, const char *ylabel,
                       double xlo, double xhi, double ylo, double yhi, bool logx, bool logy, bool roundx,
                       bool roundy)
{
    double top = has(title) ? 40 : 16;
    double bottom = 32 + (has(xlabel) ? 20 : 0);
    double right = 20;
    int ky = (int)((H - top - bottom) / 45);
    chart_axis_layout(&b->ay, ylo, yhi, logy, roundy, ky < 1 ? 1 : ky);
    double lw = 0;
    for (int i = 0; i < b->ay.nticks; i++)
        if (text_w(b->ay.labels[i]) > lw)
            lw = text_w(b->ay.labels[i]);
    double left = lw + 14 + (has(ylabel) ? 22 : 0);
    b->x0 = left;
    b->y0 = top;
    b->w = W - left - right;
    b->h = H - top - bottom;
    for (int kx = (int)(b->w / 60); ; kx--) {
        chart_axis_layout(&b->ax, xlo, xhi, logx, roundx, kx < 1 ? 1 : kx);
        double maxw = 0;
        for (int i = 0; i < b->ax.nticks; i++)
            if (text_w(b->ax.labels[i]) > maxw)
                maxw = text_w(b->ax.labels[i]);
        if (kx <= 1 || b->ax.nticks < 2 ||
            (b->ax.hi > b->ax.lo && b->ax.step / (b->ax.hi - b->ax.lo) * b->w >= maxw + 12))
            break;
    }
}

/* Axis lines, tick marks and labels, title and axis labels of box b in a picture H pixels high. */
static void box_axes(StrBuf *sb, const Box *b, int H, const char *title, const char *xlabel, const char *ylabel)
{
    double xs[CHART_MAX_TICKS], ys[CHART_MAX_TICKS];
    for (int i = 0; i < b->ax.nticks; i++)
        xs[i] = b->x0 + frac(b->ax.ticks[i], b->ax.lo, b->ax.hi) * b->w;
    for (int i = 0; i < b->ay.nticks; i++)
        ys[i] = b->y0 + (1 - frac(b->ay.ticks[i], b->ay.lo, b->ay.hi)) * b->h;
    strbuf_puts(sb, "<g stroke=\"#444444\" stroke-width=\"1\">\n");
    line_el(sb, b->x0, b->y0, b->x0, b->y0 + b->h);
    line_el(sb, b->x0, b->y0 + b->h, b->x0 + b->w, b->y0 + b->h);
    for (int i = 0; i < b->ax.nticks; i++)
        line_el(sb, xs[i], b->y0 + b->h, xs[i], b->y0 + b->h + 5);
    for (int i = 0; i < b->ay.nticks; i++)
        line_el(sb, b->x0 - 5, ys[i], b->x0, ys[i]);
    strbuf_puts(sb, "</g>\n<g fill=\"#333333\">\n");
    for (int i = 0; i < b->ax.nticks; i++)
        text_el(sb, xs[i], b->y0 + b->h + 18, "middle", "", b->ax.labels[i]);
    for (int i = 0; i < b->ay.nticks; i++)
        text_el(sb, b->x0 - 8, ys[i] + 4, "end", "", b->ay.labels[i]);
    if (has(title))
        text_el(sb, b->x0 + b->w / 2, 24, "middle", " font-size=\"15\" font-weight=\"bold\"", title);
    if (has(xlabel))
        text_el(sb, b->x0 + b->w / 2, H - 8, "middle", "", xlabel);
    if (has(ylabel)) {
        char tr[96], n1[32], n2[32];
        snprintf(tr, sizeof tr, " transform=\"rotate(-90 %s %s)\"", fb_fmt(n1, sizeof n1, 16.0, 6),
                 fb_fmt(n2, sizeof n2, b->y0 + b->h / 2, 6));
        text_el(sb, 16, b->y0 + b->h / 2, "middle", tr, ylabel);
    }
    strbuf_puts(sb, "</g>\n");
}

/* The clip path of the plot area, gridlines, then the axes (box_axes). */
static void chart_frame(StrBuf *sb, const Chart *c, const Box *b, int H)
{
    strbuf_puts(sb, "<defs><clipPath id=\"plotarea\"><rect x=\"");
    sb_num(sb, b->x0);
    strbuf_puts(sb, "\" y=\"");
    sb_num(sb, b->y0);
    strbuf_puts(sb, "\" width=\"");
    sb_num(sb, b->w);
    strbuf_puts(sb, "\" height=\"");
    sb_num(sb, b->h);
    strbuf_puts(sb, "\"/></clipPath></defs>\n");
    strbuf_puts(sb, "<g stroke=\"#e6e6e6\" stroke-width=\"1\">\n");
    for (int i = 0; i < b->ax.nticks; i++) {
        double x = b->x0 + frac(b->ax.ticks[i], b->ax.lo, b->ax.hi) * b->w;
        line_el(sb, x, b->y0, x, b->y0 + b->h);
    }
    for (int i = 0; i < b->ay.nticks; i++) {
        double y = b->y0 + (1 - frac(b->ay.ticks[i], b->ay.lo, b->ay.hi)) * b->h;
        line_el(sb, b->x0, y, b->x0 + b->w, y);
    }
    strbuf_puts(sb, "</g>\n");
    box_axes(sb, b, H, c->title, c->xlabel, c->ylabel);
}

/* Is the chart's reference line drawn, and where (px)? */
static bool ref_line(const Chart *c, const Box *b, double *px)
{
    bool ref = c->has_ref && isfinite(c->ref_y) && (!c->logy || c->ref_y > 0);
    *px = ref ? px_y(b, c->ref_y) : 0;
    return ref;
}

/* Data, reference line and marker lines, clipped to the plot area. */
static void chart_data(StrBuf *sb, const Chart *c, const Box *b)
{
    strbuf_puts(sb, "<g clip-path=\"url(#plotarea)\">\n");
    double ref_px;
    if (ref_line(c, b, &ref_px)) {
        strbuf_printf(sb, "<g stroke=\"%s\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\">\n", svg_color(GC_REF));
        line_el(sb, b->x0, ref_px, b->x0 + b->w, ref_px);
        strbuf_puts(sb, "</g>\n");
    }
    strbuf_printf(sb, "<g stroke=\"%s\" stroke-width=\"1.2\" stroke-dasharray=\"3 3\">\n", svg_color(GC_MARKER));
    for (int m = 0; m < c->nmarkers; m++) {
        double x = c->markers[m].x;
        if (!isfinite(x) || (c->logx && !(x > 0)))
            continue;
        double px = px_x(b, x);
        line_el(sb, px, b->y0, px, b->y0 + b->h);
    }
    strbuf_puts(sb, "</g>\n");
    for (int k = 0; k < c->nseries; k++) {
        const Series *s = &c->series[k];
        if (s->n == 0)
            continue;
        if (s->style == SERIES_POINTS || s->style == SERIES_CROSSES)
            svg_points(sb, s, b, svg_color(scolor(c, k)));
        else {
            strbuf_printf(sb, "<g%s>", svg_dash(s->style));
            svg_line(sb, s, b, svg_color(scolor(c, k)));
            strbuf_puts(sb, "</g>\n");
        }
    }
    strbuf_puts(sb, "</g>\n");
}

/* The reference line's label where the fewest points are (above or below, right or left end), and the
 * marker labels staggered so neighbouring markers do not print over each other. */
static void chart_rule_labels(StrBuf *sb, const Chart *c, const Box *b)
{
    double ref_px;
    if (ref_line(c, b, &ref_px) && ref_px >= b->y0 && ref_px <= b->y0 + b->h) {
        char buf[64];
        const char *label = c->ref_label ? c->ref_label : fb_fmt(buf, sizeof buf, c->ref_y, 6);
        double tw = text_w(label);
        double cxs[4] = {b->x0 + b->w - 6 - tw, b->x0 + b->w - 6 - tw, b->x0 + 6, b->x0 + 6};
        double cys[4] = {ref_px - 18, ref_px + 2, ref_px - 18, ref_px + 2};
        int best = -1;
        size_t bestn = 0;
        for (int i = 0; i < 4; i++) {
            if (cys[i] < b->y0 || cys[i] + 16 > b->y0 + b->h)
                continue;
            size_t n = points_in(c, b, cxs[i], cys[i], tw, 16);
            if (best < 0 || n < bestn)
                best = i, bestn = n;
        }
        if (best < 0)
            best = ref_px - 18 < b->y0 ? 1 : 0;
        strbuf_printf(sb, "<g fill=\"%s\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">\n",
                  svg_color(GC_REF));
        text_el(sb, cxs[best], cys[best] + 12, "start", "", label);
        strbuf_puts(sb, "</g>\n");
    }
    strbuf_printf(sb, "<g fill=\"%s\" stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">\n",
              svg_color(GC_MARKER));
    for (int m = 0; m < c->nmarkers; m++) {
        double x = c->markers[m].x;
        if (!isfinite(x) || (c->logx && !(x > 0)) || !has(c->markers[m].label))
            continue;
        double px = px_x(b, x);
        if (px >= b->x0 && px <= b->x0 + b->w)
            text_el(sb, px + 4, b->y0 + 14 + 14 * (m % 3), "start", "", c->markers[m].label);
    }
    strbuf_puts(sb, "</g>\n");
}

/* The legend box in the corner that covers the fewest points: a line or a dot per named series. */
static void chart_legend(StrBuf *sb, const Chart *c, const Box *b)
{
    int nleg = 0;
    double namew = 0;
    for (int k = 0; k < c->nseries; k++)
        if (has(c->series[k].name)) {
            nleg++;
            if (text_w(c->series[k].name) > namew)
                namew = text_w(c->series[k].name);
        }
    if (nleg == 0)
        return;
    double lw = namew + 40, lh = 18.0 * nleg + 8;
    double cx[4] = {b->x0 + b->w - lw - 8, b->x0 + 8, b->x0 + b->w - lw - 8, b->x0 + 8};
    double cy[4] = {b->y0 + 8, b->y0 + 8, b->y0 + b->h - lh - 8, b->y0 + b->h - lh - 8};
    int best = 0;
    size_t bestn = 0;
    for (int i = 0; i < 4; i++) {
        size_t n = points_in(c, b, cx[i], cy[i], lw, lh);
        if (i == 0 || n < bestn)
            best = i, bestn = n;
    }
    strbuf_puts(sb, "<g class=\"legend\">\n<rect x=\"");
    sb_num(sb, cx[best]);
    strbuf_puts(sb, "\" y=\"");
    sb_num(sb, cy[best]);
    strbuf_puts(sb, "\" width=\"");
    sb_num(sb, lw);
    strbuf_puts(sb, "\" height=\"");
    sb_num(sb, lh);
    strbuf_puts(sb, "\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n");
    int r = 0;
    for (int k = 0; k < c->nseries; k++) {
        const Series *s = &c->series[k];
        if (!has(s->name))
            continue;
        double y = cy[best] + 4 + 18.0 * r + 9;
        const char *col = svg_color(scolor(c, k));
        if (s->style == SERIES_POINTS || s->style == SERIES_CROSSES) {
            strbuf_printf(sb, "<circle fill=\"%s\" r=\"3\" cx=\"", col);
            sb_num(sb, cx[best] + 18);
            strbuf_puts(sb, "\" cy=\"");
            sb_num(sb, y);
            strbuf_puts(sb, "\"/>\n");
        } else {
            strbuf_printf(sb, "<g stroke=\"%s\" stroke-width=\"2\"%s>", col, svg_dash(s->style));
            line_el(sb, cx[best] + 8, y, cx[best] + 28, y);
            strbuf_puts(sb, "</g>\n");
        }
        text_el(sb, cx[best] + 34, y + 4, "start", " fill=\"#333333\"", s->name);
        r++;
    }
    strbuf_puts(sb, "</g>\n");
}

int svg_render_chart(const Chart *c, int width_px, int height_px, char **out, size_t *len,
                     FbErr *err)
{
    *out = NULL;
    if (len)
        *len = 0;
    if (chart_check(c, "svg", err))
        return -1;
    int W = width_px < 200 ? 200 : width_px > 10000 ? 10000 : width_px;
    int H = height_px < 200 ? 200 : height_px > 10000 ? 10000 : height_px;
    double xlo, xhi, ylo, yhi;
    bool any = chart_data_range(c, &xlo, &xhi, &ylo, &yhi);
    Box b;
    box_layout(&b, W, H, c->title, c->xlabel, c->ylabel, xlo, xhi, ylo, yhi, c->logx, c->logy,
               c->logx && !c->fixed_x, !c->fixed_y);
    StrBuf sb = {0};
    sb_open(&sb, W, H, c->title);
    chart_frame(&sb, c, &b, H);
    chart_data(&sb, c, &b);
    chart_rule_labels(&sb, c, &b);
    chart_legend(&sb, c, &b);
    if (!any)
        text_el(&sb, b.x0 + b.w / 2, b.y0 + b.h / 2, "middle", " fill=\"#888888\"", "no data yet");
    strbuf_puts(&sb, "</svg>\n");
    return sb_finish(&sb, out, len, err);
}

int svg_write_chart(const Chart *c, const char *path, int width_px, int height_px, FbErr *err)
{
    char *svg = NULL;
    size_t len = 0;
    int rc = svg_render_chart(c, width_px, height_px, &svg, &len, err);
    return write_rendered(rc, svg, len, path, err);
}

/* ---- heat maps -------------------------------------------------------------- */

const char *heat_color(uint8_t c)
{
    /* viridis in eight steps, low to high */
    static const char *ramp[GC_NHEAT] = {"#440154", "#46327e", "#365c8d", "#277f8e",
                                         "#1fa187", "#4ac16d", "#a0da39", "#fde725"};
    if (c >= GC_HEAT0 && c < GC_HEAT0 + GC_NHEAT)
        return ramp[c - GC_HEAT0];
    return "#ffffff";
}

int svg_render_heat(const HeatChart *hc, int width_px, int height_px, char **out, size_t *len, FbErr *err)
{
    *out = NULL;
    if (len)
        *len = 0;
    if (!hc)
        return fb_fail(err, "svg: no heat map");
    if (hc->nx < 0 || hc->ny < 0 || ((size_t)hc->nx * (size_t)hc->ny > 0 && !hc->samples))
        return fb_fail(err, "svg: %d x %d samples but no sample array", hc->nx, hc->ny);
    if (!isfinite(hc->xmin) || !isfinite(hc->xmax) || !isfinite(hc->ymin) || !isfinite(hc->ymax) ||
        !(hc->xmin < hc->xmax) || !(hc->ymin < hc->ymax))
        return fb_fail(err, "svg: the ranges need finite min < max");
    if (hc->npoints > 0 && (!hc->px || !hc->py))
        return fb_fail(err, "svg: %zu points but no coordinates", hc->npoints);
    int W = width_px < 200 ? 200 : width_px > 10000 ? 10000 : width_px;
    int H = height_px < 200 ? 200 : height_px > 10000 ? 10000 : height_px;
    Box b;
    box_layout(&b, W, H, hc->title, hc->xlabel, hc->ylabel, hc->xmin, hc->xmax, hc->ymin, hc->ymax, false, false,
               false, false);
    /* The axes keep the given range (no rounding out): the samples fill the box exactly. */
    b.ax.lo = hc->xmin;
    b.ax.hi = hc->xmax;
    b.ay.lo = hc->ymin;
    b.ay.hi = hc->ymax;

    StrBuf sb = {0};
    sb_open(&sb, W, H, hc->title);
    /* Samples: one rect per run of equal colours along a row (crispEdges: no seams). */
    strbuf_puts(&sb, "<g shape-rendering=\"crispEdges\">\n");
    double cw = b.w / (hc->nx > 0 ? hc->nx : 1), ch = b.h / (hc->ny > 0 ? hc->ny : 1);
    for (int j = 0; j < hc->ny; j++)
        for (int i = 0; i < hc->nx;) {
            uint8_t c = hc->samples[(size_t)j * hc->nx + i];
            int e = i + 1;
            while (e < hc->nx && hc->samples[(size_t)j * hc->nx + e] == c)
                e++;
            strbuf_puts(&sb, "<rect x=\"");
            sb_num(&sb, b.x0 + i * cw);
            strbuf_puts(&sb, "\" y=\"");
            sb_num(&sb, b.y0 + j * ch);
            strbuf_puts(&sb, "\" width=\"");
            sb_num(&sb, (e - i) * cw + 0.5);
            strbuf_puts(&sb, "\" height=\"");
            sb_num(&sb, ch + 0.5);
            strbuf_printf(&sb, "\" fill=\"%s\"/>\n", heat_color(c));
            i = e;
        }
    strbuf_puts(&sb, "</g>\n");
    box_axes(&sb, &b, H, hc->title, hc->xlabel, hc->ylabel);
    /* points, white-rimmed so they show on any shade */
    strbuf_puts(&sb, "<g stroke=\"white\" stroke-width=\"0.8\">\n");
    for (size_t p = 0; p < hc->npoints; p++) {
        double x = hc->px[p], y = hc->py[p];
        if (!isfinite(x) || !isfinite(y) || x < hc->xmin || x > hc->xmax || y < hc->ymin || y > hc->ymax)
            continue;
        const char *col = svg_color(hc->pcolor ? hc->pcolor[p] : GC_DEFAULT);
        uint32_t gl = hc->pglyph ? hc->pglyph[p] : 0;
        if (gl > ' ' && gl < 127) { /* the point's own marker (a class's letter, a path's digit), as on screen */
            char t[2] = {(char)gl, 0}, extra[96];
            snprintf(extra, sizeof extra, " fill=\"%s\" font-weight=\"bold\" paint-order=\"stroke\"", col);
            text_el(&sb, px_x(&b, x), px_y(&b, y) + 4, "middle", extra, t);
            continue;
        }
        strbuf_puts(&sb, "<circle cx=\"");
        sb_num(&sb, px_x(&b, x));
        strbuf_puts(&sb, "\" cy=\"");
        sb_num(&sb, px_y(&b, y));
        strbuf_printf(&sb, "\" r=\"3.5\" fill=\"%s\"/>\n", col);
    }
    strbuf_puts(&sb, "</g>\n</svg>\n");
    return sb_finish(&sb, out, len, err);
}

int svg_write_heat(const HeatChart *hc, const char *path, int width_px, int height_px, FbErr *err)
{
    char *svg = NULL;
    size_t len = 0;
    int rc = svg_render_heat(hc, width_px, height_px, &svg, &len, err);
    return write_rendered(rc, svg, len, path, err);
}
