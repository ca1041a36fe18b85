#!/usr/bin/python3
"""Reference numbers for `compare ... cv=K` and its pictures, plot validation and plot learning (run with Debian's
python3: /usr/bin/python3 tools/ref_curves.py; needs python3-sklearn, python3-torch, python3-numpy).  Writes
tests/fixtures/curves/curves.txt; tests/cli/compare_ref.sh runs the same in fitbench and asserts agreement
(1e-9 relative).

The trainer is tools/ref_cv.py's: a plain PyTorch loop in float64, full batch, from zeros, behind a
StandardScaler fitted on the training rows it is given; here it is wrapped as a scikit-learn estimator so that
sklearn.model_selection.validation_curve and learning_curve (shuffle=False) drive it over the folds that `cv`
uses (StratifiedKFold for a classifier, KFold otherwise).  learning_curve's sizes are its own: int(F * m) of
the m training rows of each fold, at least 1 — what `compare train_size=F cv=K` trains on.

curves.txt: per line "CASE VALUE ROWS train_mean train_std val_mean val_std": the score (accuracy, or r2) on
each fold's training and validation rows, its mean and its standard deviation over the folds (numpy, ddof=0);
ROWS is the training rows (learning_curve's train_sizes_abs; for a validation curve the mean over the folds).
"""
import os

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import KFold, StratifiedKFold, learning_curve, validation_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "tests", "fixtures", "curves")
os.makedirs(out, exist_ok=True)
torch.set_default_dtype(torch.float64)


class TorchLinear(BaseEstimator):
    """torch.nn.Linear from zeros, trained `epochs` full-batch steps of `optim` (sgd with momentum, or adam) at lr
    with weight_decay, as tools/ref_cv.py's loop; classes > 0: cross-entropy and accuracy, else mse and r2."""

    def __init__(self, classes=0, optim="sgd", lr=0.1, momentum=0.0, weight_decay=0.0, epochs=10):
        self.classes, self.optim, self.lr, self.momentum = classes, optim, lr, momentum
        self.weight_decay, self.epochs = weight_decay, epochs

    def fit(self, X, y):
        X = torch.tensor(X)
        self.lin_ = torch.nn.Linear(X.shape[1], self.classes or 1)
        torch.nn.init.zeros_(self.lin_.weight)
        torch.nn.init.zeros_(self.lin_.bias)
        p = self.lin_.parameters()
        if self.optim == "sgd":
            opt = torch.optim.SGD(p, lr=self.lr, momentum=self.momentum, weight_decay=self.weight_decay)
        else:
            opt = torch.optim.Adam(p, lr=self.lr, weight_decay=self.weight_decay)
        if self.classes:
            lossf, yt = torch.nn.CrossEntropyLoss(), torch.tensor(y).long()
        else:
            lossf, yt = torch.nn.MSELoss(), torch.tensor(y).reshape(-1, 1)
        for _ in range(self.epochs):
            opt.zero_grad()
            lossf(self.lin_(X), yt).backward()
            opt.step()
        return self

    def score(self, X, y):
        with torch.no_grad():
            z = self.lin_(torch.tensor(X))
        if self.classes:
            return accuracy_score(y, z.argmax(1).numpy())
        return r2_score(y, z.numpy())


def load(name):
    """X, y of a shipped dataset; a text target numbered in order of first appearance, as fitbench does."""
    raw = np.genfromtxt(os.path.join(root, "datasets", name + ".csv"), delimiter=",", skip_header=1, dtype=str,
                        encoding="utf-8")
    X = raw[:, :-1].astype(float)
    try:
        return X, raw[:, -1].astype(float)
    except ValueError:
        names = list(dict.fromkeys(raw[:, -1]))
        return X, np.array([names.index(v) for v in raw[:, -1]])


def rows_of(cv, X, y):
    return np.mean([len(tr) for tr, _ in cv.split(X, y)])


def validation(name, X, y, est, cv, param, values):
    tr, va = validation_curve(make_pipeline(StandardScaler(), est), X, y, param_name="torchlinear__" + param,
                              param_range=values, cv=cv)
    n = rows_of(cv, X, y)
    return [(name, v, n, tr[i].mean(), tr[i].std(), va[i].mean(), va[i].std()) for i, v in enumerate(values)]


def learning(name, X, y, est, cv, sizes):
    n, tr, va = learning_curve(make_pipeline(StandardScaler(), est), X, y, train_sizes=sizes, cv=cv, shuffle=False)
    return [(name, f, n[i], tr[i].mean(), tr[i].std(), va[i].mean(), va[i].std()) for i, f in enumerate(sizes)]


Xi, yi = load("iris")
Xd, yd = load("diabetes")
lines = []
# compare lr=0.01,0.1,1 cv=5 epochs=20 (model softmax, optim sgd momentum=0.9)
lines += validation("iris_lr", Xi, yi, TorchLinear(3, "sgd", 0.1, 0.9, 0.0, 20), StratifiedKFold(5), "lr",
                    [0.01, 0.1, 1.0])
# compare weight_decay=0.01,1,10 cv=3 epochs=60 (model linear, optim adam lr=5)
lines += validation("diabetes_wd", Xd, yd, TorchLinear(0, "adam", 5.0, 0.0, 0.0, 60), KFold(3), "weight_decay",
                    [0.01, 1.0, 10.0])
# compare train_size=0.25,0.5,1 cv=3 epochs=60 (model linear, optim adam lr=5)
lines += learning("diabetes_size", Xd, yd, TorchLinear(0, "adam", 5.0, 0.0, 0.0, 60), KFold(3), [0.25, 0.5, 1.0])
# compare train_size=0.1,0.3,1 cv=5 epochs=20 (model softmax, optim sgd lr=0.1 momentum=0.9)
lines += learning("iris_size", Xi, yi, TorchLinear(3, "sgd", 0.1, 0.9, 0.0, 20), StratifiedKFold(5),
                  [0.1, 0.3, 1.0])
with open(os.path.join(out, "curves.txt"), "w") as f:
    f.write("# made by tools/ref_curves.py: CASE VALUE ROWS train_mean train_std val_mean val_std "
            "(scikit-learn %s validation_curve / learning_curve, PyTorch %s float64)\n"
            % (__import__("sklearn").__version__, torch.__version__))
    for line in lines:
        f.write("%s %.17g %.17g %s\n" % (line[0], line[1], line[2], " ".join("%.17g" % v for v in line[3:])))
print(open(os.path.join(out, "curves.txt")).read())
