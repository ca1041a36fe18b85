/* loss.c — mse, mae, huber, bce-with-logits, cross-entropy and hinge with torch's mean reduction. */
#include "fitbench/loss.h"
#include "fitbench/strutil.h"
#include "fitbench/vmath.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>

/* Elements per block of the bce and ce loops: exp and log1p run over a block at a time (vmath.h). */
#define LOSS_BLOCK 256

/* Elementwise regression losses: Y and Z are (n, k), mean over N = n*k.
 * Gradients use torch's backward formulas (norm = 1/N or 2/N times the
 * elementwise derivative) so they agree to the last bits. */
static double loss_mse(const double *Z, const double *Y, size_t N, size_t NT, double *dZ)
{
    double s = 0, norm = 2.0 / (double)NT;
    for (size_t i = 0; i < N; i++) {
        double d = Z[i] - Y[i];
        s += d * d;
        if (dZ)
            dZ[i] = norm * d;
    }
    return s;
}

static double loss_mae(const double *Z, const double *Y, size_t N, size_t NT, double *dZ)
{
    double s = 0, norm = 1.0 / (double)NT;
    for (size_t i = 0; i < N; i++) {
        double d = Z[i] - Y[i];
        s += fabs(d);
        if (dZ) /* torch's sgn: 0 at d == 0 (and NaN stays NaN) */
            dZ[i] = d > 0 ? norm : d < 0 ? -norm : norm * d;
    }
    return s;
}

static double loss_huber(const double *Z, const double *Y, size_t N, size_t NT, double delta, double *dZ)
{
    double s = 0, norm = 1.0 / (double)NT;
    for (size_t i = 0; i < N; i++) {
        double d = Z[i] - Y[i], a = fabs(d);
        s += a < delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
        if (dZ) /* both branches give d at |d| == delta */
            dZ[i] = d < -delta ? -norm * delta : d > delta ? norm * delta : norm * d;
    }
    return s;
}

/* BCEWithLogitsLoss: l = max(z, 0) - z y + log1p(exp(-|z|)), the stable
 * form of -[y log s(z) + (1-y) log(1 - s(z))]; grad (s(z) - y) / n.  The
 * sigmoid shares the one exp: s(z) = 1 / (1 + e) for z >= 0, e / (1 + e)
 * below, e = exp(-|z|), so exp never sees a positive argument.  With
 * log1p == NULL only the gradient is made, and the return value is the sum
 * of the terms' linear part max(z, 0) - z y: finite exactly when every loss
 * term is (the log1p part lies in [0, log 2]). */
static double bce_rows(const double *Z, const double *Y, size_t n, size_t NT, double *dZ, int with_log1p)
{
    double s = 0, norm = 1.0 / (double)NT;
    double e[LOSS_BLOCK], l[LOSS_BLOCK];
    for (size_t i0 = 0; i0 < n; i0 += LOSS_BLOCK) {
        size_t nb = n - i0 < LOSS_BLOCK ? n - i0 : LOSS_BLOCK;
        const double *z = Z + i0, *y = Y + i0;
        for (size_t i = 0; i < nb; i++)
            e[i] = -fabs(z[i]);
        vm_exp(e, e, nb);
        if (with_log1p)
            vm_log1p_unit(e, l, nb);
        for (size_t i = 0; i < nb; i++)
            s += (z[i] > 0 ? z[i] : 0.0) - z[i] * y[i] + (with_log1p ? l[i] : 0.0);
        if (dZ)
            for (size_t i = 0; i < nb; i++)
                dZ[i0 + i] = ((z[i] >= 0 ? 1.0 : e[i]) / (1.0 + e[i]) - y[i]) * norm;
    }
    return s;
}

/* Hinge written as torch.relu(1 - t z).mean() with t = 2y - 1 in {-1, +1}:
 * the subgradient at the kink t z == 1 is 0, as torch.relu's backward. */
