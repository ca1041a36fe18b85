#!/usr/bin/python3
"""ref_ridge.py — reference numbers for `solve` with `loss mse l2=` (tests/test_penalty.c), written to
tests/fixtures/penalty/ridge/.  Run:  /usr/bin/python3 tools/ref_ridge.py  (python3-sklearn, python3-mpmath).

The closed form.  fitbench's training loss with the penalty is (1/(n k)) sum (z - y)^2 + l2 sum W^2 (the mean
over n rows and k outputs, the weights only); with the optimizer's weight decay wd on every parameter, gradient
descent stops where, per output, (2/(n k)) X^T r + 2 l2 w + wd w = 0 and (2/(n k)) 1^T r + wd b = 0 (r the
residuals).  Times n k / 2 these are the normal equations of
    min ||X w + b - y||^2 + lw ||w||^2 + lb b^2,   lb = wd n k / 2,   lw = lb + l2 n k,
so l2 alone is scikit-learn's Ridge(alpha = n k l2) with its free (unpenalised, centred) intercept.

For every design of tests/fixtures/solve/designs (tools/ref_solve.py: collinear, duplicated and constant
columns, one-hot levels with the intercept, offsets of 1000 and 1e6, condition numbers up to 1e10, more
columns than rows, several outputs) this writes ridge/NAME.txt (tests/fixture_read.h's blocks):
    lwF (1,1)  FW (k,d) Fb (1,k)        Ridge(alpha=lwF) (free intercept): l2 = 0.05, wd = 0
    EFW (k,d) EFb (1,k)                 the exact answer (mpmath, 60 digits, from the same doubles)
    lwS lbS (1,1)  SW (k,d) Sb (1,k)    l2 = 0.05 and wd = 0.02: Ridge(alpha=lwS, fit_intercept=False,
                                        solver="svd") on [X c], c = sqrt(lwS / lbS), b = c * its coefficient
    ESW (k,d) ESb (1,k)                 the exact answer
and onehot_city_l2.txt: OneHotEncoder + StandardScaler + Ridge(alpha = n * 0.1) on
tests/fixtures/solve/onehot_city.csv, what `load onehot_city.csv onehot=city; scale standard; model linear;
loss mse l2=0.1; solve` must give: W (1,5), b (1,1), loss (1,1) (the mean squared error plus 0.1 sum W^2).
"""
import os
import sys

import mpmath as mp
import numpy as np
import sklearn
from sklearn.linear_model import Ridge
from sklearn.preprocessing import OneHotEncoder, StandardScaler

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ref_solve import mp_mat, rel, write_block  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DESIGNS = os.path.join(ROOT, "tests", "fixtures", "solve", "designs")
OUT = os.path.join(ROOT, "tests", "fixtures", "penalty", "ridge")
L2, WD = 0.05, 0.02


def read_blocks(path):
    toks = [t for line in open(path) if not line.startswith("#") for t in line.split()]
    out, i = {}, 0
    while i < len(toks):
        name, r, c = toks[i], int(toks[i + 1]), int(toks[i + 2])
        out[name] = np.array([float(v) for v in toks[i + 3:i + 3 + r * c]]).reshape(r, c)
        i += 3 + r * c
    return out


def exact(X, Y, lw, lb):
    """min ||X w + b - y||^2 + lw ||w||^2 + lb b^2 per output, in 60 digits: (A^T A + diag(lw.., lb)) t = A^T y."""
    n, d = X.shape
    A = mp_mat(np.hstack([X, np.ones((n, 1))]))
    G = A.T * A
    for i in range(d):
        G[i, i] += lw
    G[d, d] += lb
    R = A.T * mp_mat(Y)
    th = np.zeros((Y.shape[1], d + 1))
    for j in range(Y.shape[1]):
        t = mp.lu_solve(G, R.column(j))
        th[j] = [float(t[i]) for i in range(d + 1)]
    return th[:, :-1], th[:, -1]


def sk_free(X, Y, lw):
    r = Ridge(alpha=lw).fit(X, Y)
    return r.coef_.reshape(Y.shape[1], -1), np.atleast_1d(r.intercept_)


def sk_separate(X, Y, lw, lb):
    c = np.sqrt(lw / lb)
    r = Ridge(alpha=lw, fit_intercept=False, solver="svd").fit(np.hstack([X, np.full((X.shape[0], 1), c)]), Y)
    th = r.coef_.reshape(Y.shape[1], -1)
    return th[:, :-1], c * th[:, -1]


def onehot_city():
    import csv
    rows = list(csv.DictReader(open(os.path.join(ROOT, "tests", "fixtures", "solve", "onehot_city.csv"))))
    cities = np.array([r["city"] for r in rows])
    x1 = np.array([float(r["x1"]) for r in rows])
    x2 = np.array([float(r["x2"]) for r in rows])
    y = np.array([float(r["y"]) for r in rows])
    enc = OneHotEncoder(categories=[sorted(set(cities))]).fit(cities[:, None])
    X = StandardScaler().fit_transform(np.hstack([x1[:, None], enc.transform(cities[:, None]).toarray(),
                                                  x2[:, None]]))
    n, l2 = len(y), 0.1
    r = Ridge(alpha=n * l2).fit(X, y)
    loss = np.mean((X @ r.coef_ + r.intercept_ - y) ** 2) + l2 * np.sum(r.coef_ ** 2)
    with open(os.path.join(OUT, "onehot_city_l2.txt"), "w") as f:
        f.write("# onehot_city.csv, l2=0.1: OneHotEncoder + StandardScaler + Ridge(alpha=n*0.1) "
                "(tools/ref_ridge.py, scikit-learn %s)\n" % sklearn.__version__)
        for name, a in (("W", r.coef_[None, :]), ("b", [[r.intercept_]]), ("loss", [[loss]])):
            write_block(f, name, a)


def main():
    mp.mp.dps = 60
    os.makedirs(OUT, exist_ok=True)
    names = [s.strip() for s in open(os.path.join(DESIGNS, "LIST")) if s.strip()]
    for name in names:
        B = read_blocks(os.path.join(DESIGNS, name + ".txt"))
        X, Y = B["X"], B["Y"]
        n, k = X.shape[0], Y.shape[1]
        lwF = L2 * n * k
        FW, Fb = sk_free(X, Y, lwF)
        EFW, EFb = exact(X, Y, lwF, 0.0)
        lbS = WD * n * k / 2
        lwS = lbS + L2 * n * k
        SW, Sb = sk_separate(X, Y, lwS, lbS)
        ESW, ESb = exact(X, Y, lwS, lbS)
        with open(os.path.join(OUT, name + ".txt"), "w") as f:
            f.write("# %s: ridge with l2=%g (free intercept) and with l2=%g, wd=%g; tools/ref_ridge.py "
                    "(scikit-learn %s)\n" % (name, L2, L2, WD, sklearn.__version__))
            for bname, a in (("lwF", [[lwF]]), ("FW", FW), ("Fb", [Fb]), ("EFW", EFW), ("EFb", [EFb]),
                             ("lwS", [[lwS]]), ("lbS", [[lbS]]), ("SW", SW), ("Sb", [Sb]), ("ESW", ESW),
                             ("ESb", [ESb])):
                write_block(f, bname, a)
        print("%-36s sklearn vs exact: free W %.1e b %.1e  separate W %.1e b %.1e" % (
            name, rel(FW, EFW), rel(Fb, EFb), rel(SW, ESW), rel(Sb, ESb)), file=sys.stderr)
    with open(os.path.join(OUT, "LIST"), "w") as f:
        f.write("".join(n + "\n" for n in names))
    onehot_city()


main()
