#!/usr/bin/python3
"""Reference numbers for per-class precision, recall and F1 with macro and weighted averages, and the ROC curve and
its area (src/learn/roc.c), written to tests/fixtures/report/cases.txt in tests/fixture_read.h's format (run with
Debian's python3: /usr/bin/python3 tools/ref_report.py; needs python3-sklearn).

Per classification case NAME (K classes): NAME_truth, NAME_pred (1, n); NAME_prf (4, K) precision, recall, F1,
support from precision_recall_fscore_support(average=None, labels=range(K), zero_division=0); NAME_avg (2, 3) the
macro and weighted precision, recall, F1 (average='macro' / 'weighted', zero_division=0, sklearn's own labels).
Per binary case NAME: NAME_y, NAME_s (1, n); NAME_roc (3, m) fpr, tpr, thresholds of
roc_curve(drop_intermediate=False); NAME_auc (1, 1) roc_auc_score.
"""
import os

import numpy as np
from sklearn.metrics import precision_recall_fscore_support, roc_auc_score, roc_curve

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, "tests", "fixtures", "report")
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(21)


def block(f, name, a):
    a = np.atleast_2d(np.asarray(a, dtype=float))
    f.write("%s %d %d\n" % (name, a.shape[0], a.shape[1]))
    for row in a:
        f.write(" ".join("%.17g" % v for v in row) + "\n")


cls_cases = {
    "three": (3, rng.integers(0, 3, 60), None),
    "never_predicted": (4, rng.integers(0, 4, 50), lambda p: np.where(p == 3, 0, p)),  # class 3 never predicted
    "absent_class": (5, np.where(rng.integers(0, 4, 40) == 2, 1, rng.integers(0, 4, 40)), None),  # class 4 nowhere
    "perfect": (2, np.array([0, 1, 1, 0, 1]), lambda p: p),
}
bin_cases = {
    "distinct": (rng.integers(0, 2, 40), rng.standard_normal(40)),
    "ties": (rng.integers(0, 2, 60), np.round(rng.standard_normal(60), 1)),
    "all_tied": (np.array([0, 1, 0, 1, 1]), np.zeros(5)),
    "separable": (np.array([0, 0, 1, 1]), np.array([-2.0, -1.0, 3.0, 4.0])),
}
with open(os.path.join(out, "cases.txt"), "w") as f:
    f.write("# made by tools/ref_report.py (scikit-learn %s)\n" % __import__("sklearn").__version__)
    for name, (K, truth, predf) in cls_cases.items():
        pred = predf(truth.copy()) if predf else rng.integers(0, K, len(truth))
        if name == "three":
            pred = np.where(rng.random(len(truth)) < 0.6, truth, pred)
        block(f, name + "_truth", truth)
        block(f, name + "_pred", pred)
        p, r, f1, sup = precision_recall_fscore_support(truth, pred, labels=range(K), average=None, zero_division=0)
        block(f, name + "_prf", np.stack([p, r, f1, sup]))
        avg = [precision_recall_fscore_support(truth, pred, average=a, zero_division=0)[:3]
               for a in ("macro", "weighted")]
        block(f, name + "_avg", avg)
    for name, (y, s) in bin_cases.items():
        block(f, name + "_y", y)
        block(f, name + "_s", s)
        fpr, tpr, thr = roc_curve(y, s, drop_intermediate=False)
        block(f, name + "_roc", np.stack([fpr, tpr, thr]))
        block(f, name + "_auc", [roc_auc_score(y, s)])
print(open(os.path.join(out, "cases.txt")).read()[:600])
