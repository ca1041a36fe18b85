#!/usr/bin/python3
"""Reference numbers for `cv` (run with Debian's python3: /usr/bin/python3 tools/ref_cv.py; needs python3-sklearn,
python3-torch, python3-numpy).  Writes two files into tests/fixtures/cv/:

folds.txt (tests/fixture_read.h format): for each case NAME, "NAME_y" (1, n) the class labels (absent for KFold),
  "NAME_k" (1, 1) the number of folds, "NAME_fold" (1, n) the test fold of every row as
  sklearn.model_selection.KFold / StratifiedKFold (shuffle=False) give it.  Awkward cases on purpose: n not a
  multiple of k, classes first seen out of order, very unequal classes, a class with exactly k rows.

runs.txt: per line "CASE FOLD train_loss val_loss train_score val_score" for whole cross-validations run the
  way `cv` runs them (tests/cli/cv.sh runs the same in fitbench): the folds from StratifiedKFold / KFold, the
  scaler (StandardScaler) fitted on each fold's training rows, the model trained from the same start (zeros) by
  a plain PyTorch loop in float64, full batch, then the loss and the score (accuracy, or r2_score) on the fold's
  training and validation rows.
"""
import os

import numpy as np
import torch
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "tests", "fixtures", "cv")
os.makedirs(out, exist_ok=True)
torch.set_default_dtype(torch.float64)


def block(f, name, a):
    a = np.atleast_2d(np.asarray(a, dtype=float))
    f.write("%s %d %d\n" % (name, a.shape[0], a.shape[1]))
    for row in a:
        f.write(" ".join("%.17g" % v for v in row) + "\n")


def test_folds(splitter, n, y):
    fold = np.full(n, -1)
    for i, (_, te) in enumerate(splitter.split(np.zeros((n, 1)), y)):
        fold[te] = i
    assert (fold >= 0).all()
    return fold


rng = np.random.default_rng(13)
cases = [
    ("kfold_10_3", 10, 3, None),
    ("kfold_150_5", 150, 5, None),
    ("kfold_7_7", 7, 7, None),
    ("kfold_101_4", 101, 4, None),
    ("strat_sorted", 150, 5, np.repeat([0, 1, 2], 50)),
    ("strat_unequal", 43, 4, np.array([2] * 5 + [0] * 30 + [1] * 8)[rng.permutation(43)]),
    ("strat_first_seen", 23, 3, np.array([2, 1, 2, 0, 0, 1, 2, 2, 0, 1, 1, 0, 2, 0, 1, 1, 2, 0, 0, 2, 1, 0, 2])),
    ("strat_exactly_k", 20, 4, np.array([1] * 4 + [0] * 16)[rng.permutation(20)]),
    ("strat_binary_odd", 37, 5, rng.integers(0, 2, 37)),
]
with open(os.path.join(out, "folds.txt"), "w") as f:
    f.write("# made by tools/ref_cv.py (scikit-learn %s KFold / StratifiedKFold, shuffle=False)\n"
            % __import__("sklearn").__version__)
    for name, n, k, y in cases:
        if y is None:
            fold = test_folds(KFold(k), n, None)
        else:
            fold = test_folds(StratifiedKFold(k), n, y)
            block(f, name + "_y", y)
        block(f, name + "_k", [k])
        block(f, name + "_fold", fold)


def load(name):
    path = os.path.join(root, "datasets", name + ".csv")
    a = np.genfromtxt(path, delimiter=",", skip_header=1, dtype=float, encoding="utf-8")
    return a[:, :-1], a[:, -1]


def run_case(X, y, splitter, classes, make_opt, epochs):
    """Per fold: (train_loss, val_loss, train_score, val_score)."""
    rows = []
    for tr, va in splitter.split(X, y if classes else None):
        sc = StandardScaler().fit(X[tr])
        Xt, Xv = (torch.tensor(sc.transform(X[i])) for i in (tr, va))
        k = classes or 1
        lin = torch.nn.Linear(X.shape[1], k)
        torch.nn.init.zeros_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        opt = make_opt(lin.parameters())
        if classes:
            lossf = torch.nn.CrossEntropyLoss()
            yt, yv = (torch.tensor(y[i]).long() for i in (tr, va))
        else:
            lossf = torch.nn.MSELoss()
            yt, yv = (torch.tensor(y[i]).reshape(-1, 1) for i in (tr, va))
        for _ in range(epochs):
            opt.zero_grad()
            lossf(lin(Xt), yt).backward()
            opt.step()
        with torch.no_grad():
            zt, zv = lin(Xt), lin(Xv)
            lt, lv = lossf(zt, yt).item(), lossf(zv, yv).item()
            if classes:
                st = accuracy_score(yt.numpy(), zt.argmax(1).numpy())
                sv = accuracy_score(yv.numpy(), zv.argmax(1).numpy())
            else:
                st, sv = r2_score(yt.numpy(), zt.numpy()), r2_score(yv.numpy(), zv.numpy())
        rows.append((lt, lv, st, sv))
    return rows


# The iris CSV's target is text: its classes are numbered in order of first appearance, as fitbench does.
raw = np.genfromtxt(os.path.join(root, "datasets", "iris.csv"), delimiter=",", skip_header=1, dtype=str,
                    encoding="utf-8")
Xi = raw[:, :-1].astype(float)
names = list(dict.fromkeys(raw[:, -1]))
yi = np.array([names.index(v) for v in raw[:, -1]])
Xd, yd = load("diabetes")
runs = [
    ("iris_softmax", run_case(Xi, yi, StratifiedKFold(5), 3,
                              lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), 20)),
    ("diabetes_linear", run_case(Xd, yd, KFold(3), 0, lambda p: torch.optim.Adam(p, lr=5), 60)),
]
with open(os.path.join(out, "runs.txt"), "w") as f:
    f.write("# made by tools/ref_cv.py: CASE FOLD train_loss val_loss train_score val_score (PyTorch %s, float64)\n"
            % torch.__version__)
    for name, rows in runs:
        for i, r in enumerate(rows):
            f.write("%s %d %s\n" % (name, i + 1, " ".join("%.17g" % v for v in r)))
print(open(os.path.join(out, "runs.txt")).read())