static double loss_hinge(const double *Z, const double *Y, size_t n, size_t NT, double *dZ)
{
    double s = 0, norm = 1.0 / (double)NT;
    for (size_t i = 0; i < n; i++) {
        double t = 2.0 * Y[i] - 1.0, m = 1.0 - t * Z[i];
        s += m < 0 ? 0.0 : m; /* NaN stays NaN, as torch.relu */
        if (dZ)               /* torch's threshold_backward: 0 where relu's output <= 0 */
            dZ[i] = m <= 0 ? 0.0 : -t * norm;
    }
    return s;
}

/* loss_ce one row at a time, its classes in blocks: for k > LOSS_BLOCK. */
static double ce_wide(const double *Z, const double *Y, size_t n, size_t k, double norm, double *dZ)
{
    double s = 0;
    double t[LOSS_BLOCK]; /* a block of z_j - m, then of its exp (vmath.h) */
    for (size_t i = 0; i < n; i++) {
        const double *z = Z + i * k;
        double yc = Y[i];
        int valid = yc >= 0 && yc < (double)k && yc == floor(yc);
        size_t c = valid ? (size_t)yc : 0;
        double m = z[0];
        for (size_t j = 1; j < k; j++)
            if (z[j] > m || isnan(z[j]))
                m = z[j];
        double se = 0;
        for (size_t j0 = 0; j0 < k; j0 += LOSS_BLOCK) {
            size_t nb = k - j0 < LOSS_BLOCK ? k - j0 : LOSS_BLOCK;
            for (size_t j = 0; j < nb; j++)
                t[j] = z[j0 + j] - m;
            vm_exp(t, t, nb);
            for (size_t j = 0; j < nb; j++)
                se += t[j];
        }
        double lse = log(se);
        s += valid ? -((z[c] - m) - lse) : NAN;
        if (!dZ)
            continue;
        double *g = dZ + i * k;
        for (size_t j0 = 0; j0 < k; j0 += LOSS_BLOCK) {
            size_t nb = k - j0 < LOSS_BLOCK ? k - j0 : LOSS_BLOCK;
            for (size_t j = 0; j < nb; j++)
                t[j] = (z[j0 + j] - m) - lse;
            vm_exp(t, t, nb); /* p_j */
            for (size_t j = 0; j < nb; j++)
                g[j0 + j] = !valid ? NAN : j0 + j == c ? t[j] * norm - norm : t[j] * norm;
        }
    }
    return s;
}

/* CrossEntropyLoss on logits Z (n, k), Y (n, 1) class indices:
 * log p_c = z_c - m - log(sum_j exp(z_j - m)) with m = max_j z_j;
 * l = -mean_i log p_{y_i}; grad = (p - onehot) / n, computed as torch does
 * (p * (1/n) - onehot * (1/n)).  An index that is not an integer in
 * [0, k) gives NaN (loss and that row's gradient).  Rows go LOSS_BLOCK / k
 * at a time, so that one vm_exp call covers many rows (a call per row of
 * 10 classes cost more than the exps); vm_exp works element by element, so
 * the bits are those of a row at a time. */
static double loss_ce(const double *Z, const double *Y, size_t n, size_t k, size_t NT, double *dZ)
{
    double norm = 1.0 / (double)NT;
    if (k > LOSS_BLOCK)
        return ce_wide(Z, Y, n, k, norm, dZ);
    double s = 0;
    double t[LOSS_BLOCK], m[LOSS_BLOCK], lse[LOSS_BLOCK]; /* (R, k) block of z - m, then exp; per row m, lse */
    size_t R = LOSS_BLOCK / k;
    for (size_t i0 = 0; i0 < n; i0 += R) {
        size_t nr = n - i0 < R ? n - i0 : R;
        const double *zb = Z + i0 * k;
        for (size_t r = 0; r < nr; r++) {
            const double *z = zb + r * k;
            double mr = z[0];
            for (size_t j = 1; j < k; j++)
                if (z[j] > mr || isnan(z[j]))
                    mr = z[j];
            m[r] = mr;
            for (size_t j = 0; j < k; j++)
                t[r * k + j] = z[j] - mr;
        }
        vm_exp(t, t, nr * k);
        for (size_t r = 0; r < nr; r++) {
            const double *z = zb + r * k;
            double se = 0;
            for (size_t j = 0; j < k; j++)
                se += t[r * k + j];
            lse[r] = log(se);
            double yc = Y[i0 + r];
            int valid = yc >= 0 && yc < (double)k && yc == floor(yc);
            size_t c = valid ? (size_t)yc : 0;
            s += valid ? -((z[c] - m[r]) - lse[r]) : NAN;
        }
        if (!dZ)
            continue;
        for (size_t r = 0; r < nr; r++)
            for (size_t j = 0; j < k; j++)
                t[r * k + j] = (zb[r * k + j] - m[r]) - lse[r];
        vm_exp(t, t, nr * k); /* p */
        for (size_t r = 0; r < nr; r++) {
            double yc = Y[i0 + r];
            int valid = yc >= 0 && yc < (double)k && yc == floor(yc);
            size_t c = valid ? (size_t)yc : 0;
            double *g = dZ + (i0 + r) * k;
            for (size_t j = 0; j < k; j++)
                g[j] = !valid ? NAN : j == c ? t[r * k + j] * norm - norm : t[r * k + j] * norm;
        }
    }
    return s;
}

