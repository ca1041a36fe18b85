#!/usr/bin/env python3
"""Reference for `plot roc`: scikit-learn's ROC curve of a saved logistic model on a CSV.

Reads tests/fixtures/roc/data.csv (inputs a, b; target outcome, classes no < yes) and model.fbm (written by
fitbench: `load data.csv; model logistic; loss bce; optim sgd lr=0.1; train 20; save model model.fbm`, no
scaling, no terms), computes the scores as fitbench's plot roc does (the logit z = W x + b of class yes) in
numpy, and writes tests/fixtures/roc/roc.txt (tests/fixture_read.h format): roc (3, m) = fpr, tpr, thresholds
of sklearn.metrics.roc_curve(y, z, drop_intermediate=False), auc (1, 1) = roc_auc_score(y, z), and y, z (1, n).
The data has duplicated rows (tied scores) and one tie across the classes.  tests/test_plotroc.c compares
`load data.csv; load model model.fbm; plot roc` with it.
Usage: python3 tools/ref_roc.py   (python3-numpy, python3-sklearn)
"""
import csv
import os

import numpy as np
from sklearn.metrics import roc_auc_score, roc_curve

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "roc")


def read_model(path):
    lines = open(path).read().split("\n")
    i = lines.index([l for l in lines if l.startswith("params ")][0])
    params = [float(v) for v in lines[i + 1:i + 1 + int(lines[i].split()[1])]]
    assert "terms 0" in lines and "scale none" in lines and "model logistic" in lines
    return np.array(params[:2]), params[2]


def block(f, name, rows):
    rows = np.atleast_2d(np.asarray(rows, dtype=np.float64))
    f.write("%s %d %d\n" % (name, rows.shape[0], rows.shape[1]))
    for r in rows:
        f.write(" ".join("%.17g" % v for v in r) + "\n")


def main():
    with open(os.path.join(HERE, "data.csv"), newline="") as f:
        rows = list(csv.reader(f))[1:]
    X = np.array([[float(r[0]), float(r[1])] for r in rows])
    y = np.array([1 if r[2] == "yes" else 0 for r in rows])
    w, b = read_model(os.path.join(HERE, "model.fbm"))
    z = X[:, 0] * w[0] + X[:, 1] * w[1] + b
    fpr, tpr, thr = roc_curve(y, z, drop_intermediate=False)
    with open(os.path.join(HERE, "roc.txt"), "w") as f:
        f.write("# tools/ref_roc.py: sklearn roc_curve(drop_intermediate=False) and roc_auc_score of model.fbm on "
                "data.csv\n")
        block(f, "y", [y])
        block(f, "z", [z])
        block(f, "roc", np.stack([fpr, tpr, thr]))
        block(f, "auc", [roc_auc_score(y, z)])


if __name__ == "__main__":
    main()
