#!/usr/bin/python3
"""ref_penalty.py — PyTorch references for `loss ... l1= l2=` (tests/cli/penalty.sh).

For every optimizer fitbench has (src/learn/optim.c: sgd, with momentum, with
Nesterov momentum, adam, adam with amsgrad, adamw, rmsprop, rmsprop centered
with momentum, adagrad), every penalty (l1, l2, both) and two models (linear,
and an mlp with one tanh hidden layer) this script trains 100 epochs in torch
float64 on a small regression set, with the loop

    loss = criterion(net(xb), yb) + l1 * sum_l |W_l|.sum() + l2 * sum_l (W_l ** 2).sum()
    loss.backward(); opt.step()

(the weights of every nn.Linear, never the biases; torch.sign's subgradient 0
at 0), and records after every epoch the same penalised loss over the whole
training split (what fitbench's history calls train_loss) and, at the end,
every parameter.  A few more cases: a weight that sits at exactly 0 (a column
of zeros, the weight started at 0: with l1 it must stay exactly 0, since
sign(0) = 0), classification (bce, ce), and minibatches (rows in order).

Each case is written as tests/fixtures/penalty/cases/<name>/{script.fit,
weights/*.npy, expected.csv (epoch,train_loss), params.csv (name,value)}; the
data sets are tests/fixtures/penalty/data/*.csv.  With --fitbench the cases
are also run and compared (the C suite needs no Python: tests/cli/penalty.sh).
A case whose torch history moves by more than 1e-10 relative when every start
weight moves by one ulp (a weight at exactly 0 stays there) is reported as
ill-conditioned and not written.

Run from the repository root:  /usr/bin/python3 tools/ref_penalty.py [--fitbench build/fitbench]
"""
import argparse
import math
import os
import shutil
import subprocess
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_history as th  # noqa: E402  (sets the portable CPU kernels and float64 before torch loads)

import numpy as np  # noqa: E402
import torch  # noqa: E402

ROOT = th.ROOT
OUT = os.path.join(ROOT, "tests", "fixtures", "penalty")
EPOCHS = 100
TOL = 1e-9

# torch's defaults of each kind (fitbench's names), then the options each case sets
DEFAULTS = {
    "sgd": dict(momentum=0.0, dampening=0.0, nesterov=False, weight_decay=0.0),
    "adam": dict(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.0, amsgrad=False),
    "adamw": dict(beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=0.01, amsgrad=False),
    "rmsprop": dict(alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False),
    "adagrad": dict(lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10),
}


def opt(kind, **options):
    return dict(DEFAULTS[kind], kind=kind, **options)


OPTS = {
    "sgd": opt("sgd", lr=0.05),
    "momentum": opt("sgd", lr=0.02, momentum=0.9),
    "nesterov": opt("sgd", lr=0.02, momentum=0.9, nesterov=True),
    "adam": opt("adam", lr=0.01),
    "amsgrad": opt("adam", lr=0.01, amsgrad=True),
    "adamw": opt("adamw", lr=0.01, weight_decay=0.01),
    "rmsprop": opt("rmsprop", lr=0.003),
    "rmspropcm": opt("rmsprop", lr=0.002, centered=True, momentum=0.5),
    "adagrad": opt("adagrad", lr=0.1),
}
PENS = {"l1": (0.05, 0.0), "l2": (0.0, 0.05), "both": (0.02, 0.03)}


def data_sets():
    """name -> (header, rows); the target is the last column."""
    rng = np.random.default_rng(20261204)
    n = 80
    X = rng.normal(0, 1, (n, 4))
    y = X @ np.array([1.5, -2.0, 0.0, 0.3]) + 0.5 + rng.normal(0, 0.3, n)
    reg = (["x0", "x1", "x2", "x3", "y"], [list(x) + [v] for x, v in zip(X, y)])
    zero = (["x0", "z", "x1", "y"], [[x[0], 0.0, x[1], v] for x, v in zip(X, y)])
    return {"reg": reg, "zero": zero, "moons": th.gen_data("moons", np.random.default_rng(7)),
            "blobs": th.gen_data("blobs", np.random.default_rng(8))}


