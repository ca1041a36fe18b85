#!/usr/bin/python3
"""Reference numbers for `solve`, written to tests/fixtures/solve/ (run with Debian's python3:
/usr/bin/python3 tools/ref_solve.py; needs python3-sklearn and python3-mpmath).

1. boston.txt, diabetes.txt: scikit-learn's LinearRegression().fit on the raw file (target = last column),
   and the ridge point that gradient descent with weight_decay=wd on every parameter (bias included)
   converges to:  (A^T A + (wd * n / 2) I) theta = A^T y,  A = [X 1].  One number per line, %.17g:
       n d / train_mse / intercept / d coefficients / ridge_wd / ridge intercept / d ridge coefficients

2. designs/NAME.txt, one per generated design (designs/LIST names them): the data and what
   scikit-learn returns on it, in tests/fixture_read.h's format (blocks "NAME ROWS COLS" + numbers):
       X (n, d)  Y (n, k)
       W (k, d)  b (1, k)  P (n, k)   least squares: LinearRegression's coef_, intercept_, predict(X)
       rank (1, 1)                    numerical rank of the centred X (sklearn's rank_)
       lam (1, 1)                     a ridge penalty lambda
       RW (k, d) Rb (1, k) RP (n, k)  Ridge(alpha=lam, fit_intercept=False, solver="svd") on [X 1]:
                                      the bias is penalised like every weight, which is what fitbench's
                                      solve with weight_decay=wd computes for lam = wd * n * k / 2
                                      (docs/math.md)
   LinearRegression's cut-off for small singular values: scikit-learn >= 1.4 calls
   scipy.linalg.lstsq(Xc, yc, cond=eps * max(n, d)), numpy.linalg.lstsq's default, which drops the
   rounding-level singular values of a rank-deficient design.  Older versions (Debian 12 has 1.2/1.3)
   pass no cond, i.e. eps, and on such designs return weights ~1e13; for them this script makes the
   same call as 1.4 does, written out in sk_linear below.

Each file also holds the exact answers, computed with mpmath in 60 digits from the same doubles X, Y:
       EW (k, d) Eb (1, k) EP (n, k)  the minimum-norm least-squares solution with LinearRegression's rank
       ERW (k, d) ERb (1, k) ERP (n, k)  the ridge solution
       cond (1, 1)                    s_max / s_rank of the centred X (numpy's SVD)
scikit-learn's answers are within ~1e-15 * cond of them (printed when this runs): where cond is large
(1e8, 1e10 in the generic designs) no double-precision method, scikit-learn's included, gets the
coefficients to 1e-9, and tests/test_linalg.c says what it asserts there.
"""
import os
import sys

import mpmath as mp
import numpy as np
import scipy.linalg
import sklearn
from sklearn.linear_model import LinearRegression, Ridge

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "tests", "fixtures", "solve")
os.makedirs(os.path.join(out, "designs"), exist_ok=True)
EPS = np.finfo(float).eps


def datasets():
    WD = 0.1
    for name in ["boston", "diabetes"]:
        data = np.loadtxt(os.path.join(root, "datasets", name + ".csv"), delimiter=",", skiprows=1)
        X, y = data[:, :-1], data[:, -1]
        n, d = X.shape
        lr = LinearRegression().fit(X, y)
        mse = float(np.mean((lr.predict(X) - y) ** 2))
        A = np.hstack([X, np.ones((n, 1))])
        theta = np.linalg.solve(A.T @ A + (WD * n / 2) * np.eye(d + 1), A.T @ y)
        with open(os.path.join(out, name + ".txt"), "w") as f:
            w = lambda v: f.write("%.17g\n" % v)
            f.write("%d %d\n" % (n, d))
            w(mse)
            w(lr.intercept_)
            for c in lr.coef_:
                w(c)
            w(WD)
            w(theta[-1])
            for c in theta[:-1]:
                w(c)
        print(name, "mse", mse, file=sys.stderr)


def sk_version():
    return tuple(int(p) for p in sklearn.__version__.split(".")[:2])


