#!/usr/bin/python3
"""Reference numbers for tests/cli/epoch_metrics.sh: the per-epoch metric columns of `save history`
against scikit-learn on the weights fitbench saved after each epoch.

Run with Debian's interpreter:  /usr/bin/python3 tools/ref_epoch_metrics.py BUILD/fitbench
For each case of tests/fixtures/epoch_metrics/ it
  1. writes the data, data.csv (numpy, fixed seed, 8 digits: the file is what both sides read), if missing;
  2. runs the case's script.fit with fitbench in a temporary folder (it saves the weights of every epoch
     as w0, w1, ... and the history);
  3. loads the training and validation rows as the script splits them (split shuffle=no: the first rows
     train), computes the logits of each epoch's weights with numpy (torch.nn.Linear layout, relu), and
     scikit-learn's accuracy_score and f1_score(average='macro') (classification) or r2_score and the
     root of mean_squared_error (regression) on each split;
  4. writes expected.csv: epoch and the four metric columns as `save history` names them, %.17g.
The C suite replays script.fit and compares its history with expected.csv (no Python needed).
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import sklearn
from sklearn.metrics import accuracy_score, f1_score, mean_squared_error, r2_score

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
FIX = os.path.join(ROOT, "tests/fixtures/epoch_metrics")


def spiral3(rng, n):
    """Three noisy interleaved arms: classes 0, 1, 2, overlapping so that accuracy stays below 1."""
    k = rng.integers(0, 3, n)
    r = rng.uniform(0.1, 1.0, n)
    th = 4.0 * r + k * 2.0944 + rng.normal(0, 0.6, n)
    return np.c_[r * np.cos(th), r * np.sin(th)], k


def make_data(name, path):
    rng = np.random.default_rng({"cls3": 1, "bin": 2, "reg": 3, "reg_crew": 4, "reg_lin": 5}[name])
    if name == "cls3":
        X, y = spiral3(rng, 240)
        cols, fmt = ["x0", "x1", "label"], ["%.8g", "%.8g", "%d"]
    elif name == "bin":
        X = rng.normal(0, 1, (200, 3))
        y = (X @ [1.0, -2.0, 0.5] + rng.normal(0, 1.5, 200) > 0).astype(int)
        cols, fmt = ["x0", "x1", "x2", "label"], ["%.8g"] * 3 + ["%d"]
    else:
        n = {"reg": 200, "reg_lin": 300}.get(name, 3000)  # reg_crew: enough rows for the crew (train_crew.c)
        X = rng.uniform(-2, 2, (n, 3))
        y = np.sin(X[:, 0]) * 2 + X[:, 1] * X[:, 2] + rng.normal(0, 0.3, n)
        cols, fmt = ["x0", "x1", "x2", "y"], ["%.8g"] * 4
    data = np.c_[X, y]
    with open(path, "w") as f:
        f.write(",".join(cols) + "\n")
        for row in data:
            f.write(",".join(fm % v for fm, v in zip(fmt, row)) + "\n")


def npy_layers(wdir):
    """[(W, b), ...] from a `save weights` folder: W.npy b.npy, or W1.npy b1.npy ..."""
    if os.path.exists(os.path.join(wdir, "W.npy")):
        return [(np.load(os.path.join(wdir, "W.npy")), np.load(os.path.join(wdir, "b.npy")))]
    layers, i = [], 1
    while os.path.exists(os.path.join(wdir, "W%d.npy" % i)):
        layers.append((np.load(os.path.join(wdir, "W%d.npy" % i)), np.load(os.path.join(wdir, "b%d.npy" % i))))
        i += 1
    return layers


def logits(layers, X):
    h = X
    for i, (W, b) in enumerate(layers):
        h = h @ W.T + b
        if i + 1 < len(layers):
            h = np.maximum(h, 0)
    return h


def metrics(task, Z, y):
    if task == "cls":
        pred = (Z[:, 0] > 0).astype(int) if Z.shape[1] == 1 else Z.argmax(axis=1)
        return [accuracy_score(y, pred), f1_score(y, pred, average="macro")]
    p = Z[:, 0]
    return [r2_score(y, p), np.sqrt(mean_squared_error(y, p))]


def val_rows(script, n):
    for line in open(script):
        w = line.split()
        if w and w[0] == "split":
            for kv in w[1:]:
                if kv.startswith("val="):
                    return int(round(float(kv[4:]) * n))
    return 0


def run_case(fb, name):
    case = os.path.join(FIX, name)
    data = os.path.join(case, "data.csv")
    if not os.path.exists(data):
        make_data(name, data)
    task = "reg" if name.startswith("reg") else "cls"
    with tempfile.TemporaryDirectory() as tmp:
        for f in ("script.fit", "data.csv"):
            shutil.copy(os.path.join(case, f), tmp)
        env = dict(os.environ, HOME=tmp, XDG_STATE_HOME=tmp)
        subprocess.run([fb, "-q", "script.fit"], cwd=tmp, env=env, check=True)
        raw = np.loadtxt(data, delimiter=",", skiprows=1)
        X, y = raw[:, :-1], raw[:, -1]
        nv = val_rows(os.path.join(case, "script.fit"), len(y))
        nt = len(y) - nv
        # fitbench's split shuffle=no: the first n - nv rows train, the rest validate (checked by the test)
        Xt, yt, Xv, yv = X[:nt], y[:nt], X[nt:], y[nt:]
        names = ["accuracy", "f1"] if task == "cls" else ["r2", "rmse"]
        rows = []
        e = 0
        while os.path.isdir(os.path.join(tmp, "w%d" % e)):
            layers = npy_layers(os.path.join(tmp, "w%d" % e))
            mt, mv = metrics(task, logits(layers, Xt), yt), metrics(task, logits(layers, Xv), yv)
            rows.append([e, mt[0], mv[0], mt[1], mv[1]])
            e += 1
        # A check of the split assumption: fitbench's own columns must agree (else the rows differ).
        with open(os.path.join(tmp, "history.csv")) as f:
            head = f.readline().strip().split(",")
            got = [dict(zip(head, line.strip().split(","))) for line in f]
        cols = ["train_" + names[0], "val_" + names[0], "train_" + names[1], "val_" + names[1]]
        worst = max(abs(float(g[c]) - r[1 + j]) for g, r in zip(got, rows) for j, c in enumerate(cols))
        print("%s: largest difference from fitbench's history %.3g" % (name, worst))
    with open(os.path.join(case, "expected.csv"), "w") as f:
        f.write("# generated by tools/ref_epoch_metrics.py (scikit-learn %s, numpy %s); do not edit\n"
                % (sklearn.__version__, np.__version__))
        f.write("epoch,train_%s,val_%s,train_%s,val_%s\n" % (names[0], names[0], names[1], names[1]))
        for r in rows:
            f.write("%d,%s\n" % (r[0], ",".join("%.17g" % v for v in r[1:])))
    print("%s: %d epochs" % (name, len(rows)))


def main():
    fb = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build/fitbench"))
    for name in sorted(os.listdir(FIX)):
        if os.path.exists(os.path.join(FIX, name, "script.fit")):
            run_case(fb, name)


if __name__ == "__main__":
    main()
