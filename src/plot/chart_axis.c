/* chart_axis.c — chart axes: nice tick steps, linear and 1-2-5 log ticks, tick labels, axis layout. */
#include "fitbench/chart.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fitbench/strutil.h"

/* ======================================================================
 * Ticks and axes
 * ====================================================================== */

double chart_nice_step(double span, int max_intervals)
{
    if (!(span > 0) || !isfinite(span))
        return 1;
    if (max_intervals < 1)
        max_intervals = 1;
    /* Keep 10^e representable at both ends of the double range. */
    if (span < 1e-280)
        return chart_nice_step(span * 1e100, max_intervals) * 1e-100;
    if (span > 1e280)
        return chart_nice_step(span * 1e-100, max_intervals) * 1e100;
    double raw = span / max_intervals;
    double base = pow(10, floor(log10(raw)));
    static const double mult[] = {1, 2, 5, 10, 20};
    for (size_t i = 0; i < sizeof mult / sizeof mult[0]; i++) {
        double step = mult[i] * base;
        if (span / step <= max_intervals * (1 + 1e-9))
            return step;
    }
    return 20 * base; /* unreachable: raw ≤ 10·base */
}

int chart_ticks(double lo, double hi, double step, double *out, int cap)
{
    if (!(step > 0) || !isfinite(lo) || !isfinite(hi) || hi < lo || cap <= 0)
        return 0;
    double i0 = ceil(lo / step - 1e-9);
    double i1 = floor(hi / step + 1e-9);
    int n = 0;
    for (double i = i0; i <= i1 && n < cap; i++) {
        double v = i * step;
        if (fabs(v) < step * 1e-9)
            v = 0;
        out[n++] = v;
    }
    return n;
}

/* "1e+06" → "1e6", "2.5e-07" → "2.5e-7" (in place). */
static void tidy_exponent(char *s)
{
    char *e = strchr(s, 'e');
    if (!e)
        return;
    char *src = e + 1, *dst = e + 1;
    if (*src == '+')
        src++;
    else if (*src == '-')
        *dst++ = *src++;
    while (*src == '0' && src[1])
        src++;
    memmove(dst, src, strlen(src) + 1);
}

char *chart_fmt_tick(char *buf, size_t size, double v, double step)
{
    if (v == 0 || !(step > 0) || !isfinite(v)) {
        if (v == 0 || !isfinite(v))
            fb_fmt(buf, size, v == 0 ? 0.0 : v, 6);
        else
            fb_fmt(buf, size, v, 6);
        return buf;
    }
    int es = (int)floor(log10(step) + 1e-9);
    int ev = (int)floor(log10(fabs(v)) + 1e-12);
    if (ev < es)
        ev = es;
    int sig;
    if (ev >= 6 || ev < -4 || es < -5)
        sig = ev - es + 1; /* %g picks the exponent form here */
    else
        sig = ev + 1 + (es < 0 ? -es : 0);
    if (sig < 1)
        sig = 1;
    if (sig > 17)
        sig = 17;
    fb_fmt(buf, size, v, sig);
    tidy_exponent(buf);
    return buf;
}

char *chart_fmt_decade(char *buf, size_t size, int e)
{
    static const char *plain[] = {"0.01", "0.1", "1", "10", "100", "1000"};
    if (e >= -2 && e <= 3)
        snprintf(buf, size, "%s", plain[e + 2]);
    else
        snprintf(buf, size, "1e%d", e);
    return buf;
}

/* Linear step for [lo, hi] even when hi − lo overflows. */
static double lin_step(double lo, double hi, int k)
{
    double span = hi - lo;
    if (isfinite(span))
        return chart_nice_step(span, k);
    return chart_nice_step(hi * 1e-10 - lo * 1e-10, k) * 1e10;
}

/* Log axes spanning under two decades also use 2·10^k and 5·10^k: the
 * largest such value ≤ 10^a (in log10 space), the smallest ≥ 10^a, and all
 * of them inside [lo, hi]. */
static const double log125_m[3] = {1, 2, 5};

static double log125_floor(double a)
{
    double e = floor(a + 1e-9);
    double best = e;
    for (int i = 0; i < 3; i++) {
        double t = e + log10(log125_m[i]);
        if (t <= a + 1e-9)
            best = t;
    }
    return best;
}

static double log125_ceil(double a)
{
    double e = floor(a - 1e-9);
    for (int i = 0; i < 3; i++) {
        double t = e + log10(log125_m[i]);
        if (t >= a - 1e-9)
            return t;
    }
    return e + 1;
}

static int log125_ticks(double lo, double hi, double *out, int cap)
{
    int n = 0;
    for (double e = floor(lo) - 1; e <= ceil(hi) && n < cap; e++)
        for (int i = 0; i < 3 && n < cap; i++) {
            double t = e + log10(log125_m[i]);
            if (t >= lo - 1e-9 && t <= hi + 1e-9)
                out[n++] = t;
        }
    return n;
}

/* Label of a log tick at 10^a, a = e + log10(m) with m in {1, 2, 5}:
 * decades as chart_fmt_decade; "20", "0.05", "2e-5" for the others. */
