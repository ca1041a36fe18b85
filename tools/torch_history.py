#!/usr/bin/python3
"""torch_history.py — end-to-end check of fitbench's training against PyTorch.

For a fixed-seed random sample of configurations (dataset, prep, model, loss,
optimizer with its options, schedule with its options, full batch or
minibatches in row order), this script

  (a) writes the initial weights as .npy files shaped like torch.nn.Linear
      (W.npy/b.npy for one layer, W1.npy, b1.npy, ... for an mlp),
  (b) writes a .fit script that loads the same data, sets the same loss,
      optimizer, schedule and batch, `load weights`, `train 100` and
      `save history history.csv`,
  (c) runs the same training in torch float64 (nn.Linear stack, torch loss
      with mean reduction, torch.optim with foreach=False, the lr_scheduler
      stepped once after every epoch; minibatches in row order, the last
      smaller batch kept) and records, after every epoch, the loss on the
      whole training split under torch.no_grad(),
  (d) runs fitbench on the script and compares the train_loss column.

Passing configurations are written as fixtures
    tests/fixtures/torch_history/<name>/{script.fit, weights/*.npy,
                                         expected.csv[, data.csv]}
for tests/torch_history.sh, which replays them without Python.  Failing ones
are listed in tests/fixtures/torch_history/FAILING.txt with their max error
(re-run one with --only NAME after a fix; it is then written as a fixture).
A configuration is ill-conditioned, and is listed in ILL_CONDITIONED.txt
instead of being compared, when torch's own history moves by more than
1e-10 relative if every starting weight is moved by one ulp: rounding alone
(another summation order) then grows past the tolerance over 100 epochs.

Run from the repository root:
    /usr/bin/python3 tools/torch_history.py [--fitbench build/fitbench]
        [--count 90] [--seed 20240613] [--only NAME[,NAME]] [--no-write]

Data.  Shipped datasets (iris, wine, breast_cancer, diabetes, boston, digits)
are read from datasets/ and prepared as fitbench's prep.c does: without
`split` the training split is every row in file order; `split val=F
shuffle=no` keeps the first n - ceil(F n) rows for training and the rest for
validation; `scale standard` uses sequential two-pass sums and the population
std (a constant column is centred only), `scale minmax` (x - min) / (max -
min).  The sums are done with Python floats in the same order as the C code,
so the scaled matrix is bit-identical.  Synthetic data (moons, circles,
spiral, blobs, sine, 2-output linear) is generated here with numpy and
written to data.csv with %.17g, then loaded by fitbench with `load data.csv`.

Targets.  mse/mae/huber use the values; bce/hinge the class index 0/1
(hinge = relu(1 - t z).mean(), t = 2y - 1); ce the class index.  Classes are
the sorted distinct strings, or the sorted distinct values of an integer
column with at most 20 of them (fitbench's rule).
"""
import argparse
import csv
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

# The portable CPU kernels round every operation as written (no FMA), as the
# C code does: set before torch is imported (see tools/ref_optim.py).
os.environ.setdefault("ATEN_CPU_CAPABILITY", "default")

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPOCHS = 100
TOL = 1e-9
MAX_NUMERIC_CLASSES = 20

# ---------------------------------------------------------------- data


def read_csv(path, targets=None):
    """Read a CSV as fitbench does for these simple files: header row, numeric
    features; the target is the last column unless `targets` names some.
    Returns (X rows as lists of floats, Y rows, labels or None, nclasses)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    tcols = [header.index(t) for t in targets] if targets else [len(header) - 1]
    fcols = [j for j in range(len(header)) if j not in tcols]
    X = [[float(r[j]) for j in fcols] for r in body]
    raw = [[r[j] for j in tcols] for r in body]
    labels, ncls = None, 0
    if len(tcols) == 1:
        vals = [r[0] for r in raw]
        try:
            nums = [float(v) for v in vals]
        except ValueError:
            nums = None
        if nums is None:  # string classes, sorted (strcmp order: ASCII)
            classes = sorted(set(vals))
            idx = {c: i for i, c in enumerate(classes)}
            labels = [idx[v] for v in vals]
            ncls = len(classes)
            Y = [[float(l)] for l in labels]
        else:
            Y = [[v] for v in nums]
            distinct = sorted(set(nums))
            if all(math.isfinite(v) and math.floor(v) == v for v in nums) and 2 <= len(distinct) <= MAX_NUMERIC_CLASSES:
                idx = {c: i for i, c in enumerate(distinct)}
                labels = [idx[v] for v in nums]
                ncls = len(distinct)
    else:
        Y = [[float(v) for v in r] for r in raw]
    return X, Y, labels, ncls


def fit_scaler(X, kind):
    """prep.c's fit_scaler, in the same order of operations."""
    n, d = len(X), len(X[0])
    shift, scale = [0.0] * d, [1.0] * d
    if kind == "none":
        return shift, scale
    for j in range(d):
        if kind == "standard":
            mean = 0.0
            for i in range(n):
                mean += X[i][j]
            mean /= n
            var = 0.0
            for i in range(n):
                t = X[i][j] - mean
                var += t * t
            var /= n
            shift[j] = mean
            scale[j] = math.sqrt(var) if var > 0 else 1.0
        else:
            lo = hi = X[0][j]
            for i in range(1, n):
                lo = min(lo, X[i][j])
                hi = max(hi, X[i][j])
            shift[j] = lo
            scale[j] = hi - lo if hi > lo else 1.0
    return shift, scale