def cases():
    out = []
    for model in ("linear", "mlp"):
        for oname in OPTS:
            for pname, (l1, l2) in PENS.items():
                out.append(dict(name="%s_%s_%s" % (model, oname, pname), data="reg", model=model, loss="mse",
                                opt=OPTS[oname], l1=l1, l2=l2, batch=0))
    # minibatches in row order: the per-batch path (and the fused one for linear + mse)
    for model in ("linear", "mlp"):
        for oname in ("momentum", "adam"):
            out.append(dict(name="%s_%s_both_b16" % (model, oname), data="reg", model=model, loss="mse",
                            opt=OPTS[oname], l1=0.02, l2=0.03, batch=16))
    # a weight at exactly 0 whose data gradient is 0: l1's subgradient keeps it there
    for oname in ("sgd", "adam", "momentum"):
        out.append(dict(name="zero_%s_l1" % oname, data="zero", model="linear", loss="mse", opt=OPTS[oname],
                        l1=0.05, l2=0.0, batch=0, zero=(0, 1)))
    out.append(dict(name="zero_sgd_both_b16", data="zero", model="linear", loss="mse", opt=OPTS["sgd"],
                    l1=0.05, l2=0.01, batch=16, zero=(0, 1)))
    out.append(dict(name="moons_mlp_adam_both", data="moons", model="mlp", loss="bce", opt=OPTS["adam"],
                    l1=0.01, l2=0.01, batch=0))
    out.append(dict(name="blobs_softmax_momentum_l2", data="blobs", model="softmax", loss="ce",
                    opt=OPTS["momentum"], l1=0.0, l2=0.02, batch=0))
    return out


def read_data(name):
    X, Y, labels, ncls = th.read_csv(os.path.join(OUT, "data", name + ".csv"))
    return X, Y, labels, ncls


def sizes_of(c, d, ncls):
    k = ncls if c["loss"] == "ce" else 1
    return [d] + ([6] if c["model"] == "mlp" else []) + [k]


def weights(c, sizes):
    rng = np.random.default_rng(zlib.crc32(c["name"].encode()))
    Ws, bs = [], []
    for l in range(len(sizes) - 1):
        bound = 1.0 / math.sqrt(sizes[l])
        Ws.append(rng.uniform(-bound, bound, (sizes[l + 1], sizes[l])))
        bs.append(rng.uniform(-bound, bound, sizes[l + 1]))
    if "zero" in c:
        Ws[0][c["zero"]] = 0.0
    return Ws, bs


def train(c, X, T, Ws, bs):
    """The torch loop; returns (history of the penalised full-split loss, final [W, b] per layer)."""
    net = th.build_net(Ws, bs, "tanh")
    lins = [m for m in net if isinstance(m, torch.nn.Linear)]
    crit = {"mse": torch.nn.MSELoss(), "bce": torch.nn.BCEWithLogitsLoss(),
            "ce": torch.nn.CrossEntropyLoss()}[c["loss"]]
    opt = th.make_optimizer(c["opt"], net.parameters())

    def objective(A, B):
        pen = 0.0
        if c["l1"]:
            pen = pen + c["l1"] * sum(m.weight.abs().sum() for m in lins)
        if c["l2"]:
            pen = pen + c["l2"] * sum((m.weight ** 2).sum() for m in lins)
        return crit(net(A), B) + pen

    n = X.shape[0]
    B = c["batch"] if c["batch"] and c["batch"] < n else n
    with torch.no_grad():
        hist = [objective(X, T).item()]
    for _ in range(EPOCHS):
        for r0 in range(0, n, B):
            opt.zero_grad()
            objective(X[r0:r0 + B], T[r0:r0 + B]).backward()
            opt.step()
        with torch.no_grad():
            hist.append(objective(X, T).item())
    return hist, [(m.weight.detach().numpy().copy(), m.bias.detach().numpy().copy()) for m in lins]


def param_names(final):
    """(name, value) in fitbench's `show params` names: W[i,j], b[i]; W1[i,j], b1[i], ... for several layers."""
    out = []
    for l, (W, b) in enumerate(final):
        s = "" if len(final) == 1 else str(l + 1)
        out += [("W%s[%d,%d]" % (s, i, j), W[i, j]) for i in range(W.shape[0]) for j in range(W.shape[1])]
        out += [("b%s[%d]" % (s, i), b[i]) for i in range(b.shape[0])]
    return out