def sk_linear(X, Y):
    """LinearRegression().fit(X, Y) as scikit-learn >= 1.4 computes it: (coef (k, d), intercept (k), rank)."""
    if sk_version() >= (1, 4):
        lr = LinearRegression().fit(X, Y)
        return lr.coef_.reshape(Y.shape[1], -1), np.ravel(lr.intercept_), lr.rank_
    # sklearn 1.4's LinearRegression.fit on dense input without sample weights: _preprocess_data
    # centres X and y by their means, then linalg.lstsq(X, y, cond=max(X.shape) * eps).
    xm, ym = X.mean(axis=0), Y.mean(axis=0)
    coef, _, rank, _ = scipy.linalg.lstsq(X - xm, Y - ym, cond=max(X.shape) * EPS)
    coef = coef.T
    return coef, ym - coef @ xm, rank


def sk_ridge(X, Y, lam):
    A = np.hstack([X, np.ones((X.shape[0], 1))])
    r = Ridge(alpha=lam, fit_intercept=False, solver="svd").fit(A, Y)
    th = r.coef_.reshape(Y.shape[1], -1)
    return th[:, :-1], th[:, -1]


def mp_mat(a):
    return mp.matrix([[mp.mpf(float(v)) for v in row] for row in np.atleast_2d(a)])


def exact_linear(X, Y, rank):
    """Minimum-norm least squares with intercept, in 60 digits, keeping `rank` singular values."""
    n, d = X.shape
    A = mp_mat(X)
    xm = [mp.fsum(A[i, j] for i in range(n)) / n for j in range(d)]
    for i in range(n):
        for j in range(d):
            A[i, j] -= xm[j]
    U, S, V = mp.svd_r(A)
    k = Y.shape[1]
    W = np.zeros((k, d))
    b = np.zeros(k)
    P = np.zeros((n, k))
    for j in range(k):
        y = [mp.mpf(float(v)) for v in Y[:, j]]
        ym = mp.fsum(y) / n
        w = [mp.mpf(0)] * d
        for r in range(rank):
            coef = mp.fsum(U[i, r] * (y[i] - ym) for i in range(n)) / S[r]
            for c in range(d):
                w[c] += coef * V[r, c]
        W[j] = [float(v) for v in w]
        b[j] = float(ym - mp.fsum(xm[c] * w[c] for c in range(d)))
        X0 = mp_mat(X)
        P[:, j] = [float(ym + mp.fsum((X0[i, c] - xm[c]) * w[c] for c in range(d))) for i in range(n)]
    return W, b, P


def exact_ridge(X, Y, lam):
    n, d = X.shape
    A = mp_mat(np.hstack([X, np.ones((n, 1))]))
    G = A.T * A
    for i in range(d + 1):
        G[i, i] += lam
    R = A.T * mp_mat(Y)
    th = np.zeros((Y.shape[1], d + 1))
    P = np.zeros((n, Y.shape[1]))
    for j in range(Y.shape[1]):
        t = mp.lu_solve(G, R.column(j))
        th[j] = [float(t[i]) for i in range(d + 1)]
        P[:, j] = [float(v) for v in A * t]
    return th[:, :-1], th[:, -1], P


def rel(a, b):
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(b)), 1e-300))


def onehot(codes, levels):
    return (codes[:, None] == np.arange(levels)[None, :]).astype(float)


def with_svals(rng, n, d, cond):
    U, _ = np.linalg.qr(rng.standard_normal((n, d)))
    V, _ = np.linalg.qr(rng.standard_normal((d, d)))
    s = np.geomspace(1.0, 1.0 / cond, d) * np.sqrt(n)
    return (U * s) @ V.T


