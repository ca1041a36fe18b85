#!/usr/bin/python3
"""Reference numbers for `solve`, written to tests/fixtures/solve/ (run with Debian's python3).

For each dataset: scikit-learn's LinearRegression().fit on the raw file (target = last column), and the
ridge point that gradient descent with weight_decay=wd on every parameter (bias included) converges to:
    (A^T A + (wd * n / 2) I) theta = A^T y,   A = [X 1]
solved by numpy in float64.  File format, one number per line, %.17g:
    n d / train_mse / intercept / d coefficients / ridge_wd / ridge intercept / d ridge coefficients
"""
import os
import sys

import numpy as np
from sklearn.linear_model import LinearRegression

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "tests", "fixtures", "solve")
os.makedirs(out, exist_ok=True)
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