def apply_scaler(X, shift, scale, kind):
    if kind == "none":
        return [list(r) for r in X]
    return [[(r[j] - shift[j]) / scale[j] for j in range(len(r))] for r in X]


def gen_data(kind, rng):
    """Synthetic data written to data.csv.  Returns (header, rows) with the
    target last (or the last two columns for 'linear2')."""
    if kind == "moons":
        n = 160
        t = rng.uniform(0, math.pi, n)
        top = rng.random(n) < 0.5
        x0 = np.where(top, np.cos(t), 1 - np.cos(t)) + rng.normal(0, 0.15, n)
        x1 = np.where(top, np.sin(t), 0.5 - np.sin(t)) + rng.normal(0, 0.15, n)
        y = np.where(top, 0, 1)
        return ["x0", "x1", "y"], [[a, b, int(c)] for a, b, c in zip(x0, x1, y)]
    if kind == "circles":  # labels as strings: classes by sorted name
        n = 150
        r = np.where(rng.random(n) < 0.5, 0.5, 1.0)
        t = rng.uniform(0, 2 * math.pi, n)
        x0 = r * np.cos(t) + rng.normal(0, 0.1, n)
        x1 = r * np.sin(t) + rng.normal(0, 0.1, n)
        y = np.where(r < 0.75, "inner", "outer")
        return ["x0", "x1", "ring"], [[a, b, c] for a, b, c in zip(x0, x1, y)]
    if kind == "signs":  # labels -1/+1: classes 0 (-1) and 1 (+1)
        n = 120
        X = rng.normal(0, 1, (n, 3))
        y = np.where(X @ np.array([1.0, -2.0, 0.5]) + rng.normal(0, 0.5, n) > 0, 1, -1)
        return ["a", "b", "c", "label"], [list(x) + [int(v)] for x, v in zip(X, y)]
    if kind == "spiral":
        per, K = 50, 3
        rows = []
        for c in range(K):
            r = np.linspace(0.05, 1, per)
            t = np.linspace(c * 4, (c + 1) * 4, per) + rng.normal(0, 0.2, per)
            for a, b in zip(r * np.sin(t), r * np.cos(t)):
                rows.append([a, b, c])
        return ["x0", "x1", "cls"], rows
    if kind == "blobs":  # numeric classes 2, 5, 7, 9: sorted values become 0..3
        n = 140
        centers = rng.normal(0, 3, (4, 3))
        lab = rng.integers(0, 4, n)
        X = centers[lab] + rng.normal(0, 1.0, (n, 3))
        vals = np.array([2, 5, 7, 9])[lab]
        return ["f0", "f1", "f2", "k"], [list(x) + [int(v)] for x, v in zip(X, vals)]
    if kind == "sine":
        n = 100
        x = rng.uniform(-3, 3, n)
        y = np.sin(x) + 0.3 * x + rng.normal(0, 0.1, n)
        return ["x", "y"], [[a, b] for a, b in zip(x, y)]
    if kind == "linear2":  # two regression targets
        n = 90
        X = rng.normal(0, 2, (n, 4)) + 1.0
        W = rng.normal(0, 1, (2, 4))
        Y = X @ W.T + rng.normal(0, 0.3, (n, 2)) + np.array([3.0, -1.0])
        return ["x0", "x1", "x2", "x3", "y1", "y2"], [list(x) + list(y) for x, y in zip(X, Y)]
    if kind == "big":  # more rows than TRAIN_CHUNK (4096): full-batch passes go in chunks
        n = 4500
        X = rng.normal(0, 1, (n, 2))
        y = X @ np.array([1.5, -0.5]) + 2.0 + rng.normal(0, 0.5, n)
        return ["x0", "x1", "y"], [list(x) + [v] for x, v in zip(X, y)]
    raise ValueError(kind)


def write_data_csv(path, header, rows):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(v if isinstance(v, str) else (str(v) if isinstance(v, (int, np.integer)) else "%.17g" % v)
                             for v in r) + "\n")


# ---------------------------------------------------------------- configurations

