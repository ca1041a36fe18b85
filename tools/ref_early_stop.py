#!/usr/bin/python3
"""ref_early_stop.py — reference runs for `train N patience=P` (Keras' EarlyStopping).

fitbench's `train N patience=P` is documented (docs/math.md) as Keras'
    EarlyStopping(monitor='val_loss', patience=P, min_delta=0,
                  restore_best_weights=True)
with a fresh callback for every `train` command.  This script trains small
problems in PyTorch float64 (the same arithmetic as fitbench to ~1e-13, see
tools/torch_history.py), applies those semantics written out in Python after
every epoch (keras_early_stopping below, read from keras/src/callbacks/
early_stopping.py of Keras 3), and writes, per case,

    tests/fixtures/early_stop/<name>/script.fit    the fitbench commands, ending in expect lines for the
                                                   final epoch, the restored losses and every restored weight
    tests/fixtures/early_stop/<name>/data.csv      the data (%.17g), loaded with `load data.csv`
    tests/fixtures/early_stop/<name>/weights/*.npy the initial weights (torch.nn.Linear shapes)
    tests/fixtures/early_stop/<name>/expected.txt  per train call: stop epoch, best epoch, restored or not;
                                                   the final losses; and the history (epoch,train_loss,val_loss)

tests/cli/early_stop.sh replays them without Python.

Keras' rules, per fit call (epochs counted from 0 in the call):
  on_train_begin: wait = 0, best_weights = None (best = +inf)
  on_epoch_end:   if best_weights is None: best_weights = weights            ("the current weights are the best")
                  wait += 1
                  if val_loss - min_delta < best: best = val_loss, best_weights = weights, wait = 0
                  elif wait >= patience and epoch > 0: stop
  on_train_end:   if best_weights is not None: set_weights(best_weights)    (also when no early stop happened)
Only the weights go back: the optimizer state stays that of the last epoch.
Consequences the cases below pin down: the state before the call is never a
candidate; a tie (equal val_loss, min_delta = 0) is not an improvement;
patience=0 stops exactly as patience=1 (wait is counted before the test);
a run that ends without stopping still gets its best weights back.

Every decision is checked to be robust: a comparison of two val_losses
that differ by less than 1e-9 relative (but are not equal) makes the script
refuse the case, since rounding could flip it.

Run from the repository root:  /usr/bin/python3 tools/ref_early_stop.py [--fitbench build/fitbench]
(--fitbench also runs tests/cli/early_stop.sh on the result).
"""
import argparse
import math
import os
import shutil
import subprocess
import sys

os.environ.setdefault("ATEN_CPU_CAPABILITY", "default")  # no FMA, as the C code (see tools/ref_optim.py)

import numpy as np  # noqa: E402
import torch  # noqa: E402

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "tests", "fixtures", "early_stop")
FRAGILE = 1e-9


# ---------------------------------------------------------------- data


