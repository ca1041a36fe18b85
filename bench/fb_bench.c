/* fb_bench.c — benchmark driver: times libfitbench on the workloads of bench/RESULTS.md (run by scripts/bench).
 *
 *   fb_bench w1 N D EPOCHS THREADS          full-batch GD, linear+mse, formula data (bench/data.py)
 *   fb_bench mb DIR EPOCHS THREADS B HIDDEN  minibatch training on DIR/{X,y}.f64 + DIR/shape (n d task)
 *   fb_bench w4 CSV THREADS                  csv_load; prints seconds and peak RSS
 *   fb_bench w5 N D THREADS OUT              linalg_lstsq on formula data; coefficients to OUT (raw f64)
 *   fb_bench gemm N THREADS                  dgemm FLOP rate (N x N x N, best of 5)
 *   fb_bench evalcost DIR THREADS HIDDEN R   the whole-split pass of an epoch's history row (mb's model and
 *                                            data) without and with the metric sums, alternating, R times each
 *
 * Prints key=value lines on stdout.  Data for w1/w5 come from the formula in
 * bench/data.py (splitmix64 per element), so numpy builds bit-identical arrays. */
#include <cblas.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "fitbench/csv.h"
#include "fitbench/linalg.h"
#include "fitbench/train.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const FbErr *err)
{
    fprintf(stderr, "fb_bench: %s: %s\n", what, err ? err->msg : "failed");
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        die("out of memory", NULL);
    return p;
}

/* Uniform in [-1, 1) from element index i and a salt: splitmix64, top 53 bits. */
static double u11(uint64_t i, uint64_t salt)
{
    uint64_t z = (i + salt * 0x632BE59BD9B4E019ULL + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z ^= z >> 31;
    return (double)(z >> 11) * 0x1p-52 - 1.0;
}

/* X (n, d) and y (n): y = 0.5 x0 - 0.25 x_{d-1} + 0.1 u + 1 (bench/data.py makes the same bits). */
static void formula_data(size_t n, size_t d, double **Xo, double **yo)
{
    double *X = xmalloc(n * d * sizeof *X), *y = xmalloc(n * sizeof *y);
    for (size_t i = 0; i < n * d; i++)
        X[i] = u11(i, 1);
    for (size_t i = 0; i < n; i++)
        y[i] = ((0.5 * X[i * d] - 0.25 * X[i * d + d - 1]) + 0.1 * u11(i, 2)) + 1.0;
    *Xo = X;
    *yo = y;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_d);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Train and print the median seconds per epoch (from the history rows). */
static void run_train(Model *m, TrainSetup *setup, const TrainData *data, long epochs)
{
    FbErr err = {0};
    TrainState st;
    TrainWork w = {0};
    if (train_state_init(&st, m, setup, 42, &err))
        die("train_state_init", &err);
    TrainOutcome out;
    if (train_run(&st, setup, data, &w, epochs, 0, 0, NULL, &out, &err) || out.end != TRAIN_DONE)
        die("train_run", &err);
    double *sec = xmalloc((size_t)epochs * sizeof *sec);
    for (long e = 0; e < epochs; e++)
        sec[e] = st.hist.rows[e + 1].seconds;
    double best = sec[0];
    for (long e = 1; e < epochs; e++)
        best = sec[e] < best ? sec[e] : best;
    printf("epoch_s=%.9g\nepoch_min_s=%.9g\nloss0=%.17g\nloss_last=%.17g\n", median(sec, (size_t)epochs), best,
           st.hist.rows[0].train_loss, st.hist.rows[epochs].train_loss);
    free(sec);
    train_state_free(&st);
    train_work_free(&w);
}

static void w1(size_t n, size_t d, long epochs)
{
    double *X, *y;
    formula_data(n, d, &X, &y);
    FbErr err = {0};
    /* Roofline: the fastest full read of X (one dgemv), best of 5. */
    double *v = xmalloc(d * sizeof *v), *r = xmalloc(n * sizeof *r), tr = INFINITY;
    for (size_t j = 0; j < d; j++)
        v[j] = 1.0 / (double)(j + 1);
    for (int rep = 0; rep < 5; rep++) {
        double t = now_s();
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)d, 1.0, X, (int)d, v, 1, 0.0, r, 1);
        t = now_s() - t;
        tr = t < tr ? t : tr;
    }
    printf("read_s=%.9g\nread_gbs=%.4g\n", tr, (double)n * (double)d * 8e-9 / tr);
    Model m;
    if (model_build(&m, MODEL_LINEAR, ACT_RELU, NULL, 0, d, 1, &err))
        die("model_build", &err);
    TrainSetup setup = {.loss = {.kind = LOSS_MSE, .delta = 1.0}};
    optim_defaults(&setup.opt, OPT_SGD);
    setup.opt.lr = 0.1;
    sched_defaults(&setup.sched, SCHED_CONSTANT);
    TrainData data = {.X = X, .Y = y, .n = n, .d = d, .ky = 1};
    run_train(&m, &setup, &data, epochs);
    free(X), free(y), free(v), free(r);
}