static void fmt_log_tick(char *buf, size_t size, double a)
{
    double e = floor(a + 1e-9);
    int m = (int)lround(pow(10, a - e));
    int ie = (int)e;
    if (m <= 1 || m >= 10) {
        chart_fmt_decade(buf, size, m >= 10 ? ie + 1 : ie);
        return;
    }
    if (ie >= -2 && ie <= 3)
        fb_fmt(buf, size, m * pow(10, ie), 6);
    else
        snprintf(buf, size, "%de%d", m, ie);
}

double chart_axis_frac(double a, double lo, double hi, double lim)
{
    double span = hi - lo;
    double t = isfinite(span) ? (a - lo) / span : (a * 0.5 - lo * 0.5) / (hi * 0.5 - lo * 0.5);
    if (!(t > -lim))
        t = -lim;
    if (!(t < lim))
        t = lim;
    return t;
}

/* A log axis over data dlo..dhi (> 0): decades, or 1-2-5 ticks when the range is under two decades. */
static void log_axis_layout(ChartAxis *ax, double dlo, double dhi, bool loose, int max_intervals)
{
    if (!(dlo > 0) || !(dhi > 0) || !isfinite(dlo) || !isfinite(dhi) || dhi < dlo)
        dlo = 1, dhi = 10;
    double lo = log10(dlo), hi = log10(dhi);
    if (hi - lo < 1e-12) {
        lo -= 0.5;
        hi += 0.5;
    }
    double step = chart_nice_step(hi - lo, max_intervals);
    if (step < 1)
        step = 1; /* ticks only at whole decades ... */
    bool fine = step == 1 && hi - lo < 2; /* ... unless that leaves too few */
    if (loose && fine) {
        lo = log125_floor(lo);
        hi = log125_ceil(hi);
    } else if (loose) {
        /* whole decades, a whole number of steps from the bottom one,
         * which is labelled (so 1e-300..1e300 shows both ends) */
        lo = floor(lo + 1e-9);
        hi = lo + ceil((hi - lo) / step - 1e-9) * step;
    }
    ax->step = step;
    ax->lo = lo;
    ax->hi = hi;
    if (loose && !fine) {
        ax->nticks = 0;
        for (double t = lo; t <= hi + 1e-9 && ax->nticks < CHART_MAX_TICKS; t += step)
            ax->ticks[ax->nticks++] = t;
    } else {
        ax->nticks = chart_ticks(lo, hi, step, ax->ticks, CHART_MAX_TICKS);
    }
    if (fine && ax->nticks < 3)
        ax->nticks = log125_ticks(lo, hi, ax->ticks, CHART_MAX_TICKS);
    for (int i = 0; i < ax->nticks; i++)
        fmt_log_tick(ax->labels[i], sizeof ax->labels[i], ax->ticks[i]);
}

/* A linear axis over data dlo..dhi: a nice step, the range widened to whole steps when loose; one value is
 * padded to a range around it. */
static void lin_axis_layout(ChartAxis *ax, double dlo, double dhi, bool loose, int max_intervals)
{
    if (!isfinite(dlo) || !isfinite(dhi) || dhi < dlo)
        dlo = 0, dhi = 1;
    double lo = dlo, hi = dhi;
    if (hi == lo) {
        double pad = fabs(lo) * 0.1;
        if (pad == 0 || !isfinite(lo - pad) || !isfinite(hi + pad))
            pad = lo == 0 ? 1 : fabs(lo) * 0.01;
        lo -= pad;
        hi += pad;
        if (hi == lo) { /* subnormal values: pad with the smallest step that shows */
            lo = dlo - 1e-300;
            hi = dhi + 1e-300;
        }
    }
    double step = lin_step(lo, hi, max_intervals);
    if (loose) {
        double l2 = floor(lo / step + 1e-9) * step;
        double h2 = ceil(hi / step - 1e-9) * step;
        if (isfinite(l2) && l2 <= lo)
            lo = l2;
        if (isfinite(h2) && h2 >= hi)
            hi = h2;
    }
    ax->step = step;
    ax->lo = lo;
    ax->hi = hi;
    ax->nticks = chart_ticks(lo, hi, ax->step, ax->ticks, CHART_MAX_TICKS);
    for (int i = 0; i < ax->nticks; i++) {
        chart_fmt_tick(ax->labels[i], sizeof ax->labels[i], ax->ticks[i], ax->step);
    }
}

void chart_axis_layout(ChartAxis *ax, double dlo, double dhi, bool log, bool loose,
                       int max_intervals)
{
    memset(ax, 0, sizeof *ax);
    ax->log = log;
    if (max_intervals < 1)
        max_intervals = 1;
    if (max_intervals > CHART_MAX_TICKS - 1)
        max_intervals = CHART_MAX_TICKS - 1;
    if (log)
        log_axis_layout(ax, dlo, dhi, loose, max_intervals);
    else
        lin_axis_layout(ax, dlo, dhi, loose, max_intervals);
}