def script(c):
    o = c["opt"]
    opts = " ".join("%s=%s" % (k, th.fmt(v)) for k, v in o.items() if k != "kind")
    pen = "".join(" %s=%r" % (k, c[k]) for k in ("l1", "l2") if c[k])
    model = "mlp hidden=6 act=tanh" if c["model"] == "mlp" else c["model"]
    return "\n".join([
        "# %s: generated by tools/ref_penalty.py; compared with PyTorch 1.13 float64 (loss + penalty, backward)"
        % c["name"],
        "load ../../data/%s.csv" % c["data"], "scale none", "model %s" % model,
        "loss %s%s" % (c["loss"], pen), "optim %s %s" % (o["kind"], opts),
        "batch full" if not c["batch"] else "batch %d shuffle=no" % c["batch"],
        "load weights weights", "train %d" % EPOCHS, "save history history.csv", "set precision=17",
        "show params"]) + "\n"


def build(c, dest):
    X, Y, labels, ncls = read_data(c["data"])
    T = [[float(v)] for v in labels] if c["loss"] in ("bce", "ce") else Y
    Xt = torch.tensor(X)
    Tt = torch.tensor([int(r[0]) for r in T], dtype=torch.long) if c["loss"] == "ce" else torch.tensor(T)
    Ws, bs = weights(c, sizes_of(c, len(X[0]), ncls))
    hist, final = train(c, Xt, Tt, Ws, bs)
    # one ulp up, except a weight at exactly 0: that one is the point of its case (the kink of |w|)
    up = [np.where(W == 0, 0.0, np.nextafter(W, np.inf)) for W in Ws]
    pert, _ = train(c, Xt, Tt, up, [np.nextafter(b, np.inf) for b in bs])
    sens = max(th.rel_err(a, b) for a, b in zip(pert, hist))
    if sens > TOL / 10 or not all(math.isfinite(h) for h in hist):
        return hist, final, sens
    shutil.rmtree(dest, ignore_errors=True)
    os.makedirs(os.path.join(dest, "weights"))
    for l, (W, b) in enumerate(zip(Ws, bs)):
        s = "" if len(Ws) == 1 else str(l + 1)
        np.save(os.path.join(dest, "weights", "W%s.npy" % s), W)
        np.save(os.path.join(dest, "weights", "b%s.npy" % s), b)
    with open(os.path.join(dest, "script.fit"), "w") as f:
        f.write(script(c))
    with open(os.path.join(dest, "expected.csv"), "w") as f:
        f.write("epoch,train_loss\n" + "".join("%d,%r\n" % (e, h) for e, h in enumerate(hist)))
    with open(os.path.join(dest, "params.csv"), "w") as f:
        f.write("name,value\n" + "".join("%s,%r\n" % (nm, float(v)) for nm, v in param_names(final)))
    return hist, final, sens


def compare(fitbench, dest, hist, final):
    p = subprocess.run([fitbench, "-q", "script.fit"], cwd=dest, capture_output=True, text=True,
                       env=dict(os.environ, HOME="/tmp", XDG_STATE_HOME="/tmp"))
    if p.returncode:
        return math.inf, p.stderr.strip()[-300:]
    got = th.read_history(os.path.join(dest, "history.csv"))
    os.remove(os.path.join(dest, "history.csv"))
    err = max(th.rel_err(a, b) for a, b in zip(got, hist)) if len(got) == len(hist) else math.inf
    vals = {ln.split()[0]: float(ln.split()[-1]) for ln in p.stdout.splitlines() if ln.startswith("  ")}
    perr = max(abs(vals[nm] - v) / max(1.0, abs(v)) for nm, v in param_names(final))
    return max(err, perr), ""


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fitbench", default="")
    args = ap.parse_args()
    os.makedirs(os.path.join(OUT, "data"), exist_ok=True)
    for name, (header, rows) in data_sets().items():
        th.write_data_csv(os.path.join(OUT, "data", name + ".csv"), header, rows)
    shutil.rmtree(os.path.join(OUT, "cases"), ignore_errors=True)
    bad = 0
    for c in cases():
        dest = os.path.join(OUT, "cases", c["name"])
        hist, final, sens = build(c, dest)
        if not os.path.isdir(dest):
            print("ILL  %-32s torch 1-ulp sensitivity %.3g: not written" % (c["name"], sens))
            continue
        line = "ok   %-32s torch 1-ulp sensitivity %.3g" % (c["name"], sens)
        if args.fitbench:
            err, why = compare(os.path.abspath(args.fitbench), dest, hist, final)
            line += "  fitbench max rel err %.3g %s" % (err, why)
            bad += err > TOL
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