double loss_sum(const LossCfg *cfg, const double *Z, const double *Y, size_t n, size_t k, size_t ntotal, double *dZ)
{
    switch (cfg->kind) {
    case LOSS_MSE: return loss_mse(Z, Y, n * k, ntotal * k, dZ);
    case LOSS_MAE: return loss_mae(Z, Y, n * k, ntotal * k, dZ);
    case LOSS_HUBER: return loss_huber(Z, Y, n * k, ntotal * k, cfg->delta, dZ);
    case LOSS_BCE: return bce_rows(Z, Y, n * k, ntotal * k, dZ, 1);
    case LOSS_HINGE: return loss_hinge(Z, Y, n * k, ntotal * k, dZ);
    case LOSS_CE: return loss_ce(Z, Y, n, k, ntotal, dZ);
    }
    return NAN;
}

double loss_grad(const LossCfg *cfg, const double *Z, const double *Y, size_t n, size_t k, size_t ntotal, double *dZ)
{
    /* Only bce's value costs more than its gradient (log1p); the others share the work. */
    if (cfg->kind == LOSS_BCE)
        return bce_rows(Z, Y, n * k, ntotal * k, dZ, 0);
    return loss_sum(cfg, Z, Y, n, k, ntotal, dZ);
}

size_t loss_count(const LossCfg *cfg, size_t n, size_t k) { return cfg->kind == LOSS_CE ? n : n * k; }

double loss_eval(const LossCfg *cfg, const double *Z, const double *Y, size_t n, size_t k, double *dZ)
{
    /* The same arithmetic as before the split: sum, then one division by the count. */
    return loss_sum(cfg, Z, Y, n, k, n, dZ) / (double)loss_count(cfg, n, k);
}

const char *const loss_names[] = {"mse", "mae", "huber", "bce", "ce", "hinge", NULL};

const char *loss_name(LossKind k)
{
    return (unsigned)k <= LOSS_HINGE ? loss_names[k] : "?";
}

int loss_from_name(const char *name, LossKind *k)
{
    int i = fb_name_index(loss_names, name);
    if (i < 0)
        return -1;
    *k = (LossKind)i;
    return 0;
}

const char *loss_text(const LossCfg *cfg, int digits, char *buf, size_t size)
{
    char num[40];
    size_t len = (size_t)snprintf(buf, size, "%s", loss_name(cfg->kind));
    if (cfg->kind == LOSS_HUBER && len < size)
        len += (size_t)snprintf(buf + len, size - len, " delta=%s", fb_fmt(num, sizeof num, cfg->delta, digits));
    if (cfg->l1 != 0 && len < size)
        len += (size_t)snprintf(buf + len, size - len, " l1=%s", fb_fmt(num, sizeof num, cfg->l1, digits));
    if (cfg->l2 != 0 && len < size)
        snprintf(buf + len, size - len, " l2=%s", fb_fmt(num, sizeof num, cfg->l2, digits));
    return buf;
}