static double *read_f64(const char *dir, const char *name, size_t count)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path, NULL);
    double *v = xmalloc(count * sizeof *v);
    if (fread(v, sizeof *v, count, f) != count)
        die(path, NULL);
    fclose(f);
    return v;
}

/* The data and model of a minibatch workload: task "logistic" (bce, sgd lr 0.1), or "mlp" (hidden widths,
 * relu, ce or bce, adam). */
typedef struct MbSetup {
    double *X, *y;
    Model m;
    TrainSetup setup;
    TrainData data;
} MbSetup;

static void mb_setup(MbSetup *u, const char *dir, size_t batch, const char *hidden)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/shape", dir);
    FILE *f = fopen(path, "r");
    size_t n = 0, d = 0, k = 0;
    if (!f || fscanf(f, "%zu %zu %zu", &n, &d, &k) != 3)
        die(path, NULL);
    fclose(f);
    u->X = read_f64(dir, "X.f64", n * d), u->y = read_f64(dir, "y.f64", n);
    FbErr err = {0};
    u->setup = (TrainSetup){.batch = batch, .shuffle = true};
    sched_defaults(&u->setup.sched, SCHED_CONSTANT);
    size_t hid[MODEL_MAX_LAYERS], nh = 0;
    for (const char *p = hidden; *p && nh < MODEL_MAX_LAYERS - 1;) {
        char *end;
        hid[nh++] = strtoul(p, &end, 10);
        p = *end ? end + 1 : end;
    }
    if (nh == 0) {
        if (model_build(&u->m, MODEL_LOGISTIC, ACT_RELU, NULL, 0, d, 1, &err))
            die("model_build", &err);
        u->setup.loss.kind = LOSS_BCE;
        optim_defaults(&u->setup.opt, OPT_SGD);
        u->setup.opt.lr = 0.1;
    } else {
        if (model_build(&u->m, MODEL_MLP, ACT_RELU, hid, nh, d, k, &err))
            die("model_build", &err);
        u->setup.loss.kind = k == 1 ? LOSS_BCE : LOSS_CE;
        optim_defaults(&u->setup.opt, OPT_ADAM);
        Rng rng;
        rng_seed(&rng, 7);
        model_init_params(&u->m, INIT_TORCH, 0, &rng);
    }
    u->data = (TrainData){.X = u->X, .Y = u->y, .n = n, .d = d, .ky = 1};
}

/* Minibatch training on mb_setup's data and model. */
static void mb(const char *dir, long epochs, size_t batch, const char *hidden)
{
    MbSetup u;
    mb_setup(&u, dir, batch, hidden);
    run_train(&u.m, &u.setup, &u.data, epochs);
    free(u.X), free(u.y);
}

static int cmp_dbl(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The pass over all training rows that an epoch's history row makes (loss and gradient, as train_run's
 * end of epoch on one thread), without the metric sums (A) and with them (B), alternating reps times. */
static void evalcost(const char *dir, const char *hidden, int reps)
{
    MbSetup u;
    mb_setup(&u, dir, 32, hidden);
    TrainWork w = {0};
    FbErr err = {0};
    double *ta = xmalloc((size_t)reps * sizeof *ta), *tb = xmalloc((size_t)reps * sizeof *tb), loss, met[2];
    for (int r = -1; r < reps; r++) { /* r = -1: warm-up */
        double t = now_s();
        if (train_eval(&u.m, &u.setup.loss, u.X, u.y, u.data.n, 1, &w, &loss, true, &err))
            die("train_eval", &err);
        double t1 = now_s();
        if (train_eval_metrics(&u.m, &u.setup.loss, u.X, u.y, u.data.n, 1, &w, &loss, true, met, &err))
            die("train_eval_metrics", &err);
        double t2 = now_s();
        if (r >= 0)
            ta[r] = t1 - t, tb[r] = t2 - t1;
    }
    qsort(ta, (size_t)reps, sizeof *ta, cmp_dbl);
    qsort(tb, (size_t)reps, sizeof *tb, cmp_dbl);
    printf("pass_s=%.9g\npass_metrics_s=%.9g\npass_min_s=%.9g\npass_metrics_min_s=%.9g\nmetric0=%.17g\n",
           ta[reps / 2], tb[reps / 2], ta[0], tb[0], met[0]);
    free(ta), free(tb), free(u.X), free(u.y);
    model_free(&u.m);
    train_work_free(&w);
}

static void w4(const char *path)
{
    FbErr err = {0};
    CsvOptions opt;
    csv_options_default(&opt);
    Dataset *ds;
    double t = now_s();
    if (csv_load(path, &opt, &ds, &err))
        die("csv_load", &err);
    t = now_s() - t;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    /* The hash bench/peers.py computes: sum of bits * (2i + 1) over the cells in file order, mod 2^64. */
    uint64_t h = 0, idx = 0;
    for (size_t i = 0; i < ds->n; i++)
        for (size_t j = 0; j < ds->d + ds->ny; j++, idx++) {
            double v = j < ds->d ? ds->X[i * ds->d + j] : ds->y[i * ds->ny + j - ds->d];
            uint64_t bits;
            memcpy(&bits, &v, sizeof bits);
            h += bits * (2 * idx + 1);
        }
    printf("load_s=%.9g\nrows=%zu\ncols=%zu\nmaxrss_kb=%ld\nmatrix_kb=%zu\nhash=%llu\n", t, ds->n,
           ds->d + ds->ny, ru.ru_maxrss, ds->n * (ds->d + ds->ny) * sizeof(double) / 1024,
           (unsigned long long)h);
    dataset_unref(ds);
}