def designs():
    """(name, X (n, d), Y (n, k)) spanning the cases of issue 12."""
    rng = np.random.default_rng(20240612)
    D = []

    def target(X, k=1, noise=0.5, w=None):
        W = rng.standard_normal((X.shape[1], k)) if w is None else w
        return X @ W + 3.0 + noise * rng.standard_normal((X.shape[0], k))

    X = rng.standard_normal((50, 5)); D.append(("well_conditioned", X, target(X)))
    X = rng.standard_normal((50, 5)); D.append(("well_conditioned_k3", X, target(X, 3)))
    X = rng.standard_normal((7, 1)); D.append(("one_feature_seven_rows", X, target(X)))
    X = rng.standard_normal((9, 8)); D.append(("n_is_d_plus_1", X, target(X)))
    X = rng.standard_normal((30, 4)); D.append(("exact_fit", X, target(X, noise=0.0)))
    X = rng.integers(0, 20, (40, 3)).astype(float); D.append(("integer_counts", X, target(X)))
    # One-hot with every level and the intercept: the normal case of rank deficiency.
    c = rng.integers(0, 3, 60)
    X = np.hstack([rng.standard_normal((60, 2)), onehot(c, 3)])
    D.append(("onehot_all_levels", X, target(X)))
    c1, c2 = rng.integers(0, 3, 80), rng.integers(0, 4, 80)
    X = np.hstack([rng.standard_normal((80, 1)), onehot(c1, 3), onehot(c2, 4)])
    D.append(("onehot_two_columns", X, target(X)))
    c = rng.integers(0, 4, 70)
    X = np.hstack([onehot(c, 4), rng.standard_normal((70, 2))])
    D.append(("onehot_k2", X, target(X, 2)))
    c = rng.integers(0, 3, 60)
    X = np.hstack([1000 + rng.standard_normal((60, 1)), onehot(c, 3)])
    D.append(("onehot_and_offset", X, target(X)))
    c = rng.integers(0, 5, 200)
    X = np.hstack([rng.standard_normal((200, 3)) * [1, 10, 100], onehot(c, 5)])
    D.append(("onehot_scaled", X, target(X)))
    X = rng.standard_normal((40, 3)); X = np.hstack([X, X[:, 1:2]]); D.append(("duplicated_column", X, target(X)))
    X = rng.standard_normal((40, 3)); X = np.hstack([X, 3 * X[:, :1]]); D.append(("scaled_copy", X, target(X)))
    X = rng.standard_normal((40, 3)); X = np.hstack([X, X[:, :1] + X[:, 2:3]])
    D.append(("sum_of_two_columns", X, target(X, 2)))
    X = rng.standard_normal((40, 3)); X = np.hstack([X, np.full((40, 1), 7.0)])
    D.append(("constant_column", X, target(X)))
    X = rng.standard_normal((12, 20)); D.append(("more_columns_than_rows", X, target(X)))
    X = rng.standard_normal((6, 9)); D.append(("more_columns_than_rows_k3", X, target(X, 3)))
    X = rng.standard_normal((10, 9)); D.append(("d_is_n_minus_1", X, target(X)))
    for e in [2, 4, 6, 8, 10]:
        X = with_svals(rng, 100, 8, 10.0 ** e)
        D.append(("cond_1e%d" % e, X, target(X)))
    X = with_svals(rng, 100, 6, 1e10); D.append(("cond_1e10_k2", X, target(X, 2)))
    x = rng.standard_normal((100, 1))
    X = np.hstack([x, x + 1e-6 * rng.standard_normal((100, 1)), rng.standard_normal((100, 2))])
    D.append(("nearly_collinear_1e-6", X, target(X)))
    X = 1000 + rng.standard_normal((100, 4)); D.append(("offset_1000", X, target(X)))
    X = 1000 + 0.01 * rng.standard_normal((100, 3)); D.append(("offset_1000_small_noise", X, target(X)))
    X = 1e6 + rng.standard_normal((100, 3)); D.append(("offset_1e6", X, target(X)))
    X = 1000 + rng.standard_normal((100, 3)); D.append(("offset_1000_k3", X, target(X, 3)))
    X = rng.standard_normal((100, 5)) * np.array([1e-4, 1e-2, 1, 1e2, 1e4])
    D.append(("badly_scaled", X, target(X, w=rng.standard_normal((5, 1)) / np.array([[1e-4], [1e-2], [1], [1e2], [1e4]]))))
    X = 1000 + rng.standard_normal((100, 3)) * np.array([1e-3, 1, 1e3])
    D.append(("badly_scaled_offset", X, target(X)))
    X = rng.standard_normal((100, 5)) * np.array([1e-5, 1e-2, 1, 1e2, 1e5])
    D.append(("badly_scaled_1e10", X, target(X, w=rng.standard_normal((5, 1)) / np.array([[1e-5], [1e-2], [1], [1e2], [1e5]]))))
    X = with_svals(rng, 100, 8, 1e10); D.append(("cond_1e10_exact_fit", X, target(X, noise=0.0)))
    x = rng.uniform(0, 10, (60, 1)); X = np.hstack([x ** p for p in range(1, 6)])
    D.append(("polynomial_degree5", X, target(X, w=rng.standard_normal((5, 1)) / 10.0 ** np.arange(5)[:, None])))
    X = rng.standard_normal((2000, 10)); D.append(("tall_2000x10", X, target(X)))
    X = with_svals(rng, 60, 5, 1e6); X = np.hstack([X, X[:, :2] @ [[1.0], [-2.0]]])
    D.append(("rank_deficient_and_ill_conditioned", X, target(X)))
    return D