SHIPPED = {"iris", "wine", "breast_cancer", "diabetes", "boston", "digits"}
REG_DATA = ["diabetes", "boston", "sine", "linear2"]
BIN_DATA = ["breast_cancer", "moons", "circles", "signs"]
CE_DATA = ["iris", "wine", "digits", "spiral", "blobs"]
PAIRS = [("linear", l) for l in ("mse", "mae", "huber", "bce", "ce", "hinge")] + \
        [("logistic", "bce"), ("logistic", "hinge"), ("softmax", "ce")] + \
        [("mlp", l) for l in ("mse", "mae", "huber", "bce", "ce", "hinge")]
OPTS = ["sgd", "adam", "adamw", "rmsprop", "adagrad"]
SCHEDS = ["constant", "step", "multistep", "exp", "cosine", "onecycle", "plateau"]
ACTS = ["relu", "tanh", "sigmoid", "linear"]


def fmt(v):
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return repr(v)
    return str(v)


def sample_optim(R, kind, model, data):
    big_targets = data in ("diabetes", "boston")
    o = {"kind": kind}
    if kind == "sgd":
        o["lr"] = R.choice([0.01, 0.03, 0.05, 0.1]) if not big_targets else R.choice([0.003, 0.01, 0.03])
        o["momentum"] = R.choice([0.0, 0.0, 0.5, 0.9])
        o["nesterov"] = o["momentum"] > 0 and R.random() < 0.4
        o["dampening"] = 0.0 if o["nesterov"] else R.choice([0.0, 0.0, 0.1])
        o["weight_decay"] = R.choice([0.0, 0.0, 1e-3, 0.01])
    elif kind in ("adam", "adamw"):
        o["lr"] = R.choice([1e-3, 3e-3, 0.01, 0.03]) if not big_targets else R.choice([0.01, 0.03, 0.1, 0.3])
        o["beta1"] = R.choice([0.9, 0.9, 0.8])
        o["beta2"] = R.choice([0.999, 0.99])
        o["eps"] = R.choice([1e-8, 1e-8, 1e-6])
        o["weight_decay"] = R.choice([0.0, 1e-3, 0.01] if kind == "adam" else [0.01, 0.01, 0.1, 0.0])
        o["amsgrad"] = R.random() < 0.35
    elif kind == "rmsprop":
        o["lr"] = R.choice([1e-3, 3e-3, 0.01]) if not big_targets else R.choice([0.01, 0.03, 0.1])
        o["alpha"] = R.choice([0.99, 0.9])
        o["eps"] = R.choice([1e-8, 1e-6])
        o["weight_decay"] = R.choice([0.0, 0.0, 1e-3])
        o["momentum"] = R.choice([0.0, 0.0, 0.5])
        o["centered"] = R.random() < 0.4
    else:
        o["lr"] = R.choice([0.01, 0.05, 0.1, 0.3]) if not big_targets else R.choice([0.3, 1.0, 3.0])
        o["lr_decay"] = R.choice([0.0, 0.0, 0.01])
        o["weight_decay"] = R.choice([0.0, 0.0, 1e-3])
        o["initial_accumulator_value"] = R.choice([0.0, 0.0, 0.1])
        o["eps"] = R.choice([1e-10, 1e-10, 1e-8])
    return o


def sample_sched(R, kind, opt):
    s = {"kind": kind}
    if kind == "step":
        s["step_size"] = R.choice([10, 25, 30])
        s["gamma"] = R.choice([0.5, 0.1, 0.7])
    elif kind == "multistep":
        ms = sorted(R.sample(range(5, 95), 3))
        if R.random() < 0.25:
            ms[1] = ms[0]  # a repeated milestone decays twice, as torch's Counter
        s["milestones"] = ms
        s["gamma"] = R.choice([0.5, 0.3])
    elif kind == "exp":
        s["gamma"] = R.choice([0.95, 0.98, 0.99])
    elif kind == "cosine":
        s["t_max"] = R.choice([100, 50, 30])
        s["eta_min"] = R.choice([0.0, 1e-4])
    elif kind == "onecycle":
        if R.random() < 0.4:
            s["max_lr"] = opt["lr"] * R.choice([2.0, 0.5])
        s["total_steps"] = R.choice([100, 100, 120])
        s["pct_start"] = R.choice([0.3, 0.25, 0.4])
        s["anneal"] = R.choice(["cos", "cos", "linear"])
        s["div_factor"] = R.choice([25.0, 10.0])
        s["final_div_factor"] = R.choice([1e4, 100.0])
        s["three_phase"] = R.random() < 0.3
        s["cycle_momentum"] = opt["kind"] != "adagrad" and R.random() < 0.8
        if s["cycle_momentum"] and R.random() < 0.4:
            s["base_momentum"], s["max_momentum"] = 0.8, 0.9
    elif kind == "plateau":
        s["mode"] = R.choice(["min", "min", "min", "max"])
        s["factor"] = R.choice([0.5, 0.1])
        s["patience"] = R.choice([0, 2, 5])
        s["threshold"] = R.choice([1e-4, 1e-3, 1e-2])
        s["threshold_mode"] = R.choice(["rel", "abs"])
        s["cooldown"] = R.choice([0, 0, 2])
        s["min_lr"] = R.choice([0.0, 1e-5])
        s["eps"] = R.choice([1e-8, 1e-8, 0.0])
    return s