static void w5(size_t n, size_t d, const char *out)
{
    double *X, *y;
    formula_data(n, d, &X, &y);
    double *W = xmalloc(d * sizeof *W), b, best = INFINITY;
    FbErr err = {0};
    for (int rep = 0; rep < 3; rep++) {
        double t = now_s();
        if (linalg_lstsq(X, y, n, d, 1, 0.0, W, &b, &err))
            die("linalg_lstsq", &err);
        t = now_s() - t;
        best = t < best ? t : best;
    }
    printf("solve_s=%.9g\n", best);
    FILE *f = fopen(out, "wb");
    if (!f || fwrite(W, sizeof *W, d, f) != d || fwrite(&b, sizeof b, 1, f) != 1 || fclose(f))
        die(out, NULL);
    free(X), free(y), free(W);
}

static void gemm(size_t n)
{
    double *A = xmalloc(n * n * sizeof *A), *B = xmalloc(n * n * sizeof *B), *C = xmalloc(n * n * sizeof *C);
    for (size_t i = 0; i < n * n; i++)
        A[i] = u11(i, 3), B[i] = u11(i, 4);
    double best = INFINITY;
    for (int rep = 0; rep < 5; rep++) {
        double t = now_s();
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, (int)n, (int)n, 1.0, A, (int)n, B, (int)n,
                    0.0, C, (int)n);
        t = now_s() - t;
        best = t < best ? t : best;
    }
    printf("gemm_gflops=%.4g\n", 2.0 * (double)n * (double)n * (double)n / best * 1e-9);
    /* The GEMMs of one W3b training step (MLP 64-128-64-10, batch 64) back to back: what OpenBLAS
     * reaches at those shapes, the ceiling for a BLAS-based step. */
    static const int shp[8][5] = { /* m, n, k, transA, transB */
        {64, 128, 64, 0, 1}, {64, 64, 128, 0, 1}, {64, 10, 64, 0, 1},  /* forward: P = in W^T */
        {10, 64, 64, 1, 0},  {64, 64, 10, 0, 0},                      /* layer 3: dW = G^T in, dA = G W */
        {64, 128, 64, 1, 0}, {64, 128, 64, 0, 0},                     /* layer 2 */
        {128, 64, 64, 1, 0}};                                         /* layer 1: dW only */
    double flops = 0;
    for (int s = 0; s < 8; s++)
        flops += 2.0 * shp[s][0] * shp[s][1] * shp[s][2];
    best = INFINITY;
    for (int rep = 0; rep < 5; rep++) {
        double t = now_s();
        for (int it = 0; it < 200; it++)
            for (int s = 0; s < 8; s++) {
                int m = shp[s][0], nn = shp[s][1], k = shp[s][2];
                cblas_dgemm(CblasRowMajor, shp[s][3] ? CblasTrans : CblasNoTrans, shp[s][4] ? CblasTrans : CblasNoTrans,
                            m, nn, k, 1.0, A, shp[s][3] ? m : k, B, shp[s][4] ? k : nn, 0.0, C, nn);
            }
        t = (now_s() - t) / 200;
        best = t < best ? t : best;
    }
    printf("gemm_mlp_gflops=%.4g\n", flops / best * 1e-9);
    free(A), free(B), free(C);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    const char *w = argv[1];
    if (!strcmp(w, "w1") && argc == 6) {
        openblas_set_num_threads(atoi(argv[5]));
        w1(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), atol(argv[4]));
    } else if (!strcmp(w, "mb") && argc == 7) {
        openblas_set_num_threads(atoi(argv[4]));
        mb(argv[2], atol(argv[3]), strtoul(argv[5], NULL, 10), argv[6]);
    } else if (!strcmp(w, "w4") && argc == 4) {
        openblas_set_num_threads(atoi(argv[3]));
        w4(argv[2]);
    } else if (!strcmp(w, "w5") && argc == 6) {
        openblas_set_num_threads(atoi(argv[4]));
        w5(strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), argv[5]);
    } else if (!strcmp(w, "evalcost") && argc == 6) {
        openblas_set_num_threads(atoi(argv[3]));
        evalcost(argv[2], argv[4], atoi(argv[5]));
    } else if (!strcmp(w, "gemm") && argc == 4) {
        openblas_set_num_threads(atoi(argv[3]));
        gemm(strtoul(argv[2], NULL, 10));
    } else {
        fprintf(stderr, "usage: see bench/fb_bench.c\n");
        return 2;
    }
    return 0;
}