def write_block(f, name, a):
    a = np.atleast_2d(np.asarray(a, dtype=float))
    f.write("%s %d %d\n" % (name, a.shape[0], a.shape[1]))
    for row in a:
        f.write(" ".join("%.17g" % v for v in row) + "\n")


def onehot_csv():
    """onehot_city.csv (x1, city, x2, y) and onehot_city.txt: what scikit-learn makes of
    load onehot_city.csv onehot=city; scale standard; model linear; loss mse; solve
    i.e. OneHotEncoder (every level, sorted, in the place of the column), StandardScaler on every
    feature, LinearRegression (sk_linear); arrays W (1, 5), b (1, 1), P (n, 1), mse (1, 1)."""
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    rng = np.random.default_rng(7)
    n = 90
    cities = np.array(["Rome", "Paris", "Milan"])[rng.integers(0, 3, n)]
    x1 = np.round(rng.normal(10, 3, n), 4)
    x2 = np.round(rng.normal(0, 1, n), 4)
    effect = {"Milan": 2.0, "Paris": -1.0, "Rome": 0.5}
    y = np.round(1.5 * x1 - 2 * x2 + np.array([effect[c] for c in cities]) + rng.normal(0, 0.3, n), 4)
    with open(os.path.join(out, "onehot_city.csv"), "w") as f:
        f.write("x1,city,x2,y\n")
        for i in range(n):
            f.write("%.4f,%s,%.4f,%.4f\n" % (x1[i], cities[i], x2[i], y[i]))
    enc = OneHotEncoder(categories=[sorted(effect)]).fit(cities[:, None])
    X = np.hstack([x1[:, None], enc.transform(cities[:, None]).toarray(), x2[:, None]])
    Xs = StandardScaler().fit_transform(X)
    W, b, rank = sk_linear(Xs, y[:, None])
    P = Xs @ W.T + b
    with open(os.path.join(out, "onehot_city.txt"), "w") as f:
        f.write("# onehot_city.csv: OneHotEncoder + StandardScaler + LinearRegression (rank %d of 5)\n" % rank)
        for bname, arr in [("W", W), ("b", b), ("P", P), ("mse", [[np.mean((P[:, 0] - y) ** 2)]])]:
            write_block(f, bname, arr)


def main():
    datasets()
    onehot_csv()
    mp.mp.dps = 60
    names = []
    for name, X, Y in designs():
        n, d = X.shape
        k = Y.shape[1]
        W, b, rank = sk_linear(X, Y)
        P = X @ W.T + b
        lam = 0.05 * n * k / 2
        RW, Rb = sk_ridge(X, Y, lam)
        RP = X @ RW.T + Rb
        eW, eb, eP = exact_linear(X, Y, rank)
        sv = np.linalg.svd(X - X.mean(axis=0), compute_uv=False)
        cond = sv[0] / sv[rank - 1]
        eRW, eRb, eRP = exact_ridge(X, Y, lam)
        with open(os.path.join(out, "designs", name + ".txt"), "w") as f:
            f.write("# %s: n=%d d=%d k=%d rank=%d, made by tools/ref_solve.py (scikit-learn %s)\n"
                    % (name, n, d, k, rank, sklearn.__version__))
            for bname, arr in [("X", X), ("Y", Y), ("W", W), ("b", b), ("P", P), ("rank", [[rank]]),
                               ("lam", [[lam]]), ("RW", RW), ("Rb", Rb), ("RP", RP),
                               ("EW", eW), ("Eb", eb), ("EP", eP), ("ERW", eRW), ("ERb", eRb), ("ERP", eRP),
                               ("cond", [[cond]])]:
                write_block(f, bname, arr)
        names.append(name)
        print("%-36s n=%4d d=%2d k=%d rank=%2d cond %.1e  sklearn vs exact: P %.1e W %s ridge %.1e" % (
            name, n, d, k, rank, cond, rel(P, eP), "%.1e" % rel(W, eW) if rank == d else "  -    ",
            rel(RW, eRW)), "ridge b %.1e" % rel(Rb, eRb),
            file=sys.stderr)
    with open(os.path.join(out, "designs", "LIST"), "w") as f:
        f.write("".join(n + "\n" for n in names))


if __name__ == "__main__":  # tools/ref_ridge.py imports its helpers
    main()