def poly_data(seed, n=40, degree=8, noise=0.25):
    """A noisy sine and the powers x..x^degree as features: a linear model on
    them overfits the first half (training) and the second half (validation)
    shows it."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    y = np.sin(2.5 * x) + rng.normal(0, noise, n)
    X = np.stack([x ** p for p in range(1, degree + 1)], axis=1)
    return ["x%d" % p for p in range(1, degree + 1)] + ["y"], X, y.reshape(-1, 1)


def separable_data(seed, n=60):
    """Two classes with a wide margin: the hinge loss on validation reaches
    exactly 0 and stays there (ties)."""
    rng = np.random.default_rng(seed)
    lab = (np.arange(n) % 2).astype(float)
    X = rng.normal(0, 0.3, (n, 2)) + np.where(lab[:, None] > 0, 1.5, -1.5) * np.array([1.0, 0.5])
    return ["a", "b", "cls"], X, lab.reshape(-1, 1)


def write_csv(path, header, X, Y, integer_target):
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for x, y in zip(X, Y):
            cells = ["%.17g" % v for v in x]
            cells += [str(int(v)) if integer_target else "%.17g" % v for v in y]
            f.write(",".join(cells) + "\n")


# ---------------------------------------------------------------- the model and its training


class Hinge(torch.nn.Module):
    def forward(self, z, y):
        return torch.relu(1 - (2 * y - 1) * z).mean()


def make_net(sizes, act, seed, std, init=None):
    """The torch net and its initial weights: normal(0, std) from seed, or `init` = (Ws, bs)."""
    rng = np.random.default_rng(seed)
    layers, Ws, bs = [], [], []
    for l in range(len(sizes) - 1):
        W = rng.normal(0, std, (sizes[l + 1], sizes[l])) if init is None else init[0][l]
        b = rng.normal(0, std, sizes[l + 1]) if init is None else init[1][l]
        lin = torch.nn.Linear(sizes[l], sizes[l + 1])
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W))
            lin.bias.copy_(torch.from_numpy(b))
        layers.append(lin)
        Ws.append(W)
        bs.append(b)
        if l < len(sizes) - 2:
            layers.append(torch.nn.Tanh() if act == "tanh" else torch.nn.ReLU())
    return torch.nn.Sequential(*layers), Ws, bs


def keras_early_stopping(epochs, patience, one_epoch, get_weights, set_weights, check):
    """One model.fit(epochs=epochs, callbacks=[EarlyStopping(...)]) as Keras 3
    runs it.  one_epoch() trains an epoch and returns its val_loss.
    Returns (epochs run, stopped early?, best epoch index in the call)."""
    wait, best, best_weights, best_epoch = 0, math.inf, None, 0
    ran, stopped = 0, False
    for epoch in range(epochs):
        current = one_epoch()
        ran += 1
        # on_epoch_end
        if best_weights is None:
            best_weights, best_epoch = get_weights(), epoch
        wait += 1
        check(current, best)
        if current - 0.0 < best:
            best, best_epoch, best_weights, wait = current, epoch, get_weights(), 0
            continue
        if wait >= patience and epoch > 0:
            stopped = True
            break
    # on_train_end
    if best_weights is not None:
        set_weights(best_weights)
    return ran, stopped, best_epoch


def run_case(case):
    """Train the case in torch; returns the expected outcome."""
    header, X, Y = case["data"]
    n = len(X)
    nval = math.ceil(case["val"] * n)
    ntr = n - nval
    cls = case["loss"] == "hinge"
    Xt, Xv = torch.tensor(X[:ntr]), torch.tensor(X[ntr:])
    Yt, Yv = torch.tensor(Y[:ntr]), torch.tensor(Y[ntr:])
    sizes = [X.shape[1]] + case.get("hidden", []) + [1]
    init = valfit_weights(case) if case.get("start") == "valfit" else None
    net, Ws, bs = make_net(sizes, case.get("act", "tanh"), case["wseed"], case["std"], init)
    lossfn = Hinge() if cls else torch.nn.MSELoss()
    o = case["opt"]
    if o["kind"] == "adam":
        opt = torch.optim.Adam(net.parameters(), lr=o["lr"], foreach=False)
    else:
        opt = torch.optim.SGD(net.parameters(), lr=o["lr"], momentum=o.get("momentum", 0.0), foreach=False)
    B = case.get("batch", 0) or ntr

    def full(A, T):
        with torch.no_grad():
            return lossfn(net(A), T).item()

    history = [(0, full(Xt, Yt), full(Xv, Yv))]

    def one_epoch():
        for r0 in range(0, ntr, B):
            opt.zero_grad()
            lossfn(net(Xt[r0:r0 + B]), Yt[r0:r0 + B]).backward()
            opt.step()
        history.append((len(history), full(Xt, Yt), full(Xv, Yv)))
        return history[-1][2]

    def get_weights():
        return [p.detach().clone() for p in net.parameters()]

    def set_weights(ws):
        with torch.no_grad():
            for p, w in zip(net.parameters(), ws):
                p.copy_(w)

    def check(current, best):
        if current != best and math.isfinite(best) and abs(current - best) <= FRAGILE * abs(best):
            raise SystemExit("%s: val_loss %.17g against best %.17g: too close to decide robustly"
                             % (case["name"], current, best))

    calls = []
    for epochs, patience in case["calls"]:
        start = len(history) - 1
        ran, stopped, best_idx = keras_early_stopping(epochs, patience, one_epoch, get_weights, set_weights, check)
        best_epoch = start + best_idx + 1
        calls.append({"start": start, "ran": ran, "stopped": stopped, "best": best_epoch,
                      "restored": best_epoch != start + ran, "patience": patience})
    final = {"epoch": len(history) - 1, "train_loss": full(Xt, Yt), "val_loss": full(Xv, Yv),
             "params": [p.detach().numpy().copy() for p in net.parameters()]}
    return Ws, bs, history, calls, final


# ---------------------------------------------------------------- the cases

POLY = poly_data(7)
SEP = separable_data(3)
ADAM = {"kind": "adam", "lr": 0.05}
# Weights fitted to the validation half of POLY: training can only take the val_loss up from there.
CASES = [
    # patience runs out in mid-run; the best epoch's weights come back
    dict(name="stop_triggered", data=POLY, val=0.5, loss="mse", opt=ADAM, std=0.1, wseed=11, calls=[(300, 5)]),
    # patience=1 (Keras' patience=0 stops at the same epoch: see check_p0_equals_p1)
    dict(name="patience_1", data=POLY, val=0.5, loss="mse", opt=ADAM, std=0.1, wseed=11, calls=[(300, 1)]),
    # still improving at the last epoch: no stop, nothing to restore
    dict(name="best_is_last", data=POLY, val=0.5, loss="mse", opt={"kind": "sgd", "lr": 0.05}, std=0.1, wseed=11,
         calls=[(12, 3)]),
    # val_loss worse than the call's first epoch from then on: the first epoch's weights, never the start's
    dict(name="best_is_first", data=POLY, val=0.5, loss="mse", opt={"kind": "sgd", "lr": 0.05},
         std=0.1, wseed=11, calls=[(50, 3)], start="valfit"),
    # ties: the validation hinge loss reaches exactly 0 and stays; an equal val_loss is no improvement
    dict(name="ties_min_delta_0", data=SEP, val=0.5, loss="hinge", opt={"kind": "sgd", "lr": 0.1}, std=0.05,
         wseed=5, calls=[(200, 4)]),
    # no early stop (patience longer than the run), val_loss rising at the end: the best weights come back anyway
    dict(name="restore_without_stop", data=POLY, val=0.5, loss="mse", opt=ADAM, std=0.1, wseed=11,
         calls=[(60, 1000)]),
    # two train commands: the second starts its own EarlyStopping (best = +inf again)
    dict(name="two_calls", data=POLY, val=0.5, loss="mse", opt=ADAM, std=0.1, wseed=11, calls=[(15, 3), (200, 4)]),
    # minibatches in row order through an mlp
    dict(name="mlp_minibatch", data=POLY, val=0.5, loss="mse", opt={"kind": "sgd", "lr": 0.03, "momentum": 0.9},
         hidden=[8], act="tanh", batch=8, std=0.5, wseed=4, calls=[(400, 6)]),
]


def valfit_weights(case):
    """Least squares on the validation half: a start whose val_loss training can only raise."""
    header, X, Y = case["data"]
    n = len(X)
    ntr = n - math.ceil(case["val"] * n)
    A = np.hstack([X[ntr:], np.ones((n - ntr, 1))])
    theta = np.linalg.lstsq(A, Y[ntr:, 0], rcond=None)[0]
    return [theta[:-1].reshape(1, -1)], [theta[-1:]]


def fmt(v):
    return repr(float(v))


def script(case, final):
    o = case["opt"]
    opt = "optim %s lr=%s" % (o["kind"], fmt(o["lr"]))
    if o.get("momentum"):
        opt += " momentum=%s" % fmt(o["momentum"])
    model = "model linear" if not case.get("hidden") else "model mlp hidden=%s act=%s" % (
        ",".join(map(str, case["hidden"])), case["act"])
    if case["loss"] == "hinge":
        model = "model logistic"
    L = ["# %s: generated by tools/ref_early_stop.py; Keras 3 EarlyStopping semantics on a PyTorch %s float64 run"
         % (case["name"], torch.__version__.split("+")[0]),
         "set precision=17", "load data.csv", "split val=%s shuffle=no" % fmt(case["val"]), "scale none", model,
         "loss %s" % case["loss"], opt, "batch %s shuffle=no" % (case.get("batch") or "full"), "load weights weights"]
    L += ["train %d patience=%d" % c for c in case["calls"]]
    L.append("save history history.csv")
    L.append("expect epoch == %d" % final["epoch"])

    def near(name, v):
        return "expect abs(%s - (%s)) <= 1e-9 * abs(%s) + 1e-12" % (name, fmt(v), fmt(v))

    L.append(near("train_loss", final["train_loss"]))
    L.append(near("val_loss", final["val_loss"]))
    P = final["params"]
    mlp = bool(case.get("hidden"))
    for l in range(len(P) // 2):
        W, b = P[2 * l], P[2 * l + 1]
        wn, bn = ("W%d" % (l + 1), "b%d" % (l + 1)) if mlp else ("W", "b")
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                L.append(near("%s[%d,%d]" % (wn, i, j), W[i, j]))
            L.append(near("%s[%d]" % (bn, i), b[i]))
    return "\n".join(L) + "\n"


def write_case(case):
    Ws, bs, history, calls, final = run_case(case)
    d = os.path.join(OUT, case["name"])
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(os.path.join(d, "weights"))
    header, X, Y = case["data"]
    write_csv(os.path.join(d, "data.csv"), header, X, Y, case["loss"] == "hinge")
    mlp = bool(case.get("hidden"))
    for l, (W, b) in enumerate(zip(Ws, bs)):
        np.save(os.path.join(d, "weights", "W%d.npy" % (l + 1) if mlp else "W.npy"), np.ascontiguousarray(W))
        np.save(os.path.join(d, "weights", "b%d.npy" % (l + 1) if mlp else "b.npy"), np.ascontiguousarray(b))
    with open(os.path.join(d, "script.fit"), "w") as f:
        f.write(script(case, final))
    with open(os.path.join(d, "expected.txt"), "w") as f:
        for c in calls:
            f.write("call start=%d ran=%d stopped=%s best=%d restored=%s patience=%d\n" % (
                c["start"], c["ran"], "yes" if c["stopped"] else "no", c["best"],
                "yes" if c["restored"] else "no", c["patience"]))
        f.write("final epoch=%d train_loss=%s val_loss=%s\n" % (final["epoch"], fmt(final["train_loss"]),
                                                                 fmt(final["val_loss"])))
        for e, tl, vl in history:
            f.write("row %d %s %s\n" % (e, fmt(tl), fmt(vl)))
    return calls


def check_p0_equals_p1():
    """Keras' patience=0 and patience=1 stop at the same epoch with the same weights."""
    a = run_case(dict(CASES[1], calls=[(300, 0)]))
    b = run_case(dict(CASES[1], calls=[(300, 1)]))
    assert a[3] == [dict(c, patience=0) for c in b[3]], (a[3], b[3])
    assert all(np.array_equal(x, y) for x, y in zip(a[4]["params"], b[4]["params"]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fitbench", help="run tests/cli/early_stop.sh with this binary afterwards")
    args = ap.parse_args()
    check_p0_equals_p1()
    os.makedirs(OUT, exist_ok=True)
    for case in CASES:
        calls = write_case(case)
        print("%-22s %s" % (case["name"], "; ".join(
            "epochs %d..%d: %s, best epoch %d%s" % (c["start"] + 1, c["start"] + c["ran"],
                                                  "early stop" if c["stopped"] else "ran all", c["best"],
                                                  ", restored" if c["restored"] else "") for c in calls)))
    if args.fitbench:
        sys.exit(subprocess.call(["bash", os.path.join(ROOT, "tests", "cli", "early_stop.sh"), args.fitbench]))


if __name__ == "__main__":
    main()
