/* chart_render.c — benchmark: rendering three 10^5-point series into a 120x40 grid (best of 50). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "fitbench/chart.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(void)
{
    enum { N = 100000 };
    double *y = malloc(3 * N * sizeof *y);
    if (!y)
        return 1;
    for (int i = 0; i < N; i++) {
        y[i] = 1 + exp(-i / 9000.0);
        y[N + i] = 1.2 + exp(-i / 15000.0);
        y[2 * N + i] = 1.1 + exp(-i / 30000.0);
    }
    Chart c;
    chart_init(&c);
    for (int k = 0; k < 3; k++)
        chart_add_series(&c, "s", NULL, y + k * N, N, SERIES_LINE, NULL);
    FbErr err;
    Grid *g = grid_new(120, 40, &err);
    for (int logy = 0; logy < 2; logy++) {
        c.logy = logy;
        double best = 1e9;
        for (int rep = 0; rep < 50; rep++) {
            double t0 = now_s();
            chart_render(&c, g, &err);
            double t = now_s() - t0;
            best = t < best ? t : best;
        }
        printf("chart_render 3x%d points 120x40 %s: %.3f ms\n", N, logy ? "log y" : "linear y", best * 1e3);
    }
    grid_free(g);
    free(y);
    return 0;
}
