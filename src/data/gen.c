/* gen.c — synthetic data generators (seeded, platform-independent). */
#include "fitbench/gen.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/rng.h"
#include "fitbench/strutil.h"

const char *const gen_kind_names[] = {"linear", "poly", "sine", "blobs", "moons", "circles", "xor", "spiral", "gauss",
                                      NULL};

void gen_spec_default(GenSpec *spec, GenKind kind)
{
    memset(spec, 0, sizeof *spec);
    spec->kind = kind;
    spec->n = 200;
    spec->d = kind == GEN_BLOBS ? 2 : 1;
    spec->noise = 0.1;
    spec->classes = kind == GEN_BLOBS ? 3 : 2;
}

static double unif(Rng *r, double lo, double hi) { return lo + (hi - lo) * rng_uniform(r); }

static void regression(const GenSpec *s, Rng *r, Dataset *ds)
{
    size_t d = ds->d;
    double w[64], b = 0, c[4];
    for (size_t j = 0; j < d && j < 64; j++)
        w[j] = round(unif(r, -3, 3) * 10) / 10; /* one decimal: readable true weights */
    b = round(unif(r, -2, 2) * 10) / 10;
    for (int j = 0; j < 4; j++)
        c[j] = round(unif(r, -2, 2) * 10) / 10;
    for (size_t i = 0; i < ds->n; i++) {
        double *x = ds->X + i * d, y;
        switch (s->kind) {
        case GEN_LINEAR:
            y = b;
            for (size_t j = 0; j < d; j++) {
                x[j] = unif(r, -1, 1);
                y += w[j % 64] * x[j];
            }
            break;
        case GEN_POLY:
            x[0] = unif(r, -1, 1);
            y = c[0] + x[0] * (c[1] + x[0] * (c[2] + x[0] * 2 * c[3]));
            break;
        default: /* sine */
            x[0] = unif(r, -M_PI, M_PI);
            y = sin(x[0]);
            break;
        }
        ds->y[i] = y + s->noise * rng_normal(r);
    }
}

/* Jitter for the Playground sets: noise 0.1 moves points by about 0.5 on a
 * plot of radius 5, as the Playground's noise slider does. */
static void jitter(Rng *r, double *x, double amount)
{
    x[0] += amount * rng_normal(r);
    x[1] += amount * rng_normal(r);
}

/* Classification sets in two dimensions (blobs in d); the class index goes into y. */
static void classes2d(const GenSpec *s, Rng *r, Dataset *ds)
{
    size_t n = ds->n, K = s->classes, d = ds->d;
    double nz = s->noise;
    double centers[64][2];
    for (size_t c = 0; c < K && c < 64; c++) {
        centers[c][0] = unif(r, -5, 5);
        centers[c][1] = unif(r, -5, 5);
    }
    for (size_t i = 0; i < n; i++) {
        double *x = ds->X + i * d;
        size_t c = i % K;
        switch (s->kind) {
        case GEN_BLOBS:
            for (size_t j = 0; j < d; j++)
                x[j] = centers[(c + j / 2) % K][j % 2] + (1 + 10 * nz) * rng_normal(r);
            break;
        case GEN_MOONS: { /* scikit-learn's make_moons shape */
            double t = unif(r, 0, M_PI);
            x[0] = c ? 1 - cos(t) : cos(t);
            x[1] = c ? 0.5 - sin(t) : sin(t);
            jitter(r, x, nz);
            break;
        }
        case GEN_CIRCLES: { /* Playground: class 1 a disc of radius 2, class 0 a ring 3..5 */
            double rad = c ? unif(r, 0, 2.0) : unif(r, 3.0, 5.0), a = unif(r, 0, 2 * M_PI);
            x[0] = rad * sin(a);
            x[1] = rad * cos(a);
            jitter(r, x, 5 * nz);
            break;
        }
        case GEN_XOR:
            x[0] = unif(r, -5, 5);
            x[1] = unif(r, -5, 5);
            x[0] += x[0] > 0 ? 0.3 : -0.3; /* Playground's padding keeps the quadrants apart */
            x[1] += x[1] > 0 ? 0.3 : -0.3;
            c = x[0] * x[1] >= 0 ? 1 : 0;
            jitter(r, x, 5 * nz);
            break;
        case GEN_SPIRAL: { /* K interleaved arms, Playground's parameterisation */
            size_t j = i / K, per = (n + K - 1) / K;
            double rad = 5.0 * (double)j / (double)per;
            double t = 1.75 * (double)j / (double)per * 2 * M_PI + 2 * M_PI * (double)c / (double)K;
            x[0] = rad * sin(t);
            x[1] = rad * cos(t);
            jitter(r, x, 5 * nz);
            break;
        }
        default: /* gauss: two clusters at (2,2) and (-2,-2) */
            c = i % 2;
            x[0] = (c ? 2 : -2) + (1 + 5 * nz) * rng_normal(r);
            x[1] = (c ? 2 : -2) + (1 + 5 * nz) * rng_normal(r);
            break;
        }
        ds->y[i] = (double)c;
    }
}

int gen_make(const GenSpec *s, Dataset **out, FbErr *err)
{
    bool is_class = s->kind >= GEN_BLOBS;
    size_t d = s->kind == GEN_LINEAR ? s->d : s->kind == GEN_BLOBS ? s->d : is_class ? 2 : 1;
    if (s->n == 0 || s->n > 100000000)
        return fb_fail(err, "gen: n must be between 1 and 100000000");
    if (d == 0 || d > 1000)
        return fb_fail(err, "gen: d must be between 1 and 1000");
    if (is_class && (s->classes < 2 || s->classes > 20))
        return fb_fail(err, "gen: classes must be between 2 and 20");
    if (is_class && s->n < s->classes)
        return fb_fail(err, "gen: n must be at least the number of classes");
    if ((s->kind != GEN_BLOBS && s->kind != GEN_SPIRAL) && is_class && s->classes != 2)
        return fb_fail(err, "gen %s has 2 classes", gen_kind_names[s->kind]);
    if (!(s->noise >= 0) || s->noise > 100)
        return fb_fail(err, "gen: noise must be between 0 and 100");
    Dataset *ds = dataset_new(s->n, d, 1, err);
    if (!ds)
        return -1;
    Rng r;
    rng_seed(&r, s->seed);
    if (is_class)
        classes2d(s, &r, ds);
    else
        regression(s, &r, ds);
    char src[160], nz[32];
    fb_fmt(nz, sizeof nz, s->noise, 6);
    snprintf(src, sizeof src, "gen %s n=%zu d=%zu noise=%s classes=%zu seed=%llu", gen_kind_names[s->kind], s->n, d,
             nz, s->classes, (unsigned long long)s->seed);
    free(ds->source);
    ds->source = fb_strdup(src, err);
    if (!ds->source || (is_class && dataset_set_classes(ds, 0, err))) {
        dataset_unref(ds);
        return -1;
    }
    *out = ds;
    return 0;
}