def sample_config(R, idx, model, loss, opt_kind, sched_kind, batch_mode):
    data = R.choice(REG_DATA if loss in ("mse", "mae", "huber") else BIN_DATA if loss in ("bce", "hinge") else CE_DATA)
    cfg = {"model": model, "loss": loss, "data": data}
    cfg["scale"] = "standard" if data in SHIPPED or R.random() < 0.6 else R.choice(["minmax", "none"])
    cfg["val"] = 0.2 if (sched_kind == "plateau" and R.random() < 0.5) or R.random() < 0.1 else 0.0
    if loss == "huber":
        cfg["delta"] = R.choice([1.0, 0.5, 2.0, 10.0])
    if model == "mlp":
        depth = R.choice([1, 2, 3])
        cfg["hidden"] = [R.choice([3, 5, 8, 12, 16]) for _ in range(depth)]
        cfg["act"] = R.choice(ACTS)
    cfg["opt"] = sample_optim(R, opt_kind, model, data)
    cfg["sched"] = sample_sched(R, sched_kind, cfg["opt"])
    cfg["batch"] = 0 if batch_mode == "full" else R.choice([8, 16, 25, 32, 50, 64])
    cfg["init"] = R.choice(["torch", "normal"])
    cfg["wseed"] = R.randrange(1 << 30)
    cfg["dseed"] = R.randrange(1 << 30)
    tag = model + ("%d%s" % (len(cfg["hidden"]), cfg["act"]) if model == "mlp" else "")
    cfg["name"] = "%02d_%s_%s_%s_%s_%s_%s" % (idx, data, tag, loss, opt_kind, sched_kind,
                                             "full" if cfg["batch"] == 0 else "b%d" % cfg["batch"])
    return cfg


