/* test_fused.c — the one-pass linear kernels against the layer-by-layer path (model.c + loss.c). */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fitbench/fused.h"
#include "fitbench/model.h"
#include "fitbench/rng.h"

/* A single-output linear model with random parameters, X (n, d) and 0/1 targets Y (n, 1). */
typedef struct Case {
    Model m;
    ModelWork w;
    double *X, *Y, *Z, *dZ, *ref, *got, *scratch, *Xb, *Yb;
    size_t n, d;
} Case;

static void case_init(Case *c, size_t n, size_t d, unsigned seed)
{
    FbErr e;
    memset(c, 0, sizeof *c);
    c->n = n, c->d = d;
    cr_assert_eq(model_build(&c->m, MODEL_LINEAR, ACT_RELU, NULL, 0, d, 1, &e), 0);
    cr_assert_eq(model_work_init(&c->w, &c->m, n, &e), 0);
    Rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < c->m.nparams; i++)
        c->m.params[i] = rng_normal(&r);
    c->X = malloc(n * d * sizeof(double)), c->Y = malloc(n * sizeof(double));
    c->Z = malloc(n * sizeof(double)), c->dZ = malloc(n * sizeof(double));
    c->Xb = malloc(n * d * sizeof(double)), c->Yb = malloc(n * sizeof(double));
    c->ref = malloc(c->m.nparams * sizeof(double)), c->got = malloc(c->m.nparams * sizeof(double));
    c->scratch = malloc(fused_scratch_size(d) * sizeof(double));
    for (size_t i = 0; i < n * d; i++)
        c->X[i] = rng_normal(&r);
    for (size_t i = 0; i < n; i++)
        c->Y[i] = rng_uniform(&r) < 0.5 ? 0.0 : 1.0;
}

static void case_free(Case *c)
{
    model_work_free(&c->w);
    model_free(&c->m);
    free(c->X), free(c->Y), free(c->Z), free(c->dZ), free(c->Xb), free(c->Yb), free(c->ref), free(c->got),
        free(c->scratch);
}

/* The reference: forward, loss, backward over rows Xb (b, d). */
static double reference(Case *c, const LossCfg *loss, const double *Xb, const double *Yb, size_t b)
{
    model_forward(&c->m, &c->w, Xb, b, c->Z);
    double l = loss_eval(loss, c->Z, Yb, b, 1, c->dZ);
    model_backward(&c->m, &c->w, Xb, b, c->dZ);
    memcpy(c->ref, c->m.grads, c->m.nparams * sizeof(double));
    return l;
}

static void assert_close(const double *a, const double *b, size_t n, double tol, const char *what)
{
    double scale = 0;
    for (size_t i = 0; i < n; i++)
        scale = fmax(scale, fabs(b[i]));
    for (size_t i = 0; i < n; i++)
        cr_assert(fabs(a[i] - b[i]) <= tol * scale, "%s: [%zu] %.17g vs %.17g", what, i, a[i], b[i]);
}

static const LossKind kinds[] = {LOSS_MSE, LOSS_MAE, LOSS_HUBER, LOSS_BCE, LOSS_HINGE};

Test(fused, eval_matches_the_layer_path_for_every_elementwise_loss)
{
    static const size_t ds[] = {1, 3, 17, 100};
    for (size_t di = 0; di < 4; di++) {
        Case c;
        case_init(&c, 5000, ds[di], 7 + (unsigned)di);
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            LossCfg loss = {.kind = kinds[k], .delta = 1.0};
            double lr = reference(&c, &loss, c.X, c.Y, c.n);
            double lf = fused_eval(&c.m, &loss, c.X, c.Y, c.n, c.got, c.scratch, 1, MTASK_NONE, NULL);
            cr_assert(fabs(lf - lr) <= 1e-13 * fabs(lr), "loss %s d=%zu: %.17g vs %.17g", loss_name(kinds[k]),
                      ds[di], lf, lr);
            assert_close(c.got, c.ref, c.m.nparams, 1e-12, loss_name(kinds[k]));
        }
        case_free(&c);
    }
}

Test(fused, eval_same_bits_for_any_thread_count)
{
    Case c;
    case_init(&c, 40000, 30, 3);
    LossCfg loss = {.kind = LOSS_BCE};
    double g1[31], l1 = fused_eval(&c.m, &loss, c.X, c.Y, c.n, g1, c.scratch, 1, MTASK_NONE, NULL);
    for (int t = 2; t <= 5; t++) {
        double gt[31], lt = fused_eval(&c.m, &loss, c.X, c.Y, c.n, gt, c.scratch, t, MTASK_NONE, NULL);
        cr_assert(memcmp(&l1, &lt, sizeof l1) == 0 && memcmp(g1, gt, sizeof g1) == 0, "threads=%d", t);
    }
    case_free(&c);
}

/* fused_batch_grad reads rows in place, through a permutation or in order,
 * in blocks of up to 256 rows: against the gathered batch on the layer path. */
Test(fused, batch_grad_matches_the_gathered_batch)
{
    static const size_t bs[] = {1, 5, 32, 255, 256, 257, 300, 1000};
    Case c;
    case_init(&c, 3000, 13, 11);
    size_t *perm = malloc(c.n * sizeof *perm);
    for (size_t i = 0; i < c.n; i++)
        perm[i] = i;
    Rng r;
    rng_seed(&r, 5);
    rng_shuffle(&r, perm, c.n);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        LossCfg loss = {.kind = kinds[k], .delta = 1.0};
        for (size_t bi = 0; bi < sizeof bs / sizeof bs[0]; bi++) {
            size_t b = bs[bi], r0 = 100;
            for (int shuffled = 0; shuffled < 2; shuffled++) {
                for (size_t i = 0; i < b; i++) {
                    size_t row = shuffled ? perm[r0 + i] : r0 + i;
                    memcpy(c.Xb + i * c.d, c.X + row * c.d, c.d * sizeof(double));
                    c.Yb[i] = c.Y[row];
                }
                double l = reference(&c, &loss, c.Xb, c.Yb, b);
                double chk = fused_batch_grad(&c.m, &loss, c.X, c.Y, shuffled ? perm : NULL, r0, b, c.got);
                cr_assert(isfinite(l) && isfinite(chk));
                assert_close(c.got, c.ref, c.m.nparams, 1e-13, loss_name(kinds[k]));
            }
        }
    }
    free(perm);
    case_free(&c);
}

/* The check value is finite exactly when the batch's loss is. */
Test(fused, batch_grad_check_follows_the_loss)
{
    Case c;
    case_init(&c, 64, 4, 13);
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        LossCfg loss = {.kind = kinds[k], .delta = 1.0};
        /* Finite data, finite parameters: both finite. */
        double l = reference(&c, &loss, c.X, c.Y, 32);
        cr_assert(isfinite(l) && isfinite(fused_batch_grad(&c.m, &loss, c.X, c.Y, NULL, 0, 32, c.got)));
        /* A huge weight: the logits overflow (inf, or NaN where they meet -inf), and both say so. */
        double keep = c.m.params[0];
        c.m.params[0] = 1e308;
        c.X[5 * c.d] = 1e10;
        l = reference(&c, &loss, c.X, c.Y, 32);
        double chk = fused_batch_grad(&c.m, &loss, c.X, c.Y, NULL, 0, 32, c.got);
        cr_assert(!isfinite(l) && !isfinite(chk), "%s: loss %g, check %g", loss_name(kinds[k]), l, chk);
        c.m.params[0] = keep;
        c.X[5 * c.d] = 0.5;
    }
    case_free(&c);
}