def edge_configs(start):
    """Hand-picked corners: batch sizes around n, one-row batches, more rows
    than one evaluation chunk, deep linear/relu mlps, odd schedule options."""
    sgd = {"kind": "sgd", "lr": 0.01, "momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}
    const = {"kind": "constant"}
    E = [
        dict(data="iris", model="mlp", hidden=[8, 8, 8], act="relu", loss="ce", batch=1,
             opt=dict(sgd, lr=0.003, momentum=0.9, nesterov=True), sched={"kind": "step", "step_size": 1, "gamma": 0.97}),
        dict(data="breast_cancer", model="logistic", loss="bce", batch=568,
             opt={"kind": "adam", "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
                  "amsgrad": False}, sched=const),
        dict(data="boston", model="linear", loss="mse", batch=506, opt=dict(sgd, lr=0.05, momentum=0.5), sched=const),
        dict(data="boston", model="linear", loss="huber", delta=3.0, batch=1000,
             opt=dict(sgd, lr=0.1, dampening=0.3, momentum=0.9, weight_decay=0.01),
             sched={"kind": "multistep", "milestones": [10, 10, 40], "gamma": 0.5}),
        dict(data="big", model="linear", loss="mse", batch=0, opt=dict(sgd, lr=0.1, momentum=0.9), sched=const),
        dict(data="big", model="mlp", hidden=[4], act="tanh", loss="huber", delta=0.5, batch=0,
             opt={"kind": "adamw", "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.01,
                  "amsgrad": True}, sched={"kind": "cosine", "t_max": 10, "eta_min": 0.001}),
        dict(data="linear2", model="mlp", hidden=[6, 5, 4], act="linear", loss="mae", batch=7,
             opt={"kind": "rmsprop", "lr": 0.003, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.001, "momentum": 0.5,
                  "centered": True}, sched={"kind": "plateau", "mode": "min", "factor": 0.5, "patience": 1,
                                            "threshold": 0.01, "threshold_mode": "rel", "cooldown": 1,
                                            "min_lr": 0.0, "eps": 1e-8}, val=0.2),
        dict(data="wine", model="softmax", loss="ce", batch=0,
             opt={"kind": "adamw", "lr": 0.05, "beta1": 0.9, "beta2": 0.99, "eps": 1e-8, "weight_decay": 0.1,
                  "amsgrad": True},
             sched={"kind": "onecycle", "total_steps": 100, "pct_start": 0.3, "anneal": "linear", "div_factor": 25.0,
                    "final_div_factor": 1e4, "three_phase": True, "cycle_momentum": True, "base_momentum": 0.8,
                    "max_momentum": 0.9}),
        dict(data="moons", model="mlp", hidden=[16], act="sigmoid", loss="bce", batch=33,
             opt={"kind": "adagrad", "lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.001,
                  "initial_accumulator_value": 0.5, "eps": 1e-10},
             sched={"kind": "plateau", "mode": "max", "factor": 0.5, "patience": 3, "threshold": 1e-4,
                    "threshold_mode": "abs", "cooldown": 2, "min_lr": 0.01, "eps": 1e-8}, val=0.25),
        dict(data="spiral", model="mlp", hidden=[16, 16], act="tanh", loss="ce", batch=0,
             opt=dict(sgd, lr=0.2, momentum=0.9, nesterov=True, weight_decay=1e-4),
             sched={"kind": "onecycle", "max_lr": 0.5, "total_steps": 100, "pct_start": 0.3, "anneal": "cos",
                    "div_factor": 25.0, "final_div_factor": 1e4, "three_phase": False, "cycle_momentum": True}),
        # the (model, loss, optimizer) combinations whose random draws above were ill-conditioned, with
        # gentler settings (and a three-layer tanh mlp, which the draws missed)
        dict(data="boston", model="linear", loss="mse", batch=0,
             opt={"kind": "rmsprop", "lr": 0.01, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0,
                  "centered": False}, sched={"kind": "exp", "gamma": 0.98}),
        dict(data="sine", model="mlp", hidden=[8, 8, 8], act="tanh", loss="mse", batch=20,
             opt={"kind": "rmsprop", "lr": 0.001, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0, "momentum": 0.0,
                  "centered": True}, sched={"kind": "step", "step_size": 30, "gamma": 0.5}),
        dict(data="linear2", model="mlp", hidden=[8], act="relu", loss="mae", batch=0,
             opt={"kind": "adam", "lr": 0.01, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0,
                  "amsgrad": False}, sched=const),
        dict(data="breast_cancer", model="mlp", hidden=[8, 4], act="sigmoid", loss="hinge", batch=0,
             opt={"kind": "adagrad", "lr": 0.05, "lr_decay": 0.0, "weight_decay": 0.0,
                  "initial_accumulator_value": 0.0, "eps": 1e-10}, sched={"kind": "cosine", "t_max": 100,
                                                                           "eta_min": 0.0}),
    ]
    out = []
    for i, e in enumerate(E):
        cfg = {"scale": "standard", "val": 0.0, "init": "torch", "wseed": 1000 + i, "dseed": 2000 + i}
        cfg.update(e)
        tag = cfg["model"] + ("%d%s" % (len(cfg["hidden"]), cfg["act"]) if cfg["model"] == "mlp" else "")
        cfg["name"] = "%02d_edge_%s_%s_%s_%s_%s_%s" % (
            start + i, cfg["data"], tag, cfg["loss"], cfg["opt"]["kind"], cfg["sched"]["kind"],
            "full" if cfg["batch"] == 0 else "b%d" % cfg["batch"])
        out.append(cfg)
    return out


def all_configs(seed, count):
    """Every (model, loss) pair × every optimizer once (75), with schedules and
    batch modes cycled so each appears about equally, then random extras, then
    the hand-picked corners of edge_configs."""
    R = random.Random(seed)
    out = []
    combos = [(m, l, o) for (m, l) in PAIRS for o in OPTS]
    R.shuffle(combos)
    for i, (m, l, o) in enumerate(combos):
        out.append(sample_config(R, len(out), m, l, o, SCHEDS[i % len(SCHEDS)], "full" if i % 2 == 0 else "mini"))
    while len(out) < count:
        m, l = R.choice(PAIRS)
        out.append(sample_config(R, len(out), m, l, R.choice(OPTS), R.choice(SCHEDS), R.choice(["full", "mini"])))
    return out + edge_configs(len(out))


# ---------------------------------------------------------------- building one configuration


def prepare(cfg, workdir):
    """Write data.csv if synthetic; return the data as fitbench will see it:
    (Xtr, Ytr, Xva, Yva, ky, ncls) where Y are float values or class indices."""
    data = cfg["data"]
    if data in SHIPPED:
        path = os.path.join(ROOT, "datasets", data + ".csv")
        targets = None
    else:
        header, rows = gen_data(data, np.random.default_rng(cfg["dseed"]))
        path = os.path.join(workdir, "data.csv")
        write_data_csv(path, header, rows)
        targets = ["y1", "y2"] if data == "linear2" else None
    X, Y, labels, ncls = read_csv(path, targets)
    n = len(X)
    nval = math.ceil(cfg["val"] * n)
    ntr = n - nval
    shift, scale = fit_scaler(X[:ntr], cfg["scale"])
    Xs = apply_scaler(X, shift, scale, cfg["scale"])
    classes = cfg["loss"] in ("bce", "ce", "hinge")
    T = [[float(l)] for l in labels] if classes else Y
    return Xs[:ntr], T[:ntr], Xs[ntr:], T[ntr:], ncls, targets


def outputs(cfg, ncls, ky):
    if cfg["loss"] == "ce":
        return ncls
    if cfg["loss"] in ("bce", "hinge") or cfg["model"] == "logistic":
        return 1
    return ky


def make_weights(cfg, sizes):
    rng = np.random.default_rng(cfg["wseed"])
    Ws, bs = [], []
    for l in range(len(sizes) - 1):
        fin, fout = sizes[l], sizes[l + 1]
        if cfg["init"] == "torch":
            bound = 1.0 / math.sqrt(fin)
            W = rng.uniform(-bound, bound, (fout, fin))
            b = rng.uniform(-bound, bound, fout)
        else:
            W = rng.normal(0, 0.3, (fout, fin))
            b = rng.normal(0, 0.1, fout)
        Ws.append(np.ascontiguousarray(W, dtype=np.float64))
        bs.append(np.ascontiguousarray(b, dtype=np.float64))
    return Ws, bs


def script_text(cfg, targets):
    L = ["# %s: generated by tools/torch_history.py; compared with PyTorch 1.13 float64" % cfg["name"]]
    d = cfg["data"]
    if d in SHIPPED:
        L.append("load %s" % d)
    else:
        L.append("load data.csv" + (" target=%s" % ",".join(targets) if targets else ""))
    if cfg["val"] > 0:
        L.append("split val=%s shuffle=no" % fmt(cfg["val"]))
    L.append("scale %s" % cfg["scale"])
    if cfg["model"] == "mlp":
        L.append("model mlp hidden=%s act=%s" % (",".join(map(str, cfg["hidden"])), cfg["act"]))
    else:
        L.append("model %s" % cfg["model"])
    L.append("loss %s" % cfg["loss"] + (" delta=%s" % fmt(cfg["delta"]) if cfg["loss"] == "huber" else ""))
    o = cfg["opt"]
    L.append("optim %s " % o["kind"] + " ".join("%s=%s" % (k, fmt(v)) for k, v in o.items() if k != "kind"))
    s = cfg["sched"]
    opts = []
    for k, v in s.items():
        if k == "kind":
            continue
        opts.append("%s=%s" % (k, ",".join(map(str, v)) if k == "milestones" else fmt(v)))
    L.append(("schedule %s " % s["kind"] + " ".join(opts)).rstrip())
    L.append("batch full" if cfg["batch"] == 0 else "batch %d shuffle=no" % cfg["batch"])
    L.append("load weights weights")
    L.append("train %d" % EPOCHS)
    L.append("save history history.csv")
    return "\n".join(L) + "\n"


# ---------------------------------------------------------------- torch


class Hinge:
    def __call__(self, z, y):
        t = 2.0 * y - 1.0
        return torch.relu(1.0 - t * z).mean()


def build_net(Ws, bs, act):
    """nn.Linear layers with weights Ws[l] (out, in) and biases bs[l], the activation act between them."""
    layers = []
    for l, (W, b) in enumerate(zip(Ws, bs)):
        lin = torch.nn.Linear(W.shape[1], W.shape[0])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        if l < len(Ws) - 1:
            if act == "relu":
                layers.append(torch.nn.ReLU())
            elif act == "tanh":
                layers.append(torch.nn.Tanh())
            elif act == "sigmoid":
                layers.append(torch.nn.Sigmoid())
    return torch.nn.Sequential(*layers)


def make_optimizer(o, P):
    """The torch optimizer of option dict o (every option of its kind, fitbench's names) over parameters P."""
    if o["kind"] == "sgd":
        return torch.optim.SGD(P, lr=o["lr"], momentum=o["momentum"], dampening=o["dampening"],
                               weight_decay=o["weight_decay"], nesterov=o["nesterov"], foreach=False)
    if o["kind"] in ("adam", "adamw"):
        cls = torch.optim.Adam if o["kind"] == "adam" else torch.optim.AdamW
        return cls(P, lr=o["lr"], betas=(o["beta1"], o["beta2"]), eps=o["eps"], weight_decay=o["weight_decay"],
                   amsgrad=o["amsgrad"], foreach=False)
    if o["kind"] == "rmsprop":
        return torch.optim.RMSprop(P, lr=o["lr"], alpha=o["alpha"], eps=o["eps"], weight_decay=o["weight_decay"],
                                   momentum=o["momentum"], centered=o["centered"], foreach=False)
    return torch.optim.Adagrad(P, lr=o["lr"], lr_decay=o["lr_decay"], weight_decay=o["weight_decay"],
                               initial_accumulator_value=o["initial_accumulator_value"], eps=o["eps"],
                               foreach=False)


def torch_history(cfg, Xtr, Ytr, Xva, Yva, Ws, bs, on_epoch=None):
    """Train in torch; returns the train_loss history (epoch 0..EPOCHS).
    on_epoch(net, opt), if given, runs after every epoch (for debugging)."""
    X = torch.tensor(Xtr)
    Xv = torch.tensor(Xva) if Xva else None
    loss = cfg["loss"]
    if loss == "ce":
        Y = torch.tensor([int(r[0]) for r in Ytr], dtype=torch.long)
        Yv = torch.tensor([int(r[0]) for r in Yva], dtype=torch.long) if Xva else None
    else:
        Y = torch.tensor(Ytr)
        Yv = torch.tensor(Yva) if Xva else None
    net = build_net(Ws, bs, cfg.get("act"))
    lossfn = {"mse": torch.nn.MSELoss(), "mae": torch.nn.L1Loss(),
              "huber": torch.nn.HuberLoss(delta=cfg.get("delta", 1.0)),
              "bce": torch.nn.BCEWithLogitsLoss(), "ce": torch.nn.CrossEntropyLoss(), "hinge": Hinge()}[loss]

    o = cfg["opt"]
    opt = make_optimizer(o, net.parameters())
    s = cfg["sched"]
    S = torch.optim.lr_scheduler
    k = s["kind"]
    if k == "constant":
        sch = None
    elif k == "step":
        sch = S.StepLR(opt, step_size=s["step_size"], gamma=s["gamma"])
    elif k == "multistep":
        sch = S.MultiStepLR(opt, milestones=s["milestones"], gamma=s["gamma"])
    elif k == "exp":
        sch = S.ExponentialLR(opt, gamma=s["gamma"])
    elif k == "cosine":
        sch = S.CosineAnnealingLR(opt, T_max=s["t_max"], eta_min=s["eta_min"])
    elif k == "onecycle":
        sch = S.OneCycleLR(opt, max_lr=s.get("max_lr", o["lr"]), total_steps=s["total_steps"],
                           pct_start=s["pct_start"], anneal_strategy=s["anneal"],
                           cycle_momentum=s["cycle_momentum"], base_momentum=s.get("base_momentum", 0.85),
                           max_momentum=s.get("max_momentum", 0.95), div_factor=s["div_factor"],
                           final_div_factor=s["final_div_factor"], three_phase=s["three_phase"])
    else:
        sch = S.ReduceLROnPlateau(opt, mode=s["mode"], factor=s["factor"], patience=s["patience"],
                                  threshold=s["threshold"], threshold_mode=s["threshold_mode"],
                                  cooldown=s["cooldown"], min_lr=s["min_lr"], eps=s["eps"])

    def full_loss(A, T):
        with torch.no_grad():
            return lossfn(net(A), T).item()

    n = X.shape[0]
    B = cfg["batch"] if cfg["batch"] and cfg["batch"] < n else n
    hist = [full_loss(X, Y)]
    for _ in range(EPOCHS):
        for r0 in range(0, n, B):
            opt.zero_grad()
            l = lossfn(net(X[r0:r0 + B]), Y[r0:r0 + B])
            l.backward()
            opt.step()
        if on_epoch:
            on_epoch(net, opt)
        tl = full_loss(X, Y)
        hist.append(tl)
        if not math.isfinite(tl):
            break
        if k == "plateau":
            sch.step(full_loss(Xv, Yv) if Xv is not None else tl)
        elif sch is not None:
            sch.step()
    return hist


# ---------------------------------------------------------------- running and comparing


def read_history(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    return [float(r["train_loss"]) for r in rows]


def rel_err(a, b):
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def build(cfg, workdir):
    """Everything for one configuration in workdir; returns the torch history
    and its sensitivity to a one-ulp change of the start, or (None, None)
    when torch diverges."""
    Xtr, Ytr, Xva, Yva, ncls, targets = prepare(cfg, workdir)
    ky = len(Ytr[0])
    sizes = [len(Xtr[0])] + (cfg["hidden"] if cfg["model"] == "mlp" else []) + [outputs(cfg, ncls, ky)]
    Ws, bs = make_weights(cfg, sizes)
    wdir = os.path.join(workdir, "weights")
    os.makedirs(wdir, exist_ok=True)
    for l, (W, b) in enumerate(zip(Ws, bs)):
        suffix = "" if len(Ws) == 1 else str(l + 1)
        np.save(os.path.join(wdir, "W%s.npy" % suffix), W)
        np.save(os.path.join(wdir, "b%s.npy" % suffix), b)
    with open(os.path.join(workdir, "script.fit"), "w") as f:
        f.write(script_text(cfg, targets))
    hist = torch_history(cfg, Xtr, Ytr, Xva, Yva, Ws, bs)
    if len(hist) != EPOCHS + 1 or not all(math.isfinite(h) for h in hist):
        return None, None
    # How far torch itself moves when every starting weight moves by one ulp:
    # the size of difference that rounding alone (another summation order,
    # another BLAS kernel) can grow into over the run.
    up = [np.nextafter(W, np.inf) for W in Ws]
    pert = torch_history(cfg, Xtr, Ytr, Xva, Yva, up, [np.nextafter(b, np.inf) for b in bs])
    sens = max((rel_err(a, b) for a, b in zip(pert, hist)), default=math.inf) if len(pert) == len(hist) else math.inf
    with open(os.path.join(workdir, "expected.csv"), "w") as f:
        f.write("epoch,train_loss\n")
        for e, h in enumerate(hist):
            f.write("%d,%s\n" % (e, repr(h)))
    return hist, sens


def run_fitbench(fitbench, workdir):
    for attempt in range(30):  # the binary may be being relinked by a concurrent build: wait for it
        try:
            p = subprocess.run([fitbench, "-q", "script.fit"], cwd=workdir, capture_output=True, text=True)
            break
        except OSError:
            if attempt == 29:
                raise
            time.sleep(2)
    if p.returncode != 0:
        return None, (p.stdout + p.stderr).strip()[-400:]
    return read_history(os.path.join(workdir, "history.csv")), ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fitbench", default=os.path.join(ROOT, "build", "fitbench"))
    ap.add_argument("--count", type=int, default=90)
    ap.add_argument("--seed", type=int, default=20240613)
    ap.add_argument("--only", default="", help="comma-separated names (or leading numbers) to run")
    ap.add_argument("--out", default=os.path.join(ROOT, "tests", "fixtures", "torch_history"))
    ap.add_argument("--no-write", action="store_true", help="compare only, write no fixtures")
    args = ap.parse_args()
    fitbench = os.path.abspath(args.fitbench)

    cfgs = all_configs(args.seed, args.count)
    only = [s for s in args.only.split(",") if s]
    if only:
        cfgs = [c for c in cfgs if any(c["name"] == s or c["name"].startswith(s + "_") for s in only)]
    failing, ill, worst, worst_sens = [], [], 0.0, 0.0
    tmp = tempfile.mkdtemp(prefix="torch_history.")
    try:
        for cfg in cfgs:
            work = os.path.join(tmp, cfg["name"])
            hist = sens = None
            for attempt in range(4):
                shutil.rmtree(work, ignore_errors=True)
                os.makedirs(work)
                hist, sens = build(cfg, work)
                if hist is not None:
                    break
                cfg["opt"]["lr"] /= 10.0  # torch diverged: the same configuration, a tenth of the lr
                if "max_lr" in cfg["sched"]:
                    cfg["sched"]["max_lr"] /= 10.0
            if hist is None:
                print("SKIP %s: torch diverges even with lr=%g" % (cfg["name"], cfg["opt"]["lr"]))
                continue
            got, why = run_fitbench(fitbench, work)
            if got is None:
                err, why = math.inf, "fitbench failed: " + why
            elif len(got) != len(hist):
                err, why = math.inf, "%d history rows, torch has %d" % (len(got), len(hist))
            else:
                errs = [rel_err(a, b) for a, b in zip(got, hist)]
                err = max(errs)
                e_at = errs.index(err)
                why = "epoch %d: fitbench %r torch %r" % (e_at, got[e_at], hist[e_at])
            # Ill-conditioned: torch does not even agree with itself to a tenth
            # of the tolerance after a one-ulp change of the start, so no
            # implementation that rounds differently anywhere can match it.
            is_ill = sens > TOL / 10
            ok = err <= TOL and not is_ill
            if ok:
                worst = max(worst, err)
                worst_sens = max(worst_sens, sens)
            status = "ok  " if ok else "ILL " if is_ill else "FAIL"
            print("%s %-58s max rel err %-9.3g torch 1-ulp sensitivity %-9.3g%s" % (
                status, cfg["name"], err, sens, "" if ok else "  (" + why + ")"))
            sys.stdout.flush()
            if is_ill:
                ill.append((cfg["name"], err, sens, why))
            elif not ok:
                failing.append((cfg["name"], err, sens, why))
            if args.no_write:
                continue
            dest = os.path.join(args.out, cfg["name"])
            shutil.rmtree(dest, ignore_errors=True)
            if ok:
                os.remove(os.path.join(work, "history.csv"))
                shutil.copytree(work, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("%d configurations: %d agree to %g (max relative error %.3g; torch's own 1-ulp sensitivity up to %.3g), "
          "%d ill-conditioned, %d failing" % (len(cfgs), len(cfgs) - len(ill) - len(failing), TOL, worst,
                                               worst_sens, len(ill), len(failing)))
    if not args.no_write and not only:
        for fname, rows, what in (("FAILING.txt", failing, "do not match torch to %g although torch is "
                                   "well-conditioned there" % TOL),
                                  ("ILL_CONDITIONED.txt", ill, "are too sensitive to rounding to compare: torch "
                                   "moves by more than %g under a one-ulp change of the start" % (TOL / 10))):
            path = os.path.join(args.out, fname)
            if rows:
                with open(path, "w") as f:
                    f.write("# configurations of tools/torch_history.py (seed %d) whose train_loss histories %s;\n"
                            "# re-run one with: /usr/bin/python3 tools/torch_history.py --only NAME\n"
                            % (args.seed, what))
                    for name, err, sens, why in rows:
                        f.write("%s  max_rel_err=%.3g  torch_sensitivity=%.3g  %s\n" % (name, err, sens, why))
            elif os.path.exists(path):
                os.remove(path)
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
